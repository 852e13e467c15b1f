"""Keyboard-only operation of the panels in real JupyterLab + headless Chromium (issue 11, points 1 and 9).

In a notebook in command mode, JupyterLab turns ArrowDown, Enter, Space and letters into notebook commands (move
the cell cursor, insert a cell, ...) unless the focused element sits inside an element marked
``data-lm-suppress-shortcuts``; the notebook also pulls focus back to its active cell on any keydown from outside
it. Both were seen: a Preset dropdown that ignored ArrowDown, a notebook that grew from 24 to 52 cells. The guard
widget (``helpers.panels._keys``) marks each panel and self-check. These tests press the keys a student presses on
every control type of one panel per notebook and check that

* the control's value changes where it should (dropdown to the next option and back, slider one step, checkbox
  and toggle flipped, button pressed) and the kernel saw it;
* focus stays inside the panel after every key, Escape excepted (it hands focus back to the notebook cell);
* the notebook's cells (ids, types, sources) are exactly as before, and it is not in edit mode;
* a self-check's options are one radio group (one Tab stop; arrows move the choice);
* the focused control shows a focus ring at least 2 px wide that no scrolling box cuts off;
* slider handles say the readout as ``aria-valuetext``; checkboxes have their text as accessible name.

The notebook model is read through ``window.jupyterapp`` (``LabApp.expose_app_in_browser``), so a cell inserted
or edited anywhere counts, whether or not it is on screen. Screenshots of focused controls go to ``tmp_path``, or to
``HELPERS_SHOTS_DIR`` when that is set.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from _lab import (
    LabServer,
    browser_skip_reason,
    code_cell_count,
    copy_collection,
    kernel_name,
    launch_context,
    notebook_paths,
    open_notebook,
    run_all,
    wait_idle,
    wait_until_executed,
    wait_widgets_rendered,
)

_SKIP = browser_skip_reason()
if _SKIP:
    pytest.skip(_SKIP, allow_module_level=True)

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

NOTEBOOKS = [p for p in notebook_paths() if p.name[:2] in {"00", "01", "02", "03", "04", "05", "06"}]
PANEL = ".jp-Notebook .helpers-panel"
QUIZ = ".jp-Notebook .helpers-self-check"
MIN_RING_PX = 2.0
#: A notebook command-mode letter ("insert a cell below"): it must reach the control, never the notebook.
LETTER = "b"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server for the module over a throw-away copy of the notebooks, with ``window.jupyterapp``."""
    nb_dir = copy_collection(tmp_path_factory.mktemp("collection"))
    server = LabServer(nb_dir)
    # LabServer points JUPYTER_CONFIG_DIR here; the notebook model is then readable from the page.
    config = server.state_dir / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_lab_config.json").write_text(json.dumps({"LabApp": {"expose_app_in_browser": True}}))
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_playwright() as pw:
        context = launch_context(pw, tmp_path_factory.mktemp("chromium-profile"))
        try:
            yield context
        finally:
            context.close()


# ---- page helpers ---------------------------------------------------------------------------------------
_CELLS_JS = r"""() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.model) return null;
  const nb = w.content;
  return {mode: nb.mode,
          cells: [...nb.model.cells].map(c => [c.id, c.type, c.sharedModel.getSource()])};
}"""

# Where focus is, relative to the box ``sel`` number ``i``, and how it is drawn.
_FOCUS_JS = r"""([sel, i]) => {
  const box = document.querySelectorAll(sel)[i];
  const a = document.activeElement;
  const cs = getComputedStyle(a);
  // How much of the ring a clipping ancestor (overflow other than visible) up to the box cuts off, px.
  const reach = (parseFloat(cs.outlineWidth) || 0) + (parseFloat(cs.outlineOffset) || 0);
  const r = a.getBoundingClientRect();
  let cut = 0;
  for (let p = a.parentElement; p && box && box.contains(p); p = p.parentElement) {
    const ps = getComputedStyle(p);
    if (ps.overflowX === 'visible' && ps.overflowY === 'visible') continue;
    const c = p.getBoundingClientRect();
    cut = Math.max(cut, c.left - (r.left - reach), c.top - (r.top - reach),
                   (r.right + reach) - c.right, (r.bottom + reach) - c.bottom);
  }
  return {inside: !!(box && box.contains(a)), tag: a.tagName, cls: String(a.className).slice(0, 80),
          in_cell: !!a.closest('.jp-Cell'), ring_px: parseFloat(cs.outlineWidth) || 0,
          ring_style: cs.outlineStyle, ring_colour: cs.outlineColor, ring_cut_px: cut};
}"""

# Control inventory of every panel: how many of each kind.
_INVENTORY_JS = r"""(sel) => [...document.querySelectorAll(sel)].map(p => ({
  sliders: p.querySelectorAll('.widget-slider .noUi-handle').length,
  selects: p.querySelectorAll('.widget-dropdown select').length,
  checkboxes: p.querySelectorAll('.widget-checkbox input[type=checkbox]').length,
  toggle: p.querySelectorAll('.widget-toggle-button').length,
  toggles: p.querySelectorAll('.widget-toggle-buttons button').length,
  buttons: p.querySelectorAll('button.widget-button').length,
  marked: p.getAttribute('data-lm-suppress-shortcuts')}))"""


# A slider handle's aria-valuetext and its readout's text, once they agree (or after 2 s, whatever they are).
_SAID_AND_SHOWN_JS = r"""(h) => new Promise(resolve => {
  const readout = h.closest('.widget-slider').querySelector('.widget-readout');
  const look = () => [h.getAttribute('aria-valuetext'), readout ? readout.textContent.trim() : null];
  const t0 = performance.now();
  const poll = () => { const [a, b] = look();
    if (b === null || a === b || performance.now() - t0 > 2000) resolve([a, b]); else setTimeout(poll, 25); };
  poll();
})"""


# What a slider shows: its readout and handle position together.
_SHOWN_JS = ("(h) => { const r = h.closest('.widget-slider').querySelector('.widget-readout');"
             " return (r ? r.textContent : '') + '|' + h.getAttribute('aria-valuenow'); }")


def cells(page) -> dict:
    state = page.evaluate(_CELLS_JS)
    assert state is not None, "window.jupyterapp is not exposed or no notebook is current"
    return state


def focus_state(page, sel: str, index: int) -> dict:
    return page.evaluate(_FOCUS_JS, [sel, index])


def keyboard_focus(page, locator) -> None:
    """Reach a control the way a keyboard user does: focus it, then step away and Tab back, so Chromium treats
    it as keyboard focus (``:focus-visible``) and the control is shown to be a real Tab stop.

    The step goes to a neighbour inside the same box (its first control steps forward and back, the others back
    and forward): stepping out of the box could land in a cell's editor, where Tab indents the code.
    """
    locator.scroll_into_view_if_needed()
    locator.focus()
    handle = locator.element_handle()
    first = page.evaluate(_FIRST_TAB_STOP_JS, handle)
    page.keyboard.press("Tab" if first else "Shift+Tab")
    page.keyboard.press("Shift+Tab" if first else "Tab")
    assert page.evaluate("(el) => document.activeElement === el", handle), \
        "stepping away and back with Tab did not return to the control: it is not a Tab stop"


# Is this element the first Tab stop of its panel or self-check?
_FIRST_TAB_STOP_JS = r"""(el) => {
  const box = el.closest('.helpers-panel, .helpers-self-check');
  const stops = [...box.querySelectorAll('select, input, button, textarea, [tabindex], [contenteditable=true]')]
      .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0);
  return stops[0] === el;
}"""


def total_updates(lab: LabServer, rel: str) -> int:
    return sum(st["updates"] for st in lab.panel_states(rel))


def wait_updates(lab: LabServer, rel: str, before: int, timeout_s: float = 20.0) -> int:
    """Wait until the kernel's panels have run more updates than ``before``; return how many more."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = total_updates(lab, rel)
        if now > before:
            return now - before
        time.sleep(0.2)
    return 0


def pick_panel(inventory: list[dict]) -> int | None:
    """The panel with the most kinds of control (a slider required), the first on a tie."""
    best, best_score = None, -1
    for i, inv in enumerate(inventory):
        if not inv["sliders"]:
            continue
        score = sum(1 for k in ("sliders", "selects", "checkboxes", "toggle", "toggles", "buttons") if inv[k])
        score = 10 * score + min(inv["selects"], 3) + min(inv["checkboxes"], 3)
        if score > best_score:
            best, best_score = i, score
    return best


def shoot(page, locator, path: Path, margin: int = 10) -> None:
    """A screenshot of the top of a box (at most 420 px of it) with a margin, so that a focus ring drawn outside
    the box is in the picture: what is cut off there is cut off on screen too."""
    locator.evaluate("el => { el.scrollIntoView({block: 'start'});"
                     " const s = el.closest('.jp-WindowedPanel-outer'); if (s) s.scrollTop -= 40; }")
    box = locator.bounding_box()
    page.screenshot(path=str(path), clip={"x": max(0, box["x"] - margin), "y": max(0, box["y"] - margin),
                                          "width": box["width"] + 2 * margin,
                                          "height": min(box["height"], 420) + 2 * margin})


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("HELPERS_SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---- the test ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_keyboard_stays_in_panel(notebook, lab, browser, tmp_path):
    """Every control type of one panel, then a self-check, operated by keyboard only: each key acts on the
    focused control (values move where they should and reach the kernel), focus never leaves the panel, the
    ring is visible, and the notebook's cells are untouched. A student who arrows through a dropdown must not
    insert cells into the notebook or lose their place."""
    rel = notebook.name
    lab.delete_sessions(rel)
    lab.start_session(rel, kernel_name(notebook))
    page = browser.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    shots = shots_dir(tmp_path)
    try:
        open_notebook(page, lab, rel)
        run_all(page)
        state = wait_until_executed(page, code_cell_count(notebook))
        assert not state["errors"], f"{rel}: error output after Run All:\n" + "\n---\n".join(state["errors"])
        state = wait_widgets_rendered(page)
        assert not state["widget_errors"], f"{rel}: widget error text: {state['widget_errors']}"
        wait_idle(page)
        page.wait_for_function(f"() => [...document.querySelectorAll('{PANEL}')].every("
                               "p => p.hasAttribute('data-lm-suppress-shortcuts'))", timeout=15_000)
        before = cells(page)

        inventory = page.evaluate(_INVENTORY_JS, PANEL)
        i = pick_panel(inventory)
        assert i is not None, f"{rel}: no panel with a slider ({inventory})"
        panel = page.locator(PANEL).nth(i)
        where = f"{rel}, panel {i}"

        def pressed(key: str, what: str) -> dict:
            page.keyboard.press(key)
            page.wait_for_timeout(120)
            f = focus_state(page, PANEL, i)
            assert f["inside"], f"{where}: {key} on the {what} moved focus out of the panel (to {f})"
            now = cells(page)
            assert now["cells"] == before["cells"], f"{where}: {key} on the {what} changed the notebook's cells"
            assert now["mode"] == "command", f"{where}: {key} on the {what} put the notebook in {now['mode']} mode"
            return f

        def ring(what: str) -> None:
            f = focus_state(page, PANEL, i)
            assert f["ring_px"] >= MIN_RING_PX and f["ring_style"] not in ("none", "hidden"), \
                f"{where}: focused {what} has a {f['ring_px']} px {f['ring_style']} outline (want >= {MIN_RING_PX})"
            assert f["ring_cut_px"] <= 1.0, \
                f"{where}: {f['ring_cut_px']:.1f} px of the focused {what}'s ring is cut off by a scrolling box"

        # -- dropdowns: ArrowDown picks the next option and the kernel runs it; ArrowUp goes back
        selects = panel.locator(".widget-dropdown select")
        for k in sorted({0, selects.count() - 1} - {-1}):  # the preset and the last (a model control) if any
            sel = selects.nth(k)
            if sel.is_disabled():
                continue
            keyboard_focus(page, sel)
            ring("dropdown")
            if k == 0:
                shoot(page, panel, shots / f"{notebook.stem}_focus_dropdown.png")
            n_options = sel.evaluate("el => el.options.length")
            start = sel.evaluate("el => el.selectedIndex")
            down, up = ("ArrowDown", "ArrowUp") if start < n_options - 1 else ("ArrowUp", "ArrowDown")
            updates = total_updates(lab, rel)
            pressed(down, "dropdown")
            moved = sel.evaluate("el => el.selectedIndex")
            assert moved == start + (1 if down == "ArrowDown" else -1), \
                f"{where}: {down} on dropdown {k} left it at option {moved} (was {start})"
            assert wait_updates(lab, rel, updates) >= 1, f"{where}: {down} on dropdown {k} never reached the kernel"
            wait_idle(page)
            pressed(up, "dropdown")
            assert sel.evaluate("el => el.selectedIndex") == start, f"{where}: {up} did not go back on dropdown {k}"
            wait_idle(page)
            for key in ("ArrowRight", LETTER):
                pressed(key, "dropdown")
            wait_idle(page)

        # -- sliders: ArrowRight/ArrowLeft step, the kernel runs each step, the handle says the readout
        handles = panel.locator(".widget-slider .noUi-handle")
        for k in sorted({0, handles.count() - 1}):  # the first and the last slider: one type of control, two cases
            h = handles.nth(k)
            if h.evaluate("el => !!el.closest('.noUi-target[disabled]')"):
                continue  # a control that does nothing in this case is disabled (issue 11, point 8)
            keyboard_focus(page, h)
            ring("slider handle")
            now_, hi = (float(h.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
            fwd, back = ("ArrowRight", "ArrowLeft") if now_ < hi else ("ArrowLeft", "ArrowRight")
            for key in (fwd, back):
                # noUiSlider rounds aria-valuenow to one decimal (of a log slider's exponent), so a small step
                # can leave it unchanged: a move is seen in the readout, or in aria-valuenow without one.
                shown = h.evaluate(_SHOWN_JS)
                updates = total_updates(lab, rel)
                pressed(key, "slider")
                try:
                    page.wait_for_function(f"([el, v]) => ({_SHOWN_JS})(el) !== v", arg=[h.element_handle(), shown],
                                           timeout=5_000)
                except PlaywrightTimeout:
                    pytest.fail(f"{where}: {key} did not move slider {k} ({h.get_attribute('aria-label')!r}, "
                                f"showing {shown!r})")
                assert wait_updates(lab, rel, updates) >= 1, f"{where}: {key} on slider {k} never reached the kernel"
                wait_idle(page)
                said, shown = h.evaluate(_SAID_AND_SHOWN_JS)
                if shown is not None:
                    assert said == shown, f"{where}: slider {k} handle says {said!r}, its readout shows {shown!r}"
            for key in ("Enter", "Space", LETTER):
                pressed(key, "slider")

        # -- checkboxes: Space flips (kernel runs it), again flips back; named by their text
        boxes = panel.locator(".widget-checkbox input[type=checkbox]")
        for k in range(min(boxes.count(), 1)):
            box = boxes.nth(k)
            if box.is_disabled():
                continue
            name = box.evaluate("el => (el.closest('.widget-checkbox').querySelector('.widget-label-basic')"
                                " || {}).textContent || ''").strip()
            assert name and box.get_attribute("aria-label") == name, \
                f"{where}: checkbox {k} accessible name {box.get_attribute('aria-label')!r}, text {name!r}"
            keyboard_focus(page, box)
            ring("checkbox")
            for _ in range(2):
                checked = box.is_checked()
                updates = total_updates(lab, rel)
                pressed("Space", "checkbox")
                assert box.is_checked() != checked, f"{where}: Space did not flip checkbox {k}"
                assert wait_updates(lab, rel, updates) >= 1, f"{where}: checkbox {k} never reached the kernel"
                wait_idle(page)
            for key in ("ArrowDown", "Enter", LETTER):
                pressed(key, "checkbox")

        # -- a single toggle (Presenter): Space turns it on, Enter off again
        toggle = panel.locator(".widget-toggle-button").first
        if toggle.count():
            keyboard_focus(page, toggle)
            ring("toggle button")
            for key in ("Space", "Enter"):
                active = "mod-active" in (toggle.get_attribute("class") or "")
                updates = total_updates(lab, rel)
                pressed(key, "toggle button")
                page.wait_for_function("([el, a]) => el.classList.contains('mod-active') !== a",
                                       arg=[toggle.element_handle(), active], timeout=10_000)
                assert wait_updates(lab, rel, updates) >= 1, f"{where}: {key} on the toggle never reached the kernel"
                wait_idle(page)
            pressed("ArrowDown", "toggle button")

        # -- a row of ToggleButtons (when a panel has one): one Tab stop, arrows choose the next option
        rows = panel.locator(".widget-toggle-buttons")
        for k in range(rows.count()):
            row = rows.nth(k)
            active = row.locator("button.mod-active").first
            keyboard_focus(page, active)
            ring("toggle-buttons option")
            texts = row.locator("button").all_text_contents()
            start = texts.index(active.text_content())
            updates = total_updates(lab, rel)
            pressed("ArrowRight", "toggle-buttons")
            chosen = row.locator("button.mod-active").first.text_content()
            assert texts.index(chosen) == (start + 1) % len(texts), f"{where}: ArrowRight did not choose the next"
            assert wait_updates(lab, rel, updates) >= 1, f"{where}: toggle-buttons {k} never reached the kernel"
            wait_idle(page)
            pressed("ArrowLeft", "toggle-buttons")
            wait_idle(page)

        # -- the Reset button: Enter and Space press it (the kernel runs Reset), arrows and letters do nothing
        reset = panel.locator("button.widget-button", has_text="Reset").first
        if reset.count():
            keyboard_focus(page, reset)
            ring("button")
            for key in ("Enter", "Space"):
                updates = total_updates(lab, rel)
                pressed(key, "Reset button")
                assert wait_updates(lab, rel, updates) >= 1, f"{where}: {key} on Reset never reached the kernel"
                wait_idle(page)
            for key in ("ArrowDown", LETTER):
                pressed(key, "Reset button")
            shoot(page, panel, shots / f"{notebook.stem}_focus_reset.png")

        # -- Escape hands focus back to the notebook (its cell), so notebook shortcuts work again from there
        page.keyboard.press("Escape")
        page.wait_for_timeout(100)
        f = focus_state(page, PANEL, i)
        assert not f["inside"] and f["in_cell"], f"{where}: Escape left focus at {f}"

        after = cells(page)
        assert after["cells"] == before["cells"], f"{where}: the notebook's cells changed during the walk"
        self_check_walk(page, lab, rel, before, shots)
        assert cells(page)["cells"] == before["cells"], f"{rel}: the notebook's cells changed in the self-check"
        assert not page_errors, f"{rel}: uncaught errors in the page: {page_errors}"
    finally:
        page.close()
        lab.delete_sessions(rel)


def self_check_walk(page, lab: LabServer, rel: str, before: dict, shots: Path) -> None:
    """The first self-check of the notebook: its options are one radio group (one Tab stop between the question
    and the Check button), arrows move the choice, Tab goes on to Check and Enter grades it (feedback appears:
    the kernel has the choice)."""
    quizzes = page.locator(QUIZ)
    if not quizzes.count():
        return
    q = quizzes.first
    where = f"{rel}, first self-check"
    radios = q.locator("input[type=radio]")
    n = radios.count()
    assert n >= 2, f"{where}: {n} radio options"
    names = {radios.nth(k).get_attribute("name") for k in range(n)}
    assert len(names) == 1 and None not in names and "" not in names, \
        f"{where}: options are not one radio group (names {names})"
    check = q.locator("button.widget-button").first
    keyboard_focus(page, check)

    def focused() -> dict:
        f = focus_state(page, QUIZ, 0)
        f["radio"] = page.evaluate("(box) => [...box.querySelectorAll('input[type=radio]')]"
                                   ".indexOf(document.activeElement)", q.element_handle())
        return f

    page.keyboard.press("Shift+Tab")
    f = focused()
    assert f["inside"] and f["radio"] >= 0, f"{where}: Shift+Tab from Check went to {f}, not to the options"
    assert f["ring_px"] >= MIN_RING_PX and f["ring_cut_px"] <= 1.0, \
        f"{where}: focused option has a {f['ring_px']} px outline, {f['ring_cut_px']:.1f} px of it cut off"
    shoot(page, q, shots / f"{Path(rel).stem}_focus_selfcheck.png")

    def checked() -> int:
        return q.evaluate("el => [...el.querySelectorAll('input[type=radio]')].findIndex(r => r.checked)")

    start = f["radio"]
    for key, want in (("ArrowDown", (start + 1) % n), ("ArrowUp", start), ("ArrowDown", (start + 1) % n)):
        page.keyboard.press(key)
        page.wait_for_timeout(150)
        f = focused()
        assert f["radio"] == want and checked() == want, \
            f"{where}: {key} left focus on option {f['radio']} and the choice on {checked()} (want {want})"
    page.keyboard.press("Tab")
    f = focused()
    assert f["inside"] and f["tag"] == "BUTTON", \
        f"{where}: Tab from the chosen option went to {f}, not on to the Check button (one Tab stop per group)"
    feedback = q.locator(".widget-html-content").last
    old = feedback.text_content()
    page.keyboard.press("Enter")
    page.wait_for_function("([el, old]) => el.textContent.trim() && el.textContent !== old",
                           arg=[feedback.element_handle(), old], timeout=10_000)
    for key in (LETTER, "Space", "ArrowDown"):
        page.keyboard.press(key)
        page.wait_for_timeout(100)
        f = focused()
        assert f["inside"], f"{where}: {key} moved focus out of the self-check (to {f})"
    assert cells(page)["cells"] == before["cells"], f"{where}: keys in the self-check changed the notebook"
