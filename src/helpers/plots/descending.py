"""Plots for the descending layer: the CPM experiment as bars, CPM against ketamine's NMDA block,
stimulus-response curves during conditioning and the inhibition/facilitation balance.

Each function draws on the Axes it is given and returns its artists (a dict); the matching ``update_*``
function moves them to new results in place and returns the artists it changed (for a panel's blitting).
Colours are cycle references resolved when the artist is made, so the active sheet's palette is kept.
Every number drawn comes from :mod:`helpers.models.descending` through the panel; nothing here runs a model.
"""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_rgba

from ..style import ROLE

__all__ = [
    "COLOURS", "cpm_bars", "update_cpm_bars", "cpm_vs_ketamine", "update_cpm_vs_ketamine",
    "cpm_curves", "update_cpm_curves", "balance", "update_balance",
]

#: Colours by meaning.
COLOURS = {"alone": ROLE["control"], "during": "C2", "ketamine": ROLE["ketamine"], "inhibition": "C2",
           "facilitation": "C1"}

_GROUPS = (0.0, 1.0)      # x of the "no ketamine" and "ketamine" groups
_OFFSET = 0.2             # half distance between the two bars of a group
_WIDTH = 0.36


def _c(name, alpha=1.0):
    return to_rgba(COLOURS[name], alpha)


def _signed(x, digits=1):
    return f"{x:+.{digits}f}".replace("-", "−")


# ---- CPM experiment as bars ---------------------------------------------------------------------------------------
def cpm_bars(ax, result, *, group_labels=("no ketamine", "ketamine")):
    """Bars of test-stimulus pain alone and during conditioning, without and with ketamine (0-10 scale).

    Bars are labelled on the x axis, the groups and their CPM effects above the bars.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    result : helpers.models.descending.CPMResult
        The experiment to show.
    group_labels : tuple of str
        Headings of the two groups (without, with ketamine).

    Returns
    -------
    dict
        The artists, for :func:`update_cpm_bars`.
    """
    alone = [ax.bar(x - _OFFSET, result.pain_alone, _WIDTH, color=_c("alone", 0.45), edgecolor=_c("alone"),
                    linewidth=1.2)[0] for x in _GROUPS]
    during0 = ax.bar(_GROUPS[0] + _OFFSET, result.pain_during_no_ketamine, _WIDTH, color=_c("during"))[0]
    during1 = ax.bar(_GROUPS[1] + _OFFSET, result.pain_during, _WIDTH, color=_c("ketamine"))[0]
    ax.set_xlim(-0.55, 1.55)
    ax.set_ylim(0.0, 13.6)
    ax.set_yticks(np.arange(0, 11, 2))
    ticks = [x + d for x in _GROUPS for d in (-_OFFSET, _OFFSET)]
    ax.set_xticks(ticks, ["alone", "during", "alone", "during"])
    ax.set_ylabel("test-stimulus pain (0–10)")
    ax.grid(axis="x", visible=False)
    heads = [ax.text(x, 12.6, lab, ha="center", va="bottom", fontsize="medium", color=c)
             for x, lab, c in zip(_GROUPS, group_labels, (_c("during"), _c("ketamine")), strict=True)]
    kw = dict(ha="center", va="bottom", fontsize="medium")
    values = [ax.text(0, 0, "", **kw) for _ in range(4)]
    cpm_text = [ax.text(x, 12.5, "", ha="center", va="top", fontsize="medium", fontweight="bold")
                for x in _GROUPS]
    artists = {"alone": alone, "during": [during0, during1], "values": values, "cpm": cpm_text, "heads": heads}
    update_cpm_bars(artists, result)
    return artists


def update_cpm_bars(artists, result):
    """Move :func:`cpm_bars` artists to a new result.

    Parameters
    ----------
    artists : dict
        What :func:`cpm_bars` returned.
    result : helpers.models.descending.CPMResult
        The new experiment.

    Returns
    -------
    list
        The artists that changed (for blitting).
    """
    heights = [result.pain_alone, result.pain_during_no_ketamine, result.pain_alone, result.pain_during]
    bars = [artists["alone"][0], artists["during"][0], artists["alone"][1], artists["during"][1]]
    for bar, h, txt in zip(bars, heights, artists["values"], strict=True):
        bar.set_height(h)
        txt.set_position((bar.get_x() + bar.get_width() / 2, h + 0.12))
        txt.set_text(f"{h:.1f}")
    for txt, cpm, pct in zip(artists["cpm"], (result.cpm_no_ketamine, result.cpm),
                             (result.cpm_no_ketamine_pct, result.cpm_pct), strict=True):
        txt.set_text(f"CPM {_signed(cpm)}\n({_signed(pct, 0)} %)")
    return bars + artists["values"] + artists["cpm"]


# ---- CPM against ketamine effect ------------------------------------------------------------------------------------
def cpm_vs_ketamine(ax, block_fraction, cpm, block_now, cpm_now, *, label="this setting", other=None,
                    ylim=(-6.5, 4.5)):
    """CPM effect (points; negative = inhibition) against ketamine's NMDA block (0-1), with the current point.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    block_fraction : array_like
        Fractions of NMDA receptors blocked (x).
    cpm : array_like
        CPM effect at each (points).
    block_now, cpm_now : float
        The current point.
    label : str
        Legend label of the curve.
    other : tuple, optional
        ``(block_fraction, cpm, label)`` of the other setting, drawn dashed behind, so both directions of
        ketamine's effect are on one plot.
    ylim : tuple of float
        CPM axis limits (points).

    Returns
    -------
    dict
        The artists, for :func:`update_cpm_vs_ketamine`.
    """
    zero = ax.axhline(0.0, color=_c("alone"), linewidth=1.0)
    kw = dict(transform=ax.get_yaxis_transform(), ha="right", fontsize="medium")
    inh = ax.text(0.97, ylim[0] + 0.3, "inhibition ↓", va="bottom", color=_c("inhibition"), **kw)
    fac = ax.text(0.97, ylim[1] - 0.3, "facilitation ↑", va="top", color=_c("facilitation"), **kw)
    (back,) = ax.plot([], [], color=_c("alone"), linestyle="--", linewidth=1.6, label="")
    (line,) = ax.plot(block_fraction, cpm, color=_c("ketamine"), linestyle="-", label=label)
    (dot,) = ax.plot([block_now], [cpm_now], marker="o", linestyle="none", color=_c("ketamine"))
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(*ylim)
    ax.set_xlabel("ketamine effect level (0–1)")
    ax.set_ylabel("CPM effect (points)")
    artists = {"line": line, "dot": dot, "other": back, "zero": zero, "labels": (inh, fac)}
    update_cpm_vs_ketamine(artists, block_fraction, cpm, block_now, cpm_now, label=label, other=other)
    return artists


def update_cpm_vs_ketamine(artists, block_fraction, cpm, block_now, cpm_now, *, label=None, other=None):
    """Move :func:`cpm_vs_ketamine` artists; labels change only when given (they feed the legend).

    Parameters
    ----------
    artists : dict
        What :func:`cpm_vs_ketamine` returned.
    block_fraction, cpm : array_like
        The new curve.
    block_now, cpm_now : float
        The new current point.
    label : str, optional
        New legend label of the curve; unchanged when None.
    other : tuple, optional
        ``(block_fraction, cpm, label)`` of the other setting; hidden when None.

    Returns
    -------
    list
        The artists that changed.
    """
    artists["line"].set_data(block_fraction, cpm)
    artists["dot"].set_data([block_now], [cpm_now])
    if label is not None:
        artists["line"].set_label(label)
    if other is None:
        artists["other"].set_data([], [])
    else:
        artists["other"].set_data(other[0], other[1])
        artists["other"].set_label(other[2])
    return [artists["other"], artists["line"], artists["dot"]]


# ---- stimulus-response curves --------------------------------------------------------------------------------------
def cpm_curves(ax, sr, *, show_ketamine=True):
    """Pain (0-10) against stimulus intensity in a CPM experiment: alone, during conditioning, during
    conditioning + ketamine (the spinal 0-10 scale of notebook 02); the test stimulus is marked.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    sr : helpers.models.descending.CPMStimulusResponse
        The curves.
    show_ketamine : bool
        Draw the curve with ketamine.

    Returns
    -------
    dict
        The artists, for :func:`update_cpm_curves`.
    """
    test = sr.cpm.test_stimulus
    vline = ax.axvline(test, color=_c("alone"), linestyle=":", linewidth=1.4)
    (alone,) = ax.plot(sr.stimulus, sr.alone, color=_c("alone"), linestyle="--", label="test stimulus alone")
    (during0,) = ax.plot(sr.stimulus, sr.during_no_ketamine, color=_c("during"), linestyle="-",
                         label="during conditioning")
    (during1,) = ax.plot(sr.stimulus, sr.during, color=_c("ketamine"), linestyle="-.",
                         label="during conditioning, ketamine")
    (dots,) = ax.plot([], [], marker="o", linestyle="none", color=_c("alone"), zorder=4)
    label = ax.text(test, 9.8, " test stimulus", ha="left", va="top", fontsize="medium", color=_c("alone"))
    ax.set_xlim(0.0, 10.0)
    ax.set_ylim(0.0, 10.0)
    ax.set_xlabel("stimulus intensity (0–10 scale)")
    ax.set_ylabel("pain rating (0–10)")
    artists = {"alone": alone, "during": during0, "ketamine": during1, "dots": dots, "vline": vline,
               "label": label}
    update_cpm_curves(artists, sr, show_ketamine=show_ketamine)
    return artists


def update_cpm_curves(artists, sr, *, show_ketamine=True):
    """Move :func:`cpm_curves` artists to new curves.

    Parameters
    ----------
    artists : dict
        What :func:`cpm_curves` returned.
    sr : helpers.models.descending.CPMStimulusResponse
        The new curves.
    show_ketamine : bool
        Show the curve with ketamine.

    Returns
    -------
    list
        The artists that changed.
    """
    artists["during"].set_data(sr.stimulus, sr.during_no_ketamine)
    artists["ketamine"].set_data(sr.stimulus, sr.during)
    artists["ketamine"].set_visible(bool(show_ketamine))
    c = sr.cpm
    ys = [c.pain_alone, c.pain_during_no_ketamine] + ([c.pain_during] if show_ketamine else [])
    artists["dots"].set_data([c.test_stimulus] * len(ys), ys)
    return [artists["during"], artists["ketamine"], artists["dots"]]


# ---- the balance --------------------------------------------------------------------------------------------
def balance(ax, rows, *, labels=("no ketamine", "ketamine"), xlim=(-1.05, 1.25)):
    """Tug-of-war bars: recruited inhibition to the left (−), facilitation to the right (+), net as a diamond.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    rows : sequence of tuple
        ``(inhibition, facilitation, net)`` per label, top to bottom; the net is the model's
        :func:`helpers.models.descending.gain_change`, computed by the caller.
    labels : tuple of str
        Row labels.
    xlim : tuple of float
        Limits of the gain-change axis.

    Returns
    -------
    dict
        The artists, for :func:`update_balance`.
    """
    n = len(labels)
    y = np.arange(n)[::-1].astype(float)
    inh = ax.barh(y, [0.0] * n, 0.5, color=_c("inhibition"), label="inhibition (−)")
    fac = ax.barh(y, [0.0] * n, 0.5, color=_c("facilitation"), label="facilitation (+)")
    zero = ax.axvline(0.0, color=_c("alone"), linewidth=1.2)
    (net,) = ax.plot([], [], marker="D", linestyle="none", color=to_rgba(ROLE["control"]),
                     markeredgecolor=to_rgba(mpl.rcParams["axes.facecolor"]), label="net change in gain",
                     zorder=4)
    ax.set_yticks(y, labels)
    ax.set_xlim(*xlim)
    ax.set_ylim(-0.6, n + 0.9)  # room for a legend on top
    ax.set_xlabel("change in descending gain")
    ax.grid(axis="y", visible=False)
    artists = {"inhibition": list(inh.patches), "facilitation": list(fac.patches), "net": net, "zero": zero,
               "y": y}
    update_balance(artists, rows)
    return artists


def update_balance(artists, rows):
    """Move :func:`balance` artists to new rows.

    Parameters
    ----------
    artists : dict
        What :func:`balance` returned.
    rows : sequence of tuple
        ``(inhibition, facilitation, net)`` per row; rows past the last given keep their bars.

    Returns
    -------
    list
        The artists that changed.
    """
    nets = []
    for rect_i, rect_f, (i, f, net) in zip(artists["inhibition"], artists["facilitation"], rows, strict=False):
        rect_i.set_x(-i)
        rect_i.set_width(i)
        rect_f.set_x(0.0)
        rect_f.set_width(f)
        nets.append(net)
    artists["net"].set_data(nets, artists["y"][:len(nets)])
    return artists["inhibition"] + artists["facilitation"] + [artists["net"]]
