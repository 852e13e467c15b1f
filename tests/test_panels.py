"""Every panel, driven exactly as a student drives it, across the corners of every control.

For each panel of every topic module: each control at its minimum and maximum (and every option of a
dropdown), every preset, and a seeded random sample of settings in between. After each change: no exception,
every plotted array finite, a non-empty description without "nan", and the blitted picture identical to a
full redraw (the fast path must never show something stale).
"""
from __future__ import annotations

import html
import io
import math
import random
import xml.etree.ElementTree as ET
import zlib

import ipywidgets as W
import numpy as np
import pytest
from conftest import figure_arrays
from matplotlib.text import Text
from PIL import Image

from helpers import evidence, panels

ALL = panels.all_panels()


def _corners(widget):
    """The extreme and special values a student can reach with this control."""
    if isinstance(widget, W.FloatLogSlider):
        return [widget.base ** widget.min, widget.base ** widget.max]
    if isinstance(widget, (W.FloatSlider, W.IntSlider)):
        return [widget.min, widget.max]
    if isinstance(widget, W.FloatRangeSlider):
        return [(widget.min, widget.min), (widget.min, widget.max), (widget.max, widget.max)]
    if isinstance(widget, W.SelectionSlider):  # an ordered ladder (durations): its two ends
        values = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        return [values[0], values[-1]]
    if isinstance(widget, (W.Dropdown, W.RadioButtons, W.ToggleButtons, W.Select)):
        return [o[1] if isinstance(o, tuple) else o for o in widget.options]
    if isinstance(widget, (W.Checkbox, W.ToggleButton)):
        return [True, False]
    raise AssertionError(f"no corner rule for {type(widget).__name__}")


def _random_value(widget, rng: random.Random):
    if isinstance(widget, W.FloatLogSlider):
        return widget.base ** rng.uniform(widget.min, widget.max)
    if isinstance(widget, W.FloatSlider):
        return rng.uniform(widget.min, widget.max)
    if isinstance(widget, W.IntSlider):
        return rng.randint(widget.min, widget.max)
    if isinstance(widget, W.FloatRangeSlider):
        a, b = sorted(rng.uniform(widget.min, widget.max) for _ in range(2))
        return (a, b)
    if isinstance(widget, W.SelectionSlider):
        return rng.choice([o[1] if isinstance(o, tuple) else o for o in widget.options])
    return rng.choice(_corners(widget))


def _check(panel, context: str) -> None:
    for arr in figure_arrays(panel.figure):
        assert np.all(np.isfinite(arr)), f"{context}: non-finite plotted data {arr}"
    text = panel.description
    assert isinstance(text, str) and len(text) > 40, f"{context}: description too short: {text!r}"
    assert "nan" not in text.lower().replace("nanomol", ""), f"{context}: NaN in description: {text}"
    assert "inf " not in text.lower(), f"{context}: inf in description: {text}"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def test_every_topic_module_has_panels():
    """Each topic module registers at least one panel (a missing module would hide panels from these tests)."""
    topics = {key.split(".")[0] for key in ALL}
    assert topics >= {"pk", "receptor", "spinal", "descending"}


@pytest.mark.parametrize("key", sorted(ALL))
def test_corners_of_every_control(key):
    """Min/max of every slider and every option of every dropdown, one control at a time, then all at once."""
    panel = ALL[key]()
    _check(panel, f"{key} default")
    for name, widget in panel.controls.items():
        for value in _corners(widget):
            panel.reset()
            panel.set(**{name: value})
            _check(panel, f"{key} {name}={value!r}")
    for pick in (0, -1):  # every control at its low corner, then its high corner
        panel.reset()
        values = {n: _corners(w)[pick] for n, w in panel.controls.items()}
        panel.set(**values)
        _check(panel, f"{key} all corners {values}")


@pytest.mark.parametrize("key", sorted(ALL))
def test_random_settings_and_blit_matches_full_redraw(key):
    """Random settings in between: finite data, and the fast (blitted) picture equals a full redraw."""
    rng = random.Random(hash(key) % 10_000)
    panel = ALL[key]()
    for _i in range(12):
        values = {n: _random_value(w, rng) for n, w in panel.controls.items() if rng.random() < 0.6}
        panel.set(**values)
        _check(panel, f"{key} random {values}")
        fast = _pixels(panel._image.value)
        full = _pixels(panel.render_png(full=True))
        diff = np.abs(fast - full).max(axis=2)
        assert (diff > 24).mean() < 1e-4, f"{key}: blitted frame differs from a full redraw after {values}"


@pytest.mark.parametrize("key", sorted(ALL))
def test_kept_layout_matches_a_fresh_layout(key):
    """A full redraw keeps the last layout while no text that sizes the margins changed (layout_signature): after
    random settings, every axes sits within 3 px of where a fresh constrained layout puts it."""
    rng = random.Random(zlib.crc32(key.encode()))  # the same settings on every run (hash() is salted per process)
    panel = ALL[key]()
    fig = panel.figure
    w_px, h_px = fig.bbox.width, fig.bbox.height
    for _i in range(12):
        values = {n: _random_value(w, rng) for n, w in panel.controls.items() if rng.random() < 0.6}
        panel.set(**values)
        kept = [ax.get_position().bounds for ax in fig.axes]
        panel.renderer.invalidate()
        panel.render_png(full=True)  # the layout engine runs again
        fresh = [ax.get_position().bounds for ax in fig.axes]
        for a, b in zip(kept, fresh, strict=True):
            off = max(abs(a[0] - b[0]) * w_px, abs(a[2] - b[2]) * w_px, abs(a[1] - b[1]) * h_px,
                      abs(a[3] - b[3]) * h_px)
            assert off <= 3.0, f"{key}: kept layout {off:.1f} px away from a fresh one after {values}"


def test_full_redraws_mostly_keep_the_layout():
    """The saving is real: one-step moves of the sliders that rescale an axis (a full redraw) mostly leave the
    margins as they were, so the layout engine runs for fewer than 60 % of those redraws (44 % when written)."""
    draws = layouts = 0
    for key, name in (("pk.regimen_explorer", "sessions"), ("relief.drug_gone_relief_stays", "sessions"),
                      ("relief.fit_reset", "rebuild_days"), ("safety.side_effects", "bolus_mg"),
                      ("safety.liver_timeline", "gap_days")):
        panel = ALL[key]()
        r = panel.renderer
        draws0, layouts0 = r.full_draws, r.layouts
        for _i in range(30):
            panel.set(**{name: _one_step(panel.controls[name])})
        draws, layouts = draws + r.full_draws - draws0, layouts + r.layouts - layouts0
    assert draws >= 15, f"only {draws} full redraws: the test no longer exercises the kept layout"
    assert layouts <= 0.6 * draws, f"{layouts} layouts for {draws} full redraws"


@pytest.mark.parametrize("key", ["spinal.windup_train", "spinal.stimulus_response", "descending.cpm_experiment"])
def test_steady_moving_text_is_pasted_and_matches_drawing_it(key):
    """A moving text unchanged since the last frame is pasted from a cached rendering (the saving: no glyphs drawn
    again), and the picture still matches a full redraw to within rounding."""
    panel = ALL[key]()
    name = next(n for n, w in panel.controls.items() if isinstance(w, (W.FloatSlider, W.IntSlider)))
    texts = {id(a) for a in panel.dynamic if isinstance(a, Text)}
    pasted = 0
    for _i in range(6):
        panel.set(**{name: _one_step(panel.controls[name])})
        pasted += len(texts & set(panel.renderer.sprites))
        fast = _pixels(panel._image.value)
        full = _pixels(panel.render_png(full=True))
        assert np.abs(fast - full).max() <= 3, f"{key}: pasted text differs from drawing it"
        panel.render_png()  # the full draw above reset the cache: a blitted frame again, as a slider step makes
    assert pasted > 0, f"{key}: no moving text was ever pasted"


def test_drag_frames_send_the_picture_and_the_description_once_values_stop():
    """While a slider is dragged (values arriving in a running event loop) each frame sends the new picture and
    holds the description back; SETTLE_S after the last value the description of the picture on screen follows,
    once. Outside an event loop (plain Python) a drag frame is an ordinary update."""
    import asyncio

    from helpers.panels import _base
    from helpers.panels._widgets import description_html

    async def drag():
        panel = ALL["pk.regimen_explorer"]()
        shown = panel._text.value
        pictures = []
        for sessions in (2, 3, 4):
            panel._values["sessions"] = sessions
            panel.update(draft=True)
            pictures.append(panel._image.value)
            assert panel._text.value == shown, "the description was sent during the drag"
            assert panel._description_due
        assert len(set(pictures)) == 3, "a drag frame did not send its new picture"
        assert "4 " in panel.description or "four" in panel.description.lower(), panel.description
        await asyncio.sleep(_base.SETTLE_S + 0.2)
        assert not panel._description_due
        assert panel._text.value == description_html(panel.description), "the settled description is not shown"
        panel._text.value = "sentinel"
        await asyncio.sleep(_base.SETTLE_S + 0.1)
        assert panel._text.value == "sentinel", "the description was sent a second time"

    asyncio.run(drag())
    panel = ALL["pk.regimen_explorer"]()
    panel._values["sessions"] = 3
    panel.update(draft=True)  # no running loop: the description goes out with the picture
    assert not panel._description_due and panel._text.value == description_html(panel.description)


OVERLAID = sorted(k for k in ALL if ALL[k]().overlays)


def test_some_panels_use_overlays():
    """The safety panels paste their legends above the curves as cached overlays (else the next test checks
    nothing); the PK band label moved into the legend, so the PK panels no longer have one."""
    assert {"safety.booster_schedule", "safety.liver_timeline", "safety.side_effects"} <= set(OVERLAID)


def _one_step(widget):
    """The next value on the slider's own grid (downwards at the top end): one arrow-key press."""
    if isinstance(widget, W.FloatLogSlider):
        x = math.log(widget.value, widget.base)
        x = x + widget.step if x + widget.step <= widget.max + 1e-9 else x - widget.step
        return widget.base ** x
    up = widget.value + widget.step
    return up if up <= widget.max else widget.value - widget.step


@pytest.mark.parametrize("key", OVERLAID)
def test_overlay_pasted_from_cache_matches_drawing_it(key):
    """One-step moves of each slider mostly take the blit path, where overlays are pasted from a cached rendering
    instead of drawn: the cached rendering must be reused while the overlay is unchanged (that is the saving), and
    the picture must match a full redraw to within rounding (max 3 levels)."""
    panel = ALL[key]()
    blits = 0
    for name, widget in panel.controls.items():
        if not isinstance(widget, (W.FloatSlider, W.FloatLogSlider, W.IntSlider)):
            continue
        previous = None
        for _ in range(4):
            before = panel.renderer.full_draws
            panel.set(**{name: _one_step(widget)})
            if panel.renderer.full_draws != before:  # the axes changed: everything was drawn, the cache starts again
                previous = None
                continue
            blits += 1
            cached = panel.renderer.sprites
            assert cached, f"{key}: {name} step: the overlay was not pasted from a cached rendering"
            if previous is not None:
                assert all(cached[i] is previous[i] for i in previous), f"{key}: {name}: overlay rendered again"
            previous = cached
        if panel.renderer.full_draws == before:
            fast = _pixels(panel._image.value)
            full = _pixels(panel.render_png(full=True))
            assert np.abs(fast - full).max() <= 3, f"{key}: {name}: pasted overlay differs from drawing it"
    assert blits >= 4, f"{key}: only {blits} one-step moves took the blit path"


@pytest.mark.parametrize("key", sorted(ALL))
def test_presets_reset_and_presenter(key):
    """Every preset applies its values; Reset returns to the opening case; Presenter rebuilds the figure."""
    cls = ALL[key]
    panel = cls()
    opening = dict(panel.values)
    for pkey, preset in (evidence.presets(cls.name).items() if cls.name in evidence._all_presets() else []):
        panel.apply_preset(pkey)
        for name, value in preset["values"].items():
            got = panel.values[name]
            if isinstance(value, float):
                assert math.isclose(got, value, rel_tol=0.03), f"{key} preset {pkey}: {name}={got}, want {value}"
            else:
                assert got == value, f"{key} preset {pkey}: {name}={got!r}, want {value!r}"
        assert panel._preset.value == pkey
        _check(panel, f"{key} preset {pkey}")
        assert preset["source"] in evidence.references(), f"{key} preset {pkey} cites unknown {preset['source']}"
    panel.reset()
    assert panel.values == opening
    small = panel.figure.axes[0].xaxis.label.get_size()
    panel._presenter.value = True  # the toggle a lecturer clicks
    assert panel.look == "presenter"
    assert panel.figure.axes[0].xaxis.label.get_size() > small
    _check(panel, f"{key} presenter")
    panel._presenter.value = False
    assert panel.look == "notebook"


@pytest.mark.parametrize("key", sorted(ALL))
def test_out_of_range_values_are_rejected_not_clamped(key):
    """A value outside a slider's range raises ValueError naming the control (ipywidgets would clamp it)."""
    panel = ALL[key]()
    sliders = {n: w for n, w in panel.controls.items() if isinstance(w, (W.FloatSlider, W.IntSlider,
                                                                         W.FloatLogSlider))}
    for name, widget in sliders.items():
        hi = _corners(widget)[1]
        with pytest.raises(ValueError, match=name):
            panel.set(**{name: hi * 10 + 10})
    with pytest.raises(ValueError, match="not in this panel"):
        panel.set(no_such_control=1)


def _pdf_info(data: bytes, key: str) -> str:
    """The text of ``/key (...)`` in a PDF's Info dictionary, as matplotlib writes it (all parentheses escaped;
    non-ASCII text as UTF-16BE with a byte-order mark). Raises AssertionError when the key is absent."""
    start = data.find(b"/" + key.encode() + b" (")
    assert start >= 0, f"PDF has no /{key} entry"
    i, out = start + len(key) + 3, bytearray()
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while data[i] != ord(")"):
        if data[i] == ord("\\"):
            i += 1
            if chr(data[i]) in "01234567":
                j = i
                while j < i + 3 and chr(data[j]) in "01234567":
                    j += 1
                out.append(int(data[i:j], 8))
                i = j
                continue
            out += escapes.get(data[i], bytes([data[i]]))
        else:
            out.append(data[i])
        i += 1
    raw = bytes(out)
    return raw[2:].decode("utf-16-be") if raw[:2] == b"\xfe\xff" else raw.decode("latin-1")


def test_pdf_info_reader_decodes_what_matplotlib_writes(tmp_path):
    """The reader the export tests rely on, against matplotlib itself: ASCII, non-ASCII, parentheses, backslash."""
    from matplotlib.figure import Figure

    from helpers import export

    for text in ("plain ascii (with parens) and a \\ backslash", "1.0 mM Mg²⁺ at −70 mV (Jahr & Stevens) ≈ 4%"):
        path = export.save_figure(Figure(figsize=(9.6, 5.4)), tmp_path, "probe", alt_text=text, formats=("pdf",))[0]
        assert _pdf_info(path.read_bytes(), "Subject") == text
        assert _pdf_info(path.read_bytes(), "Title") == "probe"
    with pytest.raises(AssertionError, match="Keywords"):
        _pdf_info(path.read_bytes(), "Keywords")


SVG_NS = "{http://www.w3.org/2000/svg}"
DC_NS = "{http://purl.org/dc/elements/1.1/}"


def _check_png(path, description: str, stem: str, context: str) -> None:
    """A valid 1920x1080 PNG, not blank, with the description and stem as text metadata (see export.save_figure)."""
    with Image.open(path) as img:
        img.verify()  # checksums of every chunk
    with Image.open(path) as img:
        assert img.format == "PNG", f"{context}: {path.name} is {img.format}, not PNG"
        assert img.size == (1920, 1080), f"{context}: PNG is {img.size}, want (1920, 1080)"
        assert img.info.get("Description") == description, f"{context}: PNG Description is not the description"
        assert img.info.get("Title") == stem, f"{context}: PNG Title {img.info.get('Title')!r}, want {stem!r}"
        grey = np.asarray(img.convert("L"))
    assert grey.std() > 5, f"{context}: exported PNG is blank (one flat colour)"


def _label_texts(figure):
    """Axis labels, titles, legend entries and annotations (not tick labels: those outside the view are never
    drawn, and mathtext or multi-line strings are split by the SVG writer)."""
    texts = list(figure.texts)
    for ax in figure.axes:
        texts += [ax.xaxis.label, ax.yaxis.label, ax.title, ax._left_title, ax._right_title, *ax.texts]
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
    return texts


def _check_svg(path, figure, description: str, stem: str, context: str) -> None:
    """Parses as XML; text kept as <text> elements (the figure's own labels are readable in them, no glyph
    outlines); the description as <dc:description> and the stem as <dc:title> (see export.save_figure)."""
    root = ET.parse(path).getroot()
    assert root.tag == SVG_NS + "svg", f"{context}: root element is {root.tag}"
    texts = list(root.iter(SVG_NS + "text"))
    assert texts, f"{context}: SVG has no <text> elements (text was turned into paths)"
    svg_text = " ".join("".join(t.itertext()) for t in texts)
    labels = {t.get_text() for t in _label_texts(figure)
              if t.get_visible() and t.get_text().strip() and "$" not in t.get_text() and "\n" not in t.get_text()}
    assert labels, f"{context}: the figure has no plain-text labels to look for"
    lost = sorted(label for label in labels if label not in svg_text)
    assert not lost, f"{context}: labels not kept as SVG text: {lost[:5]}"
    assert "DejaVuSans-" not in path.read_text(encoding="utf-8"), f"{context}: SVG embeds glyph outlines"
    descriptions = [e.text for e in root.iter(DC_NS + "description")]
    assert descriptions == [description], f"{context}: SVG <dc:description> is {descriptions!r}"
    assert [e.text for e in root.iter(DC_NS + "title")] == [stem], f"{context}: SVG <dc:title> is not {stem!r}"


def _exportable(key: str):
    """A fresh panel from ALL, or for ``schematic.<story>`` the static pain-pathway schematic (it has no controls,
    so it is not in ALL, but it exports through the same code and is the figure notebooks 00-03 open with)."""
    if key.startswith("schematic."):
        from helpers.panels import schematic

        return schematic.overview(key.split(".", 1)[1])
    return ALL[key]()


def _schematic_stories():
    from helpers.panels.schematic import STORIES

    return [f"schematic.{s}" for s in STORIES]


@pytest.mark.parametrize("key", sorted(ALL) + _schematic_stories())
def test_export_writes_valid_slide_files(key, tmp_path):
    """Every panel (and each pain-pathway schematic) exports, as the Export button does, exactly a 1920x1080 PNG, an
    SVG with live text, and a .alt.txt, each carrying the live description; the status line names the files and
    the folder. PDF is skipped here for speed (one panel checks it below)."""
    panel = _exportable(key)
    stem = key.replace(".", "_")
    paths = panel.export(tmp_path, stem=stem, formats=("png", "svg"))
    want = [f"{stem}.png", f"{stem}.svg", f"{stem}.alt.txt", f"{stem}.state.json"]
    assert [p.name for p in paths] == want, f"{key}: export returned {[p.name for p in paths]}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(want), f"{key}: extra or missing files written"
    description = panel.description
    assert description.strip(), f"{key}: empty description"
    _check_png(paths[0], description, stem, key)
    _check_svg(paths[1], panel.figure, description, stem, key)
    assert paths[2].read_text(encoding="utf-8") == description.strip() + "\n", f"{key}: .alt.txt differs"
    if hasattr(panel, "_status"):
        status = panel._status.value
        assert "Saved 4 files" in status, f"{key}: status line {status[:200]!r}"
        assert "<code>/" not in status and f">{tmp_path.resolve()}" not in status, \
            f"{key}: status {status[:200]!r} shows an absolute server path"
        for name in want:
            assert f'download="{html.escape(name)}"' in status, f"{key}: no download link for {name}"


def test_export_checks_reject_broken_files(tmp_path):
    """The PNG and SVG checks above fail on files that break the contract: text turned into glyph outlines, the
    description missing, another size, a label dropped."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.6, 5.4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("time (h)")
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        fig.savefig(tmp_path / "paths.svg", metadata={"Title": "x", "Description": "alt"})
    with pytest.raises(AssertionError, match="no <text> elements"):
        _check_svg(tmp_path / "paths.svg", fig, "alt", "x", "broken")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(tmp_path / "bare.svg", metadata={"Title": "x"})
    with pytest.raises(AssertionError, match="dc:description"):
        _check_svg(tmp_path / "bare.svg", fig, "alt", "x", "broken")
    ax.set_ylabel("added after saving")
    with pytest.raises(AssertionError, match="added after saving"):
        _check_svg(tmp_path / "bare.svg", fig, "alt", "x", "broken")
    fig.savefig(tmp_path / "small.png", dpi=100, metadata={"Title": "x", "Description": "alt"})
    with pytest.raises(AssertionError, match="1920, 1080"):
        _check_png(tmp_path / "small.png", "alt", "x", "broken")
    fig.savefig(tmp_path / "full.png", dpi=200, metadata={"Title": "x", "Description": "other"})
    with pytest.raises(AssertionError, match="Description"):
        _check_png(tmp_path / "full.png", "alt", "x", "broken")


def test_export_button_writes_valid_files(tmp_path):
    """The button a student presses: a 1920x1080 PNG, an SVG with live text and a PDF (valid header and trailer,
    the description as its Subject), with the description as alt text; the status line names the folder."""
    key = "receptor.iv_curve"  # its description has non-ASCII text (Mg²⁺, −70 mV): the PDF's UTF-16 path
    panel = ALL[key]()
    panel._folder.value = str(tmp_path)
    panel._export.click()
    pngs = list(tmp_path.glob("*.png"))
    assert len(pngs) == 1
    stem = pngs[0].name[:-len(".png")]
    assert stem.startswith(panel.name + "_"), f"button stem {stem!r} does not start with the panel name"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{stem}.{e}" for e in ("png", "svg", "pdf",
                                                                                            "alt.txt", "state.json"))
    _check_png(pngs[0], panel.description, stem, key)
    _check_svg(tmp_path / f"{stem}.svg", panel.figure, panel.description, stem, key)
    pdf = (tmp_path / f"{stem}.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and pdf.rstrip().endswith(b"%%EOF"), "not a complete PDF file"
    assert any(ord(c) > 127 for c in panel.description), "pick a panel whose description is not plain ASCII"
    assert _pdf_info(pdf, "Subject") == panel.description
    assert _pdf_info(pdf, "Title") == stem
    assert (tmp_path / f"{stem}.alt.txt").read_text(encoding="utf-8").strip() == panel.description
    status = panel._status.value
    assert "Saved 5 files" in status and "<code>/" not in status, status[:300]
    for ext in ("png", "svg", "pdf", "alt.txt", "state.json"):
        assert f'download="{stem}.{ext}"' in status, f"no download link for {stem}.{ext}"


def _grid_index(widget, value) -> float:
    """Where a value sits on a slider's step grid, counted in steps from its minimum (the browser's snapping)."""
    if isinstance(widget, W.FloatLogSlider):
        return (math.log(value, widget.base) - widget.min) / widget.step
    return (value - widget.min) / widget.step


def _browser_snap(widget, value):
    """What noUiSlider in the browser makes of a value: the nearest grid point (in the exponent for log)."""
    n = round(_grid_index(widget, value))
    if isinstance(widget, W.FloatLogSlider):
        return widget.base ** (widget.min + n * widget.step)
    return widget.min + n * widget.step


@pytest.mark.parametrize("key", sorted(ALL))
def test_opening_values_lie_on_their_slider_grids(key):
    """A browser snaps an off-grid slider value and sends it back, so the opening case the notebook text
    describes would silently become another one (seen in JupyterLab: 100 h became 100.43 h)."""
    panel = ALL[key]()
    for name, widget in panel.controls.items():
        if isinstance(widget, (W.FloatLogSlider, W.FloatSlider, W.IntSlider)):
            n = _grid_index(widget, panel.values[name])
            assert abs(n - round(n)) < 1e-6, f"{key}: {name}={panel.values[name]} is {n:.4f} steps from min"


@pytest.mark.parametrize("key", sorted(ALL))
def test_browser_snap_of_a_preset_is_not_a_move(key):
    """After a preset, the browser sends each float slider's value back as it computes it (min + n * step, or
    base ** that), which can differ from ours in the last bits: the panel must keep the preset (label, values, no
    extra update). A real one-step move must still update and clear the label. (Every preset now sits on its
    slider's grid; test_layout checks that, so no off-grid snap is exercised here.)"""
    cls = ALL[key]
    table = evidence._all_presets().get(cls.name, {})
    panel = cls()
    for pkey in table:
        panel.apply_preset(pkey)
        before, updates = panel.values, panel.update_count
        for widget in panel.controls.values():
            if isinstance(widget, (W.FloatLogSlider, W.FloatSlider)):
                snapped = _browser_snap(widget, widget.value)
                # the browser's echo as it arrives in the kernel, then the same point one float ulp away
                widget.value = snapped
                widget.value = float(np.nextafter(snapped, math.inf))
        assert panel.values == before, f"{key} preset {pkey}: a snap changed the model's values"
        assert panel.update_count == updates, f"{key} preset {pkey}: a snap re-ran the panel"
        assert panel._preset.value == pkey, f"{key} preset {pkey}: a snap cleared the preset label"
    sliders = [(n, w) for n, w in panel.controls.items() if isinstance(w, (W.FloatLogSlider, W.FloatSlider))]
    if not sliders:
        pytest.skip(f"{key} has no float slider")
    name, widget = sliders[0]
    updates = panel.update_count
    n = round(_grid_index(widget, widget.value))
    n = n - 1 if n >= 1 else n + 1  # one arrow-key step, inward
    widget.value = (widget.base ** (widget.min + n * widget.step) if isinstance(widget, W.FloatLogSlider)
                    else widget.min + n * widget.step)
    assert panel.update_count == updates + 1, f"{key}: a one-step move of {name} did not update the panel"
    assert math.isclose(panel.values[name], widget.value), f"{key}: the model did not take the moved {name}"
    assert panel._preset.value == "", f"{key}: moving {name} kept a preset label that no longer applies"


def test_log_slider_grid_passes_through_its_value_and_rejects_bad_input():
    from helpers.panels._widgets import log_slider

    s = log_slider(20.0, 1.0, 400.0, 0.02)
    assert abs(_grid_index(s, 20.0) - round(_grid_index(s, 20.0))) < 1e-9
    assert 1.0 <= s.base ** s.min < 1.0 * 10 ** 0.02 and math.isclose(s.base ** s.max, 400.0)
    for kwargs, name in (({"value": 0.5}, "value"), ({"lo": -1.0}, "lo"), ({"hi": 0.5}, "hi"),
                         ({"step": 0.0}, "step")):
        args = {"value": 20.0, "lo": 1.0, "hi": 400.0, "step": 0.02, **kwargs}
        with pytest.raises(ValueError, match=name):
            log_slider(**args)


def test_png_encoder_round_trips_through_pillow_and_rejects_bad_arrays():
    """The panel's own PNG writer against Pillow's reader: the same pixels back (RGB or RGBA as given), with ISA-L's
    deflate and with the standard library's (the fallback when isal is missing) alike."""
    import zlib

    from helpers.panels import _render
    from helpers.panels._render import deflate, png_rgb

    rng = np.random.default_rng(3)
    shapes = ((1, 1, 4), (7, 13, 4), (64, 33, 3), (518, 922, 4))
    for use_isal in (True, False):
        saved = _render._isal_zlib
        if not use_isal:
            _render._isal_zlib = None
        try:
            for shape in shapes:
                arr = rng.integers(0, 256, shape, dtype=np.uint8)
                arr[: shape[0] // 2] = 200  # a flat half, as panel pictures are, besides the noise
                back = np.asarray(Image.open(io.BytesIO(png_rgb(arr))))
                assert back.shape == shape
                assert np.array_equal(back, arr)
            data = bytes(range(256)) * 50
            for level in (0, 1, 3, 9):
                assert zlib.decompress(deflate(data, level)) == data
        finally:
            _render._isal_zlib = saved
    assert _render._isal_zlib is not None, "isal is in requirements.txt; the fast deflate should be in use"
    for bad in (np.zeros((4, 4), np.uint8), np.zeros((4, 4, 2), np.uint8), np.zeros((4, 4, 4), np.float64),
                np.zeros((0, 4, 4), np.uint8)):
        with pytest.raises(ValueError, match="rgba"):
            png_rgb(bad)
    with pytest.raises(ValueError, match="level"):
        png_rgb(np.zeros((2, 2, 4), np.uint8), level=10)
    with pytest.raises(ValueError, match="level"):
        deflate(b"abc", level=-1)
