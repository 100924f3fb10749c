"""Measurement quality: Cronbach's alpha, McDonald's omega, composite reliability, AVE,
the Fornell-Larcker criterion and HTMT (Henseler, Ringle & Sarstedt 2015).

Rules of thumb reported (not laws): alpha, omega, CR >= .70; AVE >= .50;
Fornell-Larcker: sqrt(AVE) of each construct above its correlations with the
others; HTMT below .85 (strict, conceptually distinct constructs) or .90
(liberal, conceptually similar constructs).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from .errors import SEMColumnError, SEMDataError, suggest


def _numeric_block(data: pd.DataFrame, items) -> pd.DataFrame:
    items = list(items)
    if len(items) < 2:
        raise SEMDataError(f"Need at least two items, got {items}.")
    for item in items:
        if item not in data.columns:
            raise SEMColumnError(f"Item {item!r} is not a column of the data." + suggest(item, map(str, data.columns)))
    block = data.loc[:, items].apply(pd.to_numeric, errors="raise").dropna()
    if len(block) < 3:
        raise SEMDataError(f"Fewer than 3 complete cases for items {items}.")
    constant = [c for c in items if block[c].nunique() < 2]
    if constant:
        raise SEMDataError(f"Item {constant[0]!r} is constant; it cannot contribute to reliability. Remove it.")
    return block


def cronbach_alpha(data: pd.DataFrame, items=None) -> float:
    """Cronbach's alpha = k/(k-1) * (1 - sum of item variances / variance of the sum score).

    Parameters
    ----------
    data : pandas.DataFrame
        Item scores (rows with a missing item are dropped).
    items : sequence of str, optional
        Columns to use (default: all).

    Returns
    -------
    float
        Alpha (at most 1; can be negative for items that do not hang together).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 5], "c": [3, 4, 4, 5]})
    >>> round(cronbach_alpha(df), 6)
    0.938776
    """
    block = _numeric_block(data, data.columns if items is None else items)
    k = block.shape[1]
    item_var = block.var(ddof=1).sum()
    total_var = block.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_var / total_var))


def _factor_indicators(result) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in result.table.rows:
        if row.op == "=~":
            out.setdefault(row.lhs, []).append(row.rhs)
    if not out:
        raise SEMDataError("The model has no latent variables ('=~' lines); reliability needs a measurement model.")
    return out


def _standardized_loadings(result) -> dict[str, np.ndarray]:
    """Each factor's standardized loadings (lavaan's ``std.all``), in model order."""
    est = result.estimates
    loadings = est.loc[est["op"] == "=~"]
    return {factor: loadings.loc[loadings["lhs"] == factor, "std.all"].to_numpy()
            for factor in _factor_indicators(result)}


def _one_group_extended(result, what: str):
    """The (problem, x) of a fit by the kit's own engine (FIML, means), refusing multigroup fits."""
    ext = result._extended
    if ext.problem.table.n_groups > 1:
        raise SEMDataError(f"{what} of a multigroup fit is not defined for the groups together; fit each group "
                           "on its own (data[data[group] == value]) and compute it per group.")
    return ext.problem, ext.x


def _implied_variances(result) -> dict:
    """Model-implied total variance of every variable (latent and observed) of a fitted model, by name."""
    if getattr(result, "_extended", None) is not None:
        problem, x = _one_group_extended(result, "Reliability")
        omega = problem.ram.state(x, 0)["Omega"]
        return {v: float(omega[i, i]) for i, v in enumerate(problem.ram.variables)}
    return result._engine.implied_all(result._theta)


def _implied_latent_covariance(result, names: list) -> np.ndarray:
    """Model-implied covariance matrix of the latent variables ``names`` of a fitted model."""
    if getattr(result, "_extended", None) is not None:
        problem, x = _one_group_extended(result, "A latent correlation matrix")
        omega = problem.ram.state(x, 0)["Omega"]
        idx = [list(problem.ram.variables).index(v) for v in names]
        return omega[np.ix_(idx, idx)]
    engine = result._engine
    engine.model.update_matrices(result._theta)
    _, (_, c) = engine.model.calc_sigma()
    cov = c @ engine.model.mx_psi @ c.T
    idx = [engine.inner.index(v) for v in names]
    return cov[np.ix_(idx, idx)]


def latent_correlations(result) -> pd.DataFrame:
    """Model-implied correlations among the latent variables of a fitted model.

    Examples
    --------
    >>> from chaoyang.sem import fit, simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=500, seed=1)
    >>> res = fit("X =~ x1 + x2 + x3\\nY =~ y1 + y2 + y3", df)
    >>> latent_correlations(res).shape
    (2, 2)
    """
    names = list(result.table.latent)
    sub = _implied_latent_covariance(result, names)
    sd = np.sqrt(np.diag(sub))
    return pd.DataFrame(sub / np.outer(sd, sd), index=names, columns=names)


def omega_from_result(result) -> pd.Series:
    """McDonald's omega (total) of each factor of a fitted CFA.

    omega = (sum lambda)^2 var(f) / ((sum lambda)^2 var(f) + sum theta_ii + 2 sum theta_ij),
    with unstandardized loadings, the factor's model-implied variance and the residual
    (co)variances among its indicators.

    Returns
    -------
    pandas.Series
        Omega by factor.

    Examples
    --------
    >>> from chaoyang.sem import fit, simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=500, seed=1)
    >>> res = fit("X =~ x1 + x2 + x3\\nY =~ y1 + y2 + y3", df)
    >>> bool(0.7 < omega_from_result(res)["X"] < 1)
    True
    """
    est = result.estimates
    variances = _implied_variances(result)
    out = {}
    for factor, items in _factor_indicators(result).items():
        loads = est.loc[(est["op"] == "=~") & (est["lhs"] == factor), "est"].sum()
        resid = est.loc[(est["op"] == "~~") & est["lhs"].isin(items) & est["rhs"].isin(items)]
        theta = resid.loc[resid["lhs"] == resid["rhs"], "est"].sum() + 2 * resid.loc[
            resid["lhs"] != resid["rhs"], "est"].sum()
        common = loads**2 * variances[factor]
        out[factor] = float(common / (common + theta))
    return pd.Series(out, name="omega")


def mcdonald_omega(data: pd.DataFrame, items) -> float:
    """McDonald's omega of items from a one-factor CFA (ML, :func:`chaoyang.sem.fit`).

    Parameters
    ----------
    data : pandas.DataFrame
        Item scores.
    items : sequence of str
        At least three items (a one-factor model with two is not identified).

    Returns
    -------
    float

    Examples
    --------
    >>> from chaoyang.sem.simulate import simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=500, seed=1)
    >>> round(mcdonald_omega(df, ["x1", "x2", "x3"]), 2)  # population value 0.84
    0.81
    """
    from .fit import fit

    items = list(items)
    if len(items) < 3:
        raise SEMDataError(f"McDonald's omega from a one-factor CFA needs at least 3 items, got {items}.")
    _numeric_block(data, items)
    result = fit("omega_factor =~ " + " + ".join(items), data)
    return float(omega_from_result(result)["omega_factor"])


def composite_reliability(result) -> pd.Series:
    """Composite reliability (Joreskog's rho_c) from standardized loadings.

    CR = (sum lambda_std)^2 / ((sum lambda_std)^2 + sum (1 - lambda_std^2)).

    Examples
    --------
    >>> from chaoyang.sem import fit, simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=500, seed=1)
    >>> res = fit("X =~ x1 + x2 + x3\\nY =~ y1 + y2 + y3", df)
    >>> bool(0.7 < composite_reliability(res)["Y"] < 1)
    True
    """
    out = {factor: float(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum()))
           for factor, lam in _standardized_loadings(result).items()}
    return pd.Series(out, name="CR")


def average_variance_extracted(result) -> pd.Series:
    """Average variance extracted: the mean squared standardized loading of each factor.

    Examples
    --------
    >>> from chaoyang.sem import fit, simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=500, seed=1)
    >>> res = fit("X =~ x1 + x2 + x3\\nY =~ y1 + y2 + y3", df)
    >>> bool(0.5 < average_variance_extracted(res)["Y"] < 1)
    True
    """
    out = {factor: float(np.mean(lam**2)) for factor, lam in _standardized_loadings(result).items()}
    return pd.Series(out, name="AVE")


def fornell_larcker(result) -> pd.DataFrame:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, latent correlations below it.

    Discriminant validity holds for a construct when its sqrt(AVE) exceeds the absolute
    value of each of its correlations; the column ``passes`` says so per construct.

    Returns
    -------
    pandas.DataFrame
        Square table (upper triangle empty) plus a boolean ``passes`` column.

    Examples
    --------
    >>> from chaoyang.sem import fit, simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=500, seed=1)
    >>> res = fit("X =~ x1 + x2 + x3\\nY =~ y1 + y2 + y3", df)
    >>> fornell_larcker(res)["passes"].tolist()
    [True, True]
    """
    corr = latent_correlations(result)
    root_ave = np.sqrt(average_variance_extracted(result))
    names = list(corr.index)
    table = pd.DataFrame(np.nan, index=names, columns=names)
    passes = {}
    for i, a in enumerate(names):
        table.loc[a, a] = root_ave[a]
        others = [abs(corr.loc[a, b]) for b in names if b != a]
        passes[a] = bool(all(root_ave[a] > o for o in others))
        for b in names[:i]:
            table.loc[a, b] = corr.loc[a, b]
    table["passes"] = pd.Series(passes)
    return table


def htmt_from_correlation(corr: pd.DataFrame, blocks: dict, absolute: bool = True) -> pd.DataFrame:
    """HTMT ratios from an item correlation matrix.

    HTMT_ij = mean heterotrait-heteromethod correlation between the items of i and j /
    sqrt(mean monotrait correlation within i * mean within j) (Henseler et al. 2015, eq. 6).

    Parameters
    ----------
    corr : pandas.DataFrame
        Item correlation matrix.
    blocks : dict
        ``{construct: [items]}``, at least two items per construct.
    absolute : bool, default True
        Use absolute correlations (guards against reverse-coded items).

    Returns
    -------
    pandas.DataFrame
        Symmetric construct-by-construct table (diagonal 1).

    Examples
    --------
    >>> r = pd.DataFrame([[1, .6, .3, .2], [.6, 1, .25, .15], [.3, .25, 1, .5], [.2, .15, .5, 1]],
    ...                  index=list("abcd"), columns=list("abcd"))
    >>> round(float(htmt_from_correlation(r, {"A": ["a", "b"], "B": ["c", "d"]}).loc["A", "B"]), 6)
    0.410792
    """
    r = corr.abs() if absolute else corr
    names = list(blocks)
    out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)

    def mono(items):
        items = list(items)
        if len(items) < 2:
            raise SEMDataError(f"HTMT needs at least two items per construct, got {items}.")
        vals = [r.loc[a, b] for a, b in combinations(items, 2)]
        return float(np.mean(vals))

    within = {k: mono(v) for k, v in blocks.items()}
    for a, b in combinations(names, 2):
        hetero = float(np.mean([r.loc[i, j] for i in blocks[a] for j in blocks[b]]))
        value = hetero / np.sqrt(within[a] * within[b])
        out.loc[a, b] = out.loc[b, a] = value
    return out


def htmt(data: pd.DataFrame, blocks: dict, absolute: bool = True) -> pd.DataFrame:
    """HTMT ratios from item data (Pearson correlations, listwise).

    Examples
    --------
    >>> from chaoyang.sem.simulate import simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=500, seed=1)
    >>> t = htmt(df, {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]})
    >>> bool(t.loc["X", "Y"] < 0.85)
    True
    """
    items = [i for v in blocks.values() for i in v]
    block = _numeric_block(data, items)
    return htmt_from_correlation(block.corr(), blocks, absolute)


def htmt_verdict(table: pd.DataFrame, strict: float = 0.85, liberal: float = 0.90) -> pd.DataFrame:
    """Judge each construct pair against HTMT.85 and HTMT.90.

    Returns
    -------
    pandas.DataFrame
        Columns ``pair, htmt, below_.85, below_.90``.

    Examples
    --------
    >>> t = pd.DataFrame([[1, .87], [.87, 1]], index=["A", "B"], columns=["A", "B"])
    >>> htmt_verdict(t)[["below_.85", "below_.90"]].values.tolist()
    [[False, True]]
    """
    names = list(table.index)
    rows = [{"pair": f"{a} - {b}", "htmt": float(table.loc[a, b]), "below_.85": bool(table.loc[a, b] < strict),
             "below_.90": bool(table.loc[a, b] < liberal)} for a, b in combinations(names, 2)]
    return pd.DataFrame(rows)


def measurement_quality(result, data: pd.DataFrame) -> pd.DataFrame:
    """One row per factor: items, alpha, omega, CR, AVE (from a fitted CFA/SEM and its data).

    Examples
    --------
    >>> from chaoyang.sem import fit, simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=500, seed=1)
    >>> res = fit("X =~ x1 + x2 + x3\\nY =~ y1 + y2 + y3", df)
    >>> list(measurement_quality(res, df).columns)
    ['items', 'alpha', 'omega', 'CR', 'AVE']
    """
    factors = _factor_indicators(result)
    omega = omega_from_result(result)
    cr, ave = composite_reliability(result), average_variance_extracted(result)
    rows = []
    for factor, items in factors.items():
        rows.append({"construct": factor, "items": len(items), "alpha": cronbach_alpha(data, items),
                     "omega": omega[factor], "CR": cr[factor], "AVE": ave[factor]})
    return pd.DataFrame(rows).set_index("construct")
