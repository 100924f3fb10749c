"""Enhanced Standard Analysis (ESA): keep untenable and contradictory assumptions out of the minimization.

The parsimonious and intermediate solutions treat logical remainders (truth-table rows without
enough cases) as if they were sufficient for the outcome whenever that simplifies the result.
Schneider and Wagemann (2012, ch. 8; 2013) argue that two kinds of such *simplifying
assumptions* must be blocked - the "Enhanced Standard Analysis":

* **untenable assumptions** - remainders that are impossible (e.g. "pregnant men") or that
  contradict a necessary condition found before: a remainder lacking a necessary condition
  cannot be sufficient for the outcome;
* **contradictory simplifying assumptions** (CSAs) - remainders that are assumed sufficient for
  the outcome in one analysis and for its negation in the other. The same row cannot be both.

:func:`esa` returns a copy of a truth table in which such remainders are declared ``OUT = 0`` (as
SetMethods' ``esa()`` does), so that :func:`chaoyang.qca.minimize` cannot use them; the excluded
rows and the reason for each are kept in ``excluded``. :func:`contradictory_assumptions` finds the
CSAs of a pair of solutions (outcome and negated outcome); pass them to ``esa(exclude_rows=...)``
in both analyses.

Differences from SetMethods 4.0's ``esa()``: a necessary condition may be any sum of products (not
at most two literals per disjunct), and observed rows are never re-coded - an observed ``OUT = 1``
row that lacks a necessary condition is reported with a warning (it is a contradiction in the data,
not an assumption), whereas SetMethods silently sets it to 0.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from chaoyang.qca._checks import QCAError, QCATypeError, QCAWarning
from chaoyang.qca.terms import config_bits, parse_term
from chaoyang.qca.truthtable import TruthTable


def _sop(expression, conditions: list[str], what: str) -> list[tuple[int, int]]:
    if not isinstance(expression, str) or not expression.strip():
        raise QCAError(f"{what} must be a non-empty expression like 'A*~B + C', got {expression!r}")
    return [parse_term(term.strip(), conditions) for term in expression.split("+")]


def _in_sop(configs: np.ndarray, terms) -> np.ndarray:
    hit = np.zeros(len(configs), dtype=bool)
    for care, value in terms:
        hit |= (configs & care) == value
    return hit


def esa(truth_table: TruthTable, *, necessary=(), untenable=(), exclude_rows=()) -> TruthTable:
    """A truth table whose untenable and contradictory remainders are closed to minimization.

    Parameters
    ----------
    truth_table : TruthTable
        From :func:`chaoyang.qca.truth_table`. Not modified.
    necessary : str or list of str
        Necessary conditions established beforehand, each a sum of products over the conditions
        (``"BEL"``, ``"BEL + CLO"``, ``"~A*B + C"``). Remainders outside any of them are excluded.
    untenable : str or list of str
        Impossible or implausible configurations, as sums of products; remainders inside any of them
        are excluded.
    exclude_rows : iterable of int
        Truth-table row numbers (1-based, R's numbering) to exclude, e.g. the contradictory
        simplifying assumptions from :func:`contradictory_assumptions`. Each must be a remainder.

    Returns
    -------
    TruthTable
        The observed rows unchanged plus one ``OUT = 0`` row (``n = 0``, ``incl`` and ``PRI`` NaN,
        ``cases`` empty) per excluded remainder, in row order; attribute ``excluded`` (a
        DataFrame indexed by row with the condition columns and ``reason``).

    Raises
    ------
    TypeError
        ``truth_table`` is not a TruthTable.
    ValueError
        An expression naming an unknown condition; empty or contradictory expressions (``A*~A``), row numbers outside ``1 .. 2**k`` or that
        are observed rows (they are not assumptions), more than 20 conditions.

    Warns
    -----
    QCAWarning
        An observed ``OUT = 1`` row lies outside a declared necessary condition.

    Examples
    --------
    >>> import pandas as pd
    >>> from chaoyang.qca import minimize, truth_table
    >>> df = pd.DataFrame({"A": [1, 0], "B": [1, 0], "C": [1, 0], "Y": [1, 0]})
    >>> tt = truth_table(df, "Y", ["A", "B", "C"])
    >>> [m.expression for m in minimize(tt, include="?").models]
    ['A', 'B', 'C']
    >>> safe = esa(tt, untenable="A*~B")  # say A without B is impossible
    >>> safe.excluded.index.tolist(), safe.excluded["reason"].tolist()
    ([5, 6], ['untenable: A*~B', 'untenable: A*~B'])
    >>> [m.expression for m in minimize(safe, include="?").models]  # A and C both cover row 6 (A*~B*C)
    ['B']
    """
    if not isinstance(truth_table, TruthTable):
        raise QCATypeError(f"esa() needs a TruthTable from truth_table(), got {type(truth_table).__name__}")
    tt = truth_table
    k = tt.k
    if k > 20:
        raise QCAError(f"{k} conditions: 2**{k} remainders are too many to screen")
    necessary = [necessary] if isinstance(necessary, str) else list(necessary)
    untenable = [untenable] if isinstance(untenable, str) else list(untenable)
    observed = set(int(r) for r in tt.table.index)
    remainders = np.array([r for r in range(1, 2**k + 1) if r not in observed], dtype=np.int64)
    configs = remainders - 1
    reasons: dict[int, list[str]] = {}
    for expression in necessary:
        outside = ~_in_sop(configs, _sop(expression, tt.conditions, "a necessary condition"))
        for r in remainders[outside]:
            reasons.setdefault(int(r), []).append(f"lacks necessary {expression.strip()}")
        positive = tt.configs(1)
        bad = positive[~_in_sop(positive, _sop(expression, tt.conditions, "a necessary condition"))]
        if bad.size:
            warnings.warn(f"observed row(s) {(bad + 1).tolist()} have OUT = 1 but lie outside the necessary "
                          f"condition {expression.strip()!r}: the data contradict the necessity claim (rows kept)",
                          QCAWarning, stacklevel=2)
    for expression in untenable:
        inside = _in_sop(configs, _sop(expression, tt.conditions, "an untenable configuration"))
        for r in remainders[inside]:
            reasons.setdefault(int(r), []).append(f"untenable: {expression.strip()}")
    for raw in exclude_rows:
        if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, (int, np.integer)):
            raise QCATypeError(f"exclude_rows must hold row numbers (integers), got {raw!r}")
        r = int(raw)
        if not 1 <= r <= 2**k:
            raise QCAError(f"row {r} does not exist: rows are numbered 1 to {2**k} for {k} conditions")
        if r in observed:
            raise QCAError(f"row {r} is an observed truth-table row, not a remainder: only assumptions about "
                           "remainders can be excluded (change incl_cut/n_cut to recode observed rows)")
        reasons.setdefault(r, []).append("excluded row (e.g. contradictory simplifying assumption)")
    rows = sorted(reasons)
    excluded = pd.DataFrame(config_bits(np.array(rows, dtype=np.int64) - 1, k).astype(int), columns=tt.conditions,
                            index=pd.Index(rows, name="row"))
    excluded["reason"] = ["; ".join(reasons[r]) for r in rows]
    table = tt.table
    if rows:
        added = excluded[tt.conditions].copy()
        added["OUT"] = pd.Series([0] * len(rows), index=added.index, dtype=object)
        added["n"] = 0
        added["incl"] = np.nan
        added["PRI"] = np.nan
        added["cases"] = ""
        table = pd.concat([tt.table, added[tt.table.columns]]).sort_index()
        table.index.name = "row"
    observed_n = {r: n for r, n in tt.observed_n.items() if r not in reasons}
    return replace(tt, table=table, observed_n=observed_n, excluded=excluded)


def contradictory_assumptions(positive, negative, *, models: str = "first") -> list[int]:
    """Remainder rows assumed sufficient both for the outcome and for its negation (CSAs).

    Parameters
    ----------
    positive, negative : Solution
        Parsimonious or intermediate solutions for ``Y`` and for ``~Y`` over the same conditions.
    models : {"first", "all"}, default "first"
        Compare the simplifying assumptions of the first models (the ones usually reported), or of
        every model of each solution.

    Returns
    -------
    list of int
        Row numbers (1-based), ascending; pass them to ``esa(exclude_rows=...)`` for both analyses.

    Examples
    --------
    >>> import pandas as pd
    >>> from chaoyang.qca import minimize, truth_table
    >>> df = pd.DataFrame({"A": [1, 0], "B": [1, 0], "Y": [1, 0]})
    >>> pos = minimize(truth_table(df, "Y", ["A", "B"]), include="?")
    >>> neg = minimize(truth_table(df, "~Y", ["A", "B"]), include="?")
    >>> pos.models[0].expression, neg.models[0].expression
    ('A', '~A')
    >>> contradictory_assumptions(pos, neg)  # M1 of Y uses row 3 (A*~B), M1 of ~Y uses row 2 (~A*B)
    []
    >>> contradictory_assumptions(pos, neg, models="all")  # with B / ~B, the other models, they overlap
    [2, 3]
    """
    from chaoyang.qca.minimize import Solution

    for name, sol in (("positive", positive), ("negative", negative)):
        if not isinstance(sol, Solution):
            raise QCATypeError(f"{name} must be a Solution from chaoyang.qca.minimize, got {type(sol).__name__}")
        if sol.kind == "complex":
            raise QCAError(f"the {name} solution is a complex solution: it makes no simplifying assumptions")
    if positive.truth_table.conditions != negative.truth_table.conditions:
        raise QCAError(f"the two solutions have different conditions ({positive.truth_table.conditions} vs "
                       f"{negative.truth_table.conditions}); CSAs compare analyses of the same truth table space")
    if models not in ("first", "all"):
        raise QCAError(f"models must be 'first' or 'all', got {models!r}")

    def rows(sol) -> set[int]:
        chosen = sol.models[:1] if models == "first" else sol.models
        out: set[int] = set()
        for m in chosen:
            out |= set(int(r) for r in m.simplifying_assumptions.index)
        return out

    return sorted(rows(positive) & rows(negative))


__all__ = ["contradictory_assumptions", "esa"]
