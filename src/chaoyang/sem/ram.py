"""Model-implied means and covariances from a :class:`~chaoyang.sem.mgtable.ModelTable` (RAM notation).

Every variable, observed (first ``p``) and latent, has a row in three matrices per group:
``A`` (directed paths: ``A[x, f]`` for ``f =~ x``, ``A[y, x]`` for ``y ~ x``), ``S``
(variances and covariances of residuals or exogenous variables) and ``M`` (intercepts and
means). With ``B = (I - A)^-1``::

    Omega = B S B',  mu_all = B M,  Sigma = Omega[:p, :p],  mu = mu_all[:p]

The derivatives used by the likelihood are analytic (McArdle & McDonald's RAM algebra):
``dOmega = B dA Omega + (B dA Omega)'`` and ``dmu_all = B dA mu_all`` for a path,
``B dS B'`` for a (co)variance, ``B dM`` for an intercept.
"""

from __future__ import annotations

import numpy as np

from .mgtable import ModelTable


class RamModel:
    """The matrices of every group and their derivatives with respect to the free parameters.

    Parameters
    ----------
    table : ModelTable
        The model (rows of every group).

    Examples
    --------
    >>> from chaoyang.sem.syntax import parse_model
    >>> from chaoyang.sem.mgtable import build_model_table
    >>> ram = RamModel(build_model_table(parse_model("y ~ b*x")))   # observed order: y, x
    >>> ram.set_exogenous(0, np.diag([0.0, 2.0]), np.array([0.0, 1.0]))   # fixed.x: var(x) = 2, mean(x) = 1
    >>> sigma, mu = ram.implied(np.array([0.5, 1.0, 0.0]), 0)        # b, var(y resid), intercept of y
    >>> sigma.tolist(), mu.tolist()
    ([[1.5, 1.0], [1.0, 2.0]], [0.5, 1.0])
    """

    def __init__(self, table: ModelTable):
        self.table = table
        self.variables = table.observed + table.latent
        self.p = len(table.observed)
        self.n_all = len(self.variables)
        self.k = table.n_free
        index = {v: i for i, v in enumerate(self.variables)}
        self.x_positions = [table.observed.index(v) for v in table.exogenous_x]
        self.groups = []
        for g in range(table.n_groups):
            rows = [(k, r) for k, r in enumerate(table.rows) if r.group == g + 1]
            a0 = np.zeros((self.n_all, self.n_all))
            s0 = np.zeros((self.n_all, self.n_all))
            m0 = np.zeros(self.n_all)
            free = {"A": [], "S": [], "M": []}
            exo = []
            for k, r in rows:
                if r.op == "=~":
                    where, i, j = "A", index[r.rhs], index[r.lhs]
                elif r.op == "~":
                    where, i, j = "A", index[r.lhs], index[r.rhs]
                elif r.op == "~~":
                    where, i, j = "S", index[r.lhs], index[r.rhs]
                else:
                    where, i, j = "M", index[r.lhs], 0
                if r.exo:
                    exo.append((where, i, j))
                elif r.par >= 0:
                    free[where].append((i, j, r.par, k))
                else:
                    value = float(r.fixed)
                    if where == "A":
                        a0[i, j] = value
                    elif where == "S":
                        s0[i, j] = s0[j, i] = value
                    else:
                        m0[i] = value
            arrays = {key: tuple(np.array([t[c] for t in val], dtype=int) for c in range(4)) if val else
                      tuple(np.zeros(0, dtype=int) for _ in range(4)) for key, val in free.items()}
            self.groups.append({"A0": a0, "S0": s0, "M0": m0, "free": arrays, "exo": exo, "rows": rows})

    # ------------------------------------------------------------------ data-dependent fixed values
    def set_exogenous(self, g: int, cov: np.ndarray, mean: np.ndarray) -> None:
        """Fix the fixed.x moments of group ``g`` at ``cov`` and ``mean`` (observed order, all p variables)."""
        grp = self.groups[g]
        for where, i, j in grp["exo"]:
            if where == "S":
                grp["S0"][i, j] = grp["S0"][j, i] = cov[i, j]
            else:
                grp["M0"][i] = mean[i]

    # ------------------------------------------------------------------ algebra
    def matrices(self, x: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``A``, ``S``, ``M`` of group ``g`` at the free-parameter vector ``x``."""
        grp = self.groups[g]
        a, s, m = grp["A0"].copy(), grp["S0"].copy(), grp["M0"].copy()
        ai, aj, ap, _ = grp["free"]["A"]
        a[ai, aj] = x[ap]
        si, sj, sp, _ = grp["free"]["S"]
        s[si, sj] = x[sp]
        s[sj, si] = x[sp]
        mi, _, mp, _ = grp["free"]["M"]
        m[mi] = x[mp]
        return a, s, m

    def state(self, x: np.ndarray, g: int) -> dict:
        """``B``, ``Omega`` (all variables), ``mu_all`` and the observed ``Sigma``, ``mu`` of group ``g``."""
        a, s, m = self.matrices(x, g)
        b = np.linalg.inv(np.eye(self.n_all) - a)
        omega = b @ s @ b.T
        mu_all = b @ m
        p = self.p
        return {"B": b, "Omega": omega, "mu_all": mu_all, "Sigma": omega[:p, :p], "mu": mu_all[:p], "S": s}

    def implied(self, x: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        """Model-implied covariance matrix and mean vector of the observed variables of group ``g``."""
        st = self.state(x, g)
        return st["Sigma"], st["mu"]

    def gradient(self, st: dict, g: int, w_sigma: np.ndarray, g_mu: np.ndarray) -> np.ndarray:
        """Gradient over the free parameters of ``tr(W dSigma) + g_mu' dmu`` (W symmetric, p x p)."""
        grp = self.groups[g]
        p = self.p
        b, omega, mu_all = st["B"], st["Omega"], st["mu_all"]
        bo = b[:p]  # F B
        w_full = bo.T @ w_sigma  # (n x p): B'F' W
        out = np.zeros(self.k)
        ai, aj, ap, _ = grp["free"]["A"]
        if ap.size:
            grad_a = 2.0 * w_full @ omega[:p, :]  # 2 (B'F' W F Omega)[i, j]
            h = bo.T @ g_mu
            np.add.at(out, ap, grad_a[ai, aj] + h[ai] * mu_all[aj])
        si, sj, sp, _ = grp["free"]["S"]
        if sp.size:
            grad_s = w_full @ bo  # B'F'WFB
            values = np.where(si == sj, 1.0, 2.0) * grad_s[si, sj]
            np.add.at(out, sp, values)
        mi, _, mp, _ = grp["free"]["M"]
        if mp.size:
            np.add.at(out, mp, (bo.T @ g_mu)[mi])
        return out

    def jacobian(self, st: dict, g: int) -> tuple[np.ndarray, np.ndarray]:
        """``dSigma`` (k x p x p) and ``dmu`` (k x p) of group ``g`` for every free parameter."""
        grp = self.groups[g]
        p = self.p
        b, omega, mu_all = st["B"], st["Omega"], st["mu_all"]
        bo = b[:p]
        d_sigma = np.zeros((self.k, p, p))
        d_mu = np.zeros((self.k, p))
        ai, aj, ap, _ = grp["free"]["A"]
        for i, j, par in zip(ai, aj, ap):
            left = np.outer(bo[:, i], omega[j, :p])
            d_sigma[par] += left + left.T
            d_mu[par] += bo[:, i] * mu_all[j]
        si, sj, sp, _ = grp["free"]["S"]
        for i, j, par in zip(si, sj, sp):
            term = np.outer(bo[:, i], bo[:, j])
            d_sigma[par] += term if i == j else term + term.T
        mi, _, mp, _ = grp["free"]["M"]
        for i, par in zip(mi, mp):
            d_mu[par] += bo[:, i]
        return d_sigma, d_mu
