"""Slider-to-repaint latency in a real browser: each panel against the naive re-plot, in JupyterLab + Chromium.

For each panel (all of ``helpers.panels.all_panels()``, or those named on the command line) a temporary notebook
shows (a) the panel at its default, ``Cls()``, and (b) the naive baseline: the same figure re-made from scratch
on every change by ``ipywidgets.interactive_output(naive_replot, copies)``, where ``copies`` are fresh
copies of the panel's own controls. The first slider of each is moved by the keyboard (20 moves by default)
and the latency is taken in the page's own clock: capture-phase ``keydown`` -> the panel's ``<img>`` has a new
``src`` and it is decoded, or, for the baseline, a new ``<img>`` in its output area is decoded. The page's
navigation start -> first panel picture decoded (kernel start and Run All included) is the open-to-first-plot
time.

Usage::

    python benchmarks/bench_browser.py                       # every panel
    python benchmarks/bench_browser.py receptor.iv_curve     # some panels ("topic.name")
    python benchmarks/bench_browser.py mymodule:MyPanel      # any importable Panel subclass (PYTHONPATH)
    python benchmarks/bench_browser.py --notebooks           # also open-to-first-plot of notebooks/*.ipynb
    python benchmarks/bench_browser.py --no-drag             # keyboard steps only

After the keyboard steps each panel's first slider is also dragged with the mouse (``bench_drag.py``, one drag by
default): repaints per second while it moves and release -> final picture, in the same table.

Needs Debian's chromium at /usr/bin/chromium and the playwright package (never ``playwright install``).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import _lab  # noqa: E402

TARGET_MEDIAN_MS = 50.0
TARGET_P95_MS = 100.0
TARGET_SPEEDUP = 1.5

NAIVE_CELL = """\
# The naive baseline: the same figure re-plotted from scratch on every change (interact style).
import matplotlib.pyplot as plt
from helpers import style


def naive_replot(**values):
    # A new pyplot figure per change, set up and drawn in full: what ``interact`` does.
    with style.context(p.look):
        fig = plt.figure(dpi=96)
        p.setup(fig)
        p.draw(p.compute(**{**p.values, **values}))
    plt.show()


copies = p.make_controls()
for w in copies.values():
    w.style.description_width = "initial"
naive = W.VBox([W.Box(list(copies.values()), layout=W.Layout(display="flex", flex_flow="row wrap")),
                W.interactive_output(naive_replot, copies)])
naive.add_class("bench-naive")
display(naive)
"""


#: Appended to the panel cell: every picture the panel sends, in order (epoch s, "drag" for a frame whose description
#: waits for the drag to stop, else "final", control values), so a drag benchmark can tell which picture on the page
#: shows which value.
FRAME_LOG_CODE = """
import time as _time
_frames = []
p._image.observe(lambda _c: _frames.append((_time.time(), "drag" if p._description_due else "final",
                                            repr(sorted(p.values.items())))), names="value")
"""


def bench_notebook(module: str, name: str, path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    panel_cell = ("import ipywidgets as W\nfrom IPython.display import display\n"
                  + _lab.panel_import_code(module, name) + "p = Cls()\ndisplay(p)\n" + FRAME_LOG_CODE)
    nb = new_notebook(cells=[new_markdown_cell(f"# Benchmark: {module} {name}"), new_code_cell(panel_cell),
                             new_code_cell(NAIVE_CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def resolve(specs: list[str]) -> dict[str, tuple[str, str]]:
    panels = _lab.discover_panels()
    if not specs:
        return panels
    out = {}
    for spec in specs:
        if ":" in spec:
            module, name = spec.split(":", 1)
            out[spec] = (module, name)
        elif spec in panels:
            out[spec] = panels[spec]
        else:
            sys.exit(f"unknown panel {spec!r}; choose from {sorted(panels)} or give module:Class")
    return out


def open_and_run(page, server, rel: str, expected: int) -> float:
    """Open, Run All, wait; return navigation start -> first panel picture decoded (s)."""
    _lab.open_notebook(page, server, rel)
    _lab.run_all(page)
    state = _lab.wait_until_executed(page, expected)
    if state["errors"]:
        raise RuntimeError(f"{rel}: error output:\n" + "\n---\n".join(state["errors"]))
    state = _lab.wait_widgets_rendered(page)
    if state["widget_errors"]:
        raise RuntimeError(f"{rel}: widget errors {state['widget_errors']}")
    if not page.locator(".jp-Notebook .helpers-panel").count():
        return float("nan")
    page.wait_for_function("window.__lat.firstPlot > 0", timeout=60_000)
    return page.evaluate("window.__lat.firstPlot") / 1e3


def stats(xs: list[float]) -> tuple[float, float]:
    return statistics.median(xs), _lab.percentile(xs, 95)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("panels", nargs="*", help='"topic.name" keys of all_panels(), or module:Class')
    ap.add_argument("--moves", type=int, default=20, help="keyboard moves per slider (default 20)")
    ap.add_argument("--pause-ms", type=int, default=250, help="pause after each repaint (default 250)")
    ap.add_argument("--notebooks", action="store_true", help="also time open-to-first-plot of notebooks/*.ipynb")
    ap.add_argument("--no-drag", action="store_true", help="skip the mouse drag of each panel's first slider")
    ap.add_argument("--drags", type=int, default=1, help="mouse drags per panel (default 1)")
    args = ap.parse_args(argv)
    import bench_drag  # here, not at the top: bench_drag imports this module

    reason = _lab.browser_skip_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    panels = resolve(args.panels)
    root = Path(tempfile.mkdtemp(prefix="helpers-bench-"))
    nb_dir = _lab.copy_collection(root)
    jobs = {}
    for key, (module, name) in panels.items():
        rel = f"_bench_{key.replace(':', '.').replace('/', '_')}.ipynb"
        bench_notebook(module, name, nb_dir / rel)
        jobs[key] = rel

    rows, nb_rows = [], []
    cpu_before = _lab.cpu_times()
    print(f"{len(jobs)} panel(s); {args.moves} moves each; JupyterLab + {_lab.CHROMIUM} (headless)", flush=True)
    with _lab.LabServer(nb_dir) as server, sync_playwright() as pw:
        context = _lab.launch_context(pw, root / "chromium-profile")
        context.add_init_script(_lab.LATENCY_HOOK)
        context.add_init_script(bench_drag.DRAG_HOOK)
        drag_args = argparse.Namespace(steps=50, step_ms=20.0, repeats=args.drags, no_naive=True)
        try:
            for key, rel in jobs.items():
                server.delete_sessions(rel)
                page = context.new_page()
                try:
                    first = open_and_run(page, server, rel, expected=2)
                    panel_ms = _lab.measure_key_latency(page, ".jp-Notebook .helpers-panel", "img", args.moves,
                                                        args.pause_ms)
                    states = server.panel_states(rel)  # the panel's own update times (kernel side)
                    kernel_ms = states[0]["update_ms"][-args.moves:] if states else [float("nan")]
                    naive_ms = _lab.measure_key_latency(page, ".jp-Notebook .bench-naive", "output", args.moves,
                                                        args.pause_ms)
                    dragged = None if args.no_drag else bench_drag.measure_panel(page, server, rel, drag_args)["panel"]
                    rows.append((key, first, stats(panel_ms), stats(naive_ms), statistics.median(kernel_ms), dragged))
                    print(f"  {key}: panel {stats(panel_ms)[0]:.0f} ms, naive {stats(naive_ms)[0]:.0f} ms"
                          + ("" if dragged is None else f"; drag {bench_drag._fmt(dragged)}"), flush=True)
                except Exception as exc:  # a benchmark reports and carries on; the browser test is the gate
                    rows.append((key, None, None, None, None, None))
                    print(f"  {key}: FAILED {type(exc).__name__}: {str(exc)[:500]}", flush=True)
                finally:
                    page.close()
                    server.delete_sessions(rel)
            if args.notebooks:
                for nb in _lab.notebook_paths(nb_dir):
                    if nb.name.startswith("_bench_"):
                        continue
                    server.delete_sessions(nb.name)
                    page = context.new_page()
                    t0 = time.monotonic()
                    try:
                        first = open_and_run(page, server, nb.name, _lab.code_cell_count(nb))
                        nb_rows.append((nb.name, first, time.monotonic() - t0))
                    except Exception as exc:
                        nb_rows.append((nb.name, None, None))
                        print(f"  {nb.name}: FAILED {type(exc).__name__}: {str(exc)[:500]}", flush=True)
                    finally:
                        page.close()
                        server.delete_sessions(nb.name)
        finally:
            context.close()
    shutil.rmtree(root, ignore_errors=True)
    steal = _lab.steal_share(cpu_before, _lab.cpu_times())

    print()
    print(f"Targets: keyboard step median <= {TARGET_MEDIAN_MS:.0f} ms, p95 <= {TARGET_P95_MS:.0f} ms, "
          f">= {TARGET_SPEEDUP:.1f}x faster than the naive re-plot (median); drag >= "
          f"{bench_drag.TARGET_REPAINTS_PER_S:.0f} repaints/s, release -> final <= "
          f"{bench_drag.TARGET_RELEASE_MS:.0f} ms.")
    print("All times in ms except open->plot; 'kernel' is the panel's own update (compute+draw+PNG, p.update_ms),")
    print("the rest of 'panel' is the trip kernel -> browser and the image decode. 'moves/s' is the pointer moves the")
    print("page received during the drag (the repaint rate cannot exceed it). Load average: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg())
          + f"; CPU time stolen by the hypervisor during the run: {steal:.0%} (on a shared virtual machine)")
    head = (f"{'panel':<34} {'open->plot s':>12} {'panel med':>9} {'p95':>6} {'kernel':>6} {'naive med':>9} "
            f"{'p95':>6} {'speed-up':>8} {'moves/s':>7} {'drag rep/s':>10} {'rel->final':>10}  verdict")
    print(head)
    print("-" * len(head))
    for key, first, pstat, nstat, kernel, dragged in rows:
        if pstat is None:
            print(f"{key:<34} {'failed':>12}")
            continue
        ratio = nstat[0] / pstat[0] if pstat[0] > 0 else float("inf")
        checks = [("median", pstat[0] > TARGET_MEDIAN_MS), ("p95", pstat[1] > TARGET_P95_MS),
                  ("speed-up", ratio < TARGET_SPEEDUP)]
        drag_cols = f" {'-':>7} {'-':>10} {'-':>10}"
        if dragged is not None:
            checks += [("drag rate", dragged["repaints_per_s"] < bench_drag.TARGET_REPAINTS_PER_S),
                       ("release", dragged["release_final_ms"] > bench_drag.TARGET_RELEASE_MS)]
            drag_cols = (f" {dragged['moves_per_s']:>7.1f} {dragged['repaints_per_s']:>10.1f} "
                         f"{dragged['release_final_ms']:>10.0f}")
        misses = [what for what, bad in checks if bad]
        verdict = "ok" if not misses else "misses " + ", ".join(misses)
        print(f"{key:<34} {first:>12.1f} {pstat[0]:>9.0f} {pstat[1]:>6.0f} {kernel:>6.0f} {nstat[0]:>9.0f} "
              f"{nstat[1]:>6.0f} {ratio:>7.1f}x{drag_cols}  {verdict}")
    if nb_rows:
        print()
        print(f"{'notebook':<40} {'open->first panel s':>19} {'open->all run s':>15}")
        for name, first, total in nb_rows:
            if first is None:
                print(f"{name:<40} {'failed':>19}")
            else:
                print(f"{name:<40} {first:>19.1f} {total:>15.1f}")
    return 0 if all(r[2] is not None for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
