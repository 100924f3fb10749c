"""``fit``: lavaan syntax in, lavaan-grade estimates, fit measures and bootstrap intervals out."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from chaoyang._results import ResultMixin
from chaoyang._validate import check_count, check_level, check_n_boot, check_seed, reject_unknown, renamed

from .engine import SemopyEngine, require_convergence, sample_covariance
from .errors import SEMConvergenceError, SEMDataError, SEMError, SEMIdentificationError, SEMTypeError
from .fitmeasures import fit_measures as compute_fit_measures
from .inputs import SEMWarning, check_latent_names, check_missing_option, prepare_data
from .partable import ParameterTable, build_parameter_table
from .standardize import std_all
from .syntax import parse_model

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.all"]


@dataclass
class SEMResult(ResultMixin):
    """Everything :func:`fit` estimated.

    Attributes
    ----------
    estimates : pandas.DataFrame
        lavaan's ``parameterEstimates()`` columns ``lhs, op, rhs, label, est, se, z,
        pvalue, ci.lower, ci.upper`` plus ``std.all``; defined parameters are the rows
        with ``op == ":="`` (delta-method standard errors). Fixed parameters have
        ``se = 0`` and no z or p value, as in lavaan.
    fit_measures : dict
        lavaan's names: ``chisq, df, pvalue, cfi, tli, rmsea, rmsea.ci.lower,
        rmsea.ci.upper, srmr, aic, bic, logl, npar, ntotal, baseline.chisq,
        baseline.df`` and a few more.
    n : int
        Cases used (after listwise deletion; with ``missing="ml"`` every case with an observed value).
    n_dropped : int
        Cases dropped (listwise; with ``missing="ml"``: cases with no observed value).
    missing : str
        ``"listwise"`` or ``"ml"``.
    group_labels : list or None
        Values of the ``group`` column in the order of the ``group`` numbers (multigroup fits).
    bootstrap : BootstrapResult or None
        Percentile and bias-corrected intervals when ``n_boot > 0``.
    vcov : pandas.DataFrame
        Covariance matrix of the free parameters (inverse expected information, N-based).
    level : float
        Confidence level of ``ci.lower``/``ci.upper`` (also available as ``ci_level``).
    """

    estimates: pd.DataFrame
    fit_measures: dict
    n: int
    n_dropped: int
    vcov: pd.DataFrame
    level: float
    model: str
    bootstrap: object | None = None
    iterations: int = 0
    std_lv: bool = False
    table: ParameterTable | None = field(default=None, repr=False)
    _engine: SemopyEngine | None = field(default=None, repr=False)
    _theta: np.ndarray | None = field(default=None, repr=False)
    _sample_cov: np.ndarray | None = field(default=None, repr=False)
    _extended: object | None = field(default=None, repr=False)
    missing: str = "listwise"
    group_labels: list | None = None

    @property
    def ci_level(self) -> float:
        """Old name of :attr:`level` (kept for code written before chaoyang 1.0)."""
        return self.level

    @property
    def converged(self) -> bool:
        """Always True: a fit that did not converge raises :class:`SEMConvergenceError` instead."""
        return True

    def defined(self) -> pd.DataFrame:
        """The defined-parameter (``:=``) rows of :attr:`estimates`."""
        return self.estimates.loc[self.estimates["op"] == ":="].reset_index(drop=True)

    def parameter(self, name: str) -> pd.Series:
        """One row of :attr:`estimates` by label or defined-parameter name.

        Raises
        ------
        KeyError
            No row carries that label.
        """
        hit = self.estimates.loc[self.estimates["label"] == name]
        if hit.empty:
            from .errors import SEMColumnError, suggest
            labels = [x for x in self.estimates["label"] if x]
            raise SEMColumnError(f"No parameter is labelled {name!r}." + suggest(name, labels))
        return hit.iloc[0]

    def standardized_solution(self) -> pd.DataFrame:
        """lavaan's ``standardizedSolution()``: ``est.std`` (= std.all) with delta-method SEs.

        Returns
        -------
        pandas.DataFrame
            Columns ``lhs, op, rhs, label, est.std, se, z, pvalue, ci.lower, ci.upper``
            (and ``group`` after ``rhs`` for a multigroup fit).
        """
        if self._extended is not None:
            from .extended import standardized_solution

            return standardized_solution(self)
        return _standardized_solution(self)

    def summary(self, digits: int = 3) -> str:
        """A plain-text report: fit measures then the estimates table."""
        fm = self.fit_measures
        how = "listwise" if self.missing == "listwise" else "with no observed value"
        head = (
            f"ML estimation (lavaan-compatible{', FIML' if self.missing == 'ml' else ''}), N = {self.n}"
            + (f" in {len(self.group_labels)} groups" if self.group_labels else "")
            + (f" ({self.n_dropped} cases dropped {how})" if self.n_dropped else "")
            + f"\nchisq = {fm['chisq']:.{digits}f}, df = {fm['df']}, p = {fm['pvalue']:.{digits}f}; "
            f"CFI = {fm['cfi']:.{digits}f}, TLI = {fm['tli']:.{digits}f}, RMSEA = {fm['rmsea']:.{digits}f} "
            f"[{fm['rmsea.ci.lower']:.{digits}f}, {fm['rmsea.ci.upper']:.{digits}f}], SRMR = {fm['srmr']:.{digits}f}"
        )
        return head + "\n\n" + self.estimates.round(digits).to_string(index=False)

    def to_frame(self) -> pd.DataFrame:
        """lavaan's ``parameterEstimates(standardized=TRUE)``-style tidy table, one row per parameter.

        Columns ``lhs, op, rhs, label, est, se, z, pvalue, ci.lower, ci.upper, std.all`` and,
        when the fit was bootstrapped, ``boot.se, perc.lower, perc.upper, bc.lower, bc.upper``
        for the bootstrapped rows (NaN elsewhere). A copy: changing it does not change the result.
        """
        frame = self.estimates.copy()
        if self.bootstrap is not None:
            boot = self.bootstrap.intervals
            keys = [c for c in ("lhs", "op", "rhs", "group", "label") if c in frame.columns]
            extra = boot[keys + ["boot.se", "perc.lower", "perc.upper", "bc.lower", "bc.upper"]]
            frame = frame.merge(extra, on=keys, how="left")
        return frame


def _display_name(row) -> str:
    op = "~~" if row.op == "fixed.x" else row.op
    return row.label or f"{row.lhs}{op}{row.rhs}"


def _check_options(level, n_jobs, missing, seed) -> tuple[float, int, object]:
    missing = check_missing_option(missing)
    level = check_level(level)
    seed = check_seed(seed)
    if not (isinstance(n_jobs, (int, np.integer)) and not isinstance(n_jobs, (bool, np.bool_)) and n_jobs == -1):
        n_jobs = check_count(n_jobs, "n_jobs", minimum=1)
    return level, int(n_jobs), seed


def _check_identification(engine: SemopyEngine, theta: np.ndarray, when: str) -> None:
    info = engine.unit_information(theta)
    diag = np.sqrt(np.clip(np.diag(info), 1e-300, None))
    scaled = info / np.outer(diag, diag)
    eigval, eigvec = np.linalg.eigh(scaled)
    if not np.all(np.isfinite(eigval)) or eigval[0] < 1e-9 * max(eigval[-1], 1e-300):
        weights = np.abs(eigvec[:, 0])
        involved = [engine.active_names[i] for i in np.argsort(-weights)[:4] if weights[i] > 0.2]
        pretty = []
        for name in involved:
            k = engine.table.semopy_names.index(name)
            pretty.append(_display_name(engine.table.rows[k]))
        raise SEMIdentificationError(
            f"The model is not identified ({when}: the information matrix is singular). The parameters that "
            f"cannot be told apart include {', '.join(pretty) or 'several parameters'}. Fix a loading or "
            "variance per factor, give each factor at least 3 indicators (or 2 with a correlated factor), "
            "or drop a free covariance."
        )


def _label_values(table: ParameterTable, values: np.ndarray) -> dict[str, float]:
    out: dict[str, float] = {}
    for row, value in zip(table.rows, values):
        if row.label and row.label not in out:
            out[row.label] = float(value)
    return out


def defined_values(table: ParameterTable, values: np.ndarray) -> np.ndarray:
    """Values of the ``:=`` parameters given the estimate of every table row (evaluated in order)."""
    scope = _label_values(table, values)
    out = np.empty(len(table.defined))
    for i, d in enumerate(table.defined):
        out[i] = d.evaluate(scope)
        scope[d.name] = out[i]
    return out


def numerical_jacobian(func, theta: np.ndarray, rel_step: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of a vector function of the parameters.

    Parameters
    ----------
    func : callable
        Maps a parameter vector to a 1-D array.
    theta : numpy.ndarray
        Point of evaluation.
    rel_step : float, default 1e-6
        Step relative to max(1, |theta_i|).

    Returns
    -------
    numpy.ndarray
        Matrix of shape (len(func(theta)), len(theta)).

    Examples
    --------
    >>> numerical_jacobian(lambda t: np.array([t[0] * t[1]]), np.array([2.0, 3.0])).round(6)
    array([[3., 2.]])
    """
    base = np.asarray(func(theta), dtype=float)
    jac = np.empty((base.size, theta.size))
    for i in range(theta.size):
        h = rel_step * max(1.0, abs(theta[i]))
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        jac[:, i] = (np.asarray(func(up)) - np.asarray(func(down))) / (2 * h)
    return jac


def _wald_columns(est: np.ndarray, se: np.ndarray, level: float) -> dict[str, np.ndarray]:
    crit = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / np.where(se > 0, se, 1.0), np.nan)
    pvalue = np.where(np.isfinite(z), 2 * stats.norm.sf(np.abs(z)), np.nan)
    return {"se": se, "z": z, "pvalue": pvalue, "ci.lower": est - crit * se, "ci.upper": est + crit * se}


def fit(model: str, data: pd.DataFrame, *, n_boot: int = 0, seed=None, level: float = 0.95,
        n_jobs: int = 1, progress: bool | None = None, boot_all: bool = False,
        missing: str = "listwise", std_lv: bool = False, meanstructure: bool | None = None,
        group: str | None = None, group_equal=(), group_partial=(), **kwargs) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax, with lavaan's ML results.

    Parameters
    ----------
    model : str
        lavaan syntax: ``=~``, ``~``, ``~~``, labels (``a1*cohesion``), fixed values
        (``1*x``), freed first loadings (``NA*x``), defined parameters (``ind1 := a1*b1``;
        + - * / ^ and parentheses), intercepts and means (``y ~ 1``, ``f ~ 0*1``), per-group
        modifiers (``c(a1, a2)*x``) and linear constraints (``a1 == a2``, ``b < 1``, ``a > 0``).
    data : pandas.DataFrame
        One row per case, numeric columns named as in ``model`` (each name once). Not modified.
    n_boot : int, default 0
        Number of nonparametric bootstrap draws (e.g. 1000 or 5000); 0 for none. Fewer than
        20 draws are refused and fewer than 200 give a warning (unstable interval ends).
    seed : None, int >= 0 or numpy.random.SeedSequence, default None
        Seed of the bootstrap; the same seed gives the same intervals whatever ``n_jobs``.
        ``None`` draws fresh entropy (not reproducible; recorded in ``bootstrap.seed_entropy``).
    level : float, default 0.95
        Confidence level for Wald and bootstrap intervals, strictly between 0 and 1.
    n_jobs : int, default 1
        Worker processes for the bootstrap (-1: all cores).
    progress : bool, optional
        Show a tqdm progress bar during the bootstrap (default: only for >= 1000 draws).
    boot_all : bool, default False
        Bootstrap every free parameter, not just the defined ones.
    missing : {"listwise", "ml"}
        ``"listwise"``: complete cases only (dropped cases counted in ``n_dropped``, with a
        warning). ``"ml"`` (synonyms ``"fiml"``, ``"direct"``): full-information ML as lavaan's
        ``missing = "ml"``: every case with at least one observed value is used, means are
        modelled, standard errors from the observed information, chi-square against the
        EM-estimated unrestricted model.
    std_lv : bool, default False
        lavaan's ``std.lv = TRUE``: identify every factor by fixing its (residual) variance to 1
        and freeing its first loading (instead of fixing the first loading to 1).
    meanstructure : bool, optional
        Model intercepts and means (rows with ``op == "~1"``). Default: True with
        ``missing="ml"``, with ``group`` or when the syntax has ``~ 1`` lines, else False.
    group : str, optional
        Column that splits the cases into groups (lavaan's ``group =``); groups in order of first
        appearance. Every parameter is estimated per group; a plain label (``a*x``) is shared
        by all groups, ``c(a1, a2)*x`` gives one label or value per group. ``estimates`` gets a
        ``group`` column (1, 2, ...; 0 for ``:=`` rows) and ``group_labels`` the values.
    group_equal : sequence of str
        lavaan's ``group.equal``: any of ``"loadings"``, ``"intercepts"``, ``"means"``,
        ``"regressions"``, ``"residuals"``, ``"residual.covariances"``, ``"lv.variances"``,
        ``"lv.covariances"``. With ``"intercepts"`` the latent means are free in groups 2..G.
    group_partial : sequence of str
        lavaan's ``group.partial``: parameters exempt from ``group_equal``, e.g. ``["f =~ x2", "x3 ~1"]``.
    **kwargs
        The names used before chaoyang 1.0, ``bootstrap=`` (now ``n_boot``) and ``ci=`` (now
        ``level``), still work with a :class:`~chaoyang.errors.ChaoyangDeprecationWarning`.

    Returns
    -------
    SEMResult
        ``.estimates`` (DataFrame), ``.fit_measures`` (dict), ``.n``, ``.n_dropped``,
        ``.bootstrap`` (or None), ``.vcov``.

    Raises
    ------
    SEMSyntaxError
        Unreadable or unsupported syntax.
    SEMColumnError
        A variable of the model is not a data column (close names suggested).
    SEMTypeError
        A column is not numeric.
    SEMDataError
        Constant column, too few cases, singular covariance matrix, bad option.
    SEMIdentificationError
        A factor without a fixed loading or variance (raised before any fitting), negative
        degrees of freedom or a singular information matrix.
    SEMDefinedError
        A ``:=`` parameter cannot be computed at the estimates (division by zero, ...).
    chaoyang.errors.ArgumentError, chaoyang.errors.SeedError
        A bad ``n_boot``, ``level``, ``n_jobs`` or ``seed``.
    SEMConvergenceError
        The optimiser did not converge.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300)
    >>> y = 0.4 * m + 0.2 * x + rng.normal(size=300)
    >>> res = fit("m ~ a*x\\ny ~ b*m + c*x\\nind := a*b", pd.DataFrame({"x": x, "m": m, "y": y}))
    >>> res.defined()[["lhs", "op", "est"]].round(2).to_dict("records")
    [{'lhs': 'ind', 'op': ':=', 'est': 0.25}]
    >>> res.fit_measures["df"]
    0

    lavaan's two ways of identifying a factor by its variance give the same fit:

    >>> f = rng.normal(size=300)
    >>> items = pd.DataFrame({f"c{i}": 0.8 * f + 0.6 * rng.normal(size=300) for i in (1, 2, 3)})
    >>> a = fit("f =~ NA*c1 + c2 + c3\\nf ~~ 1*f", items)
    >>> b = fit("f =~ c1 + c2 + c3", items, std_lv=True)
    >>> ea, eb = (r.estimates.set_index(["lhs", "op", "rhs"])["est"] for r in (a, b))
    >>> bool(np.allclose(ea, eb.loc[ea.index], atol=1e-6))
    True
    """
    n_boot = renamed(kwargs, "bootstrap", "n_boot", n_boot, 0, "fit")
    level = renamed(kwargs, "ci", "level", level, 0.95, "fit")
    reject_unknown(kwargs, "fit")
    level, n_jobs, seed = _check_options(level, n_jobs, missing, seed)
    missing = check_missing_option(missing)
    n_boot = check_n_boot(n_boot)  # called here so that its warning points at the caller's line
    if not isinstance(std_lv, (bool, np.bool_)):
        raise SEMTypeError(f"std_lv must be True or False, not {std_lv!r}.")
    parsed = parse_model(model)
    if meanstructure is not None and not isinstance(meanstructure, (bool, np.bool_)):
        raise SEMTypeError(f"meanstructure must be True, False or None, not {meanstructure!r}.")
    if missing == "ml" or meanstructure or group is not None or parsed.extended or group_equal or group_partial:
        from .extended import fit_extended

        return fit_extended(model, parsed, data, missing=missing, meanstructure=meanstructure, group=group,
                            group_equal=group_equal, group_partial=group_partial, std_lv=bool(std_lv),
                            level=level, n_boot=n_boot, seed=seed, n_jobs=n_jobs, progress=progress,
                            boot_all=boot_all)
    table = build_parameter_table(parsed, std_lv=bool(std_lv))
    check_latent_names(table, data)
    frame, n_dropped = prepare_data(data, table.observed, missing)
    n = len(frame)
    if n <= len(table.observed):
        raise SEMDataError(
            f"Only {n} complete cases for {len(table.observed)} observed variables: the covariance matrix is "
            "singular. Collect more cases or use fewer indicators.")
    engine = SemopyEngine(table, frame)
    p, nx, npar = len(engine.observed), len(table.exogenous_x), len(engine.active_names)
    df = p * (p + 1) // 2 - nx * (nx + 1) // 2 - npar
    if df < 0:
        raise SEMIdentificationError(
            f"The model has {npar} free parameters but only {npar + df} variances and covariances to fit them "
            f"(df = {df}): it is not identified. Fix parameters, add indicators, or drop free covariances."
        )
    if n < npar:
        raise SEMDataError(
            f"Only {n} complete cases for {npar} free parameters: too few cases to estimate this model. "
            "Simplify the model (fewer free parameters) or collect more cases (5-10 per parameter is a rule of thumb)."
        )
    sample_cov = sample_covariance(frame[engine.observed].to_numpy())
    eig, vec = np.linalg.eigh(sample_cov / np.sqrt(np.outer(np.diag(sample_cov), np.diag(sample_cov))))
    if eig[0] < 1e-10:
        involved = [engine.observed[i] for i in np.argsort(-np.abs(vec[:, 0]))[:3]]
        raise SEMDataError(
            f"The observed variables are linearly dependent (e.g. {', '.join(involved)}): one is a sum or copy "
            "of the others, so the covariance matrix is singular. Drop the redundant column."
        )
    engine.set_sample_cov(sample_cov)
    try:
        _check_identification(engine, engine.start, "at the starting values")
        outcome = engine.fit(sample_cov)
        require_convergence(outcome)
        theta = outcome.theta
        _check_identification(engine, theta, "at the solution")
        info = engine.unit_information(theta) * n
        vcov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise SEMConvergenceError(
            "The model-implied covariance matrix became singular during estimation, so the likelihood is "
            "undefined. A variance fixed at 0 (e.g. 'x ~~ 0*x'), a loading fixed at an extreme value or an "
            "unidentified part of the model are the usual causes; free or fix them differently.") from None
    vcov = (vcov + vcov.T) / 2
    estimates = _estimate_table(engine, theta, sample_cov, vcov, level)
    for row, value in zip(table.rows, estimates["est"]):
        if row.op == "~~" and row.lhs == row.rhs and value < 0:
            warnings.warn(
                f"The variance of {row.lhs} is estimated negative ({value:.4g}), a Heywood case: the model is "
                "misspecified or the sample too small. lavaan reports the same estimate.", SEMWarning, stacklevel=2)
    undefined = estimates.loc[~np.isfinite(estimates["std.all"].to_numpy(float))]
    if len(undefined):
        rows = ", ".join(f"{r.lhs} {r.op} {r.rhs}" for r in undefined.head(3).itertuples())
        warnings.warn(
            f"std.all is undefined (NaN) for {rows}: a variance it is scaled by is zero or negative at the "
            "estimates (lavaan reports NA there). Check fixed-at-zero or Heywood variances.", SEMWarning, stacklevel=2)
    implied = engine.sigma(theta)
    x_positions = [engine.observed.index(v) for v in table.exogenous_x]
    measures = compute_fit_measures(sample_cov, implied, n, npar, x_positions)
    free_names = [_display_name(table.rows[table.semopy_names.index(name)]) for name in engine.active_names]
    result = SEMResult(
        estimates=estimates, fit_measures=measures, n=n, n_dropped=n_dropped,
        vcov=pd.DataFrame(vcov, index=free_names, columns=free_names), level=level, model=model,
        iterations=outcome.iterations, std_lv=bool(std_lv), table=table, _engine=engine, _theta=theta, _sample_cov=sample_cov,
    )
    if n_boot:
        from .bootstrap import run_bootstrap

        result.bootstrap = run_bootstrap(result, frame, draws=n_boot, seed=seed, level=level,
                                         n_jobs=n_jobs, progress=progress, boot_all=boot_all)
    return result


def _std_vector(engine: SemopyEngine, theta: np.ndarray, sample_cov: np.ndarray, cov_std: bool = True) -> np.ndarray:
    table = engine.table
    values = engine.row_values(theta, sample_cov)
    std = std_all(table, values, engine.implied_all(theta), cov_std=cov_std)
    return np.concatenate([std, defined_values(table, std)]) if table.defined else std


def _estimate_table(engine: SemopyEngine, theta: np.ndarray, sample_cov: np.ndarray, vcov: np.ndarray,
                    level: float) -> pd.DataFrame:
    table = engine.table
    values = engine.row_values(theta, sample_cov)
    se = np.zeros(len(table.rows))
    for k in range(len(table.rows)):
        i = engine.free_index(k)
        if i is not None:
            se[k] = math.sqrt(max(vcov[i, i], 0.0))
    est = values
    labels = [r.label for r in table.rows]
    lhs = [r.lhs for r in table.rows]
    ops = ["~~" if r.op == "fixed.x" else r.op for r in table.rows]
    rhs = [r.rhs for r in table.rows]
    if table.defined:
        def_est = defined_values(table, values)
        jac = numerical_jacobian(lambda t: defined_values(table, engine.row_values(t, sample_cov)), theta)
        def_cov = jac @ vcov @ jac.T
        def_se = np.sqrt(np.clip(np.diag(def_cov), 0.0, None))
        est = np.concatenate([values, def_est])
        se = np.concatenate([se, def_se])
        labels += [d.name for d in table.defined]
        lhs += [d.name for d in table.defined]
        ops += [":="] * len(table.defined)
        rhs += [d.expression for d in table.defined]
    frame = pd.DataFrame({"lhs": lhs, "op": ops, "rhs": rhs, "label": labels, "est": est})
    for name, column in _wald_columns(est, se, level).items():
        frame[name] = column
    frame["std.all"] = _std_vector(engine, theta, sample_cov)
    engine.model.update_matrices(theta)
    return frame[ESTIMATE_COLUMNS]


def _standardized_solution(result: SEMResult) -> pd.DataFrame:
    engine, theta, s = result._engine, result._theta, result._sample_cov
    std = _std_vector(engine, theta, s)
    jac = numerical_jacobian(lambda t: _std_vector(engine, t, s), theta)
    cov = jac @ result.vcov.to_numpy() @ jac.T
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    se[se < 1e-12] = 0.0  # standardized constants (e.g. exogenous variances = 1)
    engine.model.update_matrices(theta)
    frame = result.estimates[["lhs", "op", "rhs", "label"]].copy()
    frame["est.std"] = std
    for name, column in _wald_columns(std, se, result.level).items():
        frame[name] = column
    return frame


__all__ = ["fit", "SEMResult", "SEMError", "defined_values", "numerical_jacobian"]
