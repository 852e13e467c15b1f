"""Python-side panel update times, and how long each notebook takes on a fresh kernel.

1. For each panel (all of ``helpers.panels.all_panels()``, or those named on the command line): ``Cls()``, then
   ``--n`` (50) calls of ``p.set(...)`` with random valid values for every control (slider values on the slider's
   own step grid, any dropdown option, either checkbox state), and ``--n`` one-step moves of the first slider
   (what one arrow-key press does in the browser). Median and p95 from ``p.update_ms`` (compute + draw + PNG +
   description, ms) and how many updates needed a full redraw instead of the blit.
2. Each ``notebooks/*.ipynb`` executed with nbclient on a fresh kernel, the same way as the notebook tests: a first
   cell ``import warnings; warnings.simplefilter("error")`` and cwd ``notebooks/`` (the executed copy is never
   written). Wall time including kernel start, and the cells alone.

Usage: ``python benchmarks/bench_panels.py [topic.name ...] [--n 50] [--seed 0] [--no-notebooks]``
"""
from __future__ import annotations

import argparse
import importlib
import math
import statistics
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import _lab  # noqa: E402

TARGET_NOTEBOOK_S = 10.0


def _grid_value(widget, rng, log: bool):
    """A value the widget itself can hold: on its step grid, inside its bounds."""
    lo, hi, step = float(widget.min), float(widget.max), float(widget.step or 0)
    if step > 0:
        k = int(rng.integers(0, int(math.floor((hi - lo) / step + 1e-9)) + 1))
        x = min(max(lo + k * step, lo), hi)
    else:
        x = float(rng.uniform(lo, hi))
    if log:
        base = float(widget.base)
        return float(min(max(base ** x, base ** lo), base ** hi))
    return x


def random_values(panel, rng) -> dict:
    import ipywidgets as W

    out = {}
    for key, w in panel.controls.items():
        if isinstance(w, W.FloatLogSlider):
            out[key] = _grid_value(w, rng, log=True)
        elif isinstance(w, (W.IntSlider, W.BoundedIntText)):
            out[key] = int(rng.integers(w.min, w.max + 1))
        elif isinstance(w, (W.FloatSlider, W.BoundedFloatText)):
            out[key] = _grid_value(w, rng, log=False)
        elif isinstance(w, (W.FloatRangeSlider, W.IntRangeSlider)):
            a, b = sorted(_grid_value(w, rng, log=False) for _ in range(2))
            out[key] = (int(a), int(b)) if isinstance(w, W.IntRangeSlider) else (a, b)
        elif isinstance(w, W.SelectMultiple):
            opts = [o[1] if isinstance(o, tuple) else o for o in w.options]
            pick = rng.random(len(opts)) < 0.5
            out[key] = tuple(o for o, keep in zip(opts, pick, strict=True) if keep) or (opts[0],)
        elif isinstance(w, (W.Dropdown, W.RadioButtons, W.ToggleButtons, W.Select, W.SelectionSlider)):
            opts = [o[1] if isinstance(o, tuple) else o for o in w.options]
            out[key] = opts[int(rng.integers(len(opts)))]
        elif isinstance(w, (W.Checkbox, W.ToggleButton)):
            out[key] = bool(rng.integers(2))
    return out


def first_slider(panel):
    import ipywidgets as W

    for key, w in panel.controls.items():
        if isinstance(w, (W.FloatSlider, W.FloatLogSlider, W.IntSlider)):
            return key, w
    return None, None


def step_values(widget, n: int) -> list:
    """n values one slider step apart, bouncing between the bounds (as arrow keys would)."""
    import ipywidgets as W

    log = isinstance(widget, W.FloatLogSlider)
    lo, hi, step = float(widget.min), float(widget.max), float(widget.step)
    x = math.log(widget.value, widget.base) if log else float(widget.value)
    k = round((x - lo) / step)
    kmax = int(math.floor((hi - lo) / step + 1e-9))
    out, d = [], 1
    for _ in range(n):
        if not 0 <= k + d <= kmax:
            d = -d
        k += d
        v = min(max(lo + k * step, lo), hi)
        v = min(max(widget.base ** v, widget.base ** lo), widget.base ** hi) if log else v
        out.append(int(round(v)) if isinstance(widget, W.IntSlider) else float(v))
    return out


def stats(xs):
    return (statistics.median(xs), _lab.percentile(xs, 95)) if xs else (float("nan"), float("nan"))


def _timed_set(p, values: dict, times: list) -> None:
    """``p.set(**values)``, keeping the panel's own time for the update it ran (``p.update_ms`` holds only the
    most recent ones, so each is read right after its update)."""
    count = p.update_count
    p.set(**values)
    times.extend(list(p.update_ms)[-(p.update_count - count):] if p.update_count > count else [])


def bench_panel(cls, n: int, rng) -> dict:
    p = cls()
    rnd, full0, rejected = [], p.renderer.full_draws, 0
    for _ in range(n):
        try:
            _timed_set(p, random_values(p, rng), rnd)
        except ValueError:  # a combination the panel refuses (it must say so); counted, not timed
            rejected += 1
    rnd_full = p.renderer.full_draws - full0
    p.reset()
    key, w = first_slider(p)
    step, step_full = [], 0
    if w is not None:
        full0 = p.renderer.full_draws
        for value in step_values(w, n):
            _timed_set(p, {key: value}, step)
        step_full = p.renderer.full_draws - full0
    return {"random": stats(rnd), "random_full": (rnd_full, len(rnd)), "rejected": rejected,
            "step": stats(step), "step_full": (step_full, len(step)), "slider": key}


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def time_notebook(path: Path) -> tuple[float, float]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell('import warnings; warnings.simplefilter("error")'))
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    wall = time.perf_counter() - t0
    stamps = [c.metadata.get("execution", {}) for c in nb.cells if c.cell_type == "code"]
    begin = [_ts(s["iopub.execute_input"]) for s in stamps if "iopub.execute_input" in s]
    end = [_ts(s["shell.execute_reply"]) for s in stamps if "shell.execute_reply" in s]
    cells = (max(end) - min(begin)).total_seconds() if begin and end else float("nan")
    return wall, cells


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("panels", nargs="*", help='"topic.name" keys of all_panels()')
    ap.add_argument("--n", type=int, default=50, help="updates per panel and kind (default 50)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-notebooks", action="store_true", help="skip the notebook execution times")
    args = ap.parse_args(argv)

    found = _lab.discover_panels()
    unknown = [k for k in args.panels if k not in found]
    if unknown:
        sys.exit(f"unknown panel(s) {unknown}; choose from {sorted(found)}")
    keys = args.panels or list(found)
    rng = np.random.default_rng(args.seed)

    print(f"Panel update time, ms (from p.update_ms; {args.n} updates each; 'full' = updates that redrew the")
    print("whole figure instead of blitting). random = p.set() of every control at random; step = one step of the")
    print("first slider, as one arrow-key press in the browser.")
    head = (f"{'panel':<34} {'random med':>10} {'p95':>6} {'full':>7} {'step med':>9} {'p95':>6} {'full':>7}  "
            f"first slider")
    print(head)
    print("-" * len(head))
    for key in keys:
        module, name = found[key]
        cls = importlib.import_module(module).PANELS[name]
        r = bench_panel(cls, args.n, rng)
        note = f"  ({r['rejected']} random sets refused)" if r["rejected"] else ""
        random_full, step_full = ("{}/{}".format(*r["random_full"]), "{}/{}".format(*r["step_full"]))
        print(f"{key:<34} {r['random'][0]:>10.1f} {r['random'][1]:>6.1f} {random_full:>7} "
              f"{r['step'][0]:>9.1f} {r['step'][1]:>6.1f} {step_full:>7}  {r['slider']}{note}")

    if not args.no_notebooks:
        print()
        print(f"Notebooks on a fresh kernel (nbclient, warnings as errors, cwd notebooks/); target <= "
              f"{TARGET_NOTEBOOK_S:.0f} s")
        print(f"{'notebook':<40} {'wall s':>7} {'cells s':>8}  verdict")
        for path in _lab.notebook_paths():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)  # jupyter_client's own, not the notebook's
                    wall, cells = time_notebook(path)
            except Exception as exc:  # report and carry on; tests/test_notebooks.py is the gate
                print(f"{path.name:<40} {'failed':>7}  {type(exc).__name__}: {str(exc)[:300]}")
                continue
            verdict = "ok" if wall <= TARGET_NOTEBOOK_S else "over target"
            print(f"{path.name:<40} {wall:>7.1f} {cells:>8.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
