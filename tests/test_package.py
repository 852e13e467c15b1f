"""Package-wide properties: no global state on import, one consistent reference list, valid presets,
style sheets that load, and the export CLI that rebuilds figures/ deterministically."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

from helpers import evidence, export, style
from helpers import _validate as v

ROOT = Path(__file__).resolve().parents[1]


def test_import_changes_no_global_state():
    """Importing every module leaves rcParams, warning filters and numpy's global RNG untouched."""
    code = """
import warnings, numpy as np, matplotlib
import ipywidgets, PIL.Image  # third-party imports may add their own filters; we measure only ours
before = (dict(matplotlib.rcParams), list(warnings.filters), np.random.get_state()[1].tolist())
import helpers, helpers.panels, helpers.export, helpers.style, helpers.evidence
helpers.panels.all_panels()
after = (dict(matplotlib.rcParams), list(warnings.filters), np.random.get_state()[1].tolist())
changed = [k for k in before[0] if before[0][k] != after[0][k]]
assert not changed, changed
assert before[1] == after[1], "warning filters changed"
assert before[2] == after[2], "numpy RNG state changed"
print("clean")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "clean" in out.stdout, out.stderr[-2000:]


@pytest.mark.parametrize("name", style.SHEETS)
def test_style_sheets_load_and_use_okabe_ito(name):
    """Every sheet parses, keeps SVG text as text, and cycles colour-blind-safe colours with line styles."""
    with style.context(name):
        rc = matplotlib.rcParams
        colours = [c.lower() for c in rc["axes.prop_cycle"].by_key()["color"]]
        styles = rc["axes.prop_cycle"].by_key()["linestyle"]
        assert rc["svg.fonttype"] == "none"
    okabe = {c.lower() for c in style.OKABE_ITO.values()} | {"#ffffff"}
    assert {"#" + c.lstrip("#") for c in colours} <= okabe
    assert len(set(styles)) == 4, "line styles must be redundant with colour"


def test_presenter_sheet_is_bigger_than_notebook():
    """The projector look has larger fonts and thicker lines."""
    sizes = {}
    for name in ("notebook", "presenter"):
        with style.context(name):
            sizes[name] = (matplotlib.rcParams["font.size"], matplotlib.rcParams["lines.linewidth"])
    assert sizes["presenter"][0] >= 1.4 * sizes["notebook"][0]
    assert sizes["presenter"][1] >= 1.4 * sizes["notebook"][1]


def test_references_are_unique_and_complete():
    """One reference list: keys unique across files, each entry with authors, year and title."""
    seen = {}
    for path in sorted((ROOT / "src/helpers/data/references").glob("*.json")):
        for key, ref in json.loads(path.read_text()).items():
            assert key not in seen, f"{key} defined in {seen.get(key)} and {path.name}"
            seen[key] = path.name
            assert ref["authors"] and ref["title"] and 1950 < int(ref["year"]) < 2030, key
    assert set(seen) == set(evidence.references())
    md = evidence.references_markdown()
    assert md.count("\n- ") + 1 == len(seen)


def test_every_reference_cited_in_a_notebook_exists():
    """Notebooks only name reference keys the package knows."""
    import re

    keys = set(evidence.references())
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        text = nb.read_text()
        for block in re.findall(r"references_markdown\(\[(.*?)\]", text, flags=re.S):
            for key in re.findall(r"[\"']([a-z0-9_]+)[\"']", block.replace('\\"', '"')):
                assert key in keys, f"{nb.name} cites unknown reference {key}"


def test_presets_cite_known_sources():
    """Every preset names a source in the reference list and a label for the dropdown."""
    refs = evidence.references()
    for panel, table in evidence._all_presets().items():
        for key, preset in table.items():
            assert preset["label"], (panel, key)
            assert preset["source"] in refs, f"preset {panel}.{key} cites unknown {preset['source']}"


@pytest.mark.parametrize("bad, pattern", [
    (dict(value=float("nan"), name="dose_mg"), "dose_mg"),
    (dict(value=-1, name="rate_mg_per_h"), "rate_mg_per_h"),
    (dict(value=True, name="weight_kg"), "weight_kg"),
    (dict(value="3", name="duration_h"), "duration_h"),
])
def test_validation_messages_name_parameter_and_value(bad, pattern):
    """The shared checks name the parameter and the value received."""
    with pytest.raises(ValueError, match=pattern):
        v.positive(bad["value"], bad["name"])


def test_time_array_rejections():
    """Empty, 2-D, NaN and unsorted time arrays are rejected with the parameter named."""
    for bad in ([], [[0, 1]], [0, float("nan")], [0, 2, 1]):
        with pytest.raises(ValueError, match="t_h"):
            v.time_array(bad)


def test_save_figure_rejects_bad_input(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.6, 5.4))
    with pytest.raises(ValueError, match="formats"):
        export.save_figure(fig, tmp_path, "x", formats=("gif",))
    with pytest.raises(ValueError, match="stem"):
        export.save_figure(fig, tmp_path, "../escape")
    with pytest.raises(ValueError, match="16:9"):
        export.save_figure(Figure(figsize=(4, 4)), tmp_path, "square")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="folder"):
        export.save_figure(fig, tmp_path / "file", "x")


def test_export_cli_is_deterministic_and_matches_committed_figures(tmp_path):
    """`python -m helpers.export` writes every canonical figure in both themes, byte-identical on a rerun,
    and identical to what is committed in figures/ (so the committed figures are never stale)."""
    cmd = [sys.executable, "-m", "helpers.export", "--out", str(tmp_path)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    names = export.canonical_figures()
    files = sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        for theme in ("light", "dark"):
            for ext in ("png", "svg", "alt.txt"):
                assert f"{name}_{theme}.{ext}" in files
    snapshot = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    # Determinism: a second build of a few figures (one of each kind) is byte-identical.
    few = ["pk_models", "pathway_overview", "nmda_iv_curve"]
    again_dir = tmp_path.parent / (tmp_path.name + "_again")
    again = subprocess.run([sys.executable, "-m", "helpers.export", "--out", str(again_dir), "--only", *few],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    rebuilt = {p.name: p.read_bytes() for p in again_dir.iterdir()}
    assert len(rebuilt) == len(few) * 2 * 3
    assert all(snapshot[n] == data for n, data in rebuilt.items()), "export is not deterministic"
    # figures/ must hold exactly these files, with the same alt text (which carries the model's numbers).
    # Pixels are not compared: they may shift with the matplotlib/FreeType version on another machine.
    committed = ROOT / "figures"
    missing = sorted(n for n in snapshot if not (committed / n).exists())
    assert not missing, f"figures/ is stale; run `python -m helpers.export`: missing {missing[:6]}"
    stale = [n for n, data in snapshot.items() if n.endswith(".alt.txt") and (committed / n).read_bytes() != data]
    assert not stale, f"figures/ is stale; run `python -m helpers.export`: {stale[:6]}"
