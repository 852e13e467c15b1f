"""Package-wide properties: no global state on import, one consistent reference list, valid presets,
style sheets that load, and the gallery CLI that rebuilds figures/ deterministically (also run by its old name,
``python -m helpers.export``)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

from helpers import _validate as v
from helpers import evidence, export, gallery, style

ROOT = Path(__file__).resolve().parents[1]


def test_import_changes_no_global_state():
    """Importing every module leaves rcParams, warning filters and numpy's global RNG untouched."""
    code = """
import warnings, numpy as np, matplotlib
import ipywidgets, PIL.Image  # third-party imports may add their own filters; we measure only ours
before = (dict(matplotlib.rcParams), list(warnings.filters), np.random.get_state()[1].tolist())
import helpers, helpers.panels, helpers.export, helpers.gallery, helpers.style, helpers.evidence
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


def _expected_files(names, exts=("png", "svg", "alt.txt")) -> set[str]:
    """The files the CLI writes for these canonical figures: each in the light and dark slide looks."""
    return {f"{name}_{theme}.{ext}" for name in names for theme in ("light", "dark") for ext in exts}


def _check_cli_stdout(stdout: str, out: Path, written: set[str], n_figures: int) -> None:
    """One ``wrote a, b, c in <out> (t s)`` line per figure and look, naming every file written, then a total."""
    lines = stdout.strip().splitlines()
    wrote = [line for line in lines if line.startswith("wrote ")]
    assert len(wrote) == 2 * n_figures, f"want one 'wrote' line per figure and theme, got:\n{stdout[-2000:]}"
    named = set()
    for line in wrote:
        assert f" in {out} (" in line, f"stdout line does not name the folder {out}: {line!r}"
        named |= set(line[len("wrote "):line.index(f" in {out} (")].split(", "))
    assert named == written, (f"stdout names {sorted(named - written)[:6]} not written, and omits "
                              f"{sorted(written - named)[:6]}")
    assert lines[-1].startswith(f"{len(written)} files for {n_figures} figures in {out}"), lines[-1]


def test_export_cli_is_deterministic_and_matches_committed_figures(tmp_path):
    """`python -m helpers.gallery` writes every canonical figure in both themes, and nothing else; names each file
    on stdout; is byte-identical on a rerun under its old name `python -m helpers.export`; and figures/ holds
    exactly the gallery's files (none missing, no extras left from renamed or removed figures) with the same alt
    text (so the committed figures are never stale)."""
    out = tmp_path / "all"
    cmd = [sys.executable, "-m", "helpers.gallery", "--out", str(out)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    names = gallery.figures()
    expected = _expected_files(names)
    files = {p.name for p in out.iterdir()}
    assert files == expected, f"missing {sorted(expected - files)[:6]}, unexpected {sorted(files - expected)[:6]}"
    _check_cli_stdout(first.stdout, out, expected, len(names))
    snapshot = {p.name: p.read_bytes() for p in out.iterdir()}
    # Determinism: a second build of a few figures (one of each kind), through the old command name, is
    # byte-identical.
    few = ["pk_models", "pathway_overview", "nmda_iv_curve"]
    again_dir = tmp_path / "again"
    again = subprocess.run([sys.executable, "-m", "helpers.export", "--out", str(again_dir), "--only", *few],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    rebuilt = {p.name: p.read_bytes() for p in again_dir.iterdir()}
    assert set(rebuilt) == _expected_files(few)
    _check_cli_stdout(again.stdout, again_dir, set(rebuilt), len(few))
    differ = sorted(n for n, data in rebuilt.items() if snapshot[n] != data)
    assert not differ, f"export is not deterministic: {differ}"
    # figures/ must hold exactly these files, with the same alt text (which carries the model's numbers).
    # Pixels are not compared: they may shift with the matplotlib/FreeType version on another machine.
    problems = _figures_folder_problems(ROOT / "figures", snapshot)
    assert not problems, "\n".join(problems)


def _figures_folder_problems(folder: Path, built: dict[str, bytes]) -> list[str]:
    """How ``folder`` differs from a fresh build: files missing, files the registry no longer makes (left from a
    renamed or removed figure), and alt texts that differ (they carry the model's numbers)."""
    held = {p.name for p in folder.iterdir()}
    missing, extra = sorted(set(built) - held), sorted(held - set(built))
    problems = []
    if missing:
        problems.append(f"{folder.name}/ lacks {len(missing)} files; run `python -m helpers.gallery`: {missing}")
    if extra:
        problems.append(f"{folder.name}/ holds {len(extra)} files no canonical figure makes; delete them: {extra}")
    stale = sorted(n for n in set(built) & held if n.endswith(".alt.txt") and (folder / n).read_bytes() != built[n])
    if stale:
        problems.append(f"{folder.name}/ is stale, {len(stale)} alt texts differ from a fresh build; "
                        f"run `python -m helpers.gallery`: {stale}")
    return problems


def test_cli_output_checks_fail_on_wrong_output(tmp_path):
    """The checks above report a folder with a file missing, an extra file and a changed alt text, and a stdout
    that omits a file, names the wrong folder or gets the total wrong."""
    built = {"a_light.png": b"p", "a_light.alt.txt": b"alt\n", "a_dark.png": b"p"}
    folder = tmp_path / "figures"
    folder.mkdir()
    (folder / "a_light.png").write_bytes(b"p")
    (folder / "a_light.alt.txt").write_bytes(b"old alt\n")
    (folder / "old_light.png").write_bytes(b"p")
    problems = "\n".join(_figures_folder_problems(folder, built))
    assert "lacks 1 files" in problems and "a_dark.png" in problems
    assert "old_light.png" in problems and "a_light.alt.txt" in problems
    (folder / "a_light.alt.txt").write_bytes(b"alt\n")
    (folder / "a_dark.png").write_bytes(b"p")
    (folder / "old_light.png").unlink()
    assert _figures_folder_problems(folder, built) == []
    out, written = Path("/x"), {"a_light.png", "a_light.svg", "a_dark.png", "a_dark.svg"}
    good = ("wrote a_light.png, a_light.svg in /x (0.50 s)\nwrote a_dark.png, a_dark.svg in /x (0.40 s)\n"
            "4 files for 1 figures in /x\n")
    _check_cli_stdout(good, out, written, 1)
    for bad, pattern in ((good.replace("a_dark.svg in", "in"), "omits"), (good.replace("in /x (0.4", "in /y (0.4"),
                         "folder"), (good.replace("4 files", "3 files"), "3 files"),
                         (good.replace("wrote a_dark", "skipped a_dark"), "one 'wrote' line")):
        with pytest.raises(AssertionError, match=pattern):
            _check_cli_stdout(bad, out, written, 1)


def test_export_cli_pdf_is_valid_and_deterministic(tmp_path):
    """`--pdf --only <one figure>` adds a PDF per theme (valid header and trailer, the alt text as its Subject),
    writes only that figure, names each file on stdout, and two runs into fresh folders are byte-identical."""
    from test_panels import _pdf_info  # the PDF Info reader, checked against matplotlib there

    name = "pk_models"  # a cheap figure (about 1 s per theme)
    runs = []
    for run in ("first", "second"):
        out = tmp_path / run
        res = subprocess.run([sys.executable, "-m", "helpers.gallery", "--out", str(out), "--pdf", "--only", name],
                             capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
        files = {p.name: p.read_bytes() for p in out.iterdir()}
        expected = _expected_files([name], ("png", "svg", "pdf", "alt.txt"))
        assert set(files) == expected, f"--pdf wrote {sorted(files)}, want {sorted(expected)}"
        _check_cli_stdout(res.stdout, out, expected, 1)
        runs.append(files)
    differ = sorted(n for n in runs[0] if runs[0][n] != runs[1][n])
    assert not differ, f"two runs of the CLI differ in {differ}"
    for theme in ("light", "dark"):
        pdf = runs[0][f"{name}_{theme}.pdf"]
        assert pdf[:5] == b"%PDF-" and pdf.rstrip().endswith(b"%%EOF"), f"{name}_{theme}.pdf is not a whole PDF"
        alt = runs[0][f"{name}_{theme}.alt.txt"].decode("utf-8").strip()
        assert len(alt) > 40
        assert _pdf_info(pdf, "Subject").strip() == alt, f"{name}_{theme}.pdf: Subject is not the alt text"
        assert _pdf_info(pdf, "Title") == f"{name}_{theme}"
        assert b"/CreationDate" not in pdf, "a creation date makes the PDF differ on every run"


def test_export_cli_rejects_unknown_figures_and_lists_all(tmp_path):
    """`--only` with an unknown name fails (exit 2) naming it and writes nothing; `--list` names every figure."""
    out = tmp_path / "none"
    bad = subprocess.run([sys.executable, "-m", "helpers.export", "--out", str(out), "--only", "no_such_figure"],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 2 and "no_such_figure" in bad.stderr, (bad.returncode, bad.stderr[-1000:])
    assert not out.exists(), "a rejected command wrote files"
    listed = subprocess.run([sys.executable, "-m", "helpers.gallery", "--list"], capture_output=True, text=True,
                            timeout=600)
    assert listed.returncode == 0, listed.stderr[-2000:]
    shown = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    assert shown == set(gallery.figures())


def test_every_canonical_figure_belongs_to_a_notebook():
    """Each registered figure names the notebook it illustrates, and that notebook exists."""
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    orphans = {n: c.notebook for n, c in gallery.figures().items() if c.notebook not in notebooks}
    assert not orphans, f"canonical figures name notebooks that do not exist: {orphans}"


def test_gallery_entries_name_real_panels_and_notebooks():
    """Every gallery entry has a unique file-safe name, names a panel class that exists (a key of its topic's
    PANELS, or the schematic class), a preset that panel has, and only keyword arguments it takes; the schematic
    figures keep their published ``pathway_`` names."""
    import inspect
    import re

    from helpers.panels.schematic import STORIES

    names = [f.name for f in gallery.FIGURES]
    assert len(names) == len(set(names)), "duplicate figure names"
    assert all(re.fullmatch(r"[a-z0-9_]+", n) for n in names), names
    for fig in gallery.FIGURES:
        cls = gallery._panel_class(fig.panel)
        if fig.preset is not None:
            assert fig.preset in evidence.presets(cls.name), f"{fig.name}: {cls.__name__} has no preset {fig.preset!r}"
        allowed = set(inspect.signature(cls.__init__).parameters) - {"self", "values"}
        if fig.values and "values" in inspect.signature(cls.__init__).parameters:  # a Panel's **values: controls
            allowed |= set(fig.make_panel("notebook").controls)
        assert {k for k, _v in fig.values} <= allowed, f"{fig.name}: {fig.values} not arguments of {cls.__name__}"
    assert {n for n in names if n.startswith("pathway_")} == {f"pathway_{s}" for s in STORIES}


@pytest.mark.parametrize("spec", ["pk.no_such_panel", "no_such_topic.x"])
def test_gallery_rejects_unknown_panels_and_figures(spec):
    """A gallery entry naming a panel that does not exist fails when built, naming the panel; build() and the
    figure table reject unknown names with a ValueError naming the parameter."""
    with pytest.raises((ValueError, ModuleNotFoundError), match="panel|no_such_topic"):
        gallery.CanonicalFigure("x", spec, "caption", "00_start_here").make_panel("notebook")
    with pytest.raises(ValueError, match="name"):
        gallery.build("no_such_figure")
    with pytest.raises(ValueError, match="look"):
        gallery.FIGURES[0].make_panel("poster")
