"""Timing of the year-long booster schedules of notebook 06 (a plain script, not a test).

``python benchmarks/bench_schedule.py [runs]`` prints the median, 95th percentile and minimum over ``runs``
(default 10) of:

* ``year_outcome``: one schedule over 52 weeks (one exact PK solve, both explanations for the typical patient,
  a 200-patient cohort under one explanation, exact hours above four levels), for the 4-week and the tapering
  schedule under each explanation; a fresh interval each run so no cache helps;
* the interval sweep (15 intervals, typical patient, both explanations), uncached;
* keyboard steps of each notebook-06 panel's main slider (compute + draw + PNG + description, from
  ``update_ms``): 30 one-step moves up and back down; the booster panel's ``year_outcome`` cache is emptied
  before every move, so each step pays for a first visit (a step back to a visited setting is cheaper); the
  number of moves that redrew the whole figure instead of blitting is printed too.

Timings on a shared 2-core machine are noisy; the minimum is the best estimate without contention.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

from helpers.models import schedule as S
from helpers.panels import safety as P


def _stats(values):
    values = sorted(values)
    return statistics.median(values), values[int(0.95 * (len(values) - 1))], values[0]


def _time(fn, runs):
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1e3)
    return _stats(out)


def main(runs: int = 10) -> None:
    rows = []
    for hyp in ("biophase", "reset"):
        rows.append((f"year_outcome, boosters every 4-16 weeks, {hyp}",
                     _time(lambda i, h=hyp: (S._year_outcome.cache_clear(),
                                             S.year_outcome(S.interval_schedule(4 + i % 13), hypothesis=h)), runs)))
        rows.append((f"year_outcome, tapering protocol, {hyp}",
                     _time(lambda i, h=hyp: S.year_outcome(S.tapering_schedule(dose_mg=100 + 5 * i),
                                                           hypothesis=h), runs)))
    rows.append(("interval sweep, 15 intervals (uncached)",
                 _time(lambda i: S.relief_days_vs_interval(np.arange(2, 17), dose_mg=60 + 7 * i), max(3, runs // 3))))
    rate = P.side_effects().controls["rate_mg_per_h"]
    rates = [float(rate.base ** x) for x in np.arange(rate.min, rate.max + 1e-9, rate.step)][40:56]
    moves = {("booster_schedule", "biophase"): ("interval_weeks", list(range(2, 17)) + list(range(15, 1, -1))),
             ("booster_schedule", "reset"): ("interval_weeks", list(range(2, 17)) + list(range(15, 1, -1))),
             ("side_effects", None): ("rate_mg_per_h", rates + rates[-2::-1]),
             ("liver_timeline", None): ("gap_days", list(range(10, 26)) + list(range(24, 9, -1)))}
    for (name, hyp), (key, seq) in moves.items():
        panel = P.PANELS[name](**({"hypothesis": hyp} if hyp else {}))
        panel.update_ms.clear()
        full = panel.renderer.full_draws
        for x in seq:
            S._year_outcome.cache_clear()
            panel.set(**{key: x})
        what = f"panel {name}{', ' + hyp if hyp else ''}: {key} step ({panel.renderer.full_draws - full} full draws)"
        rows.append((what, _stats(list(panel.update_ms))))
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)")
    width = max(len(r[0]) for r in rows)
    print(f"{'what':{width}s}  median ms   p95 ms    min ms")
    for what, (med, p95, low) in rows:
        print(f"{what:{width}s}  {med:9.1f} {p95:8.1f} {low:9.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
