"""Interactive panels (ipywidgets): controls + figure + description + presets + Reset + Presenter + Export."""
from ._base import Panel, figure_arrays

__all__ = ["Panel", "figure_arrays"]
