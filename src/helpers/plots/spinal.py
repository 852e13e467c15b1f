"""Plots for the spinal layer: wind-up trains, wind-up against frequency, stimulus–response curves and the
sensitisation time course. Each function draws on the Axes it is given, returns its artists and changes
nothing it received; ``update_*`` functions move existing artists to new data in place (for panels).
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba

from ..style import ROLE

__all__ = [
    "windup_bars",
    "update_windup_bars",
    "response_steps",
    "fold_vs_frequency",
    "frequency_guides",
    "stimulus_response_curve",
    "innocuous_range",
    "time_course",
    "infusion_span",
    "update_span",
    "colour",
]

#: Colours by meaning (cycle references, right in every sheet).
AMPA_COLOUR = "C5"
NMDA_COLOUR = "C1"


def colour(ref):
    """Resolve a cycle reference ("C3") to RGBA under the sheet active *now*.

    Lines keep a "CN" string and look it up when drawn; panels render outside the style context, so an
    unresolved "C4" would be drawn in matplotlib's default cycle. Resolving at creation keeps the sheet's
    palette (and the dark sheet's reordering).

    Parameters
    ----------
    ref : str or tuple
        Any matplotlib colour, typically "C0".."C9".

    Returns
    -------
    tuple of float
        RGBA.
    """
    return to_rgba(ref)


def windup_bars(ax, train, *, n_slots=None, width=0.72):
    """Stacked bars, one per stimulus: the non-NMDA (AMPA) part below, the NMDA part on top.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    train : helpers.models.spinal.WindupTrain
        The train to show.
    n_slots : int, optional
        Bars to make (default: the train length), so a panel can show trains up to that length by changing
        heights; slots beyond the train get height 0.
    width : float
        Bar width (stimulus units).

    Returns
    -------
    dict
        ``{"ampa": BarContainer, "nmda": BarContainer}``.
    """
    n = len(train.response) if n_slots is None else int(n_slots)
    x = np.arange(1, n + 1)
    ampa, nmda = _padded(train, n)
    bars_a = ax.bar(x, ampa, width=width, color=colour(AMPA_COLOUR), label="AMPA part", linewidth=0)
    bars_n = ax.bar(x, nmda, width=width, bottom=ampa, color=colour(NMDA_COLOUR), label="NMDA part", linewidth=0)
    ax.set_xlabel("stimulus number")
    ax.set_ylabel("response (first without drug = 1)")
    return {"ampa": bars_a, "nmda": bars_n}


def update_windup_bars(bars, train):
    """Set the bar heights of :func:`windup_bars` to a new train.

    Parameters
    ----------
    bars : dict
        What :func:`windup_bars` returned.
    train : helpers.models.spinal.WindupTrain
        The new train, no longer than the number of slots.

    Returns
    -------
    list
        The changed rectangles.
    """
    n = len(bars["ampa"].patches)
    if len(train.response) > n:
        raise ValueError(f"train has {len(train.response)} stimuli but only {n} bar slots were made")
    ampa, nmda = _padded(train, n)
    for rect_a, rect_n, a, m in zip(bars["ampa"].patches, bars["nmda"].patches, ampa, nmda, strict=True):
        rect_a.set_height(a)
        rect_n.set_y(a)
        rect_n.set_height(m)
    return list(bars["ampa"].patches) + list(bars["nmda"].patches)


def _padded(train, n):
    ampa = np.zeros(n)
    nmda = np.zeros(n)
    k = len(train.response)
    ampa[:k] = train.ampa
    nmda[:k] = train.nmda
    return ampa, nmda


def response_steps(ax, train, *, label=None, color="C7", linestyle="--", linewidth=None):
    """The responses of a train as a step outline over the bars (e.g. the 0.1 Hz or the no-drug train).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    train : helpers.models.spinal.WindupTrain
        The train.
    label : str, optional
        Legend label.
    color : str
        Colour (a cycle reference is resolved now).
    linestyle : str
        Line style.
    linewidth : float, optional
        Line width; the sheet's default when None.

    Returns
    -------
    matplotlib.lines.Line2D
        The outline.
    """
    (line,) = ax.plot(train.stimulus, train.response, drawstyle="steps-mid", color=colour(color),
                      linestyle=linestyle, linewidth=linewidth, label=label)
    return line


def fold_vs_frequency(ax, frequency_hz, fold, *, label=None, color=ROLE["ketamine"], linestyle="-"):
    """Wind-up (last / first response) against stimulation frequency on a log axis.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    frequency_hz : array_like
        Frequencies (Hz).
    fold : array_like
        Wind-up fold at each.
    label : str, optional
        Legend label.
    color : str
        Colour (a cycle reference is resolved now).
    linestyle : str
        Line style.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve.
    """
    (line,) = ax.plot(frequency_hz, fold, color=colour(color), linestyle=linestyle, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("stimulation frequency (Hz)")
    ax.set_ylabel("wind-up (last / first response)")
    return line


def frequency_guides(ax, no_summation_hz, summation_hz, *, low_hz=None):
    """Shade frequencies where humans show no temporal summation and mark where it is clear.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    no_summation_hz : float
        Highest frequency without summation (Hz); shaded from ``low_hz`` up to it.
    summation_hz : float
        Frequency from which summation is clear (Hz); marked with a line.
    low_hz : float, optional
        Left end of the shading; the axis's left limit when None.

    Returns
    -------
    span, line : matplotlib artists
        The shading and the line.

    References
    ----------
    .. [1] ``staud_2007``: Staud et al. 2007 [V].
    .. [2] ``vierck_1997``: Vierck et al. 1997 [V].
    """
    lo = ax.get_xlim()[0] if low_hz is None else low_hz
    span = ax.axvspan(lo, no_summation_hz, color=colour(ROLE["control"]), alpha=0.12, linewidth=0,
                      label="no summation (humans)")
    line = ax.axvline(summation_hz, color=colour(ROLE["threshold"]), linestyle=":", linewidth=1.6,
                      label=f"summation ≥ {summation_hz:g} Hz")
    return span, line


def stimulus_response_curve(ax, stimulus, rating, *, label=None, color="C7", linestyle="-"):
    """Pain rating (0–10) against stimulus intensity (0–10 scale).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    stimulus : array_like
        Stimulus intensities.
    rating : array_like
        Pain rating at each.
    label : str, optional
        Legend label.
    color : str
        Colour (a cycle reference is resolved now).
    linestyle : str
        Line style.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve.
    """
    (line,) = ax.plot(stimulus, rating, color=colour(color), linestyle=linestyle, label=label)
    ax.set_xlabel("stimulus intensity (0–10 scale)")
    ax.set_ylabel("pain rating (0–10)")
    return line


def innocuous_range(ax, threshold, *, label="innocuous range"):
    """Shade the innocuous stimulus range [0, threshold] and mark the normal pain threshold.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    threshold : float
        Normal pain threshold on the 0–10 stimulus scale.
    label : str
        Legend label of the shading.

    Returns
    -------
    span, line : matplotlib artists
        The shading and the threshold line.
    """
    span = ax.axvspan(0.0, threshold, color=colour(ROLE["control"]), alpha=0.10, linewidth=0, label=label)
    line = ax.axvline(threshold, color=colour(ROLE["threshold"]), linestyle=":", linewidth=1.6,
                      label=f"normal pain threshold ({threshold:g})")
    return span, line


def time_course(ax, t_days, values, *, label=None, color=ROLE["ketamine"], linestyle="-", ylabel=None):
    """A quantity against time in days (sensitisation state or a pain rating).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    t_days : array_like
        Times (days).
    values : array_like
        The quantity at each.
    label : str, optional
        Legend label.
    color : str
        Colour (a cycle reference is resolved now).
    linestyle : str
        Line style.
    ylabel : str, optional
        Y-axis label; left as it is when None.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve.
    """
    (line,) = ax.plot(t_days, values, color=colour(color), linestyle=linestyle, label=label)
    ax.set_xlabel("time (days)")
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return line


def infusion_span(ax, start_day, stop_day, *, label="ketamine on"):
    """Shade the time a drug is given.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    start_day, stop_day : float
        Start and end of the infusion (days).
    label : str
        Legend label.

    Returns
    -------
    matplotlib.patches.Rectangle
        The span; move it with :func:`update_span`.
    """
    return ax.axvspan(start_day, stop_day, color=colour(ROLE["ketamine"]), alpha=0.18, linewidth=0, label=label)


def update_span(span, start, stop):
    """Move a span made by ``axvspan`` (a Rectangle in matplotlib >= 3.9) to [start, stop] in data x.

    Parameters
    ----------
    span : matplotlib.patches.Rectangle
        The span.
    start, stop : float
        New left and right ends (data units).

    Returns
    -------
    matplotlib.patches.Rectangle
        The same span.
    """
    span.set_x(start)
    span.set_width(stop - start)
    return span
