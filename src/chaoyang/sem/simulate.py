"""Simulated data with a known parallel-mediation structure (for tests, benchmarks and exercises)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from chaoyang._validate import check_count, check_seed
from chaoyang.errors import ArgumentError


def simulate_parallel_mediation(n: int = 1000, a=(0.5, 0.4, 0.3), b=(0.3, 0.3, 0.2), c: float = 0.2,
                                loading: float = 0.8, n_items: int | tuple = 3, latent: bool = True,
                                seed=None) -> pd.DataFrame:
    """Cases from X -> (M1..Mk) -> Y with standardized latent constructs and Likert-free continuous items.

    Structural model (all latent variances 1 in the population):
    ``Mj = a_j X + e_j``, ``Y = c X + sum_j b_j Mj + e_Y``; every item = ``loading *
    construct + error`` with item variance 1 when the construct has variance 1.

    Parameters
    ----------
    n : int, default 1000
        Number of cases (>= 10).
    a, b : sequence of float
        Paths X -> Mj and Mj -> Y (same length k, the number of mediators).
    c : float, default 0.2
        Direct path X -> Y.
    loading : float, default 0.8
        Standardized loading of every item, in (0, 1).
    n_items : int or tuple of int, default 3
        Items per construct (one number, or one per construct in the order X, M1..Mk, Y).
    latent : bool, default True
        If False, return the construct scores themselves (columns ``X, M1.., Y``).
    seed : None, int >= 0 or numpy.random.SeedSequence, default None
        Seed of the numpy Generator (``None``: fresh entropy, not reproducible).

    Returns
    -------
    pandas.DataFrame
        Columns ``x1..``, ``m1_1..``, ``m2_1..``, ..., ``y1..`` (latent=True) or ``X, M1.., Y``.

    Examples
    --------
    >>> df = simulate_parallel_mediation(n=50, seed=1)
    >>> df.shape, list(df.columns[:4])
    ((50, 15), ['x1', 'x2', 'x3', 'm1_1'])
    """
    try:
        a, b = np.asarray(a, float), np.asarray(b, float)
    except (TypeError, ValueError):
        raise ArgumentError(f"a and b must be sequences of numbers, got {a!r} and {b!r}.") from None
    if a.shape != b.shape or a.ndim != 1 or a.size == 0 or not np.isfinite(np.concatenate([a, b])).all():
        raise ArgumentError(f"a and b must be equally long non-empty sequences of finite numbers, got {a.size} and "
                            f"{b.size} paths.")
    n = check_count(n, "n", minimum=10, maximum=10_000_000)
    if isinstance(loading, bool) or not isinstance(loading, numbers.Real) or not 0 < loading < 1:
        raise ArgumentError(f"loading must be in (0, 1), got {loading!r}.")
    rng = np.random.default_rng(check_seed(seed))
    k = a.size
    x = rng.normal(size=n)
    mediators = np.column_stack([a[j] * x + rng.normal(scale=np.sqrt(max(1 - a[j] ** 2, 0.05)), size=n)
                                 for j in range(k)])
    y_mean = c * x + mediators @ b
    y = y_mean + rng.normal(scale=np.sqrt(max(1 - np.var(y_mean), 0.1)), size=n)
    constructs = {"X": x, **{f"M{j + 1}": mediators[:, j] for j in range(k)}, "Y": y}
    if not latent:
        return pd.DataFrame(constructs)
    counts = [n_items] * (k + 2) if isinstance(n_items, int) else list(n_items)
    if len(counts) != k + 2:
        raise ArgumentError(f"n_items needs one count per construct ({k + 2}), got {len(counts)}.")
    prefixes = ["x"] + [f"m{j + 1}_" for j in range(k)] + ["y"]
    columns = {}
    for (name, score), prefix, count in zip(constructs.items(), prefixes, counts):
        for i in range(count):
            columns[f"{prefix}{i + 1}"] = loading * score + rng.normal(scale=np.sqrt(1 - loading**2), size=n)
    return pd.DataFrame(columns)
