"""Drive real JupyterLab in headless Chromium: start/stop a server, launch the browser, run a notebook, inspect
panels, move sliders and time slider-to-repaint. Shared by ``tests/test_browser.py`` and
``benchmarks/bench_browser.py``; nothing here is a test.

Why each step is the way it is (see the recipe these follow, measured on a 2-core Debian machine):

* Notebooks run in a temporary copy: JupyterLab autosaves executed notebooks, and committed notebooks must stay
  without outputs.
* ``lab_settings/overrides.json`` turns off comms over kernel subshells (a widget callback and a cell's own
  output flush race there, leaving half-drawn images) and the news pop-up.
* Chromium is Debian's ``/usr/bin/chromium`` driven by the Playwright package; ``playwright install`` is never
  needed (and fails offline).
* Times are taken in the page's own clock (``performance.now()``): a capture-phase ``keydown`` listener marks the
  start, a MutationObserver on the picture marks the end once the new image is decoded.
* "Kernel idle" alone is not "ready": the execution indicator says idle while there is no kernel yet.
* Page text is read with ``textContent``: JupyterLab's default windowing (``content-visibility``) makes
  ``innerText`` empty for cells off screen.
* Widget-callback tracebacks go to JupyterLab's log console, not to a cell: the tests read it from there.
* What the kernel did (how many panel updates, whether the browser moved a control) is asked of the kernel itself
  over a second websocket (:meth:`LabServer.panel_states`), silently, without touching the notebook.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SETTINGS_DIR = Path(__file__).resolve().parent / "lab_settings"
NOTEBOOKS_DIR = Path(os.environ.get("HELPERS_NOTEBOOKS_DIR", REPO / "notebooks"))

#: ``--disable-gpu-rasterization``: with no GPU, Chromium would otherwise rasterise the page through SwiftShader
#: (software GL); a desktop Chromium without a usable GPU rasterises on the CPU, as here. On the 2-core test machine
#: it was no slower (floor panel, keydown -> decoded median, three alternating runs each at < 5 % CPU steal: 58-63 ms
#: with the flag, 60-77 ms without).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-gpu-rasterization", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1400, "height": 1000}

def browser_skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}: install Debian's chromium (CI does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not importable: pip install playwright (never `playwright install`)"
    return None


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The notebooks to drive, in name order (checkpoints excluded)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))


def kernel_name(path: Path) -> str:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return nb.get("metadata", {}).get("kernelspec", {}).get("name") or "python3"


def code_cell_count(path: Path) -> int:
    """Code cells that JupyterLab will give an execution count (it skips empty cells)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    count = 0
    for cell in nb.get("cells", []):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        if cell.get("cell_type") == "code" and src.strip():
            count += 1
    return count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- panels ----------------------------------------------------------------------------------------------
def discover_panels() -> dict[str, tuple[str, str]]:
    """Every registered panel as ``{"topic.name": (module, name in its PANELS)}``.

    Uses ``helpers.panels.all_panels()``; while some topic modules are not written yet (that call then raises
    ``ModuleNotFoundError``), falls back to the topic modules that do exist. Any other import error is raised.
    """
    import importlib

    import helpers.panels as hp

    try:
        return {key: (f"helpers.panels.{key.split('.', 1)[0]}", key.split(".", 1)[1]) for key in hp.all_panels()}
    except ModuleNotFoundError:
        pass
    found = {}
    for topic in hp.TOPICS:
        module = f"helpers.panels.{topic}"
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        for name in getattr(mod, "PANELS", {}):
            found[f"{topic}.{name}"] = (module, name)
    return found


def panel_import_code(module: str, name: str) -> str:
    """Kernel code that binds the panel class to ``Cls``: ``name`` is a key of ``module.PANELS`` or, when the
    module has no such key, an attribute of the module (``scratch:Demo`` style specs)."""
    return (f"import importlib\n_m = importlib.import_module({module!r})\n"
            f"Cls = getattr(_m, 'PANELS', {{}}).get({name!r}) or getattr(_m, {name!r})\n")


# ---- JupyterLab server -----------------------------------------------------------------------------------
# Evaluated in the kernel (one expression, no side effects): the live panels and how they moved.
_PANEL_STATES_EXPR = (
    "(lambda json, gc, math, Panel: json.dumps(["
    "{'cls': type(o).__name__, 'updates': o.update_count, 'update_ms': list(o.update_ms),"
    " 'moved': {k: [repr(o._opening[1][k]), repr(v)] for k, v in o.values.items() if k in o._opening[1] and not"
    " (v == o._opening[1][k] or (isinstance(v, float) and isinstance(o._opening[1][k], (int, float))"
    " and math.isclose(v, o._opening[1][k], rel_tol=1e-9, abs_tol=1e-12)))}}"
    " for o in gc.get_objects() if isinstance(o, Panel)]))"
    "(__import__('json'), __import__('gc'), __import__('math'),"
    " __import__('helpers.panels', fromlist=['Panel']).Panel)")


class LabServer:
    """``jupyter lab`` on a free loopback port with a random token, rooted at ``root_dir``.

    All of the server's own state (config, runtime files, workspaces, log) lives in a private temporary
    folder, so nothing in ``~/.jupyter`` is read or written. Use as a context manager, or ``start``/``stop``.
    """

    def __init__(self, root_dir: Path, *, settings_dir: Path = SETTINGS_DIR, env: dict | None = None):
        self.root_dir = Path(root_dir)
        self.settings_dir = Path(settings_dir)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.state_dir = Path(tempfile.mkdtemp(prefix="helpers-lab-"))
        self.log_path = self.state_dir / "jupyter.log"
        self.extra_env = dict(env or {})
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout_s: float = 90.0) -> LabServer:
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root_dir}", f"--LabApp.app_settings_dir={self.settings_dir}",
               f"--LabApp.workspaces_dir={self.state_dir / 'workspaces'}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(self.state_dir / "config"),
               "JUPYTER_RUNTIME_DIR": str(self.state_dir / "runtime"), "PYTHONUNBUFFERED": "1",
               **self.extra_env}
        env.pop("JUPYTER_TOKEN", None)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                     cwd=self.root_dir, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"jupyter lab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer /api/status within {timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Shut the kernels down through the API, then end the server by its PID."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                for kernel in self.api("GET", "/api/kernels", timeout=5):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=15)
            except (OSError, urllib.error.URLError, ValueError):
                pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-n:])

    # ---- REST --------------------------------------------------------------------------------------------
    def api(self, method: str, path: str, body=None, timeout: float = 30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def delete_sessions(self, rel_path: str) -> int:
        """End every session (and its kernel) attached to a notebook, so a reopened notebook starts fresh."""
        n = 0
        for session in self.api("GET", "/api/sessions"):
            if session.get("path") == rel_path or session.get("notebook", {}).get("path") == rel_path:
                try:
                    self.api("DELETE", f"/api/sessions/{session['id']}")
                    n += 1
                except urllib.error.HTTPError as exc:
                    if exc.code != 404:
                        raise
        return n

    def start_session(self, rel_path: str, kernel_name: str = "python3") -> dict:
        """Start a fresh kernel for a notebook now, so that it boots while the page loads (the page attaches to
        this session). Call :meth:`delete_sessions` first to be sure it is fresh."""
        return self.api("POST", "/api/sessions", {"path": rel_path, "name": Path(rel_path).name, "type": "notebook",
                                                   "kernel": {"name": kernel_name}})

    def kernel_id(self, rel_path: str) -> str:
        for session in self.api("GET", "/api/sessions"):
            if session.get("path") == rel_path:
                return session["kernel"]["id"]
        raise LookupError(f"no session for {rel_path}")

    def kernel_eval(self, rel_path: str, expression: str, timeout_s: float = 60.0) -> str:
        """Evaluate one expression in a notebook's kernel over a second websocket and return its text/plain repr.

        Sent as a silent ``execute_request`` with the expression in ``user_expressions``: no execution count, no
        output, nothing the page shows (only a busy/idle blip), so the notebook under test is left as it is.
        """
        import uuid

        import websocket  # websocket-client, a jupyter_server dependency

        session_id = uuid.uuid4().hex
        url = f"ws://127.0.0.1:{self.port}/api/kernels/{self.kernel_id(rel_path)}/channels?session_id={session_id}"
        ws = websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=timeout_s)
        try:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": "test", "session": session_id, "date": "",
                           "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": "", "silent": True, "store_history": False, "allow_stdin": False,
                            "user_expressions": {"out": expression}, "stop_on_error": False}}))
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                raw = ws.recv()
                if isinstance(raw, bytes):
                    continue
                msg = json.loads(raw)
                if msg.get("channel") == "shell" and msg.get("parent_header", {}).get("msg_id") == msg_id:
                    out = msg["content"].get("user_expressions", {}).get("out", {})
                    if out.get("status") != "ok":
                        raise RuntimeError(f"kernel could not evaluate {expression!r}: "
                                           f"{out.get('ename')}: {out.get('evalue')}")
                    return out["data"]["text/plain"]
            raise TimeoutError(f"no reply from the kernel of {rel_path} within {timeout_s:.0f} s")
        finally:
            ws.close()

    def panel_states(self, rel_path: str) -> list[dict]:
        """Every live ``helpers`` Panel in the notebook's kernel: class, number of updates so far, and whether its
        controls still hold its opening values (a browser that snaps a value to its slider's grid changes them)."""
        import ast

        text = self.kernel_eval(rel_path, _PANEL_STATES_EXPR)
        return json.loads(ast.literal_eval(text))

    def lab_url(self, rel_path: str) -> str:
        quoted = urllib.parse.quote(rel_path)
        return f"{self.base}/lab/tree/{quoted}?reset&token={self.token}"


def copy_collection(dest: Path, notebooks: Path = NOTEBOOKS_DIR, extra: list[Path] = ()) -> Path:
    """Copy ``notebooks/`` (plus extra files) and an empty ``figures/`` into ``dest``; return the notebook folder."""
    nb_dir = Path(dest) / "notebooks"
    if Path(notebooks).is_dir():
        shutil.copytree(notebooks, nb_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    else:
        nb_dir.mkdir(parents=True)
    (Path(dest) / "figures").mkdir(exist_ok=True)
    for path in extra:
        shutil.copy2(path, nb_dir / Path(path).name)
    return nb_dir


# ---- browser ---------------------------------------------------------------------------------------------
def launch_context(pw, user_data_dir: Path | None = None, **kwargs):
    """A headless Debian Chromium persistent context (the flags the recipe found necessary here)."""
    user_data_dir = user_data_dir or Path(tempfile.mkdtemp(prefix="helpers-chromium-"))
    return pw.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport=VIEWPORT, **kwargs)


IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
# The execution indicator also says "idle" while there is no kernel yet ("No Kernel | Initializing"), so
# "ready" needs a named kernel in the toolbar as well.
_KERNEL_READY_JS = """() => {
  const name = document.querySelector('.jp-NotebookPanel .jp-Toolbar-kernelName');
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return !!(name && ind && name.textContent.trim() && !/No Kernel/i.test(name.textContent)
            && ind.getAttribute('data-status') === 'idle');
}"""


def open_notebook(page, server: LabServer, rel_path: str, timeout_ms: int = 120_000) -> None:
    """Open a notebook in a fresh workspace and wait until its kernel is started, connected and idle."""
    page.goto(server.lab_url(rel_path), wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout_ms)
    page.wait_for_function(_KERNEL_READY_JS, timeout=timeout_ms, polling=100)


def run_all(page, timeout_ms: int = 30_000, started_within_s: float = 10.0) -> None:
    """Run > Run All Cells through the menu bar, as a student would; retry once if nothing started."""
    for attempt in range(2):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(timeout=timeout_ms)
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click(timeout=timeout_ms)
        deadline = time.monotonic() + started_within_s
        while time.monotonic() < deadline:
            state = notebook_state(page)
            # Not the kernel status: the widget manager's comm_info request makes it busy on its own.
            if state and (state["running"] or state["executed"] or state["errors"]):
                return
            page.wait_for_timeout(100)
        page.keyboard.press("Escape")
        if os.environ.get("HELPERS_LAB_DEBUG"):
            page.screenshot(path=f"/tmp/run_all_failed_{attempt}.png")
    raise TimeoutError(f"Run All Cells started nothing within {started_within_s:.0f} s (twice); "
                       f"last state: {notebook_state(page)}")


# One look at the notebook: execution prompts, kernel status, error outputs, widget error text.
_STATE_JS = r"""() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')
          || document.querySelector('.jp-Notebook');
  if (!nb) return null;
  const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim());
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const errors = [];
  for (const o of nb.querySelectorAll('.jp-OutputArea-output')) {
    const mime = o.getAttribute('data-mime-type') || '';
    const text = o.textContent || '';  // not innerText: empty for off-screen (content-visibility) cells
    if (mime === 'application/vnd.jupyter.error' ||
        (mime === 'application/vnd.jupyter.stderr' && /Error|Traceback/.test(text))) {
      errors.push(text.slice(0, 3000));
    }
  }
  const outText = [...nb.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent || '').join('\n');
  const m = outText.match(/Error displaying widget|model not found|Loading widget/g);
  return {executed: prompts.filter(t => /^\[\d+\]/.test(t)).length,
          running: prompts.filter(t => /^\[\*\]/.test(t)).length,
          cells: prompts.length,
          status: ind ? ind.getAttribute('data-status') : null,
          errors, widget_errors: m ? [...new Set(m)] : []};
}"""


def notebook_state(page) -> dict:
    return page.evaluate(_STATE_JS)


def wait_until_executed(page, expected: int, timeout_s: float = 180.0, settle_s: float = 0.5) -> dict:
    """Poll until ``expected`` code cells show ``[n]`` and the kernel is idle (stable for ``settle_s``).

    Returns early (without raising) when the kernel is idle with error outputs and nothing left running, so
    that a failing cell is reported as its traceback rather than a timeout. Raises ``TimeoutError`` with the
    last state otherwise.
    """
    deadline = time.monotonic() + timeout_s
    stable_since = None
    state = None
    while time.monotonic() < deadline:
        state = notebook_state(page)
        done = state is not None and state["status"] == "idle" and state["running"] == 0 and (
            state["executed"] >= expected or state["errors"])
        if done:
            stable_since = stable_since or time.monotonic()
            if time.monotonic() - stable_since >= settle_s:
                return state
        else:
            stable_since = None
        page.wait_for_timeout(200)
    raise TimeoutError(f"notebook did not finish within {timeout_s:.0f} s "
                       f"(expected {expected} executed code cells); last state: {state}")


def wait_widgets_rendered(page, timeout_s: float = 30.0) -> dict:
    """Give 'Loading widget...' placeholders time to turn into widgets; return the last state."""
    deadline = time.monotonic() + timeout_s
    state = notebook_state(page)
    while time.monotonic() < deadline and "Loading widget" in state["widget_errors"]:
        page.wait_for_timeout(250)
        state = notebook_state(page)
    return state


# Every panel: its image (loaded? complete?), its description, whether it has a slider.
# "Complete" is measured on the decoded pixels: the PNG is RGB, so any transparent pixel means a truncated
# image, and a figure always has ink (axis labels) near its bottom edge; a half-drawn image is blank there.
_PANELS_JS = r"""async () => {
  const out = [];
  const panels = [...document.querySelectorAll('.jp-Notebook .helpers-panel')];
  for (let i = 0; i < panels.length; i++) {
    const panel = panels[i];
    const img = panel.querySelector('img');
    // The live description (Panel: <p role=status>); a static figure's is the first HTML widget below its image.
    let p = panel.querySelector('p[role=status]');
    if (!p && img) p = [...panel.querySelectorAll('.widget-html')].find(
        h => img.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING) || null;
    const r = {index: i, has_img: !!img, src: img ? img.src : null, complete: false, natural_width: 0,
               natural_height: 0, transparent_px: null, lowest_ink: null, highest_ink: null,
               description: p ? p.textContent.trim() : '',
               sliders: panel.querySelectorAll('.widget-slider .noUi-handle').length,
               // each slider's track: [label, rendered width in px] (a long label can squeeze it to nothing)
               tracks: [...panel.querySelectorAll('.widget-slider')].map(s => [
                   (s.querySelector('.widget-label') || {}).textContent || '',
                   Math.round((s.querySelector('.noUi-target') || s).getBoundingClientRect().width)])};
    if (img) {
      try { await img.decode(); } catch (e) { r.decode_error = String(e); }
      r.complete = img.complete; r.natural_width = img.naturalWidth; r.natural_height = img.naturalHeight;
      if (img.naturalWidth > 0) {
        const w = img.naturalWidth, h = img.naturalHeight;
        const c = document.createElement('canvas'); c.width = w; c.height = h;
        const ctx = c.getContext('2d', {willReadFrequently: true});
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, w, h).data;
        const bg = [d[0], d[1], d[2]];
        let transparent = 0, lowest = -1, highest = -1;
        for (let y = 0; y < h; y++) {
          let ink = false;
          for (let x = 0; x < w; x++) {
            const k = 4 * (y * w + x);
            if (d[k + 3] < 255) { transparent++; continue; }
            if (Math.abs(d[k] - bg[0]) + Math.abs(d[k + 1] - bg[1]) + Math.abs(d[k + 2] - bg[2]) > 60) ink = true;
          }
          if (ink) { if (highest < 0) highest = y; lowest = y; }
        }
        r.transparent_px = transparent;
        r.lowest_ink = lowest / h; r.highest_ink = highest / h;
      }
    }
    out.push(r);
  }
  return out;
}"""


def panel_reports(page) -> list[dict]:
    return page.evaluate(_PANELS_JS)


def image_problems(report: dict, min_lowest_ink: float = 0.8) -> list[str]:
    """What is wrong with one panel's picture (empty list when it is loaded and complete)."""
    bad = []
    if not report["has_img"]:
        return ["panel has no <img>"]
    if not report["complete"] or report["natural_width"] <= 0:
        bad.append(f"image not loaded (complete={report['complete']}, naturalWidth={report['natural_width']})")
        return bad
    if report["transparent_px"]:
        bad.append(f"{report['transparent_px']} transparent pixels: the PNG was truncated")
    if report["lowest_ink"] is None or report["lowest_ink"] < 0:
        bad.append("image is blank")
    elif report["lowest_ink"] < min_lowest_ink:
        bad.append(f"no ink below {report['lowest_ink']:.0%} of the image height: half-drawn picture")
    return bad


def focus_first_slider(page, panel_index: int):
    """Focus (not click: a click moves it) the first slider handle of a panel; return its locator and the key
    that moves it inward (ArrowLeft when it sits at its maximum)."""
    handle = page.locator(".jp-Notebook .helpers-panel").nth(panel_index).locator(
        ".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    return handle, direction_key(handle)


def direction_key(handle, prefer: str = "ArrowRight") -> str:
    now, lo, hi = (handle.get_attribute(a) for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
    try:
        now, lo, hi = float(now), float(lo), float(hi)
    except (TypeError, ValueError):
        return prefer
    if now >= hi:
        return "ArrowLeft"
    if now <= lo:
        return "ArrowRight"
    return prefer


def panel_image_src(page, panel_index: int) -> str | None:
    return page.evaluate("""(i) => {
      const img = document.querySelectorAll('.jp-Notebook .helpers-panel')[i]?.querySelector('img');
      return img ? img.src : null; }""", panel_index)


def wait_panel_image_changed(page, panel_index: int, old_src: str, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(
        """([i, old]) => { const img = document.querySelectorAll('.jp-Notebook .helpers-panel')[i].querySelector('img');
                          return img && img.src && img.src !== old && img.complete && img.naturalWidth > 0; }""",
        arg=[panel_index, old_src], timeout=timeout_ms)


def log_console_count(page) -> int:
    """Messages JupyterLab routed to its log console: kernel output that belongs to no cell, such as a traceback
    or warning from a widget callback (the status-bar item is hidden while there are none)."""
    item = page.locator(".jp-LogConsoleStatusItem")
    if item.count() == 0 or "lm-mod-hidden" in (item.first.get_attribute("class") or ""):
        return 0
    digits = re.findall(r"\d+", item.first.inner_text())
    return int(digits[0]) if digits else 0


def log_console_text(page, timeout_ms: int = 15_000) -> str:
    """Open the log console from its status-bar item and return what it shows."""
    if not log_console_count(page):
        return ""
    page.locator(".jp-LogConsoleStatusItem").first.click()
    panel = page.locator(".jp-LogConsolePanel").first
    panel.wait_for(state="visible", timeout=timeout_ms)
    page.wait_for_function("() => (document.querySelector('.jp-LogConsolePanel')?.innerText || '').trim().length > 0",
                           timeout=timeout_ms)
    return panel.inner_text()


# ---- latency in the page's clock ------------------------------------------------------------------------
#: Install with ``context.add_init_script``. ``window.__lat.watch(el, mode)`` arms a watcher on an element:
#: mode "img" fires when the first <img> inside ``el`` changes ``src`` and decodes; mode "output" fires when a
#: new <img> is added anywhere inside ``el`` and decodes. Every keydown (capture phase) re-arms the start time.
LATENCY_HOOK = r"""(() => {
  const L = window.__lat = {key: 0, done: 0, firstPlot: 0, observers: [], waiters: []};
  document.addEventListener('keydown', () => { L.key = performance.now(); L.done = 0; }, true);
  const finish = (img) => {
    const t0 = L.key;
    img.decode().then(() => {
      if (L.key === t0 && !L.done) {
        L.done = performance.now();
        for (const w of L.waiters.splice(0)) w(L.done - L.key);
      }
    }, () => {});
  };
  // Resolves with keydown -> decoded (ms) once the picture of the last key press is decoded: the harness waits on
  // a promise instead of polling the page every frame, which would compete with the kernel for the CPU.
  L.until = (timeoutMs) => new Promise((resolve, reject) => {
    if (L.done > L.key) { resolve(L.done - L.key); return; }
    L.waiters.push(resolve);
    setTimeout(() => reject(new Error('no repaint within ' + timeoutMs + ' ms')), timeoutMs);
  });
  L.watch = (el, mode) => {
    for (const o of L.observers) o.disconnect();
    L.observers = [];
    if (mode === 'img') {
      const img = el.querySelector('img');
      const o = new MutationObserver(() => finish(img));
      o.observe(img, {attributes: true, attributeFilter: ['src']});
      L.observers.push(o);
    } else {
      const o = new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          const img = n.tagName === 'IMG' ? n : n.querySelector('img');
          if (img) { finish(img); return; }
        }
      });
      o.observe(el, {childList: true, subtree: true});
      L.observers.push(o);
    }
  };
  // Navigation start -> first panel picture decoded (kernel start and Run All included).
  const first = new MutationObserver(() => {
    if (L.firstPlot) return;
    const img = document.querySelector('.helpers-panel img[src]');
    if (img && img.src) img.decode().then(() => {
      if (!L.firstPlot) { L.firstPlot = performance.now(); first.disconnect(); } }, () => {});
  });
  const arm = () => first.observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                                              attributeFilter: ['src']});
  if (document.documentElement) arm(); else document.addEventListener('DOMContentLoaded', arm);
})();"""


def measure_key_latency(page, container_selector: str, mode: str, moves: int = 20, pause_ms: int = 250,
                        timeout_ms: int = 15_000) -> list[float]:
    """Press arrow keys on the focused-first slider inside ``container_selector``; return keydown-to-decoded
    latencies (ms, page clock). Moves right until the slider's maximum, then back left."""
    container = page.locator(container_selector).first
    container.scroll_into_view_if_needed()
    handle = container.locator(".widget-slider .noUi-handle").first
    page.evaluate("([sel, mode]) => window.__lat.watch(document.querySelector(sel), mode)",
                  [container_selector, mode])
    handle.focus()
    key = direction_key(handle)
    out = []
    for _ in range(moves):
        key = direction_key(handle, prefer=key)
        page.evaluate("window.__lat.done = 0")
        page.keyboard.press(key)
        out.append(page.evaluate("t => window.__lat.until(t)", timeout_ms))
        wait_idle(page)
        page.wait_for_timeout(pause_ms)
    return out


def wait_idle(page, timeout_ms: int = 30_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def cpu_times() -> list[int] | None:
    """The machine's CPU time counters (``/proc/stat``, first line: user, nice, system, idle, iowait, irq, softirq,
    steal, ...), or None where there is no /proc."""
    try:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def steal_share(before: list[int] | None, after: list[int] | None) -> float:
    """Share of CPU time the hypervisor gave to other machines between two :func:`cpu_times` readings (0-1; NaN when
    unknown). On a shared virtual machine a high steal share slows everything measured, whatever the code does."""
    if not before or not after or len(before) < 8 or len(after) < 8:
        return float("nan")
    d = [b - a for a, b in zip(before, after, strict=False)]
    return d[7] / sum(d) if sum(d) > 0 else float("nan")


def percentile(values, q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100]) without numpy."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
