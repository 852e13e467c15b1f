"""Every notebook runs top to bottom on a fresh kernel with warnings as errors, and is committed clean.

Execution uses nbclient with a first cell that turns every warning into an error, in a copy of the
notebook (the committed file is never written). The structure checks hold each notebook to the house
pattern: disclaimer, learning objectives, predict-then-explore, what the model leaves out, self-checks,
references rendered from the package's single reference list.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]


def _source(nb, kind=None) -> str:
    return "\n".join(c.source for c in nb.cells if kind is None or c.cell_type == kind)


def test_the_collection_is_there():
    """The notebooks the README map promises exist."""
    expected = {"00_start_here.ipynb", "01_nmda_receptor_blockade.ipynb", "02_central_sensitization.ipynb",
                "03_descending_inhibition.ipynb", "04_ketamine_pharmacokinetics.ipynb"}
    assert expected <= set(NAMES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_committed_without_outputs(path):
    """Outputs are never committed: they bloat diffs and go stale."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_house_pattern(path):
    """Disclaimer, objectives, predict/notice, leaves-out, evidence labels, self-checks and references."""
    nb = nbformat.read(path, as_version=4)
    md = _source(nb, "markdown").lower()
    code = _source(nb, "code")
    assert "not dosing advice" in md, "disclaimer missing"
    for phrase in ("learning objectives", "predict", "what to notice", "cited", "assumed", "illustrative",
                   "references"):
        assert phrase in md, f"{path.name}: no '{phrase}' section"
    leaves_out = "what this collection leaves out" if path.name.startswith("00") else "what this model leaves out"
    assert leaves_out in md, f"{path.name}: no '{leaves_out}' section"
    assert len(re.findall(r"\bquiz\(", code)) >= 2, f"{path.name}: fewer than two self-check questions"
    assert "references_markdown" in code, f"{path.name}: references not rendered from the package list"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_executes_on_fresh_kernel_with_warnings_as_errors(path):
    """Run all cells on a fresh kernel; any exception or warning fails the test."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import warnings\nwarnings.simplefilter('error')"))
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: {out.get('ename')}: {out.get('evalue')}"
            if out.output_type == "stream" and out.name == "stderr":
                raise AssertionError(f"{path.name} wrote to stderr: {out.text[:500]}")
