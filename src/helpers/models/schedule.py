"""Booster schedules over a year, on top of the relief model of notebook 05 (notebook 06).

A schedule is an optional initial course followed by boosters, either at a fixed interval or on the published
tapering protocol; :func:`year_outcome` runs it through one exact PK solution (:func:`pk.solve`) and the two
explanations of lasting relief of :mod:`helpers.models.relief` ("biophase" and "reset"), for the typical patient
and a virtual cohort, and reports the share of the year with relief at or above a threshold, the infusion days,
the cumulative dose and the hours plasma spends above side-effect levels.

What is cited and what is ours
------------------------------
* Tapering protocol (Schwartzman/Getson, as described by Medscape; cited): a 5-day inpatient course, then 4-h
  boosters of 100–200 mg, at first 1–2 a week, then every other week for a month, monthly for 3 months, then
  every 3 months. How long the weekly phase lasts is not stated: 4 weekly boosters here (assumed). The
  initial course is held at the protocol's starting rate, 20 mg/h racemic for 5 days (the steps up to 40 mg/h
  depend on the patient; assumed).
* "Every 4–6 weeks" is the average interval between boosters a clinic reports (clinic practice, not a trial).
* Pickering 2020: a single 0.5 mg/kg dose every 35 days, no benefit. Its infusion length is not in our
  sources: 40 min here (the length of other 0.5 mg/kg protocols; assumed).
* A "short course" booster is 3 daily 4-h sessions (assumed; clinics describe boosters of 1–2 back-to-back
  sessions).
* Virtual cohort: the spread of :data:`relief.SPREAD`. A patient's concentrations are the typical patient's
  scaled by CL_typical / CL_i (assumed): exact for the exposure (AUC = dose / CL in a linear model) that drives
  the slow site, approximate for the level during an infusion.
* Side-effect levels (:data:`SIDE_EFFECT_LEVELS`) are cited; applying them to the plasma level of the drug
  given, whichever drug the study used, is assumed.

There is no liver-injury model here: the safety notebook shows the published cases and a monitoring timeline,
and any exposure measure drawn there (:func:`cumulative_dose_mg`) is illustrative.

Teaching material, not dosing advice.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import _validate as v
from ..vocab import ASSUMED, CITED, DRUGS, EVIDENCE_LABELS, RACEMIC, S_KETAMINE
from . import pk, receptor, relief

__all__ = [
    "WEEKS", "INTERVAL_RANGE_WEEKS", "CLINIC_INTERVAL_WEEKS", "PICKERING_INTERVAL_DAYS", "SESSION_H",
    "SHORT_COURSE_SESSIONS", "SINGLE_DOSE_MG_PER_KG", "SINGLE_DOSE_MIN", "INITIAL_RATE_MG_PER_H",
    "INITIAL_DAYS", "BOOSTER_TYPES", "INITIAL_COURSES", "TAPER_WEEKS", "SideEffectLevel", "SIDE_EFFECT_LEVELS",
    "Schedule", "initial_course", "booster", "interval_schedule", "tapering_schedule", "YearOutcome",
    "year_outcome", "IntervalSweep", "relief_days_vs_interval", "hours_above", "infusion_days",
    "cumulative_dose_mg", "time_at_or_above", "REFERENCE_KEYS",
]

#: Length of a schedule (weeks).
WEEKS = 52
#: Range of booster intervals the notebook explores (weeks).
INTERVAL_RANGE_WEEKS = (2, 16)
#: The interval clinics report as typical (weeks): clinic practice, not a trial.
CLINIC_INTERVAL_WEEKS = (4, 6)
#: Pickering 2020: one dose every 35 days.
PICKERING_INTERVAL_DAYS = 35
#: One booster session (h): the protocol's 4-h outpatient booster.
SESSION_H = 4.0
#: Daily sessions of a "short course" booster (assumed).
SHORT_COURSE_SESSIONS = 3
#: Pickering 2020's single dose (mg/kg) and its assumed infusion length (min).
SINGLE_DOSE_MG_PER_KG = 0.5
SINGLE_DOSE_MIN = 40.0
#: Initial course: the tapering protocol's starting rate (mg/h racemic), held for 5 days (assumed).
INITIAL_RATE_MG_PER_H = 20.0
INITIAL_DAYS = 5
#: Booster kinds: one 4-h session, a short course of daily 4-h sessions, Pickering's single 0.5 mg/kg dose.
BOOSTER_TYPES = ("session", "short_course", "single_dose")
#: Initial courses: the protocol's 5-day infusion, or none.
INITIAL_COURSES = ("infusion_5d", "none")
#: Weeks (from the start) of the tapering protocol's boosters: 4 weekly (the length of this phase assumed),
#: every other week for a month, monthly for 3 months, then every 3 months.
TAPER_WEEKS = (1, 2, 3, 4, 6, 8, 12, 16, 20, 33, 46)
#: Keys of the reference data behind the numbers of this module.
#: (The tapering protocol is described on Medscape's CRPS page and the 4–6 weeks on a clinic's page; neither is
#: a paper, so neither is in the reference data.)
REFERENCE_KEYS = ("schwartzman_2009", "patil_anitescu_2012", "pickering_2020", "bowdle_1998",
                  "zanos_2018", "sigtermans_2009_anesthesiology", "dahan_2011")

_H_PER_DAY = 24.0
_H_PER_WEEK = 168.0
_GRID_DT_H = 6.0                 # even grid over the year (relief changes over days)
_AFTER_EVENT_H = 24.0            # geometric points after each dosing boundary resolve the fast fall of plasma
_AFTER_EVENT_POINTS = 16
_MODEL = relief.MODEL_FOR_DRUG[RACEMIC]


@dataclass(frozen=True)
class SideEffectLevel:
    """A plasma level at which a side effect is reported.

    Parameters
    ----------
    key : str
        Short name.
    ng_ml : float
        Plasma level (ng/mL).
    label : str
        How figures and text name it.
    drug : str
        Drug the source measured.
    reference : str
        Key of the reference data.
    evidence : str
        "cited".
    """

    key: str
    ng_ml: float
    label: str
    drug: str
    reference: str
    evidence: str = CITED

    def __post_init__(self):
        v.positive(self.ng_ml, "ng_ml")
        v.choice(self.drug, "drug", DRUGS)
        v.choice(self.evidence, "evidence", EVIDENCE_LABELS)


#: Side-effect levels, lowest first (each cited; applying them to either drug is assumed).
SIDE_EFFECT_LEVELS = (
    SideEffectLevel("cardiac", 40.0, "cardiac output up (40 ng/mL)", S_KETAMINE, "sigtermans_2009_anesthesiology"),
    SideEffectLevel("psychotomimetic", 50.0, "psychedelic symptoms begin (50 ng/mL)", RACEMIC, "bowdle_1998"),
    SideEffectLevel("dissociation", 100.0, "dissociation (100 ng/mL)", RACEMIC, "zanos_2018"),
    SideEffectLevel("strong_psychotomimetic", 200.0, "strong psychedelic symptoms (200 ng/mL)", RACEMIC,
                    "bowdle_1998"),
)


# ---------------------------------------------------------------------------------------------------------
# Building schedules
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    """An initial course and boosters over a window of weeks.

    Parameters
    ----------
    label : str
        How the text names it.
    initial : tuple
        Events of the initial course (pk infusions; may be empty).
    boosters : tuple of tuple
        Events of each booster.
    weeks : float
        Window (weeks from the first dose).
    model : str
        PK model (a key of ``pk.MODELS``).
    weight_kg : float
        Body weight (kg).
    evidence : str
        Weakest label of the schedule's numbers.
    """

    label: str
    initial: tuple
    boosters: tuple
    weeks: float
    model: str = _MODEL
    weight_kg: float = 70.0
    evidence: str = ASSUMED

    @property
    def regimen(self) -> tuple:
        """Every event of the schedule, initial course first."""
        return tuple(self.initial) + tuple(ev for b in self.boosters for ev in b)

    @property
    def booster_starts_h(self) -> tuple:
        """Start of each booster (h)."""
        return tuple(min(ev.start_h for ev in b) for b in self.boosters)

    @property
    def window_h(self) -> float:
        """The window (h)."""
        return self.weeks * _H_PER_WEEK


def initial_course(kind: str = "infusion_5d") -> tuple:
    """The initial course: the tapering protocol's 5-day infusion, or none.

    Parameters
    ----------
    kind : {"infusion_5d", "none"}
        Which course.

    Returns
    -------
    tuple
        pk infusions (empty for "none").

    References
    ----------
    The Schwartzman/Getson protocol on Medscape's CRPS page (5-day course starting at 20 mg/h; held at 20 mg/h:
    assumed); schwartzman_2009.
    """
    kind = v.choice(kind, "initial", INITIAL_COURSES)
    if kind == "none":
        return ()
    return (pk.infusion(INITIAL_RATE_MG_PER_H, INITIAL_DAYS * _H_PER_DAY),)


def booster(kind: str, start_h: float, *, dose_mg: float = 100.0, weight_kg: float = 70.0) -> tuple:
    """The events of one booster.

    Parameters
    ----------
    kind : {"session", "short_course", "single_dose"}
        One 4-h session of ``dose_mg``; 3 daily 4-h sessions of ``dose_mg`` each; or a single 0.5 mg/kg dose
        over 40 min (Pickering 2020; ``dose_mg`` ignored).
    start_h : float
        Start (h), >= 0.
    dose_mg : float, keyword-only
        Dose per 4-h session (mg), in [10, 400].
    weight_kg : float, keyword-only
        Body weight (kg) for the mg/kg dose.

    Returns
    -------
    tuple
        pk infusions.

    References
    ----------
    The Schwartzman/Getson protocol on Medscape's CRPS page (4-h boosters of 100–200 mg); pickering_2020
    (0.5 mg/kg).
    """
    kind = v.choice(kind, "booster", BOOSTER_TYPES)
    start = v.nonnegative(start_h, "start_h")
    dose = v.in_range(dose_mg, "dose_mg", 10.0, 400.0)
    w = v.in_range(weight_kg, "weight_kg", *pk.WEIGHT_RANGE_KG)
    if kind == "single_dose":
        hours = SINGLE_DOSE_MIN / 60.0
        return (pk.infusion(SINGLE_DOSE_MG_PER_KG * w / hours, hours, start),)
    days = 1 if kind == "session" else SHORT_COURSE_SESSIONS
    return pk.course(dose / SESSION_H, SESSION_H, days, start_h=start)


def _check_common(booster_kind, dose_mg, initial, weeks, weight_kg):
    v.choice(booster_kind, "booster", BOOSTER_TYPES)
    v.in_range(dose_mg, "dose_mg", 10.0, 400.0)
    v.choice(initial, "initial", INITIAL_COURSES)
    v.in_range(weeks, "weeks", 4.0, 104.0)
    v.in_range(weight_kg, "weight_kg", *pk.WEIGHT_RANGE_KG)


def interval_schedule(interval_weeks: float, *, booster_kind: str = "session", dose_mg: float = 100.0,
                      initial: str = "infusion_5d", weeks: float = WEEKS, weight_kg: float = 70.0) -> Schedule:
    """Boosters at a fixed interval after an optional initial course.

    Boosters start every ``interval_weeks`` counted from the first dose (the first one interval after it when
    there is an initial course; at time 0 when there is none), while they start inside the window.

    Parameters
    ----------
    interval_weeks : float
        Start-to-start interval (weeks), in [1, 52].
    booster_kind : {"session", "short_course", "single_dose"}, keyword-only
        Kind of each booster (:func:`booster`).
    dose_mg : float, keyword-only
        Dose per 4-h session (mg), in [10, 400].
    initial : {"infusion_5d", "none"}, keyword-only
        Initial course.
    weeks : float, keyword-only
        Window (weeks), in [4, 104].
    weight_kg : float, keyword-only
        Body weight (kg).

    Returns
    -------
    Schedule
        The schedule (racemic ketamine, Clements & Nimmo model).

    References
    ----------
    A clinic's web page (4–6 weeks: clinic practice); patil_anitescu_2012; pickering_2020 (every 35 days).
    """
    every = v.in_range(interval_weeks, "interval_weeks", 1.0, 52.0) * _H_PER_WEEK
    _check_common(booster_kind, dose_mg, initial, weeks, weight_kg)
    first = initial_course(initial)
    k0 = 1 if first else 0
    starts = [k * every for k in range(k0, int(weeks * _H_PER_WEEK / every) + 2) if k * every < weeks * _H_PER_WEEK]
    boosters = tuple(booster(booster_kind, s, dose_mg=dose_mg, weight_kg=weight_kg) for s in starts)
    label = f"boosters every {interval_weeks:g} weeks"
    return Schedule(label=label, initial=first, boosters=boosters, weeks=float(weeks), weight_kg=float(weight_kg))


def tapering_schedule(*, booster_kind: str = "session", dose_mg: float = 100.0, initial: str = "infusion_5d",
                      weeks: float = WEEKS, weight_kg: float = 70.0) -> Schedule:
    """The published tapering booster protocol: weekly, then every other week, monthly, then every 3 months.

    Parameters
    ----------
    booster_kind : {"session", "short_course", "single_dose"}, keyword-only
        Kind of each booster.
    dose_mg : float, keyword-only
        Dose per 4-h session (mg), in [10, 400].
    initial : {"infusion_5d", "none"}, keyword-only
        Initial course.
    weeks : float, keyword-only
        Window (weeks), in [4, 104].
    weight_kg : float, keyword-only
        Body weight (kg).

    Returns
    -------
    Schedule
        Boosters at :data:`TAPER_WEEKS` (and every 13 weeks after week 46 in a longer window).

    References
    ----------
    The Schwartzman/Getson protocol on Medscape's CRPS page; schwartzman_2009.
    """
    _check_common(booster_kind, dose_mg, initial, weeks, weight_kg)
    wks = list(TAPER_WEEKS)
    while wks[-1] + 13 < weeks:
        wks.append(wks[-1] + 13)
    starts = [w * _H_PER_WEEK for w in wks if w < weeks]
    boosters = tuple(booster(booster_kind, s, dose_mg=dose_mg, weight_kg=weight_kg) for s in starts)
    return Schedule(label="tapering protocol", initial=initial_course(initial), boosters=boosters,
                    weeks=float(weeks), weight_kg=float(weight_kg))


# ---------------------------------------------------------------------------------------------------------
# Measures that need no relief model
# ---------------------------------------------------------------------------------------------------------

def _events(regimen) -> tuple:
    out, stack = [], [regimen]
    while stack:
        item = stack.pop()
        if isinstance(item, (pk.Bolus, pk.Infusion)):
            out.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        else:
            raise ValueError(f"regimen must hold pk.infusion / pk.bolus events (or lists of them), got {item!r}")
    events = tuple(out)
    if not events:
        raise ValueError(f"regimen must hold at least one dosing event, got {regimen!r}")
    return events


def infusion_days(regimen) -> int:
    """Number of calendar days (0 h to 24 h, 24 h to 48 h, ...) on which any dose runs.

    Parameters
    ----------
    regimen : pk event or sequence of pk events
        The doses.

    Returns
    -------
    int
        Days with at least part of an infusion or a bolus.
    """
    days = set()
    for ev in _events(regimen):
        if isinstance(ev, pk.Bolus):
            days.add(int(ev.at_h // _H_PER_DAY))
            continue
        first = int(ev.start_h // _H_PER_DAY)
        last = int(math.ceil((ev.start_h + ev.duration_h) / _H_PER_DAY)) - 1
        days.update(range(first, max(first, last) + 1))
    return len(days)


def cumulative_dose_mg(regimen, t_h) -> np.ndarray:
    """Dose given up to each time (mg): an exposure measure, not a model of any organ.

    Parameters
    ----------
    regimen : pk event or sequence of pk events
        The doses.
    t_h : array_like
        Times (h), 1-D, non-decreasing.

    Returns
    -------
    numpy.ndarray
        Cumulative dose (mg) at ``t_h``; at the end it equals ``pk.total_dose_mg(regimen)``.
    """
    t = v.time_array(t_h, "t_h")
    out = np.zeros_like(t)
    for ev in _events(regimen):
        if isinstance(ev, pk.Bolus):
            out += np.where(t >= ev.at_h, ev.dose_mg, 0.0)
        else:
            out += ev.rate_mg_per_h * np.clip(t - ev.start_h, 0.0, ev.duration_h)
    return out


def hours_above(regimen, levels_ng_ml=None, *, model=_MODEL, weight_kg: float = 70.0) -> dict:
    """Hours plasma spends above each level, from the exact PK solution (every crossing located).

    Parameters
    ----------
    regimen : pk event or sequence of pk events
        The doses.
    levels_ng_ml : sequence of float, optional
        Levels (ng/mL, > 0); default those of :data:`SIDE_EFFECT_LEVELS`.
    model : str or pk parameter set, keyword-only
        PK model; default "clements_nimmo_1981" (racemic).
    weight_kg : float, keyword-only
        Body weight (kg).

    Returns
    -------
    dict of float to float
        Level -> hours above it over the whole course.

    References
    ----------
    bowdle_1998, zanos_2018, sigtermans_2009_anesthesiology (the default levels).
    """
    levels = tuple(lv.ng_ml for lv in SIDE_EFFECT_LEVELS) if levels_ng_ml is None else tuple(
        v.positive(x, "levels_ng_ml") for x in levels_ng_ml)
    return dict(_hours_above(_events(regimen), levels, model, float(weight_kg)))


@lru_cache(maxsize=128)
def _hours_above(events: tuple, levels: tuple, model, weight_kg: float) -> tuple:
    sol = pk.solve(events, model=model, weight_kg=weight_kg)
    peak = sol.peak()[1]
    # below the peak there is nothing to locate: skip the exact crossing search
    return tuple((lv, sol.time_above(lv) if lv < peak else 0.0) for lv in levels)


def time_at_or_above(t, values, threshold: float) -> np.ndarray:
    """Time (same unit as ``t``) a piecewise-linear curve spends at or above ``threshold``.

    Exact for the straight line between samples; rows of a 2-D ``values`` are separate curves.

    Parameters
    ----------
    t : array_like
        Sample times, 1-D, non-decreasing.
    values : array_like
        Samples, shape (..., len(t)).
    threshold : float
        The level.

    Returns
    -------
    float or numpy.ndarray
        Time at or above, one per row.
    """
    t = v.time_array(t, "t")
    y = np.asarray(values, dtype=float)
    if y.shape[-1] != t.size:
        raise ValueError(f"values must have the length of t ({t.size}) on their last axis, got {y.shape}")
    thr = v.number(threshold, "threshold")
    y0, y1 = y[..., :-1], y[..., 1:]
    a0, a1 = y0 >= thr, y1 >= thr
    hi = np.maximum(y0, y1)
    span = np.abs(y1 - y0)
    part = np.divide(hi - thr, span, out=np.zeros_like(span), where=span > 0)
    frac = np.where(a0 & a1, 1.0, np.where(a0 | a1, np.clip(part, 0.0, 1.0), 0.0))
    out = np.sum(frac * np.diff(t), axis=-1)
    return float(out) if np.ndim(out) == 0 else out


# ---------------------------------------------------------------------------------------------------------
# The year: relief for the typical patient and the cohort
# ---------------------------------------------------------------------------------------------------------

def _grid(events, window_h: float) -> np.ndarray:
    bounds = set()
    for ev in events:
        if isinstance(ev, pk.Bolus):
            bounds.add(ev.at_h)
        else:
            bounds.update((ev.start_h, ev.start_h + ev.duration_h))
            bounds.update(ev.start_h + np.linspace(0.0, ev.duration_h, 5)[1:-1])
    b = np.array(sorted(x for x in bounds if x <= window_h))
    after = np.geomspace(1e-2, _AFTER_EVENT_H, _AFTER_EVENT_POINTS)
    parts = [np.arange(0.0, window_h, _GRID_DT_H), [window_h], b, (b[:, None] + after[None, :]).ravel()]
    t = np.unique(np.concatenate(parts))
    return t[t <= window_h]


def _filter(t_h, conc, ke0_per_h):
    """y' = ke0 (c − y), y(0) = 0, for c linear between samples; rows of ``ke0_per_h`` are patients.

    Each step is exact: y1 = y0 e^{−x} + c1 − c0 e^{−x} − m Δt (1 − e^{−x})/x with x = ke0 Δt and m the slope.
    A loop over the steps would be slow in numpy, so the recurrence runs as a scaled cumulative sum; the
    scale e^{ke0 t} stays far from overflow for t½ >= 1 day over two years.
    """
    k = np.asarray(ke0_per_h, dtype=float)[:, None]
    dt = np.diff(t_h)
    x = k * dt
    decay = np.exp(-x)
    # (1 − e^{−x})/x, by its series where x is too small for the difference to keep its digits
    ratio = np.where(x > 1e-8, -np.expm1(-x) / np.where(x > 0, x, 1.0), 1.0 - 0.5 * x)
    c0, c1 = conc[:-1], conc[1:]
    rise = np.diff(conc)                                   # slope · Δt
    beta = c1 - c0 * decay - rise * ratio
    scale = np.exp(np.cumsum(x, axis=-1))
    out = np.zeros((k.shape[0], t_h.size))
    np.divide(np.cumsum(beta * scale, axis=-1), scale, out=out[:, 1:])
    return np.maximum(out, 0.0, out=out)


@dataclass(frozen=True, eq=False)
class _Patients:
    conc_factor: np.ndarray
    c50_slow: np.ndarray
    t_half_slow_days: np.ndarray
    rebuild_days: np.ndarray
    decay_per_day: np.ndarray
    responder: np.ndarray


@lru_cache(maxsize=16)
def _patients(n: int, seed: int) -> _Patients:
    s = relief.SPREAD
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((5, n))
    u = rng.random(n)
    b, r = relief.BIOPHASE, relief.RESET
    return _Patients(conc_factor=np.exp(-s.clearance_sigma * z[0]),
                     c50_slow=b.c50_slow_ng_ml * np.exp(s.c50_sigma * z[1]),
                     t_half_slow_days=np.clip(b.t_half_slow_days * np.exp(s.t_half_sigma * z[2]), 1.0, 60.0),
                     rebuild_days=r.rebuild_days * np.exp(s.reset_sigma * z[3]),
                     decay_per_day=r.decay_per_day * np.exp(s.reset_sigma * z[4]),
                     responder=u < s.responder_probability)


def _typical() -> _Patients:
    b, r = relief.BIOPHASE, relief.RESET
    one = np.ones(1)
    return _Patients(conc_factor=one, c50_slow=one * b.c50_slow_ng_ml, t_half_slow_days=one * b.t_half_slow_days,
                     rebuild_days=one * r.rebuild_days, decay_per_day=one * r.decay_per_day,
                     responder=np.ones(1, dtype=bool))


def _relief_rows(hyp: str, t, plasma_eq, fast_eq, pts: _Patients):
    """Relief (rows = patients) of one explanation from the typical S-ketamine-equivalent levels."""
    f = pts.conc_factor[:, None]
    fast = fast_eq[None, :] * f
    if hyp == "biophase":
        ke0 = math.log(2.0) / (pts.t_half_slow_days * _H_PER_DAY)
        # a Hill curve depends on c / C50 only, so a patient's own C50 is carried by rescaling its level
        slow = _filter(t, plasma_eq, ke0) * (f * relief.BIOPHASE.c50_slow_ng_ml / pts.c50_slow[:, None])
        return np.asarray(relief.biophase_relief(fast, slow, relief.BIOPHASE))
    block = receptor.block_at_plasma(fast, S_KETAMINE)
    # relief.reset_state_course for every patient at once (its solver takes per-row rates; one call instead of a
    # Python loop over the cohort); tests/test_schedule.py checks it against the public function per patient.
    s = relief._slow_state(t, block, pts.rebuild_days[:, None] * _H_PER_DAY,
                           pts.decay_per_day[:, None] / _H_PER_DAY, 1.0)
    return 1.0 - np.asarray(relief.reset_pain(s, block)) / relief.BASELINE_PAIN_NRS


def _percentiles(rows, qs) -> list:
    """np.percentile(rows, qs, axis=0) (linear interpolation) from one sort: several times faster than it."""
    srt = np.sort(rows, axis=0)
    n = srt.shape[0]
    out = []
    for q in qs:
        pos = (n - 1) * q / 100.0
        i = min(int(math.floor(pos)), n - 1)
        f = pos - i
        out.append(srt[i] if f == 0.0 else srt[i] * (1.0 - f) + srt[min(i + 1, n - 1)] * f)
    return out


@dataclass(frozen=True, eq=False)
class YearOutcome:
    """A schedule over its window: relief of the typical patient and the cohort, dose and exposure.

    Parameters
    ----------
    schedule : Schedule
        The schedule.
    hypothesis : str
        Explanation of lasting relief used for the cohort and the headline numbers.
    threshold : float
        Relief threshold (fraction of baseline pain).
    t_h : numpy.ndarray
        Times (h) of the curves.
    plasma_ng_ml : numpy.ndarray
        Plasma racemic ketamine (ng/mL).
    relief : numpy.ndarray
        Relief of the typical patient under ``hypothesis``.
    relief_other : numpy.ndarray
        Relief of the typical patient under the other explanation.
    band_low, band_median, band_high : numpy.ndarray
        10th, 50th and 90th percentile of relief among the cohort's responders at each time.
    relief_days : float
        Days of the window with relief at or above ``threshold``, typical patient.
    relief_days_other : float
        The same under the other explanation.
    cohort_days : tuple of float
        10th, 50th and 90th percentile of those days among responders.
    responder_share : float
        Share of the cohort that responds at all (non-responders have 0 days).
    infusion_days : int
        Calendar days with a dose.
    cumulative_dose_mg : float
        Total dose (mg).
    hours_above : tuple of (float, float)
        (level ng/mL, hours above) for :data:`SIDE_EFFECT_LEVELS`.
    peak_ng_ml : float
        Highest plasma level.
    spans_h : tuple of (float, float)
        (start, end) of each infusion.
    n_boosters : int
        Number of boosters.
    window_days : float
        Length of the window (days).
    """

    schedule: Schedule
    hypothesis: str
    threshold: float
    t_h: np.ndarray
    plasma_ng_ml: np.ndarray
    relief: np.ndarray
    relief_other: np.ndarray
    band_low: np.ndarray
    band_median: np.ndarray
    band_high: np.ndarray
    relief_days: float
    relief_days_other: float
    cohort_days: tuple
    responder_share: float
    infusion_days: int
    cumulative_dose_mg: float
    hours_above: tuple
    peak_ng_ml: float
    spans_h: tuple
    n_boosters: int
    window_days: float

    @property
    def relief_share(self) -> float:
        """Share of the window with relief at or above the threshold, typical patient."""
        return self.relief_days / self.window_days


def _pk_levels(schedule: Schedule, t):
    sol = pk.solve(schedule.regimen, model=schedule.model, weight_kg=schedule.weight_kg)
    res = sol.at(t)
    drug = sol.drug
    plasma = np.maximum(np.asarray(res.plasma_ng_ml), 0.0)
    plasma_eq = relief.s_ketamine_equivalent_ng_ml(plasma, drug)
    fast_eq = relief.s_ketamine_equivalent_ng_ml(np.maximum(np.asarray(res.effect_fast_ng_ml), 0.0), drug)
    return sol, plasma, plasma_eq, fast_eq


def year_outcome(schedule: Schedule, *, hypothesis: str = "biophase", threshold: float = relief.DEFAULT_THRESHOLD,
                 n: int = 200, seed: int = 0) -> YearOutcome:
    """Run a schedule through the PK model and both explanations of relief, for the typical patient and a cohort.

    One exact PK solution of the whole schedule; the relief curves are sampled every 6 h plus points that
    resolve each dose, and the days at or above the threshold are counted on the straight line between samples.

    Parameters
    ----------
    schedule : Schedule
        From :func:`interval_schedule` or :func:`tapering_schedule`.
    hypothesis : {"biophase", "reset"}, keyword-only
        Explanation used for the cohort and the headline numbers (the other is given for the typical patient).
    threshold : float, keyword-only
        Relief threshold in [0.05, 0.95]; default 0.3.
    n : int, keyword-only
        Virtual patients, 20 to 2000.
    seed : int, keyword-only
        Seed of the cohort (>= 0).

    Returns
    -------
    YearOutcome
        Curves and numbers.

    References
    ----------
    dahan_2011, fanta_2015, clements_nimmo_1981 (through :mod:`helpers.models.relief`).
    """
    if not isinstance(schedule, Schedule):
        raise ValueError(f"schedule must be a Schedule, got {schedule!r}")
    hyp = v.choice(hypothesis, "hypothesis", relief.HYPOTHESES)
    thr = v.in_range(threshold, "threshold", *relief.THRESHOLD_RANGE)
    n = v.integer(n, "n", 20, 2000)
    seed = v.integer(seed, "seed", 0)
    return _year_outcome(schedule, hyp, float(thr), int(n), int(seed))


# A slider that goes back over its steps finds every setting here (Schedule is frozen and hashable; the arrays of
# a YearOutcome are read-only, so sharing one is safe).
@lru_cache(maxsize=64)
def _year_outcome(schedule, hyp, thr, n, seed) -> YearOutcome:
    events = _events(schedule.regimen)
    t = _grid(events, schedule.window_h)
    sol, plasma, plasma_eq, fast_eq = _pk_levels(schedule, t)
    other = "reset" if hyp == "biophase" else "biophase"
    typ = _typical()
    r_typ = _relief_rows(hyp, t, plasma_eq, fast_eq, typ)[0]
    r_other = _relief_rows(other, t, plasma_eq, fast_eq, typ)[0]
    pts = _patients(n, seed)
    resp = _Patients(*(getattr(pts, f)[pts.responder] for f in
                       ("conc_factor", "c50_slow", "t_half_slow_days", "rebuild_days", "decay_per_day")),
                     responder=pts.responder[pts.responder])
    rows = _relief_rows(hyp, t, plasma_eq, fast_eq, resp)
    days_rows = time_at_or_above(t, rows, thr) / _H_PER_DAY
    lo, med, hi = _percentiles(rows, (10, 50, 90))
    for a in (t, plasma, r_typ, r_other, lo, med, hi):
        a.setflags(write=False)
    spans = tuple((ev.start_h, ev.start_h + ev.duration_h) if isinstance(ev, pk.Infusion) else (ev.at_h, ev.at_h)
                  for ev in events)
    return YearOutcome(
        schedule=schedule, hypothesis=hyp, threshold=thr, t_h=t, plasma_ng_ml=plasma, relief=r_typ,
        relief_other=r_other, band_low=lo, band_median=med, band_high=hi,
        relief_days=float(time_at_or_above(t, r_typ, thr)) / _H_PER_DAY,
        relief_days_other=float(time_at_or_above(t, r_other, thr)) / _H_PER_DAY,
        cohort_days=tuple(float(x) for x in np.percentile(days_rows, [10, 50, 90])),
        responder_share=float(np.mean(pts.responder)), infusion_days=infusion_days(events),
        cumulative_dose_mg=pk.total_dose_mg(events),
        hours_above=tuple(hours_above(events, model=schedule.model, weight_kg=schedule.weight_kg).items()),
        peak_ng_ml=float(sol.peak()[1]), spans_h=spans, n_boosters=len(schedule.boosters),
        window_days=schedule.window_h / _H_PER_DAY)


# ---------------------------------------------------------------------------------------------------------
# Relief days against the booster interval (typical patient, both explanations)
# ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class IntervalSweep:
    """Relief days of the typical patient against the booster interval, both explanations.

    Parameters
    ----------
    interval_weeks : numpy.ndarray
        Intervals (weeks).
    biophase_days, reset_days : numpy.ndarray
        Days of the window with relief at or above the threshold.
    dose_mg : numpy.ndarray
        Cumulative dose of each schedule (mg).
    threshold : float
        Relief threshold.
    window_days : float
        Length of the window (days).
    """

    interval_weeks: np.ndarray
    biophase_days: np.ndarray
    reset_days: np.ndarray
    dose_mg: np.ndarray
    threshold: float
    window_days: float


def relief_days_vs_interval(interval_weeks, *, booster_kind: str = "session", dose_mg: float = 100.0,
                            initial: str = "infusion_5d", threshold: float = relief.DEFAULT_THRESHOLD,
                            weeks: float = WEEKS, weight_kg: float = 70.0) -> IntervalSweep:
    """Relief days over the window for each booster interval, typical patient, both explanations.

    One PK solution per interval serves both explanations; results are cached per setting.

    Parameters
    ----------
    interval_weeks : array_like
        Intervals (weeks), each in [1, 52].
    booster_kind : {"session", "short_course", "single_dose"}, keyword-only
        Kind of each booster.
    dose_mg : float, keyword-only
        Dose per 4-h session (mg).
    initial : {"infusion_5d", "none"}, keyword-only
        Initial course.
    threshold : float, keyword-only
        Relief threshold in [0.05, 0.95].
    weeks : float, keyword-only
        Window (weeks).
    weight_kg : float, keyword-only
        Body weight (kg).

    Returns
    -------
    IntervalSweep
        Days per interval.

    References
    ----------
    dahan_2011 (through :mod:`helpers.models.relief`).
    """
    iv = v.array(interval_weeks, "interval_weeks", low=1.0, high=52.0, ndim_max=1)
    thr = v.in_range(threshold, "threshold", *relief.THRESHOLD_RANGE)
    _check_common(booster_kind, dose_mg, initial, weeks, weight_kg)
    rows = [_sweep_point(float(x), booster_kind, float(dose_mg), initial, thr, float(weeks), float(weight_kg))
            for x in np.atleast_1d(iv)]
    arr = np.array(rows, dtype=float).reshape(-1, 3)
    return IntervalSweep(interval_weeks=np.atleast_1d(iv).astype(float), biophase_days=arr[:, 0],
                         reset_days=arr[:, 1], dose_mg=arr[:, 2], threshold=thr, window_days=weeks * 7.0)


@lru_cache(maxsize=512)
def _sweep_point(interval, kind, dose, initial, thr, weeks, weight_kg):
    sch = interval_schedule(interval, booster_kind=kind, dose_mg=dose, initial=initial, weeks=weeks,
                            weight_kg=weight_kg)
    events = _events(sch.regimen)
    t = _grid(events, sch.window_h)
    _sol, _plasma, plasma_eq, fast_eq = _pk_levels(sch, t)
    typ = _typical()
    out = [float(time_at_or_above(t, _relief_rows(h, t, plasma_eq, fast_eq, typ)[0], thr)) / _H_PER_DAY
           for h in ("biophase", "reset")]
    return out[0], out[1], pk.total_dose_mg(events)
