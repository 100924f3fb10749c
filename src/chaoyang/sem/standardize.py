"""Completely standardized estimates (lavaan's ``std.all``).

Every variable, latent or observed, is rescaled to unit model-implied variance:

* loading ``f =~ x``: est * sd(f) / sd(x);
* regression ``y ~ x``: est * sd(x) / sd(y);
* variance ``v ~~ v``: est / var(v) (for an endogenous variable the share of
  unexplained variance);
* covariance ``a ~~ b``: lavaan's default (``cov.std = TRUE``) divides by the
  square root of the two *variance parameters* in the same matrix, so a residual
  covariance is reported as a residual correlation. With ``cov_std=False`` it
  divides by the total standard deviations (what semopy's ``std_est`` reports);
* defined parameter: its expression evaluated on the standardized values.
"""

from __future__ import annotations

import math

import numpy as np

from .partable import ParameterTable


def std_all(table: ParameterTable, values: np.ndarray, total_variance: dict[str, float],
            cov_std: bool = True) -> np.ndarray:
    """Standardized value of every parameter-table row.

    Parameters
    ----------
    table : ParameterTable
        Parameter table.
    values : numpy.ndarray
        Unstandardized estimate of every row (same order as ``table.rows``).
    total_variance : dict
        Model-implied variance of every variable, by name.
    cov_std : bool, default True
        lavaan's ``cov.std``: residual covariances as residual correlations.

    Returns
    -------
    numpy.ndarray
        std.all of every row.

    Examples
    --------
    >>> from chaoyang.sem.syntax import parse_model
    >>> from chaoyang.sem.partable import build_parameter_table
    >>> t = build_parameter_table(parse_model("y ~ x"))
    >>> [r.op for r in t.rows]
    ['~', '~~', 'fixed.x']
    >>> std_all(t, np.array([0.5, 0.75, 1.0]), {"x": 1.0, "y": 1.0}).round(3).tolist()
    [0.5, 0.75, 1.0]
    """
    variance_param: dict[str, float] = {}
    for row, value in zip(table.rows, values):
        if row.lhs == row.rhs and row.op in ("~~", "fixed.x"):
            variance_param[row.lhs] = value
    out = np.empty(len(table.rows))
    for k, (row, value) in enumerate(zip(table.rows, values)):
        sd_l = math.sqrt(max(total_variance[row.lhs], 0.0))
        sd_r = math.sqrt(max(total_variance[row.rhs], 0.0))
        if row.op == "=~":
            out[k] = value * sd_l / sd_r
        elif row.op == "~":
            out[k] = value * sd_r / sd_l
        elif row.lhs == row.rhs:
            out[k] = value / total_variance[row.lhs]
        elif cov_std:
            denom = variance_param.get(row.lhs, total_variance[row.lhs]) * variance_param.get(
                row.rhs, total_variance[row.rhs])
            out[k] = value / math.sqrt(denom) if denom > 0 else math.nan
        else:
            out[k] = value / (sd_l * sd_r)
    return out
