"""Nonparametric bootstrap for fits of :mod:`chaoyang.sem.extended` (FIML, groups, constraints).

As lavaan's ``se = "bootstrap"``: cases are resampled with replacement within each group
(group sizes kept), the model is refitted on every resample and the draws that do not
converge are left out (and counted). Reproducible to the bit for any ``n_jobs``: draw ``i``
uses its own child of ``SeedSequence(seed)``.

Why it is fast: a resample only changes each missing-data pattern's count, mean and
covariance (:meth:`~chaoyang.sem.fiml.GroupData.resampled`), so no per-case work is repeated;
every draw starts at the full-sample estimate and iterates with the full-sample expected
information held fixed (a chord method: one analytic gradient per step, no new information
matrix), converging to the same Newton-decrement criterion as the main fit; a draw that does
not converge that way is refitted by full Fisher scoring. With inequality constraints every draw
re-solves the constrained problem (as lavaan does).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
import pandas as pd

from .bootstrap import BootstrapResult, _chunks, bias_corrected_interval, percentile_interval
from .errors import SEMConvergenceError, SEMDefinedError
from .inputs import SEMWarning

_STATE: dict = {}
#: Newton-decrement stopping rule of a draw: the draw's estimate is within about 3e-5 standard errors
#: of its optimum (sqrt(1e-9)), far below the Monte Carlo error of any bootstrap interval.
DRAW_TOL = 1e-9


def _init(problem, x_hat, K, x_p, info, boot_rows, has_inequalities) -> None:
    from threadpoolctl import threadpool_limits

    _STATE.update(limits=threadpool_limits(limits=1), problem=problem, x_hat=x_hat, K=K, x_p=x_p, info=info,
                  boot_rows=boot_rows, ineq=has_inequalities)


def _one_draw(seed_seq: np.random.SeedSequence) -> np.ndarray | None:
    from .extended import _constraint_functions, _linearise, _solve, defined_values, row_values

    problem = _STATE["problem"]
    rng = np.random.default_rng(seed_seq)
    patterns = []
    for gd in problem.groups:
        counts = np.bincount(rng.integers(0, gd.n, size=gd.n), minlength=gd.n)
        patterns.append(gd.resampled(counts))
    K, x_p = _STATE["K"], _STATE["x_p"]
    if _STATE["ineq"]:
        x = _solve_draw(problem, patterns)
        if x is None:
            return None
    else:
        z_hat = K.T @ (_STATE["x_hat"] - x_p)
        z, ok, _ = problem.maximise(z_hat, patterns, max_steps=100, fixed_info=_STATE["info"], K=K, x_p=x_p,
                                    tol=DRAW_TOL)
        if not ok:
            z, ok, _ = problem.maximise(z_hat, patterns, K=K, x_p=x_p, tol=DRAW_TOL)
            if not ok:
                return None
        x = x_p + K @ z
    values = row_values(problem, x)
    parts = [values[_STATE["boot_rows"]]]
    if problem.table.defined:
        try:
            parts.append(defined_values(problem, values))
        except SEMDefinedError:
            return None
    return np.concatenate(parts)


def _solve_draw(problem, patterns):
    """Constrained refit of one resample (all sets of active inequalities, as in the main fit)."""
    from .extended import _constraint_functions, _linearise, _null_space_solution

    functions = _constraint_functions(problem.table)
    eq = [f for f in functions if f[1] == "=="]
    ineq = [f for f in functions if f[1] == ">="]
    n = problem.table.n_free
    x_hat = _STATE["x_hat"]
    c_eq, d_eq = _linearise(eq, x_hat) if eq else (np.zeros((0, n)), np.zeros(0))
    c_in, d_in = _linearise(ineq, x_hat)
    from itertools import combinations

    best = None
    for size in range(len(ineq) + 1):
        for subset in combinations(range(len(ineq)), size):
            c = np.vstack([c_eq, c_in[list(subset)]])
            d = np.concatenate([d_eq, d_in[list(subset)]])
            try:
                x_p, K = _null_space_solution(c, d, n, [])
            except Exception:
                continue
            z, ok, _ = problem.maximise(K.T @ (x_hat - x_p), patterns, K=K, x_p=x_p)
            x = x_p + K @ z
            if not ok or np.any(c_in @ x - d_in < -1e-8):
                continue
            value = problem.safe_loglik(x, patterns)
            if best is None or value > best[0]:
                best = (value, x)
    return None if best is None else best[1]


def _run_chunk(indices, seeds):
    return [(i, _one_draw(s)) for i, s in zip(indices, seeds)]


def run_extended_bootstrap(result, draws: int, seed, level: float = 0.95, n_jobs: int = 1,
                           progress: bool | None = None, boot_all: bool = False) -> BootstrapResult:
    """Bootstrap the ``:=`` parameters (and every free parameter with ``boot_all``) of an extended fit.

    Parameters
    ----------
    result : SEMResult
        A fit made by :func:`chaoyang.sem.extended.fit_extended`.
    draws : int
        Number of resamples.
    seed : None, int or numpy.random.SeedSequence
        Seed (the same seed gives the same draws whatever ``n_jobs``).
    level : float
        Confidence level of the intervals.
    n_jobs : int
        Worker processes (-1: all cores).
    progress : bool, optional
        tqdm progress bar (default: for >= 1000 draws on a terminal).
    boot_all : bool
        Also bootstrap every free parameter.

    Returns
    -------
    BootstrapResult
        Intervals with a ``group`` column for multigroup fits.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from chaoyang import sem
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200); m = 0.5 * x + rng.normal(size=200); y = 0.4 * m + rng.normal(size=200)
    >>> d = pd.DataFrame({"x": x, "m": m, "y": y}); d.loc[:20, "m"] = np.nan
    >>> res = sem.fit("m ~ a*x\\ny ~ b*m\\nab := a*b", d, missing="ml", n_boot=50, seed=1)
    >>> res.bootstrap.n_converged
    50
    """
    ext = result._extended
    problem = ext.problem
    table = problem.table
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = root.spawn(draws)
    visible = np.flatnonzero(~problem.hidden)
    boot_rows = [int(k) for k in visible if table.rows[k].par >= 0] if boot_all else []
    has_ineq = any(op != "==" for _, op, _ in table.constraints)
    # The full-sample information of the fit (observed with FIML) as the chord method's fixed matrix.
    info = ext.information
    init_args = (problem, ext.x, ext.K_active, ext.x_p_active, info, boot_rows, has_ineq)
    workers = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
    workers = max(1, min(workers, draws))
    show = progress if progress is not None else (draws >= 1000 and sys.stderr.isatty())
    bar = None
    if show:
        from tqdm.auto import tqdm
        bar = tqdm(total=draws, desc="bootstrap", unit="draw")
    outputs: dict[int, np.ndarray | None] = {}
    try:
        if workers == 1:
            saved = dict(_STATE)
            _init(*init_args)
            try:
                for chunk in _chunks(draws, 50):
                    for i, out in _run_chunk(chunk, [children[i] for i in chunk]):
                        outputs[i] = out
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                _STATE["limits"].restore_original_limits()
                _STATE.clear()
                _STATE.update(saved)
        else:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            chunks = _chunks(draws, max(1, min(50, draws // (workers * 4) or 1)))
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init,
                                     initargs=init_args) as pool:
                futures = [pool.submit(_run_chunk, chunk, [children[i] for i in chunk]) for chunk in chunks]
                for future in as_completed(futures):
                    part = future.result()
                    for i, out in part:
                        outputs[i] = out
                    if bar is not None:
                        bar.update(len(part))
    finally:
        if bar is not None:
            bar.close()
    est = result.estimates
    hidden_before = np.cumsum(problem.hidden)
    positions = [int(k - hidden_before[k]) for k in boot_rows] + [len(est) - len(table.defined) + j
                                                                   for j in range(len(table.defined))]
    m = len(positions)
    matrix = np.full((draws, m), np.nan)
    ok = np.zeros(draws, dtype=bool)
    for i in range(draws):
        if outputs.get(i) is not None:
            matrix[i] = outputs[i]
            ok[i] = True
    n_ok = int(ok.sum())
    if n_ok < draws:
        warnings.warn(f"{draws - n_ok} of {draws} bootstrap draws failed (no convergence) and were left out of the "
                      "intervals (lavaan drops them too).", SEMWarning, stacklevel=4)
    if n_ok < 2:
        raise SEMConvergenceError(f"Only {n_ok} of {draws} bootstrap draws converged; the intervals cannot be "
                                  "computed. Check that the model fits well on the full sample.")
    good = matrix[ok]
    keys = [c for c in ("lhs", "op", "rhs", "group", "label") if c in est.columns]
    records = []
    for j, pos in enumerate(positions):
        row = est.iloc[pos]
        perc = percentile_interval(good[:, j], level)
        bc = bias_corrected_interval(good[:, j], float(row["est"]), level)
        record = {k: row[k] for k in keys}
        record.update({"est": float(row["est"]), "boot.se": float(np.std(good[:, j], ddof=1)),
                       "perc.lower": perc[0], "perc.upper": perc[1], "bc.lower": bc[0], "bc.upper": bc[1]})
        records.append(record)
    return BootstrapResult(intervals=pd.DataFrame(records), draws=matrix, converged=ok, n_draws=draws,
                           n_converged=n_ok, level=float(level), seed_entropy=int(root.entropy))
