"""The code-free app: every notebook served by Voilà and opened in headless Chromium.

One Voilà server for the module (``python3 -m voila . --no-browser``, the README's command, on a loopback port)
serves a throw-away copy of the collection. Per notebook: every figure the notebook's code makes
renders as a live panel with a complete picture, every self-check as its widget, no widget errors, no code and
no traceback on the page, the still copy (the static fallback) stays hidden behind the widget, and an arrow key
on a slider brings a new picture from the kernel.

Voilà's page-unload handler posts without an ``_xsrf`` token, so a server with the default settings keeps one
kernel per page view; the test server's config (``JUPYTER_CONFIG_DIR`` in a temporary folder) turns that check
off, as the browser recipe says, and pages close with ``run_before_unload``.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from _lab import (
    LabServer,
    browser_skip_reason,
    code_cell_count,
    copy_collection,
    direction_key,
    free_port,
    image_problems,
    kernel_name,
    launch_context,
    notebook_paths,
    open_notebook,
    panel_reports,
    run_all,
    wait_until_executed,
    wait_widgets_rendered,
)
from test_notebooks import _figure_calls, _quiz_calls

_SKIP = browser_skip_reason()
if _SKIP:
    pytest.skip(_SKIP, allow_module_level=True)
try:
    import voila  # noqa: F401
except ImportError:
    pytest.skip("voila is not installed: pip install -r requirements.txt", allow_module_level=True)

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = notebook_paths()
WIDGET_ERRORS = ("Error displaying widget", "model not found", "Loading widget")

# Counts of what the page shows, read in one go.
_PAGE_JS = r"""() => {
  const panels = [...document.querySelectorAll('.helpers-panel')];
  const text = document.body.textContent || '';
  return {panels: panels.length,
          pictures: panels.filter(p => { const i = p.querySelector('img');
                                         return i && i.complete && i.naturalWidth > 0; }).length,
          checks: document.querySelectorAll('.helpers-self-check').length,
          stills: document.querySelectorAll('.helpers-static-panel, .helpers-static-self-check').length,
          errors: document.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]').length,
          traceback: /Traceback \(most recent call last\)/.test(text),
          broken_images: [...document.querySelectorAll('img')].filter(i => !(i.complete && i.naturalWidth > 0))
                                                               .map(i => (i.alt || i.src).slice(0, 80)),
          widget_errors: (text.match(/Error displaying widget|model not found|Loading widget/g) || []),
          spinner: !!document.querySelector('#loading:not([style*="none"]), .voila-spinner-container')};
}"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """``python3 -m voila . --no-browser`` in a copy of the repository's notebooks/ and figures/ (the start page
    shows figures from ../figures, which Voilà serves only from inside its root), on a free loopback port."""
    root = tmp_path_factory.mktemp("app")
    nb_dir = copy_collection(root / "collection")
    for png in (ROOT / "figures").glob("*.png"):
        shutil.copy2(png, nb_dir.parent / "figures" / png.name)
    config = root / "config"
    config.mkdir()
    (config / "voila.py").write_text('c.Voila.tornado_settings = {"disable_check_xsrf": True}\n')
    port = free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "PYTHONUNBUFFERED": "1"}
    log_path = root / "voila.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "voila", ".", "--no-browser", f"--port={port}",
                                 "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                cwd=nb_dir.parent)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"voila exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(base + "/voila/tree", timeout=5) as resp:
                        tree = resp.read().decode()
                    break
                except (OSError, urllib.error.URLError):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"voila did not answer in 180 s:\n{log_path.read_text()[-3000:]}") from None
                    time.sleep(0.3)
            yield {"base": base, "tree": tree, "log": log_path, "opened": 0, "rendered": 0}
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_playwright() as pw:
        context = launch_context(pw, tmp_path_factory.mktemp("chromium-profile"))
        try:
            yield context
        finally:
            context.close()


def test_the_app_lists_every_notebook(app, browser):
    """The app's start page (a file list its own JavaScript draws) leads to every notebook of the collection."""
    names = [p.name for p in NOTEBOOKS]
    page = browser.new_page()
    try:
        page.goto(f"{app['base']}/voila/tree", wait_until="load", timeout=120_000)
        page.get_by_text("notebooks", exact=True).first.dblclick(timeout=60_000)  # the list opens on the root
        page.wait_for_function("(names) => names.every(n => document.body.innerText.includes(n))",
                               arg=names, timeout=60_000)
    finally:
        page.close(run_before_unload=True)


def _parent_links(nb) -> list[str]:
    """Pictures the text links with ``../``: Voilà 0.5 inlines markdown pictures by looking them up from its root
    folder, and a path that climbs above it raises an HTTP 404 inside the exporter, so the page never finishes
    (voila/exporter.py, VoilaMarkdownRenderer.image). JupyterLab and the handouts show them fine."""
    return sorted({m for c in nb.cells if c.cell_type == "markdown"
                   for m in re.findall(r"!\[[^\]]*\]\((\.\./[^)\s]+)", c.source)})


def _open_and_wait(page, url: str, figures: int, checks: int) -> None:
    """Open an app page and wait until every panel has a decoded picture and every self-check is drawn."""
    page.goto(url, wait_until="load", timeout=300_000)
    page.wait_for_function(
        """([n, q]) => { const p = [...document.querySelectorAll('.helpers-panel')];
                         return p.length >= n && document.querySelectorAll('.helpers-self-check').length >= q
                             && p.every(x => { const i = x.querySelector('img');
                                               return i && i.complete && i.naturalWidth > 0; }); }""",
        arg=[figures, checks], timeout=240_000, polling=250)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_renders_in_the_app_and_answers_a_slider(app, browser, path):
    """Every figure call becomes a live panel with a complete picture, every self-check its widget; no widget
    error, no traceback, no code, the still fallback hidden; one arrow key on a slider changes the picture."""
    nb = nbformat.read(path, as_version=4)
    figures, checks = len(_figure_calls(nb, path.name)), len(_quiz_calls(nb))
    if _parent_links(nb):
        # Known and reported: the app cannot open this page until its pictures stop climbing out of notebooks/.
        # Once the links change, this branch is not taken and the page is checked in full like the others.
        pytest.xfail(f"Voilà 0.5 cannot render {path.name}: its text links pictures above the served folder "
                     f"({', '.join(_parent_links(nb)[:2])}, ...); use cell attachments instead")
    page = browser.new_page()
    app["opened"] += 1
    try:
        t0 = time.monotonic()
        try:
            _open_and_wait(page, f"{app['base']}/voila/render/notebooks/{path.name}", figures, checks)
        except PlaywrightTimeout as exc:
            shown = page.evaluate("document.body ? document.body.innerText.slice(-1500) : ''")
            log = app["log"].read_text(errors="replace")[-3000:]
            raise AssertionError(f"{path.name} did not render in the app: {exc}\npage text ends:\n{shown}\n"
                                 f"voila log ends:\n{log}") from None
        seconds = time.monotonic() - t0
        page.wait_for_timeout(500)  # late widget errors would show up now
        state = page.evaluate(_PAGE_JS)
        assert state["panels"] == figures and state["pictures"] == figures, state
        assert state["checks"] == checks, state
        assert state["stills"] == 0, "the still fallback shows instead of (or beside) the live widget"
        assert not state["widget_errors"] and not state["errors"] and not state["traceback"], state
        assert not state["broken_images"], f"pictures in the text that did not load: {state['broken_images']}"
        shown = page.locator("body").inner_text()
        assert "from helpers" not in shown and "self_check(" not in shown, "the app shows code"
        for report in panel_reports(page):
            assert not image_problems(report), (report["index"], image_problems(report))
            assert len(report["description"]) > 40, report

        sliders = [r["index"] for r in panel_reports(page) if r["sliders"]]
        if sliders:
            index = sliders[0]
            panel = page.locator(".helpers-panel").nth(index)
            handle = panel.locator(".widget-slider .noUi-handle").first
            handle.scroll_into_view_if_needed()
            old = panel.locator("img").first.get_attribute("src")
            handle.focus()
            page.keyboard.press(direction_key(handle))
            page.wait_for_function(
                """([i, old]) => { const img = document.querySelectorAll('.helpers-panel')[i].querySelector('img');
                                  return img.src !== old && img.complete && img.naturalWidth > 0; }""",
                arg=[index, old], timeout=60_000)
            page.wait_for_timeout(300)
            after = page.evaluate(_PAGE_JS)
            assert not after["widget_errors"] and not after["traceback"], after
        app["rendered"] += 1
        print(f"\n{path.stem}: app page to every picture {seconds:.1f} s; {figures} figures, {checks} self-checks")
    finally:
        page.close(run_before_unload=True)


def test_closed_pages_leave_no_kernel_running(app):
    """Every page view started a kernel; closing the page (with its unload handler) shut it down. Without the
    xsrf setting above, a class of 200 would leave 200 kernels behind."""
    deadline = time.monotonic() + 60
    while True:
        log = app["log"].read_text(errors="replace")
        started, stopped = log.count("Kernel started:"), log.count("Kernel shutdown:")
        if started and stopped >= started or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if not started:
        pytest.skip("no notebook page was opened in this run")
    unfinished = app["opened"] - app["rendered"]  # a page that never loaded never ran its unload handler
    assert stopped >= started - unfinished, f"{started} kernels started, {stopped} shut down"


def test_jupyterlab_also_picks_the_live_widget(browser, tmp_path):
    """JupyterLab, too, ranks the widget view above the still copy's HTML and PNG: after Run All the start
    notebook shows its live panels and self-checks and no still copy (one small notebook keeps this cheap)."""
    nb_dir = copy_collection(tmp_path / "collection")
    path = nb_dir / "00_start_here.ipynb"
    nb = nbformat.read(path, as_version=4)
    figures, checks = len(_figure_calls(nb, path.name)), len(_quiz_calls(nb))
    with LabServer(nb_dir) as lab:
        lab.start_session(path.name, kernel_name(path))
        page = browser.new_page()
        try:
            open_notebook(page, lab, path.name)
            run_all(page)
            state = wait_until_executed(page, code_cell_count(path))
            assert not state["errors"], state["errors"]
            state = wait_widgets_rendered(page)
            assert not state["widget_errors"], state
            shown = page.evaluate(_PAGE_JS)
            assert shown["panels"] == figures and shown["checks"] == checks, shown
            assert shown["stills"] == 0, "JupyterLab shows the still copy instead of (or beside) the live widget"
        finally:
            page.close()
            lab.delete_sessions(path.name)
