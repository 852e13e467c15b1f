"""Pain-pathway schematic: the right sites are marked per story, nothing is clipped, no labelled boxes overlap."""
from __future__ import annotations

import matplotlib.colors as mcolors
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from helpers import gallery, style
from helpers.panels import schematic as panel
from helpers.plots import schematic as pathway

EXPECTED = {
    "overview": {"receptor", "spinal", "descending"},
    "receptor": {"receptor"},
    "spinal": {"spinal"},
    "descending": {"descending"},
}
HIGHLIGHTED = {
    "overview": {"dorsal_horn", "pag", "rvm"},
    "receptor": {"dorsal_horn"},
    "spinal": {"dorsal_horn"},
    "descending": {"pag", "rvm"},
}


def _draw(look, story):
    with style.context(look):
        fig = Figure()
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        artists = pathway.pain_pathway(ax, story)
        fig.canvas.draw()
        keta = mcolors.to_rgba(style.ROLE["ketamine"])
    return fig, ax, artists, keta


def _extent(text, renderer):
    """Window extent of a text including its box, if it has one."""
    patch = text.get_bbox_patch()
    return patch.get_window_extent(renderer) if patch is not None else text.get_window_extent(renderer)


@pytest.mark.parametrize("story", pathway.STORIES)
def test_story_marks_its_ketamine_sites(story):
    """Each story must badge exactly its own ketamine site(s), or the notebook text would point at nothing."""
    _fig, _ax, artists, _k = _draw("notebook", story)
    badges = {gid.split(":", 1)[1] for gid in artists if gid.startswith("ketamine:")}
    assert badges == EXPECTED[story]
    key = artists["key"].get_text()
    for site in EXPECTED[story]:
        assert pathway.KETAMINE_SITES[site][0] in key


@pytest.mark.parametrize("story", pathway.STORIES)
def test_story_highlights_the_expected_boxes(story):
    """The boxes where ketamine acts are drawn in the ketamine colour; every other box is not."""
    _fig, _ax, artists, keta = _draw("notebook", story)
    for name in pathway.SITES:
        edge = artists[f"box:{name}"].get_bbox_patch().get_edgecolor()
        is_keta = tuple(edge[:3]) == tuple(keta[:3])
        assert is_keta == (name in HIGHLIGHTED[story]), name


def test_all_named_structures_are_drawn():
    """The schematic names every structure the brief asks for (a missing label is a teaching gap)."""
    _fig, _ax, artists, _k = _draw("notebook", "overview")
    text = " ".join(a.get_text() for a in artists.values() if isinstance(a, Text))
    for word in ("nociceptor", "dorsal-horn synapse", "NMDA", "thalamus", "somatosensory", "ACC",
                 "orbitofrontal", "insula", "PAG", "RVM", "inhibition", "facilitation"):
        assert word in text, word


@pytest.mark.parametrize("look", style.SHEETS)
@pytest.mark.parametrize("story", pathway.STORIES)
def test_text_inside_axes_and_boxes_do_not_overlap(look, story):
    """After a draw, every text (with its box) lies inside the axes, and no two labelled texts overlap:
    otherwise words are clipped or unreadable on a projector."""
    fig, ax, artists, _k = _draw(look, story)
    renderer = fig.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    extents = {gid: _extent(a, renderer) for gid, a in artists.items() if isinstance(a, Text) and a.get_text()}
    assert len(extents) >= 10
    for gid, box in extents.items():
        assert box.x0 >= axes_box.x0 - 0.5 and box.x1 <= axes_box.x1 + 0.5, (gid, box, axes_box)
        assert box.y0 >= axes_box.y0 - 0.5 and box.y1 <= axes_box.y1 + 0.5, (gid, box, axes_box)
    names = sorted(extents)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not extents[a].overlaps(extents[b]), (look, story, a, b)


def test_schematic_fills_the_axes():
    """The boxes span most of the canvas (no large empty margins in a 16:9 slide)."""
    fig, ax, artists, _k = _draw("slides-light", "overview")
    renderer = fig.canvas.get_renderer()
    boxes = [_extent(a, renderer) for g, a in artists.items() if g.startswith(("box:", "key"))]
    axes_box = ax.get_window_extent(renderer)
    width = max(b.x1 for b in boxes) - min(b.x0 for b in boxes)
    height = max(b.y1 for b in boxes) - min(b.y0 for b in boxes)
    assert width > 0.9 * axes_box.width and height > 0.8 * axes_box.height


def test_font_sizes_follow_the_sheet():
    """Box text takes its size from the active sheet (presenter larger than notebook), never a fixed tiny font."""
    sizes = {}
    for look in ("notebook", "presenter"):
        _fig, _ax, artists, _k = _draw(look, "overview")
        sizes[look] = artists["box:thalamus"].get_fontsize()
        with style.context(look):
            import matplotlib as mpl

            assert sizes[look] == pytest.approx(mpl.rcParams["font.size"])
    assert sizes["presenter"] > sizes["notebook"]


def test_pathway_figure_displays_with_description():
    """pathway_figure gives a 16:9 figure, a description naming the sites, and one displayable widget."""
    p = panel.overview("descending")
    w, h = p.figure.get_size_inches()
    assert w / h == pytest.approx(16 / 9, rel=1e-3)
    assert "PAG" in p.description and "Niesters" in p.description
    bundle = p._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert panel.PANELS == {}


def test_pathway_figure_has_presenter_and_export_but_nothing_to_preset(tmp_path):
    """The schematic is a house panel without controls: its toolbar holds Presenter and Export (a lecturer
    exports it like any figure), not an empty preset menu or a Reset that does nothing; Presenter rebuilds the
    figure in the projector sheet, and the Export button writes where the folder box says."""
    import ipywidgets as W

    p = panel.overview("spinal")
    toolbar = p.widget.children[0]

    def leaves(box):  # the toolbar may group its controls (Export sits with its result line)
        for w in box.children:
            yield from leaves(w) if isinstance(w, W.Box) else (w,)

    widgets = list(leaves(toolbar))
    labels = [getattr(w, "description", "") for w in widgets]
    assert "Export" in labels and "Presenter" in labels
    assert "Preset" not in labels and "Reset" not in labels
    assert not any(isinstance(w, W.Dropdown) for w in widgets)
    small = p.artists["box:thalamus"].get_fontsize()
    p._presenter.value = True
    assert p.look == "presenter" and p.artists["box:thalamus"].get_fontsize() > small
    p._folder.value = str(tmp_path)
    p._export.click()
    assert sorted(x.suffix for x in tmp_path.iterdir()) == [".json", ".pdf", ".png", ".svg", ".txt"]
    assert "Saved 5 files" in p._status.value and "<code>/" not in p._status.value  # relative, never absolute


def test_canonical_figures_registered():
    """Each story is a canonical figure (under its published ``pathway_`` name) that builds in the slide looks
    with alt text."""
    for story in pathway.STORIES:
        fig, alt = gallery.build(f"pathway_{story}", "slides-dark")
        assert alt and fig.get_size_inches()[0] / fig.get_size_inches()[1] == pytest.approx(16 / 9, rel=1e-3)


def test_export_writes_files(tmp_path):
    """Export writes PNG/SVG plus the alt-text and state files, as the panels' Export button does."""
    paths = panel.overview("overview").export(tmp_path, formats=("png", "svg"))
    assert {p.suffix for p in paths} == {".png", ".svg", ".txt", ".json"}
    assert all(p.stat().st_size > 0 for p in paths)


@pytest.mark.parametrize("call, param", [
    (lambda: pathway.pain_pathway(Figure().add_subplot(), "spine"), "story"),
    (lambda: pathway.pain_pathway(Figure().add_subplot(), None), "story"),
    (lambda: panel.overview("cortex"), "story"),
    (lambda: panel.overview("overview", look="poster"), "look"),
])
def test_bad_input_names_the_parameter(call, param):
    """Unknown stories and looks are rejected with a message naming the parameter."""
    with pytest.raises(ValueError, match=param):
        call()
