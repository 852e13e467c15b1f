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

import asyncio
import base64
import html
import inspect
import sys
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
from ._widgets import (
    PANEL_CSS,
    PRESENTER_CLASS,
    check_value,
    description_html,
    fit_control,
    reserved_lines,
    same_grid_point,
)

__all__ = ["Panel"]

#: How many recent update times a panel keeps (enough for a benchmark run; bounded for a long class).
RECENT_UPDATES = 200
#: A value from the browser that arrives within this many seconds of the last frame is part of a drag (the front
#: end sends the next value as soon as the kernel is idle): its frame is sent without the description.
DRAFT_GAP_S = 0.1
#: Quiet time after such a frame before the description follows (its live region is announced once per drag).
SETTLE_S = 0.12
#: Colour of an export error: dark enough for WCAG AA (4.5:1) on a white page (Okabe-Ito vermillion is 3.9:1).
ERROR_COLOUR = "#A63D00"


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
        The style sheet the figure is drawn in; default the state's look, else "notebook".
    state : dict, optional
        A saved :attr:`state` to open on (its preset, control values and look); it replaces ``preset``, and
        ``look`` and ``**values`` given here override it. Reset returns to it.
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
    downloads : dict of str to bytes
        The files of the last export (name to contents), as offered to the browser for download.
    """

    name: str = ""
    title: str = ""
    #: Controls that get a wide layout (e.g. long dropdowns).
    wide: tuple[str, ...] = ()

    def __init__(self, preset: str | None = None, *, look: str | None = None, state: Mapping | None = None,
                 **values: Any):
        if state is not None:
            preset, look, values = self._from_state(state, look, values)
        look = "notebook" if look is None else look
        v.choice(look, "look", style.SHEETS)
        self._look = look
        # Decided once, when the panel is made: an app's visitor gets no folder field and downloads only.
        self._served = export.served()
        self.downloads: dict[str, bytes] = {}
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
        self._folder = W.Text(value=export.display_path(export.user_folder()), description="Export to",
                              tooltip="Folder, relative to this notebook", layout=W.Layout(width="220px"),
                              style={"description_width": "initial"})
        self._export = W.Button(description="Export", icon="download", button_style="",
                                tooltip=("Download this figure as PNG (1920x1080), SVG and PDF, with its description "
                                         "and settings" + ("" if self._served else ", and save them in the folder")),
                                layout=W.Layout(width="auto"))
        # Sizes come from PANEL_CSS (an inline width of 100 % plus ipywidgets' margins overflowed the notebook).
        self._image = W.Image(format="png")
        self._image.add_class("helpers-figure")
        self._text = W.HTML(layout=W.Layout(max_width="1100px"))
        self._text.add_class("helpers-description")
        self._text_lines = 0  # lines reserved for the description: it only grows, so presets do not shift the page
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
        controls_box.add_class("helpers-controls")
        self._folder.add_class("helpers-folder")
        # A figure without controls (a schematic) has nothing to preset or reset: Presenter and Export only.
        tools = [self._preset, self._reset] if self.controls else []
        # Folder, button and result stay together, so the result shows where the user pressed; an app's visitor
        # gets no folder to choose.
        # The folder and the button never part (the button alone on a row looked like a stray control).
        export_pair = W.HBox(([] if self._served else [self._folder]) + [self._export])
        export_pair.add_class("helpers-export")
        self._export_group = W.HBox([export_pair, self._status],
                                    layout=W.Layout(flex_flow="row wrap", align_items="center"))
        toolbar = W.HBox(tools + [self._presenter, self._export_group],
                         layout=W.Layout(flex_flow="row wrap", align_items="center"))
        toolbar.add_class("helpers-tools")
        parts = [toolbar, controls_box] if self.controls else [toolbar]
        css = W.HTML(f"<style>{PANEL_CSS}</style>", layout=W.Layout(display="none"))
        self.widget = W.VBox(parts + [self._image, self._text, css], layout=W.Layout(width="100%"))
        self.widget.add_class("helpers-panel")
        self._show_look()
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

    @property
    def state(self) -> dict[str, Any]:
        """What rebuilds this figure, as a small JSON-able dict; ``type(panel)(state=panel.state)`` draws the same.

        Keys: ``panel`` (``"<topic>.<name>"``, as in :func:`helpers.panels.all_panels`), ``look``, ``preset`` (the
        preset shown, ``""`` once a control has moved) and ``values`` (every control); ``options`` holds the
        constructor's arguments that are not controls (the schematic's ``story``) when there are any.
        """
        state = {"panel": self.panel_id(), "look": self._look, "preset": self._preset.value, "values": self.values}
        options = self._state_options()
        if options:
            state["options"] = options
        return state

    @classmethod
    def panel_id(cls) -> str:
        """The panel's name in states and in the figure table.

        Returns
        -------
        str
            ``"<topic>.<key>"``: the topic module's last name and the class's key in its ``PANELS`` (the class
            name for a panel not listed there, such as the schematic).
        """
        topic = cls.__module__.rpartition(".")[2]
        for key, klass in getattr(sys.modules.get(cls.__module__), "PANELS", {}).items():
            if klass is cls:
                return f"{topic}.{key}"
        return f"{topic}.{cls.__name__}"

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
            self._show_look()
            self.update()
        return self

    def export(self, folder=None, stem: str | None = None, formats=("png", "svg", "pdf")) -> list[Path]:
        """Export the figure as shown, as the Export button does: download links, and files in a folder.

        Makes the figure files, the ``.alt.txt`` (the description) and the ``.state.json`` (:attr:`state`, also
        embedded in the PNG and SVG), offers each as a download link next to the button (so they reach the
        user's own machine when the kernel runs on a server) and, in JupyterLab, writes them to the folder.
        When the collection is served to visitors (:func:`helpers.export.served`), nothing is written on the
        server and no folder may be given. Messages show paths relative to the notebook, never absolute ones.

        Parameters
        ----------
        folder : str or pathlib.Path, optional
            Where to write; default the panel's "Export to" box, else :func:`helpers.export.user_folder`
            (``exports/`` beside the notebook). Any folder in JupyterLab; none in served mode.
        stem : str, optional
            File name without extension; default the panel name and a time stamp.
        formats : sequence of {"png", "svg", "pdf"}, optional
            Formats to write (PNG 1920x1080 px).

        Returns
        -------
        list of pathlib.Path
            The files written, the ``.alt.txt`` and ``.state.json`` last; empty in served mode.

        Raises
        ------
        ValueError
            For a folder in served mode, a folder that is a file, or a bad stem or format.
        """
        stem = stem or f"{self.name}_{time.strftime('%Y%m%d-%H%M%S')}"
        self._export.disabled, self._export.description = True, "Exporting…"
        self._status.value = "<span role='status' aria-live='polite'>Exporting…</span>"
        served = self._served or export.served()
        try:
            if served:
                target = None if folder is None else export.resolve_folder(folder, served_mode=True)
            else:
                typed = folder if folder is not None else (self._folder.value.strip() or export.user_folder())
                target = export.resolve_folder(typed, served_mode=False)
            with style.context(self._look):
                files = export.render_files(self.figure, stem, alt_text=self.description, formats=formats,
                                            state=self.state)
            paths = [] if target is None else export.write_files(target, files)
        except (ValueError, OSError) as exc:
            self._status.value = (f"<span role='status' aria-live='polite' style='color:{ERROR_COLOUR}'>"
                                  f"Export failed: {html.escape(_safe_message(exc))}</span>")
            raise
        finally:
            self._export.disabled, self._export.description = False, "Export"
            self.renderer.invalidate()  # savefig re-rendered the canvas at export size
            self._image.value = self.render_png()
        self.downloads = files
        links = export.download_links(files)
        if target is None:
            said = f"Ready, nothing kept on the server. Download: {links}"
        else:
            said = (f"Saved {len(paths)} files to <code>{html.escape(export.display_path(target))}</code>. "
                    f"Download: {links}")
        self._status.value = f"<span role='status' aria-live='polite'>{said}</span>"
        return paths

    def update(self, *, draft: bool = False) -> None:
        """Recompute, redraw in place and refresh the description.

        Parameters
        ----------
        draft : bool, optional
            A frame while values are still arriving (a slider being dragged): the picture is sent and the
            description waits until no value has come for :data:`SETTLE_S` seconds (a screen reader then announces
            it once, and the browser has one message fewer per frame). Needs a running event loop (the kernel's);
            without one it is ignored.
        """
        t0 = time.perf_counter()
        draft = draft and _running_loop() is not None
        self.result = self.compute(**self.values)
        with style.context(self._look):  # one context for draw and render (entering one costs ~1 ms)
            self.draw(self.result)
            picture = self._render(full=False)
        self.description = self.describe(self.result)
        # The picture goes first: the browser starts decoding it while the text message is still on its way.
        self._description_due = draft
        self._show_picture(picture)
        if draft:
            self._settle_later()
        else:
            self._show_description()
        self.update_count += 1
        self.update_ms.append((time.perf_counter() - t0) * 1e3)
        self._frame_end = time.monotonic()

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
    def _state_options(self) -> dict[str, Any]:
        # A subclass's own constructor arguments (the schematic's story) kept under the same attribute name.
        skip = {"self", "preset", "look", "state"}
        kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        params = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name, p in params.items()
                if name not in skip and p.kind in kinds and hasattr(self, name)}

    def _from_state(self, state, look, values):
        if not isinstance(state, Mapping):
            raise ValueError(f"state must be a dict as Panel.state gives it, got {state!r}")
        allowed = {"panel", "look", "preset", "values", "options"}
        extra = sorted(set(state) - allowed)
        if extra:
            raise ValueError(f"state keys must be among {sorted(allowed)}, got {extra}")
        spec = self.panel_id()
        if state.get("panel", spec) != spec:
            raise ValueError(f"state['panel'] must be {spec!r} for this panel, got {state.get('panel')!r}")
        preset = state.get("preset") or None
        if preset is not None and not isinstance(preset, str):
            raise ValueError(f"state['preset'] must be a preset name or '', got {preset!r}")
        saved = state.get("values", {})
        if not isinstance(saved, Mapping):
            raise ValueError(f"state['values'] must be a dict of control values, got {saved!r}")
        options, mine = state.get("options", {}), self._state_options()
        if not isinstance(options, Mapping) or any(k not in mine or mine[k] != val for k, val in options.items()):
            raise ValueError(f"state['options'] must match this panel's arguments {mine}, got {options!r}")
        return preset, (state.get("look", "notebook") if look is None else look), {**saved, **values}

    def _render(self, *, full: bool) -> bytes:
        return self.renderer.render(dynamic=self.dynamic, overlays=self.overlays, static_key=self.static_key(),
                                    full=full)

    # ---- frames while a slider is dragged: the description waits until the values stop -----------------
    _frame_end = float("-inf")  # time.monotonic() at the end of the last update
    _description_due = False    # the picture on screen is a drag frame; its description has not been sent
    _settle_timer = None        # the event loop's handle for it

    def _show_picture(self, picture: bytes) -> None:
        with self._image.hold_sync():  # format and bytes in one message
            self._image.format = self.renderer.format
            self._image.value = picture

    def _streaming(self, owner) -> bool:
        # A drag: the value comes from the browser (ipywidgets locks the property while it applies a browser
        # value) and follows the last frame closely. Python-side changes always get the lossless frame at once.
        return bool(owner._property_lock) and time.monotonic() - self._frame_end < DRAFT_GAP_S

    def _settle_later(self) -> None:
        if self._settle_timer is not None:
            self._settle_timer.cancel()
        self._settle_timer = _running_loop().call_later(SETTLE_S, self._settle)

    def _settle(self) -> None:
        # Values have stopped: the description of the picture on screen (its live region is announced once, not
        # at every frame of the drag).
        self._settle_timer = None
        if not self._description_due:
            return
        self._description_due = False
        self._show_description()

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
        self.update(draft=self._streaming(change["owner"]))

    def _on_preset(self, change) -> None:
        if self._holding or not change["new"]:
            return
        self.apply_preset(change["new"])

    def _on_presenter(self, change) -> None:
        if self._holding:
            return
        self.set_look("presenter" if change["new"] else "notebook")

    def _show_look(self) -> None:
        # The presenter look is a CSS class on the root box (bigger control text, compact controls, a figure
        # that fits a 720-px screen); the other looks change only the figure.
        widget = getattr(self, "widget", None)
        if widget is None:
            return
        if self._look == "presenter":
            widget.add_class(PRESENTER_CLASS)
        else:
            widget.remove_class(PRESENTER_CLASS)
        self._text_lines = 0
        self._show_description()

    def _show_description(self) -> None:
        presenter = self._look == "presenter"
        self._text.value = description_html(self.description, presenter=presenter)
        lines = reserved_lines(self.description, presenter=presenter)
        if lines > self._text_lines:
            self._text_lines = lines
            self._text.layout.min_height = f"{lines * 1.45 * (1.0 if presenter else 1.05):.2f}em"

    def _build_figure(self) -> None:
        with style.context(self._look):  # the figure takes the sheet's size and colours when it is made
            self.renderer = Renderer()
            self.figure = self.renderer.figure
            self.dynamic = []
            self.overlays = []
            self.setup(self.figure)


def _running_loop():
    """The running asyncio loop (the kernel's, inside a widget callback), or None (plain Python)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


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


def _safe_message(exc: Exception) -> str:
    """An export error as the panel may show it: an OS error's reason and its path relative to the notebook (the
    exception's own text carries the absolute path, which an app must not show its visitors)."""
    if isinstance(exc, OSError):
        where = f" ({export.display_path(exc.filename)})" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}"
    return str(exc)
