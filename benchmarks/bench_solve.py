"""How often a PK panel enters the model per slider move, and how long its Python side takes.

A plain script, not a test: ``python benchmarks/bench_solve.py [moves]`` (default 40 moves per panel).

For each PK panel (regimen explorer at its Sigtermans 2009 opening and at the audit's awkward setting, then the
route, model and decrement panels) the first slider is moved one step at a time, as arrow keys do, and each move
reports:

* ``entries``: top-level calls into :mod:`helpers.models.pk` made by the panel (a call made inside another pk
  call is not counted again), with the names called;
* ``solves``: exact solutions of a regimen built (the superposition over dosing boundaries: the costly part);
* ``compute+describe``: the panel's ``compute`` then ``describe`` on the new values (median and p95 wall time,
  median CPU time, ms);
* ``full update``: ``panel.set(...)``: compute, draw, PNG encoding and description (same statistics).

Timings on a shared 2-core machine are noisy; the medians are the numbers to compare. The counts are exact.
To compare with the code before ``pk.solve`` (commit 8d29d59) under the same load, run the script against that
tree as well::

    git archive 8d29d59 src | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before/src python benchmarks/bench_solve.py
"""
from __future__ import annotations

import functools
import os
import statistics
import sys
import time
from collections import Counter

import ipywidgets as W

from helpers.models import pk
from helpers.panels import pk as P

#: The public pk callables a panel may enter (those that exist in the running version are wrapped).
ENTRY_POINTS = ("solve", "simulate", "peak", "time_above_h", "time_to_fall_after_h", "auc_ng_h_per_ml",
                "norketamine_auc_ratio", "context_sensitive_half_time_h", "steady_state_ng_ml", "bioavailability",
                "time_grid", "half_lives_min", "clearance_l_per_h", "repeat", "course", "infusion", "bolus")
#: Builders make events, they do not solve anything: listed apart so the model entries stand out.
BUILDERS = ("repeat", "course", "infusion", "bolus", "time_grid")


class Counting:
    """Wrap pk's entry points (and the solution constructor) and count the calls made while active."""

    def __init__(self):
        self.calls: Counter = Counter()
        self.solves = 0
        self._depth = 0
        self._saved: list = []

    def _wrap(self, name, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if self._depth == 0:
                self.calls[name] += 1
            self._depth += 1
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth -= 1
        return wrapper

    def __enter__(self):
        for name in ENTRY_POINTS:
            if hasattr(pk, name):
                self._saved.append((pk, name, getattr(pk, name)))
                setattr(pk, name, self._wrap(name, getattr(pk, name)))
        cls = getattr(pk, "Solution", None) or pk._Solution
        init = cls.__init__

        def counted_init(obj, *args, **kwargs):
            self.solves += 1
            init(obj, *args, **kwargs)
        self._saved.append((cls, "__init__", init))
        cls.__init__ = counted_init
        return self

    def __exit__(self, *exc):
        for owner, name, fn in reversed(self._saved):
            setattr(owner, name, fn)
        self._saved.clear()


def _step_values(widget, n):
    """n values one step apart (bouncing at the ends), as arrow keys would give."""
    if isinstance(widget, W.SelectionSlider):
        opts = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        seq, k, d = [], opts.index(widget.value), 1
    elif isinstance(widget, W.FloatLogSlider):
        import math
        lo, hi, step = widget.min, widget.max, widget.step
        kmax = int(round((hi - lo) / step))
        k, d, seq = int(round((math.log(widget.value, widget.base) - lo) / step)), 1, []
        opts = [widget.base ** (lo + i * step) for i in range(kmax + 1)]
    else:
        lo, hi, step = float(widget.min), float(widget.max), float(widget.step)
        kmax = int(round((hi - lo) / step))
        opts = [lo + i * step for i in range(kmax + 1)]
        if isinstance(widget, W.IntSlider):
            opts = [int(round(x)) for x in opts]
        k, d, seq = min(range(len(opts)), key=lambda i: abs(opts[i] - widget.value)), 1, []
    for _ in range(n):
        if not 0 <= k + d < len(opts):
            d = -d
        k += d
        seq.append(opts[k])
    return seq


def _stats(xs):
    xs = sorted(xs)
    return statistics.median(xs), xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def bench(label, make, key, moves):
    panel = make()
    values = _step_values(panel.controls[key], moves)
    per_move, solves = [], []
    for x in values:
        with Counting() as c:
            panel.describe(panel.compute(**{**panel.values, key: x}))
        per_move.append(c.calls)
        solves.append(c.solves)
    # timed apart from the counting (its wrappers cost time); CPU time is less disturbed by other processes
    cd_ms, cd_cpu = [], []
    for x in values:
        new = {**panel.values, key: x}
        t0, c0 = time.perf_counter(), time.process_time()
        panel.describe(panel.compute(**new))
        cd_ms.append((time.perf_counter() - t0) * 1e3)
        cd_cpu.append((time.process_time() - c0) * 1e3)
    # full updates, on a fresh panel so the cache state matches a student's first moves
    panel = make()
    full_ms, full_cpu = [], []
    for x in values:
        t0, c0 = time.perf_counter(), time.process_time()
        panel.set(**{key: x})
        full_ms.append((time.perf_counter() - t0) * 1e3)
        full_cpu.append((time.process_time() - c0) * 1e3)
    total = sum(per_move, Counter())
    entries = {k: n / moves for k, n in total.items() if k not in BUILDERS}
    built = {k: n / moves for k, n in total.items() if k in BUILDERS}
    cd_med, cd_p95 = _stats(cd_ms)
    full_med, full_p95 = _stats(full_ms)
    print(f"{label}  (slider {key!r}, {moves} moves)")
    print(f"  model entries per move: {sum(entries.values()):.1f}  "
          + ", ".join(f"{k} {n:g}" for k, n in sorted(entries.items())))
    print(f"  builders per move:      {sum(built.values()):.1f}  "
          + ", ".join(f"{k} {n:g}" for k, n in sorted(built.items())))
    print(f"  solutions built per move: {statistics.mean(solves):.2f} (max {max(solves)})")
    print(f"  compute+describe: median {cd_med:.2f} ms, p95 {cd_p95:.2f} ms (CPU median "
          f"{statistics.median(cd_cpu):.2f} ms)")
    print(f"  full update (set: compute, draw, PNG, describe): median {full_med:.2f} ms, p95 {full_p95:.2f} ms "
          f"(CPU median {statistics.median(full_cpu):.2f} ms)")
    print()


AUDIT = dict(model="fanta_2015", rate_mg_per_h=100.0, session_h=0.25, sessions=14, interval_d=28.0)


def main(moves: int = 40) -> None:
    print(f"PK panel entries and update times; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"pk.solve {'present' if hasattr(pk, 'solve') else 'absent'}")
    print()
    bench("regimen explorer, Sigtermans 2009 preset", lambda: P.regimen_explorer("sigtermans_2009"),
          "rate_mg_per_h", moves)
    bench("regimen explorer, Sigtermans 2009 preset, slow biophase on",
          lambda: P.regimen_explorer("sigtermans_2009", biophase=True), "rate_mg_per_h", moves)
    bench("regimen explorer, 14 x 15 min every 28 days", lambda: P.regimen_explorer(**AUDIT), "rate_mg_per_h",
          moves)
    bench("route comparison", P.route_comparison, "dose_mg", moves)
    bench("model comparison", P.model_comparison, "rate_mg_per_h", moves)
    bench("decrement times", P.decrement_times, "weight_kg", moves)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
