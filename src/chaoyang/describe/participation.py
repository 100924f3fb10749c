"""Descriptive analysis of the six forms of participation (and of any 1–5 rating items).

Participation is measured by six frequency items (``PAR_SAFETY`` … ``PAR_INFO``; 1 = never,
5 = very often, past 12 months). Ordinal answers call for rank-based methods, so this module
reports

* response distributions (:func:`response_shares`, :func:`distribution_table`);
* group differences with an effect size: Kruskal–Wallis H with epsilon-squared for three or
  more groups, Mann–Whitney U with the rank-biserial correlation for two
  (:func:`kruskal_wallis`, :func:`mann_whitney`, :func:`group_differences`), Holm-adjusted
  across the forms (:func:`holm_adjust`);
* Spearman's rho between willingness and each form (:func:`spearman`,
  :func:`willingness_participation`).

Every function copies what it needs and never modifies the caller's DataFrame. Missing answers
are left out test by test (pairwise), and the number of residents used is always reported.

Effect sizes
------------
``epsilon² = H / (n - 1)`` (Tomczak & Tomczak 2014, eq. 6 with (n² - 1)/(n + 1) = n - 1): the
share of rank variance explained by the groups, in [0, 1].
``r_rb = 2 U1 / (n1 n2) - 1 = P(X1 > X2) - P(X1 < X2)``: the rank-biserial correlation (Kerby
2014), in [-1, 1], positive when the first group tends to answer higher.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from chaoyang._validate import check_frame
from chaoyang.errors import ChaoyangError
from chaoyang.i18n import N_, t
from chaoyang.world import PARTICIPATION_FORMS


class DescribeError(ChaoyangError, ValueError):
    """Data that cannot be described or tested (no answers, values off the scale, constant columns)."""


class DescribeTypeError(ChaoyangError, TypeError):
    """An argument of the wrong type (e.g. a non-numeric column)."""


class DescribeKeyError(ChaoyangError, KeyError):
    """A column or group that is not in the data; the message suggests the closest names."""

    def __str__(self) -> str:  # KeyError would otherwise print the message inside quotes
        return str(self.args[0]) if self.args else ""

#: Labels of the 1–5 frequency scale of the participation items.
# N_: English here (tables keep these as headers); figures translate them with chaoyang.i18n.t.
FREQUENCY_LABELS: tuple[str, ...] = (N_("never"), N_("rarely"), N_("sometimes"), N_("often"), N_("very often"))
#: Labels of the 1–5 agreement scale of the attitudinal items.
AGREEMENT_LABELS: tuple[str, ...] = (N_("strongly disagree"), N_("disagree"), N_("neutral"), N_("agree"),
                                     N_("strongly agree"))
#: Short English names of the six forms, in the dissertation's order.
FORM_NAMES: dict[str, str] = {
    "PAR_SAFETY": N_("Safety maintenance"),
    "PAR_ADVICE": N_("Safety advice"),
    "PAR_NEIGHBOUR": N_("Neighbourly assistance"),
    "PAR_PROMOTION": N_("Safety promotion"),
    "PAR_VOLUNTEER": N_("Volunteer team"),
    "PAR_INFO": N_("Information to police"),
}


# ----------------------------------------------------------------------------- input checks
def _require_columns(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DescribeTypeError(t("expected a pandas DataFrame, got {kind}", kind=type(frame).__name__))
    check_frame(frame, "frame")
    for column in columns:
        if column not in frame.columns:
            close = difflib.get_close_matches(str(column), [str(c) for c in frame.columns], n=3, cutoff=0.5)
            hint = t(" Did you mean {names}?", names=", ".join(map(repr, close))) if close else ""
            raise DescribeKeyError(t("column {column!r} is not in the data.{hint}", column=column, hint=hint))


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as float with NaN for missing; text or other non-numeric data raises TypeError."""
    series = frame[column]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise DescribeTypeError(f"column {column!r} must hold numbers (e.g. answers 1-5), but its dtype is "
                        f"{series.dtype}; convert it with pd.to_numeric first")
    return pd.Series(series.to_numpy(dtype=float, na_value=np.nan), index=series.index, name=column)


def _as_list(columns) -> list[str]:
    return [columns] if isinstance(columns, str) else list(columns)


# ----------------------------------------------------------------------------- distributions
def response_shares(frame: pd.DataFrame, columns: Sequence[str], levels: Sequence[int] = (1, 2, 3, 4, 5)
                    ) -> pd.DataFrame:
    """Share of answers at each level, per item (missing answers left out).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per respondent (not modified).
    columns : sequence of str
        Item columns holding whole numbers in ``levels`` (or missing).
    levels : sequence of int, default (1, 2, 3, 4, 5)
        The response scale, lowest first.

    Returns
    -------
    pandas.DataFrame
        Rows = items, columns = levels, values = shares in [0, 1] summing to 1 per row, plus
        ``n`` (answers used) and ``missing`` (answers left out).

    Raises
    ------
    KeyError
        A column is not in ``frame``.
    TypeError
        A column is not numeric.
    ValueError
        A column holds a value outside ``levels`` or has no answer at all.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [1, 2, 2, 5, None]})
    >>> response_shares(df, ["q"]).loc["q", [1, 2, 5, "n"]].tolist()
    [0.25, 0.5, 0.25, 4.0]
    """
    columns = _as_list(columns)
    _require_columns(frame, columns)
    levels = list(levels)
    rows = {}
    for column in columns:
        values = _numeric(frame, column)
        answered = values.dropna()
        if answered.empty:
            raise DescribeError(f"column {column!r} has no answers; drop it before computing shares")
        outside = sorted(set(answered.unique()) - set(levels))
        if outside:
            raise DescribeError(f"column {column!r} holds {outside[:3]}, outside the scale {levels}; "
                             "recode or pass the right `levels`")
        counts = answered.value_counts().reindex(levels, fill_value=0)
        row = (counts / len(answered)).to_dict()
        row["n"] = float(len(answered))
        row["missing"] = float(values.isna().sum())
        rows[column] = row
    return pd.DataFrame.from_dict(rows, orient="index")[levels + ["n", "missing"]]


def distribution_table(frame: pd.DataFrame, columns: Sequence[str] = PARTICIPATION_FORMS,
                       labels: Sequence[str] = FREQUENCY_LABELS, high: int = 4) -> pd.DataFrame:
    """Distribution of each participation form: percentages per level, median, mean, share high.

    Parameters
    ----------
    frame : pandas.DataFrame
        The survey (not modified).
    columns : sequence of str, default the six forms
        Items on a 1–5 scale.
    labels : sequence of str, default :data:`FREQUENCY_LABELS`
        Names of the five levels (column headers).
    high : int, default 4
        Answers at or above this level count as "high" (4 = often, 5 = very often).

    Returns
    -------
    pandas.DataFrame
        One row per item: percentage (0–100) at each level, ``median``, ``mean``,
        ``% high`` (share of answers >= ``high``, 0–100) and ``n``.

    Examples
    --------
    >>> df = pd.DataFrame({"PAR_X": [1, 4, 5, 5]})
    >>> distribution_table(df, ["PAR_X"]).loc["PAR_X", ["median", "% high"]].tolist()
    [4.5, 75.0]
    """
    columns = _as_list(columns)
    if len(labels) != 5:
        raise DescribeError(f"labels must name the 5 levels of the scale, got {len(labels)}")
    shares = response_shares(frame, columns)
    table = shares[[1, 2, 3, 4, 5]].mul(100).set_axis(list(labels), axis=1)
    for column in columns:
        values = _numeric(frame, column).dropna()
        table.loc[column, "median"] = float(values.median())
        table.loc[column, "mean"] = float(values.mean())
        table.loc[column, "% high"] = float((values >= high).mean() * 100)
    table["n"] = shares["n"].astype(int)
    return table


# ----------------------------------------------------------------------------- tests with effect sizes
def _grouped(frame: pd.DataFrame, value: str, group: str) -> tuple[list, list[np.ndarray]]:
    _require_columns(frame, [value, group])
    values = _numeric(frame, value)
    keep = values.notna() & frame[group].notna()
    data = pd.DataFrame({"value": values[keep], "group": frame.loc[keep, group].to_numpy()})
    names = sorted(data["group"].unique(), key=str)
    samples = [data.loc[data["group"] == g, "value"].to_numpy() for g in names]
    return names, samples


def kruskal_wallis(frame: pd.DataFrame, value: str, group: str) -> dict:
    """Kruskal–Wallis H test of ``value`` across the groups in ``group``, with epsilon-squared.

    Parameters
    ----------
    frame : pandas.DataFrame
        Not modified. Rows missing ``value`` or ``group`` are left out.
    value : str
        Numeric (ordinal) column, e.g. ``"PAR_SAFETY"``.
    group : str
        Column of group labels, e.g. ``"community_type"`` (at least two groups with answers).

    Returns
    -------
    dict
        ``H`` (tie-corrected, as :func:`scipy.stats.kruskal`), ``df`` (groups - 1), ``pvalue``,
        ``epsilon_sq`` (= H / (n - 1), in [0, 1]), ``n`` and ``groups`` (number of groups).

    Raises
    ------
    KeyError, TypeError
        Unknown or non-numeric column.
    ValueError
        Fewer than two groups, or every answer identical.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1, 2, 3, 4, 5, 6], "g": list("aabbcc")})
    >>> round(kruskal_wallis(df, "y", "g")["epsilon_sq"], 4)
    0.9143
    """
    names, samples = _grouped(frame, value, group)
    samples = [s for s in samples if len(s)]
    if len(samples) < 2:
        raise DescribeError(f"column {group!r} has fewer than two groups with answers to {value!r}; "
                         "Kruskal-Wallis compares at least two")
    pooled = np.concatenate(samples)
    if np.unique(pooled).size < 2:
        raise DescribeError(f"every answer to {value!r} is the same; there is nothing to compare")
    h, p = stats.kruskal(*samples)
    n = pooled.size
    return {"H": float(h), "df": len(samples) - 1, "pvalue": float(p), "epsilon_sq": float(h / (n - 1)),
            "n": int(n), "groups": len(samples)}


def mann_whitney(frame: pd.DataFrame, value: str, group: str, groups: Sequence | None = None) -> dict:
    """Mann–Whitney U test between two groups, with the rank-biserial correlation.

    Parameters
    ----------
    frame : pandas.DataFrame
        Not modified.
    value : str
        Numeric (ordinal) column.
    group : str
        Column with the group labels.
    groups : pair of labels, optional
        ``(first, second)``; required when ``group`` has more than two labels. The effect size is
        positive when ``first`` tends to answer higher.

    Returns
    -------
    dict
        ``U`` (U of the first group, as :func:`scipy.stats.mannwhitneyu`), ``pvalue``
        (two-sided, normal approximation with tie and continuity correction),
        ``rank_biserial`` (= 2U/(n1 n2) - 1, in [-1, 1]), ``n1``, ``n2``, ``first``, ``second``.

    Raises
    ------
    KeyError, TypeError
        Unknown or non-numeric column, or a label of ``groups`` absent from ``group``.
    ValueError
        Not exactly two groups, or a group without answers.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [3, 4, 5, 1, 2, 3], "g": ["a"] * 3 + ["b"] * 3})
    >>> round(mann_whitney(df, "y", "g", ("a", "b"))["rank_biserial"], 6)
    0.888889
    """
    names, samples = _grouped(frame, value, group)
    if groups is None:
        if len(names) != 2:
            raise DescribeError(f"column {group!r} has {len(names)} groups {names[:6]}; pass groups=(first, second)")
        groups = tuple(names)
    if len(groups) != 2:
        raise DescribeError(f"groups must be a pair (first, second), got {groups!r}")
    for label in groups:
        if label not in names:
            raise DescribeKeyError(f"group {label!r} has no answers to {value!r} in column {group!r}; "
                           f"groups present: {names}")
    x, y = (samples[names.index(g)] for g in groups)
    if np.unique(np.concatenate([x, y])).size < 2:
        raise DescribeError(f"every answer to {value!r} is the same in both groups; there is nothing to compare")
    u, p = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    n1, n2 = len(x), len(y)
    return {"U": float(u), "pvalue": float(p), "rank_biserial": float(2 * u / (n1 * n2) - 1), "n1": n1, "n2": n2,
            "first": groups[0], "second": groups[1]}


def spearman(frame: pd.DataFrame, x: str, y: str) -> dict:
    """Spearman's rank correlation between two numeric columns (pairwise complete cases).

    Returns
    -------
    dict
        ``rho`` (in [-1, 1], = Pearson correlation of the mid-ranks), ``pvalue`` (two-sided,
        as :func:`scipy.stats.spearmanr`) and ``n``.

    Raises
    ------
    KeyError, TypeError
        Unknown or non-numeric column.
    ValueError
        Fewer than three complete pairs or a constant column.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4]})
    >>> round(spearman(df, "a", "b")["rho"], 6)
    0.8
    """
    _require_columns(frame, [x, y])
    pair = pd.DataFrame({"x": _numeric(frame, x), "y": _numeric(frame, y)}).dropna()
    if len(pair) < 3:
        raise DescribeError(f"only {len(pair)} residents answered both {x!r} and {y!r}; need at least 3")
    for name, column in ((x, "x"), (y, "y")):
        if pair[column].nunique() < 2:
            raise DescribeError(f"column {name!r} is constant among the complete pairs; its correlation is undefined")
    rho, p = stats.spearmanr(pair["x"], pair["y"])
    return {"rho": float(rho), "pvalue": float(p), "n": len(pair)}


def holm_adjust(pvalues: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of a family of p values (same order as given).

    ``p_(i) adj = max_{j <= i} min(1, (m - j + 1) p_(j))`` over the p values sorted ascending.

    Examples
    --------
    >>> holm_adjust([0.01, 0.04, 0.03]).round(4).tolist()
    [0.03, 0.06, 0.06]
    """
    try:
        p = np.asarray(pvalues, dtype=float)
    except (TypeError, ValueError):
        raise DescribeError(f"p values must be a flat sequence of numbers in [0, 1], got {pvalues!r}") from None
    if p.ndim != 1 or np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise DescribeError(f"p values must be a flat sequence of numbers in [0, 1], got {pvalues!r}")
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def group_differences(frame: pd.DataFrame, group: str, columns: Sequence[str] = PARTICIPATION_FORMS,
                      groups: Sequence | None = None) -> pd.DataFrame:
    """Test every form for differences between groups; Holm-adjust across the forms.

    Two groups (or ``groups`` given as a pair): Mann–Whitney U with the rank-biserial
    correlation. Three or more: Kruskal–Wallis H with epsilon-squared.

    Parameters
    ----------
    frame : pandas.DataFrame
        The survey (not modified).
    group : str
        Grouping column, e.g. ``"community_type"``, ``"gender"``, ``"party_member"``.
    columns : sequence of str, default the six forms
        Numeric items to test.
    groups : pair of labels, optional
        Compare only these two groups (Mann–Whitney), effect positive when the first answers
        higher. Default with exactly two groups: the later label in sorted order first (so a
        0/1 column compares 1 with 0, e.g. party members with non-members).

    Returns
    -------
    pandas.DataFrame
        One row per item: ``test``, ``statistic``, ``pvalue``, ``p_holm``, ``effect``
        (name of the effect size), ``effect_size``, ``n`` and, per group, the median answer
        (``median <label>``).

    Examples
    --------
    >>> df = pd.DataFrame({"q": [1, 2, 3, 4, 5, 5], "g": ["a", "a", "a", "b", "b", "b"]})
    >>> group_differences(df, "g", ["q"]).loc["q", "effect"]
    'rank-biserial r (b vs a)'
    """
    columns = _as_list(columns)
    _require_columns(frame, [group, *columns])
    labels = sorted(frame[group].dropna().unique(), key=str)
    two = groups is not None or len(labels) == 2
    rows = {}
    for column in columns:
        if two:
            pair = tuple(groups) if groups is not None else (labels[1], labels[0])
            out = mann_whitney(frame, column, group, pair)
            row = {"test": "Mann-Whitney U", "statistic": out["U"], "pvalue": out["pvalue"],
                   "effect": f"rank-biserial r ({pair[0]} vs {pair[1]})", "effect_size": out["rank_biserial"],
                   "n": out["n1"] + out["n2"]}
            shown = pair
        else:
            out = kruskal_wallis(frame, column, group)
            row = {"test": "Kruskal-Wallis H", "statistic": out["H"], "pvalue": out["pvalue"],
                   "effect": "epsilon-squared", "effect_size": out["epsilon_sq"], "n": out["n"]}
            shown = labels
        values = _numeric(frame, column)
        for label in shown:
            row[f"median {label}"] = float(values[frame[group] == label].median())
        rows[column] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.insert(3, "p_holm", holm_adjust(table["pvalue"].to_numpy()))
    return table


def willingness_participation(frame: pd.DataFrame, willingness: str = "WIL",
                              columns: Sequence[str] = PARTICIPATION_FORMS) -> pd.DataFrame:
    """Spearman's rho between a willingness score and each form of participation.

    Parameters
    ----------
    frame : pandas.DataFrame
        Holds ``willingness`` (e.g. the composite score from
        :func:`chaoyang.data.composite_scores`) and the forms. Not modified.
    willingness : str, default "WIL"
        Column of the willingness score.
    columns : sequence of str, default the six forms

    Returns
    -------
    pandas.DataFrame
        One row per form: ``rho``, ``pvalue``, ``p_holm``, ``n``.

    Examples
    --------
    >>> df = pd.DataFrame({"WIL": [1.0, 2.5, 3.0, 4.5, 5.0], "PAR_X": [1, 2, 2, 4, 5]})
    >>> willingness_participation(df, columns=["PAR_X"]).loc["PAR_X", "rho"].round(3)
    np.float64(0.975)
    """
    columns = _as_list(columns)
    _require_columns(frame, [willingness, *columns])
    table = pd.DataFrame.from_dict({c: spearman(frame, willingness, c) for c in columns}, orient="index")
    table.insert(2, "p_holm", holm_adjust(table["pvalue"].to_numpy()))
    return table


__all__ = ["FREQUENCY_LABELS", "AGREEMENT_LABELS", "FORM_NAMES", "response_shares", "distribution_table",
           "kruskal_wallis", "mann_whitney", "spearman", "holm_adjust", "group_differences",
           "willingness_participation"]
