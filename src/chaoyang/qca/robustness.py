"""Robustness of QCA results across calibrations and truth-table cut-offs.

In the spirit of the robustness protocol of Oana and Schneider (2024; SetMethods): re-run the whole
analysis under every plausible specification - each calibration variant crossed with each
consistency cut-off and frequency cut-off - and report which configurations (terms) survive in how
many specifications. A term found in every specification belongs to the robust core; a term found
in few depends on arbitrary analytic choices. The negated outcome is a separate analysis: call
again with ``"~Y"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang.qca._checks import QCAError, QCATypeError, split_negation
from chaoyang.qca.minimize import Solution, minimize
from chaoyang.qca.terms import term_membership
from chaoyang.qca.truthtable import truth_table


@dataclass(repr=False)
class RobustnessResult(ResultMixin):
    """Outcome of :func:`robustness`.

    Attributes
    ----------
    specifications : DataFrame
        One row per specification: ``variant``, ``incl_cut``, ``n_cut``, ``n_models``, ``models``
        (expressions separated by " | "), ``inclS`` and ``covS`` of the first model, ``error``
        (why no solution, else empty).
    terms : DataFrame
        Indexed by term: ``n_specs`` (specifications where some model holds it), ``share`` (of the
        specifications that produced a solution), ``n_first_model`` (specifications whose first
        model holds it); sorted by ``n_specs``, descending.
    """

    specifications: pd.DataFrame
    terms: pd.DataFrame

    @property
    def robust_core(self) -> list[str]:
        """Terms present in every specification that produced a solution."""
        return self.terms.index[self.terms["share"] == 1.0].tolist()

    def __repr__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """One row per term: ``term, n_specs, share, n_first_model`` (most robust first)."""
        return self.terms.reset_index()

    def summary(self) -> str:
        """How many specifications produced a solution, and how often each term appears."""
        ok = int((self.specifications["error"] == "").sum())
        lines = [f"Robustness over {len(self.specifications)} specifications ({ok} with a solution)",
                 self.terms.to_string(float_format=lambda v: f"{v:.2f}") if len(self.terms) else "(no terms)"]
        return "\n".join(lines)


def robustness(data: pd.DataFrame, outcome: str, conditions, *, calibration_variants=None,
               incl_cuts=(0.75, 0.8, 0.85, 0.9), n_cuts=(1, 2, 3), pri_cut: float = 0.0,
               solution: str = "parsimonious", dir_exp=None, max_models: int = 20) -> RobustnessResult:
    """Re-run truth table and minimization over a grid of specifications and count surviving terms.

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships (the base calibration).
    outcome : str
        Outcome column, ``"~Y"`` for the negated outcome.
    conditions : list of str
        Condition columns.
    calibration_variants : dict of str -> DataFrame, optional
        Alternative calibrations of the same cases (e.g. anchors moved by +/-10%), each with the
        outcome and condition columns. Default: only ``{"base": data}``.
    incl_cuts, n_cuts : sequences
        Consistency and frequency cut-offs to cross.
    pri_cut : float, default 0
        PRI cut-off used in every specification.
    solution : {"parsimonious", "intermediate", "complex"}
        Which solution to compare; ``"intermediate"`` needs ``dir_exp``.
    dir_exp : dict or str, optional
        Directional expectations for the intermediate solution.
    max_models : int, default 20
        Model cap per minimization.

    Returns
    -------
    RobustnessResult

    Raises
    ------
    ValueError
        Unknown ``solution``, ``"intermediate"`` without ``dir_exp``, empty grids, or errors in the
        base data (unknown columns, bad memberships) - these are not specification-dependent.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 1, 0, 0, 0], "B": [1, 1, 0, 1, 0, 0], "Y": [1, 1, 1, 0, 0, 0]})
    >>> result = robustness(df, "Y", ["A", "B"], incl_cuts=(0.8, 1.0), n_cuts=(1,))
    >>> result.robust_core
    ['A']
    """
    if solution not in ("parsimonious", "intermediate", "complex"):
        raise QCAError(f"solution must be 'parsimonious', 'intermediate' or 'complex', got {solution!r}")
    if solution == "intermediate" and dir_exp is None:
        raise QCAError("solution='intermediate' needs dir_exp (directional expectations)")
    if not len(incl_cuts) or not len(n_cuts):
        raise QCAError("incl_cuts and n_cuts must each hold at least one value")
    variants = {"base": data} if calibration_variants is None else dict(calibration_variants)
    if not variants:
        raise QCAError("calibration_variants is empty")
    # errors in the data themselves are raised at once, not recorded as failed specifications
    for name, frame in variants.items():
        truth_table(frame, outcome, conditions, incl_cut=0.0, n_cut=1)
    kwargs = {"complex": {}, "parsimonious": {"include": "?"},
              "intermediate": {"include": "?", "dir_exp": dir_exp}}[solution]
    records = []
    term_specs: dict[str, int] = {}
    term_first: dict[str, int] = {}
    for (name, frame), incl_cut, n_cut in product(variants.items(), incl_cuts, n_cuts):
        record = {"variant": name, "incl_cut": incl_cut, "n_cut": n_cut, "n_models": 0, "models": "",
                  "inclS": float("nan"), "covS": float("nan"), "error": ""}
        try:
            tt = truth_table(frame, outcome, conditions, incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
            sol = minimize(tt, max_models=max_models, **kwargs)
        except ValueError as err:  # e.g. no row passes the cut-offs: this specification has no solution
            record["error"] = str(err)
            records.append(record)
            continue
        record.update(n_models=len(sol.models), models=" | ".join(m.expression for m in sol.models),
                      inclS=sol.models[0].fit["inclS"], covS=sol.models[0].fit["covS"])
        records.append(record)
        for term in dict.fromkeys(t for m in sol.models for t in m.terms):
            term_specs[term] = term_specs.get(term, 0) + 1
        for term in sol.models[0].terms:
            term_first[term] = term_first.get(term, 0) + 1
    specs = pd.DataFrame(records)
    n_ok = int((specs["error"] == "").sum())
    terms = pd.DataFrame(
        {"n_specs": pd.Series(term_specs, dtype=int),
         "n_first_model": pd.Series({t: term_first.get(t, 0) for t in term_specs}, dtype=int)},
    )
    terms.index.name = "term"
    terms["share"] = terms["n_specs"] / n_ok if n_ok else float("nan")
    terms = terms[["n_specs", "share", "n_first_model"]].sort_values("n_specs", ascending=False, kind="stable")
    return RobustnessResult(specs, terms)


# --------------------------------------------------------------------------------------------------
# Oana and Schneider's robustness test protocol: robust core, fit- and case-oriented robustness
# --------------------------------------------------------------------------------------------------

#: Case types of the protocol, keyed as SetMethods' ``rob.cases`` keys them; the labels quote
#: SetMethods 4.0 (``R/rob.cases.R``). IS = initial solution, MIN_TS / MAX_TS = intersection /
#: union of the test solutions, Y = outcome; "in" means membership above 0.5.
CASE_TYPES = {
    "robust typical": "Robust Typical Cases (IS*MIN_TS and Y > 0.5)",
    "robust deviant": "Robust Deviant Cases (IS*MIN_TS and Y < 0.5)",
    "shaky typical": "Shaky Typical Cases (IS*~MIN_TS and Y > 0.5)",
    "shaky deviant": "Shaky Deviant Cases (IS*~MIN_TS and Y < 0.5)",
    "possible typical": "Possible Typical Cases (~IS*MAX_TS and Y > 0.5)",
    "possible deviant": "Possible Deviant Cases (~IS*MAX_TS and Y < 0.5)",
    "extreme deviant coverage": "Extreme Deviant Coverage Cases (~IS*~MAX_TS and Y > 0.5)",
    "irrelevant": "Irrelevant Cases (~IS*~MAX_TS and Y < 0.5)",
}


def solution_membership(solution, model: int = 0) -> np.ndarray:
    """Membership of every case in one model of a solution (the maximum over its terms).

    Parameters
    ----------
    solution : Solution
        From :func:`chaoyang.qca.minimize`; memberships are computed on the solution's own truth
        table (its own calibration).
    model : int, default 0
        Position of the model (0 = ``M1``, the one SetMethods' ``pimdata`` uses by default).

    Returns
    -------
    ndarray of float, shape (n_cases,)

    Examples
    --------
    >>> import pandas as pd
    >>> from chaoyang.qca import minimize, truth_table
    >>> df = pd.DataFrame({"A": [0.9, 0.2, 0.7], "B": [0.1, 0.8, 0.6], "Y": [0.8, 0.1, 0.9]})
    >>> sol = minimize(truth_table(df, "Y", ["A", "B"]), include="?")
    >>> sol.models[0].expression, solution_membership(sol).tolist()
    ('A', [0.9, 0.2, 0.7])
    """
    if not isinstance(solution, Solution):
        raise QCATypeError(f"expected a Solution from chaoyang.qca.minimize, got {type(solution).__name__}")
    if isinstance(model, bool) or not isinstance(model, (int, np.integer)) or not 0 <= model < len(solution.models):
        raise QCAError(f"model={model!r}: the solution has {len(solution.models)} model(s), positions 0 to "
                       f"{len(solution.models) - 1}")
    tt = solution.truth_table
    chosen = solution.models[model]
    return np.column_stack([term_membership(tt.literals, c, v, tt.k) for c, v in chosen.implicants]).max(axis=1)


def _consistency(x: np.ndarray, y: np.ndarray) -> float:
    total = x.sum()
    return float(np.minimum(x, y).sum() / total) if total > 0 else float("nan")


def _coverage(x: np.ndarray, y: np.ndarray) -> float:
    total = y.sum()
    return float(np.minimum(x, y).sum() / total) if total > 0 else float("nan")


def _coincidence(a: np.ndarray, b: np.ndarray) -> float:
    union = np.maximum(a, b).sum()
    return float(np.minimum(a, b).sum() / union) if union > 0 else float("nan")


@dataclass(repr=False)
class ProtocolResult(ResultMixin):
    """Outcome of :func:`robustness_protocol` (fit- and case-oriented robustness).

    Attributes
    ----------
    fit : dict
        ``RF_cov``, ``RF_cons``, ``RF_SC_minTS``, ``RF_SC_maxTS`` (see :func:`robustness_protocol`),
        plus the consistency and coverage of the initial solution (``IS_cons``, ``IS_cov``) and of
        the robust core (``RC_cons``, ``RC_cov``). Unrounded (SetMethods rounds to 3 decimals).
    cases : DataFrame
        One row per case: memberships ``IS``, ``minTS``, ``maxTS``, ``RC`` (robust core) and ``Y``,
        and ``type`` (a key of :data:`CASE_TYPES`, or ``"on the crossover"`` for a case with a
        membership of exactly 0.5 in a set that decides its type).
    case_ratios : dict
        ``RCR_typ``, ``RCR_dev`` (NaN when no case is typical, resp. deviant, in any sense) and
        ``RCC_rank`` (1 to 4).
    n_tests : int
        Number of test solutions.
    """

    fit: dict
    cases: pd.DataFrame
    case_ratios: dict
    n_tests: int

    @property
    def case_counts(self) -> pd.Series:
        """Number of cases of each type, in the order of :data:`CASE_TYPES`."""
        counts = self.cases["type"].value_counts()
        return pd.Series({t: int(counts.get(t, 0)) for t in CASE_TYPES}, name="cases")

    def cases_of(self, kind: str) -> list[str]:
        """Names of the cases of one type, e.g. ``result.cases_of("shaky typical")``."""
        if kind not in CASE_TYPES:
            raise QCAError(f"unknown case type {kind!r}; choose one of {list(CASE_TYPES)}")
        return self.cases.index[self.cases["type"] == kind].tolist()

    def __repr__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """The fit-oriented parameters as a one-row table (``RF_cov ... RF_SC_maxTS``)."""
        keys = ["RF_cov", "RF_cons", "RF_SC_minTS", "RF_SC_maxTS"]
        return pd.DataFrame([{k: self.fit[k] for k in keys}], index=["Robustness_Fit"])

    def summary(self) -> str:
        """Fit-oriented parameters, case ratios and case counts, as SetMethods prints them."""
        f, r = self.fit, self.case_ratios
        lines = [f"Robustness protocol: initial solution against {self.n_tests} test solution(s)",
                 "  ".join(f"{k} {f[k]:.3f}" for k in ("RF_cov", "RF_cons", "RF_SC_minTS", "RF_SC_maxTS")),
                 "  ".join(f"{k} {r[k]:.3f}" if k != "RCC_rank" else f"{k} {r[k]}"
                           for k in ("RCR_typ", "RCR_dev", "RCC_rank")),
                 self.case_counts.to_string()]
        return "\n".join(lines)


def robustness_protocol(initial, tests, *, model: int = 0) -> ProtocolResult:
    """Fit- and case-oriented robustness of an initial solution against a test set (Oana and Schneider).

    Oana and Schneider (2024) call the test set "the overlap between conceptually plausible
    alternative solutions that can be generated" and the robust core "that part of a QCA solution
    that withstands the robustness checks". With IS the initial solution, TS_1 ... TS_n the test
    solutions (each computed on its own calibration and cut-offs), MIN_TS = TS_1 * ... * TS_n,
    MAX_TS = TS_1 + ... + TS_n and RC = IS * MIN_TS (fuzzy AND = minimum, OR = maximum), the
    fit-oriented parameters are those of SetMethods 4.0's ``rob.fit``:

    * ``RF_cov = cov(RC) / cov(IS)`` - the share of the initial solution's coverage kept by the core;
    * ``RF_cons = cons(IS) / cons(RC)``;
    * ``RF_SC_minTS = sum(min(IS, MIN_TS)) / sum(max(IS, MIN_TS))`` - set coincidence of IS with
      MIN_TS; ``RF_SC_maxTS`` likewise with MAX_TS.

    Each parameter is 1 for a perfectly robust solution. The case-oriented side sorts cases by
    membership above 0.5 in IS, MIN_TS, MAX_TS and Y into the eight types of :data:`CASE_TYPES`
    (robust, shaky, possible, extreme deviant coverage, irrelevant; typical or deviant), and, as
    SetMethods' ``rob.case.ratio``,

    * ``RCR_typ = robust typical / (robust typical + shaky typical + possible typical)``,
      ``RCR_dev`` likewise for deviant cases;
    * ``RCC_rank``: 1 = no shaky and no possible case, 2 = possible cases only, 3 = shaky cases
      only, 4 = both (shaky: IS*~MIN_TS > 0.5; possible: ~IS*MAX_TS > 0.5, whatever Y).

    Difference from SetMethods 4.0: its loops ``for (i in length(test_sol))`` visit only the first
    and the *last* test solution when building MIN_TS and MAX_TS; here every test solution enters,
    as the definitions require. With one or two test solutions the two agree.

    Parameters
    ----------
    initial : Solution
        The initial solution (IS); its outcome membership is the Y of every comparison.
    tests : Solution, or list/dict of Solution
        Test solutions over the same cases, in the same order.
    model : int, default 0
        Which model of each solution to use (0 = ``M1``; for intermediate solutions ``C1P1-M1``).

    Returns
    -------
    ProtocolResult

    Raises
    ------
    TypeError
        Something other than ``Solution`` objects.
    ValueError
        No test solution; test solutions over other cases (different number or names); a ``model``
        position some solution lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> from chaoyang.qca import minimize, truth_table
    >>> df = pd.DataFrame({"A": [0.9, 0.8, 0.2, 0.7, 0.1], "B": [0.8, 0.3, 0.9, 0.6, 0.2],
    ...                    "Y": [0.9, 0.7, 0.6, 0.8, 0.1]}, index=list("pqrst"))
    >>> initial = minimize(truth_table(df, "Y", ["A", "B"], incl_cut=0.9), include="?")
    >>> test = minimize(truth_table(df, "Y", ["A", "B"], incl_cut=0.8), include="?")
    >>> initial.models[0].expression, test.models[0].expression
    ('A', 'A + B')
    >>> result = robustness_protocol(initial, [test])  # RC = A * (A + B) = A; SC = 2.7 / 3.5
    >>> round(result.fit["RF_cov"], 3), round(result.fit["RF_SC_maxTS"], 3)
    (1.0, 0.771)
    >>> result.cases_of("possible typical")
    ['r']
    """
    if isinstance(tests, Solution):
        tests = [tests]
    elif isinstance(tests, dict):
        tests = list(tests.values())
    else:
        try:
            tests = list(tests)
        except TypeError:
            raise QCATypeError(f"tests must be a Solution or a list of Solutions, got {type(tests).__name__}") from None
    if not tests:
        raise QCAError("the test set is empty: pass at least one test solution")
    is_m = solution_membership(initial, model)
    names = list(initial.truth_table.case_names)
    members = []
    for i, test in enumerate(tests):
        m = solution_membership(test, model)
        if split_negation(test.truth_table.outcome) != split_negation(initial.truth_table.outcome):
            raise QCAError(f"test solution {i} explains {test.truth_table.outcome!r} but the initial solution "
                           f"{initial.truth_table.outcome!r}: a test set varies the analyst's choices, not the outcome")
        if len(m) != len(is_m) or list(test.truth_table.case_names) != names:
            raise QCAError(f"test solution {i} is over other cases ({len(m)} cases) than the initial solution "
                           f"({len(is_m)}): every solution of a test set must analyse the same cases in the same order")
        members.append(m)
    stack = np.column_stack(members)
    min_ts, max_ts = stack.min(axis=1), stack.max(axis=1)
    core = np.minimum(is_m, min_ts)
    y = initial.truth_table.y
    fit = {
        "IS_cons": _consistency(is_m, y), "IS_cov": _coverage(is_m, y),
        "RC_cons": _consistency(core, y), "RC_cov": _coverage(core, y),
    }
    fit["RF_cov"] = fit["RC_cov"] / fit["IS_cov"] if fit["IS_cov"] else float("nan")
    fit["RF_cons"] = fit["IS_cons"] / fit["RC_cons"] if fit["RC_cons"] else float("nan")
    fit["RF_SC_minTS"] = _coincidence(is_m, min_ts)
    fit["RF_SC_maxTS"] = _coincidence(is_m, max_ts)

    robust = np.minimum(is_m, min_ts) > 0.5
    shaky = np.minimum(is_m, 1.0 - min_ts) > 0.5
    possible = np.minimum(1.0 - is_m, max_ts) > 0.5
    neither = np.minimum(1.0 - is_m, 1.0 - max_ts) > 0.5
    high, low = y > 0.5, y < 0.5
    types = np.full(len(y), "on the crossover", dtype=object)
    for kind, mask in (("robust", robust), ("shaky", shaky), ("possible", possible)):
        types[mask & high] = f"{kind} typical"
        types[mask & low] = f"{kind} deviant"
    types[neither & high] = "extreme deviant coverage"
    types[neither & low] = "irrelevant"
    cases = pd.DataFrame({"IS": is_m, "minTS": min_ts, "maxTS": max_ts, "RC": core, "Y": y, "type": types},
                         index=pd.Index(names, name="case"))

    def ratio(suffix: str) -> float:
        n = {k: int((cases["type"] == f"{k} {suffix}").sum()) for k in ("robust", "shaky", "possible")}
        total = sum(n.values())
        return n["robust"] / total if total else float("nan")

    n_shaky, n_possible = int(shaky.sum()), int(possible.sum())
    rank = 1 if not n_shaky and not n_possible else 2 if not n_shaky else 3 if not n_possible else 4
    ratios = {"RCR_typ": ratio("typical"), "RCR_dev": ratio("deviant"), "RCC_rank": rank}
    return ProtocolResult(fit, cases, ratios, len(tests))
