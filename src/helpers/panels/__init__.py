"""Interactive panels (ipywidgets): controls + figure + description + presets + Reset + Presenter + Export.

One module per notebook topic (``pk``, ``receptor``, ``spinal``, ``descending``, ``relief``) plus ``schematic`` (the
pain-pathway figure, no controls); each ends with ``PANELS = {name: class}``. Importing a panel module registers
nothing: the canonical figures are listed in :mod:`helpers.gallery`.
"""
from __future__ import annotations

import importlib

from ._base import Panel
from ._quiz import Quiz, QuizItem, quiz, quiz_item, quizzes, self_check

__all__ = ["Panel", "Quiz", "QuizItem", "quiz", "quiz_item", "quizzes", "self_check", "TOPICS", "all_panels"]

#: The topic modules, in notebook order (``schematic`` last: its ``PANELS`` is empty).
TOPICS = ("pk", "receptor", "spinal", "descending", "relief", "safety", "schematic")


def all_panels() -> dict[str, type]:
    """Every panel class of every topic module (importing the modules).

    Returns
    -------
    dict of str to type
        ``{"topic.name": class}`` for each entry of each topic module's ``PANELS``.
    """
    found = {}
    for topic in TOPICS:
        module = importlib.import_module(f"{__name__}.{topic}")
        for name, cls in module.PANELS.items():
            found[f"{topic}.{name}"] = cls
    return found
