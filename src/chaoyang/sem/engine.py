"""A semopy :class:`semopy.Model` driven as lavaan's ML estimator.

semopy 2.3.11 supplies the model matrices, the Wishart (``MLW``) objective,
which is lavaan's ML discrepancy, and its analytic gradient. This module adds
what lavaan does and semopy does not: the sample covariance with divisor N,
variances left unbounded (lavaan allows Heywood cases and warns), a tight
convergence polished by Fisher scoring, and the expected information matrix.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import SEMConvergenceError, SEMDataError, SEMInternalError, SEMSyntaxError
from .partable import ParameterTable

SOLVER = "SLSQP"
SOLVER_OPTIONS = {"ftol": 1e-12, "maxiter": 10000}  # semopy's default stops early (1e-3 off lavaan)


@dataclass
class FitOutcome:
    """Result of one optimisation: free-parameter vector, ML discrepancy and convergence flag."""

    theta: np.ndarray
    discrepancy: float
    converged: bool
    iterations: int


def sample_covariance(values: np.ndarray) -> np.ndarray:
    """Covariance matrix with divisor N (lavaan's ML sample statistics).

    Examples
    --------
    >>> sample_covariance(np.array([[1.0], [3.0]]))
    array([[1.]])
    """
    centred = values - values.mean(axis=0)
    return centred.T @ centred / values.shape[0]


class SemopyEngine:
    """Owns one semopy model for a :class:`ParameterTable`; refits it on new covariance matrices.

    Parameters
    ----------
    table : ParameterTable
        Full parameter table (lavaan defaults added).
    data : pandas.DataFrame
        Complete-case data with the observed columns (used for semopy's starting values).

    Examples
    --------
    >>> from chaoyang.sem.syntax import parse_model
    >>> from chaoyang.sem.partable import build_parameter_table
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200); m = 0.5 * x + rng.normal(size=200)
    >>> df = pd.DataFrame({"x": x, "m": m})
    >>> engine = SemopyEngine(build_parameter_table(parse_model("m ~ x")), df)
    >>> out = engine.fit(sample_covariance(df[engine.observed].to_numpy()))
    >>> bool(out.converged)
    True
    """

    def __init__(self, table: ParameterTable, data: pd.DataFrame):
        import semopy  # imported here so that `import chaoyang.sem` stays light

        self.table = table
        with _quiet_semopy():  # semopy logs "No fixed loadings" for NA* / std_lv factors
            try:
                self.model = semopy.Model(table.semopy_description())
            except Exception as exc:  # semopy's own parser: turn its traceback into a named error
                raise SEMSyntaxError(f"semopy 2.3.11 cannot build this model ({type(exc).__name__}: {exc}). "
                                     "Simplify the syntax or report the model.") from None
        # semopy's starting values walk first_manifs from a factor to an observed indicator; a
        # factor whose loadings are all free (NA*x, std_lv) has no entry, and the walk then
        # loops forever on None. Point it at the first indicator written (start values only).
        for lat in table.latent:
            if self.model.first_manifs.get(lat) is None:
                first = next(r.rhs for r in table.rows if r.op == "=~" and r.lhs == lat)
                self.model.first_manifs[lat] = first
        self.observed: list[str] = list(self.model.vars["observed"])
        self.inner: list[str] = list(self.model.vars["inner"])
        self.n = len(data)
        cov = pd.DataFrame(sample_covariance(data[self.observed].to_numpy(float)),
                           index=self.observed, columns=self.observed)
        with _quiet_semopy():
            try:
                self.model.load(data=data[self.observed], cov=cov, n_samples=self.n)
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError) as exc:
                raise SEMDataError(f"semopy could not compute starting values from these data ({exc}); check for "
                                   "near-constant or nearly collinear columns and rescale them.") from None
        # lavaan does not bound variances; semopy's (0, inf) bound would hide Heywood cases.
        for param in self.model.parameters.values():
            param.bound = (None, None)
        self.active_names = [name for name, p in self.model.parameters.items() if p.active]
        self._index = {name: i for i, name in enumerate(self.active_names)}
        self.start = np.array(self.model.param_vals, dtype=float)
        self._fixed_x = self._locate_fixed_x()
        self._check_mapping()

    # ----------------------------------------------------------------- mapping
    def _check_mapping(self) -> None:
        wanted = {n for n, r in zip(self.table.semopy_names, self.table.rows) if n and r.fixed is None}
        extra = set(self.active_names) - wanted
        if extra or wanted - set(self.active_names):
            raise SEMInternalError(
                f"Internal error: semopy created parameters {sorted(extra)} not in the lavaan table "
                f"(or lost {sorted(wanted - set(self.active_names))}). Please report this model."
            )

    def _locate_fixed_x(self) -> list[tuple[np.ndarray, tuple[int, int], int, int, bool]]:
        """Matrix locations of semopy's fixed exogenous (co)variances (lavaan's fixed.x)."""
        found = []
        psi = self.model.mx_psi
        for name, p in self.model.parameters.items():
            if p.active:
                continue
            for loc in p.locations:
                if loc.matrix is psi:
                    a, b = self.inner[loc.indices[0]], self.inner[loc.indices[1]]
                    if a in self.table.exogenous_x and b in self.table.exogenous_x:
                        found.append((name, loc.indices, self.observed.index(a), self.observed.index(b), loc.symmetric))
        return found

    def row_values(self, theta: np.ndarray, sample_cov: np.ndarray) -> np.ndarray:
        """Estimate of every row of the parameter table given the free-parameter vector."""
        out = np.empty(len(self.table.rows))
        for k, (row, name) in enumerate(zip(self.table.rows, self.table.semopy_names)):
            if row.op == "fixed.x":
                out[k] = sample_cov[self.observed.index(row.lhs), self.observed.index(row.rhs)]
            elif row.fixed is not None:
                out[k] = row.fixed
            else:
                out[k] = theta[self._index[name]]
        return out

    def free_index(self, k: int) -> int | None:
        """Position in theta of table row ``k`` (None for fixed rows)."""
        row, name = self.table.rows[k], self.table.semopy_names[k]
        if row.op == "fixed.x" or row.fixed is not None:
            return None
        return self._index[name]

    # ----------------------------------------------------------------- algebra
    def set_sample_cov(self, sample_cov: np.ndarray) -> None:
        """Load a covariance matrix (observed order) and refresh the fixed.x entries from it."""
        self.model.load_cov(sample_cov)
        for name, (i, j), a, b, symmetric in self._fixed_x:
            value = sample_cov[a, b]
            self.model.parameters[name].start = value
            self.model.mx_psi[i, j] = value
            if symmetric:
                self.model.mx_psi[j, i] = value

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        """Model-implied covariance matrix of the observed variables."""
        self.model.update_matrices(theta)
        return self.model.calc_sigma()[0]

    def implied_all(self, theta: np.ndarray) -> dict[str, float]:
        """Model-implied total variance of every variable (latent and observed), by name."""
        self.model.update_matrices(theta)
        sigma, (_, c) = self.model.calc_sigma()
        inner_cov = c @ self.model.mx_psi @ c.T
        variances = {v: inner_cov[i, i] for i, v in enumerate(self.inner)}
        variances.update({v: sigma[i, i] for i, v in enumerate(self.observed)})
        return variances

    def unit_information(self, theta: np.ndarray) -> np.ndarray:
        """Expected information of one observation for theta: 0.5 tr(S^-1 dS_i S^-1 dS_j)."""
        self.model.update_matrices(theta)
        sigma, (m, c) = self.model.calc_sigma()
        grads = self.model.calc_sigma_grad(m, c)
        inv = np.linalg.inv(sigma)
        products = np.array([inv @ g for g in grads])  # k x p x p
        flat_a = products.reshape(len(grads), -1)
        flat_b = products.transpose(0, 2, 1).reshape(len(grads), -1)
        return 0.5 * flat_a @ flat_b.T

    def gradient_and_hessian(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient of F and its expected Hessian 2 * unit information, from one pass over dSigma."""
        self.model.update_matrices(theta)
        sigma, (m, c) = self.model.calc_sigma()
        grads = np.array(self.model.calc_sigma_grad(m, c))  # k x p x p, symmetric slices
        inv = np.linalg.inv(sigma)
        weight = inv - inv @ self.model.mx_cov @ inv
        gradient = np.einsum("ij,kij->k", weight, grads)
        products = inv @ grads  # k x p x p
        flat_a = products.reshape(len(grads), -1)
        flat_b = products.transpose(0, 2, 1).reshape(len(grads), -1)
        return gradient, flat_a @ flat_b.T

    def discrepancy(self, theta: np.ndarray) -> float:
        """lavaan's ML discrepancy F = log|Sigma| + tr(S Sigma^-1) - log|S| - p (chisq = N F)."""
        with np.errstate(all="ignore"):
            return float(self.model.obj_mlw(theta))

    # ----------------------------------------------------------------- fitting
    def fit(self, sample_cov: np.ndarray, start: np.ndarray | None = None, method: str = "semopy",
            max_steps: int = 50) -> FitOutcome:
        """Fit the model to a covariance matrix.

        Parameters
        ----------
        sample_cov : numpy.ndarray
            Covariance matrix (divisor N) in the engine's observed order.
        start : numpy.ndarray, optional
            Starting free-parameter vector (default: semopy's data-based start).
        method : {"semopy", "scoring"}, default "semopy"
            ``"semopy"``: semopy's ``Model.fit(obj="MLW", clean_slate=False)`` (SLSQP, tight
            tolerance) from ``start``, then Fisher scoring to polish. ``"scoring"``: Fisher
            scoring alone from ``start`` (for bootstrap draws started at the full-sample
            estimate, where it converges in a handful of steps), falling back to ``"semopy"``.
        max_steps : int, default 50
            Maximum number of Fisher-scoring steps.

        Returns
        -------
        FitOutcome
        """
        self.set_sample_cov(sample_cov)
        start = np.array(self.start if start is None else start, dtype=float)
        if method == "scoring":
            theta, converged, steps = self._scoring(start, max_steps)
            if converged:
                return FitOutcome(theta, self.discrepancy(theta), True, steps)
        self.model.param_vals = start
        with _quiet_semopy():
            result = self.model.fit(obj="MLW", solver=SOLVER, clean_slate=False, options=dict(SOLVER_OPTIONS))
        theta, converged, steps = self._scoring(np.asarray(result.x, dtype=float), max_steps)
        return FitOutcome(theta, self.discrepancy(theta), bool(converged), int(result.n_it) + steps)

    def _scoring(self, theta: np.ndarray, steps: int) -> tuple[np.ndarray, bool, int]:
        """Fisher scoring on F with step halving; converged when the Newton decrement is < 1e-15."""
        value = self.discrepancy(theta)
        if not np.all(np.isfinite(theta)) or not np.isfinite(value):
            return theta, False, 0
        for step_number in range(1, steps + 1):
            try:
                with np.errstate(all="ignore"):
                    grad, hess = self.gradient_and_hessian(theta)
            except np.linalg.LinAlgError:
                return theta, False, step_number
            if not np.all(np.isfinite(grad)) or not np.all(np.isfinite(hess)):
                return theta, False, step_number
            try:
                step = -np.linalg.solve(hess, grad)
            except np.linalg.LinAlgError:
                return theta, False, step_number
            decrement = float(-grad @ step)
            if decrement < 0:  # information not positive definite here
                return theta, False, step_number
            if decrement < 1e-20:
                return theta, True, step_number
            scale = 1.0
            while True:
                trial = theta + scale * step
                trial_value = self.discrepancy(trial)
                if np.isfinite(trial_value) and trial_value <= value + 1e-14:
                    break
                scale /= 2
                if scale < 1e-4:
                    return theta, decrement < 1e-12, step_number
            theta, value = trial, trial_value
            if decrement < 1e-15:
                return theta, True, step_number
        return theta, False, steps


class _quiet_semopy:
    """Silence semopy's root-logger warnings and numpy warnings during a fit (we judge convergence ourselves)."""

    def __enter__(self):
        self._level = logging.root.manager.disable
        logging.disable(logging.WARNING)
        self._warn = warnings.catch_warnings()
        self._warn.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc):
        self._warn.__exit__(*exc)
        logging.disable(self._level)
        return False


def require_convergence(outcome: FitOutcome) -> None:
    """Raise :class:`SEMConvergenceError` with advice when a fit did not converge."""
    if not outcome.converged:
        raise SEMConvergenceError(
            "The ML estimation did not converge (the likelihood has no clear maximum at the solution reached). "
            "Check that each factor has at least three indicators or extra constraints, that variables are on "
            "similar scales (rescale any with variances above ~100), and that the model is identified."
        )
