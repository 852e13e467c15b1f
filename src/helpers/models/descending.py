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

Ketamine enters as ``block_fraction`` (0-1), the fraction of NMDA receptors blocked, the quantity the receptor,
spinal and pathway layers share (:data:`helpers.vocab.BLOCK_FRACTION`); reading the CPM effect as driven by
that block is an assumption. The direction of its effect on CPM differs between populations, and that is
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

Optional time course (hypothetical): the block follows an effect-site level driven by the plasma level with a
fast (t½ke0 6.1 min, the mean across the endpoints of Olofsen 2012; 11.8 min for pain [V]) or slow (10.9 d,
Dahan 2011 [V]) equilibration, both taken from :mod:`helpers.models.pk`; nobody has measured which applies
to CPM.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from .. import units
from ..vocab import EVIDENCE_LABELS
from . import pk, spinal

__all__ = [
    "SETTINGS", "SETTING_LABELS", "CPMProtocol", "DescendingState", "KetamineHypothesis", "PROTOCOL",
    "DEFAULT_STATES", "HYPOTHESES", "T_HALF_KE0_FAST_H", "T_HALF_KE0_SLOW_H", "CPM_TOLERANCE_POINTS",
    "FACILITATION_MAX", "CPMResult", "descending_gain", "gain_change", "effective_balance", "pain_nrs",
    "test_stimulus", "cpm_experiment", "cpm_effect", "classify_cpm", "CPMStimulusResponse",
    "cpm_stimulus_response", "infusion_level", "effect_site_after_infusion", "effect_site_level",
    "cpm_time_course",
]

SETTINGS = ("healthy", "chronic")
SETTING_LABELS = {"healthy": "healthy volunteer", "chronic": "chronic pain, impaired CPM"}

@dataclass(frozen=True)
class CPMProtocol:
    """How the test stimulus of a CPM experiment is set: per person, to a fixed pain alone, before any drug.

    Parameters
    ----------
    test_pain_nrs : float
        Pain (0-10, open at both ends) the test stimulus causes alone, before any drug.
    source : str
        Where the number comes from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label (:data:`helpers.vocab.EVIDENCE_LABELS`).
    """
    test_pain_nrs: float
    source: str
    evidence: str

    def __post_init__(self):
        v.in_range(self.test_pain_nrs, "test_pain_nrs", 0.0, 10.0, low_open=True, high_open=True)
        v.choice(self.evidence, "evidence", EVIDENCE_LABELS)


@dataclass(frozen=True)
class DescendingState:
    """What the conditioning stimulus recruits in one person: inhibition and facilitation.

    Parameters
    ----------
    inhibition : float
        Recruited inhibition, 0-1 (fraction of the dorsal-horn gain taken away).
    facilitation : float
        Recruited facilitation, 0-1 (fraction of the gain added).
    source : str
        Where the numbers come from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label (:data:`helpers.vocab.EVIDENCE_LABELS`).
    """
    inhibition: float
    facilitation: float
    source: str
    evidence: str


@dataclass(frozen=True)
class KetamineHypothesis:
    """How NMDA block b (``block_fraction``, 0-1) changes the recruited balance in one setting.

    I_eff = I (1 - supraspinal_inhibition_loss b);
    F_eff = F (1 - spinal_facilitation_block b) + supraspinal_facilitation_gain b.

    Parameters
    ----------
    setting : {"healthy", "chronic"}
        The population the hypothesis is for.
    spinal_facilitation_block : float
        Share of recruited facilitation that full block removes (spinal, NMDA-dependent).
    supraspinal_inhibition_loss : float
        Share of recruited inhibition that full block removes (supraspinal circuit).
    supraspinal_facilitation_gain : float
        Facilitation that full block adds (gain units).
    mechanism : str
        The hypothesis in words, as the panels print it.
    direction_source : str
        The published direction it reproduces.
    source : str
        Where the direction and the magnitudes come from.
    evidence : {"cited", "assumed", "illustrative"}
        Evidence label of the magnitudes.

    References
    ----------
    .. [1] ``niesters_2011``: Niesters et al. 2011, Pain 152:656 (healthy volunteers: CPM abolished) [V].
    .. [2] ``niesters_2013``: Niesters et al. 2013, Br J Anaesth (chronic pain: CPM restored) [U].
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
        direction_source="Niesters 2011: CPM abolished, net facilitation",
        source="direction: Niesters et al. 2011 Pain 152:656; magnitudes tuned", evidence="illustrative"),
    "chronic": KetamineHypothesis(
        "chronic", spinal_facilitation_block=0.8, supraspinal_inhibition_loss=0.1,
        supraspinal_facilitation_gain=0.0,
        mechanism=("removes NMDA-dependent spinal facilitation and sensitisation that mask an inhibitory "
                   "system that still works"),
        direction_source="Niesters 2013: CPM restored (study details not confirmed from the paper)",
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
    """Net descending gain on the dorsal horn, G = 1 - inhibition + facilitation.

    Parameters
    ----------
    inhibition : float or array_like
        Inhibition, in [0, 1].
    facilitation : float or array_like
        Facilitation, in [0, FACILITATION_MAX = 2]: recruited facilitation (at most 1) plus what a ketamine
        hypothesis adds. Broadcasts with ``inhibition``.

    Returns
    -------
    float or numpy.ndarray
        The gain (dimensionless, >= 0; 1 = no net modulation); a float for scalar inputs.
    """
    i = v.array(inhibition, "inhibition", low=0.0, high=1.0)
    f = v.array(facilitation, "facilitation", low=0.0, high=FACILITATION_MAX)
    out = 1.0 - i + f
    return float(out) if out.ndim == 0 else out


def gain_change(inhibition, facilitation):
    """Net change in descending gain, G − 1 = facilitation − inhibition (negative = net inhibition).

    Parameters
    ----------
    inhibition : float or array_like
        Inhibition, in [0, 1].
    facilitation : float or array_like
        Facilitation, in [0, 2] (as for :func:`descending_gain`).

    Returns
    -------
    float or numpy.ndarray
        G − 1, shaped like the broadcast inputs.
    """
    g = descending_gain(inhibition, facilitation)
    return g - 1.0


def effective_balance(setting: str, inhibition, facilitation, block_fraction):
    """Recruited inhibition and facilitation after ketamine has blocked ``block_fraction`` of NMDA receptors.

    Uses the setting's :data:`HYPOTHESES` entry (illustrative magnitudes; directions from the literature).

    Parameters
    ----------
    setting : {"healthy", "chronic"}
        Which population's hypothesis applies.
    inhibition : float or array_like
        What the conditioning stimulus recruits, in [0, 1].
    facilitation : float or array_like
        What the conditioning stimulus recruits, in [0, 1].
    block_fraction : float or array_like
        Fraction of NMDA receptors blocked, in [0, 1]. All three broadcast.

    Returns
    -------
    inhibition_eff, facilitation_eff : numpy.ndarray
        The balance with ketamine (0-d arrays for scalar inputs).

    References
    ----------
    .. [1] ``niesters_2011``: Niesters et al. 2011, Pain 152:656 (healthy volunteers: CPM abolished) [V].
    .. [2] ``niesters_2013``: Niesters et al. 2013, Br J Anaesth (chronic pain: CPM restored) [U].
    """
    h = HYPOTHESES[v.choice(setting, "setting", SETTINGS)]
    i = v.array(inhibition, "inhibition", low=0.0, high=1.0)
    f = v.array(facilitation, "facilitation", low=0.0, high=1.0)
    b = v.array(block_fraction, "block_fraction", low=0.0, high=1.0)
    i_eff = i * (1.0 - h.supraspinal_inhibition_loss * b)
    f_eff = f * (1.0 - h.spinal_facilitation_block * b) + h.supraspinal_facilitation_gain * b
    return i_eff, f_eff


def pain_nrs(stimulus, gain=1.0):
    """Pain (0-10) for a stimulus through a total dorsal-horn gain: the spinal curve of notebook 02.

    Parameters
    ----------
    stimulus : float or array_like
        Stimulus intensity on the 0-10 scale.
    gain : float or array_like
        Total dorsal-horn gain (>= 0). Broadcasts with ``stimulus``.

    Returns
    -------
    float or numpy.ndarray
        Pain rating 0-10 from :func:`helpers.models.spinal.rating` (illustrative shape).
    """
    return spinal.rating(stimulus, gain)


def test_stimulus(protocol: CPMProtocol = PROTOCOL, spinal_gain: float = 1.0) -> float:
    """The test-stimulus intensity that hurts ``protocol.test_pain_nrs`` alone: the calibration step.

    Inverts the spinal curve: x = (threshold + scale ln(10 / (10 - p))) / G.

    Parameters
    ----------
    protocol : CPMProtocol
        The calibration target.
    spinal_gain : float
        Spinal gain of the test site, in (0, spinal.GAIN_MAX].

    Returns
    -------
    float
        Stimulus intensity on the 0-10 scale; a ValueError if none on the scale reaches the target.
    """
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

    Parameters
    ----------
    setting : str
        "healthy" or "chronic".
    inhibition, facilitation : float
        What the conditioning stimulus recruits, without ketamine (0-1).
    block_fraction : float
        Fraction of NMDA receptors blocked by ketamine (0-1).
    sensitisation : float
        Spinal sensitisation S of the test site (0-1).
    inhibition_eff, facilitation_eff : float
        The recruited balance with ketamine.
    spinal_gain : float
        The test site's spinal gain without ketamine (1 when not sensitised).
    spinal_gain_ketamine : float
        The same with ketamine (lower only at a sensitised site).
    test_stimulus : float
        The calibrated test stimulus (0-10 scale).
    pain_alone, pain_alone_ketamine : float
        Test-stimulus pain alone, without and with ketamine.
    pain_during_no_ketamine, pain_during : float
        Test-stimulus pain during conditioning, without and with ketamine.
    cpm_no_ketamine, cpm : float
        CPM effect (points), without and with ketamine.
    hypothesis : KetamineHypothesis
        The hypothesis used for the setting.
    """
    setting: str
    inhibition: float
    facilitation: float
    block_fraction: float
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
        """CPM effect without ketamine as % of the pain from the test stimulus alone."""
        return 100.0 * self.cpm_no_ketamine / self.pain_alone

    @property
    def change(self) -> float:
        """CPM with ketamine minus CPM without (points): < 0 ketamine strengthened inhibition, > 0 weakened it."""
        return self.cpm - self.cpm_no_ketamine


def _site(sensitisation, block_fraction, protocol):
    """Spinal gain at the test site without and with the block, and the test stimulus."""
    g0 = spinal.transmission_gain(sensitisation, 0.0)
    gk = spinal.transmission_gain(sensitisation, block_fraction)
    return g0, gk, test_stimulus(protocol, g0)


def cpm_effect(setting: str, inhibition, facilitation, block_fraction, sensitisation: float = 0.0,
               protocol: CPMProtocol = PROTOCOL):
    """CPM effect (NRS points, negative = inhibition) with ketamine, vectorised over the first four inputs.

    Parameters
    ----------
    setting : {"healthy", "chronic"}
        Which population's hypothesis applies.
    inhibition, facilitation : float or array_like
        What the conditioning stimulus recruits, in [0, 1].
    block_fraction : float or array_like
        Fraction of NMDA receptors blocked, in [0, 1].
    sensitisation : float
        Spinal sensitisation of the test site, in [0, 1] (one number).
    protocol : CPMProtocol
        How the test stimulus is calibrated.

    Returns
    -------
    float or numpy.ndarray
        Pain during conditioning minus pain alone, both with ketamine (illustrative magnitudes).

    References
    ----------
    .. [1] ``niesters_2011``: Niesters et al. 2011, Pain 152:656 (healthy volunteers: CPM abolished) [V].
    .. [2] ``niesters_2013``: Niesters et al. 2013, Br J Anaesth (chronic pain: CPM restored) [U].
    """
    s = v.fraction(sensitisation, "sensitisation")
    i_eff, f_eff = effective_balance(setting, inhibition, facilitation, block_fraction)
    _g0, gk, x = _site(s, block_fraction, protocol)
    out = pain_nrs(x, gk * descending_gain(i_eff, f_eff)) - pain_nrs(x, gk)
    return float(out) if np.ndim(out) == 0 else out


def cpm_experiment(setting: str, inhibition: float, facilitation: float, block_fraction: float = 0.0,
                   sensitisation: float = 0.0, protocol: CPMProtocol = PROTOCOL) -> CPMResult:
    """Test-stimulus pain alone and during conditioning, without and with ketamine.

    Parameters
    ----------
    setting : {"healthy", "chronic"}
        Which population's hypothesis applies.
    inhibition, facilitation : float
        What the conditioning stimulus recruits, in [0, 1].
    block_fraction : float
        Fraction of NMDA receptors blocked by ketamine, in [0, 1].
    sensitisation : float
        The test site's spinal sensitisation, in [0, 1]. Default 0: a remote, non-sensitised site, where
        ketamine leaves the pain of the test stimulus alone unchanged.
    protocol : CPMProtocol
        The test stimulus is calibrated to ``protocol.test_pain_nrs`` at the test site before any drug.

    Returns
    -------
    CPMResult
        Every pain rating and both CPM effects (illustrative magnitudes).

    References
    ----------
    .. [1] ``niesters_2011``: Niesters et al. 2011, Pain 152:656 (healthy volunteers: CPM abolished) [V].
    .. [2] ``niesters_2013``: Niesters et al. 2013, Br J Anaesth (chronic pain: CPM restored) [U].
    """
    setting = v.choice(setting, "setting", SETTINGS)
    i = v.fraction(inhibition, "inhibition")
    f = v.fraction(facilitation, "facilitation")
    b = v.fraction(block_fraction, "block_fraction")
    s = v.fraction(sensitisation, "sensitisation")
    i_eff, f_eff = (float(a) for a in effective_balance(setting, i, f, b))
    g0, gk, x = _site(s, b, protocol)
    alone = pain_nrs(x, g0)
    alone_k = pain_nrs(x, gk)
    during0 = pain_nrs(x, g0 * descending_gain(i, f))
    during = pain_nrs(x, gk * descending_gain(i_eff, f_eff))
    return CPMResult(setting, i, f, b, s, i_eff, f_eff, g0, gk, x, alone, alone_k, during0, during,
                     during0 - alone, during - alone_k, HYPOTHESES[setting])


def classify_cpm(cpm_points: float) -> str:
    """Name a CPM effect: "inhibition", "no CPM" or "facilitation".

    Parameters
    ----------
    cpm_points : float
        CPM effect in NRS points (negative = inhibition).

    Returns
    -------
    str
        "no CPM" within :data:`CPM_TOLERANCE_POINTS` of zero (a display choice), else the direction.
    """
    c = v.number(cpm_points, "cpm_points")
    if c < -CPM_TOLERANCE_POINTS:
        return "inhibition"
    if c > CPM_TOLERANCE_POINTS:
        return "facilitation"
    return "no CPM"


@dataclass(frozen=True)
class CPMStimulusResponse:
    """Pain (0-10) against stimulus (0-10 scale) in a CPM experiment: alone, during conditioning, during
    conditioning with ketamine.

    Parameters
    ----------
    stimulus : numpy.ndarray
        Stimulus intensities (0-10 scale).
    alone : numpy.ndarray
        Pain from the stimulus alone, without ketamine.
    during_no_ketamine : numpy.ndarray
        Pain during conditioning, without ketamine.
    during : numpy.ndarray
        Pain during conditioning, with ketamine.
    gain_no_ketamine, gain : float
        Total dorsal-horn gains during conditioning (spinal × descending), without and with ketamine.
    cpm : CPMResult
        The CPM experiment at the calibrated test stimulus.
    """
    stimulus: np.ndarray
    alone: np.ndarray
    during_no_ketamine: np.ndarray
    during: np.ndarray
    gain_no_ketamine: float
    gain: float
    cpm: CPMResult


def cpm_stimulus_response(setting: str, inhibition: float, facilitation: float, block_fraction: float = 0.0,
                          stimulus=None, sensitisation: float = 0.0, protocol: CPMProtocol = PROTOCOL
                          ) -> CPMStimulusResponse:
    """Stimulus–response curves of a CPM experiment: alone, during conditioning, during conditioning + ketamine.

    Parameters
    ----------
    setting : {"healthy", "chronic"}
        Which population's hypothesis applies.
    inhibition, facilitation : float
        What the conditioning stimulus recruits, in [0, 1].
    block_fraction : float
        Fraction of NMDA receptors blocked by ketamine, in [0, 1].
    stimulus : array_like, optional
        Stimulus intensities (0-10 scale, 1-D); default 0-10 in 201 steps.
    sensitisation : float
        The test site's spinal sensitisation, in [0, 1].
    protocol : CPMProtocol
        How the test stimulus is calibrated.

    Returns
    -------
    CPMStimulusResponse
        The three curves, the two gains and the :class:`CPMResult` at the test stimulus.

    References
    ----------
    .. [1] ``niesters_2011``: Niesters et al. 2011, Pain 152:656 (healthy volunteers: CPM abolished) [V].
    .. [2] ``niesters_2013``: Niesters et al. 2013, Br J Anaesth (chronic pain: CPM restored) [U].
    """
    x = np.linspace(0.0, 10.0, 201) if stimulus is None else v.array(stimulus, "stimulus", low=0.0, high=10.0,
                                                                    ndim_max=1)
    res = cpm_experiment(setting, inhibition, facilitation, block_fraction, sensitisation, protocol)
    g0 = res.spinal_gain * descending_gain(res.inhibition, res.facilitation)
    g1 = res.spinal_gain_ketamine * descending_gain(res.inhibition_eff, res.facilitation_eff)
    return CPMStimulusResponse(x, pain_nrs(x, res.spinal_gain), pain_nrs(x, g0), pain_nrs(x, g1), g0, g1, res)


# ---- optional time course (hypothetical biophase) ---------------------------------------------------------------
def infusion_level(t_h, duration_h: float, level: float = 1.0):
    """Normalised plasma level of a constant infusion: ``level`` during [0, duration_h), 0 after.

    A deliberate simplification (plasma rises and falls instantly); the PK notebook does this properly.

    Parameters
    ----------
    t_h : array_like
        Times (h), non-decreasing.
    duration_h : float
        Infusion length (h, > 0).
    level : float
        Level during the infusion, in [0, 1].

    Returns
    -------
    numpy.ndarray
        The level at each time.
    """
    t = v.time_array(t_h, "t_h")
    d = v.positive(duration_h, "duration_h")
    lvl = v.fraction(level, "level")
    return np.where((t >= 0.0) & (t < d), lvl, 0.0)


def effect_site_after_infusion(t_h, duration_h: float, t_half_ke0_h: float, level: float = 1.0):
    """Effect-site level (0-1) for :func:`infusion_level`: the closed form of dCe/dt = ke0 (Cp - Ce), Ce(0) = 0.

    Ce = level (1 - exp(-ke0 t)) during the infusion, then Ce(T) exp(-ke0 (t - T)). Times before 0 give 0.

    Parameters
    ----------
    t_h : array_like
        Times (h), non-decreasing.
    duration_h : float
        Infusion length T (h, > 0).
    t_half_ke0_h : float
        Blood-effect-site equilibration half-life (h, > 0), e.g. :data:`T_HALF_KE0_FAST_H`.
    level : float
        Plasma level during the infusion, in [0, 1].

    Returns
    -------
    numpy.ndarray
        The effect-site level at each time.
    """
    t = v.time_array(t_h, "t_h")
    d = v.positive(duration_h, "duration_h")
    ke0 = units.half_life_to_rate(t_half_ke0_h, "t_half_ke0_h")
    lvl = v.fraction(level, "level")
    tc = np.clip(t, 0.0, None)
    rising = lvl * -np.expm1(-ke0 * np.minimum(tc, d))
    return np.where(tc <= d, rising, rising * np.exp(-ke0 * (tc - d)))


def effect_site_level(t_h, plasma_level, t_half_ke0_h: float, ce0: float = 0.0):
    """Effect-site level for any plasma profile (linear between samples), solved exactly.

    dCe/dt = ke0 (Cp - Ce). On each interval with Cp linear (slope m):
    Ce(t1) = Cp(t1) - m/ke0 + (Ce(t0) - Cp(t0) + m/ke0) exp(-ke0 h).

    Parameters
    ----------
    t_h : array_like
        Times (h), 1-D, non-decreasing.
    plasma_level : array_like
        Plasma level (>= 0, any unit) at each time.
    t_half_ke0_h : float
        Blood-effect-site equilibration half-life (h, > 0).
    ce0 : float
        Effect-site level at ``t_h[0]`` (>= 0).

    Returns
    -------
    numpy.ndarray
        Effect-site level at each time, in the unit of ``plasma_level``.
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
    """NMDA block and CPM effect over time for a constant infusion (hypothetical biophase).

    The block follows the effect-site level of :func:`effect_site_after_infusion` (assumed linear in it).

    Parameters
    ----------
    setting : {"healthy", "chronic"}
        Which population's hypothesis applies.
    inhibition, facilitation : float
        What the conditioning stimulus recruits, in [0, 1].
    t_h : array_like
        Times (h), non-decreasing.
    duration_h : float
        Infusion length (h, > 0).
    t_half_ke0_h : float
        Equilibration half-life (h): :data:`T_HALF_KE0_FAST_H` or :data:`T_HALF_KE0_SLOW_H` (which one applies
        to CPM is unknown).
    level : float
        Block reached at equilibrium during the infusion, in [0, 1].
    protocol : CPMProtocol
        How the test stimulus is calibrated.

    Returns
    -------
    block_fraction, cpm_points : numpy.ndarray
        Arrays shaped like ``t_h``.

    References
    ----------
    .. [1] ``olofsen_2012``: Olofsen et al. 2012 (fast equilibration, 6.1 min endpoint mean) [V].
    .. [2] ``dahan_2011``: Dahan et al. 2011, Eur J Pain 15:258 (slow equilibration, 10.9 d) [V].
    """
    b = effect_site_after_infusion(t_h, duration_h, t_half_ke0_h, level)
    return b, np.asarray(cpm_effect(setting, inhibition, facilitation, b, protocol=protocol))
