"""Sensitivity ranges: how far a calibration anchor or a cut-off can move before the solution changes.

Oana and Schneider (2024) introduce "the notion of 'sensitivity range' as the range of values for
any of these parameters within which the solution formula remains unchanged"; SetMethods 4.0
computes them with ``rob.calibrange``, ``rob.inclrange`` and ``rob.ncutrange``. The functions here
follow the same search: starting from the chosen value, move one step at a time (down, then up)
and re-run truth table and minimization; stop at the first value where the first model's set of
terms differs from the initial one, where no solution can be derived, where the parameter would
leave its legal range, or after ``max_runs`` steps. The bound reported is the last value that
still gave the initial solution; a bound reached after ``max_runs`` steps without any change is
flagged *open* (SetMethods reports ``NA`` there): the solution may stay the same beyond it.

Calibration anchors are tested one at a time (exclusion, crossover, inclusion), each moved while
the other two stay put; an anchor cannot pass its neighbours (``exclusion < crossover < inclusion``
for an increasing set).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang.qca._checks import QCAError, QCATypeError, QCAWarning, check_columns_exist
from chaoyang.qca.calibrate import calibrate
from chaoyang.qca.minimize import minimize
from chaoyang.qca.truthtable import truth_table

#: Steps of the search when none is given: 0.01 for consistency, 1 case for n_cut.
DEFAULT_STEPS = {"incl_cut": 0.01, "n_cut": 1}

_KINDS = {"complex": {}, "parsimonious": {"include": "?"}, "intermediate": {"include": "?"}}


def _real(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value):
        raise QCATypeError(f"{name}={value!r} must be a finite number")
    return float(value)


def _check_search(step, max_runs, name: str) -> tuple[float, int]:
    step = _real(step, "step")
    if step <= 0:
        raise QCAError(f"step={step} must be positive (the search moves {name} by this much each run)")
    if isinstance(max_runs, (bool, np.bool_)) or not isinstance(max_runs, (int, np.integer)) or max_runs < 1:
        raise QCAError(f"max_runs={max_runs!r} must be a whole number of at least 1")
    return step, int(max_runs)


def _check_cut(incl_cut, n_cut, pri_cut) -> None:
    for name, value in (("incl_cut", incl_cut), ("pri_cut", pri_cut)):
        v = _real(value, name)
        if not 0 <= v <= 1:
            raise QCAError(f"{name}={v} is outside [0, 1]: consistency and PRI cut-offs are proportions")
    if isinstance(n_cut, (bool, np.bool_)) or not isinstance(n_cut, (int, np.integer)) or n_cut < 1:
        raise QCAError(f"n_cut={n_cut!r} must be a whole number of cases, at least 1")


@dataclass(repr=False)
class SensitivityRanges(ResultMixin):
    """Sensitivity ranges of one or more parameters.

    Attributes
    ----------
    table : DataFrame
        One row per parameter: ``parameter`` (e.g. ``"incl_cut"``, ``"RES: crossover"``),
        ``value`` (the chosen value), ``lower``, ``upper`` (the range over which the solution is
        unchanged), ``lower_open``/``upper_open`` (True when the search stopped after
        ``max_runs`` steps without a change) and ``solution`` (the initial first model).
    """

    table: pd.DataFrame

    def __repr__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def summary(self) -> str:
        """One line per parameter: ``lower <= value <= upper`` (``open`` marks an unbounded side)."""
        lines = ["Sensitivity ranges (the solution is unchanged within each range)"]
        for _, row in self.table.iterrows():
            lo = f"{row['lower']:g}{' (open)' if row['lower_open'] else ''}"
            hi = f"{row['upper']:g}{' (open)' if row['upper_open'] else ''}"
            lines.append(f"  {row['parameter']}: {lo} <= {row['value']:g} <= {hi}")
        return "\n".join(lines)

    @staticmethod
    def concat(results) -> "SensitivityRanges":
        """Stack several results into one table (e.g. every anchor and both cut-offs)."""
        return SensitivityRanges(pd.concat([r.table for r in results], ignore_index=True))


def _solver(outcome, conditions, incl_cut, n_cut, pri_cut, solution, dir_exp):
    if solution not in _KINDS:
        raise QCAError(f"solution must be one of {list(_KINDS)}, got {solution!r}")
    if solution == "intermediate" and dir_exp is None:
        raise QCAError("solution='intermediate' needs dir_exp (directional expectations)")
    kwargs = dict(_KINDS[solution])
    if solution == "intermediate":
        kwargs["dir_exp"] = dir_exp

    def solve(frame, incl=incl_cut, ncut=n_cut, pri=pri_cut, quiet=True):
        """Terms of the first model, or None when this setting yields no solution."""
        with warnings.catch_warnings():
            if quiet:  # the scan visits many settings; warn about the analyst's own setting only
                warnings.simplefilter("ignore", QCAWarning)
            try:
                tt = truth_table(frame, outcome, conditions, incl_cut=incl, n_cut=ncut, pri_cut=pri)
                return frozenset(minimize(tt, max_models=1, **kwargs).models[0].terms)
            except ValueError:
                return None

    return solve


def _scan(value: float, step: float, max_runs: int, direction: int, allowed, same) -> tuple[float, bool]:
    """Last value (moving from ``value``) that keeps the solution, and whether max_runs ended the search."""
    last = value
    for run in range(1, max_runs + 1):
        candidate = round(value + direction * run * step, 10)
        if not allowed(candidate) or not same(candidate):
            return last, False
        last = candidate
    return last, True


def _row(parameter, value, lower, upper, initial) -> dict:
    return {"parameter": parameter, "value": float(value), "lower": float(lower[0]), "upper": float(upper[0]),
            "lower_open": bool(lower[1]), "upper_open": bool(upper[1]), "solution": " + ".join(sorted(initial))}


def incl_range(data: pd.DataFrame, outcome: str, conditions, *, incl_cut: float = 0.8, n_cut: int = 1,
               pri_cut: float = 0.0, solution: str = "parsimonious", dir_exp=None, step: float = 0.01,
               max_runs: int = 20) -> SensitivityRanges:
    """Sensitivity range of the consistency cut-off (SetMethods' ``rob.inclrange``).

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships.
    outcome, conditions
        As for :func:`chaoyang.qca.truth_table`.
    incl_cut, n_cut, pri_cut : float, int, float
        The chosen cut-offs; ``incl_cut`` is the one varied, within [0, 1].
    solution : {"parsimonious", "complex", "intermediate"}
        Which solution must stay unchanged (its first model's terms).
    dir_exp : optional
        Directional expectations (intermediate solution only).
    step : float, default 0.01
        Change per run.
    max_runs : int, default 20
        Runs per direction before the search gives up (the side is then *open*).

    Returns
    -------
    SensitivityRanges

    Raises
    ------
    ValueError
        Cut-offs outside their ranges, a non-positive ``step``, or no solution at the chosen values.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [0.9, 0.8, 0.2, 0.7, 0.1], "B": [0.8, 0.3, 0.9, 0.6, 0.2],
    ...                    "Y": [0.9, 0.7, 0.6, 0.8, 0.1]})
    >>> r = incl_range(df, "Y", ["A", "B"], incl_cut=0.9, step=0.05, max_runs=4)
    >>> r.table[["lower", "upper", "upper_open"]].values.tolist()  # row ~A*B has incl 0.8125
    [[0.85, 1.0, False]]
    """
    _check_cut(incl_cut, n_cut, pri_cut)
    step, max_runs = _check_search(step, max_runs, "incl_cut")
    solve = _solver(outcome, conditions, incl_cut, n_cut, pri_cut, solution, dir_exp)
    initial = solve(data, quiet=False)
    if initial is None:
        raise QCAError(f"no solution at incl_cut={incl_cut}, n_cut={n_cut}, pri_cut={pri_cut}: nothing to test")
    same = lambda v: solve(data, incl=v) == initial  # noqa: E731
    lower = _scan(float(incl_cut), step, max_runs, -1, lambda v: v >= 0, same)
    upper = _scan(float(incl_cut), step, max_runs, +1, lambda v: v <= 1, same)
    return SensitivityRanges(pd.DataFrame([_row("incl_cut", float(incl_cut), lower, upper, initial)]))


def pri_range(data: pd.DataFrame, outcome: str, conditions, *, incl_cut: float = 0.8, n_cut: int = 1,
              pri_cut: float = 0.0, solution: str = "parsimonious", dir_exp=None, step: float = 0.01,
              max_runs: int = 20) -> SensitivityRanges:
    """Sensitivity range of the PRI cut-off (no SetMethods counterpart; same search as :func:`incl_range`).

    Returns
    -------
    SensitivityRanges

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 1, 0, 0, 0], "B": [1, 1, 0, 1, 0, 0], "Y": [1, 1, 1, 0, 0, 0]})
    >>> pri_range(df, "Y", ["A", "B"], pri_cut=0.5, step=0.1, max_runs=10).table[["lower", "upper"]].values.tolist()
    [[0.0, 1.0]]
    """
    _check_cut(incl_cut, n_cut, pri_cut)
    step, max_runs = _check_search(step, max_runs, "pri_cut")
    solve = _solver(outcome, conditions, incl_cut, n_cut, pri_cut, solution, dir_exp)
    initial = solve(data, quiet=False)
    if initial is None:
        raise QCAError(f"no solution at incl_cut={incl_cut}, n_cut={n_cut}, pri_cut={pri_cut}: nothing to test")
    same = lambda v: solve(data, pri=v) == initial  # noqa: E731
    lower = _scan(float(pri_cut), step, max_runs, -1, lambda v: v >= 0, same)
    upper = _scan(float(pri_cut), step, max_runs, +1, lambda v: v <= 1, same)
    return SensitivityRanges(pd.DataFrame([_row("pri_cut", float(pri_cut), lower, upper, initial)]))


def ncut_range(data: pd.DataFrame, outcome: str, conditions, *, incl_cut: float = 0.8, n_cut: int = 1,
               pri_cut: float = 0.0, solution: str = "parsimonious", dir_exp=None, step: int = 1,
               max_runs: int = 20) -> SensitivityRanges:
    """Sensitivity range of the frequency cut-off (SetMethods' ``rob.ncutrange``).

    Parameters are those of :func:`incl_range`; here ``n_cut`` is varied by ``step`` whole cases,
    between 1 and the number of cases.

    Returns
    -------
    SensitivityRanges

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 1, 0, 0, 0], "B": [1, 1, 0, 1, 0, 0], "Y": [1, 1, 1, 0, 0, 0]})
    >>> # n_cut = 2 leaves rows 11 (Y) and 00 (not Y): the first model is still A; at 3 no row is left
    >>> ncut_range(df, "Y", ["A", "B"], n_cut=1, max_runs=5).table[["lower", "upper"]].values.tolist()
    [[1.0, 2.0]]
    """
    _check_cut(incl_cut, n_cut, pri_cut)
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise QCATypeError(f"step={step!r} must be a whole number of cases")
    step, max_runs = _check_search(step, max_runs, "n_cut")
    solve = _solver(outcome, conditions, incl_cut, n_cut, pri_cut, solution, dir_exp)
    initial = solve(data, quiet=False)
    if initial is None:
        raise QCAError(f"no solution at incl_cut={incl_cut}, n_cut={n_cut}, pri_cut={pri_cut}: nothing to test")
    same = lambda v: solve(data, ncut=int(v)) == initial  # noqa: E731
    lower = _scan(float(n_cut), step, max_runs, -1, lambda v: v >= 1, same)
    upper = _scan(float(n_cut), step, max_runs, +1, lambda v: v <= len(data), same)
    return SensitivityRanges(pd.DataFrame([_row("n_cut", float(n_cut), lower, upper, initial)]))


ANCHOR_NAMES = ("exclusion", "crossover", "inclusion")


def calibration_range(raw, members: pd.DataFrame, condition: str, anchors, outcome: str, conditions, *,
                      idm: float = 0.95, incl_cut: float = 0.8, n_cut: int = 1, pri_cut: float = 0.0,
                      solution: str = "parsimonious", dir_exp=None, step: float = 0.05,
                      max_runs: int = 20) -> SensitivityRanges:
    """Sensitivity range of each calibration anchor of one set (SetMethods' ``rob.calibrange``).

    Parameters
    ----------
    raw : array-like or Series
        Raw scores of the set, one per case (same order as ``members``).
    members : DataFrame
        Calibrated memberships of every set (the base calibration); the column ``condition`` is
        replaced by recalibrated scores in each run. Not modified.
    condition : str
        The column of ``members`` to recalibrate (a condition or the outcome).
    anchors : dict or (float, float, float)
        ``{"exclusion": e, "crossover": c, "inclusion": i}`` or ``(e, c, i)``, in the unit of ``raw``;
        ``e < c < i`` (increasing set) or ``e > c > i`` (decreasing set).
    outcome, conditions, idm, incl_cut, n_cut, pri_cut, solution, dir_exp
        As for :func:`incl_range` and :func:`chaoyang.qca.calibrate`.
    step : float, default 0.05
        Change of the anchor per run, in the unit of ``raw``.
    max_runs : int, default 20
        Runs per direction and anchor.

    Returns
    -------
    SensitivityRanges
        Three rows, ``"<condition>: exclusion"``, ``": crossover"``, ``": inclusion"``.

    Raises
    ------
    KeyError
        ``condition`` not in ``members``.
    ValueError
        Anchors out of order or not three; ``raw`` of another length than ``members``; no solution
        at the given anchors.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.Series([1.05, 2.05, 3.05, 4.05, 5.05, 4.55])
    >>> members = pd.DataFrame({"A": calibrate(raw, 1.5, 3.2, 4.8), "B": [0.2, 0.9, 0.1, 0.8, 0.3, 0.9],
    ...                         "Y": [0.1, 0.3, 0.2, 0.9, 0.9, 0.8]})
    >>> r = calibration_range(raw, members, "A", (1.5, 3.2, 4.8), "Y", ["A", "B"], step=0.1, max_runs=5)
    >>> print(r.summary().splitlines()[2])
      A: crossover: 3 <= 3.2 <= 3.7 (open)
    """
    check_columns_exist(members, [condition], what="calibrated column")
    if isinstance(anchors, dict):
        unknown = set(anchors) - set(ANCHOR_NAMES)
        if unknown or len(anchors) != 3:
            raise QCAError(f"anchors must name exclusion, crossover and inclusion, got {sorted(anchors)}")
        e, c, i = (anchors[k] for k in ANCHOR_NAMES)
    else:
        try:
            e, c, i = anchors
        except (TypeError, ValueError):
            raise QCAError(f"anchors must be three numbers (exclusion, crossover, inclusion), got {anchors!r}") from None
    e, c, i = (_real(v, name) for v, name in zip((e, c, i), ANCHOR_NAMES))
    if not (min(e, i) < c < max(e, i)):
        raise QCAError(f"anchors out of order: crossover={c} must lie strictly between exclusion={e} and "
                       f"inclusion={i} (e < c < i for an increasing set, e > c > i for a decreasing one)")
    raw_values = np.asarray(raw, dtype=float)
    if raw_values.shape != (len(members),):
        raise QCAError(f"raw has {raw_values.size} value(s) but members has {len(members)} case(s); pass the raw "
                       f"scores of {condition!r} for the same cases, in the same order")
    _check_cut(incl_cut, n_cut, pri_cut)
    step, max_runs = _check_search(step, max_runs, "the anchor")
    solve = _solver(outcome, conditions, incl_cut, n_cut, pri_cut, solution, dir_exp)

    def recalibrated(values) -> pd.DataFrame:
        frame = members.copy()
        frame[condition] = calibrate(raw_values, *values, idm=idm)
        return frame

    initial = solve(recalibrated((e, c, i)), quiet=False)
    if initial is None:
        raise QCAError(f"no solution with anchors {(e, c, i)}: nothing to test")
    increasing = e < i
    rows = []
    for position, name in enumerate(ANCHOR_NAMES):
        base = [e, c, i]

        def with_anchor(v, position=position, base=base):
            values = list(base)
            values[position] = v
            return values

        def ordered(v, with_anchor=with_anchor):
            a, b, d = with_anchor(v)
            return a < b < d if increasing else a > b > d

        same = lambda v, with_anchor=with_anchor: solve(recalibrated(with_anchor(v))) == initial  # noqa: E731
        value = base[position]
        lower = _scan(value, step, max_runs, -1, ordered, same)
        upper = _scan(value, step, max_runs, +1, ordered, same)
        rows.append(_row(f"{condition}: {name}", value, lower, upper, initial))
    return SensitivityRanges(pd.DataFrame(rows))


__all__ = ["SensitivityRanges", "calibration_range", "incl_range", "ncut_range", "pri_range"]
