"""Common-method bias (CMB) checks for single-source survey data.

Three complementary checks (none proves the absence of CMB):

1. :func:`harman_single_factor` - Harman's single-factor test;
2. :func:`single_factor_cfa_test` - a one-factor CFA versus the theorised
   multi-factor CFA (chi-square difference test);
3. :func:`marker_variable_adjustment` - Lindell & Whitney (2001) partial
   correlations with a theoretically unrelated marker variable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from chaoyang._results import ResultMixin

from .errors import SEMColumnError, SEMDataError, suggest


@dataclass
class HarmanResult(ResultMixin):
    """First unrotated factor's share of the total variance and the flag (> 50 %)."""

    first_factor_share: float
    eigenvalues: np.ndarray
    flagged: bool

    def summary(self) -> str:
        """One line: the first factor's share and whether it passes the threshold."""
        verdict = "flagged (possible common-method variance)" if self.flagged else "not flagged"
        return (f"Harman's single-factor test: first unrotated factor explains {self.first_factor_share:.1%} "
                f"of the variance of {len(self.eigenvalues)} items; {verdict}")

    def to_frame(self) -> pd.DataFrame:
        """One row per component: ``component, eigenvalue, share, cumulative_share``."""
        share = self.eigenvalues / self.eigenvalues.sum()
        return pd.DataFrame({"component": np.arange(1, len(share) + 1), "eigenvalue": self.eigenvalues,
                             "share": share, "cumulative_share": np.cumsum(share)})


def harman_single_factor(data: pd.DataFrame, items=None, threshold: float = 0.5) -> HarmanResult:
    """Harman's single-factor test: share of variance of the first unrotated factor.

    The share is the first eigenvalue of the item correlation matrix divided by the number
    of items (unrotated principal-component extraction, as commonly run in SPSS). A share
    above ``threshold`` (conventionally 50 %) flags a possible common-method problem.

    Caution (Podsakoff, MacKenzie, Lee & Podsakoff 2003, J. Applied Psychology 88(5),
    879-903): the test is insensitive - a single factor rarely emerges even when method
    variance is substantial, and a dominant first factor can also reflect genuinely
    correlated constructs. A share below 50 % is therefore weak evidence that CMB is absent;
    report it together with the CFA comparison and a marker-variable or method-factor check.

    Parameters
    ----------
    data : pandas.DataFrame
        Item scores (listwise deletion).
    items : sequence of str, optional
        Items to include (default: all columns).
    threshold : float, default 0.5
        Share above which the result is flagged.

    Returns
    -------
    HarmanResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(500, 6)), columns=list("abcdef"))
    >>> harman_single_factor(df).flagged
    False
    """
    block = _block(data, data.columns if items is None else items)
    eig = np.sort(np.linalg.eigvalsh(block.corr().to_numpy()))[::-1]
    share = float(eig[0] / eig.sum())
    return HarmanResult(share, eig, bool(share > threshold))


def _block(data: pd.DataFrame, items) -> pd.DataFrame:
    items = list(items)
    for item in items:
        if item not in data.columns:
            raise SEMColumnError(f"Column {item!r} is not in the data." + suggest(item, map(str, data.columns)))
    block = data.loc[:, items].dropna()
    if len(block) < len(items) + 2:
        raise SEMDataError(f"Only {len(block)} complete cases for {len(items)} items.")
    for item in items:
        if not pd.api.types.is_numeric_dtype(block[item]):
            raise SEMDataError(f"Column {item!r} is not numeric.")
        if block[item].nunique() < 2:
            raise SEMDataError(f"Column {item!r} is constant; remove it.")
    return block.astype(float)


@dataclass
class CFAComparison(ResultMixin):
    """Chi-square difference test of a one-factor CFA against the multi-factor CFA."""

    single: object
    multi: object
    delta_chisq: float
    delta_df: int
    pvalue: float

    def table(self) -> pd.DataFrame:
        """Fit of both models and the difference test, one row each."""
        rows = []
        for name, res in (("one factor", self.single), ("theorised factors", self.multi)):
            fm = res.fit_measures
            rows.append({"model": name, "chisq": fm["chisq"], "df": fm["df"], "cfi": fm["cfi"],
                         "rmsea": fm["rmsea"], "srmr": fm["srmr"]})
        rows.append({"model": "difference", "chisq": self.delta_chisq, "df": self.delta_df, "pvalue": self.pvalue})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """Plain text: the difference test, then the table."""
        return (f"One-factor vs theorised CFA: delta chisq = {self.delta_chisq:.3f}, delta df = {self.delta_df}, "
                f"p = {self.pvalue:.4g}\n\n" + self.table().to_string(index=False))

    def to_frame(self) -> pd.DataFrame:
        """Same as :meth:`table`."""
        return self.table()


def single_factor_cfa_test(data: pd.DataFrame, blocks: dict) -> CFAComparison:
    """Compare a one-factor CFA (all items on one method factor) with the theorised CFA.

    If the one-factor model fits significantly worse (small p of the chi-square
    difference), a single common factor - such as shared method - does not account for the
    covariances. Both models are nested (one factor = all factor correlations fixed to 1).

    Parameters
    ----------
    data : pandas.DataFrame
        Item scores.
    blocks : dict
        ``{construct: [items]}`` with at least two constructs.

    Returns
    -------
    CFAComparison

    Examples
    --------
    >>> from chaoyang.sem.simulate import simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=400, a=(0.3,), b=(0.3,), seed=2)
    >>> out = single_factor_cfa_test(df, {"X": ["x1", "x2", "x3"], "M": ["m1_1", "m1_2", "m1_3"]})
    >>> out.pvalue < 0.001
    True
    """
    from .fit import fit

    if len(blocks) < 2:
        raise SEMDataError("Give at least two constructs to compare with a single factor.")
    items = [i for v in blocks.values() for i in v]
    multi = fit("\n".join(f"{k} =~ " + " + ".join(v) for k, v in blocks.items()), data)
    single = fit("method =~ " + " + ".join(items), data)
    delta = single.fit_measures["chisq"] - multi.fit_measures["chisq"]
    ddf = single.fit_measures["df"] - multi.fit_measures["df"]
    return CFAComparison(single, multi, float(delta), int(ddf), float(stats.chi2.sf(delta, ddf)))


def marker_variable_adjustment(data: pd.DataFrame, marker: str, variables, r_m: float | None = None) -> pd.DataFrame:
    """Lindell & Whitney (2001) marker-variable adjustment of correlations.

    ``r_adj = (r - r_M) / (1 - r_M)``, with ``r_M`` the smallest positive correlation of the
    marker (a variable theoretically unrelated to the others) with the substantive variables;
    ``t = r_adj / sqrt((1 - r_adj^2) / (N - 3))`` with N - 3 degrees of freedom.
    Correlations that stay significant after the adjustment are unlikely to be artefacts of
    a common method.

    Parameters
    ----------
    data : pandas.DataFrame
        Scores (e.g. construct means).
    marker : str
        The marker column.
    variables : sequence of str
        Substantive variables.
    r_m : float, optional
        Method-variance estimate; default the smallest positive marker correlation.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``var1, var2, r, r_M, r_adj, t, pvalue``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> base = rng.normal(size=300)
    >>> df = pd.DataFrame({"a": base + rng.normal(size=300), "b": base + rng.normal(size=300),
    ...                    "mk": rng.normal(size=300)})
    >>> out = marker_variable_adjustment(df, "mk", ["a", "b"], r_m=0.1)
    >>> bool(np.isclose(out.loc[0, "r_adj"], (out.loc[0, "r"] - 0.1) / 0.9))
    True
    """
    variables = list(variables)
    block = _block(data, variables + [marker])
    corr = block.corr()
    n = len(block)
    if r_m is None:
        positives = [corr.loc[marker, v] for v in variables if corr.loc[marker, v] > 0]
        r_m = float(min(positives)) if positives else 0.0
    if not -1 < r_m < 1:
        raise SEMDataError(f"r_m must be in (-1, 1), got {r_m}.")
    rows = []
    for i, a in enumerate(variables):
        for b in variables[i + 1:]:
            r = float(corr.loc[a, b])
            adj = (r - r_m) / (1 - r_m)
            t = adj / np.sqrt(max(1 - adj**2, 1e-300) / (n - 3))
            rows.append({"var1": a, "var2": b, "r": r, "r_M": r_m, "r_adj": adj, "t": float(t),
                         "pvalue": float(2 * stats.t.sf(abs(t), n - 3))})
    return pd.DataFrame(rows)
