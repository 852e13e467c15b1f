"""The panels' renderer: one persistent Agg figure drawn to PNG bytes, fast enough for every slider event.

A slider move usually changes a few artists and no axes, so the renderer keeps a picture of everything else
(the background) and draws only those artists on top of it (blitting). Static artists that must sit above the
moving ones (a band label no curve may cross) are pasted from a cached transparent rendering. The PNG is
written without row filters and deflated by ISA-L when it is installed: about 1.5 ms for a panel's picture on
the slow 2-core test machine, where zlib took 7 ms and Pillow's PNG writer 28 ms.
"""
from __future__ import annotations

import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from .. import _validate as v

try:  # ISA-L's deflate: the same zlib streams, several times faster (see png_rgb)
    from isal import isal_zlib as _isal_zlib
except ImportError:  # pragma: no cover - the requirements install it; zlib is the fallback
    _isal_zlib = None

__all__ = ["SCREEN_DPI", "Renderer", "deflate", "layout_signature", "png_rgb"]

#: Screen rendering: 9.6 x 5.4 in at this dpi. 96 dpi -> 922 x 518 px.
SCREEN_DPI = 96


class Renderer:
    """A figure, its Agg canvas, the cached background and overlay sprites, and the PNG encoder.

    Parameters
    ----------
    dpi : float, optional
        Resolution of the screen picture (default :data:`SCREEN_DPI`).

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure the panel draws on; created in the style sheet active when the renderer is made.
    full_draws : int
        How many renders drew the whole figure (the rest blitted).
    layouts : int
        How many of those ran the figure's layout engine (the rest kept the axes where the last layout put them,
        because no text that sets the margins changed: see :func:`layout_signature`).
    format : str
        The encoding of the pictures, ``"png"`` (what an ``ipywidgets.Image`` is told).
    """

    def __init__(self, dpi: float = SCREEN_DPI):
        v.positive(dpi, "dpi")
        self.figure = Figure(dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.full_draws = 0
        self.layouts = 0
        self.format = "png"
        self._background = None
        self._bg_signature = None
        self._layout_signature = None
        self._sprites: dict[int, tuple] = {}
        self._text_keys: dict[int, tuple] = {}

    @property
    def sprites(self) -> dict:
        """The cached overlay renderings, by ``id`` of their artist (a copy; empty after a full draw)."""
        return {key: sprite for key, (_sig, sprite) in self._sprites.items()}

    def invalidate(self) -> None:
        """Forget the cached background and layout, e.g. after ``savefig`` re-rendered the canvas at another size."""
        self._background = None
        self._layout_signature = None

    def render(self, *, dynamic=(), overlays=(), static_key=None, full: bool = False) -> bytes:
        """Render the figure and return it as PNG bytes.

        Fast path (blitting): when ``dynamic`` lists the artists that changed and no axes limits or scales changed
        (nor ``static_key``), the cached background is restored and only those artists are drawn again (a moving
        text that is the same as in the last frame, and above every other moving artist, is pasted from a cached
        rendering instead); ``overlays`` are then pasted from cached renderings. Otherwise, or with ``full=True``,
        the whole figure is drawn, overlays last. Both paths give the same pixels (the panel tests check it). Call
        inside the panel's style sheet: colours given as cycle references ("C0") resolve at draw time.

        Parameters
        ----------
        dynamic : sequence of matplotlib.artist.Artist, optional
            Artists the last update changed (``None`` entries are ignored).
        overlays : sequence of matplotlib.artist.Artist, optional
            Static artists drawn above the dynamic ones.
        static_key : hashable, optional
            Anything else the background depends on; a change forces a full draw.
        full : bool, optional
            Draw everything, bypassing the cache.

        Returns
        -------
        bytes
            A PNG (RGBA, opaque) at screen resolution.
        """
        canvas = self.figure.canvas
        dynamic = [a for a in dynamic if a is not None]
        overlays = [a for a in overlays if a is not None]
        signature = (_axes_signature(self.figure), static_key)
        redraw = full or not dynamic or self._background is None or signature != self._bg_signature
        if redraw:
            for artist in (*dynamic, *overlays):
                artist.set_animated(True)
            self._draw_all(canvas)
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._bg_signature = signature
            self._sprites = {}
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        # A moving text (a label that follows a curve, a number) is often unchanged from the last frame: paste its
        # cached pixels instead of drawing the glyphs again, when it sits above every other moving artist.
        top = max((a.get_zorder() for a in dynamic if not isinstance(a, Text)), default=float("-inf"))
        steady = [] if redraw else [a for a in dynamic if isinstance(a, Text) and a.get_zorder() > top
                                    and self._unchanged(a)]
        for artist in dynamic:
            if artist not in steady:
                self.figure.draw_artist(artist)
        rgba = np.asarray(canvas.buffer_rgba())
        for artist in steady:
            self._sprite(artist, rgba.shape[:2]).paste(rgba)
        if redraw:
            self._text_keys = {id(a): _overlay_key(a) for a in dynamic if isinstance(a, Text)}
        for artist in overlays:
            if redraw:
                self.figure.draw_artist(artist)  # the reference path: Agg draws it
            else:
                self._sprite(artist, rgba.shape[:2]).paste(rgba)
        return png_rgb(rgba)

    def _draw_all(self, canvas) -> None:
        # The constrained layout measures every tick label, title and legend: about 40 % of a full draw. The
        # axes only need to move when those texts change size, so the layout runs when their signature changes
        # (and on the first draw) and is otherwise kept; a full and a blitted picture use the same rule.
        engine = self.figure.get_layout_engine()
        signature = layout_signature(self.figure) if engine is not None else None
        if engine is None or signature != self._layout_signature:
            canvas.draw()
            self._layout_signature = signature
            self.layouts += int(engine is not None)
            return
        self.figure.set_layout_engine("none")
        try:
            canvas.draw()
        finally:
            self.figure.set_layout_engine(engine)

    def _unchanged(self, artist) -> bool:
        # Same text, place and look as in the last frame (then a cached rendering of it can be pasted).
        key = _overlay_key(artist)
        same = self._text_keys.get(id(artist)) == key
        self._text_keys[id(artist)] = key
        return same

    def _sprite(self, artist, shape) -> _Sprite:
        # Drawing text costs about 0.1 ms a glyph; pasting its cached pixels costs a few µs.
        key = _overlay_key(artist)
        cached = self._sprites.get(id(artist))
        if cached is None or cached[0] != key:
            renderer = RendererAgg(shape[1], shape[0], self.figure.dpi)
            artist.draw(renderer)
            cached = (key, _Sprite(np.asarray(renderer.buffer_rgba())))
            self._sprites[id(artist)] = cached
        return cached[1]


def layout_signature(figure) -> tuple:
    """What a figure's layout depends on, cheaply: the texts around each axes and how long its tick labels are.

    The constrained layout sizes the margins from the extents of tick labels, axis labels, titles and legends.
    This key holds those texts, the longest tick label per axis (in characters: a label of the same length
    takes about the same room), where tick labels sit near the ends of an axis (they stick out past it), the
    axes' visibility, and the figure's size and its own legends and titles; a layout computed for one key fits
    any figure with the same key to within a few pixels (the panel tests check 3 px).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    tuple
        A hashable key; equal keys need no new layout.
    """
    def texts(artists):
        return tuple(t.get_text() for t in artists if t.get_visible())

    def ticks(axis):
        if not axis.get_visible():
            return None
        lo, hi = sorted(axis.get_view_interval())
        locs = [x for x in axis.get_majorticklocs() if lo <= x <= hi]
        labels = axis.get_major_formatter().format_ticks(locs) if locs else []
        # A label at (or near) an end of the axis sticks out past it by up to half its size: which ends have one,
        # to 2 % of the axis (about the half-height of a label), is part of the key.
        fracs = [float(axis.get_transform().transform(x)) for x in locs] if locs else []
        a, b = (float(axis.get_transform().transform(x)) for x in (lo, hi))
        span = (b - a) or 1.0
        ends = [round((f - a) / span * 50) for f in fracs]
        near = tuple(e for e in ends if e <= 3 or e >= 47)
        return (max((len(x) for x in labels), default=0), near, axis.label.get_text(), axis.get_label_position())

    key = [tuple(figure.get_size_inches()), figure.dpi,
           texts(a for leg in figure.legends for a in (*leg.get_texts(), leg.get_title())),
           texts(t for t in figure.texts)]
    # Secondary axes (ax.secondary_xaxis) are children of an axes, not in figure.axes, and size margins too.
    for ax in [a for parent in figure.axes for a in (parent, *parent.child_axes)]:
        legend = ax.get_legend() if hasattr(ax, "get_legend") else None
        titles = tuple(ax.get_title(loc) for loc in ("left", "center", "right")) if hasattr(ax, "get_title") else ()
        key.append((ax.get_visible(), ticks(ax.xaxis), ticks(ax.yaxis), titles,
                    None if legend is None else texts((*legend.get_texts(), legend.get_title()))))
    return tuple(key)


def _axes_signature(figure):
    """What the cached background depends on in the axes: limits, scales, visibility."""
    return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_visible())
                 for ax in figure.axes)


def _overlay_key(artist):
    """What an overlay's (or a steady moving text's) pixels depend on besides the background (axes limits, which
    reset every sprite)."""
    key = [artist.get_visible(), artist.get_alpha(), artist.get_zorder()]
    if isinstance(artist, Text):
        patch = artist.get_bbox_patch()
        key += [artist.get_text(), tuple(np.ravel(artist.get_position())), str(artist.get_color()),
                artist.get_fontsize(), artist.get_rotation(), artist.get_fontweight(), artist.get_fontstyle(),
                artist.get_horizontalalignment(), artist.get_verticalalignment(),
                None if patch is None else (tuple(patch.get_facecolor()), tuple(patch.get_edgecolor()))]
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


def png_rgb(rgba: np.ndarray, level: int = 1) -> bytes:
    """Encode an image as a PNG without row filters: RGB for 3 channels, RGBA for 4.

    The screen picture is flat colour and anti-aliased lines, which compress well without PNG's row filters.
    A 4-channel buffer (what Agg draws) is written as it is: adding the filter byte to each row is then one
    contiguous copy, where dropping alpha first costs a strided copy several times longer, and an opaque alpha
    channel compresses to almost nothing. Deflate runs in ISA-L (the ``isal`` package) when it is installed,
    about 8x faster than zlib at the same size; otherwise in zlib. Both write standard zlib streams.

    Parameters
    ----------
    rgba : numpy.ndarray
        A non-empty ``(h, w, 3)`` or ``(h, w, 4)`` uint8 array.
    level : int, optional
        Compression level, 0 to 9 (default 1); ISA-L has levels 0 to 3 and takes ``min(level, 3)``.

    Returns
    -------
    bytes
        The PNG file (colour type 2 for RGB, 6 for RGBA).
    """
    arr = _checked_image(rgba)
    level = v.integer(level, "level", 0, 9)
    h, w, channels = arr.shape
    raw = np.empty((h, 1 + channels * w), np.uint8)
    raw[:, 0] = 0  # filter type 0 (None) on every row
    raw[:, 1:].reshape(h, w, channels)[...] = arr

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    colour_type = 6 if channels == 4 else 2
    header = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)  # 8-bit, deflate, no filter, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", deflate(raw, level))
            + chunk(b"IEND", b""))


def deflate(data, level: int = 1) -> bytes:
    """A zlib stream of ``data``: ISA-L when the ``isal`` package is installed, else the standard library.

    Parameters
    ----------
    data : bytes-like
        What to compress (a contiguous buffer).
    level : int, optional
        Compression level, 0 to 9 (ISA-L takes ``min(level, 3)``).

    Returns
    -------
    bytes
        A zlib stream any inflater reads (``zlib.decompress`` gives ``data`` back).
    """
    level = v.integer(level, "level", 0, 9)
    if _isal_zlib is not None:
        return _isal_zlib.compress(data, min(level, 3))
    return zlib.compress(data, level)


def _checked_image(rgba) -> np.ndarray:
    arr = np.asarray(rgba)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.dtype != np.uint8 or 0 in arr.shape[:2]:
        raise ValueError(f"rgba must be a non-empty (h, w, 3 or 4) uint8 array, got shape {arr.shape} "
                         f"dtype {arr.dtype}")
    return arr
