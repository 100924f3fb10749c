"""Input checks shared by the QCA functions: every bad input gets an error or warning naming the column.

Errors subclass the built-in ``ValueError``/``KeyError``/``TypeError`` so that callers can catch
them either way.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from chaoyang._validate import check_frame
from chaoyang.errors import ChaoyangError, ChaoyangWarning

#: Above this many conditions minimization is refused (the truth table has 2**k rows and the
#: prime-implicant search visits every subset of conditions; see the package docstring).
MAX_CONDITIONS = 15

#: Warn about limited diversity when 2**k exceeds this multiple of the number of cases.
DIVERSITY_RATIO = 10


class QCAError(ChaoyangError, ValueError):
    """A QCA input or setting that cannot be analysed; the message names the column or value and the fix."""


class QCATypeError(ChaoyangError, TypeError):
    """A QCA argument of the wrong type (e.g. a non-numeric membership column)."""


class QCAWarning(ChaoyangWarning):
    """Warning about a QCA input that is legal but probably not what the analyst wants."""


class UnknownColumnError(ChaoyangError, KeyError):
    """A column name that is not in the data (a ``KeyError`` whose message reads normally)."""

    def __str__(self) -> str:  # KeyError would otherwise print the message inside quotes
        return str(self.args[0]) if self.args else ""


#: Characters a condition or outcome name may not contain: they are the notation of solutions
#: (``*`` AND, ``+`` OR, ``~``/``!`` NOT, parentheses, commas between names, spaces).
OPERATOR_CHARACTERS = "*+~!(),&|"
_BAD_NAME = re.compile(r"[*+~!(),&|\s]")


def check_set_name(name: str, what: str = "condition") -> str:
    """Refuse a set name holding solution operators (``A*B``, ``~``, ``+``, spaces, parentheses).

    A condition named ``A*B`` would give the unreadable solution ``A*B + C``.

    Examples
    --------
    >>> check_set_name("TRUST")
    'TRUST'
    >>> check_set_name("A*B")
    Traceback (most recent call last):
    ...
    chaoyang.qca._checks.QCAError: condition name 'A*B' contains '*', an operator of QCA's notation (* AND, + OR, ~ NOT, parentheses, commas, spaces): rename the column, e.g. data.rename(columns={'A*B': 'A_B'})
    """
    if not isinstance(name, str):
        raise QCATypeError(f"a {what} name must be a string, got {type(name).__name__}: {name!r}")
    found = _BAD_NAME.search(name)
    if found or not name:
        shown = repr(found.group()) if found else "nothing"
        fixed = _BAD_NAME.sub("_", name).strip("_") or "X"
        raise QCAError(f"{what} name {name!r} contains {shown}, an operator of QCA's notation (* AND, + OR, ~ NOT, "
                       f"parentheses, commas, spaces): rename the column, e.g. data.rename(columns={{{name!r}: "
                       f"{fixed!r}}})")
    return name


def split_negation(name: str) -> tuple[str, bool]:
    """Split ``"~SURV"`` into ``("SURV", True)`` and ``"SURV"`` into ``("SURV", False)``."""
    if not isinstance(name, str):
        raise QCATypeError(f"a set name must be a string, got {type(name).__name__}: {name!r}")
    text = name.strip()
    negated = False
    while text.startswith(("~", "-")) or text.startswith("!"):
        text = text[1:].strip()
        negated = not negated
    if not text:
        raise QCAError(f"empty set name in {name!r}")
    return text, negated


def check_columns_exist(data: pd.DataFrame, names, what: str = "column") -> None:
    """Raise :class:`UnknownColumnError` naming every requested column missing from ``data``."""
    missing = [n for n in names if n not in data.columns]
    if missing:
        raise UnknownColumnError(
            f"unknown {what}(s) {missing}: not among the data columns {list(map(str, data.columns))}; "
            "check the spelling (names are case-sensitive)"
        )


def membership_column(data: pd.DataFrame, column: str) -> np.ndarray:
    """Return ``data[column]`` as float membership scores after checking type, NaN and range.

    Raises
    ------
    UnknownColumnError
        ``column`` is not in ``data``.
    TypeError
        The column is not numeric.
    ValueError
        The column has missing values or scores outside [0, 1].
    """
    check_columns_exist(data, [column])
    series = data[column]
    if isinstance(series, pd.DataFrame):
        raise QCAError(f"column {column!r} appears more than once in the data; rename the duplicates")
    if len(series) == 0:
        raise QCAError(f"column {column!r} has no cases (the data have zero rows); QCA needs at least one case")
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise QCATypeError(
            f"column {column!r} is not numeric (dtype {series.dtype}); QCA needs membership scores in [0, 1] "
            "- calibrate raw data first (chaoyang.qca.calibrate)"
        )
    values = series.to_numpy(dtype=float, na_value=np.nan)
    n_missing = int(np.isnan(values).sum())
    if n_missing == len(values):
        raise QCAError(f"column {column!r} is missing (NaN) in every one of its {len(values)} case(s); calibrate it "
                       "or drop it from the analysis")
    if n_missing:
        cases = list(map(str, series.index[np.isnan(values)][:5]))
        raise QCAError(
            f"column {column!r} has {n_missing} missing value(s) (cases {cases}...); QCA cannot use missing "
            "memberships - drop or impute those cases first"
        )
    bad = (values < 0) | (values > 1) | np.isinf(values)
    if bad.any():
        raise QCAError(
            f"column {column!r} has membership scores outside [0, 1] (e.g. {values[bad][:3].tolist()}); "
            "calibrate raw data first (chaoyang.qca.calibrate)"
        )
    return values


def check_conditions(data: pd.DataFrame, outcome: str, conditions) -> tuple[str, bool, list[str]]:
    """Validate an outcome (possibly negated, ``"~Y"``) and a list of conditions.

    Returns the bare outcome name, whether it is negated, and the conditions as a list.
    """
    if not isinstance(data, pd.DataFrame):
        raise QCATypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    check_frame(data, "data")
    outcome_name, negated = split_negation(outcome)
    check_set_name(outcome_name, "outcome")
    if isinstance(conditions, str):
        conditions = [c.strip() for c in conditions.split(",") if c.strip()]
    try:
        conditions = list(conditions)
    except TypeError:
        raise QCATypeError(f"conditions must be a list of column names (or one comma-separated string), got "
                           f"{type(conditions).__name__}: {conditions!r}") from None
    if not conditions:
        raise QCAError("no conditions given; pass a list of column names")
    for c in conditions:
        if not isinstance(c, str):
            raise QCATypeError(f"condition names must be strings, got {c!r}")
        if c.strip().startswith(("~", "-", "!")):
            raise QCAError(f"condition {c!r}: give bare column names; negations are handled by the analysis")
        check_set_name(c)
    dupes = sorted({c for c in conditions if conditions.count(c) > 1})
    if dupes:
        raise QCAError(f"duplicated condition(s) {dupes}")
    if outcome_name in conditions:
        raise QCAError(
            f"the outcome {outcome_name!r} is also listed among the conditions; remove it from `conditions`"
        )
    check_columns_exist(data, [outcome_name], what="outcome column")
    check_columns_exist(data, conditions, what="condition column")
    return outcome_name, negated, conditions


def warn_constant(name: str, values: np.ndarray) -> None:
    """Warn that a condition does not vary (it cannot discriminate between configurations)."""
    if values.size and np.ptp(values) == 0:
        warnings.warn(
            f"condition {name!r} is constant (all scores = {values[0]:g}); it cannot explain variation in "
            "the outcome - consider dropping it",
            QCAWarning,
            stacklevel=3,
        )


def warn_limited_diversity(n_conditions: int, n_cases: int) -> None:
    """Warn when the number of logically possible configurations dwarfs the number of cases."""
    if 2**n_conditions > DIVERSITY_RATIO * n_cases:
        warnings.warn(
            f"{n_conditions} conditions give 2**{n_conditions} = {2**n_conditions} possible configurations "
            f"for only {n_cases} cases (more than {DIVERSITY_RATIO}x): most rows will be remainders and the "
            "solutions rest on many counterfactuals - use fewer conditions",
            QCAWarning,
            stacklevel=3,
        )
