"""Widget helpers shared by the panels: duration and log sliders, slider layout, value checks.

Nothing here knows about figures or models. The panel base uses :func:`fit_control`, :func:`check_value` and
:func:`same_grid_point`; topic modules build their controls with :func:`duration_slider` and :func:`log_slider`.
"""
from __future__ import annotations

import math

import ipywidgets as W
import numpy as np

from .. import _validate as v

__all__ = ["DURATIONS_H", "SLIDER_TRACK_PX", "duration_slider", "log_slider", "same_grid_point", "slider_width",
           "fit_control", "check_value"]

SLIDERS = (W.FloatSlider, W.FloatLogSlider, W.IntSlider, W.FloatRangeSlider, W.IntRangeSlider, W.SelectionSlider)
#: The shortest usable slider track (px): shorter, and one arrow-key step is a sub-pixel move of the handle.
SLIDER_TRACK_PX = 200

#: Infusion durations (h) a duration slider steps through: the published regimens' lengths (30 min, 4 h, 5 h,
#: 6 h, 100 h, 5, 7 and 14 days) and a roughly geometric ladder between, so each arrow-key press is a visible
#: change and every preset is exactly on the slider.
DURATIONS_H = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 24.0, 30.0, 36.0,
               48.0, 60.0, 72.0, 84.0, 96.0, 100.0, 120.0, 144.0, 168.0, 192.0, 240.0, 288.0, 336.0)


def slider_width(widget) -> str:
    """Width that leaves room for the label, a usable track and the readout.

    With ``description_width="initial"`` the label takes what it needs and the track gets the rest, so a long
    label in a fixed width leaves a track too short to use (seen: "NMDA block by ketamine (fraction)"). The label
    is estimated at 7.5 px per character (JupyterLab's 13 px sans-serif).

    Parameters
    ----------
    widget : ipywidgets.Widget
        A slider with a ``description`` and a ``layout``.

    Returns
    -------
    str
        A CSS width in pixels, e.g. ``"420px"``; never narrower than a width the widget already has.
    """
    label_px = int(7.5 * len(widget.description or "")) + 12
    needed = label_px + SLIDER_TRACK_PX + 70  # 70: the readout
    given = str(widget.layout.width or "")
    if given.endswith("px"):
        needed = max(needed, int(float(given[:-2])))
    return f"{needed}px"


def fit_control(widget) -> None:
    """Give a control the house layout: label at its natural width, a margin, sliders wide enough to use.

    Parameters
    ----------
    widget : ipywidgets.Widget
        A control of a panel; changed in place.
    """
    widget.style.description_width = "initial"
    widget.layout.margin = "2px 18px 2px 0"
    if isinstance(widget, SLIDERS):
        widget.layout.width = slider_width(widget)


def same_grid_point(widget, ours, new) -> bool:
    """Whether ``new`` is what a browser slider makes of ``ours``.

    A browser slider snaps a value that is off its step grid to the nearest grid point and sends it back; that
    echo is not a student's move. Equal values, or values within half a step (in the exponent for a log slider),
    count as the same point.

    Parameters
    ----------
    widget : ipywidgets.Widget
        The control the value belongs to; its type and ``step`` decide what "half a step" means.
    ours : object
        The value the panel holds.
    new : object
        The value the widget reports.

    Returns
    -------
    bool
        True when ``new`` is ``ours`` or its snap to the slider's grid.
    """
    if new == ours:
        return True
    if isinstance(widget, W.FloatRangeSlider):
        return (isinstance(new, (tuple, list)) and isinstance(ours, (tuple, list)) and len(new) == len(ours) == 2
                and all(abs(a - b) < 0.5 * widget.step * (1 - 1e-9) for a, b in zip(new, ours, strict=True)))
    if isinstance(widget, W.FloatLogSlider):
        if ours <= 0 or new <= 0:
            return False
        gap = abs(math.log(new, widget.base) - math.log(ours, widget.base))
        return gap < 0.5 * widget.step * (1 - 1e-9)
    if isinstance(widget, W.FloatSlider):
        return abs(new - ours) < 0.5 * widget.step * (1 - 1e-9)
    return False


def _duration_label(h: float) -> str:
    if h < 1.0:
        return f"{h * 60:.0f} min"
    if h < 24.0:
        return f"{h:g} h"
    return f"{h:g} h ({h / 24:.3g} d)"


def duration_slider(value: float, description: str, durations=DURATIONS_H, **kwargs) -> W.SelectionSlider:
    """A slider over a ladder of infusion durations whose readout says "30 min", "4 h" or "100 h (4.17 d)".

    Arrow keys step to the next duration, so every press is a visible change and every preset is on the slider.

    Parameters
    ----------
    value : float
        The opening duration (h); must be one of ``durations``.
    description : str
        The slider's label.
    durations : sequence of float, optional
        The durations (h) to step through, in increasing order; default :data:`DURATIONS_H`.
    **kwargs
        Passed to :class:`ipywidgets.SelectionSlider` (``layout``, ``style`` ...).

    Returns
    -------
    ipywidgets.SelectionSlider
        A continuously updating slider whose value is the duration in hours.
    """
    options = [(_duration_label(float(h)), float(h)) for h in durations]
    allowed = [h for _label, h in options]
    if value not in allowed:
        raise ValueError(f"value must be one of the durations {allowed}, got {value!r}")
    return W.SelectionSlider(options=options, value=float(value), description=description,
                             continuous_update=True, **kwargs)


def log_slider(value: float, lo: float, hi: float, step: float, **kwargs) -> W.FloatLogSlider:
    """A base-10 log slider from about ``lo`` to ``hi`` whose step grid passes exactly through ``value``.

    The browser snaps a slider value to ``min + n * step`` (in the exponent). A grid anchored at ``lo`` rarely
    holds round opening values such as 20 mg/h or 100 h, so the grid is anchored at ``value`` instead and the
    lower end is the lowest grid point at or above ``lo``.

    Parameters
    ----------
    value : float
        The opening value, ``lo <= value <= hi``.
    lo : float
        Lowest value wanted, > 0.
    hi : float
        Highest value, >= ``lo``.
    step : float
        Step in the base-10 exponent, > 0 (0.02 is about 4.7 % per arrow-key press).
    **kwargs
        Passed to :class:`ipywidgets.FloatLogSlider` (``description``, ``readout_format`` ...).

    Returns
    -------
    ipywidgets.FloatLogSlider
        The slider, holding ``value``.
    """
    lo = v.positive(lo, "lo")
    hi = v.in_range(hi, "hi", lo, math.inf)
    value = v.in_range(value, "value", lo, hi)
    step = v.positive(step, "step")
    top = math.log10(value)
    n_below = math.floor((top - math.log10(lo)) / step + 1e-9)
    return W.FloatLogSlider(value=value, base=10, min=top - n_below * step, max=math.log10(hi), step=step,
                            **kwargs)


def check_value(key: str, widget, value):
    """A value for a control, checked: what the widget would silently clamp or refuse is rejected instead.

    Parameters
    ----------
    key : str
        The control's name, used in the error message.
    widget : ipywidgets.Widget
        The control the value is for; its type and bounds decide what is allowed.
    value : object
        The value asked for.

    Returns
    -------
    object
        The value as the widget holds it (a float for a slider, a tuple for a range or multiple selection).

    Raises
    ------
    ValueError
        If the value is outside the slider's range or not one of its options, naming ``key``.
    """
    if isinstance(widget, (W.FloatSlider, W.FloatLogSlider, W.BoundedFloatText)):
        lo, hi = _bounds(widget)
        return v.in_range(value, key, lo, hi)
    if isinstance(widget, (W.IntSlider, W.BoundedIntText)):
        return v.integer(value, key, widget.min, widget.max)
    if isinstance(widget, (W.FloatRangeSlider,)):
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ValueError(f"{key} must be a (low, high) pair, got {value!r}")
        lo, hi = widget.min, widget.max
        a, b = (v.in_range(x, key, lo, hi) for x in value)
        if a > b:
            raise ValueError(f"{key} must have low <= high, got {value!r}")
        return (a, b)
    if isinstance(widget, (W.Dropdown, W.RadioButtons, W.ToggleButtons, W.Select, W.SelectionSlider)):
        allowed = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        if value not in allowed:
            raise ValueError(f"{key} must be one of {allowed}, got {value!r}")
        return value
    if isinstance(widget, (W.SelectMultiple,)):
        allowed = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        value = tuple(value) if isinstance(value, (list, tuple)) else (value,)
        bad = [x for x in value if x not in allowed]
        if bad:
            raise ValueError(f"{key} must be chosen from {allowed}, got {bad!r}")
        return value
    if isinstance(widget, (W.Checkbox, W.ToggleButton)):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{key} must be True or False, got {value!r}")
        return bool(value)
    return value


def _bounds(widget):
    if isinstance(widget, W.FloatLogSlider):
        return widget.base ** widget.min, widget.base ** widget.max
    return widget.min, widget.max
