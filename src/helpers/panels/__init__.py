"""Interactive panels (ipywidgets): controls + figure + description + presets + Reset + Presenter + Export."""
from ._base import Panel, figure_arrays
from ._quiz import Quiz, quiz

__all__ = ["Panel", "figure_arrays", "Quiz", "quiz"]
