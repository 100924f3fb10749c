"""Truth tables of crisp or fuzzy sets (R QCA's ``truthTable``)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang.qca._checks import (
    MAX_CONDITIONS,
    QCAWarning,
    check_conditions,
    membership_column,
    warn_constant,
    warn_limited_diversity,
)
from chaoyang.qca.terms import config_bits
from chaoyang.qca._checks import QCAError, QCATypeError

#: R's ``agteb`` tolerance: a >= b when a > b or |a - b| <= sqrt(machine epsilon).
_TOLERANCE = math.sqrt(np.finfo(float).eps)

#: Truth tables accept up to this many conditions (R's limit); minimization allows fewer.
MAX_TT_CONDITIONS = 25

#: Cap on cases x rows x conditions handled in one numpy block when computing row memberships.
_BLOCK = 4_000_000


def _at_least(a: np.ndarray, b: float) -> np.ndarray:
    return (a > b) | (np.abs(a - b) <= _TOLERANCE)


@dataclass(eq=False, repr=False)
class TruthTable(ResultMixin):
    """A truth table: observed configurations with their outcome value, sizes and consistencies.

    Attributes
    ----------
    table : DataFrame
        One row per configuration with at least ``n_cut`` cases, indexed by R's 1-based row number
        (first condition most significant). Columns: one 0/1 column per condition, ``OUT`` (1, 0 or
        ``"C"`` for a contradiction when two inclusion cut-offs are given), ``n`` (cases with
        membership above 0.5), ``incl`` (sufficiency consistency), ``PRI`` (proportional reduction
        in inconsistency) and ``cases`` (case names joined by ",").
    remainders : DataFrame
        Logical remainders: configurations with fewer than ``n_cut`` cases (``n`` is their count,
        ``incl``/``PRI`` NaN when unobserved). Built on first access.
    conditions, outcome, incl_cut, n_cut, pri_cut
        The specification (``outcome`` keeps a leading ``~`` when the negation is explained).
    excluded : DataFrame or None
        Set by :func:`chaoyang.qca.esa`: the remainders closed to minimization and why; None otherwise.
    """

    table: pd.DataFrame
    conditions: list[str]
    outcome: str
    incl_cut: tuple[float, float]
    n_cut: int
    pri_cut: float
    literals: np.ndarray = field(repr=False)  # (n_cases, 2k): conditions then negations
    y: np.ndarray = field(repr=False)  # outcome membership as analysed (negated if asked)
    observed_n: dict = field(repr=False, default_factory=dict)  # row number -> n for observed remainders
    case_names: list = field(repr=False, default_factory=list)
    excluded: pd.DataFrame | None = field(repr=False, default=None)  # remainders closed by chaoyang.qca.esa

    @property
    def k(self) -> int:
        """Number of conditions."""
        return len(self.conditions)

    def configs(self, out) -> np.ndarray:
        """Integer configurations (row number - 1) whose ``OUT`` is in ``out``, in row order."""
        out = {out} if isinstance(out, (int, str)) else set(out)
        mask = self.table["OUT"].isin(out).to_numpy()
        return (self.table.index.to_numpy()[mask] - 1).astype(np.int64)

    @property
    def remainders(self) -> pd.DataFrame:
        if self.k > 20:
            raise QCAError(f"{self.k} conditions: 2**{self.k} remainders are too many to list")
        listed = set(self.table.index.tolist())
        rows = np.array([r for r in range(1, 2**self.k + 1) if r not in listed], dtype=np.int64)
        frame = pd.DataFrame(config_bits(rows - 1, self.k).astype(int), columns=self.conditions,
                             index=pd.Index(rows, name="row"))
        frame["OUT"] = "?"
        frame["n"] = [self.observed_n.get(int(r), 0) for r in rows]
        return frame

    def _repr_lines(self) -> list[str]:
        head = [
            f"Truth table for {self.outcome} (incl.cut = {self.incl_cut[0]:g}"
            + (f", {self.incl_cut[1]:g}" if self.incl_cut[1] < self.incl_cut[0] else "")
            + f", n.cut = {self.n_cut}, pri.cut = {self.pri_cut:g})",
            "  OUT: output value",
            "    n: number of cases in configuration",
            " incl: sufficiency inclusion score",
            "  PRI: proportional reduction in inconsistency",
            "",
        ]
        shown = self.table.copy()
        shown["incl"] = shown["incl"].map(lambda v: f"{v:.3f}")
        shown["PRI"] = shown["PRI"].map(lambda v: f"{v:.3f}")
        shown.index.name = None
        lines = head + shown.to_string().splitlines() + [
            f"({len(self.table)} rows listed; {2**self.k - len(self.table)} remainders)"
            if self.excluded is not None else
            f"({len(self.table)} observed rows; {2**self.k - len(self.table)} remainders)"
        ]
        if self.excluded is not None and len(self.excluded):
            lines.append(f"ESA: remainder rows {self.excluded.index.tolist()} closed (OUT = 0, n = 0); see .excluded")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._repr_lines())

    def summary(self) -> str:
        """The table as R QCA prints it, with the specification and a legend."""
        return "\n".join(self._repr_lines())

    def to_frame(self) -> pd.DataFrame:
        """The observed rows (a copy of :attr:`table`): conditions, ``OUT, n, incl, PRI, cases``."""
        return self.table.copy()


def _parse_incl_cut(incl_cut) -> tuple[float, float]:
    if isinstance(incl_cut, (bool, np.bool_)):
        raise QCATypeError(f"incl_cut must be one number or two (ic1, ic0) in [0, 1], got {incl_cut!r}")
    if isinstance(incl_cut, (int, float, np.integer, np.floating)):
        ic1 = ic0 = float(incl_cut)
    else:
        try:
            cuts = [float(c) for c in incl_cut]
        except (TypeError, ValueError):
            raise QCATypeError(f"incl_cut must be one number or two (ic1, ic0) in [0, 1], got {incl_cut!r}") from None
        if len(cuts) not in (1, 2):
            raise QCAError(f"incl_cut must be one number or two (ic1, ic0), got {incl_cut!r}")
        ic1 = cuts[0]
        ic0 = cuts[1] if len(cuts) == 2 else cuts[0]
    if not (0 <= ic0 <= ic1 <= 1):
        raise QCAError(f"incl_cut must satisfy 0 <= ic0 <= ic1 <= 1 (ic1 for OUT = 1, ic0 for OUT = 0), "
                         f"got {incl_cut!r}")
    return ic1, ic0


def row_memberships(x: np.ndarray, configs: np.ndarray, k: int) -> np.ndarray:
    """Membership ``(n_cases, n_rows)`` of each case in each truth-table row (minimum over literals)."""
    bits = config_bits(configs, k).astype(bool)
    n_cases = x.shape[0]
    out = np.empty((n_cases, len(configs)))
    step = max(1, _BLOCK // max(1, n_cases * k))
    for start in range(0, len(configs), step):
        b = bits[start:start + step]
        out[:, start:start + step] = np.where(b[None, :, :], x[:, None, :], 1.0 - x[:, None, :]).min(axis=2)
    return out


def truth_table(data: pd.DataFrame, outcome: str, conditions, *, incl_cut=0.8, n_cut: int = 1,
                pri_cut: float = 0.0) -> TruthTable:
    """Build the truth table of an outcome over crisp or fuzzy conditions, as R QCA does.

    Each case belongs to the row where it has membership above 0.5 (fuzzy scores are dichotomised
    at 0.5; scores of exactly 0.5 cannot be placed and trigger a warning). A row's consistency is
    ``sum(min(X_row, Y)) / sum(X_row)`` over all cases, its PRI
    ``(sum(min(X,Y)) - sum(min(X,Y,~Y))) / (sum(X) - sum(min(X,Y,~Y)))``.

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships in [0, 1]; the index gives case names.
    outcome : str
        Outcome column, ``"~SURV"`` for its negation.
    conditions : list of str
        Condition columns (at most 25), first = most significant in the row number.
    incl_cut : float or (float, float), default 0.8
        ``OUT = 1`` when ``incl >= incl_cut`` (and ``PRI >= pri_cut``). With two values
        ``(ic1, ic0)``, rows with ``ic0 <= incl < ic1`` are contradictions ``"C"``.
    n_cut : int, default 1
        Rows with fewer cases are remainders.
    pri_cut : float, default 0
        Minimum PRI for ``OUT = 1``.

    Returns
    -------
    TruthTable

    Raises
    ------
    KeyError
        Unknown outcome or condition column.
    ValueError
        Missing values, memberships outside [0, 1], outcome among the conditions, bad cut-offs, no
        row with ``n_cut`` cases.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]},
    ...                   index=["p", "q", "r", "s"])
    >>> tt = truth_table(df, "Y", ["A", "B"])
    >>> tt.table["OUT"].tolist(), tt.table.index.tolist()
    ([0, 0, 1, 1], [1, 2, 3, 4])
    """
    outcome_name, negated, conditions = check_conditions(data, outcome, conditions)
    k = len(conditions)
    if k > MAX_TT_CONDITIONS:
        raise QCAError(f"{k} conditions: a truth table takes at most {MAX_TT_CONDITIONS} (2**k rows)")
    ic1, ic0 = _parse_incl_cut(incl_cut)
    if isinstance(n_cut, bool) or not isinstance(n_cut, (int, np.integer)) or n_cut < 1:
        raise QCAError(f"n_cut must be a positive integer (minimum cases per row), got {n_cut!r}")
    if (isinstance(pri_cut, (bool, np.bool_)) or not isinstance(pri_cut, (int, float, np.integer, np.floating))
            or not 0 <= pri_cut <= 1):
        raise QCAError(f"pri_cut must be a number in [0, 1], got {pri_cut!r}")
    x = np.column_stack([membership_column(data, c) for c in conditions])
    for j, c in enumerate(conditions):
        warn_constant(c, x[:, j])
    y = membership_column(data, outcome_name)
    if negated:
        y = 1.0 - y
    n_cases = x.shape[0]
    if n_cases == 0:
        raise QCAError("the data have no cases")
    warn_limited_diversity(k, n_cases)
    at_half = np.isclose(x, 0.5, rtol=0, atol=_TOLERANCE)
    if at_half.any():
        cols = [conditions[j] for j in np.flatnonzero(at_half.any(axis=0))]
        warnings.warn(
            f"membership scores of exactly 0.5 in condition(s) {cols}: those cases cannot be placed in a "
            "truth-table row and are left out of every row - recalibrate (move the crossover)",
            QCAWarning,
            stacklevel=2,
        )
    weights = np.array([1 << (k - 1 - j) for j in range(k)], dtype=np.int64)
    case_config = (x > 0.5).astype(np.int64) @ weights
    configs = np.unique(case_config)
    member = row_memberships(x, configs, k)
    n = (member > 0.5).sum(axis=0)
    pmin = np.minimum(member, y[:, None])
    sum_x = member.sum(axis=0)
    sum_pmin = pmin.sum(axis=0)
    pri_sum = np.minimum(pmin, (1.0 - y)[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        incl = sum_pmin / sum_x
        pri = (sum_pmin - pri_sum) / (sum_x - pri_sum)
    kept = n >= n_cut
    if not kept.any():
        raise QCAError(f"no configuration has at least n_cut={n_cut} cases; lower n_cut")
    case_names = [str(i) for i in data.index]
    placed = ~at_half.any(axis=1)
    out = []
    for i in np.flatnonzero(kept):
        if _at_least(incl[i], ic1) and _at_least(pri[i], pri_cut):
            out.append(1)
        elif incl[i] < ic1 and _at_least(incl[i], ic0) and ic0 < ic1:
            out.append("C")
        else:
            out.append(0)
    rows = configs[kept] + 1
    table = pd.DataFrame(config_bits(configs[kept], k).astype(int), columns=conditions,
                         index=pd.Index(rows, name="row"))
    table["OUT"] = pd.Series(out, index=table.index, dtype=object)
    table["n"] = n[kept].astype(int)
    table["incl"] = incl[kept]
    table["PRI"] = pri[kept]
    table["cases"] = [
        ",".join(case_names[c] for c in np.flatnonzero((case_config == cfg) & placed)) for cfg in configs[kept]
    ]
    observed_n = {int(cfg + 1): int(cnt) for cfg, cnt in zip(configs[~kept], n[~kept])}
    lit = np.hstack([x, 1.0 - x])
    return TruthTable(table=table, conditions=conditions, outcome=outcome, incl_cut=(ic1, ic0), n_cut=int(n_cut),
                      pri_cut=float(pri_cut), literals=lit, y=y, observed_n=observed_n, case_names=case_names)


__all__ = ["TruthTable", "truth_table", "MAX_CONDITIONS"]
