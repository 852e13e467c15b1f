"""The pain-pathway schematic as a displayable figure with its text description (no controls).

``overview(story)`` returns a :class:`Schematic`, a :class:`~helpers.panels.Panel` without controls:
``.figure`` (a 16:9 matplotlib Figure), ``.description`` (the alt text), ``.widget`` (Presenter and Export,
image, description, displayed as one widget) and ``.export(...)`` (PNG/SVG/PDF with the description as alt
text, the same Export button as every panel). The composed model is :mod:`helpers.models.pathway`; this is
only its picture.
"""
from __future__ import annotations

from .. import _validate as v
from ..plots import schematic as plot
from ._base import Panel

__all__ = ["Schematic", "overview", "STORIES", "PANELS"]

#: The stories the schematic tells: the whole pathway, or the site one notebook is about.
STORIES = plot.STORIES

_COMMON = ("Schematic of the pain pathway. A peripheral nociceptor sends its signal to a synapse in the dorsal "
           "horn of the spinal cord, where NMDA receptors amplify it; from there it ascends to the thalamus and "
           "on to the cortex (somatosensory cortex for where and how strong; anterior cingulate and orbitofrontal "
           "cortex for how unpleasant; the insula for both intensity and unpleasantness). From the cortex, "
           "descending control runs through the periaqueductal grey (PAG) in the midbrain to the rostral "
           "ventromedial medulla (RVM), which sends both inhibition and facilitation back to the dorsal horn.")

_STORY_TEXT = {
    "overview": ("Numbered badges mark where ketamine acts: (1) it blocks the open NMDA-receptor channel at the "
                 "dorsal-horn synapse; (2) it damps wind-up and sensitisation in the dorsal horn; (3) it shifts "
                 "the balance of descending inhibition and facilitation: towards facilitation in healthy "
                 "volunteers (Niesters 2011) and, reportedly, back towards inhibition in chronic-pain patients "
                 "(Niesters 2013, details unverified). The badge sits on the PAG and RVM, but where this happens "
                 "is a hypothesis: the schematic places it there."),
    "receptor": ("Badge 1 highlights the dorsal-horn synapse: ketamine blocks the open NMDA-receptor channel "
                 "and stays trapped in it after the channel closes."),
    "spinal": ("Badge 2 highlights the dorsal horn: by blocking NMDA receptors, ketamine damps wind-up and "
               "central sensitisation, the amplification that builds up with repeated input."),
    "descending": ("Badge 3 highlights the PAG and RVM: ketamine shifts the balance between descending "
                   "inhibition and facilitation (where this happens is a hypothesis: the schematic places it in "
                   "the PAG and RVM). In healthy volunteers S-ketamine abolished conditioned pain modulation and "
                   "produced net facilitation (Niesters 2011); in chronic-pain patients with impaired modulation "
                   "it is reported to restore it (Niesters 2013, details unverified)."),
}


class Schematic(Panel):
    """The pain-pathway schematic for one story, as a house panel without controls.

    Presenter and Export, the figure and its description; displays as one widget.

    Parameters
    ----------
    story : {"overview", "receptor", "spinal", "descending"}, optional
        Which of ketamine's sites to mark (one of :data:`STORIES`).
    look : {"notebook", "presenter", "slides-light", "slides-dark"}, optional
        The style sheet the figure is drawn in.

    References
    ----------
    The descending story's direction: Niesters 2011 and Niesters 2013 (details unverified), keys
    ``niesters_2011`` and ``niesters_2013`` of :func:`helpers.evidence.references`.
    """

    name = "schematic"
    title = "The pain pathway"

    def __init__(self, story: str = "overview", *, look: str = "notebook"):
        self.story = v.choice(story, "story", STORIES)
        super().__init__(look=look)

    def make_controls(self):
        """No controls: the schematic does not move.

        Returns
        -------
        dict
            An empty dict.
        """
        return {}

    def compute(self):
        """The story is all the figure depends on.

        Returns
        -------
        str
            The story.
        """
        return self.story

    def setup(self, fig) -> None:
        """Draw the schematic once per figure.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The panel's empty figure.
        """
        self.artists = plot.pain_pathway(fig.add_subplot(), self.story)

    def draw(self, result) -> None:
        """Nothing to redraw: a schematic does not move.

        Parameters
        ----------
        result : str
            The story (unused).
        """

    def describe(self, result):
        """The text alternative: the whole pathway, then what the story's badges mean.

        Parameters
        ----------
        result : str
            The story.

        Returns
        -------
        str
            The description.
        """
        return f"{_COMMON} {_STORY_TEXT[result]}"

    def export(self, folder=None, stem: str | None = None, formats=("png", "svg", "pdf")):
        """Write the figure with the description as alt text, as the Export button does.

        Parameters
        ----------
        folder : str or pathlib.Path, optional
            Where to write; default the panel's "Export to" box.
        stem : str, optional
            File name without extension; default ``pathway_<story>`` (the published figure names).
        formats : sequence of {"png", "svg", "pdf"}, optional
            Formats to write (PNG 1920x1080 px).

        Returns
        -------
        list of pathlib.Path
            The files written, the ``.alt.txt`` last.
        """
        return super().export(folder, stem or f"pathway_{self.story}", formats)


def overview(story: str = "overview", *, look: str = "notebook") -> Schematic:
    """The pain-pathway schematic with ketamine's sites, as a figure with its text description (no controls).

    Parameters
    ----------
    story : {"overview", "receptor", "spinal", "descending"}, optional
        Which of ketamine's sites to mark: all three, or the one a topic notebook is about.
    look : {"notebook", "presenter", "slides-light", "slides-dark"}, optional
        The style sheet the figure is drawn in.

    Returns
    -------
    Schematic
        The panel; a notebook cell that ends with it displays it.
    """
    return Schematic(story, look=look)


#: No panel with controls here (the schematic has none).
PANELS: dict = {}
