"""Dragging a slider in a real browser: repaints per second while the handle moves, and release -> final picture.

For each panel (all of ``helpers.panels.all_panels()``, or those named on the command line) a temporary notebook
shows the panel and the naive re-plot (as in ``bench_browser.py``). Playwright presses the mouse on the panel's
first slider handle, moves it in small steps for about a second (``--steps`` moves ``--step-ms`` apart, over 40 %
of the track), and lets go. Measured in the page's own clock:

* **repaints/s**: pictures decoded between mouse-down and mouse-up, per second of drag (beside it, the pointer
  moves and the new slider values per second the page received: on a loaded machine Playwright cannot deliver
  moves faster, and no panel can repaint more often than its slider offers a new value);
* **release -> final**: mouse-up -> the first decoded picture that shows the slider's final value (0 when the
  final value was already on screen before the button came up);
* **release -> last**: mouse-up -> the last picture decoded (for the naive re-plot the same as release -> final).

Which picture shows which value is known from the kernel: the bench notebook logs every picture the panel sends
(wall-clock time, "drag" frame or "final", the control values); the n-th logged picture is the n-th one the page sees.

Usage::

    python benchmarks/bench_drag.py                      # every panel, panel and naive
    python benchmarks/bench_drag.py receptor.iv_curve    # some panels ("topic.name", or module:Class)
    python benchmarks/bench_drag.py --no-naive           # the panels only

Needs Debian's chromium at /usr/bin/chromium and the playwright package (never ``playwright install``).
"""
from __future__ import annotations

import argparse
import ast
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _lab  # noqa: E402
import bench_browser  # noqa: E402

TARGET_REPAINTS_PER_S = 25.0
TARGET_RELEASE_MS = 100.0

#: Install with ``context.add_init_script``. ``window.__drag.watch(el)`` records every picture inside ``el``: a new
#: or re-sourced <img> (time of the change and time decoded, page clock); pointer down/up times are kept too.
DRAG_HOOK = r"""(() => {
  const D = window.__drag = {frames: [], moves: [], values: [], down: 0, up: 0, observers: []};
  document.addEventListener('pointerdown', () => { D.down = performance.now(); }, true);
  document.addEventListener('pointerup', () => { D.up = performance.now(); }, true);
  document.addEventListener('pointermove', (e) => { if (e.buttons) D.moves.push(performance.now()); }, true);
  const seen = (img) => {
    const f = {changed: performance.now(), decoded: null};
    D.frames.push(f);
    // A picture replaced before it decoded rejects; it was never shown, and stays without a decode time.
    img.decode().then(() => { f.decoded = performance.now(); }, () => {});
  };
  D.watch = (el, handle) => {
    for (const o of D.observers) o.disconnect();
    D.frames = []; D.moves = []; D.values = []; D.down = 0; D.up = 0;
    // The values the slider offered: each change of its handle's aria-valuenow (the kernel can show no more).
    const v = new MutationObserver(() => D.values.push(performance.now()));
    v.observe(handle, {attributes: true, attributeFilter: ['aria-valuenow']});
    const o = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes' && r.target.tagName === 'IMG' && r.target.src) seen(r.target);
        for (const n of r.addedNodes || []) {
          if (n.nodeType !== 1) continue;
          const img = n.tagName === 'IMG' ? n : n.querySelector('img');
          if (img && img.src) seen(img);
        }
      }
    });
    o.observe(el, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
    D.observers = [v, o];
  };
  // Wall clock of a page time, to line the page's pictures up with the kernel's log.
  D.epoch = (t) => performance.timeOrigin + t;
})();"""

def drag(page, container_selector: str, *, steps: int = 50, step_ms: float = 20.0, settle_ms: int = 1500) -> dict:
    """Drag the first slider handle inside ``container_selector``; return the page's record of it.

    The handle goes to the far end of the track and back to where it started, in ``steps`` equal moves
    ``step_ms`` apart (so even a slider of a dozen grid points offers a new value every few moves); then the
    button comes up and the page is watched for ``settle_ms`` more.
    """
    container = page.locator(container_selector).first
    container.scroll_into_view_if_needed()
    handle = container.locator(".widget-slider .noUi-handle").first
    track = container.locator(".widget-slider .noUi-target").first
    hb, tb = handle.bounding_box(), track.bounding_box()
    x0, y0 = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    far = tb["x"] + 0.98 * tb["width"] if x0 < tb["x"] + tb["width"] / 2 else tb["x"] + 0.02 * tb["width"]
    path = [x0 + (far - x0) * (1 - abs(1 - 2 * i / steps)) for i in range(1, steps + 1)]  # there and back
    page.evaluate("(sel) => { const el = document.querySelector(sel); "
                  "window.__drag.watch(el, el.querySelector('.widget-slider .noUi-handle')); }", container_selector)
    _lab.wait_idle(page)
    page.mouse.move(x0, y0)
    page.mouse.down()
    for x in path:
        page.mouse.move(x, y0)
        page.wait_for_timeout(step_ms)
    page.mouse.up()
    page.wait_for_timeout(settle_ms)
    _lab.wait_idle(page)
    page.wait_for_timeout(300)
    return page.evaluate("""() => { const D = window.__drag;
        return {down: D.down, up: D.up, down_epoch: D.epoch(D.down), up_epoch: D.epoch(D.up),
                moves: D.moves.length, values: D.values.filter(t => t >= D.down && t <= D.up).length,
                frames: D.frames.map(f => ({changed: f.changed, decoded: f.decoded}))}; }""")


def summarise(record: dict, kernel_frames: list | None = None) -> dict:
    """Repaints per second during the drag, release -> final value shown, release -> last picture (ms).

    ``kernel_frames`` is the panel's log ``[(epoch s, format, values), ...]`` (``bench_browser.FRAME_LOG_CODE``);
    without it (the naive re-plot) the last picture is taken to be the final value.
    """
    down, up = record["down"], record["up"]
    frames = record["frames"]
    shown = [f["decoded"] for f in frames if f["decoded"] is not None]
    during = [t for t in shown if down <= t <= up]
    rate = len(during) / ((up - down) / 1e3) if up > down else float("nan")
    last = max(shown) - up if shown else float("nan")
    seconds = (up - down) / 1e3 if up > down else float("nan")
    out = {"repaints_per_s": rate, "moves_per_s": record["moves"] / seconds, "values_per_s": record["values"] / seconds,
           "release_last_ms": last, "frames": len(frames),
           "drafts": None, "release_final_ms": last}
    if kernel_frames:
        # The kernel's pictures since the mouse went down, matched from the end with the page's pictures.
        mine = [k for k in kernel_frames if k[0] >= record["down_epoch"] / 1e3 - 0.5]
        final_values = kernel_frames[-1][2]
        n = min(len(mine), len(frames))
        pairs = list(zip(mine[-n:], frames[-n:], strict=True))
        out["drafts"] = sum(1 for k, _f in pairs if k[1] == "drag")
        first_final = next((f for k, f in pairs if k[2] == final_values and f["decoded"] is not None), None)
        if first_final is not None:
            out["release_final_ms"] = max(0.0, first_final["decoded"] - up)
        out["matched"] = len(mine) == len(frames)
    return out


def kernel_frames(server, rel: str) -> list:
    return ast.literal_eval(server.kernel_eval(rel, "_frames[-400:]"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("panels", nargs="*", help='"topic.name" keys of all_panels(), or module:Class')
    ap.add_argument("--steps", type=int, default=50, help="mouse moves per drag (default 50)")
    ap.add_argument("--step-ms", type=float, default=20.0, help="pause between moves, ms (default 20)")
    ap.add_argument("--repeats", type=int, default=2, help="drags per panel, there and back (default 2)")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive re-plot")
    args = ap.parse_args(argv)
    reason = _lab.browser_skip_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    panels = bench_browser.resolve(args.panels)
    root = Path(tempfile.mkdtemp(prefix="helpers-drag-"))
    nb_dir = _lab.copy_collection(root)
    jobs = {}
    for key, (module, name) in panels.items():
        rel = f"_drag_{key.replace(':', '.').replace('/', '_')}.ipynb"
        bench_browser.bench_notebook(module, name, nb_dir / rel)
        jobs[key] = rel

    rows = []
    print(f"{len(jobs)} panel(s); {args.repeats} drag(s) of {args.steps} moves {args.step_ms:.0f} ms apart; "
          f"JupyterLab + {_lab.CHROMIUM} (headless)", flush=True)
    with _lab.LabServer(nb_dir) as server, sync_playwright() as pw:
        context = _lab.launch_context(pw, root / "chromium-profile")
        context.add_init_script(_lab.LATENCY_HOOK)
        context.add_init_script(DRAG_HOOK)
        try:
            for key, rel in jobs.items():
                server.delete_sessions(rel)
                page = context.new_page()
                try:
                    bench_browser.open_and_run(page, server, rel, expected=2)
                    row = measure_panel(page, server, rel, args)
                    rows.append((key, row))
                    print(f"  {key}: {_fmt(row['panel'])}" + ("" if args.no_naive else
                                                              f"; naive {_fmt(row['naive'])}"), flush=True)
                except Exception as exc:  # a benchmark reports and carries on
                    rows.append((key, None))
                    print(f"  {key}: FAILED {type(exc).__name__}: {str(exc)[:500]}", flush=True)
                finally:
                    page.close()
                    server.delete_sessions(rel)
        finally:
            context.close()
    shutil.rmtree(root, ignore_errors=True)
    print()
    print_table(rows, naive=not args.no_naive)
    return 0 if all(r is not None for _k, r in rows) else 1


def measure_panel(page, server, rel: str, args) -> dict:
    """Drag the panel's first slider (and the naive copy's) ``args.repeats`` times; medians over the drags."""
    out = {}
    for which, selector in (("panel", ".jp-Notebook .helpers-panel"), ("naive", ".jp-Notebook .bench-naive")):
        if which == "naive" and args.no_naive:
            continue
        runs = []
        for _ in range(args.repeats):
            record = drag(page, selector, steps=args.steps, step_ms=args.step_ms)
            log = kernel_frames(server, rel) if which == "panel" else None
            runs.append(summarise(record, log))
        out[which] = {k: statistics.median([r[k] for r in runs if r[k] is not None] or [float("nan")])
                      for k in ("repaints_per_s", "moves_per_s", "values_per_s", "release_final_ms",
                                "release_last_ms", "frames")}
        out[which]["drafts"] = sum(r["drafts"] or 0 for r in runs)
        out[which]["matched"] = all(r.get("matched", True) for r in runs)
    return out


def _fmt(r: dict) -> str:
    return (f"{r['repaints_per_s']:.1f} repaints/s ({r['moves_per_s']:.0f} moves/s, {r['values_per_s']:.0f} values/s), "
            f"release->final {r['release_final_ms']:.0f} ms, ->last {r['release_last_ms']:.0f} ms")


def print_table(rows, naive: bool = True) -> None:
    print(f"Targets: >= {TARGET_REPAINTS_PER_S:.0f} repaints/s while dragging; final position shown <= "
          f"{TARGET_RELEASE_MS:.0f} ms after release. Page clock; medians over the drags.")
    head = (f"{'panel':<34} {'moves/s':>7} {'values/s':>8} {'repaints/s':>10} {'rel->final':>10} {'rel->last':>9} "
            f"{'drag frames':>11}"
            + (f" {'naive rep/s':>11} {'naive rel':>9}" if naive else "") + "  verdict")
    print(head)
    print("-" * len(head))
    for key, row in rows:
        if row is None:
            print(f"{key:<34} {'failed':>10}")
            continue
        p = row["panel"]
        misses = [what for what, bad in (("rate", p["repaints_per_s"] < TARGET_REPAINTS_PER_S),
                                         ("release", p["release_final_ms"] > TARGET_RELEASE_MS)) if bad]
        verdict = ("ok" if not misses else "misses " + ", ".join(misses)) + ("" if p["matched"] else " (unmatched)")
        line = (f"{key:<34} {p['moves_per_s']:>7.1f} {p['values_per_s']:>8.1f} {p['repaints_per_s']:>10.1f} "
                f"{p['release_final_ms']:>10.0f} "
                f"{p['release_last_ms']:>9.0f} {p['drafts']:>11}")
        if naive:
            n = row["naive"]
            line += f" {n['repaints_per_s']:>11.1f} {n['release_last_ms']:>9.0f}"
        print(line + "  " + verdict)


if __name__ == "__main__":
    sys.exit(main())
