"""lavaan's fit measures for ML estimation with a normal likelihood.

Formulas follow lavaan 0.6 (``fitMeasures``), checked against lavaan's own
output in ``tests/fixtures/lavaan``:

* ``chisq = N * F_ML`` with ``F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p``
  and N (not N - 1), S with divisor N;
* baseline = independence model (with ``fixed.x``, the covariances among the
  exogenous x stay free), ``baseline.chisq = N (sum log s_ii - log|S|)``;
* ``cfi = 1 - max(chisq - df, 0) / max(chisq - df, chisq_b - df_b, 0)``, in [0, 1];
* ``tli = (chisq_b/df_b - chisq/df) / (chisq_b/df_b - 1)`` (not capped);
* ``rmsea = sqrt(max(chisq - df, 0) / (df N))`` with a 90 % interval from the
  non-central chi-square (lavaan's ``rmsea.ci.lower``/``upper``);
* ``srmr`` = Bentler's SRMR: residual covariances scaled by the *sample* standard
  deviations, averaged over the p(p+1)/2 non-duplicated elements (variances
  included); ``crmr`` = correlation residuals, off-diagonal only;
* ``logl = -N/2 (p log 2 pi + log|S| + p) - chisq/2`` (unrestricted log-likelihood
  minus half the discrepancy); ``aic = -2 logl + 2 npar``; ``bic = -2 logl + log(N) npar``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats


def _logdet(matrix: np.ndarray) -> float:
    sign, value = np.linalg.slogdet(matrix)
    if sign <= 0:
        raise np.linalg.LinAlgError("matrix is not positive definite")
    return float(value)


def ml_discrepancy(sample_cov: np.ndarray, implied_cov: np.ndarray) -> float:
    """ML discrepancy F = log|Sigma| + tr(S Sigma^-1) - log|S| - p (>= 0).

    Examples
    --------
    >>> s = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> round(ml_discrepancy(s, s), 12)
    0.0
    """
    p = sample_cov.shape[0]
    return _logdet(implied_cov) + float(np.trace(sample_cov @ np.linalg.inv(implied_cov))) - _logdet(sample_cov) - p


def rmsea_interval(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's confidence interval for RMSEA from the non-central chi-square distribution.

    The lower (upper) bound uses the non-centrality lambda at which ``chisq`` is the
    (1 + level)/2 ((1 - level)/2) quantile; RMSEA bound = sqrt(lambda / (df N)).

    Parameters
    ----------
    chisq : float
        Model chi-square.
    df : int
        Model degrees of freedom (> 0).
    n : int
        Number of cases.
    level : float, default 0.90
        Confidence level (lavaan reports 90 %).

    Returns
    -------
    tuple of float
        (lower, upper), each >= 0.

    Examples
    --------
    >>> lo, hi = rmsea_interval(85.306, 24, 301)
    >>> round(lo, 3), round(hi, 3)
    (0.071, 0.114)
    """
    if df <= 0:
        return (0.0, 0.0)
    upper_p, lower_p = (1 + level) / 2, (1 - level) / 2

    def bound(target: float) -> float:
        def f(lam: float) -> float:
            return stats.ncx2.cdf(chisq, df, lam) - target if lam > 0 else stats.chi2.cdf(chisq, df) - target

        if f(0.0) < 0:  # even lambda = 0 puts chisq below the quantile
            return 0.0
        hi = max(chisq, 1.0)
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, 0.0, hi, xtol=1e-12)

    return (math.sqrt(bound(upper_p) / (df * n)), math.sqrt(bound(lower_p) / (df * n)))


def srmr_bentler(sample_cov: np.ndarray, implied_cov: np.ndarray) -> float:
    """Bentler's SRMR (lavaan's default ``srmr`` without mean structure).

    Examples
    --------
    >>> s = np.array([[1.0, 0.3], [0.3, 1.0]]); sig = np.eye(2)
    >>> round(srmr_bentler(s, sig), 6)  # sqrt(0.3**2 / 3)
    0.173205
    """
    sd = np.sqrt(np.diag(sample_cov))
    resid = (sample_cov - implied_cov) / np.outer(sd, sd)
    lower = resid[np.tril_indices_from(resid)]
    return float(np.sqrt(np.mean(lower**2)))


def crmr(sample_cov: np.ndarray, implied_cov: np.ndarray) -> float:
    """Correlation root mean residual (lavaan's ``crmr``): off-diagonal correlation residuals.

    Examples
    --------
    >>> s = np.array([[1.0, 0.3], [0.3, 1.0]])
    >>> round(crmr(s, np.eye(2)), 6)
    0.3
    """
    sd_s = np.sqrt(np.diag(sample_cov))
    sd_m = np.sqrt(np.diag(implied_cov))
    resid = sample_cov / np.outer(sd_s, sd_s) - implied_cov / np.outer(sd_m, sd_m)
    lower = resid[np.tril_indices_from(resid, k=-1)]
    return float(np.sqrt(np.mean(lower**2))) if lower.size else 0.0


def fit_measures(sample_cov: np.ndarray, implied_cov: np.ndarray, n: int, npar: int,
                 exogenous_x: list[int] | None = None) -> dict[str, float]:
    """All fit measures of a model, named as lavaan names them.

    Parameters
    ----------
    sample_cov, implied_cov : numpy.ndarray
        p x p sample (divisor N) and model-implied covariance matrices.
    n : int
        Number of cases (``ntotal``).
    npar : int
        Number of free parameters (equality-constrained labels count once; fixed.x excluded).
    exogenous_x : list of int, optional
        Positions of the fixed.x variables (their moments are not modelled).

    Returns
    -------
    dict
        ``npar, ntotal, chisq, df, pvalue, baseline.chisq, baseline.df, baseline.pvalue,
        cfi, tli, logl, unrestricted.logl, aic, bic, rmsea, rmsea.ci.lower,
        rmsea.ci.upper, rmsea.pvalue, srmr, srmr_bentler, crmr``.

    Examples
    --------
    >>> s = np.array([[1.0, 0.3], [0.3, 1.0]])
    >>> fit_measures(s, s, n=100, npar=3)["chisq"]
    0.0
    """
    exogenous_x = list(exogenous_x or [])
    p = sample_cov.shape[0]
    nx = len(exogenous_x)
    f_ml = max(ml_discrepancy(sample_cov, implied_cov), 0.0)
    chisq = n * f_ml
    df = p * (p + 1) // 2 - nx * (nx + 1) // 2 - npar
    # Independence baseline: variances free; covariances among fixed.x variables kept.
    baseline = np.diag(np.diag(sample_cov))
    if nx:
        ix = np.ix_(exogenous_x, exogenous_x)
        baseline[ix] = sample_cov[ix]
    chisq_b = n * max(ml_discrepancy(sample_cov, baseline), 0.0)
    df_b = p * (p - 1) // 2 - nx * (nx - 1) // 2
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan
    numerator = max(chisq - df, 0.0)
    denominator = max(chisq - df, chisq_b - df_b, 0.0)
    cfi = 1.0 if denominator == 0 else 1.0 - numerator / denominator
    if df > 0 and df_b > 0:
        tli = ((chisq_b / df_b) - (chisq / df)) / ((chisq_b / df_b) - 1.0)
        rmsea = math.sqrt(numerator / (df * n))
        lo, hi = rmsea_interval(chisq, df, n)
        # P(RMSEA <= .05): lavaan's close-fit test
        rmsea_p = float(stats.ncx2.sf(chisq, df, 0.05**2 * df * n))
    else:  # saturated model: lavaan reports tli = 1, rmsea = 0
        tli, rmsea, lo, hi, rmsea_p = 1.0, 0.0, 0.0, 0.0, math.nan
    unrestricted = -n / 2 * (p * math.log(2 * math.pi) + _logdet(sample_cov) + p)
    if nx:
        # fixed.x: lavaan's log-likelihood is conditional on the exogenous x (their marginal
        # log-likelihood is subtracted; measured against lavaan 0.6-14, tests/test_sem_lavaan_live.py)
        sxx = sample_cov[np.ix_(exogenous_x, exogenous_x)]
        unrestricted -= -n / 2 * (nx * math.log(2 * math.pi) + _logdet(sxx) + nx)
    logl = unrestricted - chisq / 2
    srmr = srmr_bentler(sample_cov, implied_cov)
    return {
        "npar": int(npar),
        "ntotal": int(n),
        "chisq": float(chisq),
        "df": int(df),
        "pvalue": pvalue,
        "baseline.chisq": float(chisq_b),
        "baseline.df": int(df_b),
        "baseline.pvalue": float(stats.chi2.sf(chisq_b, df_b)) if df_b > 0 else math.nan,
        "cfi": float(min(max(cfi, 0.0), 1.0)),
        "tli": float(tli),
        "logl": float(logl),
        "unrestricted.logl": float(unrestricted),
        "aic": float(-2 * logl + 2 * npar),
        "bic": float(-2 * logl + math.log(n) * npar),
        "rmsea": float(rmsea),
        "rmsea.ci.lower": float(lo),
        "rmsea.ci.upper": float(hi),
        "rmsea.pvalue": rmsea_p,
        "srmr": srmr,
        "srmr_bentler": srmr,
        "crmr": crmr(sample_cov, implied_cov),
    }
