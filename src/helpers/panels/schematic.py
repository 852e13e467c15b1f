"""The pain-pathway schematic as a displayable figure with its text description (no controls).

``pathway_figure(story)`` returns a :class:`PathwayFigure`, a :class:`~helpers.panels.Panel` without controls:
``.figure`` (a 16:9 matplotlib Figure), ``.description`` (the alt text), ``.widget`` (Presenter and Export,
image, description, displayed as one widget) and ``.export(...)`` (PNG/SVG/PDF with the description as alt
text, the same Export button as every panel).
"""
from __future__ import annotations

from .. import _validate as v
from .. import export
from ..plots import pathway as plot
from ._base import Panel

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
                 "the balance of inhibition and facilitation from the PAG and RVM: towards facilitation in healthy "
                 "volunteers (Niesters 2011) and, reportedly, back towards inhibition in chronic-pain patients "
                 "(Niesters 2013, details unverified)."),
    "receptor": ("Badge 1 highlights the dorsal-horn synapse: ketamine blocks the open NMDA-receptor channel "
                 "and stays trapped in it after the channel closes."),
    "spinal": ("Badge 2 highlights the dorsal horn: by blocking NMDA receptors, ketamine damps wind-up and "
               "central sensitisation, the amplification that builds up with repeated input."),
    "descending": ("Badge 3 highlights the PAG and RVM: ketamine shifts the balance between descending "
                   "inhibition and facilitation. In healthy volunteers S-ketamine abolished conditioned pain "
                   "modulation and produced net facilitation (Niesters 2011); in chronic-pain patients with "
                   "impaired modulation it is reported to restore it (Niesters 2013, details unverified)."),
}


class PathwayFigure(Panel):
    """The pathway schematic for one story, in the house panel (no controls): Presenter and Export, the figure,
    its description. ``figure``, ``description``, ``widget``; displays as one widget."""

    name = "pathway"
    title = "The pain pathway"

    def __init__(self, story: str = "overview", *, look: str = "notebook"):
        self.story = v.choice(story, "story", plot.STORIES)
        super().__init__(look=look)

    def make_controls(self):
        return {}

    def compute(self):
        return self.story

    def setup(self, fig):
        self.artists = plot.schematic(fig.add_subplot(), self.story)

    def draw(self, result):
        pass  # a schematic: nothing moves

    def describe(self, result):
        return f"{_COMMON} {_STORY_TEXT[result]}"

    def export(self, folder=None, stem: str | None = None, formats=("png", "svg", "pdf")):
        """Write the figure (PNG 1920x1080, SVG, PDF) with the description as alt text; return the paths."""
        return super().export(folder, stem or f"pathway_{self.story}", formats)


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
