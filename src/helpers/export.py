"""Save figures for slides.

:func:`save_figure` writes what a panel shows as PNG (1920×1080), SVG (text kept as text, so it stays
editable in slide software) and PDF (for LaTeX slides), each carrying the panel's text description as its
alt text, plus a ``.alt.txt`` file with the same text to paste into slide software.

The table of canonical figures and the command that rebuilds ``figures/`` live in :mod:`helpers.gallery`;
``python -m helpers.export`` still runs that command.
"""
from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

import matplotlib

from . import _validate as v

__all__ = ["FORMATS", "PNG_SIZE_PX", "save_figure", "default_folder"]

FORMATS = ("png", "svg", "pdf")
PNG_SIZE_PX = (1920, 1080)
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def default_folder() -> Path:
    """Where exported figures go by default.

    Returns
    -------
    pathlib.Path
        ``figures/`` of the collection: beside ``notebooks/`` when run from a notebook, else ``./figures``.
    """
    here = Path.cwd()
    for candidate in (here / "figures", here.parent / "figures"):
        if candidate.is_dir():
            return candidate
    return here / "figures"


def _deterministic_rc():
    # Read at save time, not figure-creation time: keep text as text and make the output byte-stable.
    return matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "helpers",
                                  "savefig.facecolor": "auto", "savefig.edgecolor": "auto",
                                  "savefig.bbox": "standard"})


def save_figure(fig, folder=None, stem: str = "figure", *, alt_text: str = "",
                formats: Iterable[str] = ("png", "svg", "pdf")) -> list[Path]:
    """Write a figure for slides, with its description as alt text in every file and beside them.

    Writes ``folder/stem.{png,svg,pdf}`` and ``stem.alt.txt``. The PNG is 1920×1080 px whatever the figure's
    size in inches (16:9 figures only); SVG keeps text as text; the output is byte-stable (no dates, a fixed
    SVG hash salt), and a file whose bytes would not change is not rewritten.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A 16:9 figure.
    folder : str or pathlib.Path, optional
        Where to write (created if missing); default :func:`default_folder`.
    stem : str, optional
        File name without extension: letters, digits, ``_``, ``-`` and ``.``.
    alt_text : str, optional
        The figure's text description.
    formats : iterable of {"png", "svg", "pdf"}, optional
        Formats to write, at least one.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``, then the ``.alt.txt``.
    """
    formats = [v.choice(f, "formats", FORMATS) for f in formats]
    if not formats:
        raise ValueError("formats must name at least one of ('png', 'svg', 'pdf'), got []")
    if not isinstance(stem, str) or not _STEM.match(stem):
        raise ValueError(f"stem must be a file name of letters, digits, '_', '-' or '.', got {stem!r}")
    if not isinstance(alt_text, str):
        raise ValueError(f"alt_text must be a string, got {alt_text!r}")
    w_in, h_in = fig.get_size_inches()
    if abs(w_in / h_in - 16 / 9) > 1e-3:
        raise ValueError(f"fig must be 16:9 for slides, got {w_in:g} x {h_in:g} inches")
    folder = Path(default_folder() if folder is None else folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"folder must be a directory, got the file {str(folder)!r}")
    folder.mkdir(parents=True, exist_ok=True)
    dpi = PNG_SIZE_PX[0] / w_in
    written = []
    # Panels mark the artists they blit as animated, and savefig skips animated artists: un-mark them.
    animated = fig.findobj(lambda a: a.get_animated())
    for artist in animated:
        artist.set_animated(False)
    try:
        _save_all(fig, folder, stem, alt_text, formats, dpi, written)
    finally:
        for artist in animated:
            artist.set_animated(True)
    return written


def _save_all(fig, folder, stem, alt_text, formats, dpi, written):
    with _deterministic_rc():
        for fmt in formats:
            path = folder / f"{stem}.{fmt}"
            if fmt == "png":
                meta = {"Title": stem, "Description": alt_text, "Software": None}
            elif fmt == "svg":
                meta = {"Title": stem, "Description": alt_text, "Date": None, "Creator": None}
            else:
                meta = {"Title": stem, "Subject": alt_text, "CreationDate": None, "Creator": None,
                        "Producer": None}
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
            _write_if_changed(path, buf.getvalue())
            written.append(path)
        alt = folder / f"{stem}.alt.txt"
        _write_if_changed(alt, (alt_text.strip() + "\n").encode("utf-8"))
        written.append(alt)


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


if __name__ == "__main__":
    # The old name of the figure command; the module runs as ``__main__`` here, so this is no import cycle.
    from helpers import gallery

    raise SystemExit(gallery.main(prog="python -m helpers.export"))
