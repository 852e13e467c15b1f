"""The one pattern every interactive figure follows.

A panel is: presets + Reset + Presenter + Export on top, the controls, the figure (a PNG in an ``Image``
widget rendered from one persistent Agg figure, so the picture is swapped in place and never disappears),
a live one-paragraph description under it (also the exported figure's alt text) and an export status line.

A subclass supplies the science-free wiring:

* ``name`` — key for presets in ``data/presets/*.json``;
* ``make_controls()`` — a dict of fresh widgets, keyed by the keyword names ``compute`` takes;
* ``compute(**values)`` — call the models (the science lives in ``helpers.models``);
* ``setup(fig)`` — create axes and artists once per figure (called again when the look changes);
* ``draw(result)`` — update those artists in place;
* ``describe(result)`` — the text description, numbers included.

Driven from Python exactly as a student drives it: ``panel.set(duration_h=100)``, then read
``panel.figure``, ``panel.result`` and ``panel.description``. Nothing here swallows an exception.
"""
from __future__ import annotations

import html
import math
import struct
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Mapping

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from .. import _validate as v
from .. import evidence, export, style

__all__ = ["Panel", "figure_arrays", "duration_slider", "log_slider", "DURATIONS_H"]

#: Screen rendering: 9.6 x 5.4 in at this dpi. 96 dpi -> 922 x 518 px.
SCREEN_DPI = 96


class Panel:
    name: str = ""
    title: str = ""
    #: Controls that get a wide layout (e.g. long dropdowns).
    wide: tuple[str, ...] = ()

    def __init__(self, preset: str | None = None, *, look: str = "notebook", **values: Any):
        v.choice(look, "look", ("notebook", "presenter", "slides-light", "slides-dark"))
        self._look = look
        self._holding = False
        self.controls: dict[str, W.ValueWidget] = self.make_controls()
        self._table = evidence.presets(self.name) if self.name in _preset_panels() else {}
        self.result = None
        self.description = ""
        self.timings_ms: list[float] = []
        self.full_draws = 0
        self.dynamic: list = []
        self.overlays: list = []

        self._preset = W.Dropdown(
            options=[("— choose a preset —", "")] + [(p["label"], k) for k, p in self._table.items()],
            value="", description="Preset", layout=W.Layout(width="auto", min_width="320px"),
            style={"description_width": "initial"}, disabled=not self._table)
        self._reset = W.Button(description="Reset", icon="undo", tooltip="Back to the opening case",
                               layout=W.Layout(width="auto"))
        self._presenter = W.ToggleButton(value=(look == "presenter"), description="Presenter",
                                         icon="desktop", tooltip="Big fonts and thick lines for a projector",
                                         layout=W.Layout(width="auto"))
        self._folder = W.Text(value=_display_folder(), description="Export to",
                              layout=W.Layout(width="260px"), style={"description_width": "initial"})
        self._export = W.Button(description="Export", icon="download", button_style="",
                                tooltip="Write this figure as PNG (1920x1080), SVG and PDF",
                                layout=W.Layout(width="auto"))
        self._image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1100px",
                                                            height="auto", object_fit="contain"))
        self._text = W.HTML(layout=W.Layout(max_width="1100px"))
        self._status = W.HTML(layout=W.Layout(max_width="1100px"))
        for widget in self.controls.values():
            widget.style.description_width = "initial"
            widget.layout.margin = "2px 18px 2px 0"
            if isinstance(widget, _SLIDERS):
                widget.layout.width = _slider_width(widget)
            widget.observe(self._on_change, names="value")
        # What the model runs with. A slider in the browser snaps a value that is off its step grid (a preset's
        # 35 mg/h on a log grid) and sends the snapped value back; that echo is not a student's move, so the
        # panel keeps the value it was given (see ``_on_change``).
        self._values = {k: w.value for k, w in self.controls.items()}
        self._key_of = {id(w): k for k, w in self.controls.items()}
        self._preset.observe(self._on_preset, names="value")
        self._reset.on_click(lambda _b: self.reset())
        self._presenter.observe(self._on_presenter, names="value")
        self._export.on_click(lambda _b: self.export())

        # The opening case: a preset, then explicit overrides. Reset returns here.
        opening = {k: w.value for k, w in self.controls.items()}
        if preset is not None:
            v.choice(preset, "preset", self._table)
            opening.update(self._table[preset]["values"])
        opening.update(values)
        self._opening = (preset or "", opening)
        self._build_figure()
        self._apply(opening, preset or "")

        controls_box = W.Box(list(self.controls.values()),
                             layout=W.Layout(display="flex", flex_flow="row wrap"))
        # A figure without controls (a schematic) has nothing to preset or reset: Presenter and Export only.
        tools = [self._preset, self._reset] if self.controls else []
        toolbar = W.HBox(tools + [self._presenter, self._folder, self._export],
                         layout=W.Layout(flex_flow="row wrap", align_items="center"))
        parts = [toolbar, controls_box] if self.controls else [toolbar]
        self.widget = W.VBox(parts + [self._image, self._text, self._status], layout=W.Layout(width="100%"))
        self.widget.add_class("helpers-panel")

    # ---- to be supplied by subclasses ----------------------------------------------------------------
    def make_controls(self) -> dict[str, W.ValueWidget]:
        raise NotImplementedError

    def compute(self, **values):
        raise NotImplementedError

    def setup(self, fig: Figure) -> None:
        raise NotImplementedError

    def draw(self, result) -> None:
        raise NotImplementedError

    def describe(self, result) -> str:
        raise NotImplementedError

    # ---- public API -----------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The values the model runs with (a slider's snap of a preset value is not a change)."""
        return dict(self._values)

    @property
    def look(self) -> str:
        return self._look

    def set(self, **values: Any) -> "Panel":
        """Set controls as a student would (one update for the lot); reject values the widget cannot take."""
        self._apply(values, preset="")
        return self

    def apply_preset(self, key: str) -> "Panel":
        v.choice(key, "preset", self._table)
        self._apply(dict(self._table[key]["values"]), preset=key)
        return self

    def reset(self) -> "Panel":
        preset, values = self._opening
        self._apply(dict(values), preset=preset)
        return self

    def set_look(self, look: str) -> "Panel":
        """Rebuild the figure in another sheet ("notebook", "presenter", "slides-light", "slides-dark")."""
        v.choice(look, "look", style.SHEETS)
        if look != self._look:
            self._look = look
            with self._hold():
                self._presenter.value = look == "presenter"
            self._build_figure()
            self.update()
        return self

    def export(self, folder=None, stem: str | None = None, formats=("png", "svg", "pdf")) -> list[Path]:
        """Write the figure as shown (PNG 1920x1080, SVG, PDF) with the description as alt text."""
        folder = Path(folder if folder is not None else (self._folder.value.strip() or export.default_folder()))
        stem = stem or f"{self.name}_{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            with style.context(self._look):
                paths = export.save_figure(self.figure, folder, stem, alt_text=self.description, formats=formats)
        except (ValueError, OSError) as exc:
            self._status.value = f"<span style='color:#D55E00'>Export failed: {html.escape(str(exc))}</span>"
            raise
        finally:
            self._background = None  # savefig re-rendered the canvas at export size: rebuild the cache
            self._image.value = self.render_png()
        where = html.escape(str(folder.resolve()))
        names = ", ".join(html.escape(p.name) for p in paths)
        self._status.value = f"Wrote {names} to <code>{where}</code>"
        return paths

    def naive_replot(self, **values):
        """The same figure re-made from scratch on every call (the ``interact`` way), for benchmarks."""
        import matplotlib.pyplot as plt

        with style.context(self._look):
            fig = plt.figure(dpi=SCREEN_DPI)
            self.setup(fig)
            self.draw(self.compute(**{**self.values, **values}))
        plt.show()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ---- internals ------------------------------------------------------------------------------------
    @contextmanager
    def _hold(self):
        previous, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = previous

    def _apply(self, values: Mapping[str, Any], preset: str) -> None:
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"control(s) {unknown} not in this panel; choose from {sorted(self.controls)}")
        checked = {k: _check_widget_value(k, self.controls[k], val) for k, val in values.items()}
        with self._hold():
            for key, val in checked.items():
                self.controls[key].value = val
                self._values[key] = self.controls[key].value
            self._preset.value = preset
        self.update()

    def _on_change(self, change) -> None:
        if self._holding:
            return
        key = self._key_of[id(change["owner"])]
        if same_grid_point(change["owner"], self._values[key], change["new"]):
            return  # the browser's echo, or its snap of our value to the slider's grid: not a move
        self._values[key] = change["new"]
        with self._hold():
            self._preset.value = ""
        self.update()

    def _on_preset(self, change) -> None:
        if self._holding or not change["new"]:
            return
        self.apply_preset(change["new"])

    def _on_presenter(self, change) -> None:
        if self._holding:
            return
        self.set_look("presenter" if change["new"] else "notebook")

    def _build_figure(self) -> None:
        with style.context(self._look):
            self.figure = Figure(dpi=SCREEN_DPI)
            FigureCanvasAgg(self.figure)
            self.dynamic = []
            self.overlays = []
            self.setup(self.figure)
        self._background = None
        self._bg_signature = None
        self._sprites = {}

    def update(self) -> None:
        """Recompute, redraw in place and refresh the description."""
        t0 = time.perf_counter()
        self.result = self.compute(**self.values)
        with style.context(self._look):  # one context for draw and render (entering one costs ~1 ms)
            self.draw(self.result)
            png = self._render_png(full=False)
        self.description = self.describe(self.result)
        # The picture goes first: the browser starts decoding it while the text message is still on its way.
        self._image.value = png
        self._text.value = (f"<p role='status' aria-live='polite' style='font-size:1.05em;line-height:1.45'>"
                            f"{html.escape(self.description)}</p>")
        self.timings_ms.append((time.perf_counter() - t0) * 1e3)

    def render_png(self, *, full: bool = False) -> bytes:
        """The figure as PNG bytes at screen resolution.

        Fast path (blitting): when the subclass lists the artists its ``draw`` changes in ``self.dynamic``
        and no axes limits changed, the cached background (axes, ticks, labels, layout) is restored and only
        those artists are drawn again. Artists in ``self.overlays`` (static, but they must sit above the dynamic
        ones, such as a band label that no curve may cross) are then pasted from a cached transparent rendering
        instead of being drawn again. Otherwise, or with ``full=True``, the whole figure is drawn, overlays
        last. Tests check that both paths give the same pixels.
        """
        # Draw inside the sheet: colours given as cycle references ("C0") are resolved at draw time.
        with style.context(self._look):
            return self._render_png(full=full)

    def _render_png(self, *, full: bool) -> bytes:
        canvas = self.figure.canvas
        dynamic = [a for a in getattr(self, "dynamic", ()) if a is not None]
        overlays = [a for a in getattr(self, "overlays", ()) if a is not None]
        signature = self._signature()
        redraw = full or not dynamic or self._background is None or signature != self._bg_signature
        if redraw:
            for artist in (*dynamic, *overlays):
                artist.set_animated(True)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._bg_signature = signature
            self._sprites = {}
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        for artist in dynamic:
            self.figure.draw_artist(artist)
        rgba = np.asarray(canvas.buffer_rgba())
        for artist in overlays:
            if redraw:
                self.figure.draw_artist(artist)  # the reference path: Agg draws it
            else:
                self._sprite(artist, rgba.shape[:2]).paste(rgba)
        return png_rgb(rgba)

    def _sprite(self, artist, shape) -> "_Sprite":
        """The overlay artist rendered alone on a transparent canvas, cached until it or the background changes
        (drawing text costs about 0.1 ms a glyph; pasting its pixels costs a few µs)."""
        key = _overlay_key(artist)
        cached = self._sprites.get(id(artist))
        if cached is None or cached[0] != key:
            renderer = RendererAgg(shape[1], shape[0], self.figure.dpi)
            artist.draw(renderer)
            cached = (key, _Sprite(np.asarray(renderer.buffer_rgba())))
            self._sprites[id(artist)] = cached
        return cached[1]

    def _signature(self):
        """What the cached background depends on: axes limits and scales, plus ``static_key()``."""
        axes = tuple((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_visible())
                     for ax in self.figure.axes)
        return axes, self.static_key()

    def static_key(self):
        """Override when ``draw`` changes something outside ``self.dynamic`` that the background holds."""
        return None


def _overlay_key(artist):
    """What an overlay's pixels depend on besides the background (axes limits, which reset every sprite)."""
    key = [artist.get_visible(), artist.get_alpha(), artist.get_zorder()]
    if isinstance(artist, Text):
        key += [artist.get_text(), tuple(np.ravel(artist.get_position())), str(artist.get_color()),
                artist.get_fontsize(), artist.get_rotation()]
        if isinstance(artist, Annotation):
            key.append(tuple(np.ravel(artist.xy)))
    return tuple(key)


class _Sprite:
    """The non-transparent part of a plain-RGBA rendering, ready to be alpha-composited onto opaque pixels."""

    def __init__(self, rgba: np.ndarray):
        alpha = rgba[:, :, 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        self.box = None
        if rows.size:
            y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            part = rgba[y0:y1, x0:x1].astype(np.float32)
            a = part[:, :, 3:4] / 255.0
            self.box = (slice(y0, y1), slice(x0, x1))
            self.colour = part[:, :, :3] * a      # premultiplied
            self.keep = 1.0 - a                   # how much of what lies below shows through

    def paste(self, rgba: np.ndarray) -> None:
        if self.box is None:
            return
        below = rgba[self.box + (slice(0, 3),)]
        below[...] = np.rint(self.colour + below * self.keep).astype(np.uint8)


_SLIDERS = (W.FloatSlider, W.FloatLogSlider, W.IntSlider, W.FloatRangeSlider, W.IntRangeSlider, W.SelectionSlider)
SLIDER_TRACK_PX = 200


def _slider_width(widget) -> str:
    """Room for the label, a track of at least ``SLIDER_TRACK_PX`` and the readout.

    With ``description_width="initial"`` the label takes what it needs and the track gets the rest, so a long
    label in a fixed width leaves a track too short to use (seen: "NMDA block by ketamine (fraction)").
    The label width is estimated at 7.5 px per character (JupyterLab's 13 px sans-serif).
    """
    label_px = int(7.5 * len(widget.description or "")) + 12
    needed = label_px + SLIDER_TRACK_PX + 70  # 70: the readout
    given = str(widget.layout.width or "")
    if given.endswith("px"):
        needed = max(needed, int(float(given[:-2])))
    return f"{needed}px"


def png_rgb(rgba: np.ndarray, level: int = 1) -> bytes:
    """An RGB PNG of an (h, w, 4) uint8 array, alpha dropped: no row filters, zlib at ``level``.

    The screen picture is flat colour and anti-aliased lines, which compress well without PNG's row filters;
    skipping them (and Pillow's RGBA -> RGB copy) makes this about 1.3-1.8x faster than Pillow at
    ``compress_level=1`` for the same size, and every update pays for it.
    """
    arr = np.asarray(rgba)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.dtype != np.uint8 or 0 in arr.shape[:2]:
        raise ValueError(f"rgba must be a non-empty (h, w, 3 or 4) uint8 array, got shape {arr.shape} "
                         f"dtype {arr.dtype}")
    level = v.integer(level, "level", 0, 9)
    h, w = arr.shape[:2]
    raw = np.empty((h, 1 + 3 * w), np.uint8)
    raw[:, 0] = 0  # filter type 0 (None) on every row
    raw[:, 1:] = arr[:, :, :3].reshape(h, 3 * w)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, deflate, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
            + chunk(b"IEND", b""))


def same_grid_point(widget, ours, new) -> bool:
    """True when ``new`` is what a browser slider makes of ``ours``: equal, or within half a step of it (in the
    exponent for a log slider), which is where the slider's grid snapping puts a value that is off the grid."""
    if new == ours:
        return True
    if isinstance(widget, W.FloatRangeSlider):
        return (isinstance(new, (tuple, list)) and isinstance(ours, (tuple, list)) and len(new) == len(ours) == 2
                and all(abs(a - b) < 0.5 * widget.step * (1 - 1e-9) for a, b in zip(new, ours)))
    if isinstance(widget, W.FloatLogSlider):
        if ours <= 0 or new <= 0:
            return False
        gap = abs(math.log(new, widget.base) - math.log(ours, widget.base))
        return gap < 0.5 * widget.step * (1 - 1e-9)
    if isinstance(widget, W.FloatSlider):
        return abs(new - ours) < 0.5 * widget.step * (1 - 1e-9)
    return False


#: Infusion durations (h) a duration slider steps through: the published regimens' lengths (30 min, 4 h, 5 h,
#: 6 h, 100 h, 5, 7 and 14 days) and a roughly geometric ladder between, so each arrow-key press is a visible
#: change and every preset is exactly on the slider.
DURATIONS_H = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 24.0, 30.0, 36.0,
               48.0, 60.0, 72.0, 84.0, 96.0, 100.0, 120.0, 144.0, 168.0, 192.0, 240.0, 288.0, 336.0)


def _duration_label(h: float) -> str:
    if h < 1.0:
        return f"{h * 60:.0f} min"
    if h < 24.0:
        return f"{h:g} h"
    return f"{h:g} h ({h / 24:.3g} d)"


def duration_slider(value: float, description: str, durations=DURATIONS_H, **kwargs) -> W.SelectionSlider:
    """A slider over ``durations`` (h): the readout says "30 min", "4 h" or "100 h (4.17 d)"; arrow keys step
    to the next duration. ``value`` must be one of them."""
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
    """
    lo = v.positive(lo, "lo")
    hi = v.in_range(hi, "hi", lo, math.inf)
    value = v.in_range(value, "value", lo, hi)
    step = v.positive(step, "step")
    top = math.log10(value)
    n_below = math.floor((top - math.log10(lo)) / step + 1e-9)
    return W.FloatLogSlider(value=value, base=10, min=top - n_below * step, max=math.log10(hi), step=step,
                            **kwargs)


def _check_widget_value(key: str, widget, value):
    """What the widget would silently clamp or refuse, we reject with a ValueError naming the control."""
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


def _preset_panels():
    from ..evidence import _all_presets

    return _all_presets()


def _display_folder() -> str:
    folder = export.default_folder()
    try:
        return str(folder.relative_to(Path.cwd()))
    except ValueError:
        return str(folder)


def figure_arrays(fig: Figure) -> list[np.ndarray]:
    """Every plotted data array in a figure (lines, collections, images, patches) for checks in tests."""
    out = []
    for ax in fig.axes:
        for line in ax.lines:
            out.append(np.asarray(line.get_xydata(), dtype=float))
        for coll in ax.collections:
            offs = coll.get_offsets()
            if len(offs):
                out.append(np.asarray(offs, dtype=float))
            for path in getattr(coll, "get_paths", lambda: [])():
                out.append(np.asarray(path.vertices, dtype=float))
        for img in ax.images:
            out.append(np.asarray(img.get_array(), dtype=float))
        for patch in ax.patches:
            out.append(np.asarray(patch.get_path().vertices, dtype=float))
    return out
