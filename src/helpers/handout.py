"""Handouts: every notebook executed on a fresh kernel and written as one HTML page, code hidden.

``python3 -m helpers.handout`` runs each notebook in ``notebooks/`` and writes ``handouts/<name>.html`` plus an
``index.html`` that links them. Every panel and self-check carries a still copy beside its live widget (see
``Panel._repr_mimebundle_``): the handout shows that copy, a PNG of the figure with its description, and the
self-check's question with the answer folded away. Widget state is not stored, so no page needs the widget
JavaScript from a CDN and a handout opens offline.

A notebook that raises stops the build with its name and the error. Warnings stay visible: they are printed to
the console and kept in the page, so nothing is quietly hidden from a class.
"""
from __future__ import annotations

import argparse
import base64
import html
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import _validate as v

__all__ = ["Handout", "build", "execute", "to_html", "main"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass(frozen=True)
class Handout:
    """One handout written to disk.

    Parameters
    ----------
    notebook : pathlib.Path
        The notebook that was executed.
    path : pathlib.Path
        The HTML file written.
    seconds : float
        Wall time to execute and convert it, s.
    warnings : tuple of str
        Text the notebook wrote to stderr (warnings), in order; empty when it wrote none.
    """

    notebook: Path
    path: Path
    seconds: float
    warnings: tuple[str, ...]


def execute(notebook, *, timeout_s: float = 600.0, kernel_name: str = "python3"):
    """Run a notebook top to bottom on a fresh kernel, in its own folder, without writing it back.

    Parameters
    ----------
    notebook : str or pathlib.Path
        An ``.ipynb`` file.
    timeout_s : float, optional
        Longest time one cell may run, s, in (0, 3600].
    kernel_name : str, optional
        The Jupyter kernel to start.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook (outputs included, no widget state).

    Raises
    ------
    ValueError
        If ``notebook`` is not an existing ``.ipynb`` file or ``timeout_s`` is out of range.
    nbclient.exceptions.CellExecutionError
        If a cell raises; the message names the cell and the error.
    """
    import nbformat
    from nbclient import NotebookClient

    path = _notebook_path(notebook)
    v.in_range(timeout_s, "timeout_s", 0.0, 3600.0, low_open=True)
    nb = nbformat.read(path, as_version=4)
    # No widget state: a static page would otherwise pick the widget view and fetch its renderer from a CDN.
    client = NotebookClient(nb, timeout=timeout_s, kernel_name=kernel_name, store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def to_html(nb, *, show_code: bool = False, title: str | None = None, folder=None) -> str:
    """Convert an executed notebook to one self-contained HTML page (pictures in the text embedded too).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook (see :func:`execute`).
    show_code : bool, optional
        Keep the code cells; by default only the text and the outputs are shown.
    title : str, optional
        The page title; default the notebook's first heading.
    folder : str or pathlib.Path, optional
        The notebook's folder, against which pictures linked in its text (``../figures/x.png``) are found;
        default the current folder.

    Returns
    -------
    str
        The HTML page.
    """
    from nbconvert import HTMLExporter

    if not isinstance(show_code, bool):
        raise ValueError(f"show_code must be True or False, got {show_code!r}")
    folder = Path(folder) if folder is not None else Path.cwd()
    nb = _attach_pictures(_without_widget_views(nb), folder)
    # Embedded pictures: a handout is one file that can be mailed or moved away from figures/.
    exporter = HTMLExporter(exclude_input=not show_code, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True)
    resources = {"metadata": {"name": title or _first_heading(nb) or "handout",
                              "path": str(folder)}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def build(notebooks: Sequence | None = None, out="handouts", *, folder="notebooks", show_code: bool = False,
          timeout_s: float = 600.0, log=print) -> list[Handout]:
    """Execute notebooks and write one HTML handout each, plus an ``index.html`` that links them.

    Parameters
    ----------
    notebooks : sequence of str or pathlib.Path, optional
        Notebook files or names inside ``folder`` (``"04_ketamine_pharmacokinetics"``, with or without
        ``.ipynb``); default every notebook in ``folder``, in name order.
    out : str or pathlib.Path, optional
        Folder to write into (made if missing); default ``handouts`` (not committed).
    folder : str or pathlib.Path, optional
        Where the notebooks are; default ``notebooks``.
    show_code : bool, optional
        Keep the code cells in the handouts.
    timeout_s : float, optional
        Longest time one cell may run, s.
    log : callable or None, optional
        Called with one line of progress per notebook; ``None`` for silence.

    Returns
    -------
    list of Handout
        What was written, in order.

    Raises
    ------
    ValueError
        If ``folder`` holds no notebooks or a named notebook does not exist.
    """
    folder = Path(folder)
    if notebooks is None:
        paths = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        if not paths:
            raise ValueError(f"folder must hold .ipynb notebooks, got {str(folder)!r} with none")
    else:
        paths = [_resolve(n, folder) for n in notebooks]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        t0 = time.perf_counter()
        nb = execute(path, timeout_s=timeout_s)
        page = to_html(nb, show_code=show_code, folder=path.parent)
        target = out / f"{path.stem}.html"
        target.write_text(page, encoding="utf-8")
        warnings = tuple(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                         if o.get("output_type") == "stream" and o.get("name") == "stderr")
        done = Handout(notebook=path, path=target, seconds=time.perf_counter() - t0, warnings=warnings)
        written.append(done)
        if log is not None:
            log(f"{target}  {done.seconds:5.1f} s" + (f"  ({len(warnings)} warning output(s))" if warnings else ""))
            for text in warnings:
                log("  warning: " + text.strip().replace("\n", "\n  "))
    (out / "index.html").write_text(_index(written), encoding="utf-8")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python3 -m helpers.handout [--out handouts/] [--show-code] [NOTEBOOK ...]``.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status (0 when every handout was written).
    """
    parser = argparse.ArgumentParser(prog="python3 -m helpers.handout",
                                     description="Execute every notebook and write HTML handouts (code hidden).")
    parser.add_argument("notebooks", nargs="*", help="notebook files or names (default: all in --notebooks)")
    parser.add_argument("--out", default="handouts", help="output folder (default: handouts/, not committed)")
    parser.add_argument("--notebooks", dest="folder", default="notebooks", help="notebook folder (default: notebooks/)")
    parser.add_argument("--show-code", action="store_true", help="keep the code cells")
    parser.add_argument("--timeout", type=float, default=600.0, help="longest time one cell may run, s")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    done = build(args.notebooks or None, args.out, folder=args.folder, show_code=args.show_code,
                 timeout_s=args.timeout)
    print(f"{len(done)} handouts in {time.perf_counter() - t0:.1f} s: {Path(args.out) / 'index.html'}")
    return 0


# ---- internals ---------------------------------------------------------------------------------------------
def _notebook_path(notebook) -> Path:
    path = Path(notebook)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"notebook must be an existing .ipynb file, got {str(notebook)!r}")
    return path


def _resolve(name, folder: Path) -> Path:
    path = Path(name)
    if path.is_file():
        return _notebook_path(path)
    candidate = folder / (path.name if path.suffix == ".ipynb" else f"{path.name}.ipynb")
    if not candidate.is_file():
        known = sorted(p.stem for p in folder.glob("*.ipynb"))
        raise ValueError(f"notebooks must name notebooks in {str(folder)!r}, got {str(name)!r}; "
                         f"choose from {known}")
    return candidate


def _without_widget_views(nb):
    """A copy in which outputs that carry a still copy lose the widget view (static pages cannot run it)."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and ("text/html" in data or "image/png" in data):
                del data[WIDGET_VIEW]
    nb.metadata.pop("widgets", None)
    return nb


_PICTURE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_PICTURE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                  ".svg": "image/svg+xml"}


def _attach_pictures(nb, folder: Path):
    """Turn pictures the text links from the collection (``../figures/x.png``) into cell attachments.

    nbconvert embeds only pictures inside the notebook's own folder; the start page shows figures from the
    folder beside it. Anything outside the collection's folder (the notebooks' parent) is left as a link.
    """
    base = folder.resolve().parent
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue

        def attach(match, cell=cell):
            alt, src = match.groups()
            target = (folder / src).resolve()
            mime = _PICTURE_TYPES.get(target.suffix.lower())
            if ":" in src or mime is None or not target.is_file() or base not in target.parents:
                return match.group(0)
            cell.setdefault("attachments", {})[target.name] = {
                mime: base64.b64encode(target.read_bytes()).decode("ascii")}
            return f"![{alt}](attachment:{target.name})"

        cell.source = _PICTURE.sub(attach, cell.source)
    return nb


def _first_heading(nb) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return None


def _index(handouts: Sequence[Handout]) -> str:
    items = "".join(f"<li><a href='{html.escape(h.path.name)}'>{html.escape(h.notebook.stem)}</a></li>"
                    for h in handouts)
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Handouts</title></head>"
            f"<body><h1>Ketamine and chronic pain: handouts</h1><ul>{items}</ul></body></html>")


if __name__ == "__main__":
    sys.exit(main())
