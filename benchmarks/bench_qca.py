"""Speed of chaoyang.qca: truth table and minimization at 10 conditions x 500 cases.

Run: ``.venv/bin/python benchmarks/bench_qca.py``. Prints wall-clock times at 10 x 500 (targets:
truth table and complex solution < 1 s; first parsimonious and intermediate models < 10 s) and, at a
smaller size where a naive implementation finishes, the ratio naive / chaoyang.qca measured in the
same process. The naive baseline is textbook Quine-McCluskey on strings ('0', '1', '-') with
pure-Python loops and a brute-force chart search by increasing combination size - no bit masks, no
numpy, no solver.
"""

from __future__ import annotations

import os
import time
import warnings
from itertools import combinations

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from chaoyang.qca import QCAWarning, minimize, truth_table  # noqa: E402

SEED = 20240601


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


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


# --- naive baseline ---------------------------------------------------------------------------

def naive_truth_table(df, names, incl_cut):
    rows = {}
    for _, case in df.iterrows():
        key = "".join("1" if case[c] > 0.5 else "0" for c in names)
        rows.setdefault(key, 0)
    out = {}
    for key in rows:
        num = den = 0.0
        for _, case in df.iterrows():
            m = min(case[c] if bit == "1" else 1 - case[c] for c, bit in zip(names, key))
            num += min(m, case["Y"])
            den += m
        out[key] = 1 if num / den >= incl_cut else 0
    return out


def naive_primes(minterms):
    terms = set(minterms)
    primes = set()
    while terms:
        merged, used = set(), set()
        for a in terms:
            for b in terms:
                diff = [i for i, (p, q) in enumerate(zip(a, b)) if p != q]
                if len(diff) == 1 and "-" not in (a[diff[0]], b[diff[0]]):
                    merged.add(a[:diff[0]] + "-" + a[diff[0] + 1:])
                    used.update((a, b))
        primes |= terms - used
        terms = merged
    return sorted(primes)


def naive_covers(primes, minterms):
    def covers(p, m):
        return all(x == "-" or x == y for x, y in zip(p, m))

    for size in range(1, len(primes) + 1):
        found = [c for c in combinations(primes, size)
                 if all(any(covers(p, m) for p in c) for m in minterms)]
        if found:
            return found
    return []


def naive_complex(df, names, incl_cut):
    tt = naive_truth_table(df, names, incl_cut)
    positives = [k for k, v in tt.items() if v == 1]
    return naive_covers(naive_primes(positives), positives)


def main() -> None:
    warnings.simplefilter("ignore", QCAWarning)
    df, names = make_data(500, 10)
    tt, t_tt = timed(truth_table, df, "Y", names, incl_cut=0.8)
    comp, t_complex = timed(minimize, tt)
    pars, t_pars = timed(minimize, tt, include="?", max_models=1)
    inter, t_inter = timed(minimize, tt, include="?", dir_exp=", ".join(names), max_models=1)
    pars_all, t_pars_all = timed(minimize, tt, include="?")
    counts = tt.table["OUT"].value_counts().to_dict()
    print(f"10 conditions x 500 cases (seed {SEED}): {len(tt.table)} observed rows {counts}")
    print(f"  truth table                       {t_tt:8.3f} s   (target < 1 s)")
    print(f"  complex solution                  {t_complex:8.3f} s   (target < 1 s)  "
          f"{len(comp.models)} models{' (capped)' if comp.truncated else ''}, {len(comp.prime_implicants)} primes")
    print(f"  first parsimonious model          {t_pars:8.3f} s   (target < 10 s) "
          f"{len(pars.models[0].terms)} terms, {len(pars.prime_implicants)} primes")
    print(f"  first intermediate model          {t_inter:8.3f} s   (target < 10 s) {len(inter.models[0].terms)} terms")
    print(f"  parsimonious, up to 100 models    {t_pars_all:8.3f} s   {len(pars_all.models)} models"
          f"{' (cap hit: ' + pars_all.truncation_reason + ')' if pars_all.truncated else ''}")

    small, small_names = make_data(60, 6, seed=SEED + 1)
    ours_tt, t_ours_tt = timed(truth_table, small, "Y", small_names, incl_cut=0.8)
    ours, t_ours = timed(minimize, ours_tt)
    naive, t_naive = timed(naive_complex, small, small_names, 0.8)
    assert len(naive) == len(ours.models), "baseline and library disagree on the number of models"
    t_ours_total = t_ours_tt + t_ours
    print(f"6 conditions x 60 cases, truth table + complex solution (all {len(naive)} models):")
    print(f"  naive pure-Python QM              {t_naive:8.3f} s")
    print(f"  chaoyang.qca                      {t_ours_total:8.3f} s   ratio naive/ours = {t_naive / t_ours_total:6.1f}x")


if __name__ == "__main__":
    main()
