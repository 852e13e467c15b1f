"""How long relief lasts after a ketamine infusion: two explanations and a virtual patient cohort (notebook 05).

Both explanations start from the same exact PK solution of the regimen (:func:`pk.simulate`: plasma, a fast
effect site with t½ 6.1 min and a slow one with t½ 10.9 days) and end in a pain rating 0–10. Relief is the
pain reduction as a fraction of the untreated baseline pain; the **relief duration** is the number of days
from the end of the last dose until relief last stands at or above a threshold (default 0.3, the ≥ 30 %
reduction of the Schwartzman 2009 registry endpoint; 0.5 selectable), 0 if it is below the threshold at
every time after the end.

Drug. The potencies below are S-ketamine's. A racemic level is converted once, in
:func:`s_ketamine_equivalent_ng_ml`: S-ketamine equivalent = racemic level / 2, the clinical potency ratio
of the receptor layer (:data:`receptor.S_KETAMINE_POTENCY_VS_RACEMATE`, Bell 2009) — an assumption.

**"biophase"** (after Dahan et al. 2011). Relief follows the slow effect site Ce_slow (onset/offset t½
10.9 d, C50 10.5 ng/mL S-ketamine; cited) on top of a fast acute effect at the fast site Ce_fast
(t½ 6.1 min, Olofsen 2012; acute C50 345 ng/mL, the middle of Simons 2022's 285–404 ng/mL)::

    r_slow  = Emax · Ce_slow^γ / (Ce_slow^γ + C50_slow^γ)        Emax = 1, γ = 1      (assumed)
    r_acute = Ce_fast^γ / (Ce_fast^γ + C50_acute^γ)                                (assumed form)
    relief  = 1 − (1 − r_acute)(1 − r_slow)                        independent actions (assumed)
    pain    = P0 · (1 − relief),  P0 = 7 / 10                                        (assumed)

The published Dahan 2011 PD equation was not found (facts addendum §2b): the sigmoid-Emax form is the
template the same group publishes (Simons 2022) and is assumed here. **The 10.9-day compartment is a fitted
delay, not drug stored in the body**: plasma ketamine is gone within a day, and Dahan's model reads the slow
rise and fall of relief as if it followed a concentration in a slow compartment.

**"reset"** (mechanistic, from the layers of notebooks 01–03). A slow component s of sensitisation
(1 = the chronic patient's untreated state) decays while NMDA receptors are blocked and rebuilds once they
are free::

    block b(t)  = receptor.block_at_plasma(Ce_fast,eq, "S-ketamine")              (Ebert Ki; cited)
    ds/dt       = (1 − b)(1 − s)/τ_rebuild − k_decay · b · s                      (illustrative)
    spinal gain = spinal.transmission_gain(S_chronic · s, b)                       (notebook 02)
    descending  = descending.descending_gain(effective_balance("chronic", I, F, b))   (notebook 03)
    pain        = spinal.rating(x_ongoing, spinal gain × descending gain)         (notebook 02's curve)

S_chronic = 0.78 is the spinal layer's steady state at drive 1; (I, F) is the chronic setting of notebook 03
held tonic; x_ongoing (3.3 on the 0–10 stimulus scale, below the normal pain threshold 4) is the ongoing
input that hurts P0 = 7 / 10 at baseline — it hurts only because it is amplified. τ_rebuild and k_decay are
**a hypothesis tuned to the data**: :func:`calibrate_reset` fits them to the trial table's relief durations,
read as intervals (:func:`calibration_targets`: at least, at most, or between; negative trials included), by
least squares on log(1 + days); :data:`RESET` stores the fit and :data:`RESET_FIT` the error per trial.

Virtual cohort (:func:`cohort_relief_days`, :func:`cohort_band`). Between-patient spread, each log-normal:
clearance CV 13 % (Fanta 2015 [V]); C50_slow σ = 0.403 and t½_slow σ = 0.345, derived from Dahan's 95 %
confidence intervals (4.37–21.2 ng/mL; 5.3–20.5 d) as σ = ln(high/low)/(2·1.96) — a CI of a population
estimate read as between-patient spread, which is our assumption; σ = 0.4 on τ_rebuild and k_decay
(illustrative). A patient responds with probability 0.67 on ketamine (Dahan 2011 [V]; placebo 0.23); a
non-responder's relief duration is 0. A patient's PK is interpolated between exact solutions at nine
clearances (see :func:`cohort_relief_days`).

Teaching material, not dosing advice.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .. import _validate as v
from .. import units
from ..vocab import ASSUMED, DRUGS, EVIDENCE_LABELS, ILLUSTRATIVE, RACEMIC, S_KETAMINE
from . import descending, pk, receptor, spinal

__all__ = [
    "HYPOTHESES", "DEFAULT_THRESHOLD", "THRESHOLD_RANGE", "BASELINE_PAIN_NRS", "HORIZON_DAYS",
    "DURATION_RANGE_H", "DEFAULT_MODEL", "MODEL_FOR_DRUG", "ACUTE_C50_NG_ML", "S_CHRONIC", "ONGOING_STIMULUS",
    "RESPONDER_PROBABILITY", "PLACEBO_RESPONDER_PROBABILITY", "CLEARANCE_CV", "REFERENCE_KEYS",
    "BiophaseParams", "BIOPHASE", "ResetParams", "RESET", "TrialFit", "RESET_FIT", "CohortSpread", "SPREAD",
    "s_ketamine_equivalent_ng_ml", "biophase_relief", "reset_pain", "reset_state_course",
    "relief_duration_days", "cohort_relief_days", "ReliefCourse", "relief_course", "ReliefSweep",
    "relief_vs_duration", "CohortBand", "cohort_band", "calibrate_reset", "lognormal_sigma_from_ci",
    "calibration_targets", "evaluate_reset", "evaluate_biophase", "CalibrationTarget", "TARGET_READINGS",
    "KEPT_OUT_OF_FIT", "LOSS_SCALES",
]

#: The two explanations of lasting relief.
HYPOTHESES = ("biophase", "reset")
#: Default relief threshold: a 30 % pain reduction (the registry primary endpoint of Schwartzman 2009).
DEFAULT_THRESHOLD = 0.3
#: Thresholds accepted (fraction of baseline pain).
THRESHOLD_RANGE = (0.05, 0.95)
#: Untreated pain on the 0–10 rating scale. Assumed: of the order of the trials' baselines (Mangnus 2021
#: median NRS 8; Goldberg 2010 8–9); relief is a fraction of it, so its value only sets the pain axis.
BASELINE_PAIN_NRS = 7.0
#: How far after the last dose relief is followed (days); a longer relief is reported as this value.
HORIZON_DAYS = 365.0
#: Single-infusion durations the sweep accepts (h): 1 min to 30 days.
DURATION_RANGE_H = (1.0 / 60.0, 30.0 * 24.0)
#: PK model when none is given (S-ketamine, the drug of Dahan 2011).
DEFAULT_MODEL = "fanta_2015"
#: PK model for a trial's drug: Fanta/Otto for S-ketamine; Clements & Nimmo for the racemate (its clearance,
#: about 80 L/h at 70 kg, matches the 79 L/h of the Kamp 2020 meta-analysis). A choice, stated.
MODEL_FOR_DRUG = {S_KETAMINE: "fanta_2015", RACEMIC: "clements_nimmo_1981"}
#: Acute antinociception C50 of S-ketamine (ng/mL): the middle of 1.2–1.7 nmol/mL (Simons 2022 [V]) at
#: 237.7 g/mol, i.e. 1.45 nmol/mL ≈ 345 ng/mL [D].
ACUTE_C50_NG_ML = 1.45 * units.KETAMINE_G_PER_MOL
#: Probability of an analgesic response (Dahan 2011 [V]): ketamine 0.67 ± 0.10, placebo 0.23 ± 0.09.
RESPONDER_PROBABILITY = 0.67
PLACEBO_RESPONDER_PROBABILITY = 0.23
#: Between-subject variability of S-ketamine clearance, CV 13 % (Fanta 2015 abstract [V]).
CLEARANCE_CV = 0.13
#: Reference keys (package data) behind the numbers of this module.
REFERENCE_KEYS = ("dahan_2011", "simons_2022_pd", "olofsen_2012", "fanta_2015", "bell_2009", "schwartzman_2009",
                  "sigtermans_2009_pain", "noppers_2011_fibromyalgia", "amr_2010", "mangnus_2021")

_H_PER_DAY = 24.0
_LN2 = math.log(2.0)
_MG_PER_L_TO_NG_PER_ML = 1000.0
_FIRST_STEP_H = 1e-3          # first point after a dosing boundary (3.6 s)
_POINTS_PER_SEGMENT = 40      # geometric points between two dosing boundaries
_AFTER_GEOM = 80              # geometric points over the first two days after the end
_AFTER_GEOM_END_H = 48.0
_AFTER_LINEAR_DT_H = 48.0     # then one point every two days to the horizon
_CL_NODES = 9                 # clearances at which a cohort's PK is solved exactly (±4σ)
_IC50_S_NG_ML = receptor.BLOCKERS["S-ketamine"].ic50_um * units.KETAMINE_G_PER_MOL


# ---------------------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------------------

def lognormal_sigma_from_ci(low, high, level=0.95):
    """Log-normal σ whose central ``level`` interval has the width of the interval [low, high].

    σ = ln(high / low) / (2 z), z the standard-normal quantile of (1 + level) / 2 (1.96 for 95 %).

    Parameters
    ----------
    low, high : float
        Ends of the interval, 0 < low < high.
    level : float, optional
        Coverage of the interval, in (0, 1); default 0.95.

    Returns
    -------
    float
        σ of ln(X).

    References
    ----------
    dahan_2011 (the intervals this is applied to).
    """
    lo = v.positive(low, "low")
    hi = v.positive(high, "high")
    if hi <= lo:
        raise ValueError(f"high must be > low ({lo!r}), got {hi!r}")
    p = v.in_range(level, "level", 0.0, 1.0, low_open=True, high_open=True)
    from statistics import NormalDist
    return math.log(hi / lo) / (2.0 * NormalDist().inv_cdf(0.5 + p / 2.0))


def _evidence(value):
    return v.choice(value, "evidence", EVIDENCE_LABELS)


@dataclass(frozen=True)
class BiophaseParams:
    """PD of the "biophase" explanation (S-ketamine concentrations).

    Parameters
    ----------
    c50_slow_ng_ml : float
        Slow-site C50, 10.5 ng/mL (Dahan 2011 [V], 95 % CI 4.37–21.2). Cited.
    t_half_slow_days : float
        Onset/offset half-life of the slow site, 10.9 d (Dahan 2011 [V]; the PK layer's
        ``SLOW_EFFECT_T_HALF_DAYS``). Cited.
    c50_acute_ng_ml : float
        Fast-site (acute antinociception) C50, 345 ng/mL (Simons 2022: 285–404 ng/mL). Cited range, middle
        chosen.
    hill : float
        Hill coefficient of both effects, 1. Assumed.
    emax : float
        Largest slow relief, 1 (full relief). Assumed.
    source : str
        Where the numbers come from.
    evidence : str
        Weakest label of the set ("assumed": the functional form is ours).

    References
    ----------
    dahan_2011, simons_2022_pd, olofsen_2012.
    """

    c50_slow_ng_ml: float = 10.5
    t_half_slow_days: float = pk.SLOW_EFFECT_T_HALF_DAYS
    c50_acute_ng_ml: float = ACUTE_C50_NG_ML
    hill: float = 1.0
    emax: float = 1.0
    source: str = ("C50 10.5 ng/mL and t½ 10.9 d: Dahan et al. 2011 Eur J Pain 15:258 [V]; acute C50: Simons et al. "
                   "2022 Front Pain Res 3:946487, 1.2-1.7 nmol/mL [V] (middle, our conversion [D]); sigmoid Emax "
                   "form after Simons 2022 (assumed for Dahan's model), Emax 1 and γ 1 assumed; acute and slow "
                   "relief combined as independent actions (assumed)")
    evidence: str = ASSUMED

    def __post_init__(self):
        v.in_range(self.c50_slow_ng_ml, "c50_slow_ng_ml", 0.01, 1e4)
        v.in_range(self.t_half_slow_days, "t_half_slow_days", 0.5, 60.0)
        v.in_range(self.c50_acute_ng_ml, "c50_acute_ng_ml", 0.01, 1e5)
        v.in_range(self.hill, "hill", 0.1, 10.0)
        v.in_range(self.emax, "emax", 0.0, 1.0, low_open=True)
        _evidence(self.evidence)


BIOPHASE = BiophaseParams()


@dataclass(frozen=True)
class ResetParams:
    """Rates of the slow sensitisation component of the "reset" explanation (illustrative).

    Parameters
    ----------
    rebuild_days : float
        Time constant τ_rebuild (days) with which s returns to 1 when no receptor is blocked.
    decay_per_day : float
        Decay rate k_decay (1/day) of s at full block (scaled by the block fraction).
    source : str
        Where the numbers come from.
    evidence : str
        "illustrative": tuned to trial relief durations by :func:`calibrate_reset`.

    References
    ----------
    dahan_2011, schwartzman_2009, noppers_2011_fibromyalgia, amr_2010, kiefer_2002_pilot, rabben_2001 (the targets).
    """

    rebuild_days: float
    decay_per_day: float
    source: str = "a hypothesis tuned to the data (calibrate_reset)"
    evidence: str = ILLUSTRATIVE

    def __post_init__(self):
        v.in_range(self.rebuild_days, "rebuild_days", 0.5, 2000.0)
        v.in_range(self.decay_per_day, "decay_per_day", 1e-4, 20.0)
        _evidence(self.evidence)


@dataclass(frozen=True, eq=False)
class TrialFit:
    """An explanation's predictions against interval targets: per-trial prediction and error, and the fit loss.

    The error of a prediction is its signed distance (days) to the target's interval: 0 inside, predicted −
    high above it, predicted − low below it. The loss sums the squared distances of the fitted targets on the
    ``scale`` the fit used.

    Parameters
    ----------
    params : ResetParams or BiophaseParams
        Rates (or PD) the predictions were made with.
    labels : tuple of str
        One label (trial key) per target.
    low_days, high_days : numpy.ndarray
        Interval each target's relief duration lies in (days after the end); 0 for an open lower side, inf for
        an open upper side; equal ends for a point target.
    predicted_days : numpy.ndarray
        Relief duration predicted for each target's regimen (days).
    fitted : numpy.ndarray
        Boolean per target: True if it entered the fit (False: shown only).
    threshold : float
        Relief threshold of the predictions.
    scale : {"log1p", "days"}
        Scale on which the loss measures distances.
    hypothesis : {"reset", "biophase"}
        Explanation that made the predictions.

    References
    ----------
    The trial table (ketamine_facts §5a): the targets' intervals.
    """

    params: object
    labels: tuple
    low_days: np.ndarray
    high_days: np.ndarray
    predicted_days: np.ndarray
    fitted: np.ndarray
    threshold: float
    scale: str = "log1p"
    hypothesis: str = "reset"

    @property
    def error_days(self) -> np.ndarray:
        """Signed distance of each prediction to its target interval (days; 0 inside, > 0 too long)."""
        return _interval_error(self.predicted_days, self.low_days, self.high_days, "days")

    @property
    def loss(self) -> float:
        """Sum of squared distances over the fitted targets, on :attr:`scale` (the quantity the fit minimises)."""
        e = _interval_error(self.predicted_days, self.low_days, self.high_days, self.scale)
        return float(np.sum(e[self.fitted] ** 2))

    @property
    def n_fitted(self) -> int:
        """Number of targets that entered the fit."""
        return int(np.count_nonzero(self.fitted))

    @property
    def mean_abs_error_days(self) -> float:
        """Mean |error| over the fitted targets (days)."""
        return float(np.mean(np.abs(self.error_days[self.fitted])))

    @property
    def rms_days(self) -> float:
        """Root-mean-square error over the fitted targets (days)."""
        return float(np.sqrt(np.mean(self.error_days[self.fitted] ** 2)))


def _interval_error(predicted, low, high, scale):
    """Signed distance of ``predicted`` to [low, high] on ``scale`` ("days" or "log1p"); 0 inside."""
    f = np.log1p if scale == "log1p" else (lambda x: x)
    p = np.asarray(predicted, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    with np.errstate(invalid="ignore"):
        above = np.where(p > hi, f(p) - f(np.where(np.isfinite(hi), hi, 0.0)), 0.0)
    return np.where(p < lo, f(p) - f(lo), above)


@dataclass(frozen=True)
class CohortSpread:
    """Between-patient spread of the virtual cohort (log-normal σ of each parameter).

    Parameters
    ----------
    clearance_sigma : float
        σ of ln CL, from CV 13 % as sqrt(ln(1 + CV²)) (Fanta 2015 [V]).
    c50_sigma : float
        σ of ln C50_slow from Dahan's 95 % CI 4.37–21.2 ng/mL (our reading of a CI as spread: assumed).
    t_half_sigma : float
        σ of ln t½_slow from Dahan's 95 % CI 5.3–20.5 d (assumed reading).
    reset_sigma : float
        σ of ln τ_rebuild and of ln k_decay, 0.4 (illustrative).
    responder_probability : float
        Probability that a patient responds at all, 0.67 on ketamine (Dahan 2011 [V]).

    References
    ----------
    fanta_2015, dahan_2011.
    """

    clearance_sigma: float = math.sqrt(math.log1p(CLEARANCE_CV ** 2))
    c50_sigma: float = lognormal_sigma_from_ci(4.37, 21.2)
    t_half_sigma: float = lognormal_sigma_from_ci(5.3, 20.5)
    reset_sigma: float = 0.4
    responder_probability: float = RESPONDER_PROBABILITY

    def __post_init__(self):
        for name in ("clearance_sigma", "c50_sigma", "t_half_sigma", "reset_sigma"):
            v.in_range(getattr(self, name), name, 0.0, 2.0)
        v.fraction(self.responder_probability, "responder_probability")


SPREAD = CohortSpread()

# The stored calibration (a hypothesis tuned to the data). Reproduced by tests/test_relief.py from the trial
# table (calibrate_reset(calibration_targets(evidence.trials()))); RESET_FIT lists the targets and the fit per trial.
RESET = ResetParams(rebuild_days=99.58, decay_per_day=0.5189,
                    source=("a hypothesis tuned to the data: calibrate_reset on the six fitted trial-table targets of "
                            "RESET_FIT (interval-censored least squares on log(1 + days), threshold 0.3, 70 kg)"))
#: The fit behind :data:`RESET`: one row per target of :func:`calibration_targets` (relief days after the end of
#: the regimen, table order). Fitted, six intervals for two rates: Dahan 2011 50 d (100 h of S-ketamine at the
#: table's 20 mg/h end rate; Sigtermans 2009's "at most 80 d" is the same patients, counted once); Schwartzman 2009
#: at least 90 d (4 h a day for 10 days, racemic; see :data:`TARGET_READINGS`); Noppers 2011 15 min to 3 h (a
#: 30-min infusion, negative); Amr 2010 14–21 d (5 h a day for 7 days, racemic); Kiefer 2002 at least 30 d
#: (anaesthetic dose for 5 days); Rabben 2001 under a day (one intramuscular dose, negative). Shown, not fitted:
#: Kiefer 2008's 10-day pilot, 0 d (:data:`KEPT_OUT_OF_FIT`). The fit leaves real errors: Dahan 2011 27 d too long
#: and Schwartzman 2009 38 d too short. Amr's and Schwartzman's courses are alike (racemic, 4–5 h a day, 560 and
#: 980 mg), and in this model relief grows with exposure, so 2–3 weeks for one and 3 months for the other cannot
#: both be met: the fit splits the difference. The negatives and Kiefer 2002 are met.
RESET_FIT = TrialFit(
    params=RESET,
    labels=("dahan_2011", "schwartzman_2009", "noppers_2011", "amr_2010", "kiefer_2002_pilot", "kiefer_2008_pilot",
            "rabben_2001"),
    low_days=np.array([50.0, 90.0, 0.010417, 14.0, 30.0, 0.0, 0.0]),
    high_days=np.array([50.0, np.inf, 0.125, 21.0, np.inf, 0.0, 1.0]),
    predicted_days=np.array([77.11, 52.41, 0.13, 24.0, 90.42, 94.14, 0.06]),
    fitted=np.array([True, True, True, True, True, False, True]),
    threshold=DEFAULT_THRESHOLD, scale="log1p", hypothesis="reset")


# ---------------------------------------------------------------------------------------------------------
# The chronic patient of the "reset" explanation
# ---------------------------------------------------------------------------------------------------------

#: Spinal sensitisation of the untreated chronic patient: the spinal layer's steady state at drive 1 (0.78).
S_CHRONIC = float(spinal.sensitisation_steady_state(1.0, 0.0))
_CHRONIC = descending.DEFAULT_STATES["chronic"]
_SR = spinal.STIMULUS_RESPONSE


def _total_gain_at_rest() -> float:
    return float(spinal.transmission_gain(S_CHRONIC, 0.0)) * float(
        descending.descending_gain(_CHRONIC.inhibition, _CHRONIC.facilitation))


#: Ongoing input (0–10 stimulus scale) that hurts BASELINE_PAIN_NRS through the chronic patient's gain,
#: by inverting spinal.rating: x = (threshold + scale·ln(10 / (10 − P0))) / G. Below the pain threshold.
ONGOING_STIMULUS = (_SR.threshold + _SR.scale * math.log(10.0 / (10.0 - BASELINE_PAIN_NRS))) / _total_gain_at_rest()


def _reset_pain(s, b):
    i_eff, f_eff = descending.effective_balance("chronic", _CHRONIC.inhibition, _CHRONIC.facilitation, b)
    gain = np.asarray(spinal.transmission_gain(S_CHRONIC * s, b)) * np.asarray(
        descending.descending_gain(i_eff, f_eff))
    return np.asarray(spinal.rating(ONGOING_STIMULUS, np.minimum(gain, spinal.GAIN_MAX)), dtype=float)


def reset_pain(slow_state, block_fraction):
    """Pain (0–10) of the chronic patient with slow sensitisation component ``slow_state`` and NMDA block.

    Read through the composed layers: spinal gain (S_CHRONIC · s, block) × descending gain (chronic
    setting, block) → :func:`spinal.rating` of :data:`ONGOING_STIMULUS`. ``reset_pain(1, 0)`` is
    :data:`BASELINE_PAIN_NRS`.

    Parameters
    ----------
    slow_state : float or array_like
        Slow component s in [0, 1] (1 = untreated chronic state).
    block_fraction : float or array_like
        Fraction of NMDA receptors blocked, in [0, 1]. Broadcasts with ``slow_state``.

    Returns
    -------
    float or numpy.ndarray
        Pain rating 0–10.

    References
    ----------
    Illustrative shape numbers of the spinal and descending layers (notebooks 02, 03).
    """
    s = v.array(slow_state, "slow_state", low=0.0, high=1.0)
    b = v.array(block_fraction, "block_fraction", low=0.0, high=1.0)
    out = _reset_pain(s, b)
    return float(out) if out.ndim == 0 else out


def _slow_state_at_pain(pain_nrs: float) -> float:
    """s at which the drug-free chronic patient hurts ``pain_nrs`` (inverse of reset_pain at block 0)."""
    g_needed = (_SR.threshold + _SR.scale * math.log(10.0 / (10.0 - pain_nrs))) / ONGOING_STIMULUS
    g_d = float(descending.descending_gain(_CHRONIC.inhibition, _CHRONIC.facilitation))
    s = (g_needed / g_d - 1.0) / (_SR.gain_max * S_CHRONIC)
    return min(max(s, 0.0), 1.0)


# ---------------------------------------------------------------------------------------------------------
# Pieces shared by every entry point
# ---------------------------------------------------------------------------------------------------------

def s_ketamine_equivalent_ng_ml(conc_ng_ml, drug: str):
    """S-ketamine-equivalent level of a ``drug`` level: the racemate counts half (assumed), S-ketamine as is.

    The one place where racemic levels are translated for the S-ketamine potencies of this module.

    Parameters
    ----------
    conc_ng_ml : float or array_like
        Concentration of ``drug`` (ng/mL, >= 0).
    drug : {"racemic", "S-ketamine"}
        Drug the concentration is of.

    Returns
    -------
    float or numpy.ndarray
        S-ketamine-equivalent concentration (ng/mL).

    References
    ----------
    bell_2009 (S-ketamine about twice as potent clinically as the racemate).
    """
    c = v.array(conc_ng_ml, "conc_ng_ml", low=0.0)
    factor = _s_factor(v.choice(drug, "drug", DRUGS))
    out = c * factor
    return float(out) if out.ndim == 0 else out


def _s_factor(drug: str) -> float:
    return 1.0 if drug == S_KETAMINE else 1.0 / receptor.S_KETAMINE_POTENCY_VS_RACEMATE


def _hill(c, c50, h):
    if h == 1.0:
        return c / (c + c50)
    ch = c ** h
    return ch / (ch + c50 ** h)


def _biophase(ce_fast, ce_slow, p: BiophaseParams):
    r_a = _hill(ce_fast, p.c50_acute_ng_ml, p.hill)
    r_s = p.emax * _hill(ce_slow, p.c50_slow_ng_ml, p.hill)
    return 1.0 - (1.0 - r_a) * (1.0 - r_s)


def biophase_relief(ce_fast_ng_ml, ce_slow_ng_ml, params: BiophaseParams = BIOPHASE):
    """Relief (fraction of baseline pain) of the "biophase" explanation from the two effect-site levels.

    relief = 1 − (1 − r_acute)(1 − r_slow), r = sigmoid Emax of each site (see the module docstring).

    Parameters
    ----------
    ce_fast_ng_ml, ce_slow_ng_ml : float or array_like
        S-ketamine(-equivalent) levels at the fast and the slow effect site (ng/mL, >= 0); broadcast.
    params : BiophaseParams, optional
        PD parameters; default :data:`BIOPHASE`.

    Returns
    -------
    float or numpy.ndarray
        Relief in [0, 1).

    References
    ----------
    dahan_2011, simons_2022_pd.
    """
    cf = v.array(ce_fast_ng_ml, "ce_fast_ng_ml", low=0.0)
    cs = v.array(ce_slow_ng_ml, "ce_slow_ng_ml", low=0.0)
    if not isinstance(params, BiophaseParams):
        raise ValueError(f"params must be a BiophaseParams, got {params!r}")
    out = _biophase(cf, cs, params)
    return float(out) if np.ndim(out) == 0 else out


def _block(ce_eq):
    # Hill 1 at the Ebert Ki of S-ketamine: receptor.block_at_plasma(c, "S-ketamine") without its checks
    # (tests/test_relief.py holds the two equal); this runs on every point of every sweep.
    return ce_eq / (ce_eq + _IC50_S_NG_ML)


def _slow_state(t_h, block, rebuild_h, decay_per_h, s0=1.0):
    """s on the grid ``t_h`` (..., n): exact for the interval-mean block on each interval (2nd order).

    ds/dt = a − (a + k b) s with a = (1 − b)/τ. On interval j the solution relaxes towards θ_j = a_j/κ_j at
    rate κ_j = a_j + k b_j, so with L_k = Σ_{j<k} κ_j Δt_j and E = e^L,
    s_k = (s0 + Σ_{j<k} θ_j (E_{j+1} − E_j)) / E_k: one exponential per point, all points at once, every term
    of the sum non-negative. L stays below ~700 inside the parameter ranges the public functions accept.
    """
    dt = np.diff(t_h, axis=-1)
    b_mid = 0.5 * (block[..., 1:] + block[..., :-1])
    a = (1.0 - b_mid) / rebuild_h
    kappa = a + decay_per_h * b_mid
    theta = np.divide(a, kappa, out=np.ones_like(kappa), where=kappa > 0)
    e = np.exp(np.cumsum(kappa * dt, axis=-1))
    shape = e.shape[:-1] + (e.shape[-1] + 1,)
    out = np.empty(shape)
    out[..., 0] = s0
    rise = np.diff(e, axis=-1, prepend=1.0)
    out[..., 1:] = (s0 + np.cumsum(theta * rise, axis=-1)) / e
    return np.clip(out, 0.0, 1.0, out=out)


def reset_state_course(t_h, block_fraction, params: ResetParams = RESET, s0: float = 1.0):
    """Slow sensitisation component s(t) of the "reset" explanation for a block time course.

    ds/dt = (1 − b)(1 − s)/τ_rebuild − k_decay·b·s, solved exactly for the interval-mean block on each
    interval between samples (second-order accurate; exact for a constant block).

    Parameters
    ----------
    t_h : array_like
        Times (h), 1-D, non-decreasing.
    block_fraction : float or array_like
        NMDA block in [0, 1]: a number or an array as long as ``t_h``.
    params : ResetParams, optional
        Rates; default the calibrated :data:`RESET`.
    s0 : float, optional
        s at ``t_h[0]``, in [0, 1]; default 1 (untreated).

    Returns
    -------
    numpy.ndarray
        s at ``t_h``, in [0, 1].

    References
    ----------
    Illustrative rates (calibrated by :func:`calibrate_reset`).
    """
    t = v.time_array(t_h, "t_h")
    b = v.array(block_fraction, "block_fraction", low=0.0, high=1.0, ndim_max=1)
    b = np.broadcast_to(b, t.shape) if b.ndim == 0 else b
    if b.shape != t.shape:
        raise ValueError(f"block_fraction must be a number or have the shape of t_h {t.shape}, got {b.shape}")
    if not isinstance(params, ResetParams):
        raise ValueError(f"params must be a ResetParams, got {params!r}")
    s = v.fraction(s0, "s0")
    return _slow_state(t, b, params.rebuild_days * _H_PER_DAY, params.decay_per_day / _H_PER_DAY, s)


def _duration_after(t_h, relief, t_end_h, threshold):
    """Days from ``t_end_h`` to the last time relief stands at or above ``threshold`` (last axis = time).

    Linear interpolation between the last point at or above and the next one; 0 when no point after the end
    reaches the threshold; the horizon when the last point still does.
    """
    t = np.broadcast_to(t_h, relief.shape)
    after = t >= np.expand_dims(t_end_h, -1) - 1e-12
    hit = (relief >= threshold) & after
    n = relief.shape[-1]
    any_hit = hit.any(axis=-1)
    last = n - 1 - np.argmax(hit[..., ::-1], axis=-1)
    nxt = np.minimum(last + 1, n - 1)
    r0 = np.take_along_axis(relief, last[..., None], -1)[..., 0]
    r1 = np.take_along_axis(relief, nxt[..., None], -1)[..., 0]
    t0 = np.take_along_axis(t, last[..., None], -1)[..., 0]
    t1 = np.take_along_axis(t, nxt[..., None], -1)[..., 0]
    drop = r0 - r1
    frac = np.divide(r0 - threshold, drop, out=np.zeros_like(r0), where=drop > 0)
    t_cross = t0 + np.clip(frac, 0.0, 1.0) * (t1 - t0)
    days = (t_cross - t_end_h) / _H_PER_DAY
    return np.where(any_hit, np.maximum(days, 0.0), 0.0)


def _check_hypothesis(hypothesis, allow_both=False):
    allowed = HYPOTHESES + (("both",) if allow_both else ())
    return v.choice(hypothesis, "hypothesis", allowed)


def _check_threshold(threshold):
    return v.in_range(threshold, "threshold", *THRESHOLD_RANGE)


def _check_params(biophase, reset):
    if not isinstance(biophase, BiophaseParams):
        raise ValueError(f"biophase must be a BiophaseParams, got {biophase!r}")
    if not isinstance(reset, ResetParams):
        raise ValueError(f"reset must be a ResetParams, got {reset!r}")


# ---------------------------------------------------------------------------------------------------------
# One regimen: grid, PK, both explanations
# ---------------------------------------------------------------------------------------------------------

def _events(regimen) -> tuple:
    """Dosing events of a (possibly nested) regimen, read by their fields (pk.infusion / pk.bolus objects)."""
    out = []
    stack = [regimen]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif hasattr(item, "rate_mg_per_h") and hasattr(item, "duration_h") and hasattr(item, "start_h"):
            out.append(item)
        elif hasattr(item, "dose_mg") and hasattr(item, "at_h"):
            out.append(item)
        else:
            raise ValueError(f"regimen must be pk.infusion / pk.bolus events (or lists of them), got {item!r}")
    if not out or sum(_dose(ev) for ev in out) <= 0.0:
        raise ValueError(f"regimen must hold at least one dosing event with a dose > 0, got {regimen!r}")
    return tuple(out)


def _dose(ev) -> float:
    return ev.rate_mg_per_h * ev.duration_h if hasattr(ev, "rate_mg_per_h") else ev.dose_mg


def _end_h(events) -> float:
    return max((ev.start_h + ev.duration_h) if hasattr(ev, "rate_mg_per_h") else ev.at_h for ev in events)


def _after_grid(horizon_h: float) -> np.ndarray:
    geo = np.geomspace(_FIRST_STEP_H, _AFTER_GEOM_END_H, _AFTER_GEOM)
    lin = np.arange(_AFTER_GEOM_END_H + _AFTER_LINEAR_DT_H, horizon_h, _AFTER_LINEAR_DT_H)
    return np.concatenate([[0.0], geo, lin, [horizon_h]])


def _regimen_grid(events, horizon_h: float) -> tuple[np.ndarray, float]:
    """Times that resolve every dosing boundary (geometric after each), then the after-end grid."""
    bounds = {0.0}
    for ev in events:
        if hasattr(ev, "rate_mg_per_h"):
            bounds.update((ev.start_h, ev.start_h + ev.duration_h))
        else:
            bounds.add(ev.at_h)
    b = np.array(sorted(bounds))
    t_end = _end_h(events)
    parts = [b]
    for lo, hi in zip(b[:-1], b[1:], strict=True):
        if hi - lo > _FIRST_STEP_H:
            parts.append(lo + np.geomspace(_FIRST_STEP_H, hi - lo, _POINTS_PER_SEGMENT))
    parts.append(t_end + _after_grid(horizon_h))
    return np.unique(np.concatenate(parts)), t_end


def _model_drug(model) -> str:
    m = model if not isinstance(model, str) else pk.MODELS.get(model)
    if m is None:
        raise ValueError(f"model must be one of {list(pk.MODELS)} or a pk parameter set, got {model!r}")
    drug = getattr(m, "drug", None)
    if drug not in DRUGS:
        raise ValueError(f"model must be a pk parameter set of one of {list(DRUGS)}, got {model!r}")
    return drug


@dataclass(frozen=True, eq=False)
class _Run:
    t_h: np.ndarray
    t_end_h: float
    plasma: np.ndarray          # model drug, ng/mL
    fast_eq: np.ndarray         # S-ketamine equivalent, ng/mL
    slow_eq: np.ndarray
    drug: str


def _run(regimen, model, weight_kg, t_half_slow_days, extra_t=None) -> _Run:
    events = _events(regimen)
    drug = _model_drug(model)
    t, t_end = _regimen_grid(events, HORIZON_DAYS * _H_PER_DAY)
    if extra_t is not None:
        t = np.unique(np.concatenate([t, extra_t]))
    res = pk.simulate(list(events), t, model, weight_kg, effect_slow_t_half_days=t_half_slow_days)
    f = _s_factor(drug)
    return _Run(t_h=np.asarray(res.t_h), t_end_h=t_end, plasma=np.asarray(res.plasma_ng_ml),
                fast_eq=np.maximum(np.asarray(res.effect_fast_ng_ml), 0.0) * f,
                slow_eq=np.maximum(np.asarray(res.effect_slow_ng_ml), 0.0) * f, drug=drug)


def _clearance_nodes(clearance_sigma: float) -> np.ndarray:
    """ln(CL_typical / CL) at which the cohort's PK is solved exactly (±4σ); one node when there is no spread."""
    span = 4.0 * clearance_sigma
    return np.linspace(-span, span, _CL_NODES) if span > 0 else np.zeros(1)


@lru_cache(maxsize=64)
def _with_clearance(model, log_factor: float):
    """``model`` with its elimination clearance divided by e^log_factor (the other parameters kept)."""
    m = pk.MODELS[model] if isinstance(model, str) else model
    if log_factor == 0.0:
        return model
    f = math.exp(log_factor)
    if hasattr(m, "cl_l_per_h"):
        return dataclasses.replace(m, cl_l_per_h=m.cl_l_per_h / f)
    if hasattr(m, "k10_per_min"):
        return dataclasses.replace(m, k10_per_min=m.k10_per_min / f)
    raise ValueError(f"model must be a pk parameter set with a clearance, got {model!r}")


def _node_weights(conc_factor, log_f):
    """Bracketing node and linear weight in ln(factor) for each patient."""
    if log_f.size == 1:
        z = np.zeros(np.size(conc_factor), dtype=np.intp)
        return z, z, np.zeros(np.size(conc_factor))
    pos = np.clip((np.log(np.ravel(conc_factor)) - log_f[0]) / (log_f[1] - log_f[0]), 0.0, log_f.size - 1.0)
    j = np.minimum(pos.astype(np.intp), log_f.size - 2)
    return j, j + 1, pos - j


def _relief_biophase(run: _Run, p: BiophaseParams):
    return _biophase(run.fast_eq, run.slow_eq, p)


def _relief_reset(run: _Run, p: ResetParams):
    b = _block(run.fast_eq)
    s = _slow_state(run.t_h, b, p.rebuild_days * _H_PER_DAY, p.decay_per_day / _H_PER_DAY)
    return 1.0 - _reset_pain(s, b) / BASELINE_PAIN_NRS


def relief_duration_days(regimen, hypothesis: str = "biophase", threshold: float = DEFAULT_THRESHOLD, *,
                         model=DEFAULT_MODEL, weight_kg: float = 70.0, biophase: BiophaseParams = BIOPHASE,
                         reset: ResetParams = RESET) -> float:
    """Days of relief after the end of ``regimen`` for the typical patient (a responder).

    Relief = pain reduction as a fraction of baseline; the duration runs from the end of the last dose to the
    last time relief is at or above ``threshold`` (0 if it never is after the end; at most
    :data:`HORIZON_DAYS`). One exact PK solution of the regimen (:func:`pk.simulate`).

    Parameters
    ----------
    regimen : pk event or sequence of pk events
        Doses (:func:`pk.infusion`, :func:`pk.bolus`, :func:`pk.course`, :func:`pk.repeat`), in mg of the
        model's drug.
    hypothesis : {"biophase", "reset"}
        Explanation of lasting relief.
    threshold : float
        Relief threshold, fraction of baseline pain in [0.05, 0.95]; default 0.3.
    model : str or pk parameter set, keyword-only
        PK model (a key of :data:`pk.MODELS`); default "fanta_2015" (S-ketamine). Racemic models are
        converted with :func:`s_ketamine_equivalent_ng_ml`.
    weight_kg : float, keyword-only
        Body weight (kg), within the PK layer's range.
    biophase : BiophaseParams, keyword-only
        PD of the "biophase" explanation.
    reset : ResetParams, keyword-only
        Rates of the "reset" explanation.

    Returns
    -------
    float
        Relief duration (days, >= 0).

    References
    ----------
    dahan_2011, simons_2022_pd, olofsen_2012, fanta_2015.
    """
    hyp = _check_hypothesis(hypothesis)
    thr = _check_threshold(threshold)
    _check_params(biophase, reset)
    run = _run(regimen, model, weight_kg, biophase.t_half_slow_days)
    relief = _relief_biophase(run, biophase) if hyp == "biophase" else _relief_reset(run, reset)
    return float(_duration_after(run.t_h, relief, run.t_end_h, thr))


# ---------------------------------------------------------------------------------------------------------
# The virtual cohort for one regimen
# ---------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=32)
def _draws(n: int, seed: int):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((5, n))
    u = rng.random(n)
    z.setflags(write=False)
    u.setflags(write=False)
    return z, u


@dataclass(frozen=True, eq=False)
class _Patients:
    conc_factor: np.ndarray      # CL_typical / CL_i
    c50_slow: np.ndarray
    t_half_slow_days: np.ndarray
    rebuild_days: np.ndarray
    decay_per_day: np.ndarray
    responder: np.ndarray


def _patients(n, seed, spread: CohortSpread, biophase: BiophaseParams, reset: ResetParams) -> _Patients:
    z, u = _draws(n, seed)
    t_half = biophase.t_half_slow_days * np.exp(spread.t_half_sigma * z[2])
    return _Patients(conc_factor=np.exp(-spread.clearance_sigma * z[0]),
                     c50_slow=biophase.c50_slow_ng_ml * np.exp(spread.c50_sigma * z[1]),
                     t_half_slow_days=np.clip(t_half, 0.5, 60.0),
                     rebuild_days=reset.rebuild_days * np.exp(spread.reset_sigma * z[3]),
                     decay_per_day=reset.decay_per_day * np.exp(spread.reset_sigma * z[4]),
                     responder=u < spread.responder_probability)


def _stack(a: _Patients, b: _Patients) -> _Patients:
    """Patients of ``a`` followed by those of ``b`` (column arrays), so one closed-form pass serves both."""
    return _Patients(*(np.concatenate([getattr(a, f), getattr(b, f)]) for f in
                       ("conc_factor", "c50_slow", "t_half_slow_days", "rebuild_days", "decay_per_day")),
                     responder=None)


def _effect_site(t_h, conc, ke0_per_h):
    """Effect-site level driven by ``conc`` (piecewise linear in t) with rate ``ke0`` (rows = patients).

    Exact for a linear input on each interval: y' = ke0 (c − y). Same cumulative-sum recurrence as s.
    """
    k = np.asarray(ke0_per_h, dtype=float)[..., None]
    dt = np.diff(t_h)
    x = k * dt
    m = np.diff(conc, axis=-1) / np.where(dt > 0, dt, 1.0)
    decay = np.exp(-x)
    # increment from zero over one interval: c1 − m/k − (c0 − m/k) e^{−kh}, written without the cancellation
    # of m/k when k h is small: c1 − c0 e^{−kh} − (m/k)(1 − e^{−kh}).
    em1 = -np.expm1(-x)
    c0, c1 = conc[..., :-1], conc[..., 1:]
    ratio = np.where(x > 1e-8, em1 / np.where(x > 0, x, 1.0), 1.0 - 0.5 * x)   # (1 − e^{−x}) / x
    beta = c1 - c0 * decay - m * dt * ratio
    lcum = np.cumsum(x, axis=-1)
    out = np.empty(np.broadcast_shapes(np.shape(conc), k.shape[:-1] + (t_h.size,)))
    out[..., 0] = 0.0
    out[..., 1:] = np.exp(-lcum) * np.cumsum(np.maximum(beta, 0.0) * np.exp(lcum), axis=-1)
    return out


def cohort_relief_days(regimen, hypothesis: str = "biophase", n: int = 500, seed: int = 0,
                       threshold: float = DEFAULT_THRESHOLD, *, model=DEFAULT_MODEL, weight_kg: float = 70.0,
                       spread: CohortSpread = SPREAD, biophase: BiophaseParams = BIOPHASE,
                       reset: ResetParams = RESET) -> np.ndarray:
    """Relief duration (days) of each of ``n`` virtual patients after ``regimen``; 0 for a non-responder.

    The PK is solved exactly at nine clearances spanning ±4σ of the clearance spread (one solution when there
    is no spread), and each patient's concentrations are interpolated in ln(clearance) between the two nearest
    solutions; each patient's slow effect site is recomputed with its own t½ (exact for plasma linear between
    grid points). Seeded: the same ``seed`` gives the same patients for both hypotheses and any regimen.

    Parameters
    ----------
    regimen : pk event or sequence of pk events
        Doses, as for :func:`relief_duration_days`.
    hypothesis : {"biophase", "reset"}
        Explanation of lasting relief.
    n : int
        Number of virtual patients, 1 to 100,000.
    seed : int
        Seed of the numpy Generator (>= 0).
    threshold : float
        Relief threshold in [0.05, 0.95]; default 0.3.
    model : str or pk parameter set, keyword-only
        PK model; default "fanta_2015".
    weight_kg : float, keyword-only
        Body weight (kg).
    spread : CohortSpread, keyword-only
        Between-patient spread and responder probability.
    biophase : BiophaseParams, keyword-only
        Typical PD of the "biophase" explanation.
    reset : ResetParams, keyword-only
        Typical rates of the "reset" explanation.

    Returns
    -------
    numpy.ndarray
        Shape (n,), days >= 0.

    References
    ----------
    dahan_2011 (C50 and t½ intervals, responder probabilities), fanta_2015 (clearance CV 13 %).
    """
    hyp = _check_hypothesis(hypothesis)
    n = v.integer(n, "n", 1, 100_000)
    seed = v.integer(seed, "seed", 0)
    thr = _check_threshold(threshold)
    _check_params(biophase, reset)
    if not isinstance(spread, CohortSpread):
        raise ValueError(f"spread must be a CohortSpread, got {spread!r}")
    pts = _patients(n, seed, spread, biophase, reset)
    log_f = _clearance_nodes(spread.clearance_sigma)
    runs = [_run(regimen, _with_clearance(model, float(x)), weight_kg, biophase.t_half_slow_days) for x in log_f]
    run = runs[0]
    lo, hi, w = _node_weights(pts.conc_factor, log_f)
    w = w[:, None]

    def per_patient(name):
        rows = np.stack([getattr(r, name) for r in runs])
        return rows[lo] * (1.0 - w) + rows[hi] * w

    fast = per_patient("fast_eq")
    if hyp == "biophase":
        plasma_eq = np.maximum(per_patient("plasma"), 0.0) * _s_factor(run.drug)
        slow = _effect_site(run.t_h, plasma_eq, _LN2 / (pts.t_half_slow_days * _H_PER_DAY))
        r_a = _hill(fast, biophase.c50_acute_ng_ml, biophase.hill)
        r_s = biophase.emax * _hill(slow, pts.c50_slow[:, None], biophase.hill)
        relief = 1.0 - (1.0 - r_a) * (1.0 - r_s)
    else:
        b = _block(fast)
        s = _slow_state(run.t_h[None, :], b, (pts.rebuild_days * _H_PER_DAY)[:, None],
                        (pts.decay_per_day / _H_PER_DAY)[:, None])
        relief = 1.0 - _reset_pain(s, b) / BASELINE_PAIN_NRS
    days = _duration_after(run.t_h, relief, np.full(n, run.t_end_h), thr)
    return np.where(pts.responder, days, 0.0)


# ---------------------------------------------------------------------------------------------------------
# Panel 1: pain and relief over weeks for one regimen
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ReliefCourse:
    """Pain and relief of the typical patient over time, both explanations, with plasma ketamine.

    Parameters
    ----------
    t_h : numpy.ndarray
        Times (h) from the first dose.
    plasma_ng_ml : numpy.ndarray
        Plasma concentration of the model's drug (ng/mL).
    effect_slow_ng_ml : numpy.ndarray
        Slow effect-site level, S-ketamine equivalent (ng/mL).
    block_fraction : numpy.ndarray
        NMDA block at the fast effect site.
    relief_biophase, relief_reset : numpy.ndarray
        Relief (fraction of baseline pain) of each explanation.
    pain_biophase, pain_reset : numpy.ndarray
        Pain 0–10 of each explanation.
    biophase_days, reset_days : float
        Relief duration after the end of the regimen (days) of each explanation.
    end_h : float
        End of the last dose (h).
    threshold : float
        Relief threshold used for the durations.
    baseline_pain : float
        Untreated pain (0–10).
    drug : str
        Drug of the PK model.

    References
    ----------
    dahan_2011, simons_2022_pd.
    """

    t_h: np.ndarray
    plasma_ng_ml: np.ndarray
    effect_slow_ng_ml: np.ndarray
    block_fraction: np.ndarray
    relief_biophase: np.ndarray
    relief_reset: np.ndarray
    pain_biophase: np.ndarray
    pain_reset: np.ndarray
    biophase_days: float
    reset_days: float
    end_h: float
    threshold: float
    baseline_pain: float
    drug: str

    @property
    def t_days(self) -> np.ndarray:
        """Times in days."""
        return self.t_h / _H_PER_DAY

    def days_with_relief(self, hypothesis: str) -> float:
        """Days within the window during which relief is at or above the threshold (treatment days included).

        Parameters
        ----------
        hypothesis : {"biophase", "reset"}
            Whose relief to count.

        Returns
        -------
        float
            Days (time-weighted on the course's grid; each interval counts when both its ends are relieved).
        """
        r = self.relief_biophase if _check_hypothesis(hypothesis) == "biophase" else self.relief_reset
        ok = (r[1:] >= self.threshold) & (r[:-1] >= self.threshold)
        return float(np.sum(np.diff(self.t_h)[ok]) / _H_PER_DAY)


def relief_course(regimen, *, weeks: float = 16.0, threshold: float = DEFAULT_THRESHOLD, model=DEFAULT_MODEL,
                  weight_kg: float = 70.0, n_points: int = 600, biophase: BiophaseParams = BIOPHASE,
                  reset: ResetParams = RESET) -> ReliefCourse:
    """Pain, relief and plasma ketamine over ``weeks`` weeks for one regimen, both explanations, one PK solve.

    Parameters
    ----------
    regimen : pk event or sequence of pk events
        Doses, as for :func:`relief_duration_days`.
    weeks : float, keyword-only
        Window shown (weeks from the first dose), 0.1 to 52; default 16.
    threshold : float, keyword-only
        Relief threshold for the durations, in [0.05, 0.95].
    model : str or pk parameter set, keyword-only
        PK model; default "fanta_2015".
    weight_kg : float, keyword-only
        Body weight (kg).
    n_points : int, keyword-only
        Evenly spaced plotting points added to the event-resolving grid (10 to 20,000).
    biophase : BiophaseParams, keyword-only
        PD of the "biophase" explanation.
    reset : ResetParams, keyword-only
        Rates of the "reset" explanation.

    Returns
    -------
    ReliefCourse
        Arrays on the window; durations from the full follow-up.

    References
    ----------
    dahan_2011, simons_2022_pd, olofsen_2012.
    """
    w = v.in_range(weeks, "weeks", 0.1, 52.0)
    thr = _check_threshold(threshold)
    npts = v.integer(n_points, "n_points", 10, 20_000)
    _check_params(biophase, reset)
    window_h = w * 7.0 * _H_PER_DAY
    run = _run(regimen, model, weight_kg, biophase.t_half_slow_days, np.linspace(0.0, window_h, npts))
    rb = _relief_biophase(run, biophase)
    b = _block(run.fast_eq)
    s = _slow_state(run.t_h, b, reset.rebuild_days * _H_PER_DAY, reset.decay_per_day / _H_PER_DAY)
    pain_r = _reset_pain(s, b)
    rr = 1.0 - pain_r / BASELINE_PAIN_NRS
    d_b = float(_duration_after(run.t_h, rb, run.t_end_h, thr))
    d_r = float(_duration_after(run.t_h, rr, run.t_end_h, thr))
    keep = run.t_h <= window_h
    arrays = dict(t_h=run.t_h[keep], plasma_ng_ml=run.plasma[keep], effect_slow_ng_ml=run.slow_eq[keep],
                  block_fraction=b[keep], relief_biophase=rb[keep], relief_reset=rr[keep],
                  pain_biophase=BASELINE_PAIN_NRS * (1.0 - rb[keep]), pain_reset=pain_r[keep])
    for a in arrays.values():
        a.setflags(write=False)
    return ReliefCourse(**arrays, biophase_days=d_b, reset_days=d_r, end_h=run.t_end_h, threshold=thr,
                        baseline_pain=BASELINE_PAIN_NRS, drug=run.drug)


# ---------------------------------------------------------------------------------------------------------
# Panel 2: the sweep over single-infusion durations (superposition of one step response)
# ---------------------------------------------------------------------------------------------------------

_TABLE_POINTS = 3000


@lru_cache(maxsize=16)
def _step_table(model, weight_kg: float, t_half_slow_days: float):
    """Response to a unit-rate (1 mg/h) infusion that never stops, on a geometric time table.

    Linear PK: an infusion of rate R from 0 to T is R·(u(t) − u(t − T)), so one table serves every
    duration. Columns: plasma, fast site, slow site (model drug, ng/mL per mg/h), and ∫ fast site dt.
    """
    t_max = DURATION_RANGE_H[1] + HORIZON_DAYS * _H_PER_DAY + 1.0
    t = np.concatenate([[0.0], np.geomspace(1e-4, t_max, _TABLE_POINTS)])
    res = pk.simulate([pk.infusion(1.0, t_max + 1.0)], t, model, weight_kg,
                      effect_slow_t_half_days=t_half_slow_days)
    fast = np.maximum(np.asarray(res.effect_fast_ng_ml), 0.0)
    cum_fast = np.concatenate([[0.0], np.cumsum(0.5 * (fast[1:] + fast[:-1]) * np.diff(t))])
    out = (t, np.asarray(res.plasma_ng_ml), fast, np.maximum(np.asarray(res.effect_slow_ng_ml), 0.0), cum_fast)
    for a in out:
        a.setflags(write=False)
    return out


class _Lookup:
    """Linear interpolation at fixed points ``x`` into several tables on the step table's abscissa.

    The table is 0 followed by a geometric series, so each point's interval comes from a logarithm instead of
    a search (np.interp searches once per call; the sweep reads two tables at the same points).
    """

    def __init__(self, xp, x):
        first, ratio = xp[1], xp[2] / xp[1]
        k = np.floor(np.log(np.maximum(x, first) / first) / math.log(ratio)).astype(np.intp)
        i = np.where(x < first, 1, np.clip(k + 2, 2, xp.size - 1))
        i += (x > xp[i]) & (i < xp.size - 1)           # round-off of the logarithm at interval ends
        i -= (x < xp[i - 1]) & (i > 1)
        x0 = xp[i - 1]
        self._i = i
        self._w = np.clip((x - x0) / (xp[i] - x0), 0.0, 1.0)

    def __call__(self, fp):
        lo = fp[self._i - 1]
        return lo + (fp[self._i] - lo) * self._w


_DURING_POINTS = 48


def _sweep_grids(durations_h):
    """During-infusion grid (n_T, m) geometric from the start, and the common after-end offsets (k,)."""
    d = durations_h[:, None]
    frac = np.linspace(0.0, 1.0, _DURING_POINTS)
    lo = np.log(np.minimum(_FIRST_STEP_H, 0.5 * durations_h))[:, None]
    during = np.exp(lo + (np.log(d) - lo) * frac)
    during = np.concatenate([np.zeros((d.shape[0], 1)), during], axis=1)
    during[:, -1] = durations_h
    return during, _after_grid(HORIZON_DAYS * _H_PER_DAY)


@dataclass(frozen=True, eq=False)
class ReliefSweep:
    """Relief duration of the typical patient against single-infusion duration, at one rate.

    Parameters
    ----------
    durations_h : numpy.ndarray
        Infusion durations (h).
    rate_mg_per_h : float
        Infusion rate (mg/h of the model's drug).
    threshold : float
        Relief threshold.
    biophase_days, reset_days : numpy.ndarray or None
        Relief duration (days) per infusion duration for each explanation (None if not asked for).
    drug : str
        Drug of the PK model.

    References
    ----------
    dahan_2011.
    """

    durations_h: np.ndarray
    rate_mg_per_h: float
    threshold: float
    biophase_days: np.ndarray | None
    reset_days: np.ndarray | None
    drug: str


def _check_durations(durations_h):
    d = v.array(durations_h, "durations_h", low=DURATION_RANGE_H[0], high=DURATION_RANGE_H[1], ndim_max=1)
    d = np.atleast_1d(d)
    if d.size == 0:
        raise ValueError("durations_h must hold at least one duration, got an empty array")
    return d


def relief_vs_duration(durations_h, rate_mg_per_h: float = 20.0, hypothesis: str = "both",
                       threshold: float = DEFAULT_THRESHOLD, *, model=DEFAULT_MODEL, weight_kg: float = 70.0,
                       biophase: BiophaseParams = BIOPHASE, reset: ResetParams = RESET) -> ReliefSweep:
    """Relief duration (days) after one IV infusion of each duration in ``durations_h`` at ``rate_mg_per_h``.

    Linear PK makes an infusion of duration T a step minus a step delayed by T, so one cached step response
    (one :func:`pk.simulate` per model, weight and slow t½) gives every duration; the "reset" state is then
    integrated for all durations at once. Agrees with :func:`relief_duration_days` (tested).

    Parameters
    ----------
    durations_h : array_like
        Infusion durations (h), each in [1/60, 720].
    rate_mg_per_h : float
        Infusion rate (mg/h of the model's drug), in (0, 1000].
    hypothesis : {"both", "biophase", "reset"}
        Which explanation(s) to compute.
    threshold : float
        Relief threshold in [0.05, 0.95]; default 0.3.
    model : str or pk parameter set, keyword-only
        PK model; default "fanta_2015".
    weight_kg : float, keyword-only
        Body weight (kg).
    biophase : BiophaseParams, keyword-only
        PD of the "biophase" explanation.
    reset : ResetParams, keyword-only
        Rates of the "reset" explanation.

    Returns
    -------
    ReliefSweep
        Durations and relief days per explanation.

    References
    ----------
    dahan_2011, simons_2022_pd.
    """
    d = _check_durations(durations_h)
    rate = v.in_range(rate_mg_per_h, "rate_mg_per_h", 0.0, 1000.0, low_open=True)
    hyp = _check_hypothesis(hypothesis, allow_both=True)
    thr = _check_threshold(threshold)
    _check_params(biophase, reset)
    drug = _model_drug(model)
    v.in_range(weight_kg, "weight_kg", *pk.WEIGHT_RANGE_KG)
    t_tab, _cp, u_fast, u_slow, _cum = _step_table(model, float(weight_kg), float(biophase.t_half_slow_days))
    scale = rate * _s_factor(drug)
    during, tau = _sweep_grids(d)
    # The grid stops 96 h after the end: by then plasma and the fast site are below 1e-3 of their end level
    # (Fanta's slowest disposition t½ is 7.4 h), so from there on the slow site decays as e^{−ke0 τ} and s
    # rebuilds as 1 − (1 − s)e^{−τ/τ_rebuild}, and the crossings of the threshold have closed forms.
    tau = tau[tau <= _TAIL_H]
    t_after = d[:, None] + tau[None, :]
    lookup = _Lookup(t_tab, t_after)
    fast_after = np.maximum(scale * (lookup(u_fast) - np.interp(tau, t_tab, u_fast)), 0.0)
    out = {"biophase": None, "reset": None}
    last = tau[-1]
    if hyp in ("both", "biophase"):
        slow_after = np.maximum(scale * (lookup(u_slow) - np.interp(tau, t_tab, u_slow)), 0.0)
        relief = _biophase(fast_after, slow_after, biophase)
        days = _duration_after(tau, relief, np.zeros(d.size), thr)
        c_thr = biophase.c50_slow_ng_ml * (thr / (biophase.emax - thr)) ** (1.0 / biophase.hill) \
            if thr < biophase.emax else np.inf
        ke0 = _LN2 / (biophase.t_half_slow_days * _H_PER_DAY)
        still = relief[:, -1] >= thr
        with np.errstate(divide="ignore"):
            tail = (last + np.log(slow_after[:, -1] / c_thr) / ke0) / _H_PER_DAY
        out["biophase"] = np.where(still, np.minimum(np.maximum(tail, last / _H_PER_DAY), HORIZON_DAYS), days)
    if hyp in ("both", "reset"):
        fast_during = scale * np.interp(during, t_tab, u_fast)
        t_all = np.concatenate([during, t_after], axis=1)
        b = _block(np.concatenate([fast_during, fast_after], axis=1))
        tau_r = reset.rebuild_days * _H_PER_DAY
        s = _slow_state(t_all, b, tau_r, reset.decay_per_day / _H_PER_DAY)
        m = during.shape[1]
        relief = 1.0 - _reset_pain(s[:, m:], b[:, m:]) / BASELINE_PAIN_NRS
        days = _duration_after(tau, relief, np.zeros(d.size), thr)
        s_thr = _slow_state_at_pain(BASELINE_PAIN_NRS * (1.0 - thr))
        still = relief[:, -1] >= thr
        with np.errstate(divide="ignore", invalid="ignore"):
            tail = (last + tau_r * np.log((1.0 - s[:, -1]) / (1.0 - s_thr))) / _H_PER_DAY
        out["reset"] = np.where(still, np.minimum(np.maximum(tail, last / _H_PER_DAY), HORIZON_DAYS), days)
    for a in out.values():
        if a is not None:
            a.setflags(write=False)
    d = d.copy()
    d.setflags(write=False)
    return ReliefSweep(durations_h=d, rate_mg_per_h=rate, threshold=thr, biophase_days=out["biophase"],
                       reset_days=out["reset"], drug=drug)


# ---------------------------------------------------------------------------------------------------------
# Panel 2: the cohort band (closed forms per patient and duration)
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class CohortBand:
    """Spread of relief durations in the virtual cohort per single-infusion duration.

    Parameters
    ----------
    durations_h : numpy.ndarray
        Infusion durations (h).
    median_days, p10_days, p90_days : numpy.ndarray
        Median and 10th/90th percentiles of relief duration among responders (days).
    typical_days : numpy.ndarray
        The same closed form for the typical patient (median parameters).
    responder_share : float
        Share of virtual patients drawn as responders.
    relieved_share : numpy.ndarray
        Share of all virtual patients with relief duration > 0, per duration.
    hypothesis : str
        Explanation used.
    rate_mg_per_h : float
        Infusion rate (mg/h).
    threshold : float
        Relief threshold.
    n : int
        Number of virtual patients.

    References
    ----------
    dahan_2011, fanta_2015.
    """

    durations_h: np.ndarray
    median_days: np.ndarray
    p10_days: np.ndarray
    p90_days: np.ndarray
    typical_days: np.ndarray
    responder_share: float
    relieved_share: np.ndarray
    hypothesis: str
    rate_mg_per_h: float
    threshold: float
    n: int


_TAIL_H = 96.0          # the block after an infusion is followed this long (the fast site is long gone by then)


@lru_cache(maxsize=64)
def _block_exposure_cached(d_key: tuple, rate_eq: float, model, weight_kg: float, t_half_slow_days: float,
                           log_f_key: tuple):
    out = _block_exposure(np.array(d_key), rate_eq, model, weight_kg, t_half_slow_days, np.array(log_f_key))
    for a in out:
        a.setflags(write=False)
    return out


def _block_exposure(d, rate_eq, model, weight_kg, t_half_slow_days, log_f):
    """Exact block-hours during and after an infusion of each duration, for the model at each clearance node.

    Returns (during, tail), each (len(log_f), len(d)): ∫ b dt over [0, T] and over [T, T + 96 h] (trapezoid
    rule on the sweep's grids), from each node's own step response.
    """
    during, tau = _sweep_grids(d)
    tau = tau[tau <= _TAIL_H]
    t_after = d[:, None] + tau[None, :]
    out_d, out_t = [], []
    for x in log_f:
        t_tab, _cp, u_fast, _us, _cum = _step_table(_with_clearance(model, float(x)), float(weight_kg),
                                                    float(t_half_slow_days))
        c_during = rate_eq * np.interp(during, t_tab, u_fast)
        c_after = np.maximum(rate_eq * (_Lookup(t_tab, t_after)(u_fast) - np.interp(tau, t_tab, u_fast)), 0.0)
        b_d, b_a = _block(c_during), _block(c_after)
        out_d.append(np.sum(0.5 * (b_d[:, 1:] + b_d[:, :-1]) * np.diff(during, axis=-1), axis=-1))
        out_t.append(np.sum(0.5 * (b_a[:, 1:] + b_a[:, :-1]) * np.diff(tau), axis=-1))
    return np.array(out_d), np.array(out_t)


def _band_days(d, rate_eq, hyp, thr, pts, model, weight_kg, biophase, reset, clearance_sigma):
    """Closed-form relief days, shape (patients, durations), for one IV infusion of each duration.

    biophase: the slow site sees plasma as a square wave of height R/CL_i, so after the end it falls
    exponentially from A_i = (R/CL_i)(1 − e^{−ke0_i T}); relief >= thr while Ce >= C50_i·(thr/(Emax − thr))^{1/γ}.
    The acute relief of the hours after the end is left out.
    reset: the patient's exact block-hours X during the infusion (tabulated over clearance, interpolated)
    act as a constant block X/T; s falls to s_T = θ + (1 − θ)e^{−κT}, the block-hours of the washout tail take
    a further factor e^{−k X_tail}, and s rebuilds as 1 − (1 − s_end)e^{−τ/τ_rebuild}. The acute relief of the
    hours after the end is left out.
    """
    if hyp == "biophase":
        cl = pk.clearance_l_per_h(model, weight_kg=weight_kg)
        ke0 = _LN2 / (pts.t_half_slow_days * _H_PER_DAY)
        css = rate_eq / cl * _MG_PER_L_TO_NG_PER_ML
        amp = pts.conc_factor * css * -np.expm1(-ke0 * d[None, :])
        if thr >= biophase.emax:
            return np.zeros(np.broadcast_shapes(amp.shape, pts.c50_slow.shape))
        c_thr = pts.c50_slow * (thr / (biophase.emax - thr)) ** (1.0 / biophase.hill)
        with np.errstate(divide="ignore"):
            days = np.log(amp / c_thr) / ke0 / _H_PER_DAY
        return np.maximum(days, 0.0)
    log_f = _clearance_nodes(clearance_sigma)
    key = model if isinstance(model, str) else id(model)
    if isinstance(model, str):
        x_during, x_tail = _block_exposure_cached(tuple(d.tolist()), float(rate_eq), key, float(weight_kg),
                                                  float(biophase.t_half_slow_days), tuple(log_f.tolist()))
    else:
        x_during, x_tail = _block_exposure(d, rate_eq, model, weight_kg, biophase.t_half_slow_days, log_f)
    lo, hi, w = _node_weights(pts.conc_factor, log_f)
    w = w[:, None]
    x_during = x_during[lo] * (1.0 - w) + x_during[hi] * w
    x_tail = x_tail[lo] * (1.0 - w) + x_tail[hi] * w
    b = x_during / d[None, :]
    tau_r = pts.rebuild_days * _H_PER_DAY
    k = pts.decay_per_day / _H_PER_DAY
    a = (1.0 - b) / tau_r
    kappa = a + k * b
    theta = a / kappa
    s_end = (theta + (1.0 - theta) * np.exp(-kappa * d[None, :])) * np.exp(-k * x_tail)
    s_thr = _slow_state_at_pain(BASELINE_PAIN_NRS * (1.0 - thr))
    with np.errstate(divide="ignore"):
        days = tau_r * np.log((1.0 - s_end) / (1.0 - s_thr)) / _H_PER_DAY
    return np.where(s_end < s_thr, np.maximum(days, 0.0), 0.0)


def cohort_band(durations_h, rate_mg_per_h: float = 20.0, hypothesis: str = "biophase",
                threshold: float = DEFAULT_THRESHOLD, n: int = 500, seed: int = 0, *, model=DEFAULT_MODEL,
                weight_kg: float = 70.0, spread: CohortSpread = SPREAD, biophase: BiophaseParams = BIOPHASE,
                reset: ResetParams = RESET) -> CohortBand:
    """Median and 10–90 % band of relief durations among virtual responders, per single-infusion duration.

    Closed forms per patient and duration (fast enough for a slider): the slow site and the block see the
    infusion as a square wave (the reset's block-hours are exact, tabulated over clearance), and the
    hours-long acute tail after the end is left out. Against the per-patient solution
    (:func:`cohort_relief_days`, same patients) it agrees within 1.5 d per patient for "biophase" and 2.5 d
    for "reset", and the band's percentiles within 0.5 d and 1.5 d (tests/test_relief.py, 30 min to 14 days).

    Parameters
    ----------
    durations_h : array_like
        Infusion durations (h), each in [1/60, 720].
    rate_mg_per_h : float
        Infusion rate (mg/h of the model's drug), in (0, 1000].
    hypothesis : {"biophase", "reset"}
        Explanation of lasting relief.
    threshold : float
        Relief threshold in [0.05, 0.95].
    n : int
        Number of virtual patients, 10 to 100,000.
    seed : int
        Seed of the numpy Generator (>= 0).
    model : str or pk parameter set, keyword-only
        PK model; default "fanta_2015".
    weight_kg : float, keyword-only
        Body weight (kg).
    spread : CohortSpread, keyword-only
        Between-patient spread and responder probability.
    biophase : BiophaseParams, keyword-only
        Typical PD of the "biophase" explanation.
    reset : ResetParams, keyword-only
        Typical rates of the "reset" explanation.

    Returns
    -------
    CohortBand
        Band, typical patient and shares.

    References
    ----------
    dahan_2011, fanta_2015.
    """
    d = _check_durations(durations_h)
    rate = v.in_range(rate_mg_per_h, "rate_mg_per_h", 0.0, 1000.0, low_open=True)
    hyp = _check_hypothesis(hypothesis)
    thr = _check_threshold(threshold)
    n = v.integer(n, "n", 10, 100_000)
    seed = v.integer(seed, "seed", 0)
    _check_params(biophase, reset)
    if not isinstance(spread, CohortSpread):
        raise ValueError(f"spread must be a CohortSpread, got {spread!r}")
    drug = _model_drug(model)
    v.in_range(weight_kg, "weight_kg", *pk.WEIGHT_RANGE_KG)
    rate_eq = rate * _s_factor(drug)
    pts = _patients(n, seed, spread, biophase, reset)
    resp = pts.responder
    common = (model, float(weight_kg), biophase, reset, spread.clearance_sigma)
    responders = _Patients(*(a[resp][:, None] for a in (pts.conc_factor, pts.c50_slow, pts.t_half_slow_days,
                                                          pts.rebuild_days, pts.decay_per_day)), responder=None)
    typical = _Patients(*(np.full((1, 1), x) for x in (1.0, biophase.c50_slow_ng_ml, biophase.t_half_slow_days,
                                                        reset.rebuild_days, reset.decay_per_day)), responder=None)
    both = _band_days(d, rate_eq, hyp, thr, _stack(responders, typical), *common)
    days, typical = both[:-1], both[-1]
    if days.shape[0]:
        p10, med, p90 = np.percentile(days, [10.0, 50.0, 90.0], axis=0)
        relieved = np.count_nonzero(days > 0.0, axis=0) / n
    else:
        p10 = med = p90 = np.zeros(d.size)
        relieved = np.zeros(d.size)
    arrays = [d.copy(), med, p10, p90, typical, relieved]
    for a in arrays:
        a.setflags(write=False)
    return CohortBand(durations_h=arrays[0], median_days=med, p10_days=p10, p90_days=p90, typical_days=typical,
                      responder_share=float(np.mean(resp)), relieved_share=relieved, hypothesis=hyp,
                      rate_mg_per_h=rate, threshold=thr, n=n)


# ---------------------------------------------------------------------------------------------------------
# Calibration of the "reset" rates
# ---------------------------------------------------------------------------------------------------------

class CalibrationTarget(NamedTuple):
    """One trial as a calibration target: a regimen and the interval its relief duration lies in.

    A plain tuple ``(regimen, low_days, high_days[, model[, label[, fit]]])`` is accepted wherever a target is.

    Parameters
    ----------
    regimen : tuple
        pk dosing events (mg of the model's drug).
    low_days : float or None
        Relief lasted at least this many days after the end; None when the trial sets no lower bound.
    high_days : float or None
        Relief lasted at most this many days; None when the trial sets no upper bound. A point target has
        ``low_days == high_days``.
    model : str or pk parameter set
        PK model for the trial's drug (see :data:`MODEL_FOR_DRUG`).
    label : str
        Name of the target (the trial key).
    fit : bool
        True if the target enters the fit; False if it is only shown with its error.

    References
    ----------
    The trial table (ketamine_facts §5a).
    """

    regimen: tuple
    low_days: float | None
    high_days: float | None
    model: object = DEFAULT_MODEL
    label: str = ""
    fit: bool = True


#: Rows whose relief interval is read differently from the table's fields, with why. Schwartzman 2009 found pain
#: lower than on placebo over the whole 3-month follow-up: relief was still there at the last visit, so the
#: 90 days (the table's upper end, the longest relief the follow-up could show) bound the true duration from
#: below (a censored observation), not from above.
TARGET_READINGS = {
    "schwartzman_2009": (90.0, None, "relief was still seen at the end of the 3-month follow-up, so 90 days is "
                                     "a lower bound (censored), not an upper one"),
}
#: Rows the model can replay that are kept out of the fit on purpose, with why; they are still evaluated.
KEPT_OUT_OF_FIT = {
    "kiefer_2008_pilot": ("10 days of S-ketamine and no relief, against Dahan 2011's 50 days after 100 h at the "
                          "same end rate: in a model driven by dose, relief never shortens as exposure grows, so "
                          "no rates fit both"),
}
#: Scales the calibration loss can measure distances on: log(1 + days) (default) or days.
LOSS_SCALES = ("log1p", "days")


def _target(item, i) -> CalibrationTarget:
    if not isinstance(item, (list, tuple)) or not 3 <= len(item) <= 6:
        raise ValueError(f"targets[{i}] must be (regimen, low_days, high_days[, model[, label[, fit]]]), "
                         f"got {item!r}")
    t = CalibrationTarget(*item)
    ends = []
    for name in ("low_days", "high_days"):
        x = getattr(t, name)
        ends.append(None if x is None else v.in_range(x, f"targets[{i}] {name}", 0.0, HORIZON_DAYS))
    lo, hi = ends
    if lo is None and hi is None:
        raise ValueError(f"targets[{i}] must bound the relief duration on at least one side, got {item!r}")
    if lo is not None and hi is not None and hi < lo:
        raise ValueError(f"targets[{i}] high_days must be >= low_days ({lo!r}), got {hi!r}")
    _model_drug(t.model)
    if not isinstance(t.fit, (bool, np.bool_)):
        raise ValueError(f"targets[{i}] fit must be True or False, got {t.fit!r}")
    return t._replace(low_days=lo, high_days=hi, label=str(t.label) or f"target {i}", fit=bool(t.fit))


def _targets(targets) -> list:
    if not isinstance(targets, (list, tuple)) or not targets:
        raise ValueError(f"targets must be a non-empty list of (regimen, low_days, high_days, ...) tuples, "
                         f"got {targets!r}")
    return [_target(item, i) for i, item in enumerate(targets)]


def _bounds_arrays(rows):
    low = np.array([0.0 if r.low_days is None else r.low_days for r in rows])
    high = np.array([np.inf if r.high_days is None else r.high_days for r in rows])
    return low, high


def _target_run(t: CalibrationTarget, weight_kg: float, t_half_slow_days: float) -> _Run:
    if isinstance(t.model, str):
        return _cached_run(_events(t.regimen), t.model, weight_kg, t_half_slow_days)
    return _run(t.regimen, t.model, weight_kg, t_half_slow_days)


def _check_scale(scale):
    return v.choice(scale, "scale", LOSS_SCALES)


def _zoom_search(loss, lo, hi, n0=41, n=9, rounds=12, shrink=0.35):
    """Minimise ``loss(x0, x1)`` (vectorised) over the box [lo, hi]: a coarse grid, then shrinking grids.

    Numpy only and deterministic: each round lays an n × n grid over a box around the best point so far (clipped
    to the bounds) and shrinks the box, so the result is the same on every machine.
    """
    g = [np.linspace(lo[j], hi[j], n0) for j in (0, 1)]
    x0, x1 = (a.ravel() for a in np.meshgrid(*g, indexing="ij"))
    values = loss(x0, x1)
    i = int(np.argmin(values))
    best, best_val = np.array([x0[i], x1[i]]), float(values[i])
    half = (np.asarray(hi) - np.asarray(lo)) / (n0 - 1)
    for _ in range(rounds):
        g = [np.clip(np.linspace(best[j] - half[j], best[j] + half[j], n), lo[j], hi[j]) for j in (0, 1)]
        x0, x1 = (a.ravel() for a in np.meshgrid(*g, indexing="ij"))
        values = loss(x0, x1)
        i = int(np.argmin(values))
        if values[i] < best_val:
            best, best_val = np.array([x0[i], x1[i]]), float(values[i])
        half = half * shrink
    return best, best_val


def calibrate_reset(targets, *, threshold: float = DEFAULT_THRESHOLD, weight_kg: float = 70.0,
                    scale: str = "log1p", rebuild_days_range=(5.0, 400.0),
                    decay_per_day_range=(0.01, 10.0)) -> TrialFit:
    """Fit τ_rebuild and k_decay of the "reset" explanation to interval-censored relief durations.

    Each target says the relief after its regimen lasted between ``low_days`` and ``high_days`` (a point when
    they are equal; one side may be open); a prediction's error is its distance to that interval, 0 inside.
    The fit minimises the sum of squared errors of the targets marked ``fit`` over a bounded box, searched in
    log(rate) by a coarse grid and then shrinking grids (numpy only, deterministic). Targets not marked ``fit``
    are evaluated at the fitted rates and listed, not fitted. The result is a hypothesis tuned to the data,
    not a measurement.

    Errors are measured on ``scale``: "log1p" (default) compares log(1 + days), so that an error is judged
    relative to the duration (a trial read at week 2 and one read at month 3 are both uncertain by a visit
    interval, which grows with the duration) while durations of hours still count; "days" compares days,
    which lets the longest trials outweigh every negative one.

    Parameters
    ----------
    targets : sequence of CalibrationTarget or tuple
        ``(regimen, low_days, high_days[, model[, label[, fit]]])`` per trial (e.g.
        :func:`calibration_targets`); at least two marked ``fit``.
    threshold : float, keyword-only
        Relief threshold the durations are read at, in [0.05, 0.95].
    weight_kg : float, keyword-only
        Body weight (kg) for every target.
    scale : {"log1p", "days"}, keyword-only
        Scale of the squared errors.
    rebuild_days_range, decay_per_day_range : tuple of float, keyword-only
        Search box (low, high) of τ_rebuild (days, within 0.5–2000) and k_decay (1/day, within 1e-4–20).

    Returns
    -------
    TrialFit
        Fitted rates (:attr:`TrialFit.params`), per-target predictions and errors.

    References
    ----------
    Targets: the trial table (dahan_2011, amr_2010, schwartzman_2009, noppers_2011_fibromyalgia, ...).
    """
    thr = _check_threshold(threshold)
    sc = _check_scale(scale)
    w = v.in_range(weight_kg, "weight_kg", *pk.WEIGHT_RANGE_KG)
    rows = _targets(targets)
    fitted = np.array([r.fit for r in rows])
    if np.count_nonzero(fitted) < 2:
        raise ValueError(f"targets must hold at least 2 targets marked fit (two rates are fitted), got "
                         f"{int(np.count_nonzero(fitted))}")
    ranges = []
    for name, rng, lo_ok, hi_ok in (("rebuild_days_range", rebuild_days_range, 0.5, 2000.0),
                                    ("decay_per_day_range", decay_per_day_range, 1e-4, 20.0)):
        if not isinstance(rng, (list, tuple)) or len(rng) != 2:
            raise ValueError(f"{name} must be (low, high), got {rng!r}")
        lo = v.in_range(rng[0], f"{name}[0]", lo_ok, hi_ok)
        hi = v.in_range(rng[1], f"{name}[1]", lo_ok, hi_ok)
        if hi <= lo:
            raise ValueError(f"{name} must have high > low, got {rng!r}")
        ranges.append((lo, hi))
    runs = [_target_run(r, w, BIOPHASE.t_half_slow_days) for r in rows]
    low, high = _bounds_arrays(rows)
    fit_runs = [run for run, f in zip(runs, fitted, strict=True) if f]

    def loss(log_tau, log_k):
        pred = _predict_reset(fit_runs, thr, np.exp(log_tau), np.exp(log_k))
        err = _interval_error(pred, low[fitted], high[fitted], sc)
        return np.sum(err ** 2, axis=-1)

    x, _best = _zoom_search(loss, np.log([ranges[0][0], ranges[1][0]]), np.log([ranges[0][1], ranges[1][1]]))
    params = ResetParams(rebuild_days=float(np.exp(x[0])), decay_per_day=float(np.exp(x[1])),
                         source=f"calibrate_reset on {int(np.count_nonzero(fitted))} trial targets (threshold "
                                f"{thr:g}, {sc} scale)")
    pred = _predict_reset(runs, thr, params.rebuild_days, params.decay_per_day)
    return TrialFit(params=params, labels=tuple(r.label for r in rows), low_days=low, high_days=high,
                    predicted_days=pred, fitted=fitted, threshold=thr, scale=sc, hypothesis="reset")


def _predict_reset(runs, thr, rebuild_days, decay_per_day):
    """Relief days of the "reset" explanation for each run (last axis) at rates broadcast over the leading axes."""
    tau = np.asarray(rebuild_days, float)[..., None] * _H_PER_DAY
    kd = np.asarray(decay_per_day, float)[..., None] / _H_PER_DAY
    out = []
    for run in runs:
        b = _block(run.fast_eq)
        s = _slow_state(run.t_h, b, tau, kd)
        relief = 1.0 - _reset_pain(s, np.broadcast_to(b, s.shape)) / BASELINE_PAIN_NRS
        out.append(_duration_after(run.t_h, relief, np.full(s.shape[:-1], run.t_end_h), thr))
    return np.stack(out, axis=-1)


def calibration_targets(trials, *, weight_kg: float = 70.0) -> list:
    """Calibration targets read from trial-table rows: every row the model can replay that bounds its relief.

    A row enters when it states a regimen that can be simulated (``has_regimen``) and any relief number: its
    interval is [``relief_days_low``, ``relief_days_high``], a missing end replaced by ``relief_days`` (a point
    when only that is given) or left open. Negative rows enter like the others (Noppers 2011: 15 min to 3 h;
    Rabben 2001: under a day). Rows reporting the same patients (``same_patients_as``) count once, the row with a
    central value preferred (Dahan 2011's 50 days over Sigtermans 2009's "at most 80"). :data:`TARGET_READINGS`
    overrides a row's interval where its fields alone would mislead (Schwartzman 2009: at least 90 days), and the
    rows of :data:`KEPT_OUT_OF_FIT` are returned with ``fit=False`` (Kiefer 2008's pilot). Racemic rows use the
    racemic PK model (:data:`MODEL_FOR_DRUG`).

    Parameters
    ----------
    trials : iterable of trial rows
        Objects with ``key``, ``drug``, ``has_regimen``, ``relief_days``, ``relief_days_low``,
        ``relief_days_high``, ``same_patients_as`` and ``regimen(weight_kg)`` (the rows of
        ``helpers.evidence.trials()``).
    weight_kg : float, keyword-only
        Body weight (kg) the regimens are given for.

    Returns
    -------
    list of CalibrationTarget
        One target per row taken, in table order.

    References
    ----------
    The trial table (dahan_2011, amr_2010, schwartzman_2009, kiefer_2002_pilot, noppers_2011_fibromyalgia,
    rabben_2001, kiefer_2008_pilot).
    """
    w = v.in_range(weight_kg, "weight_kg", *pk.WEIGHT_RANGE_KG)
    rows = list(trials)
    fields = ("key", "drug", "has_regimen", "relief_days", "relief_days_low", "relief_days_high",
              "same_patients_as", "regimen")
    candidates = []
    for i, t in enumerate(rows):
        for name in fields:
            if not hasattr(t, name):
                raise ValueError(f"trials[{i}] must be a trial row with a {name!r} field, got {t!r}")
        if not t.has_regimen:
            continue
        if t.key in TARGET_READINGS:
            lo, hi, _why = TARGET_READINGS[t.key]
        else:
            lo = t.relief_days_low if t.relief_days_low is not None else t.relief_days
            hi = t.relief_days_high if t.relief_days_high is not None else t.relief_days
        if lo is None and hi is None:
            continue
        candidates.append((i, t, lo, hi))
    chosen = {}
    for i, t, lo, hi in sorted(candidates, key=lambda c: (c[1].relief_days is None, c[0])):
        chosen.setdefault(t.same_patients_as or t.key, (i, t, lo, hi))
    out = []
    for _i, t, lo, hi in sorted(chosen.values(), key=lambda c: c[0]):
        out.append(CalibrationTarget(tuple(t.regimen(w)), None if lo is None else float(lo),
                                     None if hi is None else float(hi), MODEL_FOR_DRUG[t.drug], t.key,
                                     t.key not in KEPT_OUT_OF_FIT))
    return out


@lru_cache(maxsize=64)
def _cached_run(events: tuple, model: str, weight_kg: float, t_half_slow_days: float) -> _Run:
    return _run(events, model, weight_kg, t_half_slow_days)


def evaluate_reset(targets, reset: ResetParams = RESET, *, threshold: float = DEFAULT_THRESHOLD,
                   weight_kg: float = 70.0, scale: str = "log1p") -> TrialFit:
    """The "reset" explanation with given rates against targets: prediction and error per target, no fitting.

    The PK of each target is solved once and cached, so moving the rates costs only the slow-state
    integration (fast enough for a slider).

    Parameters
    ----------
    targets : sequence of CalibrationTarget or tuple
        As for :func:`calibrate_reset` (e.g. :func:`calibration_targets`).
    reset : ResetParams
        Rates to evaluate.
    threshold : float, keyword-only
        Relief threshold, in [0.05, 0.95].
    weight_kg : float, keyword-only
        Body weight (kg).
    scale : {"log1p", "days"}, keyword-only
        Scale of :attr:`TrialFit.loss`.

    Returns
    -------
    TrialFit
        ``reset`` with each target's interval, predicted relief duration (days) and error.

    References
    ----------
    The trial table (see :func:`calibration_targets`).
    """
    thr = _check_threshold(threshold)
    sc = _check_scale(scale)
    _check_params(BIOPHASE, reset)
    w = v.in_range(weight_kg, "weight_kg", *pk.WEIGHT_RANGE_KG)
    rows = _targets(targets)
    runs = [_target_run(r, w, BIOPHASE.t_half_slow_days) for r in rows]
    pred = np.array([float(_duration_after(run.t_h, _relief_reset(run, reset), run.t_end_h, thr)) for run in runs])
    low, high = _bounds_arrays(rows)
    return TrialFit(params=reset, labels=tuple(r.label for r in rows), low_days=low, high_days=high,
                    predicted_days=pred, fitted=np.array([r.fit for r in rows]), threshold=thr, scale=sc,
                    hypothesis="reset")


def evaluate_biophase(targets, biophase: BiophaseParams = BIOPHASE, *, threshold: float = DEFAULT_THRESHOLD,
                      weight_kg: float = 70.0, scale: str = "log1p") -> TrialFit:
    """The "biophase" explanation (Dahan's numbers, not fitted here) against the same targets, for comparison.

    Parameters
    ----------
    targets : sequence of CalibrationTarget or tuple
        As for :func:`calibrate_reset` (e.g. :func:`calibration_targets`).
    biophase : BiophaseParams
        PD of the slow biophase.
    threshold : float, keyword-only
        Relief threshold, in [0.05, 0.95].
    weight_kg : float, keyword-only
        Body weight (kg).
    scale : {"log1p", "days"}, keyword-only
        Scale of :attr:`TrialFit.loss`.

    Returns
    -------
    TrialFit
        ``biophase`` with each target's interval, predicted relief duration (days) and error.

    References
    ----------
    dahan_2011, simons_2022_pd; the trial table.
    """
    thr = _check_threshold(threshold)
    sc = _check_scale(scale)
    _check_params(biophase, RESET)
    w = v.in_range(weight_kg, "weight_kg", *pk.WEIGHT_RANGE_KG)
    rows = _targets(targets)
    runs = [_target_run(r, w, biophase.t_half_slow_days) for r in rows]
    pred = np.array([float(_duration_after(run.t_h, _relief_biophase(run, biophase), run.t_end_h, thr))
                     for run in runs])
    low, high = _bounds_arrays(rows)
    return TrialFit(params=biophase, labels=tuple(r.label for r in rows), low_days=low, high_days=high,
                    predicted_days=pred, fitted=np.array([r.fit for r in rows]), threshold=thr, scale=sc,
                    hypothesis="biophase")
