"""Interactive panels (ipywidgets): controls + figure + description + presets + Reset + Presenter + Export.

One module per notebook topic (``pk``, ``receptor``, ``spinal``, ``descending``, ``pathway``); each ends with
``PANELS = {name: class}`` and registers its canonical figures with :func:`helpers.export.register`.
"""
from __future__ import annotations

import importlib

from ._base import Panel, figure_arrays
from ._quiz import Quiz, QuizItem, quiz, quiz_item, quizzes, self_check

__all__ = ["Panel", "figure_arrays", "Quiz", "QuizItem", "quiz", "quiz_item", "quizzes", "self_check",
           "TOPICS", "all_panels"]

TOPICS = ("pk", "receptor", "spinal", "descending", "pathway")


def all_panels() -> dict[str, type]:
    """Every panel class of every topic module, as ``{"topic.name": class}`` (imports the modules)."""
    found = {}
    for topic in TOPICS:
        module = importlib.import_module(f"{__name__}.{topic}")
        for name, cls in module.PANELS.items():
            found[f"{topic}.{name}"] = cls
    return found
