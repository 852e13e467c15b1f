"""Plots for notebook 05 (relief after an infusion). Each function draws on the Axes it is given and returns its
artists; numbers and labels come in as arguments (no model is imported here)."""
from __future__ import annotations

import numpy as np

from .. import _validate as v
from ..style import ROLE

__all__ = ["HYPOTHESIS_STYLES", "CONDITION_MARKERS", "condition_marker", "pain_axes", "plasma_axes",
           "course_lines", "update_line", "threshold_line", "duration_axes", "relief_lines", "cohort_band",
           "update_band", "TrialPoint", "trial_points", "schedule_lines", "fit_axes", "fit_points",
           "update_fit_points", "outside_legend"]

#: (colour, line style) of each explanation, the same in every figure of notebook 05.
HYPOTHESIS_STYLES = {"biophase": (ROLE["effect_slow"], "-"), "reset": (ROLE["effect_fast"], "--")}

#: Marker per pain condition of the trial table (matched on a word of the condition), then the fallback.
CONDITION_MARKERS = (("CRPS", "o", "CRPS"), ("fibromyalgia", "s", "fibromyalgia"),
                     ("spinal cord", "^", "spinal cord injury"), ("neuropathic", "D", "neuropathic pain"))
_OTHER = ("v", "other chronic pain")


def condition_marker(condition: str) -> tuple[str, str]:
    """Marker and legend group for a trial's pain condition.

    Parameters
    ----------
    condition : str
        The condition as the trial table states it.

    Returns
    -------
    tuple of str
        ``(marker, group label)``.
    """
    text = str(condition)
    for word, marker, label in CONDITION_MARKERS:
        if word.lower() in text.lower():
            return marker, label
    return _OTHER


def pain_axes(ax, weeks: float) -> None:
    """Label an axes for pain (0–10) against time in weeks.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    weeks : float
        Window (weeks), > 0.
    """
    w = v.positive(weeks, "weeks")
    ax.set_xlim(0.0, w)
    ax.set_ylim(0.0, 10.0)
    ax.set_xlabel("time since the first dose (weeks)")
    ax.set_ylabel("pain (0–10)")


def plasma_axes(ax, drug_label: str) -> None:
    """Label an axes for plasma concentration (ng/mL, linear: the drug's disappearance is the point).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    drug_label : str
        The drug's name in the label.
    """
    ax.set_ylabel(f"plasma {drug_label}\n(ng/mL)".replace("  ", " "))


def course_lines(ax, names, labels) -> dict:
    """Empty lines, one per name, styled by :data:`HYPOTHESIS_STYLES` (others: the ketamine colour).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    names : sequence of str
        Keys of the lines (e.g. "biophase", "reset", "plasma").
    labels : Mapping
        Legend label per name.

    Returns
    -------
    dict
        ``{name: Line2D}``.
    """
    out = {}
    for name in names:
        color, ls = HYPOTHESIS_STYLES.get(name, (ROLE["ketamine"], "-"))
        (out[name],) = ax.plot([], [], color=color, linestyle=ls, label=labels[name])
    return out


def update_line(line, x, y) -> None:
    """Replace a line's data.

    Parameters
    ----------
    line : matplotlib.lines.Line2D
        The line.
    x, y : array_like
        New data (same length).
    """
    line.set_data(np.asarray(x, float), np.asarray(y, float))


def threshold_line(ax, level: float, label: str):
    """A horizontal dotted line (a relief threshold drawn as a pain level).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    level : float
        The y value.
    label : str
        Legend label.

    Returns
    -------
    matplotlib.lines.Line2D
        The line.
    """
    return ax.axhline(v.number(level, "level"), color=ROLE["control"], linestyle=":", linewidth=1.4, label=label)


_DURATION_TICKS = ((0.5, "30 min"), (4.0, "4 h"), (24.0, "1 d"), (100.0, "100 h"), (336.0, "14 d"))


def duration_axes(ax, shortest_h: float = 0.5, longest_h: float = 336.0, *, y_label: str) -> None:
    """Log-x axes for relief against infusion duration, ticked 30 min, 4 h, 1 d, 100 h, 14 d.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    shortest_h, longest_h : float
        The x range (h), 0 < ``shortest_h`` < ``longest_h``.
    y_label : str
        The y label (with unit).
    """
    lo = v.positive(shortest_h, "shortest_h")
    hi = v.in_range(longest_h, "longest_h", lo, float("inf"), low_open=True)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    shown = [(t, label) for t, label in _DURATION_TICKS if lo <= t <= hi]
    ax.set_xticks([t for t, _ in shown], labels=[label for _, label in shown])
    ax.minorticks_off()
    ax.set_xlabel("infusion duration (log scale)")
    ax.set_ylabel(y_label)


def relief_lines(ax, labels) -> dict:
    """Empty typical-patient lines of both explanations (thick), for :func:`update_line`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    labels : Mapping
        Legend label for "biophase" and "reset".

    Returns
    -------
    dict
        ``{"biophase": Line2D, "reset": Line2D}``.
    """
    return course_lines(ax, ("biophase", "reset"), labels)


def cohort_band(ax, hypothesis: str, label: str):
    """An empty shaded 10–90 % band in the colour of ``hypothesis``; fill it with :func:`update_band`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    hypothesis : {"biophase", "reset"}
        Whose colour to use.
    label : str
        Legend label.

    Returns
    -------
    matplotlib.collections.PolyCollection
        The band.
    """
    color = HYPOTHESIS_STYLES[v.choice(hypothesis, "hypothesis", HYPOTHESIS_STYLES)][0]
    return ax.fill_between([1.0, 2.0], [0.0, 0.0], [0.0, 0.0], color=color, alpha=0.2, linewidth=0, label=label)


def update_band(band, x, low, high, *, hypothesis: str | None = None) -> None:
    """Replace the outline of a band made by :func:`cohort_band`.

    Parameters
    ----------
    band : matplotlib.collections.PolyCollection
        The band.
    x, low, high : array_like
        Abscissae and the lower and upper edge (same length).
    hypothesis : {"biophase", "reset"} or None, keyword-only
        Recolour the band for this explanation.
    """
    x, lo, hi = (np.asarray(a, float) for a in (x, low, high))
    verts = np.concatenate([np.column_stack([x, lo]), np.column_stack([x[::-1], hi[::-1]])])
    band.set_verts([verts])
    if hypothesis is not None:
        band.set_facecolor(HYPOTHESIS_STYLES[v.choice(hypothesis, "hypothesis", HYPOTHESIS_STYLES)][0])
        band.set_alpha(0.2)


class TrialPoint(tuple):
    """One trial on the relief-vs-duration figure: ``(x, y, low, high, condition, negative, label, bound)``.

    Parameters
    ----------
    x : float
        Infusion hours.
    y : float
        Central relief (the y unit of the axes).
    low, high : float
        Range ends (equal to ``y`` where none is known).
    condition : str
        Pain condition (chooses the marker).
    negative : bool
        No lasting benefit (an open marker).
    label : str
        Short name, for the text.
    bound : {"", "upper", "lower"}
        "upper" when ``y`` is only an upper end ("up to"), "lower" when only a lower end ("at least"): an arrow
        points the way the true value may lie.
    """

    def __new__(cls, x, y, low, high, condition, negative, label, bound=""):
        return super().__new__(cls, (float(x), float(y), float(low), float(high), str(condition), bool(negative),
                                     str(label), v.choice(bound, "bound", ("", "upper", "lower"))))


def trial_points(ax, points, *, arrow: float = 1.0) -> dict:
    """Published trials as markers by condition, with their ranges as error bars; negative trials open.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    points : sequence of TrialPoint
        The trials.
    arrow : float, keyword-only
        Length of the arrow of a one-sided value (y units).

    Returns
    -------
    dict
        ``{"markers": list of Line2D, "handles": legend handles}`` (one handle per condition shown, and one
        for "no lasting relief" when a negative trial is shown).
    """
    markers, handles, seen = [], [], {}
    color = ROLE["control"]
    for p in points:
        x, y, lo, hi, condition, negative, _label, bound = TrialPoint(*p)
        marker, group = condition_marker(condition)
        if bound:
            down = bound == "upper"
            ax.errorbar([x], [y - arrow if down else y], yerr=[[0.0], [arrow]], uplims=not down, lolims=down,
                        fmt="none", ecolor=color, elinewidth=1.2, capsize=0, zorder=4)
        elif hi > lo:
            ax.errorbar([x], [y], yerr=[[y - lo], [hi - y]], fmt="none", ecolor=color, elinewidth=1.2, capsize=4,
                        zorder=4)
        (m,) = ax.plot([x], [y], linestyle="none", marker=marker, markersize=9, markeredgewidth=1.6,
                       markeredgecolor=color, markerfacecolor="none" if negative else color, zorder=5)
        markers.append(m)
        if group not in seen:
            (h,) = ax.plot([], [], linestyle="none", marker=marker, markersize=9, markeredgecolor=color,
                           markerfacecolor=color, label=f"trial: {group}")
            seen[group] = h
    handles = list(seen.values())
    if any(TrialPoint(*p)[5] for p in points):
        (h,) = ax.plot([], [], linestyle="none", marker="o", markersize=9, markeredgewidth=1.6,
                       markeredgecolor=color, markerfacecolor="none", label="open: no lasting relief")
        handles.append(h)
    return {"markers": markers, "handles": handles}


def schedule_lines(ax, labels) -> dict:
    """Empty lines for schedules compared at one total dose, each its own colour and line style.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    labels : Mapping
        Legend label per schedule key, in drawing order.

    Returns
    -------
    dict
        ``{key: Line2D}``.
    """
    styles = (("C0", "-"), ("C1", "--"), ("C2", "-."), ("C5", ":"))
    out = {}
    for (key, label), (color, ls) in zip(labels.items(), styles, strict=False):
        (out[key],) = ax.plot([], [], color=color, linestyle=ls, label=label)
    return out


def fit_axes(ax, labels, *, y_label: str) -> None:
    """Categorical x axis, one slot per trial.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    labels : sequence of str
        One tick label per trial.
    y_label : str
        The y label (with unit).
    """
    n = len(labels)
    ax.set_xticks(np.arange(n), labels=list(labels))
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylabel(y_label)
    ax.grid(axis="x", visible=False)


def fit_points(ax, reported, low, high, *, fitted) -> dict:
    """Reported relief (with ranges) per trial slot, and empty markers for two sets of predictions.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw (after :func:`fit_axes`).
    reported, low, high : array_like
        Reported central value and range per slot.
    fitted : array_like of bool
        Whether each trial was a calibration target (filled marker) or not (open).

    Returns
    -------
    dict
        ``{"yours": Line2D, "calibrated": Line2D, "reported": list, "handles": list}``.
    """
    y, lo, hi = (np.asarray(a, float) for a in (reported, low, high))
    fit = np.asarray(fitted, bool)
    x = np.arange(y.size)
    color = ROLE["control"]
    ranged = hi > lo
    if np.any(ranged):
        ax.errorbar(x[ranged], y[ranged], yerr=[(y - lo)[ranged], (hi - y)[ranged]], fmt="none", ecolor=color,
                    elinewidth=1.2, capsize=5, zorder=3)
    rep = []
    for face, sel, label in ((color, fit, "reported, fitted"), ("none", ~fit, "reported, not fitted")):
        (m,) = ax.plot(x[sel], y[sel], linestyle="none", marker="o", markersize=10, markeredgewidth=1.6,
                       markeredgecolor=color, markerfacecolor=face, label=label, zorder=4)
        rep.append(m)
    (cal,) = ax.plot([], [], linestyle="none", marker="D", markersize=8, color=ROLE["effect_slow"],
                     label="calibrated rates", zorder=5)
    (yours,) = ax.plot([], [], linestyle="none", marker="X", markersize=12, color=ROLE["effect_fast"],
                       label="your rates", zorder=6)
    return {"yours": yours, "calibrated": cal, "reported": rep, "handles": [*rep, cal, yours]}


def update_fit_points(line, predicted, *, offset: float = 0.0) -> None:
    """Place one set of predictions in the trial slots.

    Parameters
    ----------
    line : matplotlib.lines.Line2D
        A marker line made by :func:`fit_points`.
    predicted : array_like
        Prediction per slot.
    offset : float, keyword-only
        Horizontal shift within the slot, so two sets side by side stay visible.
    """
    y = np.asarray(predicted, float)
    line.set_data(np.arange(y.size) + offset, y)


def outside_legend(fig, handles, *, ncols: int = 1):
    """A figure legend to the right of the axes, so it never covers data.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (constrained layout makes room).
    handles : list
        The artists to list.
    ncols : int, keyword-only
        Columns.

    Returns
    -------
    matplotlib.legend.Legend
        The legend.
    """
    return fig.legend(handles=handles, loc="outside right upper", ncols=ncols)
