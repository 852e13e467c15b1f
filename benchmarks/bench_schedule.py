"""Timing of the year-long booster schedules of notebook 06 (a plain script, not a test).

``python benchmarks/bench_schedule.py [runs]`` prints the median, 95th percentile and minimum over ``runs``
(default 10) of:

* ``year_outcome``: one schedule over 52 weeks (one exact PK solve, both explanations for the typical patient,
  a 200-patient cohort under one explanation, exact hours above four levels), for the 4-week and the tapering
  schedule under each explanation; a fresh interval each run so no cache helps;
* the interval sweep (15 intervals, typical patient, both explanations), uncached;
* a full slider move of each notebook-06 panel (compute + draw + PNG + description), from ``update_ms``.

Timings on a shared 2-core machine are noisy; the minimum is the best estimate without contention.
"""
from __future__ import annotations

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
                     _time(lambda i, h=hyp: S.year_outcome(S.interval_schedule(4 + i % 13), hypothesis=h), runs)))
        rows.append((f"year_outcome, tapering protocol, {hyp}",
                     _time(lambda i, h=hyp: S.year_outcome(S.tapering_schedule(dose_mg=100 + 5 * i),
                                                           hypothesis=h), runs)))
    rows.append(("interval sweep, 15 intervals (uncached)",
                 _time(lambda i: S.relief_days_vs_interval(np.arange(2, 17), dose_mg=60 + 7 * i), max(3, runs // 3))))
    moves = {"booster_schedule": [dict(interval_weeks=w) for w in (4, 5, 6, 8, 12, 16, 3, 2)],
             "side_effects": [dict(rate_mg_per_h=r) for r in (10.0, 20.0, 30.0, 40.0, 25.0, 15.0, 50.0, 35.0)],
             "liver_timeline": [dict(gap_days=g) for g in (10, 16, 30, 60, 90, 120, 200, 20)]}
    for name, seq in moves.items():
        panel = P.PANELS[name]()
        panel.update_ms.clear()
        for move in seq:
            panel.set(**move)
        rows.append((f"panel {name}: slider move (full update)", _stats(list(panel.update_ms))))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':{width}s}  median ms   p95 ms    min ms")
    for what, (med, p95, low) in rows:
        print(f"{what:{width}s}  {med:9.1f} {p95:8.1f} {low:9.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
