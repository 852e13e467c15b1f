"""Timing of the headline model of notebook 05 (a plain script, not a test).

``python benchmarks/bench_relief.py [runs]`` prints the median, 95th percentile and minimum over ``runs``
(default 50) calls of what the notebook-05 panels ask on a slider move:

* the sweep: relief duration after one infusion for 200 durations (30 min to 14 days), both explanations
  (target <= 20 ms);
* the cohort band: 500 virtual patients x 60 and x 200 plotted durations, each explanation, after a change of
  rate (block-hours recomputed) and after a change of threshold only (block-hours cached) (target <= 15 ms);
* one regimen: the contract call relief_duration_days, relief_course over 16 weeks, and cohort_relief_days for
  500 patients (not on the slider path).

Timings on a shared 2-core machine are noisy; the minimum is the best estimate without contention.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

from helpers.models import pk, relief


def _time(fn, runs):
    fn()  # warm caches (step tables)
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1e3)
    out.sort()
    return statistics.median(out), out[int(0.95 * (len(out) - 1))], out[0]


def main(runs: int = 50) -> None:
    sweep = np.geomspace(0.5, 14 * 24.0, 200)
    rows = [
        ("sweep, 200 durations, both explanations",
         lambda i=0: relief.relief_vs_duration(sweep, 20.0 + (i % 2), "both")),
    ]
    for n_d in (60, 200):
        d = np.geomspace(0.5, 14 * 24.0, n_d)
        for hyp in relief.HYPOTHESES:
            rows.append((f"cohort band, 500 x {n_d}, {hyp}, new rate",
                         lambda i=0, d=d, hyp=hyp: relief.cohort_band(d, 10.0 + 0.1 * i, hyp, n=500)))
            rows.append((f"cohort band, 500 x {n_d}, {hyp}, new threshold",
                         lambda i=0, d=d, hyp=hyp: relief.cohort_band(d, 20.0, hyp, 0.3 + 0.2 * (i % 2), n=500)))
    reg = pk.infusion(20.0, 100.0)
    rows += [
        ("relief_duration_days, 100 h, reset", lambda i=0: relief.relief_duration_days(reg, "reset")),
        ("relief_course, 16 weeks, both", lambda i=0: relief.relief_course(reg)),
        ("cohort_relief_days, 500 patients, reset", lambda i=0: relief.cohort_relief_days(reg, "reset", n=500)),
    ]
    print(f"load average {os.getloadavg()[0]:.2f}; {runs} runs; ms: median / p95 / min")
    for name, fn in rows:
        med, p95, best = _time(fn, runs)
        print(f"{name:<48s} {med:8.2f} {p95:8.2f} {best:8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
