"""Descending modulation: the PAG/RVM balance of inhibition and facilitation, CPM, and ketamine's mixed effect.

The brainstem (periaqueductal grey, PAG; rostral ventromedial medulla, RVM) turns the gain of the dorsal horn
down (inhibition) or up (facilitation). In the conditioned pain modulation (CPM) experiment a painful
conditioning stimulus elsewhere on the body recruits this system, and the pain from a test stimulus is rated
alone and during conditioning. The descending gain multiplies the spinal gain of :mod:`helpers.models.spinal`,
and pain is read off the spinal stimulus–response curve (one curve for notebooks 02 and 03):

    descending gain  G_d = 1 - I + F                                   (0 <= G_d <= 2 + a little)
    spinal gain      G_s = spinal.transmission_gain(S, block)          (1 at a non-sensitised test site)
    pain (0-10)      P = spinal.rating(x, G_s G_d)                     (x = test stimulus, 0-10 intensity scale)
    CPM effect       = P(during) - P(alone)   [NRS points; negative = inhibition, the usual sign convention]

``I`` and ``F`` are what the conditioning stimulus recruits, relative to the resting state: alone, G_d = 1. The
test stimulus is calibrated per person so that it hurts ``PROTOCOL.test_pain_nrs`` alone, before any drug.
Impaired CPM in chronic pain = less inhibition and/or more facilitation.

Ketamine (``ketamine`` = effect level 0-1; :mod:`helpers.models.pathway` reads it as the fraction of NMDA
receptors blocked, an assumption). The direction of its effect on CPM differs between populations, and that is
the teaching point. No published PK/PD model of ketamine on CPM was found (facts sheet §4), so the directions
come from the literature and every magnitude here is **illustrative**:

* healthy volunteers: S-ketamine 40 mg/70 kg over 1 h abolished CPM and produced net pain facilitation;
  offset analgesia was unchanged (Niesters et al. 2011, Pain 152:656, doi:10.1016/j.pain.2010.12.015, [V]).
  Hypothesis encoded: ketamine disturbs the NMDA-dependent supraspinal circuit that produces conditioned
  inhibition and unmasks facilitation; there is little spinal sensitisation to remove.
* chronic neuropathic pain with impaired CPM: S-ketamine is reported to restore CPM (Niesters et al. 2013,
  Br J Anaesth; all details unverified [U], no magnitudes used). Hypothesis encoded: ketamine removes
  NMDA-dependent spinal facilitation/sensitisation that masks an inhibitory system which still works.

These are hypotheses, one per setting, chosen so that each setting reproduces its reported direction; the
model does not explain why the populations differ. At a sensitised test site (``sensitisation`` > 0) ketamine
also turns the spinal gain down (the block of :func:`helpers.models.spinal.transmission_gain`), so the test
stimulus alone hurts less too; the default test site is remote and not sensitised (S = 0).

Optional time course (hypothetical): ketamine's effect level follows an effect-site level driven by the
plasma level with a fast (t½ke0 6.1 min, the mean across the endpoints of Olofsen 2012; 11.8 min for pain [V])
or slow (10.9 d, Dahan 2011 [V]) equilibration, both taken from :mod:`helpers.models.pk`; nobody has measured
which applies to CPM.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from .. import units
from . import pk, spinal

__all__ = [
    "SETTINGS", "SETTING_LABELS", "CPMProtocol", "DescendingState", "KetamineHypothesis", "PROTOCOL",
    "DEFAULT_STATES", "HYPOTHESES", "T_HALF_KE0_FAST_H", "T_HALF_KE0_SLOW_H", "CPM_TOLERANCE_POINTS",
    "FACILITATION_MAX", "CPMResult", "descending_gain", "gain_change", "effective_balance", "pain_nrs",
    "test_stimulus", "cpm_experiment", "cpm_effect", "classify_cpm", "StimulusResponse", "stimulus_response",
    "infusion_level", "effect_site_after_infusion", "effect_site_level", "cpm_time_course",
]

SETTINGS = ("healthy", "chronic")
SETTING_LABELS = {"healthy": "healthy volunteer", "chronic": "chronic pain, impaired CPM"}


@dataclass(frozen=True)
class CPMProtocol:
    """How the test stimulus is set: per person, to ``test_pain_nrs`` (0-10) alone, before any drug."""
    test_pain_nrs: float
    source: str
    evidence: str

    def __post_init__(self):
        v.in_range(self.test_pain_nrs, "test_pain_nrs", 0.0, 10.0, low_open=True, high_open=True)
        v.choice(self.evidence, "evidence", ("cited", "assumed", "illustrative"))


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


PROTOCOL = CPMProtocol(test_pain_nrs=6.0, source="illustrative; CPM protocols set the test stimulus per person "
                       "to a moderate pain, here 6/10", evidence="illustrative")

DEFAULT_STATES = {
    "healthy": DescendingState(0.24, 0.05, source="illustrative: CPM of about -1.9 points (-31 %)",
                               evidence="illustrative"),
    "chronic": DescendingState(0.24, 0.23, source="illustrative: impaired CPM, about -0.1 points (the same "
                               "inhibition as the healthy volunteer, masked by facilitation)",
                               evidence="illustrative"),
}

HYPOTHESES = {
    "healthy": KetamineHypothesis(
        "healthy", spinal_facilitation_block=0.8, supraspinal_inhibition_loss=0.9,
        supraspinal_facilitation_gain=0.10,
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

#: Largest facilitation :func:`descending_gain` accepts: what a conditioning stimulus recruits (at most 1) plus
#: what ketamine adds in a hypothesis (at most 1).
FACILITATION_MAX = 2.0

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

    ``inhibition`` in [0, 1], ``facilitation`` in [0, FACILITATION_MAX = 2] (recruited facilitation, at most
    1, plus what a ketamine hypothesis adds); arrays broadcast.
    """
    i = v.array(inhibition, "inhibition", low=0.0, high=1.0)
    f = v.array(facilitation, "facilitation", low=0.0, high=FACILITATION_MAX)
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

    ``inhibition`` and ``facilitation`` (what the conditioning stimulus recruits) in [0, 1]. Uses
    :data:`HYPOTHESES` (illustrative magnitudes, direction from Niesters 2011 [V] / 2013 [U]). ``ketamine`` may
    be an array; the results broadcast.
    """
    h = HYPOTHESES[v.choice(setting, "setting", SETTINGS)]
    i = v.array(inhibition, "inhibition", low=0.0, high=1.0)
    f = v.array(facilitation, "facilitation", low=0.0, high=1.0)
    k = v.array(ketamine, "ketamine", low=0.0, high=1.0)
    i_eff = i * (1.0 - h.supraspinal_inhibition_loss * k)
    f_eff = f * (1.0 - h.spinal_facilitation_block * k) + h.supraspinal_facilitation_gain * k
    return i_eff, f_eff


def pain_nrs(stimulus, gain=1.0):
    """Pain (0-10) for a stimulus (0-10 intensity scale) through a total dorsal-horn ``gain`` (>= 0): the spinal
    stimulus–response curve, :func:`helpers.models.spinal.rating` (illustrative shape)."""
    return spinal.rating(stimulus, gain)


def test_stimulus(protocol: CPMProtocol = PROTOCOL, spinal_gain: float = 1.0) -> float:
    """The test-stimulus intensity (0-10 scale) that hurts ``protocol.test_pain_nrs`` alone at ``spinal_gain``:
    the calibration step. Inverts the spinal curve: x = (threshold + scale ln(10 / (10 - p))) / G."""
    if not isinstance(protocol, CPMProtocol):
        raise ValueError(f"protocol must be a CPMProtocol, got {protocol!r}")
    g = v.in_range(spinal_gain, "spinal_gain", 0.0, spinal.GAIN_MAX, low_open=True)
    sr = spinal.STIMULUS_RESPONSE
    x = (sr.threshold + sr.scale * math.log(10.0 / (10.0 - protocol.test_pain_nrs))) / g
    if x > 10.0:
        raise ValueError(f"spinal_gain {g!r} is too low for a test stimulus on the 0-10 scale to hurt "
                         f"{protocol.test_pain_nrs}/10 (needs spinal_gain >= {x * g / 10.0:.3g})")
    return x


test_stimulus.__test__ = False  # not a pytest test despite its name


# ---- the CPM experiment ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CPMResult:
    """One CPM experiment, without and with ketamine. Pain in NRS points (0-10); CPM negative = inhibition.

    ``spinal_gain`` is the test site's gain without ketamine (1 when not sensitised), ``spinal_gain_ketamine``
    with it (lower only at a sensitised site).
    """
    setting: str
    inhibition: float
    facilitation: float
    ketamine: float
    sensitisation: float
    inhibition_eff: float
    facilitation_eff: float
    spinal_gain: float
    spinal_gain_ketamine: float
    test_stimulus: float
    pain_alone: float
    pain_alone_ketamine: float
    pain_during_no_ketamine: float
    pain_during: float
    cpm_no_ketamine: float
    cpm: float
    hypothesis: KetamineHypothesis

    @property
    def cpm_pct(self) -> float:
        """CPM effect with ketamine as % of the pain from the test stimulus alone (with ketamine)."""
        return 100.0 * self.cpm / self.pain_alone_ketamine if self.pain_alone_ketamine > 0 else 0.0

    @property
    def cpm_no_ketamine_pct(self) -> float:
        return 100.0 * self.cpm_no_ketamine / self.pain_alone

    @property
    def change(self) -> float:
        """CPM with ketamine minus CPM without (points): < 0 ketamine strengthened inhibition, > 0 weakened it."""
        return self.cpm - self.cpm_no_ketamine


def _site(sensitisation, ketamine, protocol):
    """Spinal gain at the test site without and with ketamine (block = effect level), and the test stimulus."""
    g0 = spinal.transmission_gain(sensitisation, 0.0)
    gk = spinal.transmission_gain(sensitisation, ketamine)
    return g0, gk, test_stimulus(protocol, g0)


def cpm_effect(setting: str, inhibition, facilitation, ketamine, sensitisation: float = 0.0,
               protocol: CPMProtocol = PROTOCOL):
    """CPM effect (NRS points, negative = inhibition) with ketamine, for arrays of any of the first four inputs
    (vectorised); ``sensitisation`` of the test site is one number."""
    s = v.fraction(sensitisation, "sensitisation")
    i_eff, f_eff = effective_balance(setting, inhibition, facilitation, ketamine)
    _g0, gk, x = _site(s, ketamine, protocol)
    out = pain_nrs(x, gk * descending_gain(i_eff, f_eff)) - pain_nrs(x, gk)
    return float(out) if np.ndim(out) == 0 else out


def cpm_experiment(setting: str, inhibition: float, facilitation: float, ketamine: float = 0.0,
                   sensitisation: float = 0.0, protocol: CPMProtocol = PROTOCOL) -> CPMResult:
    """Test-stimulus pain alone and during conditioning, without and with ketamine (effect level 0-1).

    ``inhibition``/``facilitation`` (0-1) are what the conditioning stimulus recruits. ``sensitisation`` (0-1)
    is the test site's spinal sensitisation (default 0: a remote, non-sensitised site, where ketamine leaves
    the test pain alone unchanged); the test stimulus is calibrated to ``protocol.test_pain_nrs`` there before
    any drug.
    """
    setting = v.choice(setting, "setting", SETTINGS)
    i = v.fraction(inhibition, "inhibition")
    f = v.fraction(facilitation, "facilitation")
    k = v.fraction(ketamine, "ketamine")
    s = v.fraction(sensitisation, "sensitisation")
    i_eff, f_eff = (float(a) for a in effective_balance(setting, i, f, k))
    g0, gk, x = _site(s, k, protocol)
    alone = pain_nrs(x, g0)
    alone_k = pain_nrs(x, gk)
    during0 = pain_nrs(x, g0 * descending_gain(i, f))
    during = pain_nrs(x, gk * descending_gain(i_eff, f_eff))
    return CPMResult(setting, i, f, k, s, i_eff, f_eff, g0, gk, x, alone, alone_k, during0, during,
                     during0 - alone, during - alone_k, HYPOTHESES[setting])


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
    """Pain (0-10) vs stimulus (0-10 scale): alone, during conditioning, during conditioning with ketamine.

    ``gain_no_ketamine`` and ``gain`` are the total dorsal-horn gains during conditioning (spinal × descending).
    """
    stimulus: np.ndarray
    alone: np.ndarray
    during_no_ketamine: np.ndarray
    during: np.ndarray
    gain_no_ketamine: float
    gain: float
    cpm: CPMResult


def stimulus_response(setting: str, inhibition: float, facilitation: float, ketamine: float = 0.0,
                      stimulus=None, sensitisation: float = 0.0, protocol: CPMProtocol = PROTOCOL
                      ) -> StimulusResponse:
    """Stimulus-response curves for the three conditions; ``stimulus`` defaults to 0-10 in 201 steps."""
    x = np.linspace(0.0, 10.0, 201) if stimulus is None else v.array(stimulus, "stimulus", low=0.0, high=10.0,
                                                                    ndim_max=1)
    res = cpm_experiment(setting, inhibition, facilitation, ketamine, sensitisation, protocol)
    g0 = res.spinal_gain * descending_gain(res.inhibition, res.facilitation)
    g1 = res.spinal_gain_ketamine * descending_gain(res.inhibition_eff, res.facilitation_eff)
    return StimulusResponse(x, pain_nrs(x, res.spinal_gain), pain_nrs(x, g0), pain_nrs(x, g1), g0, g1, res)


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
                    t_half_ke0_h: float, level: float = 1.0, protocol: CPMProtocol = PROTOCOL):
    """Ketamine effect level and CPM effect (points) over time for a constant infusion (hypothetical biophase).

    The effect level is the effect-site level of :func:`effect_site_after_infusion` (assumed linear in it).
    Returns ``(ketamine_level, cpm_points)``, arrays shaped like ``t_h``.
    """
    k = effect_site_after_infusion(t_h, duration_h, t_half_ke0_h, level)
    return k, np.asarray(cpm_effect(setting, inhibition, facilitation, k, protocol=protocol))
