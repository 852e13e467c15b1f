"""The panels' renderer: one persistent Agg figure drawn to PNG bytes, fast enough for every slider event.

A slider move usually changes a few artists and no axes, so the renderer keeps a picture of everything else
(the background) and draws only those artists on top of it (blitting). Static artists that must sit above the
moving ones (a band label no curve may cross) are pasted from a cached transparent rendering. The PNG is
written without row filters, which is faster than Pillow for the flat-colour pictures panels make.

While a slider is dragged the panel asks for draft frames: the same drawing, encoded as a JPEG, which costs a
third of the PNG to encode and less for the browser to decode; the lossless PNG follows once the values stop.
"""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from PIL import Image

from .. import _validate as v

__all__ = ["DRAFT_QUALITY", "SCREEN_DPI", "Renderer", "jpeg_rgb", "png_rgb"]

#: Screen rendering: 9.6 x 5.4 in at this dpi. 96 dpi -> 922 x 518 px.
SCREEN_DPI = 96
#: JPEG quality of a draft frame: thin lines and text stay clean to the eye at this level while the picture moves.
DRAFT_QUALITY = 90


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
    format : {"png", "jpeg"}
        The encoding of the last picture (``"jpeg"`` for a draft frame).
    """

    def __init__(self, dpi: float = SCREEN_DPI):
        v.positive(dpi, "dpi")
        self.figure = Figure(dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.full_draws = 0
        self.format = "png"
        self._background = None
        self._bg_signature = None
        self._sprites: dict[int, tuple] = {}

    @property
    def sprites(self) -> dict:
        """The cached overlay renderings, by ``id`` of their artist (a copy; empty after a full draw)."""
        return {key: sprite for key, (_sig, sprite) in self._sprites.items()}

    def invalidate(self) -> None:
        """Forget the cached background, e.g. after ``savefig`` re-rendered the canvas at another size."""
        self._background = None

    def render(self, *, dynamic=(), overlays=(), static_key=None, full: bool = False, draft: bool = False) -> bytes:
        """Render the figure and return it as PNG bytes (JPEG for a draft frame).

        Fast path (blitting): when ``dynamic`` lists the artists that changed and no axes limits or scales
        changed (nor ``static_key``), the cached background is restored and only those artists are drawn again;
        ``overlays`` are then pasted from cached renderings. Otherwise, or with ``full=True``, the whole figure
        is drawn, overlays last. Both paths give the same pixels (the panel tests check it). Call inside the
        panel's style sheet: colours given as cycle references ("C0") resolve at draw time.

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
        draft : bool, optional
            Encode as a JPEG of quality :data:`DRAFT_QUALITY` (a frame while values are still arriving); the
            pixels drawn are the same. :attr:`format` tells which encoding the picture has.

        Returns
        -------
        bytes
            An RGB PNG (a JPEG if ``draft``) at screen resolution.
        """
        canvas = self.figure.canvas
        dynamic = [a for a in dynamic if a is not None]
        overlays = [a for a in overlays if a is not None]
        signature = (_axes_signature(self.figure), static_key)
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
        self.format = "jpeg" if draft else "png"
        return jpeg_rgb(rgba) if draft else png_rgb(rgba)

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


def _axes_signature(figure):
    """What the cached background depends on in the axes: limits, scales, visibility."""
    return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.get_visible())
                 for ax in figure.axes)


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


def png_rgb(rgba: np.ndarray, level: int = 1) -> bytes:
    """Encode an image as an RGB PNG, alpha dropped, without row filters.

    The screen picture is flat colour and anti-aliased lines, which compress well without PNG's row filters;
    skipping them (and Pillow's RGBA -> RGB copy) makes this about 1.3-1.8x faster than Pillow at
    ``compress_level=1`` for the same size, and every update pays for it.

    Parameters
    ----------
    rgba : numpy.ndarray
        A non-empty ``(h, w, 3)`` or ``(h, w, 4)`` uint8 array.
    level : int, optional
        zlib compression level, 0 to 9 (default 1).

    Returns
    -------
    bytes
        The PNG file.
    """
    arr = _checked_image(rgba)
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


def jpeg_rgb(rgba: np.ndarray, quality: int = DRAFT_QUALITY) -> bytes:
    """Encode an image as a baseline JPEG, alpha dropped: the draft frame shown while a slider is dragged.

    Encoding takes about a third of the time of :func:`png_rgb` on a panel's picture, for a file of about the
    same size, and the browser decodes it faster; the loss (ringing of a level or two around sharp edges) lasts
    only until the lossless frame replaces it.

    Parameters
    ----------
    rgba : numpy.ndarray
        A non-empty ``(h, w, 3)`` or ``(h, w, 4)`` uint8 array.
    quality : int, optional
        JPEG quality, 1 to 95 (default :data:`DRAFT_QUALITY`).

    Returns
    -------
    bytes
        The JPEG file.
    """
    arr = _checked_image(rgba)
    quality = v.integer(quality, "quality", 1, 95)
    h, w = arr.shape[:2]
    # Pillow unpacks RGBX -> RGB in C while reading the buffer, so no strided numpy copy is made.
    image = Image.frombytes("RGB", (w, h), np.ascontiguousarray(arr), "raw", "RGBX" if arr.shape[2] == 4 else "RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _checked_image(rgba) -> np.ndarray:
    arr = np.asarray(rgba)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.dtype != np.uint8 or 0 in arr.shape[:2]:
        raise ValueError(f"rgba must be a non-empty (h, w, 3 or 4) uint8 array, got shape {arr.shape} "
                         f"dtype {arr.dtype}")
    return arr
