"""FIML with a nonparametric bootstrap: chaoyang.sem against lavaan, same run, equal cores.

Model: the book's latent triple mediation (``chaoyang.sem.lab.lab_syntax("party", "survey")``:
five factors, 20 items, ``:=`` indirect effects) on the synthetic survey as ``chaoyang.data``
ships it (N = 1,200, with its missing answers), ``missing = "ml"``, B bootstrap draws (default
1,000).

* **chaoyang**: ``sem.fit(model, data, missing="ml", n_boot=B, seed=1, n_jobs=k)`` (public API;
  includes the main fit, its EM H1 and observed-information SEs).
* **lavaan** (R, through Rscript): ``sem(model, data, missing = "ml", se = "bootstrap",
  bootstrap = B)`` then ``parameterEstimates(fit, boot.ci.type = "perc")``; on 1 core with
  ``parallel = "no"``, on k > 1 cores with ``parallel = "multicore", ncpus = k``. Timed inside R
  (``system.time`` around those two calls; R's start-up and loading lavaan excluded) and as the
  whole Rscript process.

BLAS is limited to one thread on both sides (``OPENBLAS_NUM_THREADS=1``, inherited by R).
Printed ratios are ``lavaan time / chaoyang time`` (> 1: chaoyang is faster), wall time and CPU
time (user + system, including child processes). On a machine shared with other work the CPU-time
ratio is the steadier one. The resamples differ (each program draws its own), so the intervals are
compared only roughly (printed side by side).

    python benchmarks/bench_sem_fiml.py [--draws 1000] [--jobs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import pandas as pd  # noqa: E402

from chaoyang import sem  # noqa: E402

R_BENCH = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
model <- paste(readLines(args[2], warn = FALSE), collapse = "\n")
B <- as.integer(args[4]); k <- as.integer(args[5])
timing <- system.time({
  fit <- if (k == 1) sem(model, data = d, missing = "ml", se = "bootstrap", bootstrap = B, parallel = "no", iseed = 1)
         else sem(model, data = d, missing = "ml", se = "bootstrap", bootstrap = B, parallel = "multicore",
                  ncpus = k, iseed = 1)
  pe <- parameterEstimates(fit, boot.ci.type = "perc")
})
cpu <- sum(timing[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
ind <- pe[pe$op == ":=", ]
out <- list(elapsed = timing[["elapsed"]], cpu = cpu, lavaan = as.character(packageVersion("lavaan")),
            label = ind$label, est = ind$est, lower = ind$ci.lower, upper = ind$ci.upper)
writeLines(jsonlite::toJSON(out, digits = NA, auto_unbox = TRUE), args[3])
"""


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


def book_model_and_data() -> tuple[str, pd.DataFrame]:
    """The book's triple mediation and the survey items it uses (missing answers kept)."""
    from chaoyang.data import load, scored_items
    from chaoyang.sem.lab import lab_syntax
    from chaoyang.sem.partable import build_parameter_table
    from chaoyang.sem.syntax import parse_model

    model = lab_syntax("party", "survey")
    columns = build_parameter_table(parse_model(model)).observed
    return model, scored_items(load("survey"))[columns].astype(float).reset_index(drop=True)


def lavaan_missing() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript not found (apt-get install -y r-base-core r-cran-lavaan r-cran-jsonlite)"
    probe = subprocess.run(["Rscript", "-e", "suppressPackageStartupMessages({library(lavaan); library(jsonlite)})"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else "R packages lavaan/jsonlite missing"


def time_lavaan(model: str, data: pd.DataFrame, draws: int, jobs: int) -> tuple[Clock, dict]:
    with tempfile.TemporaryDirectory(prefix="bench-fiml-") as tmp:
        folder = Path(tmp)
        data.to_csv(folder / "data.csv", index=False, float_format="%.17g")
        (folder / "model.lav").write_text(model)
        (folder / "bench.R").write_text(R_BENCH)
        with Clock() as clock:
            subprocess.run(["Rscript", str(folder / "bench.R"), str(folder / "data.csv"), str(folder / "model.lav"),
                            str(folder / "out.json"), str(draws), str(jobs)], check=True, capture_output=True)
        return clock, json.loads((folder / "out.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=1, help="cores for both programs (1: lavaan parallel='no')")
    args = parser.parse_args()
    model, data = book_model_and_data()
    incomplete = int(data.isna().any(axis=1).sum())
    print(f"model: book triple mediation (party), {data.shape[1]} items, N = {len(data)} "
          f"({incomplete} cases with a missing answer), FIML, {args.draws} bootstrap draws, {args.jobs} core(s); "
          f"cores reported by the OS: {os.cpu_count()}; BLAS threads: 1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sem.SEMWarning)
        with Clock() as ours:
            res = sem.fit(model, data, missing="ml", n_boot=args.draws, seed=1, n_jobs=args.jobs, progress=False)
    print(f"chaoyang: {res.bootstrap.n_converged} of {args.draws} draws converged; "
          f"wall {ours.wall:.1f} s, CPU {ours.cpu:.1f} s")
    why_not = lavaan_missing()
    if why_not:
        print(f"lavaan: skipped: {why_not}")
        return
    clock, out = time_lavaan(model, data, args.draws, args.jobs)
    print(f"lavaan {out['lavaan']}: R-internal wall {out['elapsed']:.1f} s, CPU {out['cpu']:.1f} s; "
          f"whole Rscript process wall {clock.wall:.1f} s, CPU {clock.cpu:.1f} s")
    print(f"\nratio lavaan / chaoyang (same cores): R-internal wall {out['elapsed'] / ours.wall:.1f}x, "
          f"CPU {out['cpu'] / ours.cpu:.1f}x; whole process wall {clock.wall / ours.wall:.1f}x, "
          f"CPU {clock.cpu / ours.cpu:.1f}x")
    mine = res.bootstrap.intervals.set_index("label")
    print("\npercentile 95 % intervals of the := effects (different resamples):")
    for label, lo, hi in zip(out["label"], out["lower"], out["upper"]):
        print(f"  {label:<9} lavaan [{lo:.4f}, {hi:.4f}]   chaoyang [{mine.loc[label, 'perc.lower']:.4f}, "
              f"{mine.loc[label, 'perc.upper']:.4f}]")
    print(f"\nload average during the run (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
