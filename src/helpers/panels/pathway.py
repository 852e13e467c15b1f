"""The pain-pathway schematic as a displayable figure with its text description (no controls).

``pathway_figure(story)`` returns a :class:`PathwayFigure`: ``.figure`` (a 16:9 matplotlib Figure),
``.description`` (the alt text), ``.widget`` (image + description, displayed as one widget) and
``.export(...)`` (PNG/SVG/PDF with the description as alt text, like every panel's Export button).
"""
from __future__ import annotations

import html
import io

import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .. import _validate as v
from .. import export, style
from ..plots import pathway as plot
from ._base import SCREEN_DPI

__all__ = ["PathwayFigure", "pathway_figure", "PANELS"]

_COMMON = ("Schematic of the pain pathway. A peripheral nociceptor sends its signal to a synapse in the dorsal "
           "horn of the spinal cord, where NMDA receptors amplify it; from there it ascends to the thalamus and "
           "on to the cortex (somatosensory cortex for where and how strong; anterior cingulate, orbitofrontal "
           "cortex and insula for how unpleasant). From the cortex, descending control runs through the "
           "periaqueductal grey (PAG) in the midbrain to the rostral ventromedial medulla (RVM), which sends "
           "both inhibition and facilitation back to the dorsal horn.")

_STORY_TEXT = {
    "overview": ("Numbered badges mark where ketamine acts: (1) it blocks the open NMDA-receptor channel at the "
                 "dorsal-horn synapse; (2) it damps wind-up and sensitisation in the dorsal horn; (3) it shifts "
                 "the balance of inhibition and facilitation from the PAG and RVM, in a direction that differs "
                 "between healthy volunteers and chronic-pain patients."),
    "receptor": ("Badge 1 highlights the dorsal-horn synapse: ketamine blocks the open NMDA-receptor channel "
                 "and stays trapped in it after the channel closes."),
    "spinal": ("Badge 2 highlights the dorsal horn: by blocking NMDA receptors, ketamine damps wind-up and "
               "central sensitisation, the amplification that builds up with repeated input."),
    "descending": ("Badge 3 highlights the PAG and RVM: ketamine shifts the balance between descending "
                   "inhibition and facilitation. In healthy volunteers S-ketamine abolished conditioned pain "
                   "modulation and produced net facilitation (Niesters 2011); in chronic-pain patients with "
                   "impaired modulation it is reported to restore it (Niesters 2013, details unverified)."),
}


class PathwayFigure:
    """The pathway schematic for one story: ``figure``, ``description``, ``widget``; displays as one widget."""

    name = "pathway"

    def __init__(self, story: str = "overview", *, look: str = "notebook"):
        self.story = v.choice(story, "story", plot.STORIES)
        self.look = v.choice(look, "look", style.SHEETS)
        with style.context(self.look):
            self.figure = Figure(dpi=SCREEN_DPI)
            FigureCanvasAgg(self.figure)
            ax = self.figure.add_subplot()
            self.artists = plot.schematic(ax, self.story)
        self.description = f"{_COMMON} {_STORY_TEXT[self.story]}"
        image = W.Image(value=self.render_png(), format="png",
                        layout=W.Layout(width="100%", max_width="1100px", height="auto", object_fit="contain"))
        text = W.HTML(f"<p style='font-size:1.05em;line-height:1.45'>{html.escape(self.description)}</p>",
                      layout=W.Layout(max_width="1100px"))
        self.widget = W.VBox([image, text], layout=W.Layout(width="100%"))
        self.widget.add_class("helpers-panel")

    def render_png(self) -> bytes:
        """The figure as PNG bytes at screen resolution."""
        self.figure.canvas.draw()
        buf = self.figure.canvas.buffer_rgba()
        h, w = int(buf.shape[0]), int(buf.shape[1])
        out = io.BytesIO()
        Image.frombuffer("RGBA", (w, h), buf, "raw", "RGBA", 0, 1).convert("RGB").save(out, format="png")
        return out.getvalue()

    def export(self, folder=None, stem: str | None = None, formats=("png", "svg", "pdf")):
        """Write the figure (PNG 1920x1080, SVG, PDF) with the description as alt text; return the paths."""
        return export.save_figure(self.figure, folder, stem or f"pathway_{self.story}",
                                  alt_text=self.description, formats=formats)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def pathway_figure(story: str = "overview", look: str = "notebook") -> PathwayFigure:
    """The pain-pathway schematic with ketamine's sites for ``story`` ("overview", "receptor", "spinal",
    "descending"), as a non-interactive figure with its text description."""
    return PathwayFigure(story, look=look)


_NOTEBOOKS = {"overview": "00_start_here", "receptor": "01_nmda_receptor_blockade",
              "spinal": "02_central_sensitization", "descending": "03_descending_inhibition"}
_CAPTIONS = {"overview": "The pain pathway and the three places ketamine acts",
             "receptor": "The pain pathway: ketamine at the NMDA receptor",
             "spinal": "The pain pathway: ketamine in the dorsal horn (wind-up, sensitisation)",
             "descending": "The pain pathway: ketamine and the PAG/RVM balance"}


def _register(story: str) -> None:
    @export.register(f"pathway_{story}", caption=_CAPTIONS[story], notebook=_NOTEBOOKS[story])
    def _build(look):
        p = PathwayFigure(story, look=look)
        return p.figure, p.description


for _story in plot.STORIES:
    _register(_story)

#: No panel with controls here (the schematic has none).
PANELS: dict = {}
