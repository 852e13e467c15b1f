"""Plots for the pharmacokinetics layer. Each function draws on the Axes it is given and returns its artists."""
from __future__ import annotations

import matplotlib
import numpy as np

from .. import _validate as v
from ..models.pk import FAST_EFFECT_T_HALF_MIN, SLOW_EFFECT_T_HALF_DAYS
from ..style import ROLE

__all__ = ["TIME_UNITS", "time_axis", "concentration_lines", "update_concentration", "dosing_bars",
           "update_dosing_bars", "concentration_band", "decrement_curve"]

#: Time units for x axes: (label, hours per unit).
TIME_UNITS = {"min": ("time since start (min)", 1 / 60), "h": ("time since start (h)", 1.0),
              "d": ("time since start (days)", 24.0), "wk": ("time since start (weeks)", 168.0)}


def time_axis(ax, window_h: float, unit: str | None = None) -> str:
    """Set the x label and limits for a window of ``window_h`` hours; return the unit used."""
    window_h = v.positive(window_h, "window_h")
    if unit is None:
        unit = "min" if window_h <= 2 else "h" if window_h <= 72 else "d" if window_h <= 24 * 42 else "wk"
    v.choice(unit, "unit", TIME_UNITS)
    label, per = TIME_UNITS[unit]
    ax.set_xlabel(label)
    ax.set_xlim(0, window_h / per)
    return unit


def concentration_lines(ax, *, norketamine: bool = True, effect_fast: bool = True,
                        effect_slow: bool = False, drug_label: str = "ketamine"):
    """Empty lines for plasma ketamine, norketamine and the effect sites; fill them with
    :func:`update_concentration`. Returns ``{name: Line2D}``."""
    lines = {"plasma": ax.plot([], [], color=ROLE["ketamine"], linestyle="-",
                               label=f"plasma {drug_label}")[0]}
    if norketamine:
        lines["norketamine"] = ax.plot([], [], color=ROLE["norketamine"], linestyle="--",
                                       label="plasma norketamine")[0]
    if effect_fast:
        lines["effect_fast"] = ax.plot([], [], color=ROLE["effect_fast"], linestyle="-.",
                                       label=f"fast effect site (t½ {FAST_EFFECT_T_HALF_MIN:.0f} min)")[0]
    if effect_slow:
        lines["effect_slow"] = ax.plot([], [], color=ROLE["effect_slow"], linestyle=":",
                                       label=f"slow biophase (t½ {SLOW_EFFECT_T_HALF_DAYS:g} days)")[0]
    ax.set_ylabel("concentration (ng/mL)")
    return lines


def update_concentration(lines, result, unit: str) -> None:
    """Put a :class:`helpers.models.pk.PKResult` into lines made by :func:`concentration_lines`."""
    x = result.t_h / TIME_UNITS[unit][1]
    series = {"plasma": result.plasma_ng_ml, "norketamine": result.norketamine_ng_ml,
              "effect_fast": result.effect_fast_ng_ml, "effect_slow": result.effect_slow_ng_ml}
    for name, line in lines.items():
        y = series[name]
        if y is None:
            line.set_data([], [])
            line.set_visible(False)
        else:
            line.set_data(x, y)
            line.set_visible(True)


def dosing_bars(ax, *, height_frac: float = 0.035):
    """A strip along the bottom of the axes marking when drug is given (update with :func:`update_dosing_bars`)."""
    from matplotlib.collections import PolyCollection

    coll = PolyCollection([], facecolors=ROLE["ketamine"], edgecolors="none", alpha=0.55,
                          transform=ax.get_xaxis_transform(), label="drug given")
    coll.height_frac = height_frac
    ax.add_collection(coll, autolim=False)
    return coll


def update_dosing_bars(coll, spans_h, unit: str) -> None:
    """``spans_h``: iterable of (start_h, end_h); a bolus may be given a short span."""
    per = TIME_UNITS[unit][1]
    h = coll.height_frac
    verts = [[(a / per, 0), (b / per, 0), (b / per, h), (a / per, h)] for a, b in spans_h]
    coll.set_verts(verts)


def concentration_band(ax, low: float, high: float, label: str, *, color: str = "C4", alpha: float = 0.18):
    """A shaded horizontal band (e.g. the analgesic range) with its label inside, at the left.

    The label is in the sheet's text colour on a half-opaque patch of the axes colour, above the curves, so it
    stays readable in the dark sheet and where a curve crosses it.
    """
    patch = ax.axhspan(low, high, color=color, alpha=alpha, linewidth=0, zorder=0)
    text = ax.annotate(label, xy=(0.01, np.sqrt(low * high) if ax.get_yscale() == "log" else (low + high) / 2),
                       xycoords=("axes fraction", "data"), va="center", ha="left",
                       fontsize="small", color=matplotlib.rcParams["text.color"], zorder=4,
                       annotation_clip=True, clip_on=True,
                       bbox={"boxstyle": "round,pad=0.2", "facecolor": matplotlib.rcParams["axes.facecolor"],
                             "edgecolor": "none", "alpha": 0.75})
    text.set_in_layout(False)  # off-screen when the y range is below the band: must not squeeze the axes
    return patch, text


def decrement_curve(ax, duration_h, time_h, *, label: str, color: str, linestyle: str = "-"):
    """Decrement time (h) against infusion duration (h) on log-x axes."""
    (line,) = ax.plot(duration_h, time_h, color=color, linestyle=linestyle, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("infusion duration (h, log scale)")
    ax.set_ylabel("time to fall after stopping (h)")
    return line
