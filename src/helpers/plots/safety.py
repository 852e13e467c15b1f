"""Plots for notebook 06 (retreatment and safety). Each function draws on the Axes it is given and returns its
artists; numbers and labels come in as arguments (no model is run here)."""
from __future__ import annotations

import numpy as np

from .. import _validate as v

__all__ = ["year_axes", "relief_artists", "update_relief", "dose_strip", "update_dose_strip", "interval_axes",
           "interval_artists", "update_interval", "level_lines", "hours_bars", "update_hours_bars",
           "timeline_axes", "timeline_artists", "update_timeline", "legend", "step_top"]

# Axis tops come from this ladder (x 10^k): neighbouring slider settings share a top, so a move redraws only the
# data (the panels blit), while the data still fill at least 2/3 of the axis.
_TOPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def step_top(value: float, headroom: float = 1.0) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k at or above ``value × headroom``.

    Parameters
    ----------
    value : float
        The largest value to show, > 0.
    headroom : float, optional
        Factor of room above it, >= 1.

    Returns
    -------
    float
        The axis top.
    """
    target = v.positive(value, "value") * v.in_range(headroom, "headroom", 1.0, 10.0)
    exp = 10.0 ** np.floor(np.log10(target))
    return float(next(m * exp for m in _TOPS if m * exp >= target * (1 - 1e-12)))


def year_axes(ax, weeks: float) -> None:
    """Label the relief-over-a-year axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    weeks : float
        Window (weeks), > 0.
    """
    ax.set_xlim(0.0, v.positive(weeks, "weeks"))
    ax.set_ylim(-0.08, 1.08)                  # the legend sits above the axes, so only the peaks need room
    ax.set_yticks(np.linspace(0.0, 1.0, 6))
    ax.set_xlabel("time since the first dose (weeks)")
    ax.set_ylabel("pain relief (fraction of baseline)")


def relief_artists(ax, *, threshold: float) -> dict:
    """Empty artists for relief over time: cohort band, typical patient (both explanations) and the threshold.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    threshold : float
        Relief threshold drawn as a dotted line.

    Returns
    -------
    dict
        ``"typical"``, ``"other"`` (lines), ``"threshold"`` (line) and ``"band"`` (an empty polygon).
    """
    band = ax.fill_between([0.0, 1.0], [0.0, 0.0], [0.0, 0.0], color="C0", alpha=0.2, lw=0,
                           label="responders 10–90 %")
    (typ,) = ax.plot([], [], color="C0", lw=2.0, label="typical patient")
    (other,) = ax.plot([], [], color="C1", lw=1.4, ls="--", label="typical patient, other explanation")
    thr = ax.axhline(threshold, color="0.5", lw=1.2, ls=":", label=f"{threshold:.0%} relief")
    return {"typical": typ, "other": other, "threshold": thr, "band": band}


def update_relief(ax, artists: dict, t_weeks, relief, other, low, high, *, labels: tuple, threshold: float) -> None:
    """Fill the relief artists in place (the band's outline is replaced, the artist kept).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of ``artists``.
    artists : dict
        From :func:`relief_artists`.
    t_weeks, relief, other, low, high : array_like
        Times (weeks), typical relief under the chosen and the other explanation, cohort 10th and 90th percentile.
    labels : tuple of str
        Legend labels of (typical, other, band).
    threshold : float
        Relief threshold.
    """
    artists["typical"].set_data(t_weeks, relief)
    artists["other"].set_data(t_weeks, other)
    artists["typical"].set_label(labels[0])
    artists["other"].set_label(labels[1])
    artists["threshold"].set_ydata([threshold, threshold])
    artists["threshold"].set_label(f"{threshold:.0%} relief")
    x, lo, hi = (np.asarray(a, dtype=float) for a in (t_weeks, low, high))
    artists["band"].set_verts([np.concatenate([np.column_stack([x, lo]), np.column_stack([x[::-1], hi[::-1]])])])
    artists["band"].set_label(labels[2])


def dose_strip(ax):
    """Empty bars under the relief curves marking when doses run.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.

    Returns
    -------
    matplotlib.collections.BrokenBarHCollection or PolyCollection
        The bars (filled by :func:`update_dose_strip`).
    """
    return ax.broken_barh([], (-0.07, 0.05), facecolors="C2", label="infusion")


def update_dose_strip(bars, spans_weeks) -> None:
    """Set the dose bars to (start, end) spans in weeks; very short doses get a visible minimum width.

    Parameters
    ----------
    bars : matplotlib collection
        From :func:`dose_strip`.
    spans_weeks : sequence of (float, float)
        (start, end) of each dose (weeks).
    """
    verts = []
    for a, b in spans_weeks:
        w = max(b - a, 0.12)
        verts.append([(a, -0.07), (a, -0.02), (a + w, -0.02), (a + w, -0.07)])
    bars.set_verts(verts)


def interval_axes(ax, lo_weeks: float, hi_weeks: float, clinic: tuple) -> None:
    """Label the relief-days-versus-interval axes and shade the interval clinics report.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    lo_weeks, hi_weeks : float
        Interval range (weeks).
    clinic : tuple of float
        (low, high) interval clinics report (weeks).
    """
    ax.set_xlim(lo_weeks - 0.5, hi_weeks + 0.5)
    ax.set_xlabel("interval (weeks)")
    ax.set_ylabel("days of the year with relief")
    ax.axvspan(clinic[0], clinic[1], color="C4", alpha=0.18, lw=0, label=f"clinic practice {clinic[0]}–{clinic[1]} wk")


def interval_artists(ax) -> dict:
    """Empty curves of relief days against interval (both explanations) and a marker for the current setting.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.

    Returns
    -------
    dict
        ``"biophase"``, ``"reset"`` (lines with markers) and ``"now"`` (a vertical line).
    """
    (b,) = ax.plot([], [], color="C0", marker="o", ms=4, lw=1.6, label="slow biophase")
    (r,) = ax.plot([], [], color="C1", marker="s", ms=4, lw=1.4, ls="--", label="sensitisation reset")
    now = ax.axvline(np.nan, color="0.3", lw=1.0, ls="-.", label="this schedule")
    return {"biophase": b, "reset": r, "now": now}


def update_interval(ax, artists: dict, weeks, biophase_days, reset_days, now_weeks) -> None:
    """Fill the interval curves and move the marker (hidden when ``now_weeks`` is None).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of ``artists``.
    artists : dict
        From :func:`interval_artists`.
    weeks, biophase_days, reset_days : array_like
        Intervals and relief days under each explanation.
    now_weeks : float or None
        The interval of the current schedule.
    """
    artists["biophase"].set_data(weeks, biophase_days)
    artists["reset"].set_data(weeks, reset_days)
    visible = now_weeks is not None
    artists["now"].set_visible(visible)
    if visible:
        artists["now"].set_xdata([now_weeks, now_weeks])
    top = max(float(np.max(biophase_days)), float(np.max(reset_days)), 10.0)
    ax.set_ylim(0.0, step_top(top, 1.3))


def level_lines(ax, levels_ng_ml) -> list:
    """Horizontal lines at side-effect levels, one line style each; the bars beside them carry the names, so no
    label sits on the curve.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    levels_ng_ml : sequence of float
        Levels (ng/mL).

    Returns
    -------
    list
        The lines, lowest level first.
    """
    styles = ("-", "--", "-.", ":", (0, (5, 1)))
    return [ax.axhline(lv, color="C3", lw=1.1, ls=styles[i % len(styles)], alpha=0.85,
                       label="side-effect levels" if i == 0 else None)
            for i, lv in enumerate(levels_ng_ml)]


def hours_bars(ax, labels) -> list:
    """Horizontal bars (empty) of hours above each level.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    labels : sequence of str
        One label per bar, lowest level at the bottom.

    Returns
    -------
    list
        The bars, then their value texts.
    """
    y = np.arange(len(labels))
    bars = ax.barh(y, np.zeros(len(labels)), color="C3", alpha=0.7)
    ax.set_yticks(y, labels)
    ax.set_xlabel("hours above the level")
    texts = [ax.text(0, yi, "", va="center", ha="left", fontsize="small") for yi in y]
    return [list(bars), texts]


def update_hours_bars(ax, artists, hours, *, span_h: float | None = None) -> None:
    """Set the bar lengths and their value labels.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of ``artists``.
    artists : list
        From :func:`hours_bars`.
    hours : sequence of float
        Hours above each level.
    span_h : float or None, keyword-only
        The plotted time window (h): the axis then follows the window, not the hours, so it keeps its limits
        while a slider changes only the level of the curve.
    """
    bars, texts = artists
    top = step_top(max(max(hours), 1.0 if span_h is None else v.positive(span_h, "span_h")), 1.35)
    ax.set_xlim(0.0, top)
    for bar, text, h in zip(bars, texts, hours, strict=True):
        bar.set_width(h)
        text.set_position((h + 0.01 * top, bar.get_y() + bar.get_height() / 2))
        text.set_text(f"{h:.1f} h")


def timeline_axes(ax) -> None:
    """Label the two-course timeline axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    """
    ax.set_xlabel("days since the start of the first course")
    ax.set_ylabel("cumulative dose (mg), illustrative exposure")


def timeline_artists(ax, finding: str) -> dict:
    """Empty timeline artists: cumulative dose, two course spans, the checks, and a reported finding's label.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    finding : str
        Words of the finding, written in the top right corner (it does not move with the sliders: a boxed label
        that follows the second course cost more to draw than the rest of the picture).

    Returns
    -------
    dict
        ``"dose"`` (line), ``"courses"`` (list of two rectangles), ``"checks"`` (markers), ``"finding"`` (label).
    """
    (dose,) = ax.plot([], [], color="C0", lw=2.0, label="cumulative dose (illustrative)")
    courses = [ax.axvspan(0.0, 1.0, color="C2", alpha=0.25, lw=0, label="infusion course" if i == 0 else None)
               for i in range(2)]
    (checks,) = ax.plot([], [], ls="none", marker="v", color="C3", ms=7, label="liver-enzyme check")
    label = ax.annotate(finding, (0.98, 0.96), xycoords="axes fraction", ha="right", va="top", fontsize="small",
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.6", alpha=0.9))
    return {"dose": dose, "courses": courses, "checks": checks, "finding": label}


def update_timeline(ax, artists: dict, spans_days, check_days, t_days, cumulative_mg) -> None:
    """Fill the timeline artists: course spans, monitoring ticks and cumulative dose.

    The y axis steps through round tops and the x axis ends at the curve's last time, so most slider moves
    leave the axes as they were.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of ``artists``.
    artists : dict
        From :func:`timeline_artists`.
    spans_days : sequence of (float, float)
        The two courses (start, end) in days.
    check_days : sequence of float
        Days of a liver-enzyme check.
    t_days, cumulative_mg : array_like
        The cumulative-dose curve.
    """
    if len(spans_days) != len(artists["courses"]):
        raise ValueError(f"spans_days must hold {len(artists['courses'])} courses, got {len(spans_days)}")
    top = step_top(max(float(np.max(cumulative_mg)), 1.0), 1.35)   # room above the curve for the finding's label
    ax.set_ylim(-0.12 * top, top)
    ax.set_xlim(-1.0, float(np.max(t_days)))
    artists["dose"].set_data(t_days, cumulative_mg)
    for rect, (a, b) in zip(artists["courses"], spans_days, strict=True):
        rect.set_x(a)
        rect.set_width(b - a)
    artists["checks"].set_data(check_days, np.full(len(check_days), -0.06 * top))


def legend(ax, handles=None, *, loc: str = "upper left", fontsize: str = "small", ncols: int = 1):
    """A legend with an opaque frame inside the axes, or a frameless one in rows above them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    handles : list or None, optional
        The artists to list; None: every labelled artist.
    loc : str, optional
        Matplotlib legend location inside the axes, or "above": left-aligned over the axes, where no data line
        can run under it (a vertical marker crosses any legend placed inside).
    fontsize : str, optional
        Matplotlib font size name.
    ncols : int, optional
        Number of columns, 1 to 6.

    Returns
    -------
    matplotlib.legend.Legend
        The legend.
    """
    ncols = v.integer(ncols, "ncols", 1, 6)
    kwargs = {"loc": loc, "fontsize": fontsize, "framealpha": 0.95, "ncols": ncols}
    if loc == "above":
        kwargs.update({"loc": "lower left", "bbox_to_anchor": (0.0, 1.01), "borderaxespad": 0.0, "frameon": False,
                       "columnspacing": 1.0, "handlelength": 2.2})
    return ax.legend(handles=handles, **kwargs) if handles is not None else ax.legend(**kwargs)
