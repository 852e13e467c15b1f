"""The layers composed into one model: plasma ketamine → NMDA block → spinal gain × descending gain → pain.

Each step is a function of the layer that owns it; this module only chains them (DESIGN: "pathway composes
the others"):

    concentration (ng/mL, plasma or an effect site; :mod:`pk`)
      → fraction of NMDA receptors blocked               :func:`receptor.block_at_plasma`      (Hill, Ebert Ki)
      → sensitisation S(t), built by unblocked drive      :func:`spinal.sensitisation_course`   (illustrative)
      → spinal gain G_s = 1 + gain_max S (1 − block)      :func:`spinal.transmission_gain`      (illustrative)
      × descending gain G_d = 1 − I + F                  :func:`descending.descending_gain`    (illustrative)
      → pain rating of a stimulus                         :func:`spinal.rating`                 (illustrative)

Assumptions this composition adds (labelled, not measured): the concentration that blocks the receptors is
the one given (plasma, or the fast or slow effect site of :func:`pk.simulate` — which one is a choice the
caller makes and says); the spinal and descending gains multiply; descending inhibition I and facilitation F
are held constant unless given as arrays. Teaching material, not dosing advice.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from . import descending, pk, receptor, spinal

__all__ = ["BLOCKER_OF_DRUG", "SITES", "dorsal_horn_gain", "pain", "PainCourse", "pain_course",
           "pain_course_from_pk"]

#: The receptor layer's blocker for each PK drug.
BLOCKER_OF_DRUG = {"S-ketamine": "S-ketamine", "racemic": "racemic ketamine"}
#: Concentrations of a :class:`pk.PKResult` that can drive the block.
SITES = ("plasma", "effect_fast", "effect_slow")


def dorsal_horn_gain(sensitisation=0.0, block_fraction=0.0, inhibition=0.0, facilitation=0.0):
    """Total gain of pain transmission: spinal gain (sensitisation S, NMDA block) × descending gain (I, F).

    G = (1 + gain_max·S·(1 − block)) · (1 − I + F). The product of the two gains is an assumption of this
    composition; each factor is illustrative (see :mod:`helpers.models.spinal` and
    :mod:`helpers.models.descending`).

    Parameters
    ----------
    sensitisation : float or array_like
        Sensitisation state S, 0–1.
    block_fraction : float or array_like
        Fraction of NMDA receptors blocked, 0–1.
    inhibition : float or array_like
        Descending inhibition I, 0–1.
    facilitation : float or array_like
        Descending facilitation F, 0–2.

    Returns
    -------
    float or numpy.ndarray
        The gain G (1 = normal transmission); arrays broadcast.
    """
    g = np.asarray(spinal.transmission_gain(sensitisation, block_fraction)) * np.asarray(
        descending.descending_gain(inhibition, facilitation))
    return float(g) if g.ndim == 0 else g


def pain(stimulus, sensitisation=0.0, block_fraction=0.0, inhibition=0.0, facilitation=0.0):
    """Pain rating (0–10) of a stimulus (0–10 intensity scale) through :func:`dorsal_horn_gain`.

    Parameters
    ----------
    stimulus : float or array_like
        Stimulus intensity on the 0–10 scale of notebook 02.
    sensitisation : float or array_like
        Sensitisation state S, 0–1.
    block_fraction : float or array_like
        Fraction of NMDA receptors blocked, 0–1.
    inhibition : float or array_like
        Descending inhibition I, 0–1.
    facilitation : float or array_like
        Descending facilitation F, 0–2.

    Returns
    -------
    float or numpy.ndarray
        Pain rating, 0–10 (illustrative stimulus–response curve of :func:`helpers.models.spinal.rating`).
    """
    return spinal.rating(stimulus, dorsal_horn_gain(sensitisation, block_fraction, inhibition, facilitation))


@dataclass(frozen=True)
class PainCourse:
    """One run of the composed model at times ``t_h`` (arrays shaped like ``t_h``).

    Attributes
    ----------
    t_h : numpy.ndarray
        Times (h).
    concentration_ng_ml : numpy.ndarray
        Concentration that drives the block (ng/mL).
    block_fraction : numpy.ndarray
        Fraction of NMDA receptors blocked.
    sensitisation : numpy.ndarray
        Sensitisation state S.
    gain : numpy.ndarray
        Total transmission gain (spinal × descending).
    pain : numpy.ndarray
        Pain rating of ``stimulus``, 0–10.
    stimulus : float
        The rated stimulus, 0–10.
    blocker : str
        Receptor-layer blocker name.
    site : str
        Where the concentration was taken ("plasma", "effect_fast", "effect_slow" or "given").
    """

    t_h: np.ndarray
    concentration_ng_ml: np.ndarray
    block_fraction: np.ndarray
    sensitisation: np.ndarray
    gain: np.ndarray
    pain: np.ndarray
    stimulus: float
    blocker: str
    site: str

    @property
    def baseline_pain(self) -> float:
        """Pain at the first time point (before any drug, when the course starts drug-free)."""
        return float(self.pain[0])

    @property
    def lowest_pain(self) -> float:
        """Lowest pain rating over the course."""
        return float(self.pain.min())


def pain_course(t_h, concentration_ng_ml, *, blocker: str = "S-ketamine", drive=1.0, s0: float | None = None,
                stimulus: float = spinal.PAINFUL_STIMULUS, inhibition=0.0, facilitation=0.0,
                site: str = "given") -> PainCourse:
    """Chain a concentration time course through block, sensitisation, gain and pain.

    ``t_h`` (h, 1-D, non-decreasing) and ``concentration_ng_ml`` (same length, >= 0) of ``blocker`` (a key of
    :data:`receptor.BLOCKERS`). ``drive`` (number or array, >= 0): ongoing nociceptive input of the
    sensitisation layer (1 = reference). ``s0``: sensitisation at ``t_h[0]``; default the steady state at the
    first drive and block (a person who has had the pain for a long time). ``stimulus``: the rated stimulus on
    the 0–10 scale (default the painful stimulus 6 of notebook 02). ``inhibition``/``facilitation``: the
    descending balance (numbers or arrays). ``site`` only labels where the concentration was taken.

    Parameters
    ----------
    t_h : array_like
        Times (h), 1-D, non-decreasing.
    concentration_ng_ml : array_like
        Concentration of ``blocker`` at those times (ng/mL, >= 0).
    blocker : str
        A key of :data:`helpers.models.receptor.BLOCKERS`.
    drive : float or array_like
        Ongoing nociceptive input (1 = reference).
    s0 : float, optional
        Sensitisation at ``t_h[0]``; default the steady state at the first drive and block.
    stimulus : float
        Rated stimulus, 0–10.
    inhibition, facilitation : float or array_like
        Descending balance.
    site : str
        Label of where the concentration was taken.

    Returns
    -------
    PainCourse
        Block, sensitisation, gain and pain at every time.
    """
    t = v.time_array(t_h, "t_h")
    c = v.array(concentration_ng_ml, "concentration_ng_ml", low=0.0, ndim_max=1)
    if c.shape != t.shape:
        raise ValueError(f"concentration_ng_ml must have the shape of t_h {t.shape}, got {c.shape}")
    v.choice(blocker, "blocker", receptor.BLOCKERS)
    x = v.in_range(stimulus, "stimulus", 0.0, 10.0)
    block = np.asarray(receptor.block_at_plasma(c, blocker), dtype=float)
    d0 = float(np.ravel(v.array(drive, "drive", low=0.0, high=spinal.DRIVE_MAX))[0])
    start = spinal.sensitisation_steady_state(d0, float(block[0])) if s0 is None else v.fraction(s0, "s0")
    s = spinal.sensitisation_course(t, drive, block, start)
    g = np.asarray(dorsal_horn_gain(s, block, inhibition, facilitation), dtype=float)
    g = np.broadcast_to(g, t.shape).copy()
    p = np.asarray(spinal.rating(x, g), dtype=float)
    return PainCourse(t_h=t, concentration_ng_ml=c, block_fraction=block, sensitisation=s, gain=g, pain=p,
                      stimulus=x, blocker=blocker, site=site)


def pain_course_from_pk(result: pk.PKResult, *, site: str = "effect_fast", **kwargs) -> PainCourse:
    """:func:`pain_course` driven by one concentration of a :class:`pk.PKResult`.

    ``site``: "plasma", "effect_fast" (t½ 6.1 min, Olofsen 2012) or "effect_slow" (t½ 10.9 d, Dahan 2011) — the
    block is computed from that concentration with the blocker of the PK model's drug (S-ketamine or the
    racemate). Which site governs sensitisation is not known; the choice is the caller's assumption.

    Parameters
    ----------
    result : helpers.models.pk.PKResult
        A PK result (from :func:`helpers.models.pk.simulate` or ``Solution.at``).
    site : {"plasma", "effect_fast", "effect_slow"}
        Which concentration drives the block.
    **kwargs
        Passed on to :func:`pain_course` (not ``blocker``).

    Returns
    -------
    PainCourse
        The composed model driven by that concentration.

    References
    ----------
    olofsen_2012, dahan_2011 (effect-site half-lives).
    """
    if not isinstance(result, pk.PKResult):
        raise ValueError(f"result must be a pk.PKResult (from pk.simulate), got {type(result).__name__}")
    site = v.choice(site, "site", SITES)
    if "blocker" in kwargs:
        raise ValueError("blocker is set by the PK model's drug; do not pass it to pain_course_from_pk")
    conc = getattr(result, f"{site}_ng_ml")
    return pain_course(result.t_h, conc, blocker=BLOCKER_OF_DRUG[result.drug], site=site, **kwargs)


# The headline model of notebook 05 (relief duration, virtual cohort) lives in models.relief, which builds on
# this composition; its two contract functions are also reachable here.
from .relief import cohort_relief_days, relief_duration_days  # noqa: E402

__all__ += ["relief_duration_days", "cohort_relief_days"]
