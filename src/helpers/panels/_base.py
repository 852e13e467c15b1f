"""The one pattern every interactive figure follows.

A panel is: presets + Reset + Presenter + Export on top, the controls, the figure (a PNG in an ``Image``
widget rendered from one persistent Agg figure, so the picture is swapped in place and never disappears),
a live one-paragraph description under it (also the exported figure's alt text) and an export status line.

This module is the state machine: which values the model runs with, presets, Reset, the look, Export, and the
order of an update. Drawing to PNG is :mod:`._render`'s job; the widget helpers are in :mod:`._widgets`.

Driven from Python exactly as a student drives it: ``panel.set(duration_h=100)``, then read
``panel.figure``, ``panel.result`` and ``panel.description``. Nothing here swallows an exception.
"""
from __future__ import annotations

import base64
import html
import time
from collections import deque
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as W
from matplotlib.figure import Figure

from .. import _validate as v
from .. import evidence, export, style
from ._render import Renderer
from ._widgets import check_value, fit_control, same_grid_point

__all__ = ["Panel"]

#: How many recent update times a panel keeps (enough for a benchmark run; bounded for a long class).
RECENT_UPDATES = 200


class Panel:
    """Controls, one figure, a live description, presets, Reset, Presenter and Export, wired to a model.

    A subclass supplies the science-free wiring: ``name`` (the key of its presets in ``data/presets/*.json``),
    :meth:`make_controls`, :meth:`compute`, :meth:`setup`, :meth:`draw` and :meth:`describe`. In ``setup`` it may
    list the artists ``draw`` changes in ``self.dynamic`` (they are blitted) and static artists that must stay on
    top of them in ``self.overlays``.

    Parameters
    ----------
    preset : str, optional
        Key of a preset of this panel to open on; ``None`` opens on the controls' defaults.
    look : {"notebook", "presenter", "slides-light", "slides-dark"}, optional
        The style sheet the figure is drawn in.
    **values
        Control values that override the preset (names are the keys of :meth:`make_controls`).

    Attributes
    ----------
    controls : dict of str to ipywidgets.ValueWidget
        The controls, keyed by the keyword names ``compute`` takes.
    figure : matplotlib.figure.Figure
        The figure as last drawn.
    result : object
        What ``compute`` returned for the current values.
    description : str
        The live text under the figure (the exported figure's alt text).
    renderer : Renderer
        Draws ``figure`` to PNG (blitting, cached background and overlays).
    widget : ipywidgets.VBox
        The whole panel, as displayed.
    update_count : int
        Updates run since the panel was made.
    update_ms : collections.deque of float
        Duration of the most recent updates (compute + draw + PNG + description), ms; at most
        :data:`RECENT_UPDATES` are kept.
    """

    name: str = ""
    title: str = ""
    #: Controls that get a wide layout (e.g. long dropdowns).
    wide: tuple[str, ...] = ()

    def __init__(self, preset: str | None = None, *, look: str = "notebook", **values: Any):
        v.choice(look, "look", style.SHEETS)
        self._look = look
        self._holding = False
        self.controls: dict[str, W.ValueWidget] = self.make_controls()
        self._table = evidence.presets(self.name) if self.name in evidence._all_presets() else {}
        self.result = None
        self.description = ""
        self.update_count = 0
        self.update_ms: deque[float] = deque(maxlen=RECENT_UPDATES)
        self.dynamic: list = []
        self.overlays: list = []

        self._preset = W.Dropdown(
            options=[("— choose a preset —", "")] + [(p["label"], k) for k, p in self._table.items()],
            value="", description="Preset", layout=W.Layout(width="auto", min_width="320px"),
            style={"description_width": "initial"}, disabled=not self._table)
        self._reset = W.Button(description="Reset", icon="undo", tooltip="Back to the opening case",
                               layout=W.Layout(width="auto"))
        self._presenter = W.ToggleButton(value=(look == "presenter"), description="Presenter",
                                         icon="desktop", tooltip="Big fonts and thick lines for a projector",
                                         layout=W.Layout(width="auto"))
        self._folder = W.Text(value=_display_folder(), description="Export to",
                              layout=W.Layout(width="260px"), style={"description_width": "initial"})
        self._export = W.Button(description="Export", icon="download", button_style="",
                                tooltip="Write this figure as PNG (1920x1080), SVG and PDF",
                                layout=W.Layout(width="auto"))
        self._image = W.Image(format="png", layout=W.Layout(width="100%", max_width="1100px",
                                                            height="auto", object_fit="contain"))
        self._text = W.HTML(layout=W.Layout(max_width="1100px"))
        self._status = W.HTML(layout=W.Layout(max_width="1100px"))
        for widget in self.controls.values():
            fit_control(widget)
            widget.observe(self._on_change, names="value")
        # What the model runs with. A slider in the browser snaps a value that is off its step grid (a preset's
        # 35 mg/h on a log grid) and sends the snapped value back; that echo is not a student's move, so the
        # panel keeps the value it was given (see ``_on_change``).
        self._values = {k: w.value for k, w in self.controls.items()}
        self._key_of = {id(w): k for k, w in self.controls.items()}
        self._preset.observe(self._on_preset, names="value")
        self._reset.on_click(lambda _b: self.reset())
        self._presenter.observe(self._on_presenter, names="value")
        self._export.on_click(lambda _b: self.export())

        # The opening case: a preset, then explicit overrides. Reset returns here.
        opening = {k: w.value for k, w in self.controls.items()}
        if preset is not None:
            v.choice(preset, "preset", self._table)
            opening.update(self._table[preset]["values"])
        opening.update(values)
        self._opening = (preset or "", opening)
        self._build_figure()
        self._apply(opening, preset or "")

        controls_box = W.Box(list(self.controls.values()),
                             layout=W.Layout(display="flex", flex_flow="row wrap"))
        # A figure without controls (a schematic) has nothing to preset or reset: Presenter and Export only.
        tools = [self._preset, self._reset] if self.controls else []
        toolbar = W.HBox(tools + [self._presenter, self._folder, self._export],
                         layout=W.Layout(flex_flow="row wrap", align_items="center"))
        parts = [toolbar, controls_box] if self.controls else [toolbar]
        self.widget = W.VBox(parts + [self._image, self._text, self._status], layout=W.Layout(width="100%"))
        self.widget.add_class("helpers-panel")
        # Keys pressed on a control go to the control, never to the notebook around it (see _keys).
        from ._keys import keyboard_guard
        self.widget.children = (*self.widget.children, keyboard_guard())

    # ---- to be supplied by subclasses ----------------------------------------------------------------
    def make_controls(self) -> dict[str, W.ValueWidget]:
        """Make fresh control widgets.

        Returns
        -------
        dict of str to ipywidgets.ValueWidget
            The controls, keyed by the keyword names :meth:`compute` takes (empty for a figure without controls).
        """
        raise NotImplementedError

    def compute(self, **values):
        """Ask the models for what the figure and the description show.

        Parameters
        ----------
        **values
            The current control values, by name.

        Returns
        -------
        object
            A small frozen result; :meth:`draw` and :meth:`describe` read only it.
        """
        raise NotImplementedError

    def setup(self, fig: Figure) -> None:
        """Create the axes and artists, once per figure (again when the look changes).

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The empty figure, created in the panel's style sheet.
        """
        raise NotImplementedError

    def draw(self, result) -> None:
        """Update the artists made by :meth:`setup` in place.

        Parameters
        ----------
        result : object
            What :meth:`compute` returned.
        """
        raise NotImplementedError

    def describe(self, result) -> str:
        """The text description of the figure, numbers included.

        Parameters
        ----------
        result : object
            What :meth:`compute` returned.

        Returns
        -------
        str
            One paragraph, shown under the figure and used as the exported figure's alt text.
        """
        raise NotImplementedError

    def static_key(self):
        """What the cached background depends on besides the axes limits; override when ``draw`` changes it.

        Returns
        -------
        object
            Any hashable value; a change forces a full redraw. The default, ``None``, never changes.
        """
        return None

    # ---- public API -----------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The values the model runs with (a slider's snap of a preset value is not a change)."""
        return dict(self._values)

    @property
    def look(self) -> str:
        """The style sheet the figure is drawn in."""
        return self._look

    def set(self, **values: Any) -> Panel:
        """Set controls as a student would, in one update for the lot.

        Parameters
        ----------
        **values
            New values by control name.

        Returns
        -------
        Panel
            This panel, updated.

        Raises
        ------
        ValueError
            If a name is not a control of this panel or a value is one the widget cannot take.
        """
        self._apply(values, preset="")
        return self

    def apply_preset(self, key: str) -> Panel:
        """Set the controls to a named preset, as the Preset menu does.

        Parameters
        ----------
        key : str
            A preset of this panel (``evidence.presets(panel.name)``).

        Returns
        -------
        Panel
            This panel, updated.
        """
        v.choice(key, "preset", self._table)
        self._apply(dict(self._table[key]["values"]), preset=key)
        return self

    def reset(self) -> Panel:
        """Return to the opening case, as the Reset button does.

        Returns
        -------
        Panel
            This panel, updated.
        """
        preset, values = self._opening
        self._apply(dict(values), preset=preset)
        return self

    def set_look(self, look: str) -> Panel:
        """Rebuild the figure in another style sheet.

        Parameters
        ----------
        look : {"notebook", "presenter", "slides-light", "slides-dark"}
            The sheet to draw in.

        Returns
        -------
        Panel
            This panel, redrawn.
        """
        v.choice(look, "look", style.SHEETS)
        if look != self._look:
            self._look = look
            with self._hold():
                self._presenter.value = look == "presenter"
            self._build_figure()
            self.update()
        return self

    def export(self, folder=None, stem: str | None = None, formats=("png", "svg", "pdf")) -> list[Path]:
        """Write the figure as shown, with the description as alt text, as the Export button does.

        Parameters
        ----------
        folder : str or pathlib.Path, optional
            Where to write; default the panel's "Export to" box, else :func:`helpers.export.default_folder`.
        stem : str, optional
            File name without extension; default the panel name and a time stamp.
        formats : sequence of {"png", "svg", "pdf"}, optional
            Formats to write (PNG 1920x1080 px).

        Returns
        -------
        list of pathlib.Path
            The files written, the ``.alt.txt`` last.
        """
        folder = Path(folder if folder is not None else (self._folder.value.strip() or export.default_folder()))
        stem = stem or f"{self.name}_{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            with style.context(self._look):
                paths = export.save_figure(self.figure, folder, stem, alt_text=self.description, formats=formats)
        except (ValueError, OSError) as exc:
            self._status.value = f"<span style='color:#D55E00'>Export failed: {html.escape(str(exc))}</span>"
            raise
        finally:
            self.renderer.invalidate()  # savefig re-rendered the canvas at export size
            self._image.value = self.render_png()
        where = html.escape(str(folder.resolve()))
        names = ", ".join(html.escape(p.name) for p in paths)
        self._status.value = f"Wrote {names} to <code>{where}</code>"
        return paths

    def update(self) -> None:
        """Recompute, redraw in place and refresh the description."""
        t0 = time.perf_counter()
        self.result = self.compute(**self.values)
        with style.context(self._look):  # one context for draw and render (entering one costs ~1 ms)
            self.draw(self.result)
            png = self._render(full=False)
        self.description = self.describe(self.result)
        # The picture goes first: the browser starts decoding it while the text message is still on its way.
        self._image.value = png
        self._text.value = (f"<p role='status' aria-live='polite' style='font-size:1.05em;line-height:1.45'>"
                            f"{html.escape(self.description)}</p>")
        self.update_count += 1
        self.update_ms.append((time.perf_counter() - t0) * 1e3)

    def render_png(self, *, full: bool = False) -> bytes:
        """The figure as PNG bytes at screen resolution.

        Parameters
        ----------
        full : bool, optional
            Draw the whole figure instead of blitting the changed artists onto the cached background.

        Returns
        -------
        bytes
            An RGB PNG; the blitted and the full picture agree (the tests check it).
        """
        with style.context(self._look):
            return self._render(full=full)

    def _repr_mimebundle_(self, **kwargs):
        # Beside the live widget, a still copy for renderers that run no widgets (nbconvert, GitHub, nbviewer,
        # the handouts): the picture on screen now and its description. JupyterLab and Voila rank the widget
        # view first, so the copy shows only where the widget cannot.
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        png = self._image.value or self.render_png()
        bundle.update(_static_bundle(png, self.description, self.title or type(self).__name__))
        return bundle

    # ---- internals ------------------------------------------------------------------------------------
    def _render(self, *, full: bool) -> bytes:
        return self.renderer.render(dynamic=self.dynamic, overlays=self.overlays, static_key=self.static_key(),
                                    full=full)

    @contextmanager
    def _hold(self):
        previous, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = previous

    def _apply(self, values: Mapping[str, Any], preset: str) -> None:
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"control(s) {unknown} not in this panel; choose from {sorted(self.controls)}")
        checked = {k: check_value(k, self.controls[k], val) for k, val in values.items()}
        with self._hold():
            for key, val in checked.items():
                self.controls[key].value = val
                self._values[key] = self.controls[key].value
            self._preset.value = preset
        self.update()

    def _on_change(self, change) -> None:
        if self._holding:
            return
        key = self._key_of[id(change["owner"])]
        if same_grid_point(change["owner"], self._values[key], change["new"]):
            return  # the browser's echo, or its snap of our value to the slider's grid: not a move
        self._values[key] = change["new"]
        with self._hold():
            self._preset.value = ""
        self.update()

    def _on_preset(self, change) -> None:
        if self._holding or not change["new"]:
            return
        self.apply_preset(change["new"])

    def _on_presenter(self, change) -> None:
        if self._holding:
            return
        self.set_look("presenter" if change["new"] else "notebook")

    def _build_figure(self) -> None:
        with style.context(self._look):  # the figure takes the sheet's size and colours when it is made
            self.renderer = Renderer()
            self.figure = self.renderer.figure
            self.dynamic = []
            self.overlays = []
            self.setup(self.figure)


def _static_bundle(png: bytes, description: str, title: str) -> dict[str, str]:
    """The still copy of a panel: an ``image/png``, a ``text/html`` figure with its caption, a one-line text."""
    data = base64.b64encode(png).decode("ascii")
    text = html.escape(description)
    # The HTML carries the picture too: a renderer shows one type per output, and most pick HTML over PNG.
    figure = (f"<figure class='helpers-static-panel' style='margin:0 0 1em 0'>"
              f"<img src='data:image/png;base64,{data}' alt='{text}' style='max-width:100%;height:auto'>"
              f"<figcaption><b>{html.escape(title)}.</b> {text}</figcaption></figure>")
    summary = f"{title}: {description}"
    if len(summary) > 300:
        summary = summary[:299] + "…"
    return {"image/png": data, "text/html": figure, "text/plain": summary}


def _display_folder() -> str:
    folder = export.default_folder()
    try:
        return str(folder.relative_to(Path.cwd()))
    except ValueError:
        return str(folder)
