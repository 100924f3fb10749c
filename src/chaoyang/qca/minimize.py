"""Boolean minimization of a truth table: complex, parsimonious and intermediate solutions.

Follows R QCA 3.25's ``minimize`` step by step:

* **complex** (``include=""``): prime implicants of the positive rows alone (Quine-McCluskey).
* **parsimonious** (``include="?"``): prime implicants that avoid every negative row (``OUT = 0``
  and contradictions), remainders being free (R's CCubes search). The remainders covered by a
  model are its *simplifying assumptions*.
* **intermediate** (``include="?"`` and ``dir_exp``): for each pair of a complex model C and a
  parsimonious model P, every complex term is compared with the parsimonious terms it lies inside;
  literals of the complex term that are not in that parsimonious term and contradict a directional
  expectation are dropped. The simplifying assumptions of P covered by these widened terms are the
  *easy counterfactuals*; the positive rows plus the easy counterfactuals are minimized again
  (Quine-McCluskey) and the chart on the positive rows solved. Models are named ``C1P1-M1`` etc.

Every chart is solved exactly for all covers with the minimum number of prime implicants
(:mod:`chaoyang.qca.cover`), listed in R's order; terms within a model follow R's implicant order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang.qca._checks import MAX_CONDITIONS, UnknownColumnError, split_negation
from chaoyang.qca.cover import DEFAULT_MAX_MODELS, DEFAULT_NODE_BUDGET, minimal_covers
from chaoyang.qca.primes import ccubes_primes, cover_masks, qmc_primes
from chaoyang.qca.terms import bit, config_bits, expand, sufficiency_fit, term_membership, term_string
from chaoyang.qca.truthtable import TruthTable
from chaoyang.qca._checks import QCAError, QCATypeError


@dataclass(repr=False)
class Model(ResultMixin):
    """One model (a disjunction of prime implicants) of a solution.

    Attributes
    ----------
    name : str
        ``"M1"``, ``"M2"``, ... (``"C1P1-M1"`` for intermediate models).
    terms : list of str
        Terms in R's order, e.g. ``["DEV*~IND", "URB*STB"]``.
    implicants : list of (int, int)
        The same terms as ``(care, value)`` bit masks.
    fit : dict
        Solution consistency ``inclS``, ``PRI`` and coverage ``covS``.
    term_fit : DataFrame
        Columns ``term, inclS, PRI, covS, covU`` (``covU`` NaN when the model has one term).
    simplifying_assumptions : DataFrame
        Remainders covered by the model (index: row number; 0/1 condition columns).
    """

    name: str
    terms: list[str]
    implicants: list[tuple[int, int]]
    fit: dict
    term_fit: pd.DataFrame
    simplifying_assumptions: pd.DataFrame

    @property
    def expression(self) -> str:
        """The model as R prints it, e.g. ``"DEV*~IND + URB*STB"``."""
        return " + ".join(self.terms)

    def __repr__(self) -> str:
        return f"{self.name}: {self.expression}"

    def summary(self) -> str:
        """The model, its terms' fit and its solution fit, as R QCA prints them."""
        table = self.term_fit.set_index("term")
        table.index.name = None
        fit = self.fit
        rows = [line.rstrip() for line in table.to_string(float_format=lambda v: f"{v:.3f}", na_rep="").splitlines()]
        return "\n".join([repr(self), *rows,
                          f"{self.name}: inclS {fit['inclS']:.3f}  PRI {fit['PRI']:.3f}  covS {fit['covS']:.3f}"])

    def to_frame(self) -> pd.DataFrame:
        """One row per term: ``model, term, inclS, PRI, covS, covU``."""
        frame = self.term_fit.copy()
        frame.insert(0, "model", self.name)
        return frame.reset_index(drop=True)


@dataclass(repr=False)
class Solution(ResultMixin):
    """Result of :func:`minimize`.

    Attributes
    ----------
    kind : str
        ``"complex"``, ``"parsimonious"`` or ``"intermediate"``.
    models : list of Model
        All models with the minimum number of prime implicants (model ambiguity: M1, M2, ...), up
        to ``max_models`` per chart.
    prime_implicants : list of str
        Rows of the prime-implicant chart (for intermediate: of the first C/P pair).
    essential : list of str
        Prime implicants present in every listed model.
    simplifying_assumptions : DataFrame
        Remainders covered by the first model (see ``simplifying_assumptions_by_model``).
    easy_counterfactuals : DataFrame or None
        Intermediate only: easy counterfactuals of the first C/P pair (see
        ``easy_counterfactuals_by_pair``); ``None`` otherwise.
    truncated : bool
        True when a model cap or search budget stopped the listing of models early.
    """

    kind: str
    models: list[Model]
    prime_implicants: list[str]
    truth_table: TruthTable = field(repr=False)
    truncated: bool = False
    truncation_reason: str = ""
    simplifying_assumptions_by_model: dict = field(default_factory=dict, repr=False)
    easy_counterfactuals_by_pair: dict = field(default_factory=dict, repr=False)
    dir_exp: dict | None = None

    @property
    def essential(self) -> list[str]:
        common = set(self.models[0].terms)
        for m in self.models[1:]:
            common &= set(m.terms)
        return [t for t in self.models[0].terms if t in common]

    @property
    def simplifying_assumptions(self) -> pd.DataFrame:
        return self.models[0].simplifying_assumptions

    @property
    def easy_counterfactuals(self) -> pd.DataFrame | None:
        if self.kind != "intermediate":
            return None
        return next(iter(self.easy_counterfactuals_by_pair.values()))

    def __repr__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """One row per (model, term): ``model, term, inclS, PRI, covS, covU`` (R's order)."""
        frames = [model.to_frame() for model in self.models]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["model", "term", "inclS", "PRI", "covS", "covU"])

    def summary(self) -> str:
        """Every model with its term and solution fit (R QCA's print), and the easy counterfactuals."""
        lines = [f"{self.kind.capitalize()} solution for {self.truth_table.outcome} "
                 f"({len(self.models)} model{'s' if len(self.models) != 1 else ''})"]
        if self.truncated:
            lines.append(f"NOTE: listing stopped early ({self.truncation_reason}); more models may exist")
        for model in self.models:
            lines.append("")
            lines.extend(model.summary().splitlines())
        if self.kind == "intermediate":
            for pair, ec in self.easy_counterfactuals_by_pair.items():
                lines.append(f"{pair} easy counterfactuals: rows {ec.index.tolist()}")
        return "\n".join(lines)


def parse_dir_exp(dir_exp, conditions: list[str]) -> dict[str, int]:
    """Directional expectations as ``{condition: 1 or 0}`` (conditions without one are left out).

    Accepts a dict (``{"DEV": 1, "IND": 0, "LIT": "-"}``), R's string form
    (``"DEV, URB, ~IND"``) or a list of such literals.

    Parameters
    ----------
    dir_exp : dict, str or list
        The expectations in any of the forms above.
    conditions : list of str
        The truth table's conditions.

    Returns
    -------
    dict of str -> int
        Expected value (1 present, 0 absent) for each condition that has an expectation.

    Raises
    ------
    KeyError
        A condition name that is not among the truth table's conditions.
    ValueError
        Conjunctural expectations (``"A*B"``), contradictory ones (``"A, ~A"``) or bad values.

    Examples
    --------
    >>> parse_dir_exp("DEV, ~IND", ["DEV", "URB", "IND"])
    {'DEV': 1, 'IND': 0}
    """
    expectations: dict[str, int] = {}
    if isinstance(dir_exp, dict):
        for name, value in dir_exp.items():
            if name not in conditions:
                raise UnknownColumnError(f"directional expectation for unknown condition {name!r}; "
                                         f"conditions are {conditions}")
            if value in ("-", None, "dc"):
                continue
            if value not in (0, 1, "0", "1"):
                raise QCAError(f"directional expectation for {name!r} must be 1, 0 or '-', got {value!r}")
            expectations[name] = int(value)
        return expectations
    if isinstance(dir_exp, str):
        items = [s for s in dir_exp.replace(";", ",").split(",")]
    else:
        items = list(dir_exp)
    for raw in items:
        if not isinstance(raw, str):
            raise QCATypeError(f"directional expectations must be strings like 'DEV' or '~IND', got {raw!r}")
        if not raw.strip() or raw.strip() == "-":
            continue
        if "*" in raw or "+" in raw:
            raise QCAError(f"conjunctural directional expectation {raw!r} is not supported; give single literals")
        name, negated = split_negation(raw)
        if name not in conditions:
            raise UnknownColumnError(f"directional expectation {raw.strip()!r} names no condition of {conditions}")
        value = 0 if negated else 1
        if name in expectations and expectations[name] != value:
            raise QCAError(f"contradictory directional expectations for {name!r} (both {name} and ~{name})")
        expectations[name] = value
    return expectations


def _configs_frame(configs, conditions: list[str]) -> pd.DataFrame:
    configs = np.asarray(sorted(int(c) for c in configs), dtype=np.int64)
    return pd.DataFrame(config_bits(configs, len(conditions)).astype(int), columns=conditions,
                        index=pd.Index(configs + 1, name="row"))


def _remainders_covered(implicants, k: int, excluded: set[int], cache: dict | None = None) -> list[int]:
    covered: set[int] = set()
    for care, value in implicants:
        if cache is None or (care, value) not in cache:
            configs = expand(care, value, k).tolist()
            if cache is not None:
                cache[(care, value)] = configs
        else:
            configs = cache[(care, value)]
        covered.update(configs)
    return sorted(covered - excluded)


@dataclass
class _Chart:
    primes: list[tuple[int, int]]  # chart rows (implicants covering at least one positive row)
    covers: list[tuple[int, ...]]
    truncated: bool
    reason: str


def _solve(primes, positives, max_models, node_budget) -> _Chart:
    masks = cover_masks(primes, positives)
    kept = [(p, m) for p, m in zip(primes, masks) if m]  # R drops chart rows that cover nothing
    primes = [p for p, _ in kept]
    result = minimal_covers([m for _, m in kept], len(positives), max_models=max_models, node_budget=node_budget)
    return _Chart(primes, result.covers, result.truncated, result.reason)


def _easy_counterfactuals(complex_terms, pars_terms, assumptions: list[int], expectations: dict[int, int],
                          k: int) -> list[int]:
    """R's ``C_getEC`` for single-literal directional expectations (bit -> expected value)."""
    widened = []
    for c_care, c_value in complex_terms:
        for p_care, p_value in pars_terms:
            if c_care & p_care != p_care or c_value & p_care != p_value:
                continue  # the complex term does not lie inside this parsimonious term
            care, value = c_care, c_value
            extra = c_care & ~p_care
            for j in range(k):
                b = bit(j, k)
                if extra & b and b in expectations and expectations[b] != bool(c_value & b):
                    care &= ~b  # the literal contradicts the expectation: drop it
                    value &= ~b
            widened.append((care, value))
    return [s for s in assumptions if any(s & care == value for care, value in widened)]


def minimize(truth_table: TruthTable, *, include: str = "", dir_exp=None, max_models: int = DEFAULT_MAX_MODELS,
             node_budget: int = DEFAULT_NODE_BUDGET) -> Solution:
    """Minimize a truth table into the complex, parsimonious or intermediate solution (R QCA 3.25).

    Parameters
    ----------
    truth_table : TruthTable
        From :func:`chaoyang.qca.truth_table`. Rows with ``OUT = 1`` are explained; ``OUT = 0`` and
        contradictions ``"C"`` must not be covered.
    include : {"", "?"}
        ``""`` for the complex (conservative) solution, ``"?"`` to let remainders be used
        (parsimonious, or intermediate with ``dir_exp``).
    dir_exp : dict, str or list, optional
        Directional expectations, e.g. ``{"DEV": 1, "URB": 1, "IND": 0}`` or R's
        ``"DEV, URB, ~IND"``; conditions left out have no expectation. Requires ``include="?"``.
    max_models : int, default 100
        Cap on the models listed per prime-implicant chart (R has none). When it is hit - or the
        search budget ``node_budget`` runs out - ``Solution.truncated`` is True and the repr says so;
        the models listed are then the first ones in R's order.
    node_budget : int, default 2,000,000
        Search nodes allowed when listing the minimal covers of a chart.

    Returns
    -------
    Solution

    Raises
    ------
    ValueError
        Bad ``include``; ``dir_exp`` without remainders; no positive row; no negative row with
        remainders included (everything would minimize to the empty term); more than 15 conditions.
    KeyError
        ``dir_exp`` names an unknown condition.

    Examples
    --------
    >>> import pandas as pd
    >>> from chaoyang.qca import truth_table
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> sol = minimize(truth_table(df, "Y", ["A", "B"]))
    >>> sol.models[0].terms
    ['A']
    >>> print(sol.summary())
    Complex solution for Y (1 model)
    <BLANKLINE>
    M1: A
       inclS   PRI  covS  covU
    A  1.000 1.000 1.000
    M1: inclS 1.000  PRI 1.000  covS 1.000
    >>> sol.to_frame()[["model", "term", "inclS", "covS"]]
      model term  inclS  covS
    0    M1    A    1.0   1.0
    """
    if not isinstance(truth_table, TruthTable):
        raise QCATypeError(f"minimize() needs a TruthTable from truth_table(), got {type(truth_table).__name__}")
    if include not in ("", "?"):
        raise QCAError(f"include must be '' (complex solution) or '?' (use remainders), got {include!r}")
    if dir_exp is not None and include != "?":
        raise QCAError("directional expectations need the remainders: pass include='?' with dir_exp")
    tt = truth_table
    k = tt.k
    if k > MAX_CONDITIONS:
        raise QCAError(f"{k} conditions: minimization handles at most {MAX_CONDITIONS} "
                         "(see the chaoyang.qca docstring for problem sizes)")
    conditions = tt.conditions
    positives = tt.configs(1)
    negatives = tt.configs([0, "C"])
    if positives.size == 0:
        raise QCAError("no truth-table row has OUT = 1: nothing to explain (lower incl_cut or check the outcome)")
    if include == "?" and negatives.size == 0:
        raise QCAError("every observed row has OUT = 1 and remainders are included: the solution would be the "
                         "empty term (the outcome is always present) - check the truth table")
    positive_set = set(positives.tolist())

    membership_cache: dict[tuple[int, int], np.ndarray] = {}
    expansion_cache: dict[tuple[int, int], list[int]] = {}

    def membership(implicant) -> np.ndarray:
        if implicant not in membership_cache:
            membership_cache[implicant] = term_membership(tt.literals, implicant[0], implicant[1], k)
        return membership_cache[implicant]

    def make_model(name, implicants) -> Model:
        memberships = np.column_stack([membership(imp) for imp in implicants])
        term_fit, fit = sufficiency_fit(memberships, tt.y)
        terms = [term_string(c, v, conditions) for c, v in implicants]
        term_fit.insert(0, "term", terms)
        assumptions = _remainders_covered(implicants, k, positive_set, expansion_cache)
        return Model(name, terms, list(implicants), fit, term_fit, _configs_frame(assumptions, conditions))

    def models_from(chart: _Chart, prefix: str = "") -> list[Model]:
        width = len(str(len(chart.covers)))
        return [make_model(f"{prefix}M{str(i + 1).zfill(width)}", [chart.primes[j] for j in cover])
                for i, cover in enumerate(chart.covers)]

    complex_chart = None
    if include == "" or dir_exp is not None:
        complex_chart = _solve(qmc_primes(positives, k), positives, max_models, node_budget)
    if include == "":
        models = models_from(complex_chart)
        return Solution("complex", models, [term_string(c, v, conditions) for c, v in complex_chart.primes], tt,
                        complex_chart.truncated, complex_chart.reason,
                        {m.name: m.simplifying_assumptions for m in models})

    pars_chart = _solve(ccubes_primes(positives, negatives, k), positives, max_models, node_budget)
    pars_models = models_from(pars_chart)
    by_model = {m.name: m.simplifying_assumptions for m in pars_models}
    if dir_exp is None:
        return Solution("parsimonious", pars_models, [term_string(c, v, conditions) for c, v in pars_chart.primes],
                        tt, pars_chart.truncated, pars_chart.reason, by_model)

    expectations = parse_dir_exp(dir_exp, conditions)
    expected_bits = {bit(conditions.index(n), k): v for n, v in expectations.items()}
    models: list[Model] = []
    ec_by_pair: dict[str, pd.DataFrame] = {}
    truncated = complex_chart.truncated or pars_chart.truncated
    reasons = {complex_chart.reason, pars_chart.reason} - {""}
    first_primes = None
    for ci, c_cover in enumerate(complex_chart.covers):
        for pi, p_cover in enumerate(pars_chart.covers):
            pair = f"C{ci + 1}P{pi + 1}"
            assumptions = [int(r) - 1 for r in pars_models[pi].simplifying_assumptions.index]
            ec = _easy_counterfactuals([complex_chart.primes[j] for j in c_cover],
                                       [pars_chart.primes[j] for j in p_cover], assumptions, expected_bits, k)
            ec_by_pair[pair] = _configs_frame(ec, conditions)
            chart = _solve(qmc_primes(list(positives) + ec, k), positives, max_models, node_budget)
            truncated |= chart.truncated
            reasons |= {chart.reason} - {""}
            if first_primes is None:
                first_primes = [term_string(c, v, conditions) for c, v in chart.primes]
            models.extend(models_from(chart, prefix=f"{pair}-"))
    return Solution("intermediate", models, first_primes, tt, truncated, "; ".join(sorted(reasons)),
                    {m.name: m.simplifying_assumptions for m in models}, ec_by_pair, expectations)
