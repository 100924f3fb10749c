"""The kit's own ML engine: mean structures, FIML, several groups, equality and inequality constraints.

:func:`chaoyang.sem.fit` sends a model here when it needs any of ``missing="ml"``,
``meanstructure``, intercepts (``~ 1``), ``group=``, ``c()`` modifiers or constraint lines;
plain complete-data covariance models keep the semopy path (:mod:`chaoyang.sem.engine`).

* Model: :class:`~chaoyang.sem.ram.RamModel` (analytic derivatives of Sigma and mu).
* Likelihood: :mod:`chaoyang.sem.fiml`, by missing-data pattern (complete data: one pattern).
* Constraints: linear equality constraints ``C x = d`` are solved by reparametrising
  ``x = x_p + K z`` with ``K`` an orthonormal basis of the null space of ``C``; shared labels and
  ``group_equal`` share one parameter. Linear inequality constraints are handled exactly by
  trying each set of them as active equalities and keeping the feasible optimum (their number
  is limited to 8). Constraints must be linear in the labels (checked numerically).
* Optimiser: Fisher scoring with step halving (expected information by pattern), polished to
  a Newton decrement below ``1e-12``; a BFGS start when scoring fails from the simple starting values.
* Standard errors as lavaan 0.6-14 computes them by default: ``missing="ml"``: the observed
  information (numerical Hessian of the log-likelihood from its analytic gradient); complete
  data: the expected information. Active inequality constraints count as equalities, as in lavaan.
* Fit measures: ``chisq = 2 (logl_H1 - logl)`` with H1 by EM; baseline = independent variables
  with free means and variances (FIML); RMSEA multiplied by ``sqrt(G)`` for G groups; SRMR per
  group (residual means included when means are modelled), weighted by ``n_g / N``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats

from .errors import SEMConvergenceError, SEMDataError, SEMDefinedError, SEMIdentificationError, SEMSyntaxError
from .fiml import GroupData, em_saturated, expected_information, independence, loglik
from .fitmeasures import rmsea_interval
from .inputs import SEMWarning
from .mgtable import ModelTable, build_model_table
from .ram import RamModel
from .syntax import DefinedParameter, ParsedModel

MAX_INEQUALITIES = 8


@dataclass
class Problem:
    """Everything needed to evaluate the likelihood of a model on data (picklable, for bootstrap workers)."""

    table: ModelTable
    groups: list[GroupData]
    exo: list[tuple[np.ndarray, np.ndarray]]
    hidden: np.ndarray  # bool per row: saturated intercepts not reported (meanstructure=False)
    x_p: np.ndarray
    K: np.ndarray

    def __post_init__(self):
        self.ram = RamModel(self.table)
        for g, (cov, mean) in enumerate(self.exo):
            self.ram.set_exogenous(g, cov, mean)

    @property
    def n_total(self) -> int:
        return sum(gd.n for gd in self.groups)

    def x_of(self, z: np.ndarray) -> np.ndarray:
        return self.x_p + self.K @ z

    # ------------------------------------------------------------------ likelihood
    def loglik(self, x: np.ndarray, patterns=None) -> float:
        total = 0.0
        for g, gd in enumerate(self.groups):
            sigma, mu = self.ram.implied(x, g)
            total += loglik(gd.patterns if patterns is None else patterns[g], sigma, mu)
        return total

    def loglik_gradient(self, x: np.ndarray, patterns=None) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros(self.table.n_free)
        for g, gd in enumerate(self.groups):
            st = self.ram.state(x, g)
            value, w, g_mu = loglik(gd.patterns if patterns is None else patterns[g], st["Sigma"], st["mu"], True)
            total += value
            grad += self.ram.gradient(st, g, w, g_mu)
        return total, grad

    def information(self, x: np.ndarray, patterns=None) -> np.ndarray:
        """Expected information of the free parameters x (not per case)."""
        info = np.zeros((self.table.n_free, self.table.n_free))
        for g, gd in enumerate(self.groups):
            st = self.ram.state(x, g)
            d_sigma, d_mu = self.ram.jacobian(st, g)
            info += expected_information(gd.patterns if patterns is None else patterns[g], st["Sigma"], d_sigma, d_mu)
        return info

    def safe_loglik(self, x: np.ndarray, patterns=None) -> float:
        try:
            with np.errstate(all="ignore"):
                value = self.loglik(x, patterns)
        except np.linalg.LinAlgError:
            return -np.inf
        return value if np.isfinite(value) else -np.inf

    # ------------------------------------------------------------------ optimisation
    def safe_loglik_gradient(self, x: np.ndarray, patterns=None) -> tuple[float, np.ndarray | None]:
        try:
            with np.errstate(all="ignore"):
                value, grad = self.loglik_gradient(x, patterns)
        except np.linalg.LinAlgError:
            return -np.inf, None
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return -np.inf, None
        return value, grad

    def maximise(self, z: np.ndarray, patterns=None, max_steps: int = 200, fixed_info: np.ndarray | None = None,
                 K: np.ndarray | None = None, x_p: np.ndarray | None = None,
                 tol: float = 1e-12) -> tuple[np.ndarray, bool, int]:
        """Fisher scoring in z with step halving; or, given ``fixed_info``, a quasi-Newton method
        started from that matrix (BFGS updates of the information from successive gradients).

        Converged when the Newton decrement ``g' I^-1 g`` (log-likelihood units; roughly the squared
        distance to the optimum in standard errors) is below ``tol``. Returns (z, converged, steps).
        """
        K = self.K if K is None else K
        x_p = self.x_p if x_p is None else x_p
        value, grad_x = self.safe_loglik_gradient(x_p + K @ z, patterns)
        if grad_x is None:
            return z, False, 0
        for step_number in range(1, max_steps + 1):
            try:
                with np.errstate(all="ignore"):
                    info = fixed_info if fixed_info is not None else K.T @ self.information(x_p + K @ z, patterns) @ K
                    grad = K.T @ grad_x
                    step = np.linalg.solve(info, grad)
            except np.linalg.LinAlgError:
                return z, False, step_number
            if not np.all(np.isfinite(step)):
                return z, False, step_number
            decrement = float(grad @ step)
            if decrement < tol:
                return z, decrement >= -1e-9, step_number
            scale = 1.0
            while True:
                trial = z + scale * step
                trial_value, trial_grad = self.safe_loglik_gradient(x_p + K @ trial, patterns)
                if trial_grad is not None and trial_value >= value - 1e-10 * max(1.0, abs(value)):
                    break
                scale /= 2
                if scale < 1e-6:
                    return z, decrement < 1e-8, step_number
            if fixed_info is not None:  # BFGS update of the (negative) Hessian approximation
                s_vec = trial - z
                y_vec = grad - K.T @ trial_grad
                sy = float(s_vec @ y_vec)
                if sy > 1e-12:
                    hs = fixed_info @ s_vec
                    fixed_info = fixed_info - np.outer(hs, hs) / float(s_vec @ hs) + np.outer(y_vec, y_vec) / sy
            z, value, grad_x = trial, trial_value, trial_grad
        return z, False, max_steps

    def bfgs(self, z: np.ndarray, K: np.ndarray, x_p: np.ndarray) -> np.ndarray:
        """A quasi-Newton run from poor starting values (before scoring polishes the result)."""
        n = float(self.n_total)

        def objective(zz):
            try:
                with np.errstate(all="ignore"):
                    value, grad = self.loglik_gradient(x_p + K @ zz)
            except np.linalg.LinAlgError:
                return 1e10, np.zeros_like(zz)
            if not np.isfinite(value):
                return 1e10, np.zeros_like(zz)
            return -value / n, -(K.T @ grad) / n

        return optimize.minimize(objective, z, jac=True, method="BFGS", options={"maxiter": 2000, "gtol": 1e-8}).x


# ============================================================================== set-up
def _group_frames(frame: pd.DataFrame, group: str | None, columns: list[str]):
    if group is None:
        return [None], [frame[columns]]
    labels = list(pd.unique(frame[group]))
    return labels, [frame.loc[frame[group] == lab, columns] for lab in labels]


def _starting_values(table: ModelTable, ram: RamModel, moments: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Simple data-based starts: half the observed variances as residuals, covariance-ratio loadings."""
    observed = table.observed
    starts = np.zeros(table.n_free)
    counts = np.zeros(table.n_free)
    for g, (cov, mean) in enumerate(moments):
        rows = [r for r in table.rows if r.group == g + 1]
        loadings = {}
        for r in rows:
            if r.op == "=~":
                loadings.setdefault(r.lhs, []).append(r)
        factor_var = {}
        for f, items in loadings.items():
            ref = next((r for r in items if r.fixed not in (None, 0.0) and r.rhs in observed), None)
            if ref is not None:
                i = observed.index(ref.rhs)
                others = [observed.index(r.rhs) for r in items if r is not ref and r.rhs in observed]
                cov_ref = np.mean([cov[i, j] for j in others]) if others else cov[i, i] / 2
                factor_var[f] = max(cov_ref / ref.fixed ** 2, 0.05 * cov[i, i])
            else:
                factor_var[f] = 1.0
        for r in rows:
            if r.par < 0:
                continue
            value = 0.0
            if r.op == "=~" and r.rhs in observed:
                i = observed.index(r.rhs)
                ref = next((q for q in loadings[r.lhs] if q.fixed not in (None, 0.0) and q.rhs in observed), None)
                if ref is not None:
                    j = observed.index(ref.rhs)
                    value = cov[i, j] / (factor_var[r.lhs] * ref.fixed) if factor_var[r.lhs] > 0 else 1.0
                else:
                    value = math.sqrt(max(cov[i, i] / 2, 1e-4))
            elif r.op == "=~":
                value = 1.0
            elif r.op == "~~" and r.lhs == r.rhs:
                value = cov[observed.index(r.lhs)][observed.index(r.lhs)] / 2 if r.lhs in observed else \
                    factor_var.get(r.lhs, 0.05)
            elif r.op == "~1" and r.lhs in observed:
                value = mean[observed.index(r.lhs)]
            starts[r.par] += value
            counts[r.par] += 1
    return starts / np.maximum(counts, 1)


def _scope(table: ModelTable, x: np.ndarray, values: np.ndarray | None = None) -> dict[str, float]:
    """Label -> value (first row carrying it), then the defined parameters in order."""
    out: dict[str, float] = {}
    for k, r in enumerate(table.rows):
        if r.label and r.label not in out:
            out[r.label] = float(values[k]) if values is not None else (
                float(x[r.par]) if r.par >= 0 else float(r.fixed if r.fixed is not None else np.nan))
    for d in table.defined:
        out[d.name] = d.evaluate(out)
    return out


def _constraint_functions(table: ModelTable):
    """Each constraint as (text, kind, function of x) with kind '==' or '>=' (function >= 0)."""
    out = []
    for left, op, right in table.constraints:
        lhs = DefinedParameter.from_text("constraint", left)
        rhs = DefinedParameter.from_text("constraint", right)

        def func(x, lhs=lhs, rhs=rhs, op=op):
            scope = _scope(table, x)
            diff = lhs.evaluate(scope) - rhs.evaluate(scope)
            return -diff if op == "<" else diff

        out.append((f"{left} {op} {right}", "==" if op == "==" else ">=", func))
    return out


def _linearise(functions, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``c`` and offsets ``d`` with f(x) = c x - d; refuse constraints that are not linear."""
    rng = np.random.default_rng(12345)
    rows, offsets = [], []
    for text, _, func in functions:
        grads = []
        for point in (x0, x0 + rng.normal(scale=0.3, size=x0.size)):
            grad = np.empty(x0.size)
            for i in range(x0.size):
                e = np.zeros(x0.size)
                e[i] = 1e-3
                grad[i] = (func(point + e) - func(point - e)) / 2e-3
            grads.append(grad)
        if not np.allclose(grads[0], grads[1], atol=1e-7, rtol=1e-7):
            raise SEMSyntaxError(
                f"The constraint '{text}' is not linear in the parameters; chaoyang.sem supports linear "
                "constraints (a1 == a2, a1 + a2 == 1, b < 1, a > 0). Rewrite it, or define the nonlinear "
                "quantity with ':=' and report it instead.")
        rows.append(grads[0])
        offsets.append(grads[0] @ x0 - func(x0))
    return np.array(rows), np.array(offsets)


def _null_space_solution(c: np.ndarray, d: np.ndarray, n: int, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    if c.size == 0:
        return np.zeros(n), np.eye(n)
    x_p, *_ = np.linalg.lstsq(c, d, rcond=None)
    if np.max(np.abs(c @ x_p - d)) > 1e-8 * max(1.0, np.max(np.abs(d))):
        raise SEMIdentificationError(
            f"The equality constraints contradict each other ({'; '.join(texts)}): no parameter values satisfy "
            "them all. Remove one of them.")
    return x_p, linalg.null_space(c)


# ============================================================================== the fit
@dataclass
class ExtendedFit:
    """Internal state of an extended fit (kept on the result for standardized solutions and bootstrap)."""

    problem: Problem
    x: np.ndarray
    vcov_x: np.ndarray
    group_labels: list
    K_active: np.ndarray
    x_p_active: np.ndarray
    active: list[str]
    information: np.ndarray | None = None  # in z coordinates: observed (FIML) or expected information


def _solve(problem: Problem, start: np.ndarray, ineq, c_eq, d_eq, eq_texts) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], int]:
    """Maximise under the equalities and the best feasible set of active inequalities."""
    n = problem.table.n_free
    best = None
    subsets: list[tuple[int, ...]] = [()]
    if ineq:
        from itertools import combinations
        subsets = [s for size in range(len(ineq) + 1) for s in combinations(range(len(ineq)), size)]
    c_in, d_in = (_linearise(ineq, start) if ineq else (np.zeros((0, n)), np.zeros(0)))
    total_steps = 0
    for subset in subsets:
        c = np.vstack([c_eq] + [c_in[list(subset)]]) if len(subset) else c_eq
        d = np.concatenate([d_eq, d_in[list(subset)]]) if len(subset) else d_eq
        texts = eq_texts + [ineq[i][0] for i in subset]
        try:
            x_p, K = _null_space_solution(c, d, n, texts)
        except SEMIdentificationError:
            if subset:
                continue
            raise
        z0 = K.T @ (start - x_p)
        z, ok, steps = problem.maximise(z0, K=K, x_p=x_p)
        if not ok:
            z = problem.bfgs(z0, K, x_p)
            z, ok, more = problem.maximise(z, K=K, x_p=x_p)
            steps += more
        total_steps += steps
        if not ok:
            continue
        x = x_p + K @ z
        if ineq and np.any(c_in @ x - d_in < -1e-8):
            continue
        value = problem.loglik(x)
        if best is None or value > best[0] + 1e-9:
            best = (value, x, K, x_p, [ineq[i][0] for i in subset])
        if not ineq:
            break
    if best is None:
        raise SEMConvergenceError(
            "The ML estimation did not converge" + (" under the inequality constraints" if ineq else "")
            + ". Check that the model is identified, that variables are on similar scales (rescale any with "
            "variances above ~100) and that every group has enough cases.")
    return best[1], best[2], best[3], best[4], total_steps


def _hessian(problem: Problem, x: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Observed information in z: minus the central-difference derivative of the analytic gradient."""
    k = K.shape[1]
    hess = np.empty((k, k))
    for i in range(k):
        h = 1e-5 * max(1.0, float(np.abs(K[:, i] @ x)))
        _, up = problem.loglik_gradient(x + h * K[:, i])
        _, down = problem.loglik_gradient(x - h * K[:, i])
        hess[:, i] = K.T @ (up - down) / (2 * h)
    return -(hess + hess.T) / 2


def _check_identified(info: np.ndarray, K: np.ndarray, table: ModelTable, when: str) -> None:
    diag = np.sqrt(np.clip(np.abs(np.diag(info)), 1e-300, None))
    scaled = info / np.outer(diag, diag)
    eigval, eigvec = np.linalg.eigh(scaled)
    if not np.all(np.isfinite(eigval)) or eigval[0] < 1e-9 * max(eigval[-1], 1e-300):
        weights = np.abs(K @ eigvec[:, 0])
        names = [table.free_names[i] for i in np.argsort(-weights)[:4] if weights[i] > 0.2]
        means_hint = (" Latent means and intercepts cannot all be free: fix the latent means at 0, or constrain the "
                      "intercepts equal across groups (group_equal=['loadings', 'intercepts']), which frees the "
                      "means in groups 2..G." if any("~1" in n for n in names) else "")
        raise SEMIdentificationError(
            f"The model is not identified ({when}: the information matrix is singular). The parameters that "
            f"cannot be told apart include {', '.join(names) or 'several parameters'}. Fix a loading or variance "
            "per factor (in every group), give each factor at least 3 indicators, add equality constraints, or "
            "drop a free covariance." + means_hint)


def prepare_problem(parsed: ParsedModel, frame: pd.DataFrame, *, group, meanstructure, std_lv, group_equal,
                    group_partial, missing) -> tuple[Problem, list, np.ndarray]:
    """Build the table, split the data by group and pattern, and set the fixed.x moments."""
    hidden_means = not meanstructure
    if hidden_means and any(p.op == "~1" for p in parsed.parameters):
        raise SEMSyntaxError("The model has intercepts ('~ 1') but meanstructure=False; drop one of the two.")
    labels_probe = [None] if group is None else list(pd.unique(frame[group]))
    table = build_model_table(parsed, len(labels_probe), meanstructure=True, std_lv=std_lv,
                              group_equal=group_equal, group_partial=group_partial)
    if hidden_means and any(r.op == "~1" and r.plabel for r in table.rows):
        raise SEMSyntaxError("group_equal with 'intercepts' or 'means' needs meanstructure=True (lavaan's default "
                             "with groups); do not pass meanstructure=False.")
    hidden = np.array([hidden_means and r.op == "~1" for r in table.rows])
    group_labels, frames = _group_frames(frame, group, table.observed)
    p = len(table.observed)
    groups, exo = [], []
    x_pos = [table.observed.index(v) for v in table.exogenous_x]
    for label, sub in zip(group_labels, frames):
        where = "" if group is None else f" in group {label!r} of {group!r}"
        values = sub.to_numpy(float)
        if x_pos:
            incomplete_x = np.isnan(values[:, x_pos]).any(axis=1)
            if incomplete_x.any():
                warnings.warn(
                    f"{int(incomplete_x.sum())} cases{where} were deleted because they miss an exogenous predictor "
                    f"({', '.join(table.exogenous_x)}) while its moments are fixed at the sample values (fixed.x; "
                    "lavaan does the same).", SEMWarning, stacklevel=4)
                values = values[~incomplete_x]
        if values.shape[0] == 0:
            raise SEMDataError(f"No cases are left{where or ''} after removing missing values; "
                               "drop the group or collect data for it.")
        if values.shape[0] <= p:
            raise SEMDataError(
                f"Only {values.shape[0]} cases{where} for {p} observed variables: the group's covariance matrix "
                "cannot be estimated (lavaan stops too). Merge small groups or use fewer indicators.")
        for j, name in enumerate(table.observed):
            col = values[:, j]
            col = col[~np.isnan(col)]
            if col.size < 2 or np.ptp(col) == 0:
                raise SEMDataError(f"Column {name!r} is constant or has fewer than two observed values{where}; "
                                   "it has no variance to model there. Remove it or the group.")
        gd = GroupData(values)
        groups.append(gd)
        cov = np.zeros((p, p))
        mean = np.zeros(p)
        if x_pos:
            xs = values[:, x_pos]
            mean[x_pos] = xs.mean(axis=0)
            centred = xs - xs.mean(axis=0)
            cov[np.ix_(x_pos, x_pos)] = centred.T @ centred / xs.shape[0]
        exo.append((cov, mean))
    n_free = table.n_free
    problem = Problem(table, groups, exo, hidden, np.zeros(n_free), np.eye(n_free))
    return problem, group_labels, hidden


def _moment_guess(gd: GroupData) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.DataFrame(gd.values)
    cov = frame.cov(ddof=0).to_numpy()
    cov = np.where(np.isfinite(cov), cov, 0.0)
    return cov, np.nanmean(gd.values, axis=0)


def estimate(problem: Problem, missing: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str], int]:
    """Point estimates, their covariance matrix and the active constraint basis."""
    table = problem.table
    moments = [_moment_guess(gd) for gd in problem.groups]
    start = _starting_values(table, problem.ram, moments)
    functions = _constraint_functions(table)
    eq = [f for f in functions if f[1] == "=="]
    ineq = [f for f in functions if f[1] == ">="]
    if len(ineq) > MAX_INEQUALITIES:
        raise SEMSyntaxError(f"The model has {len(ineq)} inequality constraints; chaoyang.sem handles at most "
                             f"{MAX_INEQUALITIES} (it tries every set of active constraints).")
    n = table.n_free
    c_eq, d_eq = _linearise(eq, start) if eq else (np.zeros((0, n)), np.zeros(0))
    x_p, K = _null_space_solution(c_eq, d_eq, n, [f[0] for f in eq])
    info_start = K.T @ problem.information(start) @ K
    _check_identified(info_start, K, table, "at the starting values")
    x, K_act, xp_act, active, steps = _solve(problem, start, ineq, c_eq, d_eq, [f[0] for f in eq])
    if missing == "ml":
        info = _hessian(problem, x, K_act)
    else:
        info = K_act.T @ problem.information(x) @ K_act
    _check_identified(info, K_act, table, "at the solution")
    vcov_z = np.linalg.inv(info)
    vcov_x = K_act @ ((vcov_z + vcov_z.T) / 2) @ K_act.T
    n_eq_rank = n - K.shape[1]
    return x, vcov_x, K_act, xp_act, active, steps, n_eq_rank, info


# ============================================================================== result tables
def row_values(problem: Problem, x: np.ndarray) -> np.ndarray:
    """Estimate of every table row (fixed values, fixed.x sample moments, free parameters)."""
    table = problem.table
    index = {v: i for i, v in enumerate(table.observed)}
    out = np.empty(len(table.rows))
    for k, r in enumerate(table.rows):
        if r.exo:
            cov, mean = problem.exo[r.group - 1]
            out[k] = mean[index[r.lhs]] if r.op == "~1" else cov[index[r.lhs], index[r.rhs]]
        elif r.par >= 0:
            out[k] = x[r.par]
        else:
            out[k] = r.fixed
    return out


def defined_values(problem: Problem, values: np.ndarray) -> np.ndarray:
    scope = _scope(problem.table, None, values)
    return np.array([scope[d.name] for d in problem.table.defined])


def std_values(problem: Problem, x: np.ndarray) -> np.ndarray:
    """lavaan's std.all of every row (cov.std: residual covariances as residual correlations), then := rows."""
    table = problem.table
    values = row_values(problem, x)
    total = []
    for g in range(table.n_groups):
        st = problem.ram.state(x, g)
        total.append({v: st["Omega"][i, i] for i, v in enumerate(problem.ram.variables)})
    var_param: list[dict[str, float]] = [dict() for _ in range(table.n_groups)]
    for r, v in zip(table.rows, values):
        if r.op == "~~" and r.lhs == r.rhs:
            var_param[r.group - 1][r.lhs] = v
    out = np.empty(len(table.rows))
    for k, (r, v) in enumerate(zip(table.rows, values)):
        tv = total[r.group - 1]
        sd_l = math.sqrt(max(tv[r.lhs], 0.0))
        if r.op == "~1":
            out[k] = v / sd_l if sd_l > 0 else math.nan
            continue
        sd_r = math.sqrt(max(tv[r.rhs], 0.0))
        if r.op == "=~":
            out[k] = v * sd_l / sd_r if sd_r > 0 else math.nan
        elif r.op == "~":
            out[k] = v * sd_r / sd_l if sd_l > 0 else math.nan
        elif r.lhs == r.rhs:
            out[k] = v / tv[r.lhs] if tv[r.lhs] > 0 else math.nan
        else:
            vp = var_param[r.group - 1]
            denom = vp.get(r.lhs, tv[r.lhs]) * vp.get(r.rhs, tv[r.rhs])
            out[k] = v / math.sqrt(denom) if denom > 0 else math.nan
    if table.defined:
        try:
            out = np.concatenate([out, defined_values(problem, out)])
        except SEMDefinedError:
            out = np.concatenate([out, np.full(len(table.defined), np.nan)])
    return out


def fit_measures(problem: Problem, x: np.ndarray, npar: int, missing: str) -> dict[str, float]:
    """lavaan's fit measures (see the module docstring)."""
    table = problem.table
    hidden_means = bool(problem.hidden.any())
    n_groups = table.n_groups
    p = len(table.observed)
    x_pos = problem.ram.x_positions
    nx = len(x_pos)
    n_total = problem.n_total
    logl = problem.loglik(x)
    logl_h1, logl_b, srmr_parts, crmr_parts = 0.0, 0.0, [], []
    n_moments = 0
    for g, gd in enumerate(problem.groups):
        sigma_h1, mu_h1, ll_h1 = em_saturated(gd)
        logl_h1 += ll_h1
        logl_b += independence(gd, x_pos)
        sigma, mu = problem.ram.implied(x, g)
        sd = np.sqrt(np.diag(sigma_h1))
        resid = (sigma_h1 - sigma) / np.outer(sd, sd)
        squares = list(resid[np.tril_indices(p)] ** 2)
        corr_resid = sigma_h1 / np.outer(sd, sd) - sigma / np.outer(np.sqrt(np.diag(sigma)), np.sqrt(np.diag(sigma)))
        c_squares = list(corr_resid[np.tril_indices(p, k=-1)] ** 2)
        if not hidden_means:
            squares += list(((mu_h1 - mu) / sd) ** 2)
            c_squares += list(((mu_h1 - mu) / sd) ** 2)
        srmr_parts.append(gd.n / n_total * math.sqrt(np.mean(squares)))
        crmr_parts.append(gd.n / n_total * (math.sqrt(np.mean(c_squares)) if c_squares else 0.0))
        n_moments += p * (p + 1) // 2 - nx * (nx + 1) // 2 + (0 if hidden_means else p - nx)
        if nx:  # fixed.x: lavaan's log-likelihoods are conditional on the exogenous x
            cov_x = problem.exo[g][0][np.ix_(x_pos, x_pos)]
            ll_x = -0.5 * gd.n * (nx * math.log(2 * math.pi) + np.linalg.slogdet(cov_x)[1] + nx)
            logl -= ll_x
            logl_h1 -= ll_x
            logl_b -= ll_x
    chisq = max(2.0 * (logl_h1 - logl), 0.0)
    df = n_moments - npar
    chisq_b = max(2.0 * (logl_h1 - logl_b), 0.0)
    df_b = n_groups * (p * (p - 1) // 2 - nx * (nx - 1) // 2)
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else math.nan
    numerator = max(chisq - df, 0.0)
    denominator = max(chisq - df, chisq_b - df_b, 0.0)
    cfi = 1.0 if denominator == 0 else 1.0 - numerator / denominator
    if df > 0 and df_b > 0:
        tli = ((chisq_b / df_b) - (chisq / df)) / ((chisq_b / df_b) - 1.0)
        rmsea = math.sqrt(numerator / (df * n_total)) * math.sqrt(n_groups)
        lo, hi = (v * math.sqrt(n_groups) for v in rmsea_interval(chisq, df, n_total))
        rmsea_p = float(stats.ncx2.sf(chisq, df, 0.05 ** 2 * df * n_total / n_groups))
    else:
        tli, rmsea, lo, hi, rmsea_p = 1.0, 0.0, 0.0, 0.0, math.nan
    srmr = float(sum(srmr_parts))
    return {
        "npar": int(npar), "ntotal": int(n_total), "ngroups": int(n_groups), "chisq": float(chisq), "df": int(df),
        "pvalue": pvalue, "baseline.chisq": float(chisq_b), "baseline.df": int(df_b),
        "baseline.pvalue": float(stats.chi2.sf(chisq_b, df_b)) if df_b > 0 else math.nan,
        "cfi": float(min(max(cfi, 0.0), 1.0)), "tli": float(tli), "logl": float(logl),
        "unrestricted.logl": float(logl_h1), "aic": float(-2 * logl + 2 * npar),
        "bic": float(-2 * logl + math.log(n_total) * npar), "rmsea": float(rmsea), "rmsea.ci.lower": float(lo),
        "rmsea.ci.upper": float(hi), "rmsea.pvalue": rmsea_p, "srmr": srmr, "srmr_bentler": srmr,
        "crmr": float(sum(crmr_parts)),
    }


def _estimate_frame(problem: Problem, x: np.ndarray, vcov_x: np.ndarray, level: float,
                    group_labels: list) -> pd.DataFrame:
    from .fit import _wald_columns, numerical_jacobian

    table = problem.table
    multi = table.n_groups > 1
    values = row_values(problem, x)
    se = np.array([math.sqrt(max(vcov_x[r.par, r.par], 0.0)) if r.par >= 0 else 0.0 for r in table.rows])
    se[se < 1e-10] = 0.0  # parameters fixed by active constraints
    std = std_values(problem, x)
    records = {
        "lhs": [r.lhs for r in table.rows], "op": [r.op for r in table.rows], "rhs": [r.rhs for r in table.rows],
        "group": [r.group for r in table.rows], "label": [r.label or r.plabel for r in table.rows],
    }
    est = values
    if table.defined:
        def_est = defined_values(problem, values)
        jac = numerical_jacobian(lambda t: defined_values(problem, row_values(problem, t)), x)
        def_se = np.sqrt(np.clip(np.diag(jac @ vcov_x @ jac.T), 0.0, None))
        est = np.concatenate([values, def_est])
        se = np.concatenate([se, def_se])
        for d in table.defined:
            for key, value in (("lhs", d.name), ("op", ":="), ("rhs", d.expression), ("group", 0), ("label", d.name)):
                records[key].append(value)
    frame = pd.DataFrame(records)
    frame["est"] = est
    for name, column in _wald_columns(est, se, level).items():
        frame[name] = column
    frame["std.all"] = std
    keep = np.concatenate([~problem.hidden, np.ones(len(table.defined), dtype=bool)])
    frame = frame.loc[keep].reset_index(drop=True)
    columns = ["lhs", "op", "rhs"] + (["group"] if multi else []) + ["label", "est", "se", "z", "pvalue",
                                                                    "ci.lower", "ci.upper", "std.all"]
    return frame[columns]


def standardized_solution(result) -> pd.DataFrame:
    """lavaan's ``standardizedSolution()`` for an extended fit (delta-method SEs of std.all)."""
    from .fit import _wald_columns, numerical_jacobian

    ext: ExtendedFit = result._extended
    problem = ext.problem
    std = std_values(problem, ext.x)
    jac = numerical_jacobian(lambda t: std_values(problem, t), ext.x)
    cov = jac @ ext.vcov_x @ jac.T
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    se[se < 1e-12] = 0.0
    keep = np.concatenate([~problem.hidden, np.ones(len(problem.table.defined), dtype=bool)])
    std, se = std[keep], se[keep]
    key_columns = [c for c in ("lhs", "op", "rhs", "group", "label") if c in result.estimates.columns]
    frame = result.estimates[key_columns].copy()
    frame["est.std"] = std
    for name, column in _wald_columns(std, se, result.level).items():
        frame[name] = column
    return frame


def fit_extended(model: str, parsed: ParsedModel, data: pd.DataFrame, *, missing: str, meanstructure,
                 group, group_equal, group_partial, std_lv: bool, level: float, n_boot: int, seed,
                 n_jobs: int, progress, boot_all: bool):
    """:func:`chaoyang.sem.fit` for models that need this engine (see the module docstring).

    Called by :func:`chaoyang.sem.fit`, which checks the options first; use that.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from chaoyang import sem
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=400)
    >>> d = pd.DataFrame({f"c{i}": 2 + 0.8 * f + 0.6 * rng.normal(size=400) for i in (1, 2, 3)})
    >>> d.loc[:99, "c3"] = np.nan                       # a quarter of the cases miss c3
    >>> res = sem.fit("f =~ c1 + c2 + c3", d, missing="ml")
    >>> res.n, res.fit_measures["df"]                   # every case is used
    (400, 0)
    >>> res.estimates.loc[res.estimates["op"] == "~1", ["lhs", "est"]].round(1).to_dict("list")
    {'lhs': ['c1', 'c2', 'c3', 'f'], 'est': [2.0, 2.0, 2.1, 0.0]}
    """
    from .errors import SEMColumnError, SEMTypeError, suggest
    from .fit import SEMResult
    from .inputs import check_latent_names, prepare_data

    if meanstructure is None:
        meanstructure = missing == "ml" or group is not None or any(p.op == "~1" for p in parsed.parameters)
    elif not meanstructure and missing == "ml":
        raise SEMDataError("missing='ml' (FIML) models the means; meanstructure=False is not possible with it "
                           "(lavaan sets meanstructure = TRUE too). Leave meanstructure at its default.")
    if not isinstance(data, pd.DataFrame):
        raise SEMTypeError(f"data must be a pandas DataFrame (one column per variable), not {type(data).__name__}.")
    if group is not None:
        if not isinstance(group, str):
            raise SEMTypeError(f"group must be the name of a data column, not {group!r}.")
        if group not in data.columns:
            raise SEMColumnError(f"group={group!r} is not a column of the data."
                                 + suggest(group, [str(c) for c in data.columns]))
        if data[group].isna().any():
            raise SEMDataError(f"The group column {group!r} has {int(data[group].isna().sum())} missing values; "
                               "drop those rows or give them a group first (lavaan drops them).")
        if isinstance(data[group].dtype, pd.CategoricalDtype):
            empty = [c for c in data[group].cat.categories if not (data[group] == c).any()]
            if empty:
                raise SEMDataError(f"Group {empty[0]!r} of {group!r} has no cases (an unused category); remove "
                                   "unused categories (Series.cat.remove_unused_categories()) first.")
        if data[group].nunique() < 2:
            raise SEMDataError(f"The group column {group!r} has a single value; fit without group=.")
    elif group_equal or group_partial:
        raise SEMDataError("group_equal and group_partial need group= (a column that splits the cases).")
    n_groups = 1 if group is None else int(data[group].nunique())
    probe = build_model_table(parsed, n_groups, meanstructure=True, std_lv=std_lv)
    if group is not None and group in probe.observed + probe.latent:
        raise SEMDataError(f"The group column {group!r} is also a variable of the model; use another column.")
    check_latent_names(probe, data)
    frame, n_dropped = prepare_data(data, probe.observed, missing)
    if group is not None:
        frame[group] = data[group].to_numpy()[frame.attrs["kept"]]
    problem, group_labels, hidden = prepare_problem(
        parsed, frame, group=group, meanstructure=bool(meanstructure), std_lv=std_lv, group_equal=group_equal,
        group_partial=group_partial, missing=missing)
    table = problem.table
    try:
        x, vcov_x, K_act, xp_act, active, steps, n_eq_rank, info = estimate(problem, missing)
    except np.linalg.LinAlgError:
        raise SEMConvergenceError(
            "The model-implied covariance matrix became singular during estimation, so the likelihood is undefined. "
            "A variance fixed at 0, an extreme fixed loading or an unidentified part of the model are the usual "
            "causes; free or fix them differently.") from None
    n_hidden_free = len({r.par for r, h in zip(table.rows, hidden) if h and r.par >= 0})
    npar = table.n_free - n_eq_rank - n_hidden_free
    measures = fit_measures(problem, x, npar, missing)
    if measures["df"] < 0:
        raise SEMIdentificationError(
            f"The model has {npar} free parameters but only {npar + measures['df']} sample moments to fit them "
            f"(df = {measures['df']}): it is not identified. Fix parameters or add equality constraints.")
    estimates = _estimate_frame(problem, x, vcov_x, level, group_labels)
    for row in estimates.itertuples():
        if row.op == "~~" and row.lhs == row.rhs and row.est < 0:
            where = f" in group {group_labels[row.group - 1]!r}" if table.n_groups > 1 else ""
            warnings.warn(f"The variance of {row.lhs}{where} is estimated negative ({row.est:.4g}), a Heywood case: "
                          "the model is misspecified or the sample too small. lavaan reports the same estimate.",
                          SEMWarning, stacklevel=3)
    names = table.free_names
    result = SEMResult(
        estimates=estimates, fit_measures=measures, n=problem.n_total, n_dropped=n_dropped,
        vcov=pd.DataFrame(vcov_x, index=names, columns=names), level=level, model=model, iterations=steps,
        std_lv=std_lv, table=table, missing=missing, group_labels=group_labels if group is not None else None,
        _extended=ExtendedFit(problem, x, vcov_x, group_labels, K_act, xp_act, active, info))
    if n_boot:
        from .mgboot import run_extended_bootstrap

        result.bootstrap = run_extended_bootstrap(result, draws=n_boot, seed=seed, level=level, n_jobs=n_jobs,
                                                  progress=progress, boot_all=boot_all)
    return result
