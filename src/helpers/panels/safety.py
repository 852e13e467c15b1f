"""Panels for notebook 06 (retreatment and safety): booster schedules over a year, side effects against plasma
level, and a two-course timeline with liver-enzyme checks.

Wiring only: the numbers come from :mod:`helpers.models.schedule` (on top of :mod:`helpers.models.relief` and
:mod:`helpers.models.pk`), the drawing from :mod:`helpers.plots.safety`. Each ``compute`` returns a small frozen
result; ``draw`` and ``describe`` read only that result. There is no liver model: the timeline's exposure
curve is the cumulative dose, labelled illustrative.
"""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from .. import evidence, vocab
from ..models import pk, relief
from ..models import schedule as sched
from ..plots import pk as pkplot
from ..plots import safety as splot
from ..plots.scales import nice_ceiling, nice_window_h
from ._base import Panel
from ._widgets import duration_slider, ladder_slider, nice_ladder, preset_values

__all__ = ["BoosterSchedule", "SideEffects", "LiverTimeline", "BoosterResult", "SideEffectResult",
           "TimelineResult", "booster_schedule", "side_effects", "liver_timeline", "PANELS", "REFERENCES"]

_HYP_WORDS = {"biophase": "slow biophase", "reset": "sensitisation reset"}
_BOOSTER_WORDS = {"session": "one 4-h session", "short_course": "a short course (3 daily 4-h sessions)",
                  "single_dose": "0.5 mg/kg over 40 min"}
_INTERVALS = tuple(range(sched.INTERVAL_RANGE_WEEKS[0], sched.INTERVAL_RANGE_WEEKS[1] + 1))
_SE_MODELS = {"clements_nimmo_1981": "racemic ketamine (Clements & Nimmo)", "fanta_2015": "S-ketamine (Fanta)"}


# ---- booster schedules over a year --------------------------------------------------------------------------

@dataclass(frozen=True)
class BoosterResult:
    """A schedule's year (read by ``draw`` and ``describe``).

    Parameters
    ----------
    outcome : YearOutcome
        Relief, dose and exposure of the schedule.
    sweep : IntervalSweep
        Relief days of the typical patient against the interval, both explanations.
    interval_weeks : int or None
        The fixed interval (None for the tapering protocol).
    booster : str
        Booster kind.
    dose_used : bool
        Whether the dose slider matters (not for the single mg/kg dose).
    """

    outcome: sched.YearOutcome
    sweep: sched.IntervalSweep
    interval_weeks: int | None
    booster: str
    dose_used: bool


class BoosterSchedule(Panel):
    """Pain relief over a year for an initial course and boosters, typical patient and virtual cohort.

    Parameters
    ----------
    preset : str or None
        A key of the ``booster_schedule`` presets.
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "booster_schedule"
    title = "Booster schedules over a year"

    def make_controls(self) -> dict:
        """Schedule kind, interval, booster kind and dose, initial course, explanation.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "schedule": W.Dropdown(options=[("fixed interval", "interval"), ("tapering protocol", "taper")],
                                   value="interval", description="Schedule"),
            "interval_weeks": W.IntSlider(value=6, min=_INTERVALS[0], max=_INTERVALS[-1], step=1,
                                          description="Interval (weeks)"),
            "booster": W.Dropdown(options=[(w, k) for k, w in _BOOSTER_WORDS.items()], value="session",
                                  description="Booster", layout=W.Layout(width="380px")),
            "dose_mg": W.IntSlider(value=100, min=50, max=300, step=25, description="Dose per session (mg)"),
            "initial": W.Dropdown(options=[("5 days at 20 mg/h", "infusion_5d"), ("none", "none")],
                                  value="infusion_5d", description="Initial course"),
            "hypothesis": W.ToggleButtons(options=[(w, k) for k, w in _HYP_WORDS.items()], value="biophase",
                                          description="Explanation"),
        }

    def setup(self, fig) -> None:
        """Make the year axes (left) and the interval axes (right).

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        gs = fig.add_gridspec(1, 3)
        self.ax = fig.add_subplot(gs[0, :2])
        self.ax_iv = fig.add_subplot(gs[0, 2])
        splot.year_axes(self.ax, sched.WEEKS)
        self.arts = splot.relief_artists(self.ax, threshold=relief.DEFAULT_THRESHOLD)
        self.strip = splot.dose_strip(self.ax)
        splot.interval_axes(self.ax_iv, *sched.INTERVAL_RANGE_WEEKS, sched.CLINIC_INTERVAL_WEEKS)
        self.iv = splot.interval_artists(self.ax_iv)
        self.dynamic = [self.arts["band"], self.arts["other"], self.arts["typical"], self.arts["threshold"],
                        self.strip, self.iv["biophase"], self.iv["reset"], self.iv["now"]]
        self._legend_key = None

    def static_key(self):
        """The legends: their labels follow the explanation, and the tapering protocol has no interval marker.

        Returns
        -------
        tuple
            (explanation, schedule kind).
        """
        return self._legend_key

    def compute(self, schedule, interval_weeks, booster, dose_mg, initial, hypothesis) -> BoosterResult:
        """Build the schedule and run its year; the interval sweep for the same booster.

        Parameters
        ----------
        schedule : {"interval", "taper"}
            Fixed interval or the tapering protocol.
        interval_weeks : int
            Booster interval (weeks), used for "interval".
        booster : str
            Booster kind (a key of ``schedule.BOOSTER_TYPES``).
        dose_mg : int
            Dose per 4-h session (mg).
        initial : str
            Initial course.
        hypothesis : str
            Explanation of lasting relief.

        Returns
        -------
        BoosterResult
            Everything ``draw`` and ``describe`` read.
        """
        common = dict(booster_kind=booster, dose_mg=float(dose_mg), initial=initial)
        if schedule == "taper":
            sch, iv = sched.tapering_schedule(**common), None
        else:
            sch, iv = sched.interval_schedule(int(interval_weeks), **common), int(interval_weeks)
        out = sched.year_outcome(sch, hypothesis=hypothesis, n=200)
        sweep = sched.relief_days_vs_interval(_INTERVALS, **common)
        return BoosterResult(outcome=out, sweep=sweep, interval_weeks=iv, booster=booster,
                             dose_used=booster != "single_dose")

    def draw(self, result: BoosterResult) -> None:
        """Update curves, band, dose strip and the interval plot; disable controls that do nothing.

        Parameters
        ----------
        result : BoosterResult
            What ``compute`` returned.
        """
        o = result.outcome
        self.controls["interval_weeks"].disabled = result.interval_weeks is None
        self.controls["dose_mg"].disabled = not result.dose_used
        other = "reset" if o.hypothesis == "biophase" else "biophase"
        labels = (f"typical, {_HYP_WORDS[o.hypothesis].split()[-1]}", f"typical, {_HYP_WORDS[other].split()[-1]}",
                  "responders 10–90 %")
        tw = o.t_h / 168.0
        splot.update_relief(self.ax, self.arts, tw, o.relief, o.relief_other, o.band_low, o.band_high,
                            labels=labels, threshold=o.threshold)
        splot.update_dose_strip(self.strip, [(a / 168.0, b / 168.0) for a, b in o.spans_h])
        s = result.sweep
        splot.update_interval(self.ax_iv, self.iv, s.interval_weeks, s.biophase_days, s.reset_days,
                              result.interval_weeks)
        key = (o.hypothesis, result.interval_weeks is None)
        if key != self._legend_key:
            # Legends are rebuilt only when their labels change; they are overlays, pasted above the curves.
            self._legend_key = key
            handles = [self.arts["typical"], self.arts["other"], self.arts["band"], self.arts["threshold"],
                       self.strip]
            year = splot.legend(self.ax, handles, loc="above", fontsize="x-small", ncols=3)
            shown = [a for a in (*self.ax_iv.patches[:1], self.iv["biophase"], self.iv["reset"], self.iv["now"])
                     if a.get_visible()]
            # Above its axes: the "this schedule" marker is a vertical line, so any legend inside would cross it.
            iv = splot.legend(self.ax_iv, shown, loc="above", fontsize="x-small", ncols=1)
            self.overlays = [year, iv]

    def describe(self, result: BoosterResult) -> str:
        """The live text: schedule, relief days (typical and cohort), infusion days, dose, hours above levels.

        Parameters
        ----------
        result : BoosterResult
            What ``compute`` returned.

        Returns
        -------
        str
            One paragraph.
        """
        o = result.outcome
        other = "reset" if o.hypothesis == "biophase" else "biophase"
        what = ("the tapering protocol" if result.interval_weeks is None
                else f"a booster every {result.interval_weeks} weeks")
        lo, med, hi = o.cohort_days
        above = "; ".join(f"{h:.0f} h above {lv:g} ng/mL" for lv, h in o.hours_above)
        best = int(result.sweep.interval_weeks[np.argmax(
            result.sweep.biophase_days if o.hypothesis == "biophase" else result.sweep.reset_days)])
        return (f"{what.capitalize()} ({_BOOSTER_WORDS[result.booster]}, {o.n_boosters} boosters) over "
                f"{o.window_days / 7:.0f} weeks. Typical patient, {_HYP_WORDS[o.hypothesis]}: "
                f"{o.relief_days:.0f} days with at least {o.threshold:.0%} relief ({o.relief_share:.0%} of the "
                f"year); {_HYP_WORDS[other]}: {o.relief_days_other:.0f} days. Virtual responders "
                f"({o.responder_share:.0%} of the cohort; the rest get 0 days): 10–90 % range {lo:.0f}–{hi:.0f} "
                f"days, median {med:.0f}. {o.infusion_days} infusion days, {o.cumulative_dose_mg:.0f} mg racemic "
                f"ketamine in all; plasma peak {o.peak_ng_ml:.0f} ng/mL; {above}. Among intervals of 2–16 weeks the "
                f"{_HYP_WORDS[o.hypothesis]} gives the most relief days at {best} weeks. Model: typical patient "
                f"and cohort are the relief model of notebook 05 (reset rates illustrative); not dosing advice.")


def booster_schedule(preset: str | None = None, **values) -> BoosterSchedule:
    """Booster schedules over a year: relief of the typical patient and the cohort, dose and exposure.

    Parameters
    ----------
    preset : str or None
        A key of the ``booster_schedule`` presets, or None for the controls' defaults (every 6 weeks).
    **values
        Control values that override the preset.

    Returns
    -------
    BoosterSchedule
        The panel; display it in a notebook cell, or drive it with ``.set(...)``.
    """
    return BoosterSchedule(preset, **values)


# ---- side effects against plasma level ---------------------------------------------------------------------

@dataclass(frozen=True)
class SideEffectResult:
    """A regimen's plasma course and the hours above each side-effect level (read by ``draw`` and ``describe``).

    Parameters
    ----------
    curves : PKResult
        Concentrations on the plotting grid.
    window_h : float
        Plotted window (h).
    spans : tuple
        (start, end) of each dose (h).
    drug_label : str
        How the text names the drug.
    levels : tuple
        (ng/mL, label) of each level.
    hours : tuple of float
        Hours above each level.
    peak : tuple of float
        (t_h, ng/mL) of the plasma peak.
    total_mg : float
        Total dose.
    bolus_mg : float
        Loading bolus.
    """

    curves: pk.PKResult
    window_h: float
    spans: tuple
    drug_label: str
    levels: tuple
    hours: tuple
    peak: tuple
    total_mg: float
    bolus_mg: float


class SideEffects(Panel):
    """Plasma ketamine against the levels where side effects are reported, and hours spent above each.

    Parameters
    ----------
    preset : str or None
        A key of the ``side_effects`` presets.
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "side_effects"
    title = "Side effects against plasma level"

    def make_controls(self) -> dict:
        """Drug model, loading bolus, rate, session length and number of daily sessions.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "model": W.Dropdown(options=[(w, k) for k, w in _SE_MODELS.items()], value="clements_nimmo_1981",
                                description="Drug", layout=W.Layout(width="340px")),
            "bolus_mg": W.IntSlider(value=0, min=0, max=100, step=5, description="Loading bolus (mg)"),
            # A ladder, not a log grid: each preset's published rate (Noppers 70 mg/h) is a stop, so the slider
            # shows the rate the model runs with.
            "rate_mg_per_h": ladder_slider(25.0, nice_ladder(1.0, 400.0, preset_values(self.name, "rate_mg_per_h")),
                                           "Rate (mg/h)"),
            "session_h": duration_slider(4.0, "Each infusion"),
            "sessions": W.IntSlider(value=1, min=1, max=10, description="Daily sessions"),
        }

    def setup(self, fig) -> None:
        """Make the concentration axes with the levels (left) and the hours bars (right).

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        gs = fig.add_gridspec(1, 3)
        self.ax = fig.add_subplot(gs[0, :2])
        self.ax_h = fig.add_subplot(gs[0, 2])
        levels = sched.SIDE_EFFECT_LEVELS
        self.level_lines = splot.level_lines(self.ax, [lv.ng_ml for lv in levels])
        (self.line,) = self.ax.plot([], [], color="C0", lw=2.0, label="plasma")
        self.bars = pkplot.dosing_bars(self.ax)
        self.hbars = splot.hours_bars(self.ax_h, [f"{lv.label.split(' (')[0]}\n> {lv.ng_ml:g} ng/mL" for lv in levels])
        self.ax.set_ylabel("plasma ketamine (ng/mL)")
        self.unit = None
        self.dynamic = [self.line, self.bars, *self.hbars[0], *self.hbars[1]]
        self._legend_key = None

    def static_key(self):
        """The legend names the drug.

        Returns
        -------
        str or None
            The drug label in the legend.
        """
        return self._legend_key

    def compute(self, model, bolus_mg, rate_mg_per_h, session_h, sessions) -> SideEffectResult:
        """Solve the regimen once; its curve and the exact hours above each level.

        Parameters
        ----------
        model : str
            PK model key.
        bolus_mg : int
            Loading bolus at time 0 (mg).
        rate_mg_per_h : float
            Infusion rate.
        session_h : float
            Length of each daily session (h).
        sessions : int
            Number of daily sessions.

        Returns
        -------
        SideEffectResult
            Everything ``draw`` and ``describe`` read.
        """
        every = max(24.0, float(session_h))
        reg = pk.repeat(pk.infusion(rate_mg_per_h, session_h), every_h=every, times=int(sessions))
        if bolus_mg > 0:
            reg = (pk.bolus(float(bolus_mg)),) + tuple(reg)
        sol = pk.solve(reg, model=model)
        window = nice_window_h(sol.end_h, tail_frac=0.3, min_tail_h=2.0)
        levels = sched.SIDE_EFFECT_LEVELS
        hours = sched.hours_above(reg, [lv.ng_ml for lv in levels], model=model)
        spans = tuple((e.start_h, e.end_h) for e in sol.regimen if isinstance(e, pk.Infusion))
        return SideEffectResult(curves=sol.at(sol.grid(window, n=600)), window_h=window, spans=spans,
                                drug_label=vocab.drug_label(sol.drug), levels=tuple((lv.ng_ml, lv.label)
                                                                                    for lv in levels),
                                hours=tuple(hours[lv.ng_ml] for lv in levels), peak=sol.peak(),
                                total_mg=sol.total_dose_mg, bolus_mg=float(bolus_mg))

    def draw(self, result: SideEffectResult) -> None:
        """Update the curve, dosing strip, axes and bars.

        Parameters
        ----------
        result : SideEffectResult
            What ``compute`` returned.
        """
        r = result
        self.unit = pkplot.time_axis(self.ax, r.window_h)
        per = pkplot.TIME_UNITS[self.unit][1]
        self.line.set_data(r.curves.t_h / per, r.curves.plasma_ng_ml)
        self.line.set_label(f"plasma {r.drug_label}")
        pkplot.update_dosing_bars(self.bars, r.spans, self.unit)
        self.ax.set_ylim(0.0, nice_ceiling(max(r.peak[1], 250.0) * 1.1))
        if r.drug_label != self._legend_key:
            self._legend_key = r.drug_label
            self.overlays = [self.ax.legend(handles=[self.line, self.level_lines[0], self.bars], loc="upper right",
                                            fontsize="small", framealpha=0.95)]
        splot.update_hours_bars(self.ax_h, self.hbars, r.hours, span_h=r.window_h)

    def describe(self, result: SideEffectResult) -> str:
        """The live text: peak, hours above each level, why titration and premedication.

        Parameters
        ----------
        result : SideEffectResult
            What ``compute`` returned.

        Returns
        -------
        str
            One paragraph.
        """
        r = result
        above = "; ".join(f"{h:.1f} h above {lv:g} ng/mL ({lab.split(' (')[0]})"
                          for (lv, lab), h in zip(r.levels, r.hours, strict=True))
        bolus = f" A {r.bolus_mg:.0f}-mg loading bolus puts the peak at the start." if r.bolus_mg else ""
        return (f"Plasma {r.drug_label} peaks at {r.peak[1]:.0f} ng/mL after {r.peak[0]:.1f} h; {r.total_mg:.0f} mg "
                f"in all. {above}.{bolus} Levels: cardiac output rises by 40–50 % across 40–320 ng/mL S-ketamine "
                f"(Sigtermans 2009); psychedelic symptoms rise linearly from 50 to 200 ng/mL (Bowdle 1998, "
                f"racemic); dissociation at 100–250 ng/mL. Applying every level to either drug is assumed; "
                f"S-ketamine is about twice as potent. Not dosing advice.")


def side_effects(preset: str | None = None, **values) -> SideEffects:
    """Plasma ketamine against side-effect levels, with hours above each, for any regimen.

    Parameters
    ----------
    preset : str or None
        A key of the ``side_effects`` presets, or None for the controls' defaults (a 4-h booster of 100 mg).
    **values
        Control values that override the preset.

    Returns
    -------
    SideEffects
        The panel; display it in a notebook cell, or drive it with ``.set(...)``.
    """
    return SideEffects(preset, **values)


# ---- two courses and liver-enzyme checks -------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineResult:
    """Two courses, the liver-enzyme checks and the cumulative dose (read by ``draw`` and ``describe``).

    Parameters
    ----------
    spans_days : tuple
        (start, end) of each course (days).
    check_days : tuple of float
        Days of a check: before each course and every ``check_every_d`` days while it runs.
    t_days, cumulative_mg : numpy.ndarray
        The cumulative-dose curve.
    gap_days : int
        Days from the end of the first course to the start of the second.
    course_h : float
        Length of each course (h).
    rate_mg_per_h : float
        Rate (mg/h S-ketamine).
    check_every_d : int
        Days between checks during a course.
    """

    spans_days: tuple
    check_days: tuple
    t_days: np.ndarray
    cumulative_mg: np.ndarray
    gap_days: int
    course_h: float
    rate_mg_per_h: float
    check_every_d: int


class LiverTimeline(Panel):
    """A two-course schedule with the liver-enzyme checks, and the published cases (no liver model).

    Parameters
    ----------
    preset : str or None
        A key of the ``liver_timeline`` presets.
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "liver_timeline"
    title = "Two courses and liver-enzyme checks"

    def make_controls(self) -> dict:
        """Gap between courses, course length, rate, days between checks.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "gap_days": W.IntSlider(value=16, min=1, max=240, step=1, description="Gap between courses (days)"),
            "course_h": duration_slider(100.0, "Each course", durations=(24.0, 48.0, 72.0, 96.0, 100.0, 120.0,
                                                                         144.0, 168.0)),
            "rate_mg_per_h": W.IntSlider(value=20, min=5, max=40, step=1, description="Rate (mg/h)"),
            "check_every_d": W.ToggleButtons(options=[("every day", 1), ("every 2 days", 2)], value=1,
                                             description="Checks during a course"),
        }

    def setup(self, fig) -> None:
        """Make the timeline axes.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = fig.add_subplot()
        splot.timeline_axes(self.ax)
        self.arts = splot.timeline_artists(self.ax, "Noppers 2011: liver injury in 3 of 6,\nduring the second course")
        self.dynamic = [*self.arts["courses"], self.arts["dose"], self.arts["checks"]]
        self.overlays = [splot.legend(self.ax, loc="upper left"), self.arts["finding"]]

    def compute(self, gap_days, course_h, rate_mg_per_h, check_every_d) -> TimelineResult:
        """Build the two courses, the check days and the cumulative dose.

        Parameters
        ----------
        gap_days : int
            Days from the end of the first course to the start of the second.
        course_h : float
            Length of each course (h).
        rate_mg_per_h : int
            Rate (mg/h).
        check_every_d : int
            Days between checks during a course.

        Returns
        -------
        TimelineResult
            Everything ``draw`` and ``describe`` read.
        """
        second = course_h + gap_days * 24.0
        reg = (pk.infusion(float(rate_mg_per_h), course_h), pk.infusion(float(rate_mg_per_h), course_h, second))
        spans = tuple((e.start_h / 24.0, e.end_h / 24.0) for e in reg)
        checks = []
        for a, b in spans:
            checks.append(a - 0.5)                     # before the course
            checks.extend(np.arange(a + check_every_d, b + 1e-9, check_every_d).tolist())
        # The window ends two weeks after the second course, rounded up on a ladder so that most moves keep it.
        end_d = splot.step_top(spans[-1][1] + 14.0)
        t = np.linspace(0.0, end_d * 24.0, 800)
        cum = sched.cumulative_dose_mg(reg, t)
        return TimelineResult(spans_days=spans, check_days=tuple(checks), t_days=t / 24.0, cumulative_mg=cum,
                              gap_days=int(gap_days), course_h=float(course_h), rate_mg_per_h=float(rate_mg_per_h),
                              check_every_d=int(check_every_d))

    def draw(self, result: TimelineResult) -> None:
        """Update the timeline's artists in place.

        Parameters
        ----------
        result : TimelineResult
            What ``compute`` returned.
        """
        r = result
        splot.update_timeline(self.ax, self.arts, r.spans_days, r.check_days, r.t_days, r.cumulative_mg)

    def describe(self, result: TimelineResult) -> str:
        """The live text: the schedule, the number of checks, the published findings.

        Parameters
        ----------
        result : TimelineResult
            What ``compute`` returned.

        Returns
        -------
        str
            One paragraph.
        """
        r = result
        total = float(r.cumulative_mg[-1])
        return (f"Two {r.course_h:.0f}-h courses at {r.rate_mg_per_h:.0f} mg/h, {r.gap_days} days apart: "
                f"{total:.0f} mg in all, {len(r.check_days)} liver-enzyme checks (one before each course, then every "
                f"{r.check_every_d} day{'s' if r.check_every_d > 1 else ''} while it runs). Noppers 2011: of 6 "
                f"patients given two 100-h S-ketamine courses 16 days apart, 3 developed liver injury, with enzymes "
                f"at least 3 times the upper limit of normal during the second. Case reports saw enzymes rise less "
                f"than 2 days into a repeat infusion months after the last. The curve is the cumulative dose, an "
                f"illustrative exposure measure, not a model of the liver.")


def liver_timeline(preset: str | None = None, **values) -> LiverTimeline:
    """A two-course schedule with liver-enzyme checks, after Noppers 2011 (no liver model).

    Parameters
    ----------
    preset : str or None
        A key of the ``liver_timeline`` presets, or None for the controls' defaults (Noppers 2011's design).
    **values
        Control values that override the preset.

    Returns
    -------
    LiverTimeline
        The panel; display it in a notebook cell, or drive it with ``.set(...)``.
    """
    return LiverTimeline(preset, **values)


PANELS = {"booster_schedule": BoosterSchedule, "side_effects": SideEffects, "liver_timeline": LiverTimeline}

#: Reference keys the notebook's reference list prints.
REFERENCES = tuple(dict.fromkeys(
    list(sched.REFERENCE_KEYS) + list(relief.REFERENCE_KEYS)
    + ["noppers_2011_liver", "aa_practice_2020", "cotter_2021", "de_tymowski_2024", "langsjo_2005",
       "sigtermans_2009_pain", "winstock_2012", "chan_2022_urology", "morgan_curran_2012", "spravato_label",
       "cohen_2018", "niesters_2014_review", "ketcrps2_2023"]
    + [p["source"] for name in PANELS for p in evidence.presets(name).values()]))
