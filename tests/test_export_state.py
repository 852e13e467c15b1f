"""Export that reaches the user, safely in an app, and the shareable state every panel carries.

Issue 10 (points 4 and 5) and issue 11 (point 6): the Export button offers every file as a download link (so it
reaches a laptop when the kernel runs on a server) and writes personal exports to ``exports/`` beside the
notebook; in served mode (Voilà, ``HELPERS_SERVED=1``) there is no folder field, no folder is accepted and nothing
is written on the server; no status line shows an absolute path; ``panel.state`` rebuilds the same figure, in
Python, from the PNG/SVG metadata and through the figure CLI.
"""
from __future__ import annotations

import base64
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets as W
import numpy as np
import pytest
from conftest import figure_arrays
from PIL import Image

from helpers import export, gallery, panels
from helpers.panels import receptor, schematic

ALL = panels.all_panels()
LINK = re.compile(r'<a download="([^"]+)" href="data:([^;"]+)(?:;charset=utf-8)?;base64,([A-Za-z0-9+/=]*)">')


@pytest.fixture
def lab(monkeypatch, tmp_path):
    """JupyterLab mode, run from a notebook folder of its own (tmp_path), with no Voilà variables around."""
    for key in ("VOILA_KERNEL_ID", "SERVER_SOFTWARE", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_APP_PORT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv(export.SERVED_ENV, "0")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def app(monkeypatch, tmp_path):
    """Served mode as Voilà sets it up in the kernel (its own variable, not our override), run from tmp_path."""
    monkeypatch.delenv(export.SERVED_ENV, raising=False)
    monkeypatch.setenv("VOILA_KERNEL_ID", "0b9d5c1e-test")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _links(status_html: str) -> dict[str, tuple[str, bytes]]:
    """The download links in a status line: file name to (MIME type, decoded bytes)."""
    return {name: (mime, base64.b64decode(data)) for name, mime, data in LINK.findall(status_html)}


def _widgets(widget):
    """Every widget in a panel's tree."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _widgets(child)


def _no_absolute_path(text: str, *roots: Path) -> None:
    for root in roots:
        for form in {str(root), str(root.resolve())}:
            assert form not in text, f"status shows the absolute path {form!r}: {text[:300]!r}"
    assert not re.search(r"(?<![\w.])/(tmp|root|home|usr|work|var)/", text), f"status shows an absolute path: {text!r}"


# ---- export that reaches the user ------------------------------------------------------------------------
def test_download_links_carry_exactly_the_bytes_written(lab):
    """After Export the status line holds one download link per file written, with the right MIME type and the
    same bytes as the file on disk; the files land in exports/ beside the notebook, shown as 'exports'."""
    panel = receptor.iv_curve()
    assert panel._folder.value == "exports", f"folder field shows {panel._folder.value!r}, want 'exports'"
    paths = panel.export(formats=("png", "svg", "pdf"))
    assert {p.parent for p in paths} == {(lab / "exports").resolve()}
    links = _links(panel._status.value)
    assert sorted(links) == sorted(p.name for p in paths), (sorted(links), [p.name for p in paths])
    want_mime = {".png": "image/png", ".svg": "image/svg+xml", ".pdf": "application/pdf", ".txt": "text/plain",
                 ".json": "application/json"}
    for path in paths:
        mime, data = links[path.name]
        assert data == path.read_bytes(), f"download of {path.name} differs from the file written"
        assert mime == want_mime[path.suffix], f"{path.name} offered as {mime}"
    assert panel.downloads == {p.name: p.read_bytes() for p in paths}
    assert "<code>exports</code>" in panel._status.value
    _no_absolute_path(panel._status.value, lab)


def test_status_sits_next_to_the_button_and_shows_a_busy_state(lab):
    """The result line shares the Export button's row (not 500 px below); while exporting the button is disabled
    and reads 'Exporting…', and afterwards it is enabled again."""
    panel = receptor.iv_curve()
    def chain(target, node=panel.widget, path=()):
        if node is target:
            return path + (node,)
        for child in getattr(node, "children", ()):
            found = chain(target, child, path + (node,))
            if found:
                return found
        return None

    shared = [a for a, b in zip(chain(panel._export), chain(panel._status), strict=False) if a is b]
    assert shared[-1] is not panel.widget, "the export result is not in the Export button's row"
    assert panel._status not in panel.widget.children, "the export result is still at the bottom of the panel"
    seen = []
    panel._export.observe(lambda ch: seen.append((ch["name"], ch["new"])), names=["disabled", "description"])
    statuses = []
    panel._status.observe(lambda ch: statuses.append(ch["new"]), names="value")
    panel._export.click()
    assert ("disabled", True) in seen and ("description", "Exporting…") in seen, seen
    assert seen.index(("disabled", True)) < seen.index(("disabled", False)), seen
    assert not panel._export.disabled and panel._export.description == "Export"
    assert "Exporting" in statuses[0] and statuses[-1].startswith("<span role='status'") and "Saved" in statuses[-1]
    assert len(list((lab / "exports").glob("*.png"))) == 1


def test_no_status_line_shows_an_absolute_path(lab, tmp_path_factory):
    """A folder typed as an absolute path (JupyterLab: allowed) is shown relative to the notebook; so are the
    failures: a folder that is a file (ValueError) and one that cannot be made (an OS error naming the path)."""
    panel = receptor.iv_curve()
    elsewhere = tmp_path_factory.mktemp("slides")
    panel._folder.value = str(elsewhere)
    paths = panel.export(formats=("png",))
    assert paths[0].parent == elsewhere.resolve()
    _no_absolute_path(panel._status.value, lab, elsewhere)
    (lab / "afile").write_text("x")
    with pytest.raises(ValueError, match="folder must be a directory"):
        panel.export(lab / "afile", formats=("png",))
    assert "Export failed" in panel._status.value and "afile" in panel._status.value
    _no_absolute_path(panel._status.value, lab)
    with pytest.raises(OSError):
        panel.export(lab / "afile" / "below", formats=("png",))
    assert "Export failed" in panel._status.value
    _no_absolute_path(panel._status.value, lab)
    assert not panel._export.disabled, "a failed export left the button disabled"


def test_lab_mode_allows_any_folder_but_a_file():
    """In JupyterLab the user owns the kernel: relative folders resolve against the notebook folder, absolute ones
    are taken as they are; only an existing file or an empty name is refused, naming the parameter."""
    here = Path.cwd()
    assert export.resolve_folder("sub/dir", served_mode=False) == (here / "sub/dir").resolve()
    assert export.resolve_folder("/", served_mode=False) == Path("/")
    for bad in ("", "   ", 3, None):
        with pytest.raises(ValueError, match="folder must be a non-empty path"):
            export.resolve_folder(bad, served_mode=False)
    assert export.display_path(here / "exports") == "exports"
    assert export.display_path(here.parent / "x") == str(Path("..") / "x")


# ---- served mode -----------------------------------------------------------------------------------------
def test_served_mode_is_detected_from_voila_and_the_override():
    """Voilà's kernel variables switch served mode on; HELPERS_SERVED forces it either way; JupyterLab (none of
    them) is not served; a garbled override is refused naming the variable."""
    assert not export.served({})
    assert not export.served({"JPY_SESSION_NAME": "x.ipynb", "JUPYTERHUB_USER": "me"})  # a hub user owns it
    assert export.served({"VOILA_KERNEL_ID": "abc"})
    assert export.served({"SERVER_SOFTWARE": "voila/0.5.13"})
    assert export.served({"VOILA_BASE_URL": "/"})
    assert not export.served({"SERVER_SOFTWARE": "nginx"})
    assert export.served({"HELPERS_SERVED": "1"}) and export.served({"HELPERS_SERVED": "yes"})
    assert not export.served({"HELPERS_SERVED": "0", "VOILA_KERNEL_ID": "abc"})
    with pytest.raises(ValueError, match="HELPERS_SERVED"):
        export.served({"HELPERS_SERVED": "maybe"})


def test_served_mode_has_no_folder_field_and_writes_nothing(app):
    """In the app: no 'Export to' field anywhere in the panel; Export writes no file on the server (the notebook
    folder stays empty) yet offers every file as a download, state included; a folder passed from code is
    refused with a ValueError naming it and the status line shows the refusal without any path of the server."""
    panel = receptor.iv_curve()
    texts = [w for w in _widgets(panel.widget) if isinstance(w, W.Text)]
    assert not texts, f"served mode shows text fields {[t.description for t in texts]}"
    assert panel._export in list(_widgets(panel.widget))
    assert panel.export() == []
    assert list(app.iterdir()) == [], f"served mode wrote {list(app.iterdir())}"
    links = _links(panel._status.value)
    stem = next(iter(links)).rsplit(".", 1)[0]
    assert sorted(links) == sorted(f"{stem}.{e}" for e in ("png", "svg", "pdf", "alt.txt", "state.json"))
    assert json.loads(links[f"{stem}.state.json"][1]) == panel.state
    _no_absolute_path(panel._status.value, app)
    for folder in ("/tmp/anywhere", "exports", app / "x", "../.."):
        with pytest.raises(ValueError, match="folder cannot be chosen"):
            panel.export(folder)
        assert "Export failed" in panel._status.value
        _no_absolute_path(panel._status.value, app)
    assert list(app.iterdir()) == [], "a refused export wrote files"
    assert not Path("/tmp/anywhere").exists()


# ---- shareable state -------------------------------------------------------------------------------------
def _move_all(panel, seed: int) -> dict:
    """Random values a student could set on every control (off-grid floats included), applied in one update."""
    rng = random.Random(seed)
    values = {}
    for name, widget in panel.controls.items():
        if isinstance(widget, W.FloatLogSlider):
            values[name] = widget.base ** rng.uniform(widget.min, widget.max)
        elif isinstance(widget, W.FloatSlider):
            values[name] = rng.uniform(widget.min, widget.max)
        elif isinstance(widget, W.IntSlider):
            values[name] = rng.randint(widget.min, widget.max)
        elif isinstance(widget, (W.SelectionSlider, W.Dropdown, W.RadioButtons, W.ToggleButtons)):
            values[name] = rng.choice([o[1] if isinstance(o, tuple) else o for o in widget.options])
        elif isinstance(widget, (W.Checkbox, W.ToggleButton)):
            values[name] = not widget.value
    panel.set(**values)
    return values


def _drawn_arrays(fig) -> list[np.ndarray]:
    """The data arrays of the artists actually drawn (an invisible marker may keep stale data: it shows nothing)."""
    arrays = []
    for ax in fig.axes:
        if ax.get_visible():
            shown = [x for x in (*ax.lines, *ax.collections, *ax.images, *ax.patches) if x.get_visible()]
            arrays += _arrays_of(ax, shown)
    return arrays


def _arrays_of(ax, artists) -> list[np.ndarray]:
    out = []
    for artist in artists:
        if artist in ax.lines:
            out.append(np.asarray(artist.get_xydata(), dtype=float))
        elif artist in ax.collections:
            offs = artist.get_offsets()
            if len(offs):
                out.append(np.asarray(offs, dtype=float))
            out += [np.asarray(p.vertices, dtype=float) for p in getattr(artist, "get_paths", list)()]
        elif artist in ax.images:
            out.append(np.asarray(artist.get_array(), dtype=float))
        else:
            out.append(np.asarray(artist.get_path().vertices, dtype=float))
    return out


def _same_figure(a, b, context: str) -> None:
    """Same drawn data, same axis limits and the same description."""
    assert len(figure_arrays(a.figure)) == len(figure_arrays(b.figure)), f"{context}: different artists"
    fa, fb = _drawn_arrays(a.figure), _drawn_arrays(b.figure)
    assert len(fa) == len(fb), f"{context}: {len(fa)} vs {len(fb)} data arrays"
    for i, (x, y) in enumerate(zip(fa, fb, strict=True)):
        assert x.shape == y.shape and np.array_equal(x, y, equal_nan=True), f"{context}: data array {i} differs"
    assert a.description == b.description, f"{context}: descriptions differ"
    # Axis limits too; pixels are not compared: constrained layout iterates from the previous layout, so the
    # axes may sit 1e-4 of the figure apart after a different history, with the same data and limits.
    for i, (x, y) in enumerate(zip(a.figure.axes, b.figure.axes, strict=True)):
        assert x.get_xlim() == y.get_xlim() and x.get_ylim() == y.get_ylim(), f"{context}: axes {i} limits differ"


@pytest.mark.parametrize("key", sorted(ALL))
def test_state_round_trip_reproduces_the_figure(key):
    """For every panel: after moving every control, ``cls(state=json(panel.state))`` draws the same data and the
    same description, reports the same state, and its Reset returns to that state (the opening case it was made
    with); a preset's state keeps the preset. The state survives JSON unchanged."""
    cls = ALL[key]
    panel = cls()
    _move_all(panel, seed=sum(map(ord, key)))
    state = panel.state
    assert state["panel"] == key and state["preset"] == "" and set(state["values"]) == set(panel.controls)
    assert json.loads(export.state_json(state)) == state, f"{key}: state is not JSON-exact"
    again = cls(state=json.loads(export.state_json(state)))
    _same_figure(panel, again, key)
    assert again.state == state
    again.set(**_move_all(cls(), seed=7))
    again.reset()
    _same_figure(panel, again, f"{key} after Reset")
    table = panel._table
    if table:
        first = next(iter(table))
        preset_panel = cls(preset=first)
        from_state = cls(state=preset_panel.state)
        assert from_state.state["preset"] == first and from_state._preset.value == first
        _same_figure(preset_panel, from_state, f"{key} preset {first}")


def test_factories_take_a_state_and_it_wins_over_their_default_preset():
    """``panels.<topic>.<factory>(state=...)`` opens on the state even where the factory has a default preset
    (the regimen explorer opens on Sigtermans 2009 otherwise); explicit keywords still override it."""
    from helpers.panels import pk

    plain = pk.regimen_explorer(None, rate_mg_per_h=30.0, session_h=4.0)
    state = plain.state
    assert state["preset"] == ""
    again = pk.regimen_explorer(state=state)
    _same_figure(plain, again, "regimen_explorer from state")
    assert again.values == plain.values
    look = pk.regimen_explorer(state=state, look="presenter", weight_kg=80.0)
    assert look.look == "presenter" and look.values["weight_kg"] == 80.0
    assert look.values["rate_mg_per_h"] == 30.0


def test_bad_states_are_refused_naming_what_is_wrong():
    """Another panel's state, unknown keys, an unknown look, preset or control, or values that are not a dict are
    ValueErrors that name the offending part."""
    good = receptor.iv_curve().state
    cases = [
        ({**good, "panel": "receptor.block_curve"}, r"state\['panel'\]"),
        ({**good, "colour": "red"}, "state keys"),
        ({**good, "look": "neon"}, "look"),
        ({**good, "preset": "no_such_preset"}, "preset"),
        ({**good, "values": [1, 2]}, r"state\['values'\]"),
        ({**good, "values": {"no_such_control": 1}}, "no_such_control"),
        ({**good, "values": {"v_mv": 1e9}}, "v_mv"),
        ("receptor.iv_curve", "state must be a dict"),
    ]
    for state, pattern in cases:
        with pytest.raises(ValueError, match=pattern):
            receptor.IVCurve(state=state)
    for state, pattern in [({"panel": "os.system"}, "topic"), ({"panel": "receptor.no_such"}, "panel"),
                           ({"panel": "receptor.iv_curve; rm"}, "panel"), ({}, "panel")]:
        with pytest.raises(ValueError, match=pattern):
            gallery.panel_from_state(state)


def test_export_embeds_the_state_in_png_svg_and_beside_them(lab):
    """The PNG carries the state as a tEXt chunk, the SVG as dc:source, and <stem>.state.json holds it; all three
    read back as the panel's state."""
    panel = receptor.iv_curve(v_mv=-35.0, look="slides-dark")
    paths = panel.export(stem="probe", formats=("png", "svg"))
    assert [p.name for p in paths] == ["probe.png", "probe.svg", "probe.alt.txt", "probe.state.json"]
    with Image.open(paths[0]) as img:
        assert json.loads(img.text[export.STATE_KEY]) == panel.state
    for path in (paths[0], paths[1], paths[3]):
        assert export.read_state(path) == panel.state, path.name
    export.save_figure(panel.figure, lab, "bare", formats=("png",))
    with pytest.raises(ValueError, match="carry a panel state"):
        export.read_state(lab / "bare.png")


def test_schematic_state_keeps_its_story():
    """The schematic has no controls; its story is a constructor argument, carried in the state's options and
    restored by the gallery's rebuild."""
    panel = schematic.overview("spinal")
    assert panel.state["options"] == {"story": "spinal"} and panel.state["panel"] == "schematic.Schematic"
    again = gallery.panel_from_state(panel.state)
    assert again.story == "spinal" and again.description == panel.description


def test_cli_rebuilds_an_exported_figure_from_its_state(lab):
    """`python -m helpers.gallery --state <file> --out DIR` rebuilds an exported figure from its .state.json (and
    from the PNG itself): the same PNG bytes, alt text and state as the export (the export is byte-stable)."""
    panel = receptor.iv_curve(v_mv=-20.0, mg_mm=1.5, look="slides-light")
    paths = panel.export(stem="shared", formats=("png", "svg"))
    out = lab / "rebuilt"
    res = subprocess.run([sys.executable, "-m", "helpers.gallery", "--state", str(paths[3]), "--out", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "wrote shared.png, shared.svg, shared.alt.txt, shared.state.json" in res.stdout
    for name in ("shared.png", "shared.svg", "shared.alt.txt", "shared.state.json"):
        assert (out / name).read_bytes() == (lab / "exports" / name).read_bytes(), f"{name} differs after rebuild"
    bad = subprocess.run([sys.executable, "-m", "helpers.gallery", "--state", str(paths[2])],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 2 and "--state" in bad.stderr
