"""Robustness of QCA results across calibrations and truth-table cut-offs.

In the spirit of the robustness protocol of Oana and Schneider (2021, SetMethods): re-run the whole
analysis under every plausible specification - each calibration variant crossed with each
consistency cut-off and frequency cut-off - and report which configurations (terms) survive in how
many specifications. A term found in every specification belongs to the robust core; a term found
in few depends on arbitrary analytic choices. The negated outcome is a separate analysis: call
again with ``"~Y"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang.qca.minimize import minimize
from chaoyang.qca.truthtable import truth_table
from chaoyang.qca._checks import QCAError


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
