"""Plots for the pharmacokinetics layer. Each function draws on the Axes it is given and returns its artists."""
from __future__ import annotations

import matplotlib
import matplotlib.font_manager
import numpy as np

from .. import _validate as v
from ..style import ROLE

__all__ = ["TIME_UNITS", "SERIES_STYLES", "series_style", "time_axis", "concentration_lines",
           "update_concentration", "dosing_bars", "update_dosing_bars", "concentration_band", "decrement_curve",
           "comparison_lines", "steady_state_lines", "update_lines", "update_levels", "decrement_markers",
           "duration_marker", "update_decrement_markers", "legend", "plasma_axis", "decrement_axes"]

#: (colour, line style) for the i-th of several compared curves (routes, models): Okabe–Ito colours from the
#: sheet's cycle, each with its own line style, so no two curves differ by colour alone. C4 is left out: it is
#: the colour of the shaded concentration bands.
SERIES_STYLES = (("C0", "-"), ("C1", "--"), ("C2", "-."), ("C3", ":"), ("C5", (0, (6, 1.5, 1, 1.5, 1, 1.5))),
                 ("C6", (0, (1, 1))))

#: Time units for x axes: (label, hours per unit).
TIME_UNITS = {"min": ("time since start (min)", 1 / 60), "h": ("time since start (h)", 1.0),
              "d": ("time since start (days)", 24.0), "wk": ("time since start (weeks)", 168.0)}


def time_axis(ax, window_h: float, unit: str | None = None) -> str:
    """Set the x label and limits for a window of ``window_h`` hours.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    window_h : float
        Width of the window (h), > 0.
    unit : {"min", "h", "d", "wk"} or None
        Time unit of the axis; None picks one that suits the window.

    Returns
    -------
    str
        The unit used (a key of :data:`TIME_UNITS`).
    """
    window_h = v.positive(window_h, "window_h")
    if unit is None:
        unit = "min" if window_h <= 2 else "h" if window_h <= 72 else "d" if window_h <= 24 * 42 else "wk"
    v.choice(unit, "unit", TIME_UNITS)
    label, per = TIME_UNITS[unit]
    ax.set_xlabel(label)
    ax.set_xlim(0, window_h / per)
    return unit


def concentration_lines(ax, *, norketamine: bool = True, effect_fast: bool = True, effect_slow: bool = False,
                        drug_label: str = "ketamine", effect_fast_t_half_min: float | None = None,
                        effect_slow_t_half_days: float | None = None) -> dict:
    """Empty lines for plasma ketamine, norketamine and the effect sites; fill them with :func:`update_concentration`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    norketamine, effect_fast, effect_slow : bool
        Which lines to make besides plasma.
    drug_label : str
        The drug's name in the plasma line's legend entry.
    effect_fast_t_half_min : float or None
        Half-life (min) shown in the fast effect site's legend entry; required when ``effect_fast``.
    effect_slow_t_half_days : float or None
        Half-life (days) shown in the slow biophase's legend entry; required when ``effect_slow``.

    Returns
    -------
    dict
        ``{name: Line2D}`` with keys among "plasma", "norketamine", "effect_fast", "effect_slow".
    """
    if effect_fast:
        fast = v.positive(effect_fast_t_half_min, "effect_fast_t_half_min")
    if effect_slow:
        slow = v.positive(effect_slow_t_half_days, "effect_slow_t_half_days")
    lines = {"plasma": ax.plot([], [], color=ROLE["ketamine"], linestyle="-",
                               label=f"plasma {drug_label}")[0]}
    if norketamine:
        lines["norketamine"] = ax.plot([], [], color=ROLE["norketamine"], linestyle="--",
                                       label="plasma norketamine")[0]
    if effect_fast:
        # The fast site follows plasma within minutes, so the two lines often coincide: the fast one goes under
        # plasma, wider and half-transparent, and shows as a halo round it instead of hiding it.
        width = 1.8 * matplotlib.rcParams["lines.linewidth"]
        lines["effect_fast"] = ax.plot([], [], color=ROLE["effect_fast"], linestyle="-.", linewidth=width,
                                       alpha=0.55, zorder=1.9, label=f"fast effect site (t½ {fast:.0f} min)")[0]
    if effect_slow:
        lines["effect_slow"] = ax.plot([], [], color=ROLE["effect_slow"], linestyle=":",
                                       label=f"slow biophase (t½ {slow:g} days)")[0]
    ax.set_ylabel("concentration (ng/mL)")
    return lines


def update_concentration(lines, result, unit: str) -> None:
    """Put concentrations into lines made by :func:`concentration_lines`; a missing series hides its line.

    Parameters
    ----------
    lines : dict
        ``{name: Line2D}`` from :func:`concentration_lines`.
    result : object
        Anything with ``t_h`` and ``plasma_ng_ml``, ``norketamine_ng_ml`` (or None), ``effect_fast_ng_ml`` and
        ``effect_slow_ng_ml`` arrays, such as a ``PKResult``.
    unit : str
        The time axis unit (a key of :data:`TIME_UNITS`).
    """
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
    """A strip along the bottom of the axes marking when drug is given (update with :func:`update_dosing_bars`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    height_frac : float
        Height of the strip as a fraction of the axes.

    Returns
    -------
    matplotlib.collections.PolyCollection
        The (empty) strip.
    """
    from matplotlib.collections import PolyCollection

    coll = PolyCollection([], facecolors=ROLE["ketamine"], edgecolors="none", alpha=0.55,
                          transform=ax.get_xaxis_transform(), label="drug given")
    coll.height_frac = height_frac
    ax.add_collection(coll, autolim=False)
    return coll


def update_dosing_bars(coll, spans_h, unit: str) -> None:
    """Mark the dosing spans on a strip made by :func:`dosing_bars`.

    Parameters
    ----------
    coll : matplotlib.collections.PolyCollection
        The strip.
    spans_h : iterable of tuple
        ``(start_h, end_h)`` of each dose; a bolus may be given a short span.
    unit : str
        The time axis unit (a key of :data:`TIME_UNITS`).
    """
    per = TIME_UNITS[unit][1]
    h = coll.height_frac
    verts = [[(a / per, 0), (b / per, 0), (b / per, h), (a / per, h)] for a, b in spans_h]
    coll.set_verts(verts)


def concentration_band(ax, low: float, high: float, label: str, *, color: str = "C4", alpha: float = 0.18):
    """A shaded horizontal band (e.g. the analgesic range), named in the legend.

    The name goes to the legend, not onto the band: written on the band it hid the curves that cross it and, at
    high rates, the dosing strip.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    low, high : float
        The band's edges (ng/mL).
    label : str
        Its legend entry.
    color : str
        Fill colour.
    alpha : float
        Fill opacity.

    Returns
    -------
    matplotlib.patches.Rectangle
        The band.
    """
    return ax.axhspan(low, high, color=color, alpha=alpha, linewidth=0, zorder=0, label=label)


def decrement_curve(ax, duration_h, time_h, *, label: str, color: str, linestyle: str = "-"):
    """Decrement time (h) against infusion duration (h) on log-x axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    duration_h, time_h : array_like
        Infusion durations and decrement times (h).
    label : str
        Legend label.
    color : str
        Line colour.
    linestyle : str or tuple
        Line style.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve.
    """
    (line,) = ax.plot(duration_h, time_h, color=color, linestyle=linestyle, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("infusion duration (h, log scale)")
    ax.set_ylabel("time to fall after stopping (h)")
    return line


def series_style(i: int) -> tuple[str, object]:
    """Colour and line style of the ``i``-th compared curve (see :data:`SERIES_STYLES`).

    Parameters
    ----------
    i : int
        Position of the curve, from 0.

    Returns
    -------
    tuple
        ``(colour, line style)``.
    """
    i = v.integer(i, "i", 0, len(SERIES_STYLES) - 1)
    return SERIES_STYLES[i]


def comparison_lines(ax, labels) -> dict:
    """One empty line per entry, each with its own colour and line style (:data:`SERIES_STYLES`).

    Fill them with :func:`update_lines`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    labels : Mapping
        ``{key: legend label}``, 1 to 6 entries.

    Returns
    -------
    dict
        ``{key: Line2D}``.
    """
    labels = dict(labels)
    if not 1 <= len(labels) <= len(SERIES_STYLES):
        raise ValueError(f"labels must have 1 to {len(SERIES_STYLES)} entries, got {len(labels)}")
    lines = {}
    for i, (key, label) in enumerate(labels.items()):
        colour, style = SERIES_STYLES[i]
        lines[key] = ax.plot([], [], color=colour, linestyle=style, label=label)[0]
    return lines


def steady_state_lines(ax, keys) -> dict:
    """A thin dotted horizontal line per key, in the colour :func:`comparison_lines` gives the same position.

    Set the levels with :func:`update_levels`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    keys : iterable
        1 to 6 keys.

    Returns
    -------
    dict
        ``{key: Line2D}``.
    """
    keys = list(keys)
    if not 1 <= len(keys) <= len(SERIES_STYLES):
        raise ValueError(f"keys must have 1 to {len(SERIES_STYLES)} entries, got {len(keys)}")
    return {k: ax.axhline(np.nan, color=SERIES_STYLES[i][0], linewidth=1.0, linestyle=":", alpha=0.8)
            for i, k in enumerate(keys)}


def update_lines(lines, data) -> None:
    """Set the data of lines made by :func:`comparison_lines`.

    Parameters
    ----------
    lines : dict
        ``{key: Line2D}``.
    data : Mapping
        ``{key: (x, y)}`` with exactly the keys of ``lines``.
    """
    missing = set(lines) ^ set(data)
    if missing:
        raise ValueError(f"data must have exactly the keys {sorted(lines)}, got {sorted(data)}")
    for key, (x, y) in data.items():
        lines[key].set_data(x, y)


def update_levels(lines, levels) -> None:
    """Move lines made by :func:`steady_state_lines` to their levels.

    Parameters
    ----------
    lines : dict
        ``{key: Line2D}``.
    levels : Mapping
        ``{key: y}`` with exactly the keys of ``lines``; finite numbers.
    """
    missing = set(lines) ^ set(levels)
    if missing:
        raise ValueError(f"levels must have exactly the keys {sorted(lines)}, got {sorted(levels)}")
    for key, y in levels.items():
        y = v.number(y, f"levels[{key!r}]")
        lines[key].set_ydata([y, y])


def decrement_markers(ax, keys, *, markersize: float = 8.0) -> dict:
    """A round marker per key (colour as :func:`comparison_lines`) for the decrement time at one duration.

    Move them with :func:`update_decrement_markers`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    keys : iterable
        1 to 6 keys.
    markersize : float
        Marker size (points).

    Returns
    -------
    dict
        ``{key: Line2D}``.
    """
    keys = list(keys)
    if not 1 <= len(keys) <= len(SERIES_STYLES):
        raise ValueError(f"keys must have 1 to {len(SERIES_STYLES)} entries, got {len(keys)}")
    return {k: ax.plot([], [], "o", color=SERIES_STYLES[i][0], markersize=markersize)[0]
            for i, k in enumerate(keys)}


def duration_marker(ax, duration_h: float):
    """A thin dotted vertical line at the chosen infusion duration.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    duration_h : float
        The duration (h), > 0.

    Returns
    -------
    matplotlib.lines.Line2D
        The line.
    """
    return ax.axvline(v.positive(duration_h, "duration_h"), color="0.4", linewidth=1.0, linestyle=":")


def update_decrement_markers(markers, vline, duration_h: float, times_h) -> None:
    """Put each marker at (``duration_h``, ``times_h[key]``) and the vertical line at ``duration_h``.

    Parameters
    ----------
    markers : dict
        ``{key: Line2D}`` from :func:`decrement_markers`.
    vline : matplotlib.lines.Line2D
        The line from :func:`duration_marker`.
    duration_h : float
        The duration (h), > 0.
    times_h : Mapping
        ``{key: decrement time (h)}``, each >= 0.
    """
    d = v.positive(duration_h, "duration_h")
    update_lines(markers, {k: ([d], [v.nonnegative(times_h[k], f"times_h[{k!r}]")]) for k in markers})
    vline.set_xdata([d, d])


def legend(ax, handles=None, *, loc: str = "above", small: bool = False, ncols: int = 2):
    """The axes legend; by default in a row above the axes, where it can hide no data whatever the curves do.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    handles : list or None
        The artists to list; None: every labelled artist.
    loc : str
        "above" (outside the axes, left-aligned over them) or a matplotlib location inside the axes.
    small : bool
        Small font.
    ncols : int
        Columns of the legend above the axes.

    Returns
    -------
    matplotlib.legend.Legend
        The legend.
    """
    kwargs = {"loc": loc}
    if small:
        kwargs["fontsize"] = "small"
    if loc == "above":
        ncols = v.integer(ncols, "ncols", 1, 6)
        if handles is None:
            handles = ax.get_legend_handles_labels()[0]
        # As many columns as fit the figure's width (a row wider than the figure collapses the layout), estimated
        # from the longest label at about 0.5 em a character (DejaVu Sans averages a little under that).
        size = matplotlib.font_manager.FontProperties(size=kwargs.get("fontsize")).get_size_in_points()
        width_pt = ax.figure.get_figwidth() * 72.0
        longest = max((len(h.get_label()) for h in handles), default=1) + 6  # + swatch and spacing
        fit = int(width_pt / (0.5 * size * longest))
        kwargs.update({"loc": "lower left", "bbox_to_anchor": (0.0, 1.01), "borderaxespad": 0.0, "frameon": False,
                       "ncols": max(1, min(ncols, fit)), "columnspacing": 1.2, "handlelength": 2.2})
    return ax.legend(handles=handles, **kwargs) if handles is not None else ax.legend(**kwargs)


def plasma_axis(ax, drug_label: str = "ketamine") -> None:
    """Label the y axis as plasma concentration (ng/mL).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    drug_label : str
        The drug's name in the label.
    """
    ax.set_ylabel(f"plasma {drug_label} (ng/mL)")


def decrement_axes(ax, shortest_h: float = 1 / 60, longest_h: float = 336.0) -> None:
    """Log-x axes for decrement time against infusion duration, ticked 1 min, 6 min, 1 h, 10 h, 100 h.

    Call it before :func:`duration_marker` (a vertical line alone would autoscale x to a single point).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    shortest_h, longest_h : float
        The x range (h), 0 < ``shortest_h`` < ``longest_h``.
    """
    lo = v.positive(shortest_h, "shortest_h")
    hi = v.in_range(longest_h, "longest_h", lo, float("inf"), low_open=True)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ticks = [(1 / 60, "1 min"), (0.1, "6 min"), (1.0, "1 h"), (10.0, "10 h"), (100.0, "100 h")]
    shown = [(t, label) for t, label in ticks if lo <= t <= hi]
    ax.set_xticks([t for t, _ in shown], labels=[label for _, label in shown])
    ax.set_xlabel("infusion duration (h, log scale)")
    ax.set_ylabel("time to fall after stopping (h)")
