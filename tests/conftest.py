"""Shared test helpers: the notebooks' text, the data a figure plots, and fixtures over the panels.

The notebook-text tests compare numbers typed into the prose with the models; they all read the notebooks
through :func:`notebook_text` (or :func:`notebook_passages`), so "the text of a notebook" means one thing.
Import the helpers with ``from conftest import notebook_text`` (pytest puts ``tests/`` on the path).
"""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from helpers.panels import quiz_item

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
KINDS = ("markdown", "code", "all", "selfcheck")


def _path(name: str) -> Path:
    """A notebook by file name or stem (``"01_nmda_receptor_blockade"`` or ``"...ipynb"``)."""
    path = NOTEBOOKS_DIR / (name if name.endswith(".ipynb") else f"{name}.ipynb")
    if not path.is_file():
        raise ValueError(f"name must be a notebook in {NOTEBOOKS_DIR}, got {name!r}")
    return path


@cache
def _cells(path: Path, mtime_ns: int) -> tuple[tuple[str, str], ...]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return tuple((c.cell_type, c.source) for c in nb.cells)


def notebook_cells(name: str, kind: str = "all") -> list[str]:
    """The source of each cell of one notebook, in order.

    Parameters
    ----------
    name : str
        File name or stem of a notebook in ``notebooks/``.
    kind : {"markdown", "code", "all", "selfcheck"}
        Which cells; "selfcheck" gives, for each ``self_check("key")`` cell, the stored question, options, hint
        and explanation (the text a student reads, kept in package data).

    Returns
    -------
    list of str
        One source string per cell (re-read when the file changes).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    path = _path(name)
    if kind == "selfcheck":
        return [_self_check_text(src) for cell_type, src in _cells(path, path.stat().st_mtime_ns)
                if cell_type == "code" and "self_check(" in src]
    return [src for cell_type, src in _cells(path, path.stat().st_mtime_ns) if kind == "all" or cell_type == kind]


def _self_check_text(src: str) -> str:
    texts = []
    for node in ast.walk(ast.parse(src)):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "self_check"
                and node.args and isinstance(node.args[0], ast.Constant)):
            q = quiz_item(node.args[0].value)
            texts.append(" | ".join(t for t in (q.question, *q.options, q.hint, q.explanation, *q.why_not) if t))
    return "\n".join(texts)


def notebook_text(name: str, kind: str = "markdown", *, flat: bool = False) -> str:
    """The text of one notebook: its cells of one kind joined by newlines.

    Parameters
    ----------
    name : str
        File name or stem of a notebook in ``notebooks/``.
    kind : {"markdown", "code", "all", "selfcheck"}
        Which cells (see :func:`notebook_cells`).
    flat : bool
        Collapse every run of whitespace (line breaks, list indentation) to one space, so a phrase is found
        wherever the text wraps.

    Returns
    -------
    str
        The concatenated text.
    """
    text = "\n".join(notebook_cells(name, kind))
    return re.sub(r"\s+", " ", text) if flat else text


def notebook_passages(name: str) -> list[str]:
    """The paragraphs and list items of a notebook's markdown, and the strings of its self-check calls.

    Parameters
    ----------
    name : str
        File name or stem of a notebook in ``notebooks/``.

    Returns
    -------
    list of str
        Each passage with its whitespace collapsed; a number checked "in the passage about X" must then sit in
        the same paragraph or list item as X. A code cell that calls ``quiz(`` gives one passage: its string
        literals joined by " | "; a ``self_check("key")`` cell gives the stored question, options, hint and
        explanation joined the same way.
    """
    path = _path(name)
    out = []
    for cell_type, src in _cells(path, path.stat().st_mtime_ns):
        if cell_type == "markdown":
            for block in re.split(r"\n\s*\n", src):
                out.extend(" ".join(p.split()) for p in re.split(r"\n(?=\s*- )", block) if p.strip())
        elif cell_type == "code" and "self_check(" in src:
            out.extend(" ".join(t.split()) for t in _self_check_text(src).split("\n"))
        elif cell_type == "code" and "quiz(" in src:
            strings = [n.value for n in ast.walk(ast.parse(src))
                       if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            out.append(" ".join(" | ".join(strings).split()))
    return out


def figure_arrays(fig) -> list[np.ndarray]:
    """Every plotted data array in a figure, for finiteness and range checks.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to read.

    Returns
    -------
    list of numpy.ndarray
        Line data, collection offsets and path vertices, image arrays and patch vertices, as floats.
    """
    out = []
    for ax in fig.axes:
        for line in ax.lines:
            out.append(np.asarray(line.get_xydata(), dtype=float))
        for coll in ax.collections:
            offs = coll.get_offsets()
            if len(offs):
                out.append(np.asarray(offs, dtype=float))
            for path in getattr(coll, "get_paths", list)():
                out.append(np.asarray(path.vertices, dtype=float))
        for img in ax.images:
            out.append(np.asarray(img.get_array(), dtype=float))
        for patch in ax.patches:
            out.append(np.asarray(patch.get_path().vertices, dtype=float))
    return out


@pytest.fixture(scope="session")
def panel_classes() -> dict[str, type]:
    """Every panel class, as ``helpers.panels.all_panels()`` lists it."""
    from helpers import panels

    return panels.all_panels()


@pytest.fixture
def no_figure_leak():
    """Fail a test that leaves pyplot figures open (panels draw on their own Agg figures, never on pyplot)."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    yield
    leaked = set(plt.get_fignums()) - before
    plt.close("all")
    assert not leaked, f"pyplot figures left open: {sorted(leaked)}"


def pytest_collection_modifyitems(config, items):
    """Keep the real-browser tests on one worker when the suite runs under pytest-xdist (``-n 2 --dist
    loadgroup``): each starts its own JupyterLab or Voila server and Chromium, and two of them at once on a 2-core
    machine only slow each other down, while the model and panel tests fill the other worker."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))
