"""Timing of helpers.models.pk (a plain script, not a test): ``python benchmarks/bench_pk.py [runs]``.

Prints, per model:
* ``simulate`` of a 16-week regimen (two 10 × 4-h courses, a 100-h infusion, monthly 4-h boosters and an
  oral dose) at 2,000 time points: the first call (cache miss: the eigen-decomposition is built) and the
  median / 95th percentile over the repeated calls;
* the context-sensitive half-time curve at 200 durations (0.01 h to 14 days), first call and median.

Target (brief): simulate ≤ 1 ms on the 2-core teaching box. Timings on a shared machine are noisy; the
minimum is printed too, as the best estimate of the cost without contention.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

from helpers.models import pk

N_POINTS = 2000
WEEKS = 16


def sixteen_week_regimen():
    """Two 10 × 4-h courses, a 100-h infusion, monthly 4-h boosters, one oral dose (all 20 mg/h or 50 mg)."""
    return [
        pk.course(20.0, 4.0, 10),                                   # days 0-9
        pk.infusion(20.0, 100.0, start_h=21 * 24.0),                # day 21
        pk.course(20.0, 4.0, 10, start_h=42 * 24.0),                # days 42-51
        pk.repeat(pk.infusion(20.0, 4.0, start_h=70 * 24.0), every_h=28 * 24.0, times=2),   # days 70, 98
        pk.bolus(50.0, at_h=60 * 24.0, route="oral"),
    ]


def _clear_caches():
    # the eigen-decompositions, the ketamine-only modes and the solutions are all cached: a first call pays all three
    pk.system._system.cache_clear()
    pk.closed_forms._ket_modes.cache_clear()
    pk.solution._cached_solution.cache_clear()


def _time(fn, runs):
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return np.array(out) * 1e3


def main(runs: int = 300) -> None:
    regimen = sixteen_week_regimen()
    t = np.linspace(0.0, WEEKS * 7 * 24.0, N_POINTS)
    durations = np.logspace(-2, np.log10(14 * 24.0), 200)
    n_events = len(pk.solve(regimen).regimen)
    print(f"helpers.models.pk benchmark: {n_events} events over {WEEKS} weeks, {N_POINTS} time points, "
          f"{runs} runs; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print()
    print(f"{'model':<22} {'first call':>11} {'median':>9} {'p95':>9} {'min':>9}   (simulate, ms)")
    for model in pk.MODELS:
        _clear_caches()
        first = _time(lambda m=model: pk.simulate(regimen, t, model=m), 1)[0]
        times = _time(lambda m=model: pk.simulate(regimen, t, model=m), runs)
        print(f"{model:<22} {first:11.3f} {statistics.median(times):9.3f} {np.percentile(times, 95):9.3f} "
              f"{times.min():9.3f}")
    print()
    print(f"{'model':<22} {'first call':>11} {'median':>9} {'p95':>9} {'min':>9}   "
          f"(context-sensitive half-time, 200 durations, ms)")
    for model in pk.MODELS:
        _clear_caches()
        first = _time(lambda m=model: pk.context_sensitive_half_time_h(durations, model=m), 1)[0]
        times = _time(lambda m=model: pk.context_sensitive_half_time_h(durations, model=m), max(runs // 3, 50))
        print(f"{model:<22} {first:11.3f} {statistics.median(times):9.3f} {np.percentile(times, 95):9.3f} "
              f"{times.min():9.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
