"""Speed of chaoyang.sem's bootstrap against a naive refit-from-scratch loop (same process, same data).

Model: three parallel mediators, five latent constructs with 3-4 indicators each (17 items),
N = 1,000 simulated cases (numpy, planted paths). Prints draws per second and ratios.

    .venv/bin/python benchmarks/bench_sem_bootstrap.py [--draws 1000] [--naive 50] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import semopy  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from chaoyang import sem  # noqa: E402
from chaoyang.sem import bootstrap as boot  # noqa: E402
from chaoyang.sem.engine import sample_covariance  # noqa: E402

MEASUREMENT = {
    "X": ["x1", "x2", "x3"],
    "M1": ["m1_1", "m1_2", "m1_3", "m1_4"],
    "M2": ["m2_1", "m2_2", "m2_3"],
    "M3": ["m3_1", "m3_2", "m3_3", "m3_4"],
    "Y": ["y1", "y2", "y3"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=50, help="draws timed for the naive loop (scaled up)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    data = sem.simulate_parallel_mediation(n=1000, n_items=(3, 4, 3, 4, 3), seed=2024)
    syntax = sem.parallel_mediation_syntax("X", ["M1", "M2", "M3"], "Y", MEASUREMENT)
    result = sem.fit(syntax, data)
    print(f"model: 3 parallel latent mediators, {data.shape[1]} items, N = {len(data)}, "
          f"{result.fit_measures['npar']} free parameters; cores reported by os: {os.cpu_count()}")

    seeds = np.random.SeedSequence(1).spawn(args.naive)
    values = data.to_numpy()
    n = len(data)

    # Baseline: what a user would write with semopy alone - a new Model fitted from scratch per draw.
    semopy_syntax = result.table.semopy_description()
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        for child in seeds:
            rows = np.random.default_rng(child).integers(0, n, size=n)
            model = semopy.Model(semopy_syntax)
            model.fit(data.iloc[rows], obj="MLW", solver="SLSQP", options={"ftol": 1e-12, "maxiter": 10000})
        naive_per_draw = (time.perf_counter() - start) / args.naive

    # Warm start through semopy's own Model.fit(..., clean_slate=False) on one reused model.
    boot._init_worker(syntax, values, list(data.columns), result._theta.copy(), [])
    engine = boot._STATE["engine"]
    start = time.perf_counter()
    for child in seeds:
        rows = np.random.default_rng(child).integers(0, n, size=n)
        engine.fit(sample_covariance(boot._STATE["values"][rows]), start=result._theta, method="semopy")
    warm_semopy_per_draw = (time.perf_counter() - start) / args.naive
    # The bootstrap's default: warm start + Fisher scoring (semopy's SLSQP only as fallback).
    start = time.perf_counter()
    for child in seeds:
        rows = np.random.default_rng(child).integers(0, n, size=n)
        engine.fit(sample_covariance(boot._STATE["values"][rows]), start=result._theta, method="scoring")
    warm_scoring_per_draw = (time.perf_counter() - start) / args.naive
    boot._STATE["limits"].restore_original_limits()
    boot._STATE.clear()

    timings = {}
    for jobs in sorted({1, args.jobs}):
        start = time.perf_counter()
        res = sem.fit(syntax, data, bootstrap=args.draws, seed=7, n_jobs=jobs, progress=False)
        timings[jobs] = time.perf_counter() - start
        assert res.bootstrap.n_converged == args.draws, res.bootstrap.n_converged
    naive_total = naive_per_draw * args.draws

    print(f"naive refit from scratch (semopy.Model per draw): {naive_per_draw * 1e3:7.1f} ms/draw "
          f"-> {naive_total:6.1f} s for {args.draws} draws (timed on {args.naive}, scaled)")
    print(f"warm start, semopy Model.fit(clean_slate=False):  {warm_semopy_per_draw * 1e3:7.1f} ms/draw "
          f"({naive_per_draw / warm_semopy_per_draw:4.1f}x faster than naive)")
    print(f"warm start, Fisher scoring (bootstrap default):   {warm_scoring_per_draw * 1e3:7.1f} ms/draw "
          f"({naive_per_draw / warm_scoring_per_draw:4.1f}x faster than naive)")
    for jobs, seconds in timings.items():
        print(f"sem.fit(bootstrap={args.draws}, n_jobs={jobs}): {seconds:6.2f} s total (incl. the fit), "
              f"{args.draws / seconds:6.0f} draws/s, {naive_total / seconds:5.1f}x faster than the naive loop")
    best = min(timings.values())
    print(f"target 1,000 draws < 5 s on 2 cores: {'met' if best * 1000 / args.draws < 5 else 'NOT met'} "
          f"({best * 1000 / args.draws:.2f} s per 1,000 draws)")


if __name__ == "__main__":
    main()
