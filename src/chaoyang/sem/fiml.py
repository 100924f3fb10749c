"""Full-information maximum likelihood by missing-data pattern, and lavaan's EM estimate of H1.

Cases with the same set of observed variables form a pattern ``k`` with ``n_k`` cases,
mean ``ybar_k`` and covariance ``S_k`` (divisor ``n_k``); the log-likelihood of a group is
(Arbuckle 1996; lavaan's ``missing = "ml"``)::

    logl = sum_k -n_k / 2 * (p_k log(2 pi) + log|Sigma_k| + tr(Sigma_k^-1 (S_k + d_k d_k')))

with ``Sigma_k``, ``mu_k`` the model-implied moments of the observed variables of the
pattern and ``d_k = ybar_k - mu_k``. Complete data are the one-pattern case. The saturated
(H1) moments are estimated by the EM algorithm (Dempster, Laird & Rubin 1977), as lavaan does
for its ``unrestricted.logl`` and chi-square.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LOG_2PI = math.log(2 * math.pi)


@dataclass
class Pattern:
    """The cases of one group that observe exactly the variables ``obs`` (positions)."""

    obs: np.ndarray
    rows: np.ndarray      # case positions within the group
    values: np.ndarray    # (n_k, len(obs)) observed values
    n: float
    mean: np.ndarray
    cov: np.ndarray
    mis: np.ndarray | None = None  # positions not observed (computed once)
    block: tuple | None = None     # np.ix_(obs, obs)

    def __post_init__(self):
        if self.block is None:
            self.block = np.ix_(self.obs, self.obs)


def _moments(values: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    if weights is None:
        n = float(values.shape[0])
        mean = values.mean(axis=0)
        centred = values - mean
        return n, mean, centred.T @ centred / n
    n = float(weights.sum())
    mean = weights @ values / n
    centred = values - mean
    return n, mean, (centred * weights[:, None]).T @ centred / n


class GroupData:
    """The data of one group split into missing-data patterns.

    Parameters
    ----------
    values : numpy.ndarray
        (n, p) array with NaN for missing values; rows with no observed value must be removed first.

    Examples
    --------
    >>> y = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0]])
    >>> gd = GroupData(y)
    >>> [(p.obs.tolist(), p.n) for p in gd.patterns]
    [([0, 1], 2.0), ([0], 1.0)]
    """

    def __init__(self, values: np.ndarray):
        self.values = values
        self.n, self.p = values.shape
        observed = ~np.isnan(values)
        keys, inverse = np.unique(observed, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        order = np.argsort(-keys.sum(axis=1), kind="stable")  # complete pattern first
        self.patterns: list[Pattern] = []
        for k in order:
            rows = np.flatnonzero(inverse == k)
            obs = np.flatnonzero(keys[k])
            block = values[np.ix_(rows, obs)]
            n, mean, cov = _moments(block)
            self.patterns.append(Pattern(obs, rows, block, n, mean, cov, np.flatnonzero(~keys[k])))
        self.complete = len(self.patterns) == 1 and self.patterns[0].obs.size == self.p

    def resampled(self, counts: np.ndarray) -> list[Pattern]:
        """Patterns of a bootstrap resample in which case ``i`` appears ``counts[i]`` times."""
        out = []
        for pat in self.patterns:
            w = counts[pat.rows].astype(float)
            if w.sum() == 0:
                continue
            n, mean, cov = _moments(pat.values, w)
            out.append(Pattern(pat.obs, pat.rows, pat.values, n, mean, cov, pat.mis, pat.block))
        return out


def _inverse_and_logdet(sigma: np.ndarray, pat: Pattern, full: tuple) -> tuple[np.ndarray, float]:
    """Sigma_k^-1 and log|Sigma_k| of a pattern.

    Patterns missing at most three variables use the full matrix's inverse ``P`` (computed once):
    ``Sigma_oo^-1 = P_oo - P_om P_mm^-1 P_mo`` and ``log|Sigma_oo| = log|Sigma| + log|P_mm|``
    (block inversion); others invert their own block by Cholesky.
    """
    mis = pat.mis
    if mis is not None and mis.size == 0:
        return full
    if mis is not None and mis.size == 1:  # the common case: a rank-one downdate, no matrix call
        p_inv, logdet = full
        j = mis[0]
        p_jj = p_inv[j, j]
        if p_jj <= 0:
            raise np.linalg.LinAlgError("not positive definite")
        p_oj = p_inv[pat.obs, j]
        return p_inv[pat.block] - np.outer(p_oj, p_oj) / p_jj, logdet + math.log(p_jj)
    if mis is not None and mis.size <= 3:
        p_inv, logdet = full
        o = pat.obs
        p_mm = p_inv[np.ix_(mis, mis)]
        p_om = p_inv[np.ix_(o, mis)]
        sign, logdet_mm = np.linalg.slogdet(p_mm)
        if sign <= 0:
            raise np.linalg.LinAlgError("not positive definite")
        inv = p_inv[pat.block] - p_om @ np.linalg.solve(p_mm, p_om.T)
        return inv, logdet + logdet_mm
    chol = np.linalg.cholesky(sigma[pat.block])
    inv_chol = np.linalg.inv(chol)
    return inv_chol.T @ inv_chol, 2.0 * float(np.log(np.diag(chol)).sum())


def loglik(patterns: list[Pattern], sigma: np.ndarray, mu: np.ndarray, with_gradient: bool = False):
    """Log-likelihood of the patterns at ``(sigma, mu)``; with the gradient ``(W, g_mu)`` if asked.

    ``W`` is d logl / d Sigma (p x p, symmetric, for a perturbation of the full matrix) and
    ``g_mu`` is d logl / d mu. Raises :class:`numpy.linalg.LinAlgError` when a ``Sigma_k`` is
    not positive definite.

    Examples
    --------
    >>> y = np.array([[0.0, 1.0], [2.0, np.nan], [1.0, 3.0]])
    >>> gd = GroupData(y)
    >>> sigma, mu = np.eye(2), np.zeros(2)
    >>> direct = sum(-0.5 * (np.sum(~np.isnan(r)) * np.log(2 * np.pi) + np.nansum(r ** 2)) for r in y)
    >>> bool(np.isclose(loglik(gd.patterns, sigma, mu), direct))
    True
    """
    p = sigma.shape[0]
    chol = np.linalg.cholesky(sigma)
    inv_chol = np.linalg.inv(chol)
    full = (inv_chol.T @ inv_chol, 2.0 * float(np.log(np.diag(chol)).sum()))
    total = 0.0
    w = np.zeros((p, p)) if with_gradient else None
    g = np.zeros(p) if with_gradient else None
    for pat in patterns:
        o = pat.obs
        inv, logdet = _inverse_and_logdet(sigma, pat, full)
        d = pat.mean - mu[o]
        inv_d = inv @ d
        total += -0.5 * pat.n * (o.size * LOG_2PI + logdet + float(np.sum(inv * pat.cov)) + float(d @ inv_d))
        if with_gradient:
            inv_c_inv = inv @ pat.cov @ inv + np.outer(inv_d, inv_d)
            w[pat.block] += -0.5 * pat.n * (inv - inv_c_inv)
            g[o] += pat.n * inv_d
    if with_gradient:
        return total, w, g
    return total


def expected_information(patterns: list[Pattern], sigma: np.ndarray, d_sigma: np.ndarray,
                         d_mu: np.ndarray) -> np.ndarray:
    """Expected information of the free parameters from the patterns (sum of ``n_k`` times a case's).

    ``n_k (dmu_k' Sigma_k^-1 dmu_k + 1/2 tr(Sigma_k^-1 dSigma_k Sigma_k^-1 dSigma_k))`` summed over patterns.
    """
    k = d_sigma.shape[0]
    info = np.zeros((k, k))
    for pat in patterns:
        o = pat.obs
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        ds = d_sigma[:, o][:, :, o]
        dm = d_mu[:, o]
        prod = inv @ ds  # k x q x q
        flat_a = prod.reshape(k, -1)
        flat_b = prod.transpose(0, 2, 1).reshape(k, -1)
        info += pat.n * (0.5 * flat_a @ flat_b.T + dm @ inv @ dm.T)
    return info


def em_saturated(data: GroupData, max_iter: int = 10000, tol: float = 1e-11) -> tuple[np.ndarray, np.ndarray, float]:
    """ML estimates of the unrestricted mean and covariance with missing data (EM), and their log-likelihood.

    Iterates to a relative change of the log-likelihood below ``tol`` (much tighter than
    lavaan's default ``em.h1.tol = 1e-05``, so the chi-square is the exact likelihood ratio).

    Returns
    -------
    tuple
        ``(sigma, mu, logl)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=(200, 2)); y[:20, 1] = np.nan
    >>> sigma, mu, ll = em_saturated(GroupData(y))
    >>> bool(abs(mu[0] - y[:, 0].mean()) < 1e-12)   # a fully observed variable keeps its sample mean
    True
    """
    p = data.p
    values = data.values
    mu = np.nanmean(values, axis=0)
    sigma = np.diag(np.nanvar(values, axis=0))
    if data.complete:
        pat = data.patterns[0]
        return pat.cov.copy(), pat.mean.copy(), loglik(data.patterns, pat.cov, pat.mean)
    previous = -np.inf
    n = float(data.n)
    for _ in range(max_iter):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for pat in data.patterns:
            o = pat.obs
            m = np.setdiff1d(np.arange(p), o)
            sum_o = pat.n * pat.mean
            cross_o = pat.n * (pat.cov + np.outer(pat.mean, pat.mean))
            t1[o] += sum_o
            t2[np.ix_(o, o)] += cross_o
            if m.size == 0:
                continue
            coef = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(o, m)]).T  # (m x o)
            c = mu[m] - coef @ mu[o]
            cond = sigma[np.ix_(m, m)] - coef @ sigma[np.ix_(o, m)]
            sum_m = pat.n * c + coef @ sum_o
            t1[m] += sum_m
            mo = np.outer(c, sum_o) + coef @ cross_o
            t2[np.ix_(m, o)] += mo
            t2[np.ix_(o, m)] += mo.T
            t2[np.ix_(m, m)] += (pat.n * np.outer(c, c) + np.outer(c, coef @ sum_o) + np.outer(coef @ sum_o, c)
                                 + coef @ cross_o @ coef.T + pat.n * cond)
        mu = t1 / n
        sigma = t2 / n - np.outer(mu, mu)
        sigma = (sigma + sigma.T) / 2
        current = loglik(data.patterns, sigma, mu)
        if abs(current - previous) <= tol * abs(current):
            break
        previous = current
    return sigma, mu, loglik(data.patterns, sigma, mu)


def independence(data: GroupData, x_positions: list[int]) -> float:
    """Log-likelihood of lavaan's baseline model: independent variables with free means and variances.

    The fixed.x block (positions ``x_positions``, complete by construction) keeps its sample
    covariances. Each other variable's ML mean and variance come from its observed values alone
    (the likelihood factorises when Sigma is diagonal).
    """
    total = 0.0
    values = data.values
    for j in range(data.p):
        if j in x_positions:
            continue
        col = values[:, j]
        col = col[~np.isnan(col)]
        var = col.var()
        total += -0.5 * col.size * (LOG_2PI + math.log(var) + 1.0)
    if x_positions:
        xs = values[:, x_positions]
        centred = xs - xs.mean(axis=0)
        cov = centred.T @ centred / xs.shape[0]
        total += -0.5 * xs.shape[0] * (len(x_positions) * LOG_2PI + np.linalg.slogdet(cov)[1] + len(x_positions))
    return total
