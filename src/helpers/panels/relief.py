"""Panels for notebook 05 (infusion duration versus relief): drug gone but relief stays, the headline figure
(relief against infusion duration with the virtual cohort and the trials), same dose on different schedules,
and fitting the "reset" rates by hand.

Wiring only: the numbers come from :mod:`helpers.models.relief` (and :mod:`helpers.models.pk` for plasma
landmarks), the trials from :func:`helpers.evidence.trials`, the drawing from :mod:`helpers.plots.relief`. The
presets are the trial table's rows, so the same rows feed presets, overlays and references. Each ``compute``
returns a small frozen result; ``draw`` and ``describe`` read only it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import ipywidgets as W
import numpy as np

from .. import evidence, vocab
from ..models import pk, receptor, relief
from ..plots import relief as rplot
from ..plots.scales import nice_ceiling
from ._base import Panel
from ._widgets import DURATIONS_H, duration_slider, log_slider

__all__ = ["CourseResult", "HeadlineResult", "ScheduleResult", "FitResult", "DrugGoneReliefStays",
           "ReliefVsDuration", "SameDoseDifferentSchedule", "FitReset", "drug_gone_relief_stays",
           "relief_vs_duration", "same_dose_schedule", "fit_reset", "PANELS", "REFERENCES", "trial_presets",
           "RATES_MG_PER_H"]

_WEEK_D = 7.0
_H_PER_DAY = 24.0
HYP_WORDS = MappingProxyType({"biophase": "slow biophase", "reset": "sensitisation reset"})
THRESHOLDS = (("30 %", 0.3), ("50 %", 0.5))


#: Axis tops in coarse steps, so neighbouring slider settings keep the axes (and the picture is blitted).
_PLASMA_TOPS = (25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0)
_WEEK_TOPS = (16.0, 26.0, 39.0, 56.0)


def _step_top(value: float, steps) -> float:
    return next((s for s in steps if s >= value), float(nice_ceiling(value)))


def _simulable(t) -> bool:
    """An infusion regimen the panels can replay: stated doses, infusion sessions, a known drug."""
    return t.has_regimen and t.drug is not None and (t.hours_per_session or 0) > 0


def _trial_rows():
    return [t for t in evidence.trials() if _simulable(t)]


def _ladder(base, extra):
    return tuple(sorted({float(x) for x in base} | {float(x) for x in extra}))


#: Infusion rates (mg/h) a rate slider steps through: a rough geometric ladder plus every simulable trial's rate,
#: so every preset is exactly on the slider and the readout shows the rate the model uses.
RATES_MG_PER_H = _ladder((2.0, 3.0, 5.0, 7.5, 10.0, 12.5, 15.0, 17.5, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 80.0,
                          100.0, 150.0, 200.0, 300.0, 400.0),
                         (round(t.rate_mg_per_h_base(), 6) for t in _trial_rows()))
#: Infusion lengths (h): the collection's ladder plus every simulable trial's session length.
_SESSION_H = _ladder(DURATIONS_H, (t.hours_per_session for t in _trial_rows()))


def _rate_slider(value: float, description: str = "Rate (mg/h)") -> W.SelectionSlider:
    options = [(f"{r:.3g} mg/h", r) for r in RATES_MG_PER_H]
    return W.SelectionSlider(options=options, value=float(value), description=description, continuous_update=True)


def _toggle(options, value, description) -> W.ToggleButtons:
    return W.ToggleButtons(options=list(options), value=value, description=description,
                           style={"button_width": "auto"})


def _drug_options():
    return [(vocab.drug_label(d), d) for d in relief.MODEL_FOR_DRUG]


def _weeks(days: float) -> str:
    w = days / _WEEK_D
    return f"{w:.1f} weeks" if w < 10 else f"{w:.0f} weeks"


def _duration_words(h: float) -> str:
    if h < 1:
        return f"{h * 60:.0f}-min"
    if h < 48:
        return f"{h:g}-h"
    return f"{h:g}-h ({h / 24:.3g}-day)"


def trial_presets() -> dict:
    """Presets of the regimen panel, one per simulable trial row (rate and session length as the table gives).

    Returns
    -------
    dict
        ``{trial key: {"label", "values", "source", "note"}}``, in table order.
    """
    out = {}
    for t in _trial_rows():
        vals = {"drug": t.drug, "rate_mg_per_h": round(t.rate_mg_per_h_base(), 6),
                "session_h": float(t.hours_per_session), "sessions": int(t.sessions),
                "interval_d": float(t.session_every_h / 24.0) if t.sessions > 1 else 1.0}
        what = "no lasting relief" if t.negative else t.condition
        out[t.key] = {"label": f"{t.study}: {t.regimen_text[:48]}… ({what})" if len(t.regimen_text) > 48
                      else f"{t.study}: {t.regimen_text} ({what})",
                      "values": vals, "source": t.reference, "note": t.note}
    return out


class _TrialPresets(Panel):
    """Panels whose presets are rows of the trial table (the base looks for a presets file; there is none)."""

    _preset_keys: tuple = ()

    @property
    def _table(self):
        table = trial_presets()
        if not self._preset_keys:
            return table
        return {k: p for k, p in table.items() if k in self._preset_keys}

    @_table.setter
    def _table(self, _ignored):
        pass  # the base class stores the (absent) presets file here; the trial table is the one source


# ---- results ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class CourseResult:
    """What the "drug gone, relief stays" panel shows for one regimen.

    Parameters
    ----------
    course : helpers.models.relief.ReliefCourse
        Plasma, pain and relief over the window, both explanations.
    hypothesis : str
        The explanation in front.
    drug, drug_label : str
        The drug and how the text names it.
    spans_h : tuple
        ``(start_h, end_h)`` of each infusion.
    weeks : float
        Window (weeks).
    peak_ng_ml, peak_h : float
        Peak plasma concentration and when (h).
    level_ng_ml : float
        Lower edge of the analgesic range in the drug's levels.
    above_h : float
        Hours above it.
    total_mg : float
        Total dose.
    repeated : bool
        More than one infusion (the interval matters).
    """

    course: relief.ReliefCourse
    hypothesis: str
    drug: str
    drug_label: str
    spans_h: tuple
    weeks: float
    peak_ng_ml: float
    peak_h: float
    level_ng_ml: float
    above_h: float
    total_mg: float
    repeated: bool


@dataclass(frozen=True, eq=False)
class HeadlineResult:
    """What the headline figure shows.

    Parameters
    ----------
    sweep : helpers.models.relief.ReliefSweep
        Typical patient, both explanations, at >= 200 durations.
    band : helpers.models.relief.CohortBand
        The cohort's 10–90 % band for one explanation at about 60 durations.
    duration_h : float
        The duration the text reads out.
    at : dict
        Numbers at ``duration_h``: typical days of both explanations, band ends, share relieved.
    points : tuple
        Trials as :class:`helpers.plots.relief.TrialPoint` (weeks).
    y_top_weeks : float
        Top of the y axis: set by rate and threshold only (the 500-patient bands of both explanations), so a
        change of cohort size or band never rescales the axes.
    """

    sweep: relief.ReliefSweep
    band: relief.CohortBand
    duration_h: float
    at: dict
    points: tuple
    y_top_weeks: float


@dataclass(frozen=True, eq=False)
class ScheduleResult:
    """One total dose on three schedules.

    Parameters
    ----------
    courses : dict
        Schedule key -> ReliefCourse.
    labels : dict
        Schedule key -> legend label.
    rates : dict
        Schedule key -> infusion rate (mg/h).
    total_mg : float
        Total dose of every schedule.
    hypothesis : str
        Explanation shown.
    weeks : float
        Window (weeks).
    """

    courses: dict
    labels: dict
    rates: dict
    total_mg: float
    hypothesis: str
    weeks: float


@dataclass(frozen=True, eq=False)
class FitResult:
    """The "reset" rates a student chose against the trials, with the calibrated rates and the biophase beside them.

    Parameters
    ----------
    yours, calibrated, biophase : helpers.models.relief.TrialFit
        Predictions and errors per trial slot (fitted targets first): the chosen rates, the stored calibration
        and the slow biophase (Dahan's numbers, not fitted).
    n_fitted : int
        How many of the slots are fitted calibration targets.
    labels : tuple of str
        Trial names.
    reported, low, high : numpy.ndarray
        Where each trial's reported relief is drawn (days) and its range; an open side is drawn at the bound.
    bounds : tuple of str
        How each trial bounds its relief, in words ("50 days", "at least 90 days", "14–21 days" ...).
    """

    yours: relief.TrialFit
    calibrated: relief.TrialFit
    biophase: relief.TrialFit
    n_fitted: int
    labels: tuple
    reported: np.ndarray
    low: np.ndarray
    high: np.ndarray
    bounds: tuple

    def mae_weeks(self, which: str) -> float:
        """Mean error over the fitted trials (weeks): the mean distance of the predictions to the reported ranges.

        Parameters
        ----------
        which : {"yours", "calibrated", "biophase"}
            Which predictions.

        Returns
        -------
        float
            Mean |error| over the calibration targets (0 for a prediction inside its range), in weeks.
        """
        fit = {"yours": self.yours, "calibrated": self.calibrated, "biophase": self.biophase}[which]
        return fit.mean_abs_error_days / _WEEK_D


# ---- panel 1: drug gone, relief stays -------------------------------------------------------------------------

class DrugGoneReliefStays(_TrialPresets):
    """Plasma ketamine and pain over 16 weeks for one regimen: the drug is gone in hours, relief lasts weeks.

    Parameters
    ----------
    preset : str or None
        A trial key (see :func:`trial_presets`).
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "drug_gone_relief_stays"
    title = "Drug gone, relief stays"
    weeks = 16.0

    def make_controls(self) -> dict:
        """Drug, rate, infusion length, number and interval of infusions, explanation, threshold.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "drug": W.Dropdown(options=_drug_options(), value=vocab.S_KETAMINE, description="Drug"),
            "rate_mg_per_h": _rate_slider(20.0),
            "session_h": duration_slider(100.0, "Each infusion", durations=_SESSION_H),
            "sessions": W.IntSlider(value=1, min=1, max=14, description="Number of infusions"),
            "interval_d": W.FloatSlider(value=1.0, min=0.5, max=28.0, step=0.5,
                                        description="Start-to-start interval (days)"),
            "hypothesis": _toggle([("slow biophase", "biophase"), ("sensitisation reset", "reset")], "biophase",
                                  "Explanation"),
            "threshold": _toggle(THRESHOLDS, 0.3, "Relief threshold"),
        }

    def setup(self, fig) -> None:
        """Stacked axes: plasma (log) above, pain below, sharing the time axis in weeks.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax_c, self.ax_p = fig.subplots(2, 1, sharex=True, height_ratios=(1, 2))
        self.plasma = rplot.course_lines(self.ax_c, ("plasma",), {"plasma": "plasma ketamine"})["plasma"]
        rplot.plasma_axes(self.ax_c, "")
        rplot.pain_axes(self.ax_p, self.weeks)
        labels = {h: f"pain, {HYP_WORDS[h]}" for h in relief.HYPOTHESES}
        self.pain = rplot.course_lines(self.ax_p, relief.HYPOTHESES, labels)
        self.thr = rplot.threshold_line(self.ax_p, relief.BASELINE_PAIN_NRS * 0.7, "relief threshold")
        self.legend = rplot.outside_legend(fig, [self.plasma, *self.pain.values(), self.thr])
        self.dynamic = [self.plasma, *self.pain.values(), self.thr]

    def compute(self, drug, rate_mg_per_h, session_h, sessions, interval_d, hypothesis, threshold) -> CourseResult:
        """Solve the regimen once for plasma landmarks and once through both explanations.

        Parameters
        ----------
        drug : str
            "S-ketamine" or "racemic" (chooses the PK model).
        rate_mg_per_h : float
            Infusion rate.
        session_h : float
            Length of each infusion (h).
        sessions : int
            Number of infusions.
        interval_d : float
            Start-to-start interval (days).
        hypothesis : str
            Explanation in front.
        threshold : float
            Relief threshold.

        Returns
        -------
        CourseResult
            Everything ``draw`` and ``describe`` read.
        """
        model = relief.MODEL_FOR_DRUG[drug]
        regimen = pk.repeat(pk.infusion(rate_mg_per_h, session_h), every_h=interval_d * 24.0, times=sessions)
        course = relief.relief_course(regimen, weeks=self.weeks, threshold=threshold, model=model)
        sol = pk.solve(regimen, model=model)
        level = receptor.band_for_drug("analgesic", drug)[0]
        t_peak, c_peak = sol.peak()
        return CourseResult(course=course, hypothesis=hypothesis, drug=drug, drug_label=vocab.drug_label(drug),
                            spans_h=tuple((e.start_h, e.end_h) for e in sol.regimen), weeks=self.weeks,
                            peak_ng_ml=c_peak, peak_h=t_peak, level_ng_ml=level, above_h=sol.time_above(level),
                            total_mg=sol.total_dose_mg, repeated=sessions > 1)

    def draw(self, result: CourseResult) -> None:
        """Update plasma, both pain lines (the chosen one in front), the threshold and the infusion bars.

        Parameters
        ----------
        result : CourseResult
            What ``compute`` returned.
        """
        c = result.course
        t_wk = c.t_h / (_H_PER_DAY * _WEEK_D)
        rplot.update_line(self.plasma, t_wk, c.plasma_ng_ml)
        self.ax_c.set_ylim(0.0, _step_top(result.peak_ng_ml * 1.1, _PLASMA_TOPS))
        for h, line in self.pain.items():
            rplot.update_line(line, t_wk, c.pain_biophase if h == "biophase" else c.pain_reset)
            front = h == result.hypothesis
            line.set_alpha(1.0 if front else 0.45)
            line.set_zorder(3 if front else 2)
        level = c.baseline_pain * (1.0 - c.threshold)
        self.thr.set_ydata([level, level])
        self.controls["interval_d"].disabled = not result.repeated

    def describe(self, result: CourseResult) -> str:
        """Peak plasma, hours above the analgesic level, and days of relief after the end for both explanations.

        Parameters
        ----------
        result : CourseResult
            What ``compute`` returned.

        Returns
        -------
        str
            The description (also the exported figure's alt text).
        """
        r, c = result, result.course
        n = len(r.spans_h)
        first = r.spans_h[0]
        sched = f"{n} × " if n > 1 else ""
        days = {"biophase": c.biophase_days, "reset": c.reset_days}
        other = "reset" if r.hypothesis == "biophase" else "biophase"
        pct = f"{c.threshold * 100:.0f} %"
        return (f"{sched}{_duration_words(first[1] - first[0])} infusion of {r.drug_label} ({r.total_mg:.0f} mg in "
                f"all). Peak plasma {r.peak_ng_ml:.0f} ng/mL; {r.above_h:.1f} h above {r.level_ng_ml:.0f} ng/mL, "
                f"the lower edge of the analgesic range; the drug is gone within a day of the last stop. "
                f"Relief of at least {pct} (pain at or below {c.baseline_pain * (1 - c.threshold):.1f} of "
                f"{c.baseline_pain:.0f}) lasts {days[r.hypothesis]:.0f} days after the end with the "
                f"{HYP_WORDS[r.hypothesis]} explanation ({_weeks(days[r.hypothesis])}) and {days[other]:.0f} days "
                f"with the {HYP_WORDS[other]}. Typical patient who responds; the relief model is assumed and its "
                f"reset rates are a hypothesis tuned to the trial table.")


# ---- panel 2: the headline figure -----------------------------------------------------------------------------

_SWEEP_H = np.unique(np.concatenate([np.geomspace(0.5, 336.0, 200), DURATIONS_H[1:]]))
_BAND_H = np.unique(np.concatenate([np.geomspace(0.5, 336.0, 52), DURATIONS_H[1:][::4], [100.0, 336.0]]))
_COHORT_N = 500


def _trial_point(t):
    """A trial row as a point on the headline figure (weeks), or None if it has no relief number or regimen."""
    if not _simulable(t):
        return None
    vals = [x for x in (t.relief_days, t.relief_days_low, t.relief_days_high) if x is not None]
    if not vals:
        return None
    if t.relief_days is not None:
        y = t.relief_days
    elif t.relief_days_low is not None and t.relief_days_high is not None:
        y = 0.5 * (t.relief_days_low + t.relief_days_high)
    else:
        y = vals[0]
    lo, hi = min(vals), max(vals)
    bound = ("" if t.relief_days is not None or len(vals) > 1 or t.negative else
             "upper" if t.relief_days_high is not None else "lower")
    x = t.hours_per_session * t.sessions
    return rplot.TrialPoint(x, y / _WEEK_D, lo / _WEEK_D, hi / _WEEK_D, t.condition, t.negative, t.study, bound)


@lru_cache(maxsize=1)
def _headline_points() -> tuple:
    return tuple(p for p in (_trial_point(t) for t in evidence.trials()) if p is not None)


@lru_cache(maxsize=64)
def _sweep(rate, threshold):
    return relief.relief_vs_duration(_SWEEP_H, rate, "both", threshold)


@lru_cache(maxsize=64)
def _band(rate, threshold, hypothesis, n=_COHORT_N):
    return relief.cohort_band(_BAND_H, rate, hypothesis, threshold, n=n, seed=0)


_SINGLE_INFUSION_KEYS = tuple(t.key for t in _trial_rows() if t.sessions == 1 and t.drug == vocab.S_KETAMINE)


class ReliefVsDuration(_TrialPresets):
    """The headline: relief after one infusion against its duration, both explanations, cohort band, trials.

    Parameters
    ----------
    preset : str or None
        A single-infusion S-ketamine trial key.
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the preset.
    """

    name = "relief_vs_duration"
    title = "Relief duration against infusion duration"
    _preset_keys = _SINGLE_INFUSION_KEYS

    @property
    def _table(self):
        # Only rate and duration apply here (S-ketamine, one infusion).
        return {k: {**p, "values": {"rate_mg_per_h": p["values"]["rate_mg_per_h"],
                                    "duration_h": p["values"]["session_h"]}}
                for k, p in trial_presets().items() if k in self._preset_keys}

    @_table.setter
    def _table(self, _ignored):
        pass

    def make_controls(self) -> dict:
        """Rate, the duration read out, threshold, and whose cohort band is shown.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "rate_mg_per_h": _rate_slider(20.0, "S-ketamine rate (mg/h)"),
            "duration_h": duration_slider(100.0, "Read out at", durations=_SESSION_H[1:]),
            "threshold": _toggle(THRESHOLDS, 0.3, "Relief threshold"),
            "band": _toggle([("slow biophase", "biophase"), ("sensitisation reset", "reset")], "biophase",
                            "Cohort band of"),
            "n_patients": W.IntSlider(value=_COHORT_N, min=100, max=1000, step=100, description="Virtual patients"),
        }

    def setup(self, fig) -> None:
        """Log-duration axes, both typical lines, the band, the trials and the read-out line.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = ax = fig.add_subplot()
        rplot.duration_axes(ax, 0.35, 420.0, y_label="relief after the infusion ends (weeks)")
        self.band = rplot.cohort_band(ax, "biophase", "10–90 % of responders")
        self.lines = rplot.relief_lines(ax, {h: f"{HYP_WORDS[h]}, typical" for h in relief.HYPOTHESES})
        pts = rplot.trial_points(ax, _headline_points())
        self.marker = ax.axvline(100.0, color="C7", linewidth=1.0, linestyle=(0, (2, 2)))
        ax.set_ylim(0.0, 20.0)
        rplot.outside_legend(fig, [*self.lines.values(), self.band, *pts["handles"]])
        self.dynamic = [self.band, *self.lines.values(), self.marker]
        self.overlays = list(pts["markers"])

    def compute(self, rate_mg_per_h, duration_h, threshold, band, n_patients) -> HeadlineResult:
        """The sweep (both explanations), the cohort band (one), and their values at the read-out duration.

        Parameters
        ----------
        rate_mg_per_h : float
            S-ketamine infusion rate.
        duration_h : float
            Duration read out in the text (h).
        threshold : float
            Relief threshold.
        band : str
            Explanation of the cohort band.
        n_patients : int
            Size of the virtual cohort.

        Returns
        -------
        HeadlineResult
            Everything ``draw`` and ``describe`` read.
        """
        sweep = _sweep(float(rate_mg_per_h), float(threshold))
        cohort = _band(float(rate_mg_per_h), float(threshold), band, int(n_patients))
        ref = [_band(float(rate_mg_per_h), float(threshold), h) for h in relief.HYPOTHESES]
        top = max(13 * _WEEK_D, float(np.max(sweep.biophase_days)), float(np.max(sweep.reset_days)),
                  *(float(np.max(b.p90_days)) for b in ref)) / _WEEK_D
        i = int(np.argmin(np.abs(_SWEEP_H - duration_h)))
        j = int(np.argmin(np.abs(_BAND_H - duration_h)))
        at = {"biophase": float(sweep.biophase_days[i]), "reset": float(sweep.reset_days[i]),
              "p10": float(cohort.p10_days[j]), "p90": float(cohort.p90_days[j]),
              "median": float(cohort.median_days[j]), "relieved": float(cohort.relieved_share[j]),
              "exact_band": bool(abs(_BAND_H[j] - duration_h) < 1e-9)}
        return HeadlineResult(sweep=sweep, band=cohort, duration_h=float(duration_h), at=at,
                              points=_headline_points(), y_top_weeks=float(np.ceil(top * 1.15 / 2) * 2))

    def static_key(self):
        """The band's explanation recolours the band (a full redraw).

        Returns
        -------
        str
            The explanation of the band.
        """
        return self.values["band"]

    def draw(self, result: HeadlineResult) -> None:
        """Update both lines, the band and the read-out line.

        Parameters
        ----------
        result : HeadlineResult
            What ``compute`` returned.
        """
        s, b = result.sweep, result.band
        rplot.update_line(self.lines["biophase"], s.durations_h, s.biophase_days / _WEEK_D)
        rplot.update_line(self.lines["reset"], s.durations_h, s.reset_days / _WEEK_D)
        rplot.update_band(self.band, b.durations_h, b.p10_days / _WEEK_D, b.p90_days / _WEEK_D,
                          hypothesis=b.hypothesis)
        self.marker.set_xdata([result.duration_h, result.duration_h])
        self.ax.set_ylim(-0.5, result.y_top_weeks)

    def describe(self, result: HeadlineResult) -> str:
        """The numbers at the read-out duration: typical patient, the cohort's 10–90 % and share relieved.

        Parameters
        ----------
        result : HeadlineResult
            What ``compute`` returned.

        Returns
        -------
        str
            The description (also the exported figure's alt text).
        """
        a, b = result.at, result.band
        pct = f"{b.threshold * 100:.0f} %"
        near = "" if a["exact_band"] else " (band read at the nearest computed duration)"
        return (f"A {_duration_words(result.duration_h)} infusion at {b.rate_mg_per_h:.3g} mg/h S-ketamine: the "
                f"typical patient has {_weeks(a['biophase'])} of ≥ {pct} relief after it ends with the slow "
                f"biophase and {_weeks(a['reset'])} with the sensitisation reset. With the "
                f"{HYP_WORDS[b.hypothesis]}, 10–90 % of virtual responders get "
                f"{a['p10'] / _WEEK_D:.1f}–{a['p90'] / _WEEK_D:.1f} weeks{near}; "
                f"{a['relieved'] * 100:.0f} % of {b.n} virtual patients have any relief after the end "
                f"(responder probability {relief.RESPONDER_PROBABILITY:.0%}, Dahan 2011). Markers: published "
                f"trials at their own rates and drugs, multi-day courses at their total infusion hours, ranges as "
                f"bars, open markers for no lasting relief. Curves are for one infusion; the model is assumed "
                f"and the reset rates are tuned to the trial table.")


# ---- panel 3: same dose, different schedule ------------------------------------------------------------------------

_SCHEDULES = (("continuous", None, 1, None), ("daily", 4.0, 10, 24.0), ("fortnightly", 6.0, 6, 336.0))


class SameDoseDifferentSchedule(_TrialPresets):
    """One total dose given continuously, as 4 h a day for 10 days, or as 6 h every 2 weeks six times.

    Parameters
    ----------
    preset : str or None
        Not used (no presets).
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the defaults.
    """

    name = "same_dose_schedule"
    title = "Same dose, different schedule"
    _preset_keys = ("__none__",)
    weeks = 20.0

    def make_controls(self) -> dict:
        """Total dose, length of the continuous infusion, explanation.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "total_mg": W.SelectionSlider(options=[(f"{x:g} mg", float(x)) for x in
                                                   (250, 500, 750, 1000, 1500, 2000, 3000)],
                                          value=2000.0, description="Total S-ketamine", continuous_update=True),
            "continuous_h": duration_slider(100.0, "Continuous infusion", durations=(24.0, 48.0, 72.0, 100.0,
                                                                                    144.0, 168.0, 240.0, 336.0)),
            "hypothesis": _toggle([("slow biophase", "biophase"), ("sensitisation reset", "reset")], "biophase",
                                  "Explanation"),
        }

    def setup(self, fig) -> None:
        """Pain against weeks, one line per schedule.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        self.ax = ax = fig.add_subplot()
        rplot.pain_axes(ax, self.weeks)
        self.lines = rplot.schedule_lines(ax, {"continuous": "continuous", "daily": "4 h a day × 10",
                                               "fortnightly": "6 h every 2 weeks × 6"})
        self.thr = rplot.threshold_line(ax, relief.BASELINE_PAIN_NRS * 0.7, "30 % relief")
        rplot.outside_legend(fig, [*self.lines.values(), self.thr])
        self.dynamic = list(self.lines.values())

    def compute(self, total_mg, continuous_h, hypothesis) -> ScheduleResult:
        """Each schedule's course through both explanations at the same total dose.

        Parameters
        ----------
        total_mg : float
            Total S-ketamine (mg).
        continuous_h : float
            Length of the continuous infusion (h).
        hypothesis : str
            Explanation shown.

        Returns
        -------
        ScheduleResult
            Everything ``draw`` and ``describe`` read.
        """
        courses, labels, rates = {}, {}, {}
        for key, hours, n, every in _SCHEDULES:
            h = continuous_h if hours is None else hours
            rate = total_mg / (h * n)
            regimen = pk.course(rate, h, n, 0.0, every) if n > 1 else pk.infusion(rate, h)
            courses[key] = relief.relief_course(regimen, weeks=self.weeks)
            rates[key] = rate
            labels[key] = (f"continuous {h:g} h" if hours is None else
                           "4 h a day × 10" if key == "daily" else "6 h every 2 weeks × 6")
        return ScheduleResult(courses=courses, labels=labels, rates=rates, total_mg=float(total_mg),
                              hypothesis=hypothesis, weeks=self.weeks)

    def draw(self, result: ScheduleResult) -> None:
        """Update the three pain lines.

        Parameters
        ----------
        result : ScheduleResult
            What ``compute`` returned.
        """
        for key, line in self.lines.items():
            c = result.courses[key]
            pain = c.pain_biophase if result.hypothesis == "biophase" else c.pain_reset
            rplot.update_line(line, c.t_h / (_H_PER_DAY * _WEEK_D), pain)

    def describe(self, result: ScheduleResult) -> str:
        """Rate and days with ≥ 30 % relief of each schedule, under the chosen explanation and the other.

        Parameters
        ----------
        result : ScheduleResult
            What ``compute`` returned.

        Returns
        -------
        str
            The description (also the exported figure's alt text).
        """
        h = result.hypothesis
        other = "reset" if h == "biophase" else "biophase"
        parts = [f"{result.labels[k]} at {result.rates[k]:.3g} mg/h: {result.courses[k].days_with_relief(h):.0f} "
                 f"days ({result.courses[k].days_with_relief(other):.0f} with the {HYP_WORDS[other]})"
                 for k in result.courses]
        return (f"{result.total_mg:.0f} mg S-ketamine in three schedules. Days with ≥ 30 % relief in the first "
                f"{result.weeks:.0f} weeks, {HYP_WORDS[h]} explanation: " + "; ".join(parts) + ". The KetCRPS-2 "
                "trial compares a continuous infusion with the fortnightly schedule; its result is not in our "
                "sources, so the two explanations' answers are predictions, not findings.")


# ---- panel 4: fit it yourself ---------------------------------------------------------------------------------

def _bound_words(t) -> str:
    """A target's interval in words (days)."""
    lo, hi = t.low_days, t.high_days
    if hi is None:
        return f"at least {lo:.3g} days"
    if lo is None:
        return f"at most {hi:.3g} days"
    if lo == hi:
        return f"{lo:.3g} days"
    if hi < 1.0:
        return f"{lo * 24:.2g}–{hi * 24:.2g} hours"
    return f"{lo:.3g}–{hi:.3g} days"


def _fit_slots():
    """The calibration targets, fitted ones first; where each reported value is drawn, its range and its words."""
    targets = relief.calibration_targets(evidence.trials())
    slots = [t for t in targets if t.fit] + [t for t in targets if not t.fit]
    low = np.array([0.0 if t.low_days is None else t.low_days for t in slots])
    high = np.array([t.high_days if t.high_days is not None else low[i] for i, t in enumerate(slots)])
    reported = np.array([t.low_days if t.high_days is None else t.high_days if t.low_days is None
                         else 0.5 * (t.low_days + t.high_days) for t in slots])
    return slots, sum(t.fit for t in slots), reported, low, high, tuple(_bound_words(t) for t in slots)


def _short(t) -> str:
    """A trial's two-line tick label: first author and year (and "pilot" where one author has two rows)."""
    extra = " pilot" if "pilot" in t.key else ""
    return f"{t.study.split()[0]}\n{t.year}{extra}"


@lru_cache(maxsize=1)
def _slots():
    return _fit_slots()


@lru_cache(maxsize=1)
def _calibrated():
    slots = list(_slots()[0])
    return relief.evaluate_reset(slots, relief.RESET), relief.evaluate_biophase(slots)


class FitReset(_TrialPresets):
    """Move the "reset" rebuild time and strength; the fit to the trials updates (mean error in weeks).

    Parameters
    ----------
    preset : str or None
        Not used (no presets).
    look : str
        "notebook", "presenter", "slides-light" or "slides-dark".
    **values
        Control values that override the defaults.
    """

    name = "fit_reset"
    title = "Fit the reset rates yourself"
    _preset_keys = ("__none__",)

    def make_controls(self) -> dict:
        """Rebuild time (days) and strength (per day at full block), log sliders.

        Returns
        -------
        dict
            Control name -> widget.
        """
        return {
            "rebuild_days": log_slider(20.0, 5.0, 400.0, 0.05, readout_format=".3g",
                                       description="Rebuild time (days)", continuous_update=True),
            "decay_per_day": log_slider(2.0, 0.02, 10.0, 0.05, readout_format=".3g",
                                        description="Reset strength (per day)", continuous_update=True),
        }

    def setup(self, fig) -> None:
        """One slot per trial: reported relief and range, calibrated and your predictions.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's figure.
        """
        slots, n_fit, reported, low, high, _words = _slots()
        rows = {t.key: t for t in evidence.trials()}
        names = [_short(rows[t.label]) for t in slots]
        self.ax = ax = fig.add_subplot()
        rplot.fit_axes(ax, names, y_label="relief after the end (weeks)")
        pts = rplot.fit_points(ax, reported / _WEEK_D, low / _WEEK_D, high / _WEEK_D,
                               fitted=[i < n_fit for i in range(len(slots))])
        self.yours, self.cal = pts["yours"], pts["calibrated"]
        rplot.outside_legend(fig, pts["handles"])
        self.dynamic = [self.yours, self.cal]

    def compute(self, rebuild_days, decay_per_day) -> FitResult:
        """Predictions of the chosen and the calibrated rates (and of the biophase) for every trial slot.

        Parameters
        ----------
        rebuild_days : float
            Rebuild time constant (days).
        decay_per_day : float
            Decay rate at full block (1/day).

        Returns
        -------
        FitResult
            Everything ``draw`` and ``describe`` read.
        """
        slots, n_fit, reported, low, high, words = _slots()
        yours = relief.evaluate_reset(list(slots), relief.ResetParams(rebuild_days, decay_per_day))
        calibrated, biophase = _calibrated()
        rows = {t.key: t for t in evidence.trials()}
        return FitResult(yours=yours, calibrated=calibrated, biophase=biophase, n_fitted=n_fit,
                         labels=tuple(_short(rows[t.label]).replace("\n", " ") for t in slots),
                         reported=reported, low=low, high=high, bounds=words)

    def draw(self, result: FitResult) -> None:
        """Place both sets of predictions and fit the y range.

        Parameters
        ----------
        result : FitResult
            What ``compute`` returned.
        """
        rplot.update_fit_points(self.yours, result.yours.predicted_days / _WEEK_D, offset=0.18)
        rplot.update_fit_points(self.cal, result.calibrated.predicted_days / _WEEK_D, offset=-0.18)
        top = max(float(np.max(result.yours.predicted_days)), float(np.max(result.calibrated.predicted_days)),
                  float(np.max(result.high))) / _WEEK_D
        self.ax.set_ylim(-0.5, _step_top(top * 1.1, _WEEK_TOPS))

    def describe(self, result: FitResult) -> str:
        """Mean error over the fitted trials (yours, calibrated, biophase) and each trial's error with your rates.

        Parameters
        ----------
        result : FitResult
            What ``compute`` returned.

        Returns
        -------
        str
            The description (also the exported figure's alt text).
        """
        y, c = result.yours.params, result.calibrated.params
        n = result.n_fitted
        per = "; ".join(f"{lab} ({words}): {err / _WEEK_D:+.1f}" for lab, words, err in
                        zip(result.labels[:n], result.bounds[:n], result.yours.error_days[:n], strict=True))
        shown = "; ".join(f"{lab}, reported {words}: predicted {p / _WEEK_D:.1f} weeks with your rates"
                          for lab, words, p in zip(result.labels[n:], result.bounds[n:],
                                                   result.yours.predicted_days[n:], strict=True))
        return (f"Your rates: rebuild time {y.rebuild_days:.3g} days, reset strength {y.decay_per_day:.3g} per day. "
                f"Mean error over the {n} fitted trials: {result.mae_weeks('yours'):.1f} weeks (calibrated rates "
                f"{c.rebuild_days:.3g} days and {c.decay_per_day:.3g} per day: {result.mae_weeks('calibrated'):.1f} "
                f"weeks; the slow biophase, not fitted: {result.mae_weeks('biophase'):.1f} weeks). Error per trial "
                f"with your rates, in weeks (0 inside the reported range, + too long): {per}. Not fitted — {shown}. "
                f"The rates are a hypothesis tuned to the data, not measurements.")


# ---- factories ---------------------------------------------------------------------------------------------------

def drug_gone_relief_stays(preset: str | None = "dahan_2011", **values) -> DrugGoneReliefStays:
    """Plasma and pain over 16 weeks for one regimen (opens on Dahan 2011's 100-h infusion).

    Parameters
    ----------
    preset : str or None
        A trial key (see :func:`trial_presets`).
    **values
        Control values that override the preset.

    Returns
    -------
    DrugGoneReliefStays
        The panel (displays itself in a notebook).
    """
    return DrugGoneReliefStays(preset, **values)


def relief_vs_duration(preset: str | None = None, **values) -> ReliefVsDuration:
    """The headline figure: relief against infusion duration, cohort band and trials.

    Parameters
    ----------
    preset : str or None
        A single-infusion S-ketamine trial key.
    **values
        Control values that override the preset.

    Returns
    -------
    ReliefVsDuration
        The panel.
    """
    return ReliefVsDuration(preset, **values)


def same_dose_schedule(preset: str | None = None, **values) -> SameDoseDifferentSchedule:
    """One total dose, three schedules, under either explanation.

    Parameters
    ----------
    preset : str or None
        Not used (the panel has no presets).
    **values
        Control values.

    Returns
    -------
    SameDoseDifferentSchedule
        The panel.
    """
    return SameDoseDifferentSchedule(preset, **values)


def fit_reset(preset: str | None = None, **values) -> FitReset:
    """Fit the reset rates by hand against the trials.

    Parameters
    ----------
    preset : str or None
        Not used (the panel has no presets).
    **values
        Control values.

    Returns
    -------
    FitReset
        The panel.
    """
    return FitReset(preset, **values)


PANELS = {"drug_gone_relief_stays": DrugGoneReliefStays, "relief_vs_duration": ReliefVsDuration,
          "same_dose_schedule": SameDoseDifferentSchedule, "fit_reset": FitReset}

#: Reference keys behind this notebook's panels: the model's and every trial row's.
REFERENCES = tuple(sorted(set(relief.REFERENCE_KEYS) | {t.reference for t in evidence.trials()} | {"ketcrps2_2023"}))
