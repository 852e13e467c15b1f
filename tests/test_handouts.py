"""Static copies keep every figure: the panels' still fallback and the HTML handouts built from it.

A panel's display bundle carries, beside the widget view, the picture on screen and its description; a
self-check's carries its question and options with the answer folded away. The handout builder executes every
notebook on a fresh kernel and writes code-hidden HTML; the tests parse each page and count a picture and a
description for every figure call the notebook makes (counted from its code, not from the outputs), a folded
answer for every self-check, and no error output anywhere.
"""
from __future__ import annotations

import base64
import struct
import time
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from test_notebooks import _figure_calls, _quiz_calls

from helpers import handout
from helpers.panels import pk, quiz_item, schematic, self_check

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC, "not a PNG"
    return struct.unpack(">II", data[16:24])


# ---- the still fallback in a display bundle -----------------------------------------------------------------
def test_panel_bundle_carries_widget_picture_and_description():
    """Beside the widget view: the PNG that is on screen now (the same bytes), an HTML figure holding that picture
    and the description as caption and alt text, and a text/plain that is a sentence, not a widget repr."""
    p = pk.regimen_explorer("sigtermans_2009").set(rate_mg_per_h=10.0)
    bundle = p._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    png = base64.b64decode(bundle["image/png"])
    assert png == p._image.value, "the still copy is not the picture on screen"
    width, height = _png_size(png)
    assert 600 <= width <= 1400 and 300 <= height <= 900
    assert len(png) < 250_000, f"still PNG is {len(png)} bytes"
    soup = BeautifulSoup(bundle["text/html"], "html.parser")
    (img,) = soup.find_all("img")
    assert base64.b64decode(img["src"].split(",", 1)[1]) == png
    assert img["alt"] == p.description
    assert p.description in soup.find("figcaption").get_text()
    assert bundle["text/plain"].startswith(p.title)
    assert "VBox" not in bundle["text/plain"] and len(bundle["text/plain"]) <= 300


def test_panel_bundle_follows_the_controls():
    """The still copy is taken when the panel is displayed, so it shows the state at that moment."""
    p = pk.regimen_explorer("sigtermans_2009")
    before = p._repr_mimebundle_()
    p.set(rate_mg_per_h=40.0)
    after = p._repr_mimebundle_()
    assert before["image/png"] != after["image/png"]
    assert p.description in BeautifulSoup(after["text/html"], "html.parser").get_text()


def test_description_is_escaped_in_the_still_html():
    """Descriptions contain '<' and quotes at times; the HTML must keep them as text, not markup."""
    p = schematic.overview()
    p.description = "block < 50% & 'quoted' <b>x</b>"
    soup = BeautifulSoup(p._repr_mimebundle_()["text/html"], "html.parser")
    assert soup.find("b", string="x") is None
    assert soup.find("img")["alt"] == p.description


def test_self_check_bundle_folds_the_answer_away():
    """A self-check's still copy shows the question and every option; the right option and the explanation appear
    only inside a collapsed <details>, so a reader of a handout can still try first."""
    item = quiz_item("01_trapping")
    bundle = self_check("01_trapping")._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    soup = BeautifulSoup(bundle["text/html"], "html.parser")
    assert item.question in soup.get_text()
    assert [li.get_text() for li in soup.find_all("li")] == list(item.options)
    details = soup.find("details")
    assert details is not None and not details.has_attr("open")
    assert item.explanation in details.get_text() and item.right_option.rstrip(".") in details.get_text()
    details.extract()
    assert item.explanation not in soup.get_text()
    assert bundle["text/plain"] == f"Self-check: {item.question}"


# ---- a small notebook through plain nbconvert and through the builder ------------------------------------------
@pytest.fixture(scope="module")
def small_notebook(tmp_path_factory):
    """One figure and one self-check, executed once for the module."""
    folder = tmp_path_factory.mktemp("small") / "notebooks"
    (folder.parent / "figures").mkdir()
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A small notebook\n\nOne figure, one self-check.\n\n"
                                              "![a picture beside it](pic.png)\n\n"
                                              "![one from figures](../figures/pic.png)"),
                nbformat.v4.new_code_cell("from helpers.panels import schematic, self_check"),
                nbformat.v4.new_code_cell("schematic.overview()"),
                nbformat.v4.new_code_cell('self_check("01_trapping")')]
    path = folder / "small.ipynb"
    nbformat.write(nb, path)
    (folder / "pic.png").write_bytes(schematic.overview().render_png())
    (folder.parent / "figures" / "pic.png").write_bytes((folder / "pic.png").read_bytes())
    return path, handout.execute(path, timeout_s=300)


def test_plain_nbconvert_shows_the_picture(small_notebook):
    """``jupyter nbconvert --to html`` (default exporter, no widget state) falls back to the still copy: an
    <img> for the figure and the self-check's question, where it used to print ``VBox(children=...``."""
    from nbconvert import HTMLExporter

    _, nb = small_notebook
    body, _ = HTMLExporter().from_notebook_node(nb)
    soup = BeautifulSoup(body, "html.parser")
    assert len(soup.select("figure.helpers-static-panel img")) == 1
    assert len(soup.select(".helpers-static-self-check details")) == 1
    assert "VBox(" not in body


def test_code_hidden_by_default_and_shown_on_request(small_notebook):
    """Handouts hide the code unless asked; the text and the outputs stay either way."""
    _, nb = small_notebook
    hidden = handout.to_html(nb)
    shown = handout.to_html(nb, show_code=True)
    text = {k: BeautifulSoup(page, "html.parser").get_text() for k, page in (("hidden", hidden), ("shown", shown))}
    assert "schematic.overview()" not in text["hidden"] and "schematic.overview()" in text["shown"]
    for page in (hidden, shown):
        soup = BeautifulSoup(page, "html.parser")
        assert soup.find("h1") is not None and "A small notebook" in soup.find("title").get_text()
        assert len(soup.select("figure.helpers-static-panel")) == 1


def test_build_writes_named_notebooks_and_an_index(small_notebook, tmp_path):
    """``build`` takes names inside a folder, writes one page each and an index linking them; a picture linked
    in the text is embedded (also one from the collection's figures/ beside the notebooks), so the page works
    away from the notebook's folder."""
    path, _ = small_notebook
    done = handout.build(["small"], tmp_path / "out", folder=path.parent, log=None)
    assert [h.path.name for h in done] == ["small.html"]
    assert done[0].seconds > 0 and done[0].warnings == ()
    soup = BeautifulSoup(done[0].path.read_text(), "html.parser")
    for alt in ("a picture beside it", "one from figures"):
        linked = soup.find("img", alt=alt)
        assert linked is not None and linked["src"].startswith("data:image/png;base64,"), alt
    index = (tmp_path / "out" / "index.html").read_text()
    assert "href='small.html'" in index


@pytest.mark.parametrize("call, message", [
    (lambda tmp: handout.execute(tmp / "missing.ipynb"), "notebook must be an existing .ipynb file"),
    (lambda tmp: handout.build(None, tmp / "out", folder=tmp), "folder must hold .ipynb notebooks"),
    (lambda tmp: handout.build(["nope"], tmp / "out", folder=ROOT / "notebooks"), "notebooks must name notebooks"),
    (lambda tmp: handout.to_html(nbformat.v4.new_notebook(), show_code="yes"), "show_code must be True or False"),
])
def test_bad_input_is_refused(tmp_path, call, message):
    """Bad input raises ValueError naming the parameter and the value."""
    with pytest.raises(ValueError, match=message):
        call(tmp_path)


def test_bad_timeout_is_refused(small_notebook):
    path, _ = small_notebook
    with pytest.raises(ValueError, match="timeout_s"):
        handout.execute(path, timeout_s=0)


# ---- the whole collection -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    """Build every handout once, through the command line, and time it."""
    out = tmp_path_factory.mktemp("handouts")
    t0 = time.perf_counter()
    assert handout.main(["--out", str(out), "--notebooks", str(ROOT / "notebooks")]) == 0
    seconds = time.perf_counter() - t0
    print(f"\nhandout build: {len(NOTEBOOKS)} notebooks in {seconds:.1f} s")
    return out


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_handout_keeps_every_figure_and_no_error(handouts, path):
    """Each handout shows a decodable PNG with a non-empty caption for every figure call in the notebook's code, a
    folded answer for every self-check, no code and no error output."""
    page = (handouts / f"{path.stem}.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    nb = nbformat.read(path, as_version=4)
    figures = soup.select("figure.helpers-static-panel")
    calls = _figure_calls(nb, path.name)
    assert calls, f"{path.name} builds no figure"
    assert len(figures) >= len(calls)
    assert len(soup.find_all("img", src=lambda s: s and s.startswith("data:image/png;base64,"))) >= len(calls)
    for fig in figures:
        (img,) = fig.find_all("img")
        width, _ = _png_size(base64.b64decode(img["src"].split(",", 1)[1]))
        assert width >= 600
        caption = fig.find("figcaption").get_text(" ", strip=True)
        assert len(caption) > 40 and img["alt"] and img["alt"] in caption
    outside = [img["src"][:60] for img in soup.find_all("img") if not img["src"].startswith("data:")]
    assert not outside, f"pictures not embedded in the handout: {outside}"
    assert len(soup.select(".helpers-static-self-check details")) == len(_quiz_calls(nb))
    assert "Traceback" not in page and "output_error" not in page
    assert "VBox(" not in page and "Error displaying widget" not in page
    assert not soup.select(".jp-CodeCell .jp-InputArea"), "code is shown in a handout built without --show-code"
    index = (handouts / "index.html").read_text()
    assert f"href='{path.stem}.html'" in index
