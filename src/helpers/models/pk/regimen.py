"""Dosing events and regimens: boluses, infusions, daily courses, repeats; and sample times that resolve them.

A regimen is any (possibly nested) sequence of :class:`Bolus` and :class:`Infusion` events. Doses are ketamine
*base* mass (assays report the base); for a dose written as the HCl salt multiply by ``units.SALT_TO_BASE``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import _validate as v
from .routes import ROUTES

__all__ = ["Bolus", "Infusion", "bolus", "infusion", "course", "repeat", "total_dose_mg", "time_grid"]

_FIRST_STEP_H = 1e-3       # first geometric point after a dosing boundary (3.6 s; Domino's fastest t½ is 24 s)


@dataclass(frozen=True)
class Bolus:
    """An instantaneous dose at one time, by one route (into its depot if not IV).

    Parameters
    ----------
    dose_mg : float
        Dose (mg base), >= 0.
    at_h : float
        When it is given (h), >= 0.
    route : str
        A key of :data:`ROUTES`.
    """

    dose_mg: float
    at_h: float = 0.0
    route: str = "iv"

    def __post_init__(self):
        object.__setattr__(self, "dose_mg", v.nonnegative(self.dose_mg, "dose_mg"))
        object.__setattr__(self, "at_h", v.nonnegative(self.at_h, "at_h"))
        v.choice(self.route, "route", ROUTES)

    @property
    def total_mg(self) -> float:
        """The dose (mg)."""
        return self.dose_mg

    @property
    def end_h(self) -> float:
        """When the dose has been given (h): its time."""
        return self.at_h


@dataclass(frozen=True)
class Infusion:
    """Zero-order input at a constant rate for a while.

    An extravascular "infusion" is zero-order input into that route's depot (e.g. a slowly swallowed dose).

    Parameters
    ----------
    rate_mg_per_h : float
        Rate (mg base per hour), >= 0.
    duration_h : float
        How long it runs (h), >= 0.
    start_h : float
        When it starts (h), >= 0.
    route : str
        A key of :data:`ROUTES`.
    """

    rate_mg_per_h: float
    duration_h: float
    start_h: float = 0.0
    route: str = "iv"

    def __post_init__(self):
        object.__setattr__(self, "rate_mg_per_h", v.nonnegative(self.rate_mg_per_h, "rate_mg_per_h"))
        object.__setattr__(self, "duration_h", v.nonnegative(self.duration_h, "duration_h"))
        object.__setattr__(self, "start_h", v.nonnegative(self.start_h, "start_h"))
        v.choice(self.route, "route", ROUTES)

    @property
    def end_h(self) -> float:
        """When it stops (h)."""
        return self.start_h + self.duration_h

    @property
    def total_mg(self) -> float:
        """Total dose it delivers (mg)."""
        return self.rate_mg_per_h * self.duration_h


_EVENTS = (Bolus, Infusion)


def bolus(dose_mg: float, at_h: float = 0.0, route: str = "iv") -> Bolus:
    """One bolus dose.

    Parameters
    ----------
    dose_mg : float
        Dose (mg base), >= 0.
    at_h : float
        When it is given (h), >= 0.
    route : str
        A key of :data:`ROUTES`.

    Returns
    -------
    Bolus
        The event.
    """
    return Bolus(dose_mg, at_h, route)


def infusion(rate_mg_per_h: float, duration_h: float, start_h: float = 0.0, route: str = "iv") -> Infusion:
    """A constant-rate infusion.

    Parameters
    ----------
    rate_mg_per_h : float
        Rate (mg base per hour), >= 0.
    duration_h : float
        How long it runs (h), >= 0.
    start_h : float
        When it starts (h), >= 0.
    route : str
        A key of :data:`ROUTES`.

    Returns
    -------
    Infusion
        The event.
    """
    return Infusion(rate_mg_per_h, duration_h, start_h, route)


def course(rate_mg_per_h: float, hours_per_day: float, days: int, start_h: float = 0.0,
           every_h: float = 24.0, route: str = "iv") -> tuple[Infusion, ...]:
    """Daily sessions: the same infusion repeated at a fixed interval.

    E.g. ``course(20, 4, 10)`` = 4 h a day for 10 days (the Schwartzman 2009 design).

    Parameters
    ----------
    rate_mg_per_h : float
        Rate of each session (mg/h), >= 0.
    hours_per_day : float
        Length of each session (h), in [0, ``every_h``].
    days : int
        Number of sessions, in [1, 10 000].
    start_h : float
        Start of the first session (h), >= 0.
    every_h : float
        Start-to-start interval (h), > 0.
    route : str
        A key of :data:`ROUTES`.

    Returns
    -------
    tuple of Infusion
        One infusion per session.
    """
    every = v.positive(every_h, "every_h")
    hours = v.in_range(hours_per_day, "hours_per_day", 0.0, every)
    n = v.integer(days, "days", 1, 10_000)
    start = v.nonnegative(start_h, "start_h")
    return tuple(Infusion(rate_mg_per_h, hours, start + i * every, route) for i in range(n))


def repeat(events, every_h: float, times: int) -> tuple:
    """A regimen repeated, shifted by a fixed interval each time.

    Parameters
    ----------
    events : Bolus or Infusion or sequence
        One event or a (nested) sequence of events.
    every_h : float
        Shift between copies (h), > 0.
    times : int
        Number of copies, in [1, 10 000].

    Returns
    -------
    tuple
        The events of every copy, the first unshifted.
    """
    base = _flatten(events, "events")
    every = v.positive(every_h, "every_h")
    n = v.integer(times, "times", 1, 10_000)
    out = []
    for i in range(n):
        shift = i * every
        for ev in base:
            if isinstance(ev, Bolus):
                out.append(Bolus(ev.dose_mg, ev.at_h + shift, ev.route))
            else:
                out.append(Infusion(ev.rate_mg_per_h, ev.duration_h, ev.start_h + shift, ev.route))
    return tuple(out)


def _flatten(regimen, name: str = "regimen") -> tuple:
    """Events from an event or an arbitrarily nested list/tuple of events."""
    if isinstance(regimen, _EVENTS):
        return (regimen,)
    if not isinstance(regimen, (list, tuple)):
        raise ValueError(f"{name} must be a Bolus, an Infusion or a list/tuple of them, got {regimen!r}")
    out: list = []
    stack = [iter(regimen)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, _EVENTS):
                out.append(item)
            elif isinstance(item, (list, tuple)):
                stack.append(iter(item))
                break
            else:
                raise ValueError(f"{name} must contain only Bolus/Infusion events (or lists of them), "
                                 f"got item {item!r}")
        else:
            stack.pop()
    return tuple(out)


def total_dose_mg(regimen) -> float:
    """Total dose a regimen puts in, before bioavailability.

    Parameters
    ----------
    regimen : Bolus or Infusion or sequence
        Events, possibly nested.

    Returns
    -------
    float
        Sum of bolus doses and rate × duration of every infusion (mg).
    """
    return float(sum(ev.total_mg for ev in _flatten(regimen)))


def _event_bounds(events) -> np.ndarray:
    """Sorted dosing boundaries (h): bolus times, infusion starts and stops; events that give nothing are left out."""
    times = []
    for ev in events:
        if isinstance(ev, Bolus):
            if ev.dose_mg > 0.0:
                times.append(ev.at_h)
        elif ev.rate_mg_per_h > 0.0 and ev.duration_h > 0.0:
            times += [ev.start_h, ev.end_h]
    return np.unique(np.asarray(times, dtype=float))


def _resolving_grid(bounds: np.ndarray, t0: float, t1: float, n_even: int, n_after: int) -> np.ndarray:
    """``n_even`` even points on [t0, t1], every boundary inside, and ``n_after`` geometric points after each
    boundary (and after t0, where a search starts), from 3.6 s up to the next boundary, so every fast phase
    is sampled."""
    inside = bounds[(bounds > t0) & (bounds < t1)]
    parts = [np.linspace(t0, t1, n_even), inside]
    starts = np.concatenate([[t0], inside])
    gap = np.concatenate([inside, [t1]]) - starts
    keep = gap > 2.0 * _FIRST_STEP_H
    if n_after > 1 and np.any(keep):
        frac = np.linspace(0.0, 1.0, n_after)
        steps = _FIRST_STEP_H * np.exp(np.outer(np.log(gap[keep] / _FIRST_STEP_H), frac))
        parts.append((starts[keep, None] + steps).ravel())
    out = np.unique(np.concatenate(parts))
    return out[(out >= t0) & (out <= t1)]


def _plot_grid(bounds: np.ndarray, window_h, n, n_after) -> np.ndarray:
    window = v.positive(window_h, "window_h")
    n = v.integer(n, "n", 2, 100_000)
    n_after = v.integer(n_after, "n_after", 0, 10_000)
    if not bounds.size:
        return np.linspace(0.0, window, n)
    return _resolving_grid(bounds, 0.0, window, n, n_after)


def time_grid(regimen, window_h: float, n: int = 600, n_after: int = 24) -> np.ndarray:
    """Sample times for plotting a regimen that resolve every dosing event.

    Peaks at the end of an IV infusion are sampled exactly and the fast fall after it is drawn with enough
    points however far apart the doses are.

    Parameters
    ----------
    regimen : Bolus or Infusion or sequence
        Events, possibly nested.
    window_h : float
        End of the window (h), > 0; the grid covers [0, ``window_h``].
    n : int
        Number of even points, in [2, 100 000].
    n_after : int
        Geometric points after each boundary (3.6 s up to the next boundary), in [0, 10 000].

    Returns
    -------
    numpy.ndarray
        Sorted, unique times (h): the even points, every dosing boundary (bolus, infusion start and stop) and the
        points after each.
    """
    return _plot_grid(_event_bounds(_flatten(regimen)), window_h, n, n_after)
