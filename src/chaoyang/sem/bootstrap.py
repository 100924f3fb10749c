"""Nonparametric bootstrap of defined (and optionally all) parameters.

Design choices, each measured or required for reproducibility:

* **Per-draw seeds.** Draw ``i`` resamples cases with
  ``numpy.random.default_rng(SeedSequence(seed).spawn(B)[i])``, so its resample
  does not depend on which process runs it or in what order: the intervals are
  identical to the bit for any ``n_jobs``.
* **Warm start.** Every draw refits the *same* semopy model with
  ``Model.fit(..., clean_slate=False)`` starting from the full-sample estimate
  (not from the previous draw, which would make results order-dependent), then
  polishes with Fisher scoring.
* **One BLAS thread per worker** (threadpoolctl): with threaded BLAS a small
  refit is many times slower on a shared 2-core machine.
* **Chunks of draws per task** (``concurrent.futures``) so inter-process overhead
  stays small.

Intervals: percentile, and bias-corrected (BC; Efron 1982):
``z0 = Phi^-1(share of draws below the estimate, ties counted half)`` and the
bounds are the draws' quantiles at ``Phi(2 z0 -/+ z_{1-alpha/2})``.
Draws that fail (singular resample or no convergence) are excluded and counted.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from chaoyang._results import ResultMixin
from chaoyang.errors import ArgumentError

from .engine import SemopyEngine, sample_covariance
from .errors import SEMConvergenceError, SEMDefinedError
from .inputs import SEMWarning
from .partable import build_parameter_table
from .syntax import parse_model


@dataclass
class BootstrapResult(ResultMixin):
    """Bootstrap draws and intervals.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per bootstrapped quantity: ``lhs, op, rhs, label, est, boot.se,
        perc.lower, perc.upper, bc.lower, bc.upper``.
    draws : numpy.ndarray
        Shape (n_draws, n_quantities); rows of failed draws are NaN (see ``converged``).
    converged : numpy.ndarray
        Boolean mask of the draws that converged.
    n_draws, n_converged : int
        Requested draws and draws used.
    level : float
        Confidence level.
    seed_entropy : int
        Entropy of the SeedSequence (pass it as ``seed`` to repeat the run).
    """

    intervals: pd.DataFrame
    draws: np.ndarray
    converged: np.ndarray
    n_draws: int
    n_converged: int
    level: float
    seed_entropy: int

    def summary(self, digits: int = 3) -> str:
        """Plain text: draws used, confidence level, seed entropy, then the interval table."""
        head = (f"Nonparametric bootstrap: {self.n_converged} of {self.n_draws} draws converged; "
                f"{self.level:.0%} percentile and bias-corrected intervals (seed entropy {self.seed_entropy})")
        return head + "\n\n" + self.intervals.round(digits).to_string(index=False)

    def to_frame(self) -> pd.DataFrame:
        """The interval table (a copy of :attr:`intervals`)."""
        return self.intervals.copy()


def percentile_interval(draws: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval (numpy's linear interpolation between order statistics).

    Examples
    --------
    >>> [round(v, 6) for v in percentile_interval(np.arange(101.0), 0.90)]
    [5.0, 95.0]
    """
    alpha = 1 - level
    lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def bias_corrected_interval(draws: np.ndarray, estimate: float, level: float = 0.95) -> tuple[float, float]:
    """Bias-corrected (BC) bootstrap interval.

    ``z0 = Phi^-1(p0)`` with ``p0`` the share of draws below ``estimate`` (ties count half,
    kept within [1/(2B), 1 - 1/(2B)] so that z0 stays finite); bounds are the quantiles of
    the draws at ``Phi(2 z0 + z_{alpha/2})`` and ``Phi(2 z0 + z_{1-alpha/2})``.

    Parameters
    ----------
    draws : numpy.ndarray
        Bootstrap estimates (converged draws only).
    estimate : float
        Full-sample estimate.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    tuple of float
        (lower, upper).

    Examples
    --------
    >>> d = np.arange(1.0, 101.0)          # 50 % of draws below 50.5: no bias, BC = percentile
    >>> bool(np.allclose(bias_corrected_interval(d, 50.5, 0.90), percentile_interval(d, 0.90)))
    True
    """
    b = draws.size
    below = np.count_nonzero(draws < estimate) + 0.5 * np.count_nonzero(draws == estimate)
    p0 = min(max(below / b, 1 / (2 * b)), 1 - 1 / (2 * b))
    z0 = stats.norm.ppf(p0)
    z = stats.norm.ppf([(1 - level) / 2, (1 + level) / 2])
    probs = stats.norm.cdf(2 * z0 + z)
    lo, hi = np.quantile(draws, probs)
    return float(lo), float(hi)


# ----------------------------------------------------------------------------- workers
_STATE: dict = {}


def _init_worker(model: str, values: np.ndarray, columns: list[str], theta_hat: np.ndarray,
                 boot_rows: list[int], std_lv: bool = False) -> None:
    from threadpoolctl import threadpool_limits

    _STATE["limits"] = threadpool_limits(limits=1)
    frame = pd.DataFrame(values, columns=columns)
    table = build_parameter_table(parse_model(model), std_lv=std_lv)
    engine = SemopyEngine(table, frame)
    _STATE.update(engine=engine, values=frame[engine.observed].to_numpy(), theta_hat=theta_hat,
                  boot_rows=boot_rows)


def _one_draw(seed_seq: np.random.SeedSequence) -> np.ndarray | None:
    from .fit import defined_values

    engine: SemopyEngine = _STATE["engine"]
    values = _STATE["values"]
    n = values.shape[0]
    rows = np.random.default_rng(seed_seq).integers(0, n, size=n)
    cov = sample_covariance(values[rows])
    if np.linalg.eigvalsh(cov)[0] <= 1e-12 * np.trace(cov):
        return None
    outcome = engine.fit(cov, start=_STATE["theta_hat"], method=_STATE.get("method", "scoring"))
    if not outcome.converged:
        return None
    row_values = engine.row_values(outcome.theta, cov)
    parts = [row_values[_STATE["boot_rows"]]]
    if engine.table.defined:
        try:
            parts.append(defined_values(engine.table, row_values))
        except SEMDefinedError:  # a ':=' with no finite value in this resample: a failed draw
            return None
    return np.concatenate(parts)


def _run_chunk(indices: list[int], seeds: list[np.random.SeedSequence]) -> list[tuple[int, np.ndarray | None]]:
    return [(i, _one_draw(s)) for i, s in zip(indices, seeds)]


def _chunks(n: int, size: int) -> list[list[int]]:
    return [list(range(start, min(start + size, n))) for start in range(0, n, size)]


def run_bootstrap(result, frame: pd.DataFrame, draws: int, seed: int | None, level: float = 0.95,
                  n_jobs: int = 1, progress: bool | None = None, boot_all: bool = False) -> BootstrapResult:
    """Bootstrap a fitted model (called by :func:`chaoyang.sem.fit` when ``n_boot > 0``).

    Parameters
    ----------
    result : SEMResult
        The full-sample fit (its estimate is the warm start of every draw).
    frame : pandas.DataFrame
        The complete cases used in the fit.
    draws : int
        Number of bootstrap draws B.
    seed : int or None
        Root seed; ``None`` draws fresh entropy (recorded in ``seed_entropy``).
    level : float, default 0.95
        Confidence level.
    n_jobs : int, default 1
        Worker processes (-1: all cores).
    progress : bool or None
        tqdm bar; ``None`` shows it for B >= 1000.
    boot_all : bool, default False
        Also bootstrap every free parameter.

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from chaoyang.sem import fit
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200); m = 0.5 * x + rng.normal(size=200); y = 0.5 * m + rng.normal(size=200)
    >>> res = fit("m ~ a*x\\ny ~ b*m\\nab := a*b", pd.DataFrame({"x": x, "m": m, "y": y}),
    ...           n_boot=200, seed=1)
    >>> res.bootstrap.n_converged
    200
    """
    table = result.table
    engine = result._engine
    boot_rows = [k for k in range(len(table.rows)) if boot_all and engine.free_index(k) is not None]
    if not boot_rows and not table.defined:
        raise ArgumentError("Nothing to bootstrap: the model has no ':=' defined parameter; pass boot_all=True "
                         "to bootstrap every free parameter.")
    root = np.random.SeedSequence(seed)
    children = root.spawn(draws)
    workers = (os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)
    workers = max(1, min(workers, draws))
    chunk_size = max(1, min(50, math.ceil(draws / (workers * 4))))
    chunks = _chunks(draws, chunk_size)
    init_args = (result.model, frame.to_numpy(), list(frame.columns), result._theta.copy(), boot_rows,
                 bool(getattr(result, "std_lv", False)))
    show = (draws >= 1000) if progress is None else bool(progress)
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=draws, desc="bootstrap", unit="draw", file=sys.stderr)
    outputs: dict[int, np.ndarray | None] = {}
    try:
        if workers == 1:
            saved = dict(_STATE)
            try:
                _init_worker(*init_args)
                for chunk in chunks:
                    for i, out in _run_chunk(chunk, [children[i] for i in chunk]):
                        outputs[i] = out
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                limits = _STATE.pop("limits", None)
                if limits is not None:
                    limits.restore_original_limits()
                _STATE.clear()
                _STATE.update(saved)
        else:
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            context = multiprocessing.get_context(method)
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
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
    # Quantity names and full-sample estimates, in the order of the draw vectors.
    est_table = result.estimates
    n_rows = len(table.rows)
    positions = boot_rows + [n_rows + j for j in range(len(table.defined))]
    m = len(positions)
    matrix = np.full((draws, m), np.nan)
    ok = np.zeros(draws, dtype=bool)
    for i in range(draws):
        if outputs.get(i) is not None:
            matrix[i] = outputs[i]
            ok[i] = True
    n_ok = int(ok.sum())
    if n_ok < draws:
        warnings.warn(f"{draws - n_ok} of {draws} bootstrap draws failed (singular resample or no convergence) "
                      "and were left out of the intervals.", SEMWarning, stacklevel=3)
    if n_ok < 2:
        raise SEMConvergenceError(f"Only {n_ok} of {draws} bootstrap draws converged; the intervals cannot be computed. "
                           "Check the model fits well on the full sample and that N is not tiny.")
    good = matrix[ok]
    records = []
    for j, pos in enumerate(positions):
        row = est_table.iloc[pos]
        perc = percentile_interval(good[:, j], level)
        bc = bias_corrected_interval(good[:, j], float(row["est"]), level)
        records.append({"lhs": row["lhs"], "op": row["op"], "rhs": row["rhs"], "label": row["label"],
                        "est": float(row["est"]), "boot.se": float(np.std(good[:, j], ddof=1)),
                        "perc.lower": perc[0], "perc.upper": perc[1], "bc.lower": bc[0], "bc.upper": bc[1]})
    engine.model.update_matrices(result._theta)
    return BootstrapResult(intervals=pd.DataFrame(records), draws=matrix, converged=ok, n_draws=draws,
                           n_converged=n_ok, level=float(level), seed_entropy=int(root.entropy))
