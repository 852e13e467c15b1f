"""Widget helpers shared by the panels: duration, ladder and log sliders, slider layout, readouts, value checks.

Nothing here knows about figures or models. The panel base uses :func:`fit_control`, :func:`check_value` and
:func:`same_grid_point`; topic modules build their controls with :func:`duration_slider`, :func:`ladder_slider`
and :func:`log_slider`. :func:`readout` says what a slider shows for a value, as the browser draws it.

Why ladders: a browser slider can only stop on ``min + n * step``. A log slider's grid misses round published
values (70 mg/h on a 0.02 grid from 1 mg/h shows 69.3), so sliders whose presets carry published numbers step
through a ladder of values that includes every preset instead.
"""
from __future__ import annotations

import html
import math
import re

import ipywidgets as W
import numpy as np

from .. import _validate as v

__all__ = ["DURATIONS_H", "FREQUENCIES_HZ", "PANEL_CSS", "PRESENTER_CLASS", "PRESENTER_FONT_PX", "SLIDER_TRACK_PX",
           "check_value", "description_html", "duration_slider", "fit_control", "ladder", "ladder_slider", "log_slider",
           "nice_ladder", "preset_values", "readout", "reserved_lines", "same_grid_point", "slider_width"]

SLIDERS = (W.FloatSlider, W.FloatLogSlider, W.IntSlider, W.FloatRangeSlider, W.IntRangeSlider, W.SelectionSlider)
#: The shortest usable slider track (px): shorter, and one arrow-key step is a sub-pixel move of the handle.
SLIDER_TRACK_PX = 200

#: Infusion durations (h) a duration slider steps through: the published regimens' lengths (30 min, 4 h, 5 h,
#: 6 h, 100 h, 5, 7 and 14 days) and a roughly geometric ladder between, so each arrow-key press is a visible
#: change and every preset is exactly on the slider.
DURATIONS_H = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 24.0, 30.0, 36.0,
               48.0, 60.0, 72.0, 84.0, 96.0, 100.0, 120.0, 144.0, 168.0, 192.0, 240.0, 288.0, 336.0)

#: Stimulation frequencies (Hz) a frequency slider steps through: the values the wind-up papers use (0.1 Hz, no
#: summation; 0.17, 0.2, 0.25 Hz near the threshold; 0.33 Hz and above, summation; 1-2 Hz, C-fibre wind-up) and a
#: few between, so a student reaches the threshold in a handful of presses instead of fifty.
FREQUENCIES_HZ = (0.05, 0.07, 0.1, 0.12, 0.15, 0.17, 0.2, 0.25, 0.33, 0.4, 0.5, 0.67, 0.75, 1.0, 1.5, 2.0)

#: Mantissas of a "nice" log ladder: 12 steps a decade (each 15-25 %), every one a round number.
_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0, 8.0)


#: DOM class a panel's root box carries in the presenter look (the CSS below keys on it).
PRESENTER_CLASS = "helpers-presenter"
#: Control and description text size in the presenter look (px): readable from the back of a lecture room.
PRESENTER_FONT_PX = 18
#: Room (px) the presenter look leaves above and below the figure inside a 720-px-high window: JupyterLab's menu,
#: tab bar and toolbar (about 100 px), the panel's toolbar, two rows of controls and the description's first
#: sentence. Measured at 1280x720 in JupyterLab 4.6 (tests/test_presenter.py checks the result).
PRESENTER_CHROME_PX = 330

#: The panels' own CSS, scoped to their root box. Why each rule:
#: * every part of the panel is at most as wide as the panel: ipywidgets' 2-px margins around a 100 %-wide picture
#:   made each panel 4 px wider than the notebook (a horizontal scrollbar under every panel);
#: * the presenter look enlarges control text to PRESENTER_FONT_PX, stacks each slider's label over its track so
#:   four controls share a row, drops the folder field (a lecturer exports to the default folder), keeps the
#:   toolbar on one row (the preset menu gives way, so Export never wraps alone) and caps the
#:   figure's height so controls, axes and the description's first sentence fit a 1280x720 projector.
PANEL_CSS = f"""
.helpers-panel {{ box-sizing: border-box; max-width: 100%; min-width: 0; }}
.helpers-panel > * {{ max-width: 100%; box-sizing: border-box; }}
.helpers-panel img.helpers-figure {{ display: block; width: 100%; max-width: min(100%, 1100px); height: auto;
  margin: 2px 0; object-fit: contain; object-position: left top; }}
.helpers-panel .helpers-description {{ overflow-wrap: anywhere; }}
.helpers-panel .helpers-tools {{ flex-wrap: wrap; align-items: center; }}
.helpers-panel .helpers-export {{ flex-wrap: nowrap; align-items: center; }}
.helpers-panel.{PRESENTER_CLASS} {{ --jp-widgets-font-size: {PRESENTER_FONT_PX}px;
  --jp-widgets-inline-height: 32px; --jp-widgets-slider-handle-size: 20px; font-size: {PRESENTER_FONT_PX}px; }}
.helpers-panel.{PRESENTER_CLASS} .widget-label, .helpers-panel.{PRESENTER_CLASS} .widget-label-basic,
.helpers-panel.{PRESENTER_CLASS} .widget-readout, .helpers-panel.{PRESENTER_CLASS} select,
.helpers-panel.{PRESENTER_CLASS} button, .helpers-panel.{PRESENTER_CLASS} input,
.helpers-panel.{PRESENTER_CLASS} .helpers-description {{ font-size: {PRESENTER_FONT_PX}px !important; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-folder {{ display: none !important; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-tools {{ flex-wrap: nowrap !important; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-tools > .widget-dropdown {{ flex: 1 1 auto; min-width: 180px !important;
  width: auto !important; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-tools > .widget-dropdown > select {{ min-width: 0; flex: 1 1 auto; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-tools > * {{ flex-shrink: 0; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-controls {{ display: grid !important;
  grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); column-gap: 14px; row-gap: 0; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-controls > .widget-inline-hbox {{ width: auto !important;
  min-width: 0 !important; margin: 0 !important; height: auto !important; flex-wrap: wrap; align-items: center; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-controls > .widget-slider > .widget-label,
.helpers-panel.{PRESENTER_CLASS} .helpers-controls > .widget-dropdown > .widget-label,
.helpers-panel.{PRESENTER_CLASS} .helpers-controls > .widget-toggle-buttons > .widget-label {{
  width: 100% !important; max-width: none !important; line-height: 1.2; margin: 0 !important;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; text-align: left; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-controls > .widget-slider > .slider-container {{ flex: 1 1 60px;
  min-width: 60px; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-controls > .widget-slider > .widget-readout {{ min-width: 0;
  max-width: 9em; overflow: visible; }}
.helpers-panel.{PRESENTER_CLASS} .helpers-controls > .widget-dropdown > select {{ flex: 1 1 auto; min-width: 0;
  width: 100%; }}
.helpers-panel.{PRESENTER_CLASS} img.helpers-figure {{
  max-height: max(240px, calc(100vh - {PRESENTER_CHROME_PX}px)); }}
.helpers-panel.{PRESENTER_CLASS} .helpers-description details > summary {{ cursor: pointer; }}
"""


def description_html(text: str, *, presenter: bool = False) -> str:
    """The live description as HTML: one paragraph, or in the presenter look its first sentence with the rest
    folded under it (one click opens it), so the figure keeps the room on a projector.

    Parameters
    ----------
    text : str
        The description (plain text).
    presenter : bool, optional
        Fold all but the first sentence.

    Returns
    -------
    str
        HTML announced politely to screen readers (``role="status"``); the whole text is in it either way.
    """
    style = "margin:0;line-height:1.45" + ("" if presenter else ";font-size:1.05em")
    if not presenter:
        return f"<p role='status' aria-live='polite' style='{style}'>{html.escape(text)}</p>"
    first, _sep, rest = _first_sentence(text)
    if not rest:
        return f"<p role='status' aria-live='polite' style='{style}'>{html.escape(first)}</p>"
    return (f"<div role='status' aria-live='polite' style='{style}'><details><summary>{html.escape(first)} "
            f"<i>(more)</i></summary>{html.escape(rest)}</details></div>")


def reserved_lines(text: str, *, presenter: bool = False) -> int:
    """How many lines of height to keep for a description, so the figure does not jump when it grows.

    An estimate from the text's length at the notebook's usual width (about 120 characters a line, 75 in the
    presenter look's larger type, where only the first sentence shows); the panel reserves the largest it
    has seen, never less than 5 lines (2 in the presenter look).

    Parameters
    ----------
    text : str
        The description.
    presenter : bool, optional
        Count only the first sentence, at the presenter look's size.

    Returns
    -------
    int
        Lines to reserve.
    """
    if presenter:
        return max(2, math.ceil(len(_first_sentence(text)[0]) / 75))
    return max(5, math.ceil(len(text) / 120))


def _first_sentence(text: str) -> tuple[str, str, str]:
    # A sentence ends at ". " before a capital or digit; "vs." and "e.g." do not start a capital word here.
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
    if match is None:
        return text, "", ""
    return text[:match.start()], match.group(0), text[match.end():]


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
    if isinstance(widget, W.FloatSlider) and widget.readout_format == ".2f":
        # ipywidgets' default shows "70.00" kg on a 1-kg grid: as many decimals as the step has, no more.
        widget.readout_format = f".{_decimals(widget.step)}f"


def _decimals(step: float) -> int:
    for n in range(0, 6):
        if abs(step * 10 ** n - round(step * 10 ** n)) < 1e-9:
            return n
    return 6


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


def ladder(*groups) -> tuple[float, ...]:
    """The sorted union of groups of numbers, as floats without repeats.

    Parameters
    ----------
    *groups : iterable of float
        Ladders, preset values, published values ...

    Returns
    -------
    tuple of float
        Every value once, increasing.
    """
    return tuple(sorted({float(x) for group in groups for x in group}))


def nice_ladder(lo: float, hi: float, extra=()) -> tuple[float, ...]:
    """Round numbers from ``lo`` to ``hi``, 12 a decade (1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4 ... 8, 10 ...), plus extras.

    Parameters
    ----------
    lo : float
        Lowest value, > 0; included.
    hi : float
        Highest value, >= ``lo``; included.
    extra : iterable of float, optional
        Values that must be on the ladder too (the presets' values), each within ``[lo, hi]``.

    Returns
    -------
    tuple of float
        The ladder, increasing.
    """
    lo = v.positive(lo, "lo")
    hi = v.in_range(hi, "hi", lo, math.inf)
    extra = [v.in_range(x, "extra", lo, hi) for x in extra]
    points = [lo, hi]
    for decade in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in _NICE:
            x = float(f"{m * 10.0 ** decade:.6g}")
            if lo < x < hi:
                points.append(x)
    return ladder(points, extra)


def _number(x: float) -> str:
    # Whole numbers in full with a thousands comma (10,000, not 1e+04); others to 4 significant digits.
    return f"{x:,.0f}" if x == round(x) and abs(x) >= 1 else f"{x:,.4g}"


def ladder_slider(value: float, values, description: str, fmt=_number, **kwargs) -> W.SelectionSlider:
    """A slider that steps through given values; its readout is the value as the description writes it.

    Parameters
    ----------
    value : float
        The opening value; must be one of ``values``.
    values : sequence of float
        The values to step through, increasing (see :func:`ladder` and :func:`nice_ladder`).
    description : str
        The slider's label, with the unit.
    fmt : callable, optional
        Formats a value for the readout; default 4 significant digits with a thousands comma ("70", "24.5",
        "1,800").
    **kwargs
        Passed to :class:`ipywidgets.SelectionSlider` (``layout``, ``style`` ...).

    Returns
    -------
    ipywidgets.SelectionSlider
        A continuously updating slider whose value is the number itself.

    Raises
    ------
    ValueError
        If ``values`` is not increasing or ``value`` is not one of them.
    """
    values = [float(x) for x in values]
    if not values or any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise ValueError(f"values must be a non-empty increasing sequence, got {values!r}")
    if value not in values:
        raise ValueError(f"value must be one of {values}, got {value!r}")
    return W.SelectionSlider(options=[(fmt(x), x) for x in values], value=float(value), description=description,
                             continuous_update=True, **kwargs)


def preset_values(panel: str, key: str) -> tuple[float, ...]:
    """The values one control takes in a panel's presets (what a ladder must include).

    Parameters
    ----------
    panel : str
        The panel's ``name`` (its key in ``data/presets/*.json``).
    key : str
        The control's name.

    Returns
    -------
    tuple of float
        The distinct values, increasing; empty when no preset sets the control.
    """
    from .. import evidence

    table = evidence.presets(panel) if panel in evidence._all_presets() else {}
    return ladder(p["values"][key] for p in table.values() if key in p["values"])


def readout(widget, value=None) -> str:
    """The text a slider's readout shows for a value, after the browser snaps it to the slider's grid.

    Parameters
    ----------
    widget : ipywidgets.Widget
        A slider (a selection slider shows its option's label).
    value : object, optional
        The value to show; default the widget's own.

    Returns
    -------
    str
        The readout text (Python's format mini-language matches the front end's d3-format for the formats the
        panels use: ``.2f``, ``.3g``, ``.0%``, ``d``; negative numbers take d3's minus sign, U+2212).

    Raises
    ------
    ValueError
        If ``widget`` is not a slider.
    """
    value = widget.value if value is None else value
    if isinstance(widget, W.SelectionSlider):
        return str(widget.label if value == widget.value else dict((x, k) for k, x in widget._options_full)[value])
    if isinstance(widget, W.FloatLogSlider):
        n = round((math.log(value, widget.base) - widget.min) / widget.step)
        exponent = min(max(widget.min + n * widget.step, widget.min), widget.max)
        return _d3(widget.base ** exponent, widget.readout_format)
    if isinstance(widget, (W.FloatSlider, W.IntSlider)):
        n = round((value - widget.min) / widget.step)
        shown = min(max(widget.min + n * widget.step, widget.min), widget.max)
        return _d3(shown, widget.readout_format)
    raise ValueError(f"widget must be a slider, got {type(widget).__name__}")


def _d3(x, fmt: str) -> str:
    # d3-format, which draws the readout, writes a minus sign (U+2212), not a hyphen.
    text = format(x, fmt)
    return "\u2212" + text[1:] if text.startswith("-") else text


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
        # True == 1 in Python: a bool must not pass for the stop 1 (or 1.0) of a numeric ladder
        numeric = any(isinstance(a, (int, float)) and not isinstance(a, bool) for a in allowed)
        if value not in allowed or (numeric and isinstance(value, (bool, np.bool_))):
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
