"""The pain pathway as a schematic: boxes, arrows and text only (no image files).

Ascending: peripheral nociceptor -> dorsal-horn synapse (NMDA receptors amplify) -> thalamus -> cortex
(somatosensory; anterior cingulate (ACC), orbitofrontal cortex, insula). Descending: cortex -> PAG -> RVM ->
dorsal horn, with an inhibitory and a facilitatory arrow. Numbered badges mark where ketamine acts in each
story ("overview", "receptor", "spinal", "descending"); a key box in the lower right says what it does there.

Layout is in data units on a 16 x 9 canvas (the axes are switched off), text sizes come from rcParams
(``font.size`` of the active sheet), colours are cycle references, so the same call is right in the notebook,
presenter and slide looks. Every labelled artist carries a ``gid`` ("box:<site>", "ketamine:<site>",
"arrow:<name>", "key") so tests and other code can find it.
"""
from __future__ import annotations

import matplotlib as mpl
from matplotlib.colors import to_rgba

from .. import _validate as v
from ..style import ROLE

__all__ = ["STORIES", "SITES", "KETAMINE_SITES", "pain_pathway"]

#: The stories a notebook can tell with this figure.
STORIES = ("overview", "receptor", "spinal", "descending")

#: Box name -> (x, y, label) on the 16 x 9 canvas (centre of the text).
SITES = {
    "cortex": (4.9, 7.5, "cortex\nsomatosensory: where, how strong\nACC, orbitofrontal: unpleasant\n"
                      "insula: strength, unpleasantness"),
    "thalamus": (6.0, 4.75, "thalamus"),
    "pag": (12.3, 4.75, "PAG\n(midbrain)"),
    "rvm": (12.3, 2.6, "RVM\n(medulla)"),
    "nociceptor": (1.3, 0.95, "peripheral\nnociceptor"),
    "dorsal_horn": (6.0, 0.95, "dorsal-horn synapse\nNMDA receptors amplify"),
}

#: Ketamine site -> (badge number, box it sits on, badge anchor as fraction of that box, short key text,
#: longer key text for a story about that site alone).
KETAMINE_SITES = {
    "receptor": ("1", "dorsal_horn", (0.0, 1.0), "blocks NMDA channels",
                 "blocks the open NMDA-receptor\n   channel and stays trapped"),
    "spinal": ("2", "dorsal_horn", (0.82, 1.0), "damps wind-up",
               "damps wind-up and central\n   sensitisation in the dorsal horn"),
    "descending": ("3", "pag", (0.0, 0.5), "shifts the descending balance\n   (site: a hypothesis)",
                   "shifts the descending\n   balance (site: a hypothesis):\n"
                   "   healthy: CPM lost\n   patients: CPM restored"),
}

_STORY_SITES = {
    "overview": ("receptor", "spinal", "descending"),
    "receptor": ("receptor",),
    "spinal": ("spinal",),
    "descending": ("descending",),
}

_HIGHLIGHT_BOXES = {"receptor": ("dorsal_horn",), "spinal": ("dorsal_horn",), "descending": ("pag", "rvm")}

_PAD = 0.35  # box padding, as a fraction of the font size


def pain_pathway(ax, story: str = "overview") -> dict:
    """Draw the pain pathway and mark where ketamine acts in one story.

    The axes are switched off and set to a 16 x 9 data canvas; call it on an axes that fills a 16:9 figure.
    Text sizes follow rcParams, so use it inside ``style.context(...)``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw on.
    story : {"overview", "receptor", "spinal", "descending"}, optional
        Which ketamine sites to badge and highlight (one of :data:`STORIES`).

    Returns
    -------
    dict of str to matplotlib.artist.Artist
        The artists by gid: ``"box:<site>"``, ``"ketamine:<site>"``, ``"arrow:<name>"`` and ``"key"``.

    References
    ----------
    The descending story's direction follows Niesters 2011 (healthy volunteers) and Niesters 2013 (patients,
    details unverified): keys ``niesters_2011`` and ``niesters_2013`` of :func:`helpers.evidence.references`.
    """
    v.choice(story, "story", STORIES)
    ax.set_xlim(0, 16)
    ax.set_ylim(0, 9)
    ax.set_axis_off()
    fontsize = mpl.rcParams["font.size"]
    fg = to_rgba(mpl.rcParams["text.color"])
    bg = to_rgba(mpl.rcParams["axes.facecolor"])
    # Resolve cycle references now: text colours are otherwise looked up at draw time, which may happen
    # outside the style context (panels render and export after leaving it).
    keta = to_rgba(ROLE["ketamine"])
    marked = _STORY_SITES[story]
    highlighted = {b for site in marked for b in _HIGHLIGHT_BOXES[site]}
    artists: dict = {}

    # Boxes: text with a bbox patch sized to the text, so nothing overflows whatever the font size.
    for name, (x, y, label) in SITES.items():
        hot = name in highlighted
        box = ax.text(x, y, label, ha="center", va="center", ma="center", linespacing=1.25, zorder=3,
                      fontweight="normal",
                      bbox=dict(boxstyle=f"round,pad={_PAD}", facecolor=keta if hot else bg,
                                alpha=None, edgecolor=keta if hot else fg,
                                linewidth=2.6 if hot else 1.2))
        if hot:
            box.get_bbox_patch().set_facecolor(to_rgba(keta, 0.16))
        box.set_gid(f"box:{name}")
        box.get_bbox_patch().set_gid(f"boxpatch:{name}")
        artists[f"box:{name}"] = box

    shrink = _PAD * fontsize + 3  # points: start and stop arrows at the box edge, not the text edge

    def arrow(gid, src, dst, src_xy, dst_xy, color, style="-|>", rad=0.0, lw=1.8, label=None, label_xy=None,
              label_ha="center"):
        ann = ax.annotate("", xy=dst_xy, xycoords=artists[f"box:{dst}"], xytext=src_xy,
                          textcoords=artists[f"box:{src}"], zorder=2,
                          arrowprops=dict(arrowstyle=style, color=color, lw=lw, shrinkA=shrink, shrinkB=shrink,
                                          mutation_scale=max(12.0, fontsize * 1.3),
                                          connectionstyle=f"arc3,rad={rad}"))
        ann.set_gid(f"arrow:{gid}")
        artists[f"arrow:{gid}"] = ann
        if label:
            txt = ax.text(*label_xy, label, ha=label_ha, va="center", color=color, zorder=3,
                          fontsize="medium")
            txt.set_gid(f"label:{gid}")
            artists[f"label:{gid}"] = txt

    neutral = to_rgba(ROLE["control"])
    arrow("input", "nociceptor", "dorsal_horn", (1.0, 0.5), (0.0, 0.5), neutral)
    arrow("ascending", "dorsal_horn", "thalamus", (0.5, 1.0), (0.5, 0.0), neutral,
          label="ascending", label_xy=(4.3, 2.85), label_ha="center")
    arrow("to_cortex", "thalamus", "cortex", (0.5, 1.0), (0.5, 0.0), neutral)
    arrow("top_down", "cortex", "pag", (1.0, 0.05), (0.35, 1.0), neutral)
    arrow("pag_rvm", "pag", "rvm", (0.5, 0.0), (0.5, 1.0), neutral,
          label="descending", label_xy=(14.45, 3.68), label_ha="center")
    arrow("inhibition", "rvm", "dorsal_horn", (0.0, 0.75), (1.0, 0.62), to_rgba("C2"),
          style="-[, widthB=0.7, lengthB=0", rad=0.15, lw=2.2,
          label="inhibition (−)", label_xy=(9.6, 3.25))
    arrow("facilitation", "rvm", "dorsal_horn", (0.0, 0.1), (1.0, 0.15), to_rgba("C1"), style="-|>", rad=-0.15,
          lw=2.2, label="facilitation (+)", label_xy=(11.6, 0.5))

    # Ketamine badges: numbered circles on the corners of the boxes where it acts.
    for site in marked:
        number, box_name, anchor = KETAMINE_SITES[site][:3]
        badge = ax.annotate(number, xy=anchor, xycoords=artists[f"box:{box_name}"], ha="center", va="center",
                            color=bg, fontweight="bold", zorder=5,
                            xytext=_badge_offset(anchor, fontsize),
                            textcoords="offset points",
                            bbox=dict(boxstyle="circle,pad=0.2", facecolor=keta, edgecolor=keta))
        badge.set_gid(f"ketamine:{site}")
        artists[f"ketamine:{site}"] = badge

    # Key: what ketamine does at each marked site.
    text_index = 3 if len(marked) > 1 else 4
    key_lines = ["ketamine acts here:"] + [f"{KETAMINE_SITES[s][0]}  {KETAMINE_SITES[s][text_index]}"
                                           for s in marked]
    key = ax.text(15.8, 8.75, "\n".join(key_lines), ha="right", va="top", ma="left", linespacing=1.3,
                  color=fg, zorder=4, fontsize="medium",
                  bbox=dict(boxstyle=f"round,pad={_PAD}", facecolor=bg, edgecolor=keta, linewidth=1.6))
    key.set_gid("key")
    artists["key"] = key
    return artists


def _badge_offset(anchor, fontsize):
    """Offset (points) that puts a badge just outside the box corner or side it is anchored to."""
    ax_, ay = anchor
    dx = -(_PAD + 0.9) * fontsize if ax_ == 0 and ay not in (0, 1) else 0.0
    dy = (_PAD + 0.75) * fontsize if ay == 1 else (-(_PAD + 0.75) * fontsize if ay == 0 else 0.0)
    return dx, dy
