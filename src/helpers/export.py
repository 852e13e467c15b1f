"""Save figures for slides, and hand them to the person who asked for them.

:func:`save_figure` writes what a panel shows as PNG (1920×1080), SVG (text kept as text, so it stays
editable in slide software) and PDF (for LaTeX slides), each carrying the panel's text description as its
alt text, plus a ``.alt.txt`` file with the same text to paste into slide software. Given the panel's state
(a small JSON-able dict), it also writes ``<stem>.state.json`` and embeds the same JSON in the PNG (a tEXt
chunk keyed :data:`STATE_KEY`) and the SVG (its ``dc:source``), so any exported figure can be rebuilt
(``python -m helpers.gallery --state file.state.json``).

The kernel may run on another machine (JupyterHub, Binder, Voilà), so a file written there does not reach the
user: :func:`render_files` makes the same files in memory and :func:`download_links` turns them into links the
browser downloads. When the collection is served to visitors who do not own the kernel (:func:`served`), no
folder may be chosen and nothing is written on the server; messages show paths relative to the notebook
(:func:`display_path`), never the server's absolute paths.

The table of canonical figures and the command that rebuilds ``figures/`` live in :mod:`helpers.gallery`;
``python -m helpers.export`` still runs that command.
"""
from __future__ import annotations

import base64
import html
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path

import matplotlib

from . import _validate as v

__all__ = ["FORMATS", "PNG_SIZE_PX", "STATE_KEY", "SERVED_ENV", "EXPORTS_FOLDER", "save_figure", "render_files",
           "write_files", "download_links", "default_folder", "user_folder", "served", "resolve_folder", "display_path",
           "state_json", "read_state"]

FORMATS = ("png", "svg", "pdf")
PNG_SIZE_PX = (1920, 1080)
#: The PNG text-chunk keyword that carries a panel's state as JSON.
STATE_KEY = "helpers.state"
#: Environment variable that forces served mode on (``1``) or off (``0``), whatever else is detected.
SERVED_ENV = "HELPERS_SERVED"
#: Personal exports go here, beside the notebook (git-ignored), never among the canonical figures.
EXPORTS_FOLDER = "exports"
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
         "alt.txt": "text/plain;charset=utf-8", "state.json": "application/json"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


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


def user_folder() -> Path:
    """Where a panel's Export button writes in JupyterLab: ``exports/`` beside the notebook.

    Returns
    -------
    pathlib.Path
        ``<current folder>/exports`` (a notebook's kernel runs in the notebook's folder); git ignores it.
    """
    return Path.cwd() / EXPORTS_FOLDER


def served(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the collection is served to visitors who do not own the kernel (a Voilà app, say).

    ``HELPERS_SERVED=1`` forces served mode and ``HELPERS_SERVED=0`` forces it off; otherwise Voilà is
    recognised by the variables it sets in the kernel: ``VOILA_KERNEL_ID`` (set before the first cell runs),
    ``SERVER_SOFTWARE=voila/<version>`` and the ``VOILA_*`` server variables of a kernel it starts. JupyterLab,
    JupyterHub and Binder are not served mode: there each user owns their kernel.

    Parameters
    ----------
    environ : mapping of str to str, optional
        The environment to read; default ``os.environ``.

    Returns
    -------
    bool
        True in served mode.

    Raises
    ------
    ValueError
        If ``HELPERS_SERVED`` is set to something other than 1/0, true/false, yes/no or on/off.
    """
    env = os.environ if environ is None else environ
    flag = env.get(SERVED_ENV)
    if flag is not None:
        word = flag.strip().lower()
        if word not in _TRUE + _FALSE:
            raise ValueError(f"{SERVED_ENV} must be one of {list(_TRUE + _FALSE)}, got {flag!r}")
        return word in _TRUE
    if env.get("VOILA_KERNEL_ID") or env.get("SERVER_SOFTWARE", "").lower().startswith("voila"):
        return True
    return any(env.get(k) for k in ("VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_APP_PORT"))


def resolve_folder(folder, *, served_mode: bool | None = None) -> Path:
    """The absolute folder an export may write to, or a refusal.

    In JupyterLab the user owns the kernel and may write anywhere they could from a code cell, so any folder is
    allowed (a relative one is taken from the notebook's folder). In served mode no folder may be chosen at all:
    a visitor must not steer where the server writes, so every folder is refused.

    Parameters
    ----------
    folder : str or pathlib.Path
        The folder as typed or passed; ``~`` is expanded.
    served_mode : bool, optional
        Override :func:`served` (for tests and callers that already know).

    Returns
    -------
    pathlib.Path
        The resolved folder (it may not exist yet).

    Raises
    ------
    ValueError
        In served mode; if ``folder`` is empty or not a path; if it names an existing file.
    """
    if served_mode is None:
        served_mode = served()
    if served_mode:
        raise ValueError(f"folder cannot be chosen when the collection is served to visitors (Voilà or "
                         f"{SERVED_ENV}=1): Export offers downloads only and writes nothing on the server; "
                         f"got {display_path(folder) if isinstance(folder, (str, os.PathLike)) else folder!r}")
    if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
        raise ValueError(f"folder must be a non-empty path, got {folder!r}")
    path = Path(str(folder).strip()).expanduser()
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if path.exists() and not path.is_dir():
        raise ValueError(f"folder must be a directory, got the file {display_path(path)!r}")
    return path


def display_path(path) -> str:
    """A path as a message may show it: relative to the notebook's folder, never absolute.

    Parameters
    ----------
    path : str or pathlib.Path
        Any path.

    Returns
    -------
    str
        The path relative to the current folder (``exports``, ``../slides``); only the last part of the path if
        no relative path exists (another drive).
    """
    path = Path(path)
    try:
        return os.path.relpath(path.resolve() if path.is_absolute() else Path.cwd() / path, Path.cwd())
    except ValueError:
        return path.name


def state_json(state: Mapping) -> str:
    """A panel state as canonical JSON: ASCII only, sorted keys, so the same state gives the same bytes.

    Parameters
    ----------
    state : mapping
        A JSON-able dict (strings, numbers, booleans, lists and dicts; finite numbers only).

    Returns
    -------
    str
        The JSON text, ASCII (it fits a PNG tEXt chunk).

    Raises
    ------
    ValueError
        If ``state`` is not a mapping or holds something JSON cannot carry (NaN, an object).
    """
    if not isinstance(state, Mapping):
        raise ValueError(f"state must be a dict, got {state!r}")
    try:
        return json.dumps(dict(state), sort_keys=True, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"state must hold only JSON values (finite numbers, strings, booleans, lists, dicts), "
                         f"got {state!r}: {exc}") from None


def read_state(path) -> dict:
    """The panel state saved with an export: a ``.state.json`` file, or the state embedded in a PNG or SVG.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.state.json``, ``.png`` or ``.svg`` file written by :func:`save_figure` with a state.

    Returns
    -------
    dict
        The state.

    Raises
    ------
    ValueError
        If the file does not exist, has another extension, or carries no state.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing file, got {str(path)!r}")
    name = path.name.lower()
    if name.endswith(".json"):
        text = path.read_text(encoding="utf-8")
    elif name.endswith(".png"):
        from PIL import Image

        with Image.open(path) as img:
            text = img.info.get(STATE_KEY)
    elif name.endswith(".svg"):
        found = ET.parse(path).getroot().iter("{http://purl.org/dc/elements/1.1/}source")
        text = next((e.text for e in found), None)
    else:
        raise ValueError(f"path must end in .state.json, .png or .svg, got {str(path)!r}")
    if not text:
        raise ValueError(f"path must carry a panel state, got {str(path)!r} without one")
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"path must hold a JSON panel state, got {str(path)!r}: {exc}") from None
    if not isinstance(state, dict):
        raise ValueError(f"path must hold a JSON object, got {type(state).__name__} in {str(path)!r}")
    return state


def download_links(files: Mapping[str, bytes]) -> str:
    """HTML links that make the browser download each file, whatever machine the kernel runs on.

    Parameters
    ----------
    files : mapping of str to bytes
        File name to contents, as :func:`render_files` returns them.

    Returns
    -------
    str
        One ``<a download="name" href="data:<type>;base64,...">name</a>`` per file, separated by spaces.

    Raises
    ------
    ValueError
        If a name is not a plain file name or a content is not bytes.
    """
    links = []
    for name, data in files.items():
        if not isinstance(name, str) or not _STEM.match(name):
            raise ValueError(f"files must be keyed by plain file names, got {name!r}")
        if not isinstance(data, (bytes, bytearray)):
            raise ValueError(f"files[{name!r}] must be bytes, got {type(data).__name__}")
        ext = next((e for e in _MIME if name.endswith("." + e)), None)
        mime = _MIME.get(ext, "application/octet-stream")
        href = f"data:{mime};base64,{base64.b64encode(bytes(data)).decode('ascii')}"
        links.append(f'<a download="{html.escape(name)}" href="{href}">{html.escape(name)}</a>')
    return " ".join(links)


def _deterministic_rc():
    # Read at save time, not figure-creation time: keep text as text and make the output byte-stable.
    return matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "helpers",
                                  "savefig.facecolor": "auto", "savefig.edgecolor": "auto",
                                  "savefig.bbox": "standard"})


def save_figure(fig, folder=None, stem: str = "figure", *, alt_text: str = "",
                formats: Iterable[str] = ("png", "svg", "pdf"), state: Mapping | None = None) -> list[Path]:
    """Write a figure for slides, with its description as alt text in every file and beside them.

    Writes ``folder/stem.{png,svg,pdf}`` and ``stem.alt.txt`` (and ``stem.state.json`` given a state). The PNG
    is 1920×1080 px whatever the figure's size in inches (16:9 figures only); SVG keeps text as text; the output
    is byte-stable (no dates, a fixed SVG hash salt), and a file whose bytes would not change is not rewritten.

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
    state : mapping, optional
        The panel state that rebuilds the figure (see :func:`state_json`): embedded in the PNG and SVG and
        written as ``stem.state.json``.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``formats``, then the ``.alt.txt``, then the ``.state.json``.
    """
    folder = Path(default_folder() if folder is None else folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"folder must be a directory, got the file {str(folder)!r}")
    return write_files(folder, render_files(fig, stem, alt_text=alt_text, formats=formats, state=state))


def write_files(folder, files: Mapping[str, bytes]) -> list[Path]:
    """Write files made by :func:`render_files` into a folder (created if missing).

    A file whose bytes would not change is not rewritten; others are replaced atomically.

    Parameters
    ----------
    folder : str or pathlib.Path
        Where to write.
    files : mapping of str to bytes
        File name to contents.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``files``.

    Raises
    ------
    ValueError
        If ``folder`` is an existing file or a name is not a plain file name.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"folder must be a directory, got the file {display_path(folder)!r}")
    bad = [name for name in files if not isinstance(name, str) or not _STEM.match(name)]
    if bad:
        raise ValueError(f"files must be keyed by plain file names, got {bad!r}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        _write_if_changed(folder / name, bytes(data))
        written.append(folder / name)
    return written


def render_files(fig, stem: str = "figure", *, alt_text: str = "", formats: Iterable[str] = ("png", "svg", "pdf"),
                 state: Mapping | None = None) -> dict[str, bytes]:
    """The files :func:`save_figure` writes, made in memory (to offer as downloads, or to write).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A 16:9 figure.
    stem : str, optional
        File name without extension: letters, digits, ``_``, ``-`` and ``.``.
    alt_text : str, optional
        The figure's text description.
    formats : iterable of {"png", "svg", "pdf"}, optional
        Formats to make, at least one.
    state : mapping, optional
        The panel state that rebuilds the figure; embedded in the PNG and SVG and added as ``stem.state.json``.

    Returns
    -------
    dict of str to bytes
        File name to contents: the formats in order, then ``stem.alt.txt``, then ``stem.state.json``.
    """
    formats = [v.choice(f, "formats", FORMATS) for f in formats]
    if not formats:
        raise ValueError("formats must name at least one of ('png', 'svg', 'pdf'), got []")
    if not isinstance(stem, str) or not _STEM.match(stem):
        raise ValueError(f"stem must be a file name of letters, digits, '_', '-' or '.', got {stem!r}")
    if not isinstance(alt_text, str):
        raise ValueError(f"alt_text must be a string, got {alt_text!r}")
    state_text = None if state is None else state_json(state)
    w_in, h_in = fig.get_size_inches()
    if abs(w_in / h_in - 16 / 9) > 1e-3:
        raise ValueError(f"fig must be 16:9 for slides, got {w_in:g} x {h_in:g} inches")
    dpi = PNG_SIZE_PX[0] / w_in
    files: dict[str, bytes] = {}
    # Panels mark the artists they blit as animated, and savefig skips animated artists: un-mark them.
    animated = fig.findobj(lambda a: a.get_animated())
    for artist in animated:
        artist.set_animated(False)
    try:
        _render_all(fig, stem, alt_text, formats, dpi, state_text, files)
    finally:
        for artist in animated:
            artist.set_animated(True)
    return files


def _render_all(fig, stem, alt_text, formats, dpi, state_text, files):
    with _deterministic_rc():
        for fmt in formats:
            if fmt == "png":
                meta = {"Title": stem, "Description": alt_text, "Software": None}
                if state_text is not None:
                    meta[STATE_KEY] = state_text
            elif fmt == "svg":
                # The SVG writer takes Dublin Core keys only; dc:source ("the resource this one is derived
                # from") is the state the figure is drawn from.
                meta = {"Title": stem, "Description": alt_text, "Date": None, "Creator": None}
                if state_text is not None:
                    meta["Source"] = state_text
            else:
                meta = {"Title": stem, "Subject": alt_text, "CreationDate": None, "Creator": None,
                        "Producer": None}
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
            files[f"{stem}.{fmt}"] = buf.getvalue()
        files[f"{stem}.alt.txt"] = (alt_text.strip() + "\n").encode("utf-8")
        if state_text is not None:
            files[f"{stem}.state.json"] = (json.dumps(json.loads(state_text), indent=1, sort_keys=True)
                                           + "\n").encode("ascii")


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
