"""fsQCA for the Chaoyang kit: calibration, necessity, truth tables, exact minimization, charts, robustness.

Beyond R QCA: Oana and Schneider's robustness test protocol (``incl_range``, ``ncut_range``,
``calibration_range`` sensitivity ranges; ``robustness_protocol`` with the robust core and the
fit- and case-oriented parameters of SetMethods' ``rob.fit``/``rob.cases``), cluster diagnostics
(``cluster_diagnostics``, ``cluster_solution``: SetMethods' ``cluster``) and the Enhanced
Standard Analysis (``esa``, ``contradictory_assumptions``).

Reproduces R package QCA 3.25 (Dusa 2019): ``calibrate`` (direct method), ``pof`` necessity
parameters, ``truthTable`` and ``minimize`` (complex, parsimonious and intermediate solutions, with
R's term and model order), checked against reference outputs of R in ``tests/fixtures/qca``.

Problem sizes
-------------
* Truth tables: up to 25 conditions (only observed rows are built; listing remainders needs <= 20).
* Minimization: up to 15 conditions (``MAX_CONDITIONS``); more raises ``ValueError`` at once. The
  parsimonious prime-implicant search examines at most 5,000,000 candidate terms
  (``primes.MAX_CANDIDATES``) and raises ``SearchLimitError`` beyond.
* Charts are solved exactly: the minimum number of implicants by mixed-integer programming (HiGHS via
  ``scipy.optimize.milp``), then every cover of that size listed in R's order, up to ``max_models``
  models (default 100) and ``node_budget`` search nodes (default 2,000,000); when either stops the
  listing, ``Solution.truncated`` is True and its repr says so. Nothing runs unbounded.
* Speed: ``make bench`` runs ``benchmarks/bench_qca.py`` against a textbook baseline; measured
  ratios, with date and machine, are in the README (timings are not stated here, where nothing checks them).

Notation follows R QCA: ``*`` AND, ``+`` OR, ``~`` NOT; truth-table rows are numbered from 1 with the
first condition most significant.
"""

from chaoyang.qca._checks import MAX_CONDITIONS, QCAError, QCATypeError, QCAWarning, UnknownColumnError
from chaoyang.qca.calibrate import calibrate, calibrate_percentiles
from chaoyang.qca.chart import configuration_chart
from chaoyang.qca.grid import NoSolutionError, QCAResult, SolutionGrid, compare_with_planted, solution_grid, solve
from chaoyang.qca.minimize import Model, Solution, minimize, parse_dir_exp
from chaoyang.qca.necessity import necessity
from chaoyang.qca.primes import SearchLimitError
from chaoyang.qca.robustness import (CASE_TYPES, ProtocolResult, RobustnessResult, robustness,
                                     robustness_protocol, solution_membership)
from chaoyang.qca.sensitivity import SensitivityRanges, calibration_range, incl_range, ncut_range, pri_range
from chaoyang.qca.cluster import ClusterDiagnostics, cluster_diagnostics, cluster_solution
from chaoyang.qca.esa import contradictory_assumptions, esa
from chaoyang.qca.terms import expression_membership
from chaoyang.qca.truthtable import TruthTable, truth_table

__all__ = [
    "CASE_TYPES",
    "ClusterDiagnostics",
    "ProtocolResult",
    "SensitivityRanges",
    "calibration_range",
    "cluster_diagnostics",
    "cluster_solution",
    "contradictory_assumptions",
    "esa",
    "incl_range",
    "ncut_range",
    "pri_range",
    "robustness_protocol",
    "solution_membership",
    "MAX_CONDITIONS",
    "Model",
    "NoSolutionError",
    "QCAResult",
    "SolutionGrid",
    "compare_with_planted",
    "solution_grid",
    "solve",
    "QCAError",
    "QCATypeError",
    "QCAWarning",
    "RobustnessResult",
    "SearchLimitError",
    "Solution",
    "TruthTable",
    "UnknownColumnError",
    "calibrate",
    "calibrate_percentiles",
    "configuration_chart",
    "expression_membership",
    "minimize",
    "necessity",
    "parse_dir_exp",
    "robustness",
    "truth_table",
]
