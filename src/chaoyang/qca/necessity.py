"""Analysis of necessary conditions (R QCA's ``pof(..., relation = "necessity")``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang.qca._checks import QCAError, check_conditions, membership_column, warn_constant
from chaoyang.qca.terms import expression_membership


def necessity_fit(x: np.ndarray, y: np.ndarray) -> dict:
    """Consistency (``inclN``), relevance (``RoN``) and coverage (``covN``) of X as necessary for Y.

    ``inclN = sum(min(X, Y)) / sum(Y)``, ``RoN = sum(1 - X) / sum(1 - min(X, Y))``,
    ``covN = sum(min(X, Y)) / sum(X)`` (Schneider and Wagemann 2012; R QCA's ``pof``).

    Examples
    --------
    >>> import numpy as np
    >>> necessity_fit(np.array([1.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0]))["inclN"]
    1.0
    """
    pmin = np.minimum(x, y)

    def ratio(a, b):
        return float(a / b) if b != 0 else float("nan")

    return {
        "inclN": ratio(pmin.sum(), y.sum()),
        "RoN": ratio((1 - x).sum(), (1 - pmin).sum()),
        "covN": ratio(pmin.sum(), x.sum()),
    }


def necessity(data: pd.DataFrame, outcome: str, conditions, *, disjunctions=None) -> pd.DataFrame:
    """Parameters of necessity of each condition and its negation for an outcome.

    Parameters
    ----------
    data : DataFrame
        Calibrated membership scores in [0, 1], one row per case.
    outcome : str
        Outcome column; prefix ``~`` to analyse its negation (``"~SURV"``).
    conditions : list of str
        Condition columns (each is analysed present and negated).
    disjunctions : list of str, optional
        Extra expressions such as ``"DEV + URB"`` or ``"LIT*STB + ~IND"`` (SUIN conditions), analysed
        as they are; they are appended after the literals.

    Returns
    -------
    DataFrame
        Indexed by literal (``"DEV"``, ..., then ``"~DEV"``, ...; then the disjunctions), with columns
        ``inclN`` (consistency), ``RoN`` (relevance) and ``covN`` (coverage), each in [0, 1].

    Raises
    ------
    KeyError
        Unknown column (``UnknownColumnError``).
    ValueError
        Missing values, scores outside [0, 1], outcome among the conditions.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 0, 1], "B": [0, 1, 1, 0], "Y": [1, 1, 0, 0]})
    >>> necessity(df, "Y", ["A", "B"]).loc["A", "inclN"]
    np.float64(1.0)
    """
    outcome_name, negated, conditions = check_conditions(data, outcome, conditions)
    if len(data) == 0:
        raise QCAError("the data have zero rows: necessity needs at least one case")
    y = membership_column(data, outcome_name)
    if negated:
        y = 1.0 - y
    if y.sum() == 0:
        raise QCAError(f"the outcome {outcome!r} has membership 0 in every case: consistency of necessity "
                       "(sum(min(X, Y)) / sum(Y)) is undefined - check the outcome's calibration")
    rows, index = [], []
    xs = {}
    for c in conditions:
        xs[c] = membership_column(data, c)
        warn_constant(c, xs[c])
    for c in conditions:
        rows.append(necessity_fit(xs[c], y))
        index.append(c)
    for c in conditions:
        rows.append(necessity_fit(1.0 - xs[c], y))
        index.append("~" + c)
    for expression in disjunctions or []:
        rows.append(necessity_fit(expression_membership(data, expression), y))
        index.append(expression)
    table = pd.DataFrame(rows, index=pd.Index(index, name="literal"), columns=["inclN", "RoN", "covN"])
    table.attrs["outcome"] = outcome
    return table
