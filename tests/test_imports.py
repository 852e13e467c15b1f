"""The import graph of ``helpers``: layers import only downward, there are no cycles, importing changes nothing.

The graph is read from the source with ``ast`` (no module is imported to build it), so it sees imports inside
functions too: a lazy import is still a dependency. Imports under ``if __name__ == "__main__":`` are left out:
that block runs only when the file is executed as a script, where the module is ``__main__`` and not the
``helpers`` module it would otherwise close a loop with (``python -m helpers.export`` runs the gallery's CLI).
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "helpers"

#: Layer rules: modules under the key may import none of these (helpers modules or third-party packages).
FORBIDDEN = {
    "helpers.models": ("helpers.plots", "helpers.panels", "helpers.export", "helpers.gallery", "matplotlib",
                       "ipywidgets"),
    "helpers.plots": ("helpers.panels", "helpers.models"),
}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_main_guard(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def _imports(tree: ast.Module, module: str, is_package: bool, known: set[str]) -> set[str]:
    """Absolute names a module imports: helpers modules resolved (``from . import x`` -> ``helpers.x`` when x is
    a module), third-party names as written."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if _is_main_guard(child):
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[:len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                subs = [f"{target}.{a.name}" for a in child.names if f"{target}.{a.name}" in known]
                found.update(subs)
                if len(subs) < len(child.names):  # some names are attributes of the target itself
                    found.add(target)
            visit(child)

    visit(tree)
    return found


def import_graph(root: Path = SRC, package: str = PACKAGE) -> dict[str, set[str]]:
    """``{module: every name it imports}`` for each module of ``package`` under ``root``."""
    files = {_module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}
    known = set(files)
    return {name: _imports(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", known)
            for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (or a module importing itself), among the
    graph's own modules (Tarjan's algorithm)."""
    nodes = set(graph)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v] & nodes):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph[v]:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            strongconnect(v)
    return out


def layer_violations(graph: dict[str, set[str]], rules=FORBIDDEN) -> list[str]:
    """``"a imports b"`` for every import a layer rule forbids."""
    out = []
    for module, imported in sorted(graph.items()):
        for layer, banned in rules.items():
            if module == layer or module.startswith(layer + "."):
                out += [f"{module} imports {name}" for name in sorted(imported)
                        if any(name == b or name.startswith(b + ".") for b in banned)]
    return out


GRAPH = import_graph()


def test_graph_sees_every_module_and_the_known_edges():
    """The parser finds the package's modules and edges it must see (relative, ``from . import x`` and lazy
    imports), so the checks below are not vacuous."""
    assert {"helpers", "helpers.export", "helpers.gallery", "helpers.panels", "helpers.panels._base",
            "helpers.plots.schematic", "helpers.models.pathway"} <= set(GRAPH)
    assert "helpers.export" in GRAPH["helpers.panels._base"]          # from .. import evidence, export, style
    assert "helpers._validate" in GRAPH["helpers.export"]             # from . import _validate as v
    assert "helpers.panels._render" in GRAPH["helpers.panels._base"]  # from ._render import Renderer
    assert "matplotlib" in GRAPH["helpers.plots.schematic"]


def test_no_import_cycles():
    """No helpers module imports, directly or through others, a module that imports it back."""
    found = cycles(GRAPH)
    assert not found, "import cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_models_import_no_plots_panels_export_gallery_or_gui():
    """The models are pure numpy: nothing from plots, panels, export, the gallery, matplotlib or ipywidgets."""
    bad = [v for v in layer_violations(GRAPH) if v.startswith("helpers.models")]
    assert not bad, "\n".join(bad)


def test_plots_import_no_panels_or_models():
    """A plot function draws what it is given: plots import nothing from panels or models."""
    bad = [v for v in layer_violations(GRAPH) if v.startswith("helpers.plots")]
    if bad == ["helpers.plots.pk imports helpers.models.pk"]:
        pytest.xfail("plots/pk.py still imports model constants from models.pk for its legend labels (being "
                     "removed by the PK helper: the labels are to come in as arguments)")
    assert not bad, "\n".join(bad)


def test_checks_catch_a_cycle_and_a_layer_breach(tmp_path):
    """The same parser and checks on a small synthetic package with a cycle through a lazy relative import and
    a model that imports matplotlib and a panel: both are reported, and a ``__main__`` block is ignored."""
    pkg = tmp_path / "helpers"
    (pkg / "models").mkdir(parents=True)
    (pkg / "panels").mkdir()
    files = {
        "__init__.py": "",
        "export.py": "from . import style\nif __name__ == '__main__':\n    from . import gallery\n",
        "gallery.py": "from . import export\nfrom .panels import base\n",
        "style.py": "def f():\n    from .panels import base\n",
        "panels/__init__.py": "",
        "panels/base.py": "from .. import style\n",
        "models/__init__.py": "",
        "models/m.py": "import matplotlib.pyplot as plt\nfrom ..panels.base import X\n",
    }
    for rel, text in files.items():
        (pkg / rel).write_text(text)
    graph = import_graph(tmp_path, "helpers")
    assert "helpers.gallery" not in graph["helpers.export"]
    assert cycles(graph) == [["helpers.panels.base", "helpers.style"]]
    assert layer_violations(graph) == ["helpers.models.m imports helpers.panels.base",
                                       "helpers.models.m imports matplotlib.pyplot"]


def _all_module_names() -> list[str]:
    return sorted(GRAPH)


def test_importing_everything_changes_no_global_state_and_registers_nothing():
    """Importing helpers and every submodule, in a fresh interpreter, leaves rcParams, the colormap and style
    registries, matplotlib's unit converters, warning filters and numpy's global RNG as they were, and the
    canonical figure table is the same before and after every panel module is imported (no registration as a
    side effect)."""
    modules = [m for m in _all_module_names() if not m.endswith("__main__")]
    code = f"""
import importlib, warnings, numpy as np, matplotlib, matplotlib.style, matplotlib.units
import ipywidgets, PIL.Image  # third-party imports may add their own state; we measure only ours
def snap():
    return (dict(matplotlib.rcParams), sorted(matplotlib.colormaps), sorted(matplotlib.style.library),
            dict(matplotlib.units.registry), list(warnings.filters), np.random.get_state()[1].tolist())
before = snap()
import helpers.gallery
table = helpers.gallery.FIGURES
n_figures = len(table)
for name in {modules!r}:
    importlib.import_module(name)
after = snap()
labels = ["rcParams", "colormaps", "style library", "unit converters", "warning filters", "numpy RNG"]
changed = [label for label, a, b in zip(labels, before, after) if a != b]
assert not changed, changed
assert helpers.gallery.FIGURES is table and len(helpers.gallery.FIGURES) == n_figures  # nothing registered
print("clean")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "clean" in out.stdout, out.stderr[-2000:]


def _module_level_calls(tree: ast.Module):
    """Calls and decorators that run when a module is imported (not inside a function or class body)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from (d for d in node.decorator_list)
            continue
        if _is_main_guard(node):
            continue
        yield from (n for n in ast.walk(node) if isinstance(n, ast.Call))


@pytest.mark.parametrize("module", _all_module_names())
def test_no_module_registers_anything_on_import(module):
    """No module calls a ``register``-like function or decorator at import time: the figure table is data in
    ``helpers.gallery``, and panels are listed by their module's ``PANELS`` dict."""
    path = SRC / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in _module_level_calls(tree):
        func = node.func if isinstance(node, ast.Call) else node
        while isinstance(func, ast.Call):
            func = func.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if "register" in name.lower():
            names.append(f"line {node.lineno}: {name}")
    assert not names, f"{module} registers at import: {names}"
