"""Timing of the mechanism layers and the composed model (a plain script, not a test).

``python benchmarks/bench_models.py [runs]`` prints, for the model calls a panel makes on every slider move,
the median, 95th percentile and minimum over ``runs`` (default 50) calls:

* receptor: the densest use-dependence protocol (10 Hz for 120 s with washout, ~3,600 channel phases);
* spinal: one 20-stimulus wind-up train plus a 60-point frequency sweep (the wind-up panel's work);
* spinal: the sensitisation course at 2,000 samples over 16 weeks with a varying block;
* pathway: the composed model (PK -> block -> sensitisation -> gain -> pain) for a 16-week regimen at 2,000
  points, PK included.

Timings on a shared 2-core machine are noisy; the minimum is the best estimate without contention.
"""
from __future__ import annotations

import statistics
import sys
import time

import numpy as np

from helpers.models import pathway, pk, receptor, spinal

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_pk import sixteen_week_regimen  # noqa: E402


def _time(fn, runs):
    fn()  # warm caches
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    out.sort()
    return statistics.median(out), out[int(0.95 * (len(out) - 1))], out[0]


def main(runs: int = 50) -> None:
    f = np.geomspace(0.05, 2.0, 60)
    t16 = np.linspace(0.0, 16 * 7 * 24.0, 2000)
    block = np.random.default_rng(0).uniform(0.0, 0.9, t16.size)
    regimen = sixteen_week_regimen()
    cases = {
        "receptor.block_time_course (10 Hz, 120 s)":
            lambda: receptor.block_time_course(0.6, 10.0, 120.0, washout_at_s=60.0, rest_after_washout_s=20.0),
        "spinal.windup_train + 60-point sweep":
            lambda: (spinal.windup_train(0.5, 20, 0.3), spinal.windup_fold(f, 20, 0.3)),
        "spinal.sensitisation_course (2,000 pts)": lambda: spinal.sensitisation_course(t16, 1.0, block),
        "pathway: PK -> pain, 16 weeks (2,000 pts)":
            lambda: pathway.pain_course_from_pk(pk.simulate(regimen, t16)),
    }
    print(f"model timings, {runs} runs each (ms)")
    print(f"{'call':46s} {'median':>8s} {'p95':>8s} {'min':>8s}")
    for name, fn in cases.items():
        med, p95, lo = _time(fn, runs)
        print(f"{name:46s} {med:8.2f} {p95:8.2f} {lo:8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
