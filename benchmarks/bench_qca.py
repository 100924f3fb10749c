"""Speed of chaoyang.qca against the code a user would otherwise write, in the same process.

Run: ``.venv/bin/python benchmarks/bench_qca.py`` (or ``make bench``).

What is compared
----------------
* **The real alternative**, R's QCA package (Dusa), is not installable here: it is not packaged in
  Debian (no ``r-cran-qca``) and the machine has no CRAN access. The benchmark says so and compares
  against a Python baseline instead.
* **The baseline** is what a careful user writes from the textbook, with nothing from
  ``chaoyang``: a *vectorised* NumPy truth table (one matrix operation per observed row, as the kit
  does) and *textbook Quine-McCluskey* on integer ``(value, mask)`` cubes grouped by the number of
  ones, with remainders as don't-cares for the parsimonious solution, then the prime-implicant
  chart by removing essential primes and trying combinations of the rest by increasing size
  (listing every minimum cover). What it lacks are the kit's optimisations: the CCubes-style
  search of parsimonious primes that never builds the remainders' cubes, bit-parallel coverage
  masks, and the exact minimum-size search by mixed-integer programming before listing covers.
* **Fair play**: one process, one core for both sides (BLAS, OpenMP and HiGHS limited to one
  thread), only public APIs of ``chaoyang.qca``, and each baseline result is checked to give the
  same models as ``chaoyang.qca`` before its time is used. Each timing is the best of
  ``REPEATS`` runs.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import platform  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import date  # noqa: E402
from itertools import combinations  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from chaoyang.qca import QCAWarning, minimize, truth_table  # noqa: E402

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

SEED = 20240601
REPEATS = 3
#: Seconds the baseline's chart search may take before it is stopped and reported as "> BUDGET".
BUDGET = 60.0


class OverBudget(Exception):
    """The baseline's brute-force chart search ran past :data:`BUDGET`."""


def make_data(n_cases: int, n_conditions: int, seed: int = SEED) -> tuple[pd.DataFrame, list[str]]:
    """Fuzzy conditions and an outcome produced by three planted paths plus noise."""
    rng = np.random.default_rng(seed)
    names = [f"C{j}" for j in range(n_conditions)]
    x = rng.beta(0.6, 0.6, size=(n_cases, n_conditions))
    x[np.isclose(x, 0.5, atol=1e-3)] = 0.51
    paths = np.column_stack([
        np.minimum(x[:, 0], x[:, 1]),
        np.minimum(x[:, 2], 1 - x[:, 3]),
        np.minimum.reduce([x[:, 4 % n_conditions], x[:, 5 % n_conditions], 1 - x[:, 1]]),
    ]).max(axis=1)
    y = np.clip(paths - 0.25 + rng.normal(0, 0.1, n_cases), 0, 1)
    df = pd.DataFrame(x, columns=names)
    df["Y"] = y
    return df, names


def best_time(fn, *args, **kwargs):
    """Result and the best wall-clock time of up to ``REPEATS`` calls (fewer once 3 s are spent), in seconds."""
    times, out = [], None
    while len(times) < REPEATS and sum(times) < 3.0:
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return out, min(times)


# --- the baseline: vectorised truth table + textbook Quine-McCluskey ---------------------------

def baseline_truth_table(df: pd.DataFrame, names: list[str], outcome: str, incl_cut: float):
    """Observed rows as integers (first condition most significant) -> OUT, with NumPy per row."""
    x = df[names].to_numpy(dtype=float)
    y = df[outcome].to_numpy(dtype=float)
    k = len(names)
    weights = 1 << np.arange(k - 1, -1, -1)
    observed = np.unique((x > 0.5).astype(np.int64) @ weights)
    out = {}
    for row in observed:
        bits = ((row >> np.arange(k - 1, -1, -1)) & 1).astype(bool)
        membership = np.where(bits, x, 1.0 - x).min(axis=1)
        out[int(row)] = int(np.minimum(membership, y).sum() / membership.sum() >= incl_cut)
    return out


def qm_primes(minterms: set[int], dont_cares: set[int], k: int) -> set[tuple[int, int]]:
    """Textbook Quine-McCluskey: merge cubes (value, dash mask) differing in one bit, by popcount group."""
    level = {(m, 0) for m in minterms | dont_cares}
    primes = set()
    while level:
        groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for value, mask in level:
            groups.setdefault((mask, bin(value).count("1")), []).append((value, mask))
        merged, used = set(), set()
        for (mask, ones), cubes in groups.items():
            for a in cubes:
                for b in groups.get((mask, ones + 1), ()):
                    diff = a[0] ^ b[0]
                    if diff & (diff - 1) == 0:  # exactly one bit differs
                        merged.add((a[0] & ~diff, mask | diff))
                        used.update((a, b))
        primes |= level - used
        level = merged
    # a prime made of don't-cares alone explains no positive row
    return {p for p in primes if any(m & ~p[1] == p[0] for m in minterms)}


def minimum_covers(primes: set[tuple[int, int]], minterms: set[int], deadline: float = float("inf")
                   ) -> list[tuple[tuple[int, int], ...]]:
    """Essential primes first, then every smallest combination of the others that covers the rest."""
    covers = {p: {m for m in minterms if m & ~p[1] == p[0]} for p in primes}
    essential = set()
    for m in minterms:
        holders = [p for p in primes if m in covers[p]]
        if len(holders) == 1:
            essential.add(holders[0])
    left = minterms - set().union(*(covers[p] for p in essential)) if essential else set(minterms)
    rest = sorted(primes - essential)
    if not left:
        return [tuple(sorted(essential))]
    for size in range(1, len(rest) + 1):
        found = []
        for number, combo in enumerate(combinations(rest, size)):
            if number % 4096 == 0 and time.perf_counter() > deadline:
                raise OverBudget
            if left <= set().union(*(covers[p] for p in combo)):
                found.append(tuple(sorted(essential | set(combo))))
        if found:
            return found
    return []


def term_name(cube: tuple[int, int], names: list[str]) -> str:
    value, mask = cube
    k = len(names)
    literals = [(name if value >> (k - 1 - j) & 1 else "~" + name)
                for j, name in enumerate(names) if not mask >> (k - 1 - j) & 1]
    return "*".join(literals)


def baseline_solution(df, names, outcome, incl_cut, *, parsimonious: bool) -> set[frozenset[str]]:
    table = baseline_truth_table(df, names, outcome, incl_cut)
    positives = {row for row, out in table.items() if out == 1}
    remainders = set(range(2 ** len(names))) - set(table) if parsimonious else set()
    primes = qm_primes(positives, remainders, len(names))
    covers = minimum_covers(primes, positives, deadline=time.perf_counter() + BUDGET)
    return {frozenset(term_name(p, names) for p in cover) for cover in covers}


def kit_solution(df, names, outcome, incl_cut, *, parsimonious: bool):
    tt = truth_table(df, outcome, names, incl_cut=incl_cut)
    return minimize(tt, include="?" if parsimonious else "", max_models=10_000)


def r_qca_status() -> str:
    if shutil.which("Rscript") is None:
        return "R is not installed"
    probe = subprocess.run(["Rscript", "-e", "cat(requireNamespace('QCA', quietly=TRUE))"],
                           capture_output=True, text=True, timeout=120)
    if probe.stdout.strip() == "TRUE":
        return "installed (not benchmarked here yet)"
    return "not installable here: no Debian package r-cran-qca and no CRAN access"


def main() -> None:
    warnings.simplefilter("ignore", QCAWarning)
    print(f"chaoyang.qca benchmark, {date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores "
          f"visible, one used by both sides; best of {REPEATS} runs")
    print(f"R package QCA: {r_qca_status()}; baseline = vectorised NumPy truth table + textbook "
          "Quine-McCluskey (see the module docstring)")

    df, names = make_data(500, 10)
    tt, t_tt = best_time(truth_table, df, "Y", names, incl_cut=0.8)
    comp, t_complex = best_time(minimize, tt)
    pars, t_pars = best_time(minimize, tt, include="?", max_models=1)
    inter, t_inter = best_time(minimize, tt, include="?", dir_exp=", ".join(names), max_models=1)
    counts = tt.table["OUT"].value_counts().to_dict()
    print(f"\n10 conditions x 500 cases (seed {SEED}): {len(tt.table)} observed rows {counts}; chaoyang.qca alone:")
    print(f"  truth table                       {t_tt:8.3f} s")
    print(f"  complex solution                  {t_complex:8.3f} s   {len(comp.models)} models"
          f"{' (capped)' if comp.truncated else ''}, {len(comp.prime_implicants)} primes")
    print(f"  first parsimonious model          {t_pars:8.3f} s   {len(pars.prime_implicants)} primes")
    print(f"  first intermediate model          {t_inter:8.3f} s")

    print("\nRatios baseline / chaoyang.qca, truth table + every minimum model (both sides give the same models):")
    print(f"  {'size':<22}{'solution':<14}{'models':>7}{'baseline':>11}{'chaoyang':>11}{'ratio':>9}")
    values = {"budget_seconds": BUDGET}
    for n_cases, k in ((200, 6), (500, 8), (500, 9)):
        data, conditions = make_data(n_cases, k, seed=SEED + k)
        for parsimonious in (False, True):
            kind = "parsimonious" if parsimonious else "complex"
            ours, t_ours = best_time(kit_solution, data, conditions, "Y", 0.8, parsimonious=parsimonious)
            label = f"{k} conditions x {n_cases}"
            try:
                theirs, t_theirs = best_time(baseline_solution, data, conditions, "Y", 0.8,
                                             parsimonious=parsimonious)
            except OverBudget:
                print(f"  {label:<22}{kind:<14}{len(ours.models):>7}{'> ' + format(BUDGET, '.0f') + ' s':>11}"
                      f"{t_ours:>10.3f}s{'> ' + format(BUDGET / t_ours, '.0f') + 'x':>9}   (baseline stopped)")
                values[f"k{k}_{kind}_kit_seconds"] = t_ours
                values[f"k{k}_{kind}_models"] = len(ours.models)
                continue
            if theirs != {frozenset(m.terms) for m in ours.models} or ours.truncated:
                raise SystemExit(f"baseline and chaoyang.qca disagree at {label} ({kind}): "
                                 f"{len(theirs)} vs {len(ours.models)} models")
            print(f"  {label:<22}{kind:<14}{len(ours.models):>7}{t_theirs:>10.3f}s{t_ours:>10.3f}s"
                  f"{t_theirs / t_ours:>8.2f}x")
            values[f"k{k}_{kind}_ratio"] = t_theirs / t_ours
            values[f"k{k}_{kind}_models"] = len(ours.models)
    print("  (ratio > 1: chaoyang.qca faster; < 1: the textbook code is faster)")
    print(f"recorded in {record('qca', values, context={'repeats': REPEATS, 'budget_s': BUDGET})}")

if __name__ == "__main__":
    main()
