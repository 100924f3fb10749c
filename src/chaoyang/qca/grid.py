"""One setting of the cut-offs and a grid of settings: the analysis behind the truth-table explorer.

The fsQCA chapter's widget (:func:`chaoyang.widgets.qca.truth_table_widget`) and its static twin
(:func:`chaoyang.plots.qca_grid.plot_solution_grid`) call these functions; every number comes from
the rest of :mod:`chaoyang.qca`. This module holds

* :func:`check_thresholds` - one place that validates the three cut-offs (the sliders cannot go out
  of range, but code calling :func:`solve` can);
* :func:`solve` - the update step: truth table plus complex, parsimonious and intermediate
  solutions for one setting of the cut-offs;
* :func:`solution_grid` - the same analysis over a grid of values of one cut-off;
* :func:`compare_with_planted` - which solution terms match the planted configurations of the
  synthetic world (exactly, with extra conditions, or as a broader term);

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
>>> result = solve(df, "Y", ["A", "B"], incl_cut=0.8, n_cut=1)
>>> result.parsimonious.models[0].expression
'A'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang.errors import ChaoyangError
from chaoyang.i18n import N_
from chaoyang.qca.minimize import Solution, minimize
from chaoyang.qca.truthtable import TruthTable, truth_table
from chaoyang.qca._checks import QCAError, QCATypeError

#: Consistency cut-offs of the static figure (the range the robustness literature tests).
DEFAULT_INCL_CUTS = (0.75, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90)

#: Axis label of each cut-off a grid can vary.
PARAMETER_LABELS = {"incl_cut": N_("Consistency cut-off (incl_cut)"), "pri_cut": N_("PRI cut-off (pri_cut)"),
                    "n_cut": N_("Frequency cut-off (n_cut)")}

#: Lowest consistency cut-off accepted: below 0.5 a row would count as sufficient although most of
#: its members' membership lies outside the outcome.
MIN_INCL_CUT = 0.5

SOLUTION_KINDS = ("complex", "parsimonious", "intermediate")


class NoSolutionError(ChaoyangError, ValueError):
    """The cut-offs leave nothing to minimize: no row with ``OUT = 1``, or no row with ``OUT = 0``."""


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_thresholds(incl_cut, n_cut, pri_cut, n_cases: int | None = None) -> tuple[float, int, float]:
    """Validate the three truth-table cut-offs and return them as ``(float, int, float)``.

    Parameters
    ----------
    incl_cut : float
        Consistency cut-off for ``OUT = 1``, in [0.5, 1].
    n_cut : int
        Minimum number of cases (membership above 0.5) for a row to be analysed, >= 1 and, when
        ``n_cases`` is given, <= ``n_cases``.
    pri_cut : float
        Minimum PRI for ``OUT = 1``, in [0, 1].
    n_cases : int, optional
        Number of cases in the data, to reject an ``n_cut`` no row could reach.

    Returns
    -------
    tuple
        ``(incl_cut, n_cut, pri_cut)`` as ``(float, int, float)``.

    Raises
    ------
    TypeError
        A cut-off that is not a number (``n_cut`` must be a whole number; booleans are refused).
    ValueError
        A cut-off outside its range, or NaN.

    Examples
    --------
    >>> check_thresholds(0.8, 10, 0.7)
    (0.8, 10, 0.7)
    >>> check_thresholds(0.3, 10, 0.7)
    Traceback (most recent call last):
    ...
    chaoyang.qca._checks.QCAError: incl_cut=0.3 is outside [0.5, 1]: a consistency cut-off below 0.5 would call a row sufficient although most of its membership lies outside the outcome; use 0.75-0.9
    """
    if not _is_real(incl_cut):
        raise QCATypeError(f"incl_cut must be a number in [{MIN_INCL_CUT}, 1], got {incl_cut!r}")
    if not _is_real(pri_cut):
        raise QCATypeError(f"pri_cut must be a number in [0, 1], got {pri_cut!r}")
    if isinstance(n_cut, (bool, np.bool_)) or not isinstance(n_cut, (int, np.integer)):
        if isinstance(n_cut, (float, np.floating)) and float(n_cut).is_integer():
            n_cut = int(n_cut)
        else:
            raise QCATypeError(f"n_cut must be a whole number of cases (>= 1), got {n_cut!r}")
    if math.isnan(incl_cut) or not MIN_INCL_CUT <= incl_cut <= 1:
        raise QCAError(
            f"incl_cut={incl_cut} is outside [{MIN_INCL_CUT}, 1]: a consistency cut-off below 0.5 would call a "
            "row sufficient although most of its membership lies outside the outcome; use 0.75-0.9"
        )
    if math.isnan(pri_cut) or not 0 <= pri_cut <= 1:
        raise QCAError(f"pri_cut={pri_cut} is outside [0, 1] (PRI is a proportion)")
    if n_cut < 1:
        raise QCAError(f"n_cut={n_cut} must be at least 1 case per truth-table row")
    if n_cases is not None and n_cut > n_cases:
        raise QCAError(f"n_cut={n_cut} exceeds the {n_cases} cases in the data: no row could be analysed")
    return float(incl_cut), int(n_cut), float(pri_cut)


@dataclass(repr=False)
class QCAResult(ResultMixin):
    """One run of the truth-table analysis (what the widget shows for one slider setting).

    Attributes
    ----------
    truth_table : chaoyang.qca.TruthTable
    complex, parsimonious : chaoyang.qca.Solution
    intermediate : chaoyang.qca.Solution or None
        ``None`` when no directional expectations were given.
    settings : dict
        ``incl_cut``, ``n_cut``, ``pri_cut`` and ``dir_exp`` used.
    """

    truth_table: TruthTable
    complex: Solution
    parsimonious: Solution
    intermediate: Solution | None
    settings: dict = field(default_factory=dict)

    def solution(self, kind: str) -> Solution:
        """The solution of one kind: ``"complex"``, ``"parsimonious"`` or ``"intermediate"``."""
        if kind not in SOLUTION_KINDS:
            raise QCAError(f"kind must be one of {SOLUTION_KINDS}, got {kind!r}")
        found = getattr(self, kind)
        if found is None:
            raise QCAError("no intermediate solution: pass dir_exp to solve()")
        return found

    def __repr__(self) -> str:
        return self.summary()

    def _solutions(self) -> list[Solution]:
        return [s for s in (self.complex, self.parsimonious, self.intermediate) if s is not None]

    def summary(self) -> str:
        """The specification, then the first model of each solution with its fit."""
        settings = ", ".join(f"{k} = {v}" for k, v in self.settings.items() if k != "dir_exp")
        lines = [f"QCA of {self.truth_table.outcome} ({settings}): {len(self.truth_table.table)} observed rows"]
        for solution in self._solutions():
            model = solution.models[0]
            more = f" (+{len(solution.models) - 1} more models)" if len(solution.models) > 1 else ""
            lines.append(f"{solution.kind:>12}: {model.expression}  inclS {model.fit['inclS']:.3f}  "
                         f"covS {model.fit['covS']:.3f}{more}")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per (solution, model, term): ``solution, model, term, inclS, PRI, covS, covU``."""
        frames = [sol.to_frame().assign(solution=sol.kind) for sol in self._solutions()]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["solution", *[c for c in frame.columns if c != "solution"]]]


def solve(data: pd.DataFrame, outcome: str, conditions, *, incl_cut=0.8, n_cut=1, pri_cut=0.0, dir_exp=None,
          max_models: int = 20) -> QCAResult:
    """Truth table and the three solutions for one setting of the cut-offs (the widget's update step).

    Exactly ``chaoyang.qca.truth_table`` followed by ``chaoyang.qca.minimize`` (complex, parsimonious
    with ``include="?"`` and, with ``dir_exp``, intermediate), after :func:`check_thresholds`.

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships in [0, 1] (not modified).
    outcome : str
        Outcome column, ``"~Y"`` for the negated outcome.
    conditions : list of str
        Condition columns.
    incl_cut, n_cut, pri_cut
        Cut-offs, see :func:`check_thresholds`.
    dir_exp : dict or str, optional
        Directional expectations for the intermediate solution, e.g. ``"BEL, CLO, BID, EE, RES"``.
    max_models : int, default 20
        Cap on listed models per solution.

    Returns
    -------
    QCAResult

    Raises
    ------
    NoSolutionError
        (a ``ValueError``) No row with ``OUT = 1``, or none with ``OUT = 0`` (nothing to minimize).
    TypeError, ValueError
        Bad cut-offs (from :func:`check_thresholds`), or what ``chaoyang.qca`` raises - e.g. no row
        with ``n_cut`` cases.
    KeyError
        Unknown outcome or condition column.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> solve(df, "Y", ["A", "B"], dir_exp="A, B").intermediate.models[0].terms
    ['A']
    """
    if not isinstance(data, pd.DataFrame):
        raise QCATypeError(f"data must be a DataFrame of calibrated memberships, got {type(data).__name__}")
    incl_cut, n_cut, pri_cut = check_thresholds(incl_cut, n_cut, pri_cut, n_cases=len(data))
    tt = truth_table(data, outcome, list(conditions), incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
    n_positive, n_negative = len(tt.configs(1)), len(tt.configs([0, "C"]))
    if n_positive == 0:
        raise NoSolutionError(f"no truth-table row reaches incl_cut={incl_cut} (and pri_cut={pri_cut}): nothing to "
                              "explain; lower a cut-off")
    if n_negative == 0:
        raise NoSolutionError(f"every analysed row passes incl_cut={incl_cut} and pri_cut={pri_cut}: the outcome "
                              "looks always present; raise a cut-off or check the outcome's calibration")
    complex_solution = minimize(tt, max_models=max_models)
    parsimonious = minimize(tt, include="?", max_models=max_models)
    intermediate = None
    if dir_exp is not None:
        intermediate = minimize(tt, include="?", dir_exp=dir_exp, max_models=max_models)
    settings = {"incl_cut": incl_cut, "n_cut": n_cut, "pri_cut": pri_cut, "dir_exp": dir_exp}
    return QCAResult(tt, complex_solution, parsimonious, intermediate, settings)


@dataclass(repr=False)
class SolutionGrid(ResultMixin):
    """One solution per value of a cut-off (input of :func:`plot_solution_grid`).

    Attributes
    ----------
    terms : DataFrame
        One row per (value, term) of the first model: ``value`` (of the varied cut-off), ``term``,
        ``inclS``, ``covS`` (raw coverage), ``covU`` (unique coverage).
    fit : DataFrame
        One row per value: ``value``, ``n_models``, ``expression`` (first model), ``inclS``, ``covS``
        (solution consistency and coverage; NaN without a solution), ``error`` (why there is no
        solution, else "").
    kind : str
        Which solution was computed.
    parameter : str
        The cut-off that varies: ``"incl_cut"``, ``"pri_cut"`` or ``"n_cut"``.
    settings : dict
        The cut-offs held fixed.
    """

    terms: pd.DataFrame
    fit: pd.DataFrame
    kind: str
    parameter: str = "incl_cut"
    settings: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """One line per value of the varied cut-off: the first model's expression and fit, or why none."""
        lines = [f"{self.kind.capitalize()} solution at each {self.parameter} "
                 f"({', '.join(f'{k} = {v}' for k, v in self.settings.items())})"]
        for row in self.fit.itertuples(index=False):
            if row.error:
                lines.append(f"  {self.parameter} = {row.value:g}: no solution ({row.error})")
            else:
                lines.append(f"  {self.parameter} = {row.value:g}: {row.expression}  inclS {row.inclS:.3f}  "
                             f"covS {row.covS:.3f}")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per value: ``value, n_models, expression, inclS, covS, error`` (a copy of :attr:`fit`)."""
        return self.fit.copy()


def solution_grid(data: pd.DataFrame, outcome: str, conditions, *, vary: str = "incl_cut", values=None,
                  incl_cut=0.8, n_cut=1, pri_cut=0.0, dir_exp=None, kind: str = "intermediate",
                  max_models: int = 20) -> SolutionGrid:
    """Solve the same truth-table analysis at each value of one cut-off, the others held fixed.

    Parameters
    ----------
    data, outcome, conditions, dir_exp, max_models
        As in :func:`solve`.
    vary : {"incl_cut", "pri_cut", "n_cut"}, default "incl_cut"
        The cut-off to vary.
    values : sequence, optional
        Its values (at least one); default :data:`DEFAULT_INCL_CUTS` for ``incl_cut``, required otherwise.
    incl_cut, n_cut, pri_cut
        Values of the cut-offs held fixed (the varied one is ignored).
    kind : {"complex", "parsimonious", "intermediate"}, default "intermediate"
        Solution to record (``"intermediate"`` needs ``dir_exp``).

    Returns
    -------
    SolutionGrid
        A value at which nothing is left to minimize (:class:`NoSolutionError`) gets ``error`` filled
        and no terms; every other problem raises.

    Raises
    ------
    ValueError
        Unknown ``vary`` or ``kind``, empty or missing ``values``, a bad cut-off,
        ``"intermediate"`` without ``dir_exp``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> grid = solution_grid(df, "Y", ["A", "B"], values=(0.8, 0.9), kind="parsimonious")
    >>> grid.fit["expression"].tolist()
    ['A', 'A']
    """
    if vary not in PARAMETER_LABELS:
        raise QCAError(f"vary must be one of {list(PARAMETER_LABELS)}, got {vary!r}")
    if values is None:
        if vary != "incl_cut":
            raise QCAError(f"give the values of {vary} to try (values=...)")
        values = DEFAULT_INCL_CUTS
    if kind not in SOLUTION_KINDS:
        raise QCAError(f"kind must be one of {SOLUTION_KINDS}, got {kind!r}")
    if kind == "intermediate" and dir_exp is None:
        raise QCAError("kind='intermediate' needs dir_exp (directional expectations)")
    values = list(values)
    if not values:
        raise QCAError(f"values is empty: give at least one value of {vary}")
    fixed = {"incl_cut": incl_cut, "n_cut": n_cut, "pri_cut": pri_cut}
    specs = []
    for value in values:
        spec = {**fixed, vary: value}
        specs.append(dict(zip(("incl_cut", "n_cut", "pri_cut"),
                              check_thresholds(spec["incl_cut"], spec["n_cut"], spec["pri_cut"], n_cases=len(data)))))
    term_rows, fit_rows = [], []
    for spec in specs:
        value = spec[vary]
        try:
            result = solve(data, outcome, conditions, **spec, dir_exp=dir_exp if kind == "intermediate" else None,
                           max_models=max_models)
        except NoSolutionError as err:
            fit_rows.append({"value": value, "n_models": 0, "expression": "", "inclS": float("nan"),
                             "covS": float("nan"), "error": str(err)})
            continue
        model = result.solution(kind).models[0]
        fit_rows.append({"value": value, "n_models": len(result.solution(kind).models),
                         "expression": model.expression, "inclS": float(model.fit["inclS"]),
                         "covS": float(model.fit["covS"]), "error": ""})
        for _, row in model.term_fit.iterrows():
            term_rows.append({"value": value, "term": row["term"], "inclS": float(row["inclS"]),
                              "covS": float(row["covS"]), "covU": float(row["covU"])})
    terms = pd.DataFrame(term_rows, columns=["value", "term", "inclS", "covS", "covU"])
    fixed.pop(vary)
    return SolutionGrid(terms, pd.DataFrame(fit_rows), kind, vary, fixed)


def literals(term: str) -> frozenset[str]:
    return frozenset(part.strip() for part in term.split("*") if part.strip())


def compare_with_planted(terms, planted) -> pd.DataFrame:
    """Match solution terms with planted configurations by their sets of literals.

    A solution term *recovers* a planted configuration when it has exactly its literals; it
    recovers it *with extra conditions* when it holds all of them and more (the data say the planted
    configuration suffices only together with something else); it is *broader* when it holds only
    some of them (the data say fewer conditions suffice than were planted).

    Parameters
    ----------
    terms : iterable of str
        Solution terms in R QCA notation (``"BEL*RES"``, ``"CLO*~EE*RES"``).
    planted : iterable of str
        Planted configurations in the same notation (e.g. ``DEFAULT_WORLD.configurations``).

    Returns
    -------
    DataFrame
        One row per planted configuration (``kind = "planted"``) with ``status`` one of
        ``"recovered"``, ``"recovered with extra conditions"``, ``"only as a broader term"``,
        ``"not recovered"`` and ``matching_terms`` (comma-separated); then one row per solution term
        that matches no planted configuration (``kind = "found only"``, status ``"not planted"``).

    Raises
    ------
    TypeError
        ``terms`` or ``planted`` given as one string instead of a list of strings.

    Examples
    --------
    >>> compare_with_planted(["BEL*RES", "CLO*EE*RES", "EE"], ["BEL*RES", "CLO*RES"])["status"].tolist()
    ['recovered', 'recovered with extra conditions', 'not planted']
    """
    if isinstance(terms, str) or isinstance(planted, str):
        raise QCATypeError("terms and planted must be lists of terms such as ['BEL*RES'], not one string")
    found = list(dict.fromkeys(terms))
    used: set[str] = set()
    rows = []
    for config in planted:
        target = literals(config)
        exact = [t for t in found if literals(t) == target]
        narrower = [t for t in found if literals(t) > target]
        broader = [t for t in found if literals(t) < target]
        if exact:
            status, matching = "recovered", exact + narrower
        elif narrower:
            status, matching = "recovered with extra conditions", narrower
        elif broader:
            status, matching = "only as a broader term", broader
        else:
            status, matching = "not recovered", []
        used.update(exact + narrower + broader)
        rows.append({"configuration": config, "kind": "planted", "status": status,
                     "matching_terms": ", ".join(matching)})
    for term in found:
        if term not in used:
            rows.append({"configuration": term, "kind": "found only", "status": "not planted", "matching_terms": term})
    return pd.DataFrame(rows, columns=["configuration", "kind", "status", "matching_terms"]).set_index("configuration")


__all__ = ["DEFAULT_INCL_CUTS", "MIN_INCL_CUT", "PARAMETER_LABELS", "SOLUTION_KINDS", "NoSolutionError", "QCAResult",
           "SolutionGrid", "check_thresholds", "compare_with_planted", "literals", "solution_grid", "solve"]
