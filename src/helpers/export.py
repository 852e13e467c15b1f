"""Save figures for slides, and the registry of canonical figures behind ``python -m helpers.export``.

:func:`save_figure` writes what a panel shows as PNG (1920×1080), SVG (text kept as text, so it stays
editable in slide software) and PDF (for LaTeX slides), each carrying the panel's text description as its
alt text, plus a ``.alt.txt`` file with the same text to paste into slide software.

Canonical figures are registered by the modules that own them (the panel modules) with
:func:`register`; :func:`canonical_figures` imports those modules and returns the registry. The CLI
(``python -m helpers.export``) rebuilds ``figures/`` from it in the light and dark slide looks.
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import matplotlib

from . import _validate as v
from . import style

__all__ = ["FORMATS", "save_figure", "default_folder", "register", "canonical_figures", "Canonical"]

FORMATS = ("png", "svg", "pdf")
PNG_SIZE_PX = (1920, 1080)
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def default_folder() -> Path:
    """``figures/`` of the collection: beside ``notebooks/`` when run from a notebook, else ``./figures``."""
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
    """Write ``fig`` as ``folder/stem.{png,svg,pdf}`` (+ ``stem.alt.txt``); return the paths written.

    The PNG is 1920×1080 px whatever the figure's size in inches (16:9 figures only).
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


@dataclass(frozen=True)
class Canonical:
    """A canonical figure: ``build(style)`` returns ``(Figure, alt_text)`` in the given style sheet."""
    name: str
    build: Callable
    caption: str
    notebook: str


_REGISTRY: dict[str, Canonical] = {}


def register(name: str, *, caption: str, notebook: str):
    """Decorator: register ``build(style) -> (Figure, alt_text)`` as canonical figure ``name``."""
    if not isinstance(name, str) or not _STEM.match(name):
        raise ValueError(f"name must be a file-name-safe string, got {name!r}")

    def wrap(build):
        if name in _REGISTRY and _REGISTRY[name].build is not build:
            raise ValueError(f"name {name!r} is already registered")
        _REGISTRY[name] = Canonical(name, build, caption, notebook)
        return build

    return wrap


def canonical_figures() -> dict[str, Canonical]:
    """Every canonical figure, by name (importing the panel modules that register them)."""
    from . import panels

    panels.all_panels()  # registration happens when the topic modules are imported
    return dict(sorted(_REGISTRY.items()))


def main(argv=None) -> int:
    """CLI: rebuild the canonical figures (PNG + SVG, light and dark; PDF with ``--pdf``)."""
    import argparse
    import time

    import helpers.export as registry  # the imported module, not this __main__ copy

    parser = argparse.ArgumentParser(prog="python -m helpers.export", description=main.__doc__)
    parser.add_argument("--out", default=None, help="folder to write (default: the collection's figures/)")
    parser.add_argument("--pdf", action="store_true", help="also write PDF")
    parser.add_argument("--only", nargs="*", default=None, help="names of figures to build (default: all)")
    parser.add_argument("--list", action="store_true", help="list the canonical figures and exit")
    args = parser.parse_args(argv)

    figures = registry.canonical_figures()
    if args.list:
        for name, fig in figures.items():
            print(f"{name:34s} {fig.notebook:38s} {fig.caption}")
        return 0
    unknown = sorted(set(args.only or ()) - set(figures))
    if unknown:
        parser.error(f"unknown figure(s) {unknown}; choose from {sorted(figures)}")
    out = Path(args.out) if args.out else _repo_figures()
    formats = ("png", "svg", "pdf") if args.pdf else ("png", "svg")
    count = 0
    for name, canon in figures.items():
        if args.only and name not in args.only:
            continue
        for theme in ("light", "dark"):
            t0 = time.perf_counter()
            look = f"slides-{theme}"
            with style.context(look):  # cycle colours ("C0") resolve at draw time: draw in the same sheet
                fig, alt = canon.build(look)
                paths = registry.save_figure(fig, out, f"{name}_{theme}", alt_text=alt, formats=formats)
            count += len(paths)
            shown = ", ".join(p.name for p in paths)
            print(f"wrote {shown} in {out} ({time.perf_counter() - t0:.2f} s)")
    print(f"{count} files for {len(args.only or figures)} figures in {out}")
    return 0


def _repo_figures() -> Path:
    """The repository's ``figures/`` when run from a source checkout, else ``./figures``."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "notebooks").is_dir() and (parent / "figures").is_dir():
            return parent / "figures"
    return default_folder()


if __name__ == "__main__":
    raise SystemExit(main())
