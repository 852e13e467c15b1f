"""Plots for the NMDA receptor layer. Each function draws on the Axes it is given and returns its artists;
the ``update_*`` functions put a model result into artists made earlier (no new artists, no model runs).

Colours are given as cycle references ("C0", ``ROLE[...]``) and resolved to concrete colours when the artist is
made, i.e. inside the panel's style sheet: matplotlib resolves "CN" on lines only at draw time, with whatever
rcParams are active then, so an unresolved "C0" would drift to the default palette outside the sheet.
"""
from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, NullLocator

from .. import units
from ..style import ROLE

__all__ = ["BLOCKER_STYLE", "iv_axes", "iv_artists", "update_iv", "coincidence_bars", "update_coincidence_bars",
           "block_axes", "set_um_axis", "clinical_bands", "block_curves", "update_block_curves", "concentration_marker",
           "update_concentration_marker", "time_course_axes", "time_course_artists", "update_time_course"]

#: Colour and line style per blocker (S-ketamine is the ketamine role colour, norketamine its own).
BLOCKER_STYLE = {
    "S-ketamine": (ROLE["ketamine"], "-"),
    "racemic ketamine": ("C2", "-."),
    "R-ketamine": ("C5", "--"),
    "S-norketamine": (ROLE["norketamine"], ":"),
}
_BAND_COLOUR = {"analgesic": "C2", "dissociative": "C4", "anaesthetic": "C3"}


def _c(colour) -> str:
    """A colour resolved against the active style sheet ("C0" -> that sheet's first colour)."""
    return mcolors.to_hex(colour, keep_alpha=True)


def _ink() -> str:
    """The sheet's text colour (dark on light sheets, light on dark ones)."""
    return _c(matplotlib.rcParams["text.color"])


def _paper() -> str:
    """The sheet's axes background, for label boxes."""
    return _c(matplotlib.rcParams["axes.facecolor"])


def _muted() -> str:
    """A neutral grey halfway between text and background, for reference lines."""
    ink, paper = np.array(mcolors.to_rgb(_ink())), np.array(mcolors.to_rgb(_paper()))
    return mcolors.to_hex(0.45 * ink + 0.55 * paper)


def _box():
    return {"boxstyle": "round,pad=0.3", "facecolor": _paper(), "edgecolor": _muted(), "alpha": 0.9}


# ---- current-voltage ---------------------------------------------------------------------------------------

def _signed_pct(x: float) -> str:
    return f"{100 * x:.1f}%" if 0 < x < 0.095 else f"{100 * x:.0f}%"


def iv_axes(ax, v_lim=(-100.0, 40.0), i_lim=(-0.75, 0.6)):
    """Limits, labels and zero lines for an NMDA I–V plot (current normalised: −1 = Mg2+-free at −70 mV).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    v_lim : tuple of float
        Voltage limits (mV).
    i_lim : tuple of float
        Current limits (normalised).

    Returns
    -------
    h, vline : matplotlib.lines.Line2D
        The zero-current and zero-voltage lines.
    """
    ax.set_xlim(*v_lim)
    ax.set_ylim(*i_lim)
    ax.set_xlabel("membrane potential (mV)")
    ax.set_ylabel("NMDA current (normalised)")
    h = ax.axhline(0.0, color=_muted(), linewidth=0.9, zorder=1)
    vline = ax.axvline(0.0, color=_muted(), linewidth=0.9, zorder=1)
    return h, vline


def iv_artists(ax):
    """Empty artists for :func:`update_iv`: Mg2+ and Mg2+-free curves, negative-slope span, voltage marker.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.

    Returns
    -------
    dict
        The artists by role.
    """
    span = ax.axvspan(0.0, 0.0, color=_c("C4"), alpha=0.2, linewidth=0, zorder=0, label="negative slope")
    zero = ax.plot([], [], color=_c(ROLE["control"]), linestyle="--", linewidth=0.6 * _lw(),
                   label="no Mg²⁺")[0]
    mg = ax.plot([], [], color=_c(ROLE["ketamine"]), linestyle="-", label="with Mg²⁺")[0]
    vmark = ax.axvline(-70.0, color=_muted(), linestyle=":", linewidth=0.5 * _lw())
    point = ax.plot([], [], "o", color=_c(ROLE["ketamine"]), zorder=5)[0]
    text = ax.annotate("", xy=(0.03, 0.96), xycoords="axes fraction", ha="left", va="top", fontsize="small",
                       bbox=_box())
    ax.legend(handles=[mg, zero, span], loc="lower right")
    return {"span": span, "zero": zero, "mg": mg, "vmark": vmark, "point": point, "text": text}


def update_iv(artists, rel) -> None:
    """Put an I–V relation into artists from :func:`iv_artists`.

    Parameters
    ----------
    artists : dict
        What :func:`iv_artists` returned.
    rel : helpers.models.receptor.IVRelation
        The relation to show.
    """
    artists["mg"].set_data(rel.v_mv, rel.current)
    artists["zero"].set_data(rel.v_mv, rel.current_no_mg)
    span = artists["span"]
    if rel.negative_slope_mv is None:
        span.set_visible(False)
    else:
        lo, hi = rel.negative_slope_mv
        span.set_x(lo)
        span.set_width(hi - lo)
        span.set_visible(True)
    artists["vmark"].set_xdata([rel.v_mark_mv, rel.v_mark_mv])
    artists["point"].set_data([rel.v_mark_mv], [rel.current_at_mark])
    volts = f"{rel.v_mark_mv:.0f}".replace("-", "−")
    artists["text"].set_text(f"{rel.mg_mm:.1f} mM Mg²⁺ at {volts} mV:\n"
                             f"{_signed_pct(rel.unblocked_at_mark)} of open channels conduct")


def _lw() -> float:
    return float(matplotlib.rcParams["lines.linewidth"])


def _mv(x: float) -> str:
    return f"{x:.0f} mV".replace("-", "−")


def coincidence_bars(ax, v_rest_mv: float):
    """Four bars: conducting fraction for {no glutamate, glutamate} × {rest, marked voltage}.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    v_rest_mv : float
        The resting potential named in the legend (mV).

    Returns
    -------
    dict
        ``{"bars": BarContainer, "labels": [Annotation, ...]}``, for :func:`update_coincidence_bars`.
    """
    x = np.array([0.0, 1.0, 3.0, 4.0])
    rest, marked = _c(ROLE["control"]), _c(ROLE["ketamine"])
    bars = ax.bar(x, np.zeros(4), width=0.9, color=[rest, marked, rest, marked], edgecolor=_paper(),
                  linewidth=0.5)
    for bar, hatch in zip(bars, ("", "//", "", "//"), strict=True):
        bar.set_hatch(hatch)
    ax.set_xticks([0.5, 3.5], labels=["no\nglutamate", "glutamate\nbound"])
    ax.set_xlim(-0.8, 4.8)
    ax.set_ylim(0.0, 1.1)
    ax.set_ylabel("channels conducting (fraction)")
    ax.grid(axis="x", visible=False)
    labels = [ax.annotate("", xy=(xi, 0.0), xytext=(0, 3), textcoords="offset points", ha="center",
                          va="bottom", fontsize="small") for xi in x]
    ax.legend(handles=[bars[0], bars[1]], labels=[f"at rest ({_mv(v_rest_mv)})", "at marked voltage"],
              loc="upper left", fontsize="small", frameon=True, framealpha=1.0, edgecolor="none")
    return {"bars": bars, "labels": labels}


def update_coincidence_bars(artists, table) -> None:
    """Set the four bars to a coincidence table.

    Parameters
    ----------
    artists : dict
        What :func:`coincidence_bars` returned.
    table : Mapping
        ``{(glutamate, depolarised): fraction}`` from :func:`helpers.models.receptor.coincidence_table`.
    """
    order = [(False, False), (False, True), (True, False), (True, True)]
    for bar, label, key in zip(artists["bars"], artists["labels"], order, strict=True):
        val = float(table[key])
        bar.set_height(val)
        label.xy = (bar.get_x() + bar.get_width() / 2, val)
        label.set_text(f"{100 * val:.0f}%")


# ---- block vs concentration --------------------------------------------------------------------------------

def _um_functions(g_per_mol: float):
    """ng/mL -> µM and back for a substance of molar mass ``g_per_mol`` (ng/mL per µM)."""
    return (lambda x: np.asarray(x) / g_per_mol, lambda x: np.asarray(x) * g_per_mol)


def block_axes(ax, c_lim=(1.0, 10_000.0), g_per_mol: float = units.KETAMINE_G_PER_MOL,
               substance: str = "ketamine"):
    """Log concentration axis (ng/mL) with a µM axis on top, fraction blocked 0–1.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    c_lim : tuple of float
        Concentration limits (ng/mL).
    g_per_mol : float
        Molar mass of the substance on the µM axis.
    substance : str
        Its name, for the µM axis label.

    Returns
    -------
    matplotlib.axis.SecondaryAxis
        The µM axis; switch its substance with :func:`set_um_axis`.
    """
    ax.set_xscale("log")
    ax.set_xlim(*c_lim)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("plasma concentration (ng/mL, log scale)")
    ax.set_ylabel("NMDA receptors blocked (fraction)")
    top = ax.secondary_xaxis("top", functions=_um_functions(g_per_mol))
    top.set_xlabel(f"{substance} (µM)")
    plain = FuncFormatter(lambda x, _pos: f"{x:,.0f}" if x >= 1 else f"{x:g}")
    ax.xaxis.set_major_formatter(plain)
    top.xaxis.set_major_formatter(plain)
    top.xaxis.set_minor_locator(NullLocator())  # the bottom axis carries the minor ticks; halves layout time
    return top


def set_um_axis(top, g_per_mol: float, substance: str) -> None:
    """Point the µM axis from :func:`block_axes` at another substance.

    Parameters
    ----------
    top : matplotlib.axis.SecondaryAxis
        What :func:`block_axes` returned.
    g_per_mol : float
        The substance's molar mass.
    substance : str
        Its name.
    """
    top.set_functions(_um_functions(g_per_mol))
    top.set_xlabel(f"{substance} (µM)")


def clinical_bands(ax, bands):
    """Shade and label clinical bands as vertical spans.

    Each label names the drug the band was measured with (``band.measured_with``), shortened to fit:
    "analgesic (racemic)" for a band measured with racemic ketamine.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    bands : Mapping
        ``{key: helpers.models.receptor.ClinicalBand}``.

    Returns
    -------
    list of tuple
        ``(span, label)`` per band.
    """
    out = []
    heights = {"analgesic": 0.035, "dissociative": 0.115, "anaesthetic": 0.035}
    for key, band in bands.items():
        colour = _c(_BAND_COLOUR.get(key, "C7"))
        patch = ax.axvspan(band.low_ng_ml, band.high_ng_ml, color=colour, alpha=0.18, linewidth=0, zorder=0)
        # every label starts at its band's low edge: centring the anaesthetic one made it run into the analgesic
        # label in the presenter look
        text = ax.text(band.low_ng_ml, heights.get(key, 0.035),
                       f"{key} ({band.measured_with.removesuffix(' ketamine')})", ha="left",
                       va="bottom", fontsize="small", color=_ink(), zorder=2,
                       bbox={"boxstyle": "round,pad=0.15", "facecolor": _paper(), "edgecolor": colour,
                             "alpha": 0.85})
        out.append((patch, text))
    return out


def block_curves(ax, names):
    """One empty line per blocker name, styled by :data:`BLOCKER_STYLE`, with a legend.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    names : iterable of str
        Blocker names.

    Returns
    -------
    dict
        ``{name: Line2D}``.
    """
    lines = {}
    for name in names:
        colour, ls = BLOCKER_STYLE.get(name, ("C7", "-"))
        lines[name] = ax.plot([], [], color=_c(colour), linestyle=ls, label=name)[0]
    # Right, above the band labels: the curves are all near full block there (upper left, it sat on the curves of
    # the blockers not chosen; above the axes is the µM scale).
    ax.legend(handles=list(lines.values()), loc="lower right", bbox_to_anchor=(1.0, 0.2), fontsize="small",
              frameon=True, framealpha=0.9, edgecolor="none")
    return lines


def update_block_curves(lines, conc_ng_ml, curves, selected: str, base_linewidth: float) -> None:
    """Fill the lines; the selected blocker drawn bold, the others thin and faint.

    Parameters
    ----------
    lines : dict
        What :func:`block_curves` returned.
    conc_ng_ml : array_like
        Concentrations (x) shared by every curve.
    curves : dict
        Fraction blocked per blocker name.
    selected : str
        The blocker to emphasise.
    base_linewidth : float
        Line width the emphasis scales.
    """
    for name, line in lines.items():
        line.set_data(conc_ng_ml, curves[name])
        chosen = name == selected
        line.set_linewidth(base_linewidth * (1.4 if chosen else 0.6))
        line.set_alpha(1.0 if chosen else 0.55)
        line.set_zorder(4 if chosen else 3)


def concentration_marker(ax):
    """A vertical line, a point and a label for one concentration.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.

    Returns
    -------
    dict
        The artists, for :func:`update_concentration_marker`.
    """
    vline = ax.axvline(100.0, color=_muted(), linestyle=":", linewidth=0.5 * _lw(), zorder=4)
    point = ax.plot([], [], "o", color=_ink(), zorder=6)[0]
    # The reading sits in the empty top-left corner (block is near 0 at the lowest levels), not beside the point,
    # where it covered the other blockers' curves.
    text = ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize="small", zorder=7,
                   bbox=_box())
    return {"vline": vline, "point": point, "text": text}


def update_concentration_marker(artists, conc_ng_ml: float, block: float, label: str) -> None:
    """Move the marker to a concentration and its block, keeping the label inside the axes.

    Parameters
    ----------
    artists : dict
        What :func:`concentration_marker` returned.
    conc_ng_ml : float
        Concentration (ng/mL).
    block : float
        Fraction blocked there.
    label : str
        The label text.
    """
    artists["vline"].set_xdata([conc_ng_ml, conc_ng_ml])
    artists["point"].set_data([conc_ng_ml], [block])
    artists["text"].set_text(label)


# ---- block over time (use dependence) ----------------------------------------------------------------------

def time_course_axes(ax, duration_s: float) -> None:
    """Limits and labels for block against time, with room under 0 for the activation ticks.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    duration_s : float
        Length of the protocol (s).
    """
    ax.set_xlim(0.0, duration_s)
    ax.set_ylim(-0.12, 1.05)  # below 0: the activation ticks
    ax.set_yticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel("time (s)")
    ax.set_ylabel("NMDA receptors blocked (fraction)")


def time_course_artists(ax):
    """Empty artists for :func:`update_time_course`.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.

    Returns
    -------
    dict
        Drug and no-activation spans, activation ticks, trapped area, blocked line, steady-state line and the
        half-block marker.
    """
    drug = ax.axvspan(0.0, 0.0, color=_c("C4"), alpha=0.15, linewidth=0, zorder=0, label="drug present")
    rest = ax.axvspan(0.0, 0.0, facecolor="none", edgecolor=_muted(), hatch="//", linewidth=0, zorder=0,
                      label="no activation")
    # One compound path (move-to/line-to pairs) draws thousands of ticks far faster than a LineCollection.
    ticks = PathPatch(Path(np.zeros((2, 2)), [Path.MOVETO, Path.LINETO]), facecolor="none",
                      edgecolor=_muted(), linewidth=0.8, label="activations")
    ax.add_patch(ticks)
    trapped = ax.fill_between([0.0, 1.0], [0.0, 0.0], [0.0, 0.0], color=_c(ROLE["ketamine"]), alpha=0.25,
                              linewidth=0, label="trapped (closed)")
    blocked = ax.plot([], [], color=_c(ROLE["ketamine"]), label="blocked")[0]
    steady = ax.plot([], [], color=_c(ROLE["control"]), linestyle="--", linewidth=0.45 * _lw(),
                     label="Hill steady state")[0]
    half = ax.plot([], [], "o", color=_ink(), zorder=6, label="half-way")[0]
    # The legend goes above the axes (inside, the hatching ran through its words); the activation ticks are named
    # there, not by a word under the trapped fill; the hatched span gets a swatch with a visible edge.
    rest_swatch = Patch(facecolor="none", edgecolor=_muted(), hatch="//", linewidth=0.8, label="no activation")
    tick_swatch = Line2D([], [], color=_muted(), marker="|", linestyle="none", markersize=9, label="activations")
    ax.legend(handles=[blocked, trapped, steady, half, drug, rest_swatch, tick_swatch], loc="lower left",
              bbox_to_anchor=(0.0, 1.01), borderaxespad=0.0, fontsize="small", ncols=4, columnspacing=1.2,
              frameon=False)
    return {"drug": drug, "rest": rest, "ticks": ticks, "trapped": trapped, "blocked": blocked,
            "steady": steady, "half": half}


def update_time_course(artists, res) -> None:
    """Put a block time course into artists from :func:`time_course_artists`.

    Parameters
    ----------
    artists : dict
        What :func:`time_course_artists` returned.
    res : helpers.models.receptor.BlockTimeCourse
        The time course.
    """
    end_drug = res.duration_s if res.washout_at_s is None else res.washout_at_s
    artists["drug"].set_x(0.0)
    artists["drug"].set_width(end_drug)
    rest = artists["rest"]
    if res.washout_at_s is not None and res.rest_s > 0:
        rest.set_x(res.washout_at_s)
        rest.set_width(min(res.rest_s, res.duration_s - res.washout_at_s))
        rest.set_visible(True)
    else:
        rest.set_visible(False)
    starts = np.asarray(res.pulse_starts_s, dtype=float)
    if starts.size:
        verts = np.column_stack([np.repeat(starts, 2), np.tile([-0.105, -0.035], starts.size)])
        codes = np.tile([Path.MOVETO, Path.LINETO], starts.size).astype(Path.code_type)
        artists["ticks"].set_path(Path(verts, codes))
        artists["ticks"].set_visible(True)
    else:
        artists["ticks"].set_path(Path(np.zeros((2, 2)), [Path.MOVETO, Path.LINETO]))
        artists["ticks"].set_visible(False)
    artists["trapped"].set_data(res.t_s, np.zeros_like(res.t_s), res.trapped)
    artists["blocked"].set_data(res.t_s, res.blocked)
    artists["steady"].set_data([0.0, end_drug], [res.steady_state, res.steady_state])
    if res.t_half_s is not None:
        artists["half"].set_data([res.t_half_s], [0.5 * res.steady_state])
    else:
        artists["half"].set_data([], [])
