"""Descending modulation: the PAG/RVM balance of inhibition and facilitation, CPM, and ketamine's mixed effect.

The brainstem (periaqueductal grey, PAG; rostral ventromedial medulla, RVM) turns the gain of the dorsal horn
down (inhibition) or up (facilitation). In the conditioned pain modulation (CPM) experiment a painful
conditioning stimulus elsewhere on the body recruits this system, and the pain from a test stimulus is rated
alone and during conditioning:

    descending gain  G = 1 - I + F                                    (bounded: 0 <= G <= 1 + F_max)
    pain (0-10)      P = 10 (G s)^n / ((G s)^n + s50^n)               (s = test stimulus, % of maximum)
    CPM effect       = P(during) - P(alone)   [NRS points; negative = inhibition, the usual sign convention]

``I`` and ``F`` are what the conditioning stimulus recruits (relative to the resting state, which the test
stimulus is calibrated against: G = 1 alone). Impaired CPM in chronic pain = less inhibition and/or more
facilitation.

Ketamine (``ketamine`` = effect level 0-1). The direction of its effect on CPM differs between populations,
and that is the teaching point. No published PK/PD model of ketamine on CPM exists (facts sheet §4), so the
directions come from the literature and every magnitude here is **illustrative**:

* healthy volunteers: S-ketamine 40 mg/70 kg over 1 h abolished CPM and produced net pain facilitation;
  offset analgesia was unchanged (Niesters et al. 2011, Pain 152:656, doi:10.1016/j.pain.2010.12.015, [V]).
  Hypothesis encoded: ketamine disturbs the NMDA-dependent supraspinal circuit that produces conditioned
  inhibition and unmasks facilitation; there is little spinal sensitisation to remove.
* chronic neuropathic pain with impaired CPM: S-ketamine is reported to restore CPM (Niesters et al. 2013,
  Br J Anaesth; all details unverified [U], no magnitudes used). Hypothesis encoded: ketamine removes
  NMDA-dependent spinal facilitation/sensitisation that masks an inhibitory system which still works.

These are hypotheses, one per setting, chosen so that each setting reproduces its reported direction; the
model does not explain why the populations differ.

Optional time course (hypothetical): ketamine's effect level follows an effect-site level driven by the
plasma level with a fast (t½ke0 6.1 min, the mean across the endpoints of Olofsen 2012; 11.8 min for pain [V])
or slow (10.9 d, Dahan 2011 [V]) equilibration, both taken from :mod:`helpers.models.pk`; nobody has measured
which applies to CPM.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from .. import units
from . import pk

__all__ = [
    "SETTINGS", "SETTING_LABELS", "PainCurve", "DescendingState", "KetamineHypothesis", "PAIN_CURVE", "DEFAULT_STATES",
    "HYPOTHESES", "T_HALF_KE0_FAST_H", "T_HALF_KE0_SLOW_H", "CPM_TOLERANCE_POINTS", "CPMResult",
    "descending_gain", "gain_change", "effective_balance", "pain_nrs", "test_stimulus_pct", "cpm_experiment", "cpm_effect",
    "classify_cpm", "StimulusResponse", "stimulus_response", "infusion_level", "effect_site_after_infusion",
    "effect_site_level", "cpm_time_course",
]

SETTINGS = ("healthy", "chronic")
SETTING_LABELS = {"healthy": "healthy volunteer", "chronic": "chronic pain, impaired CPM"}


@dataclass(frozen=True)
class PainCurve:
    """Stimulus-response curve: pain on a 0-10 scale vs test-stimulus intensity (% of maximum).

    ``half_max_pct`` is the effective stimulus giving 5/10, ``hill`` the steepness, ``test_pain_nrs`` the pain the
    test stimulus gives alone (CPM protocols set the test stimulus per person to a moderate pain).
    """
    half_max_pct: float
    hill: float
    test_pain_nrs: float
    source: str
    evidence: str


@dataclass(frozen=True)
class DescendingState:
    """What the conditioning stimulus recruits: inhibition and facilitation, each 0-1 (fraction of gain)."""
    inhibition: float
    facilitation: float
    source: str
    evidence: str


@dataclass(frozen=True)
class KetamineHypothesis:
    """How ketamine (effect level k, 0-1) changes the recruited balance in one setting.

    I_eff = I (1 - supraspinal_inhibition_loss k);
    F_eff = F (1 - spinal_facilitation_block k) + supraspinal_facilitation_gain k.
    """
    setting: str
    spinal_facilitation_block: float
    supraspinal_inhibition_loss: float
    supraspinal_facilitation_gain: float
    mechanism: str
    direction_source: str
    source: str
    evidence: str


PAIN_CURVE = PainCurve(half_max_pct=50.0, hill=2.5, test_pain_nrs=6.0,
                       source="illustrative shape; test stimulus set to 6/10 alone", evidence="illustrative")

DEFAULT_STATES = {
    "healthy": DescendingState(0.30, 0.05, source="illustrative: CPM of about -1.8 points (-30 %)",
                               evidence="illustrative"),
    "chronic": DescendingState(0.30, 0.29, source="illustrative: impaired CPM, about -0.1 points",
                               evidence="illustrative"),
}

HYPOTHESES = {
    "healthy": KetamineHypothesis(
        "healthy", spinal_facilitation_block=0.8, supraspinal_inhibition_loss=0.9,
        supraspinal_facilitation_gain=0.12,
        mechanism=("disturbs the NMDA-dependent brainstem circuit that produces conditioned inhibition and "
                   "unmasks facilitation (little spinal sensitisation to remove)"),
        direction_source="Niesters 2011 [V]: CPM abolished, net facilitation",
        source="direction: Niesters et al. 2011 Pain 152:656; magnitudes tuned", evidence="illustrative"),
    "chronic": KetamineHypothesis(
        "chronic", spinal_facilitation_block=0.8, supraspinal_inhibition_loss=0.1,
        supraspinal_facilitation_gain=0.0,
        mechanism=("removes NMDA-dependent spinal facilitation and sensitisation that mask an inhibitory "
                   "system that still works"),
        direction_source="Niesters 2013 [U]: CPM restored (details unverified)",
        source="direction: Niesters et al. 2013 Br J Anaesth (unverified); magnitudes tuned",
        evidence="illustrative"),
}

#: Blood-effect-site equilibration half-lives (hours) for the optional time course; which one governs CPM is
#: unknown (hypothetical). Both come from the PK layer (one source of truth). Fast: 6.1 min, the mean across
#: the endpoints of Olofsen et al. 2012 (range 0-11.8 min; 11.8 min for pain) [V]. Slow: chronic relief,
#: Dahan et al. 2011 Eur J Pain 15:258 (10.9 d) [V].
T_HALF_KE0_FAST_H = pk.FAST_EFFECT_T_HALF_MIN / 60.0
T_HALF_KE0_SLOW_H = pk.SLOW_EFFECT_T_HALF_DAYS * 24.0

#: CPM effects within this many NRS points of zero are called "no CPM" (a display choice, not a clinical cut-off).
CPM_TOLERANCE_POINTS = 0.1


# ---- the balance ---------------------------------------------------------------------------------------------
def descending_gain(inhibition, facilitation):
    """Net descending gain on the dorsal horn, G = 1 - inhibition + facilitation (dimensionless, >= 0).

    ``inhibition`` in [0, 1], ``facilitation`` in [0, 2]; arrays broadcast.
    """
    i = v.array(inhibition, "inhibition", low=0.0, high=1.0)
    f = v.array(facilitation, "facilitation", low=0.0, high=2.0)
    out = 1.0 - i + f
    return float(out) if out.ndim == 0 else out


def gain_change(inhibition, facilitation):
    """Net change in descending gain, G − 1 = facilitation − inhibition (negative = net inhibition).

    Same inputs and ranges as :func:`descending_gain`; arrays broadcast.
    """
    g = descending_gain(inhibition, facilitation)
    return g - 1.0


def effective_balance(setting: str, inhibition, facilitation, ketamine):
    """Recruited (inhibition, facilitation) after ketamine at effect level ``ketamine`` (0-1) in ``setting``.

    Uses :data:`HYPOTHESES` (illustrative magnitudes, direction from Niesters 2011 [V] / 2013 [U]).
    ``ketamine`` may be an array; the results broadcast.
    """
    h = HYPOTHESES[v.choice(setting, "setting", SETTINGS)]
    i = v.array(inhibition, "inhibition", low=0.0, high=1.0)
    f = v.array(facilitation, "facilitation", low=0.0, high=1.0)
    k = v.array(ketamine, "ketamine", low=0.0, high=1.0)
    i_eff = i * (1.0 - h.supraspinal_inhibition_loss * k)
    f_eff = f * (1.0 - h.spinal_facilitation_block * k) + h.supraspinal_facilitation_gain * k
    return i_eff, f_eff


def pain_nrs(stimulus_pct, gain=1.0, curve: PainCurve = PAIN_CURVE):
    """Pain (0-10) for a stimulus (% of maximum, 0-100) passed through the descending ``gain`` (>= 0)."""
    s = v.array(stimulus_pct, "stimulus_pct", low=0.0, high=100.0)
    g = v.array(gain, "gain", low=0.0, high=10.0)
    x = (g * s / curve.half_max_pct) ** curve.hill
    out = 10.0 * x / (1.0 + x)
    return float(out) if out.ndim == 0 else out


def test_stimulus_pct(curve: PainCurve = PAIN_CURVE) -> float:
    """The test stimulus (% of maximum) that gives ``curve.test_pain_nrs`` alone (gain 1): the calibration step."""
    p = curve.test_pain_nrs
    return curve.half_max_pct * (p / (10.0 - p)) ** (1.0 / curve.hill)


test_stimulus_pct.__test__ = False  # not a pytest test despite its name


# ---- the CPM experiment ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CPMResult:
    """One CPM experiment, without and with ketamine. Pain in NRS points (0-10); CPM negative = inhibition."""
    setting: str
    inhibition: float
    facilitation: float
    ketamine: float
    inhibition_eff: float
    facilitation_eff: float
    test_stimulus_pct: float
    pain_alone: float
    pain_during_no_ketamine: float
    pain_during: float
    cpm_no_ketamine: float
    cpm: float
    hypothesis: KetamineHypothesis

    @property
    def cpm_pct(self) -> float:
        """CPM effect as % of the pain from the test stimulus alone."""
        return 100.0 * self.cpm / self.pain_alone

    @property
    def cpm_no_ketamine_pct(self) -> float:
        return 100.0 * self.cpm_no_ketamine / self.pain_alone

    @property
    def change(self) -> float:
        """CPM with ketamine minus CPM without (points): < 0 ketamine strengthened inhibition, > 0 weakened it."""
        return self.cpm - self.cpm_no_ketamine


def cpm_effect(setting: str, inhibition, facilitation, ketamine, curve: PainCurve = PAIN_CURVE):
    """CPM effect (NRS points, negative = inhibition) for arrays of any of the inputs (vectorised)."""
    i_eff, f_eff = effective_balance(setting, inhibition, facilitation, ketamine)
    s = test_stimulus_pct(curve)
    out = pain_nrs(s, 1.0 - i_eff + f_eff, curve) - pain_nrs(s, 1.0, curve)
    return float(out) if np.ndim(out) == 0 else out


def cpm_experiment(setting: str, inhibition: float, facilitation: float, ketamine: float = 0.0,
                   curve: PainCurve = PAIN_CURVE) -> CPMResult:
    """Test-stimulus pain alone and during conditioning, without and with ketamine (effect level 0-1).

    ``inhibition``/``facilitation`` (0-1) are what the conditioning stimulus recruits; pain alone is the
    calibrated 6/10 (ketamine assumed not to change it: a remote, non-sensitised test site).
    """
    setting = v.choice(setting, "setting", SETTINGS)
    i = v.fraction(inhibition, "inhibition")
    f = v.fraction(facilitation, "facilitation")
    k = v.fraction(ketamine, "ketamine")
    i_eff, f_eff = (float(a) for a in effective_balance(setting, i, f, k))
    s = test_stimulus_pct(curve)
    alone = pain_nrs(s, 1.0, curve)
    during0 = pain_nrs(s, 1.0 - i + f, curve)
    during = pain_nrs(s, 1.0 - i_eff + f_eff, curve)
    return CPMResult(setting, i, f, k, i_eff, f_eff, s, alone, during0, during, during0 - alone, during - alone,
                     HYPOTHESES[setting])


def classify_cpm(cpm_points: float) -> str:
    """'inhibition', 'no CPM' or 'facilitation' for a CPM effect in NRS points (see CPM_TOLERANCE_POINTS)."""
    c = v.number(cpm_points, "cpm_points")
    if c < -CPM_TOLERANCE_POINTS:
        return "inhibition"
    if c > CPM_TOLERANCE_POINTS:
        return "facilitation"
    return "no CPM"


@dataclass(frozen=True)
class StimulusResponse:
    """Pain (0-10) vs stimulus (% of max): alone, during conditioning, during conditioning with ketamine."""
    stimulus_pct: np.ndarray
    alone: np.ndarray
    during_no_ketamine: np.ndarray
    during: np.ndarray
    gain_no_ketamine: float
    gain: float
    cpm: CPMResult


def stimulus_response(setting: str, inhibition: float, facilitation: float, ketamine: float = 0.0,
                      stimulus_pct=None, curve: PainCurve = PAIN_CURVE) -> StimulusResponse:
    """Stimulus-response curves for the three conditions; ``stimulus_pct`` defaults to 0-100 % in 201 steps."""
    s = np.linspace(0.0, 100.0, 201) if stimulus_pct is None else v.array(stimulus_pct, "stimulus_pct",
                                                                          low=0.0, high=100.0, ndim_max=1)
    res = cpm_experiment(setting, inhibition, facilitation, ketamine, curve)
    g0 = 1.0 - res.inhibition + res.facilitation
    g1 = 1.0 - res.inhibition_eff + res.facilitation_eff
    return StimulusResponse(s, pain_nrs(s, 1.0, curve), pain_nrs(s, g0, curve), pain_nrs(s, g1, curve), g0, g1,
                            res)


# ---- optional time course (hypothetical biophase) ---------------------------------------------------------------
def infusion_level(t_h, duration_h: float, level: float = 1.0):
    """Normalised plasma level of a constant infusion: ``level`` during [0, duration_h), 0 after.

    A deliberate simplification (plasma rises and falls instantly); the PK notebook does this properly.
    """
    t = v.time_array(t_h, "t_h")
    d = v.positive(duration_h, "duration_h")
    lvl = v.fraction(level, "level")
    return np.where((t >= 0.0) & (t < d), lvl, 0.0)


def effect_site_after_infusion(t_h, duration_h: float, t_half_ke0_h: float, level: float = 1.0):
    """Effect-site level (0-1) for :func:`infusion_level` (closed form of dCe/dt = ke0 (Cp - Ce), Ce(0) = 0).

    Ce = level (1 - exp(-ke0 t)) during the infusion, then Ce(T) exp(-ke0 (t - T)). Times before 0 give 0.
    """
    t = v.time_array(t_h, "t_h")
    d = v.positive(duration_h, "duration_h")
    ke0 = units.half_life_to_rate(t_half_ke0_h, "t_half_ke0_h")
    lvl = v.fraction(level, "level")
    tc = np.clip(t, 0.0, None)
    rising = lvl * -np.expm1(-ke0 * np.minimum(tc, d))
    return np.where(tc <= d, rising, rising * np.exp(-ke0 * (tc - d)))


def effect_site_level(t_h, plasma_level, t_half_ke0_h: float, ce0: float = 0.0):
    """Effect-site level for any plasma profile given at times ``t_h`` (linear between samples), solved exactly.

    dCe/dt = ke0 (Cp - Ce). On each interval with Cp linear (slope m):
    Ce(t1) = Cp(t1) - m/ke0 + (Ce(t0) - Cp(t0) + m/ke0) exp(-ke0 h). Units of ``plasma_level`` are kept.
    """
    t = v.time_array(t_h, "t_h")
    cp = v.array(plasma_level, "plasma_level", low=0.0, ndim_max=1)
    if cp.shape != t.shape:
        raise ValueError(f"plasma_level must have the same length as t_h ({t.size}), got shape {cp.shape}")
    ke0 = units.half_life_to_rate(t_half_ke0_h, "t_half_ke0_h")
    ce = np.empty_like(t)
    ce[0] = v.nonnegative(ce0, "ce0")
    h = np.diff(t)
    decay = np.exp(-ke0 * h)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope_term = np.where(h > 0, np.diff(cp) / np.where(h > 0, h, 1.0) / ke0, 0.0)
    for j in range(t.size - 1):
        if h[j] == 0.0:
            ce[j + 1] = ce[j]
            continue
        ce[j + 1] = cp[j + 1] - slope_term[j] + (ce[j] - cp[j] + slope_term[j]) * decay[j]
    return ce


def cpm_time_course(setting: str, inhibition: float, facilitation: float, t_h, duration_h: float,
                    t_half_ke0_h: float, level: float = 1.0, curve: PainCurve = PAIN_CURVE):
    """Ketamine effect level and CPM effect (points) over time for a constant infusion (hypothetical biophase).

    The effect level is the effect-site level of :func:`effect_site_after_infusion` (assumed linear in it).
    Returns ``(ketamine_level, cpm_points)``, arrays shaped like ``t_h``.
    """
    k = effect_site_after_infusion(t_h, duration_h, t_half_ke0_h, level)
    return k, np.asarray(cpm_effect(setting, inhibition, facilitation, k, curve))
