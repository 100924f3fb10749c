"""Speed of chaoyang.sem's bootstrap against what a user would otherwise run, on equal cores.

Model: three parallel latent mediators, five constructs with 3-4 indicators each (17 items),
N = 1,000 simulated cases, ``:=`` indirect effects; B bootstrap draws (default 1,000).

Rows, each timed on 1 core and on ``--jobs`` cores (default 2):

* **chaoyang**: ``sem.fit(model, data, n_boot=B, n_jobs=k)`` (public API; includes the main fit).
* **naive semopy**: a loop a semopy user would write with semopy's public API - resample the
  rows, build ``semopy.Model(syntax)``, ``fit(..., obj="MLW")`` with the same tight tolerance
  chaoyang uses (same accuracy), read the labelled paths from ``inspect()`` and multiply them.
  On k cores the draws are split over k processes (``ProcessPoolExecutor``). Timed on
  ``--naive`` draws and scaled to B.
* **lavaan** (R, through Rscript): ``sem(model, data, se = "bootstrap", bootstrap = B)`` then
  ``parameterEstimates(fit, boot.ci.type = "perc")``; on k cores with ``parallel = "multicore",
  ncpus = k``. Two times: *R-internal* (``system.time`` around those two calls, inside R) and
  *wall* (the whole Rscript process, including R's start-up and loading lavaan). Same data, model
  and number of draws; the resamples themselves differ (lavaan draws its own).

BLAS is limited to one thread on every side (``OPENBLAS_NUM_THREADS=1`` etc., inherited by R).
Ratios are printed as ``baseline time / chaoyang time`` (> 1: chaoyang is faster), for wall time
and for CPU time (user + system of the process and its children; on a machine shared with other
work, CPU-time ratios are the steadier of the two; on k cores they compare total work, not speed-up).

    python benchmarks/bench_sem_bootstrap.py [--draws 1000] [--naive 40] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from chaoyang import sem  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

MEASUREMENT = {
    "X": ["x1", "x2", "x3"],
    "M1": ["m1_1", "m1_2", "m1_3", "m1_4"],
    "M2": ["m2_1", "m2_2", "m2_3"],
    "M3": ["m3_1", "m3_2", "m3_3", "m3_4"],
    "Y": ["y1", "y2", "y3"],
}
TIGHT = {"ftol": 1e-12, "maxiter": 10000}  # the tolerance chaoyang.sem gives semopy (lavaan-grade estimates)


class Clock:
    """Wall time and CPU time (user + system, this process and its reaped children) of a block."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), self._cpu_now()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self._wall, self._cpu_now() - self._cpu
        return False

    @staticmethod
    def _cpu_now() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# ----------------------------------------------------------------------------- naive semopy loop
def _semopy_syntax(lavaan_syntax: str) -> str:
    """semopy reads lavaan's =~, ~, ~~ and labels but not ':='; the user drops those lines."""
    return "\n".join(line for line in lavaan_syntax.splitlines() if ":=" not in line and not line.startswith("#"))


def _naive_draws(args: tuple) -> list[float]:
    """Refit semopy from scratch on each resample; return a1*b1 per draw (public semopy API only)."""
    import semopy
    from threadpoolctl import threadpool_limits

    syntax, data, seeds = args
    out = []
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in seeds:
            rows = np.random.default_rng(seed).integers(0, len(data), size=len(data))
            model = semopy.Model(syntax)
            model.fit(data.iloc[rows].reset_index(drop=True), obj="MLW", solver="SLSQP", options=dict(TIGHT))
            table = model.inspect()
            labelled = dict(zip(table["lval"] + "~" + table["rval"], table["Estimate"]))
            out.append(labelled["M1~X"] * labelled["Y~M1"])
    return out


def time_naive(syntax: str, data: pd.DataFrame, draws: int, jobs: int) -> Clock:
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(1).spawn(draws)]
    with Clock() as clock:
        if jobs == 1:
            _naive_draws((syntax, data, seeds))
        else:
            parts = [seeds[i::jobs] for i in range(jobs)]
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(_naive_draws, [(syntax, data, part) for part in parts]))
    return clock


# ----------------------------------------------------------------------------- lavaan
R_BENCH = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
model <- paste(readLines(args[2], warn = FALSE), collapse = "\n")
B <- as.integer(args[4]); k <- as.integer(args[5])
set.seed(1)
timing <- system.time({
  fit <- if (k == 1) sem(model, data = d, se = "bootstrap", bootstrap = B)
         else sem(model, data = d, se = "bootstrap", bootstrap = B, parallel = "multicore", ncpus = k)
  pe <- parameterEstimates(fit, boot.ci.type = "perc")
})
elapsed <- timing[["elapsed"]]
cpu <- sum(timing[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
ind1 <- pe[pe$label == "ind1", ]
writeLines(sprintf('{"elapsed": %.6f, "cpu": %.6f, "ind1": %.10f, "lower": %.10f, "upper": %.10f, "lavaan": "%s"}',
                   elapsed, cpu, ind1$est, ind1$ci.lower, ind1$ci.upper, as.character(packageVersion("lavaan"))), args[3])
"""


def lavaan_missing() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript not found (apt-get install -y r-base-core r-cran-lavaan)"
    probe = subprocess.run(["Rscript", "-e", "suppressPackageStartupMessages(library(lavaan))"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else "R package lavaan missing (apt-get install -y r-cran-lavaan)"


def time_lavaan(syntax: str, data: pd.DataFrame, draws: int, jobs: int) -> tuple[Clock, dict]:
    with tempfile.TemporaryDirectory(prefix="bench-lavaan-") as tmp:
        folder = Path(tmp)
        data.to_csv(folder / "data.csv", index=False, float_format="%.17g")
        (folder / "model.lav").write_text(syntax)
        (folder / "bench.R").write_text(R_BENCH)
        with Clock() as clock:
            subprocess.run(["Rscript", str(folder / "bench.R"), str(folder / "data.csv"),
                            str(folder / "model.lav"), str(folder / "out.json"), str(draws), str(jobs)],
                           check=True, capture_output=True)
        out = json.loads((folder / "out.json").read_text())
    return clock, out


# ----------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=40, help="draws timed for the naive loop (scaled up to --draws)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    data = sem.simulate_parallel_mediation(n=1000, n_items=(3, 4, 3, 4, 3), seed=2024)
    syntax = sem.parallel_mediation_syntax("X", ["M1", "M2", "M3"], "Y", MEASUREMENT)
    result = sem.fit(syntax, data)
    print(f"model: 3 parallel latent mediators, {data.shape[1]} items, N = {len(data)}, "
          f"{result.fit_measures['npar']} free parameters, {args.draws} bootstrap draws; "
          f"cores reported by the OS: {os.cpu_count()}; BLAS threads: 1")
    why_not_r = lavaan_missing()
    core_counts = sorted({1, args.jobs})
    rows = []
    for jobs in core_counts:
        with Clock() as ours:
            res = sem.fit(syntax, data, n_boot=args.draws, seed=7, n_jobs=jobs, progress=False)
        assert res.bootstrap.n_converged == args.draws, res.bootstrap.n_converged
        naive_sample = max(jobs, min(args.naive, args.draws))
        naive = time_naive(_semopy_syntax(syntax), data, naive_sample, jobs)
        scale = args.draws / naive_sample
        rows.append((jobs, "chaoyang sem.fit(n_boot=B, n_jobs=k)", ours.wall, ours.cpu, ours))
        rows.append((jobs, f"naive semopy refit per draw (timed on {naive_sample}, scaled)", naive.wall * scale,
                     naive.cpu * scale, ours))
        if why_not_r:
            rows.append((jobs, f"lavaan se='bootstrap': skipped: {why_not_r}", float("nan"), float("nan"), None))
        else:
            clock, out = time_lavaan(syntax, data, args.draws, jobs)
            rows.append((jobs, f"lavaan {out['lavaan']} se='bootstrap' + perc CI, R-internal", out["elapsed"],
                         out["cpu"], ours))
            rows.append((jobs, "lavaan, whole Rscript process incl. R start-up", clock.wall, clock.cpu, ours))
    print(f"\n{'cores':>5}  {'what':<58} {'wall s':>8} {'CPU s':>8}   ratio wall  ratio CPU"
          "  (baseline / chaoyang, same cores)")
    for jobs, what, wall, cpu, ours in rows:
        if ours is None or what.startswith("chaoyang"):
            shown = ""
        else:
            shown = f"{wall / ours.wall:9.1f}x {cpu / ours.cpu:9.1f}x"
        print(f"{jobs:>5}  {what:<58} {wall:8.2f} {cpu:8.2f}   {shown}")
    print(f"\nload average during the run (1, 5, 15 min): {os.getloadavg()}")
    values = {}
    keys = {"naive": "semopy", "R-internal": "lavaan", "whole Rscript": "lavaan_process"}
    for jobs, what, wall, cpu, ours in rows:
        for marker, key in keys.items():
            if ours is not None and marker in what:
                values[f"wall{jobs}_vs_{key}"] = wall / ours.wall
                values[f"cpu{jobs}_vs_{key}"] = cpu / ours.cpu
    if why_not_r:
        print("lavaan missing: results not recorded (the README compares against lavaan)")
        return
    path = record("sem_bootstrap", values, context={"draws": args.draws, "n": len(data), "jobs": core_counts})
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
