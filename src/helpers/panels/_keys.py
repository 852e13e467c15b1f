"""Keyboard operation that stays inside a panel: an invisible front-end helper added to a panel's root box.

Why it is needed: in a JupyterLab notebook in command mode, Lumino turns keys such as ArrowDown, Enter, Space and
letters into notebook commands (move the cell cursor, insert cells, ...) unless the focused element or one of its
ancestors carries ``data-lm-suppress-shortcuts``. A focused ``<select>``, button, checkbox or radio is not an
editable field, so without that attribute the keys a student presses to operate a control edit the notebook
instead. ipywidgets cannot set arbitrary DOM attributes, so :class:`KeyboardGuard` (an ``anywidget``, its ES module
given inline, no network) does it when it renders. It also

* gives every slider handle an ``aria-valuetext`` equal to the readout the student sees (noUiSlider announces
  its internal number: the exponent of a log slider, the index of a selection slider);
* gives every checkbox the text beside it as its accessible name;
* turns the options of a radio group (a self-check) and of a ToggleButtons row into one Tab stop whose arrow
  keys move the choice;
* draws a visible focus ring (3 px, blue with at least 3:1 contrast on light and dark themes), scoped to the
  marked box;
* keeps key events from bubbling out of the box (the notebook otherwise moves focus to its active cell on any
  keydown that comes from elsewhere);
* lets Escape hand focus back to the notebook cell, so command-mode shortcuts work again from there.

Tab and Shift+Tab keep their browser behaviour. Outside JupyterLab (Voilà, VS Code) the attribute is inert and
the rest still applies.
"""
from __future__ import annotations

import re

import anywidget
import ipywidgets as W
import traitlets

__all__ = ["KeyboardGuard", "keyboard_guard", "PANEL_CLASS", "QUIZ_CLASS", "FOCUS_RING_PX"]

#: DOM class of a panel's root box (set with ``add_class``); the guard marks the closest ancestor with it.
PANEL_CLASS = "helpers-panel"
#: DOM class of a self-check's root box.
QUIZ_CLASS = "helpers-self-check"
#: Width of the focus ring, px (WCAG 2.2 "focus appearance" asks for at least 2 px).
FOCUS_RING_PX = 3

_CLASS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

# The front end. `render` may run before the view is attached to the page, so the enclosing box is looked up
# again on later animation frames until found.
_ESM = r"""
const SUPPRESS = 'data-lm-suppress-shortcuts';
const MARKED = 'helpers-keys';
let groupCounter = 0;

function text(node) {
  return node ? (node.textContent || '').replace(/\s+/g, ' ').trim() : '';
}

// A slider is announced by its readout (what the student reads), not by noUiSlider's internal number.
function syncSliders(root) {
  for (const slider of root.querySelectorAll('.widget-slider')) {
    const readout = slider.querySelector('.widget-readout');
    const label = text(slider.querySelector('.widget-label'));
    const said = text(readout);
    for (const handle of slider.querySelectorAll('.noUi-handle')) {
      if (said && handle.getAttribute('aria-valuetext') !== said) handle.setAttribute('aria-valuetext', said);
      if (label && handle.getAttribute('aria-label') !== label) handle.setAttribute('aria-label', label);
    }
  }
}

function labelCheckboxes(root) {
  for (const box of root.querySelectorAll('.widget-checkbox')) {
    const input = box.querySelector('input[type=checkbox]');
    if (!input) continue;
    const name = text(box.querySelector('.widget-label-basic')) || text(box.querySelector('.widget-label'));
    if (name && input.getAttribute('aria-label') !== name) input.setAttribute('aria-label', name);
  }
}

// Radios that share a name are one Tab stop and arrow keys move the choice (the browser does both).
function groupRadios(root) {
  for (const box of root.querySelectorAll('.widget-radio-box')) {
    if (!box.dataset.helpersGroup) box.dataset.helpersGroup = `helpers-radio-${Date.now()}-${++groupCounter}`;
    box.setAttribute('role', 'radiogroup');
    for (const input of box.querySelectorAll('input[type=radio]')) {
      if (input.name !== box.dataset.helpersGroup) input.name = box.dataset.helpersGroup;
    }
  }
}

// ToggleButtons: one Tab stop (the chosen button), arrows choose the next or previous option.
function rovingToggles(root) {
  for (const row of root.querySelectorAll('.widget-toggle-buttons')) {
    const buttons = [...row.querySelectorAll('button')];
    if (!buttons.length) continue;
    row.setAttribute('role', 'radiogroup');
    const active = buttons.find(b => b.classList.contains('mod-active')) || buttons[0];
    for (const b of buttons) {
      b.setAttribute('role', 'radio');
      b.setAttribute('aria-checked', String(b === active));
      const tab = b === active ? '0' : '-1';
      if (b.getAttribute('tabindex') !== tab) b.setAttribute('tabindex', tab);
    }
  }
}

function toggleKey(event) {
  const step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
  const button = event.target.closest && event.target.closest('.widget-toggle-buttons button');
  if (!step || !button) return false;
  const buttons = [...button.parentElement.querySelectorAll('button')].filter(b => !b.disabled);
  const i = buttons.indexOf(button);
  const next = buttons[(i + step + buttons.length) % buttons.length];
  if (next && next !== button) { next.click(); next.focus(); }
  event.preventDefault();
  return true;
}

function backToNotebook(root) {
  // JupyterLab keeps command-mode focus on the active cell's node (tabindex -1: focusable, not a Tab stop).
  for (const target of [root.closest('.jp-Cell'), root.closest('.jp-Notebook')]) {
    if (!target || !target.hasAttribute('tabindex')) continue;
    target.focus();
    if (document.activeElement === target) return true;
  }
  return false;
}

function attach(root) {
  root.setAttribute(SUPPRESS, 'true');
  root.classList.add(MARKED);
  const pass = () => { syncSliders(root); labelCheckboxes(root); groupRadios(root); rovingToggles(root); };
  pass();
  // Re-apply after any re-render (options rebuilt, readout text changed, noUiSlider rewriting its aria).
  const observer = new MutationObserver(pass);
  observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true,
                          attributeFilter: ['aria-valuetext', 'class']});
  const onKey = (event) => {
    if (event.key === 'Escape' && !event.defaultPrevented) {
      if (backToNotebook(root)) event.preventDefault();
    } else {
      toggleKey(event);
    }
    // The notebook's own keydown listener pulls focus back to its active cell when the key comes from outside
    // that cell (a panel in another cell than the active one): keys pressed in here are the panel's alone.
    event.stopPropagation();
  };
  root.addEventListener('keydown', onKey);
  return () => { observer.disconnect(); root.removeEventListener('keydown', onKey); };
}

export default {
  render({ model, el }) {
    let stop = null;
    let frame = 0;
    let tries = 0;
    const find = () => {
      const root = el.closest('.' + model.get('container_class'));
      if (root) { stop = attach(root); return; }
      if (++tries < 600) frame = requestAnimationFrame(find);  // about 10 s at 60 Hz, then give up
    };
    find();
    return () => { cancelAnimationFrame(frame); if (stop) stop(); };
  }
};
"""

# Scoped to boxes the guard marked: nothing outside the panels changes. `!important` because JupyterLab's and
# ipywidgets' own focus rules (a 1 px outline on buttons, none on selects) are more specific. The ring reaches
# only 2 px past the control (offset -1 px covers its 1 px border): ipywidgets boxes scroll (overflow: auto) and
# controls sit 2 px from their edge, so a wider ring is cut off at the top of a row. #1a73e8 has a contrast of
# 4.5:1 on white and 4.2:1 on JupyterLab's dark background (#111) (WCAG asks 3:1 for focus indicators).
_CSS = f"""
.helpers-keys :focus-visible,
.helpers-keys .noUi-handle:focus,
.helpers-keys input[type=radio]:focus,
.helpers-keys input[type=checkbox]:focus {{
  outline: {FOCUS_RING_PX}px solid #1a73e8 !important;
  outline-offset: -1px !important;
}}
/* A checkbox or radio sits flush with the left edge of a label that hides its overflow (for the ellipsis):
   2 px of room keep the ring whole. */
.helpers-keys input[type=checkbox],
.helpers-keys input[type=radio] {{
  margin-left: 2px;
}}
"""


class KeyboardGuard(anywidget.AnyWidget):
    """An invisible widget that keeps keyboard operation of its enclosing box inside that box.

    Put it among the children of the box whose DOM class is ``container_class``. When it renders, it marks that
    box with ``data-lm-suppress-shortcuts`` (JupyterLab then leaves the keys of any control inside to the
    control), gives slider handles the readout as ``aria-valuetext``, labels checkboxes, makes radio options
    and ToggleButtons one Tab stop with arrow keys, draws a focus ring and sends Escape back to the notebook.

    Parameters
    ----------
    container_class : str
        DOM class of the box to mark (``PANEL_CLASS`` or ``QUIZ_CLASS``); a CSS identifier.
    **kwargs
        Passed to :class:`anywidget.AnyWidget`.

    Raises
    ------
    ValueError
        If ``container_class`` is not a CSS class name.
    """

    _esm = _ESM
    _css = _CSS
    container_class = traitlets.Unicode(PANEL_CLASS).tag(sync=True)

    def __init__(self, container_class: str = PANEL_CLASS, **kwargs):
        if not isinstance(container_class, str) or not _CLASS_RE.match(container_class):
            raise ValueError(f"container_class must be a CSS class name (letters, digits, '-' or '_', not "
                             f"starting with a digit), got {container_class!r}")
        kwargs.setdefault("layout", W.Layout(display="none"))
        super().__init__(container_class=container_class, **kwargs)


def keyboard_guard(container_class: str = PANEL_CLASS) -> KeyboardGuard:
    """A :class:`KeyboardGuard` for the box with DOM class ``container_class``.

    Parameters
    ----------
    container_class : str
        DOM class of the box to mark; a CSS identifier.

    Returns
    -------
    KeyboardGuard
        The widget; add it to the box's children.
    """
    return KeyboardGuard(container_class)
