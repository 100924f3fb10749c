"""Conjunctions of literals as bit masks, their names, R QCA's ordering and their set memberships.

A configuration of ``k`` binary conditions is an integer whose bit ``k-1-j`` holds condition ``j``
(the first condition is the most significant bit, so R's 1-based truth-table row number is
``config + 1``). A term (an implicant) is a pair ``(care, value)`` of masks: the conditions that
appear in the term and, among them, those that appear un-negated. A term covers a configuration
``c`` when ``c & care == value``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang._validate import check_frame
from chaoyang.qca._checks import QCAError, check_columns_exist, membership_column, split_negation


def bit(j: int, k: int) -> int:
    """Bit of condition ``j`` (0-based, first condition most significant) among ``k`` conditions."""
    return 1 << (k - 1 - j)


def config_bits(configs, k: int) -> np.ndarray:
    """0/1 matrix (one row per configuration, one column per condition) of integer configurations."""
    configs = np.asarray(configs, dtype=np.int64).reshape(-1)
    shifts = np.arange(k - 1, -1, -1, dtype=np.int64)
    return ((configs[:, None] >> shifts[None, :]) & 1).astype(np.int8)


def term_string(care: int, value: int, conditions: list[str]) -> str:
    """R QCA's name of a term, e.g. ``"DEV*~IND"`` (literals in condition order).

    Examples
    --------
    >>> term_string(0b10010, 0b10000, ["DEV", "URB", "LIT", "IND", "STB"])
    'DEV*~IND'
    """
    k = len(conditions)
    literals = []
    for j, name in enumerate(conditions):
        b = bit(j, k)
        if care & b:
            literals.append(name if value & b else "~" + name)
    return "*".join(literals) if literals else "1"


def term_literals(care: int, value: int, conditions: list[str]) -> list[str]:
    """The literals of a term as a list, e.g. ``["DEV", "~IND"]``."""
    text = term_string(care, value, conditions)
    return [] if text == "1" else text.split("*")


def parse_term(text: str, conditions: list[str]) -> tuple[int, int]:
    """Parse ``"DEV*~IND"`` into ``(care, value)`` masks.

    Raises
    ------
    ValueError
        A literal names no condition, or a condition appears twice with both signs.
    """
    k = len(conditions)
    care = value = 0
    for raw in text.split("*"):
        name, negated = split_negation(raw)
        if name not in conditions:
            raise QCAError(f"literal {raw.strip()!r} in term {text!r} names no condition of {conditions}")
        b = bit(conditions.index(name), k)
        if care & b and bool(value & b) == negated:
            raise QCAError(f"term {text!r} holds both {name} and ~{name} (an empty set)")
        care |= b
        if not negated:
            value |= b
    return care, value


def r_codes(care: int, value: int, k: int) -> tuple[int, ...]:
    """R QCA's implicant coding: 0 = absent from the term, 1 = negated, 2 = present."""
    return tuple(0 if not care & bit(j, k) else (2 if value & bit(j, k) else 1) for j in range(k))


def r_sort(implicants: list[tuple[int, int]], k: int) -> list[int]:
    """Order implicants exactly as R QCA 3.x does (C functions ``sort_cols``/``sort_matrix``).

    For each condition from the last to the first, a stable sort puts coded values in the order
    1 (negated), 2 (present), 0 (absent); when no implicant lacks the condition R's loop leaves the
    last position out of the second pass, which this function reproduces. Finally a stable sort by
    the number of literals. The input order matters for ties, so pass implicants in the order R
    discovers them.

    Returns
    -------
    list of int
        Positions into ``implicants``.
    """
    codes = [r_codes(c, v, k) for c, v in implicants]
    order = list(range(len(implicants)))
    n = len(order)
    if n == 0:
        return order
    for i in range(k - 1, -1, -1):
        order.sort(key=lambda o: -codes[o][i])
        first_zero = next((p for p, o in enumerate(order) if codes[o][i] == 0), None)
        end = first_zero if first_zero is not None else n - 1  # R's off-by-one when no zero exists
        order[:end] = sorted(order[:end], key=lambda o: codes[o][i])
    order.sort(key=lambda o: bin(implicants[o][0]).count("1"))
    return order


def covers(care: int, value: int, configs: np.ndarray) -> np.ndarray:
    """Boolean array: which integer configurations the term covers."""
    return (np.asarray(configs, dtype=np.int64) & care) == value


def expand(care: int, value: int, k: int) -> np.ndarray:
    """All configurations (integers, ascending) covered by a term."""
    free = [bit(j, k) for j in range(k) if not care & bit(j, k)]
    out = np.array([value], dtype=np.int64)
    for b in free:
        out = np.concatenate([out, out | b])
    return np.sort(out)


def literal_matrix(data: pd.DataFrame, conditions: list[str]) -> np.ndarray:
    """Memberships ``(n_cases, 2k)``: the k conditions followed by their negations."""
    x = np.column_stack([membership_column(data, c) for c in conditions]) if conditions else np.empty((len(data), 0))
    return np.hstack([x, 1.0 - x])


def term_membership(lit: np.ndarray, care: int, value: int, k: int) -> np.ndarray:
    """Fuzzy membership of every case in a term: the minimum over its literals."""
    cols = [j if value & bit(j, k) else j + k for j in range(k) if care & bit(j, k)]
    if not cols:
        return np.ones(lit.shape[0])
    return lit[:, cols].min(axis=1)


def expression_membership(data: pd.DataFrame, expression: str) -> np.ndarray:
    """Membership of every case in a sum of products such as ``"DEV*~IND + URB*STB"``.

    Parameters
    ----------
    data : DataFrame
        Membership scores in [0, 1], one column per set named in the expression.
    expression : str
        ``*`` for AND (minimum), ``+`` for OR (maximum), ``~`` for NOT (1 - x).

    Returns
    -------
    ndarray of float
        Membership of each case (row of ``data``) in the expression, in [0, 1].

    Raises
    ------
    KeyError
        A set name that is not a column (``UnknownColumnError``).
    ValueError
        Empty expression, missing values or scores outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [0.2, 0.9], "B": [0.7, 0.4]})
    >>> expression_membership(df, "A*~B + B").round(2).tolist()
    [0.7, 0.6]
    """
    if not isinstance(expression, str) or not expression.strip():
        raise QCAError(f"expression must be a non-empty string like 'A*~B + C', got {expression!r}")
    check_frame(data, "data")
    disjuncts = []
    for term in expression.split("+"):
        parts = []
        for raw in term.split("*"):
            name, negated = split_negation(raw)
            check_columns_exist(data, [name], what="set")
            x = membership_column(data, name)
            parts.append(1.0 - x if negated else x)
        disjuncts.append(np.min(np.vstack(parts), axis=0))
    return np.max(np.vstack(disjuncts), axis=0)


def _safe_ratio(num: float, den: float) -> float:
    return float(num / den) if den != 0 else float("nan")


def sufficiency_fit(memberships: np.ndarray, y: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """Parameters of fit of terms and of their disjunction as R QCA's ``pof`` computes them.

    Parameters
    ----------
    memberships : ndarray, shape (n_cases, n_terms)
        Membership of each case in each term.
    y : ndarray, shape (n_cases,)
        Outcome membership (already negated if the negated outcome is explained).

    Returns
    -------
    term_fit : DataFrame
        Columns ``inclS, PRI, covS, covU`` (``covU`` is NaN for a single term, as R leaves it out).
    fit : dict
        ``inclS, PRI, covS`` of the disjunction (maximum over terms).
    """
    memberships = np.atleast_2d(memberships)
    if memberships.shape[0] != y.shape[0]:
        memberships = memberships.T
    sum_y = y.sum()
    pmin = np.minimum(memberships, y[:, None])
    pmin_negy = np.minimum(pmin, (1.0 - y)[:, None])
    sum_x = memberships.sum(axis=0)
    sum_pmin = pmin.sum(axis=0)
    sum_pmin_negy = pmin_negy.sum(axis=0)
    n_terms = memberships.shape[1]
    if n_terms > 1:
        # best other term per case: the maximum, or the runner-up for the term holding the maximum
        top = pmin.max(axis=1)
        runner_up = np.partition(pmin, n_terms - 2, axis=1)[:, n_terms - 2]
        holder = pmin.argmax(axis=1)
    rows = []
    for t in range(n_terms):
        incl = _safe_ratio(sum_pmin[t], sum_x[t])
        pri = _safe_ratio(sum_pmin[t] - sum_pmin_negy[t], sum_x[t] - sum_pmin_negy[t])
        cov = _safe_ratio(sum_pmin[t], sum_y)
        if n_terms > 1:
            others = np.where(holder == t, runner_up, top)
            cov_u = cov - _safe_ratio(np.minimum(pmin[:, t], others).sum(), sum_y)
        else:
            cov_u = float("nan")
        rows.append({"inclS": incl, "PRI": pri, "covS": cov, "covU": cov_u})
    term_fit = pd.DataFrame(rows, columns=["inclS", "PRI", "covS", "covU"])
    solution = memberships.max(axis=1)
    s_pmin = np.minimum(solution, y)
    s_negy = np.minimum(s_pmin, 1.0 - y)
    fit = {
        "inclS": _safe_ratio(s_pmin.sum(), solution.sum()),
        "PRI": _safe_ratio(s_pmin.sum() - s_negy.sum(), solution.sum() - s_negy.sum()),
        "covS": _safe_ratio(s_pmin.sum(), sum_y),
    }
    return term_fit, fit
