"""Truth-table explorer for the fsQCA chapter: sliders for the cut-offs, solutions that follow.

The chapter's interactive cell and its static twin for the printed/offline book both live here, so
that the notebook only calls them. Every number comes from :mod:`chaoyang.qca`; this module adds
no QCA method of its own, only

* :func:`check_thresholds` - one place that validates the three cut-offs (the sliders cannot go out
  of range, but code calling :func:`solve` can);
* :func:`solve` - the update step: truth table plus complex, parsimonious and intermediate
  solutions for one setting of the cut-offs;
* :func:`solution_grid` and :func:`plot_solution_grid` - the same analysis over a grid of values
  of one cut-off, drawn as one static figure;
* :func:`compare_with_planted` - which solution terms match the planted configurations of the
  synthetic world (exactly, with extra conditions, or as a broader term);
* :func:`truth_table_widget` - ipywidgets sliders whose every move calls :func:`solve` and
  re-renders the result as HTML.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
>>> result = solve(df, "Y", ["A", "B"], incl_cut=0.8, n_cut=1)
>>> result.parsimonious.models[0].expression
'A'
"""

from __future__ import annotations

from chaoyang.errors import ChaoyangError
import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chaoyang import qca

#: Consistency cut-offs of the static figure (the range the robustness literature tests).
DEFAULT_INCL_CUTS = (0.75, 0.78, 0.80, 0.82, 0.85, 0.88, 0.90)

#: Axis label of each cut-off a grid can vary.
PARAMETER_LABELS = {"incl_cut": "Consistency cut-off (incl_cut)", "pri_cut": "PRI cut-off (pri_cut)",
                    "n_cut": "Frequency cut-off (n_cut)"}

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
    ValueError: incl_cut=0.3 is outside [0.5, 1]: a consistency cut-off below 0.5 would call a row sufficient although most of its membership lies outside the outcome; use 0.75-0.9
    """
    if not _is_real(incl_cut):
        raise TypeError(f"incl_cut must be a number in [{MIN_INCL_CUT}, 1], got {incl_cut!r}")
    if not _is_real(pri_cut):
        raise TypeError(f"pri_cut must be a number in [0, 1], got {pri_cut!r}")
    if isinstance(n_cut, (bool, np.bool_)) or not isinstance(n_cut, (int, np.integer)):
        if isinstance(n_cut, (float, np.floating)) and float(n_cut).is_integer():
            n_cut = int(n_cut)
        else:
            raise TypeError(f"n_cut must be a whole number of cases (>= 1), got {n_cut!r}")
    if math.isnan(incl_cut) or not MIN_INCL_CUT <= incl_cut <= 1:
        raise ValueError(
            f"incl_cut={incl_cut} is outside [{MIN_INCL_CUT}, 1]: a consistency cut-off below 0.5 would call a "
            "row sufficient although most of its membership lies outside the outcome; use 0.75-0.9"
        )
    if math.isnan(pri_cut) or not 0 <= pri_cut <= 1:
        raise ValueError(f"pri_cut={pri_cut} is outside [0, 1] (PRI is a proportion)")
    if n_cut < 1:
        raise ValueError(f"n_cut={n_cut} must be at least 1 case per truth-table row")
    if n_cases is not None and n_cut > n_cases:
        raise ValueError(f"n_cut={n_cut} exceeds the {n_cases} cases in the data: no row could be analysed")
    return float(incl_cut), int(n_cut), float(pri_cut)


@dataclass
class QCAResult:
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

    truth_table: qca.TruthTable
    complex: qca.Solution
    parsimonious: qca.Solution
    intermediate: qca.Solution | None
    settings: dict = field(default_factory=dict)

    def solution(self, kind: str) -> qca.Solution:
        """The solution of one kind: ``"complex"``, ``"parsimonious"`` or ``"intermediate"``."""
        if kind not in SOLUTION_KINDS:
            raise ValueError(f"kind must be one of {SOLUTION_KINDS}, got {kind!r}")
        found = getattr(self, kind)
        if found is None:
            raise ValueError("no intermediate solution: pass dir_exp to solve()")
        return found


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
        raise TypeError(f"data must be a DataFrame of calibrated memberships, got {type(data).__name__}")
    incl_cut, n_cut, pri_cut = check_thresholds(incl_cut, n_cut, pri_cut, n_cases=len(data))
    tt = qca.truth_table(data, outcome, list(conditions), incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
    n_positive, n_negative = len(tt.configs(1)), len(tt.configs([0, "C"]))
    if n_positive == 0:
        raise NoSolutionError(f"no truth-table row reaches incl_cut={incl_cut} (and pri_cut={pri_cut}): nothing to "
                              "explain; lower a cut-off")
    if n_negative == 0:
        raise NoSolutionError(f"every analysed row passes incl_cut={incl_cut} and pri_cut={pri_cut}: the outcome "
                              "looks always present; raise a cut-off or check the outcome's calibration")
    complex_solution = qca.minimize(tt, max_models=max_models)
    parsimonious = qca.minimize(tt, include="?", max_models=max_models)
    intermediate = None
    if dir_exp is not None:
        intermediate = qca.minimize(tt, include="?", dir_exp=dir_exp, max_models=max_models)
    settings = {"incl_cut": incl_cut, "n_cut": n_cut, "pri_cut": pri_cut, "dir_exp": dir_exp}
    return QCAResult(tt, complex_solution, parsimonious, intermediate, settings)


@dataclass
class SolutionGrid:
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
        raise ValueError(f"vary must be one of {list(PARAMETER_LABELS)}, got {vary!r}")
    if values is None:
        if vary != "incl_cut":
            raise ValueError(f"give the values of {vary} to try (values=...)")
        values = DEFAULT_INCL_CUTS
    if kind not in SOLUTION_KINDS:
        raise ValueError(f"kind must be one of {SOLUTION_KINDS}, got {kind!r}")
    if kind == "intermediate" and dir_exp is None:
        raise ValueError("kind='intermediate' needs dir_exp (directional expectations)")
    values = list(values)
    if not values:
        raise ValueError(f"values is empty: give at least one value of {vary}")
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


def _literals(term: str) -> frozenset[str]:
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
        raise TypeError("terms and planted must be lists of terms such as ['BEL*RES'], not one string")
    found = list(dict.fromkeys(terms))
    used: set[str] = set()
    rows = []
    for config in planted:
        target = _literals(config)
        exact = [t for t in found if _literals(t) == target]
        narrower = [t for t in found if _literals(t) > target]
        broader = [t for t in found if _literals(t) < target]
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


def plot_solution_grid(grid: SolutionGrid, *, planted=None, title: str | None = None):
    """Static twin of the widget: solution terms and fit across the values of one cut-off.

    Top panel: one row per term ever found, one column per value of the cut-off; a dot where the term is in the
    solution, its area proportional to raw coverage and its value printed. Terms matching a planted
    configuration exactly are drawn in blue, the others in grey. Bottom panel: solution consistency
    and coverage against the cut-off. Text is English.

    Parameters
    ----------
    grid : SolutionGrid
        From :func:`solution_grid`.
    planted : iterable of str, optional
        Planted configurations to highlight.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        With two axes: ``axes[0]`` (terms; y label "Solution term") and ``axes[1]`` (fit; y label
        "Solution fit"); both x labels name the varied cut-off, e.g. "Consistency cut-off (incl_cut)".

    Raises
    ------
    TypeError
        ``grid`` is not a :class:`SolutionGrid`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> fig = plot_solution_grid(solution_grid(df, "Y", ["A", "B"], values=(0.8,), kind="complex"))
    >>> fig.axes[0].get_ylabel()
    'Solution term'
    """
    import matplotlib.pyplot as plt

    if not isinstance(grid, SolutionGrid):
        raise TypeError(f"plot_solution_grid() needs the SolutionGrid from solution_grid(), got {type(grid).__name__}")
    planted_sets = {_literals(p) for p in (planted or [])}
    cuts = grid.fit["value"].tolist()
    x_label = PARAMETER_LABELS[grid.parameter]
    first_seen = list(dict.fromkeys(grid.terms.sort_values(["value"], kind="stable")["term"]))
    counts = grid.terms["term"].value_counts()
    # the terms found at most cut-offs on top
    term_order = sorted(first_seen, key=lambda t: (-counts[t], first_seen.index(t)))
    height = 2.4 + 0.32 * max(len(term_order), 1)
    fig, (ax_terms, ax_fit) = plt.subplots(2, 1, figsize=(7.5, height + 2.4), sharex=True,
                                           gridspec_kw={"height_ratios": [height, 2.2]})
    y_of = {t: len(term_order) - 1 - i for i, t in enumerate(term_order)}
    for _, row in grid.terms.iterrows():
        colour = "tab:blue" if _literals(row["term"]) in planted_sets else "0.55"
        ax_terms.scatter(row["value"], y_of[row["term"]], s=40 + 900 * row["covS"], color=colour, alpha=0.8,
                         edgecolor="black", linewidth=0.5, zorder=2)
        ax_terms.annotate(f"{row['covS']:.2f}", (row["value"], y_of[row["term"]]), textcoords="offset points",
                          xytext=(0, -14), ha="center", fontsize=7)
    ax_terms.set_yticks(range(len(term_order)), [t for t in reversed(term_order)])
    ax_terms.set_ylim(-0.8, max(len(term_order), 1) - 0.2)
    ax_terms.set_ylabel("Solution term")
    ax_terms.set_xlabel(x_label)
    ax_terms.xaxis.set_tick_params(labelbottom=True)
    ax_terms.grid(axis="y", color="0.9", zorder=0)
    for cut, error in zip(cuts, grid.fit["error"]):
        if error:
            ax_terms.text(cut, (len(term_order) - 1) / 2, "no row\npasses", ha="center", va="center", fontsize=7)
    if planted_sets:
        ax_terms.scatter([], [], s=80, color="tab:blue", edgecolor="black", label="planted configuration")
        ax_terms.scatter([], [], s=80, color="0.55", edgecolor="black", label="other term")
        ax_terms.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.5 / height), ncol=2, fontsize=8,
                        frameon=False)
    ax_fit.plot(cuts, grid.fit["inclS"], marker="o", color="tab:red", label="solution consistency")
    ax_fit.plot(cuts, grid.fit["covS"], marker="s", color="tab:green", label="solution coverage")
    ax_fit.set_ylim(0, 1.02)
    ax_fit.set_ylabel("Solution fit")
    ax_fit.set_xlabel(x_label)
    ax_fit.set_xticks(cuts, [f"{c:g}" for c in cuts])
    ax_fit.legend(fontsize=8, loc="lower left")
    ax_fit.grid(color="0.9")
    fixed = ", ".join(f"{k} = {v:g}" for k, v in grid.settings.items())
    fig.suptitle(title or f"{grid.kind.capitalize()} solution across {grid.parameter} ({fixed})", fontsize=11)
    fig.tight_layout()
    return fig


def _render_html(result: QCAResult | None, error: str = "", planted=None) -> str:
    if result is None:
        return f"<p style='color:#b00'><b>No solution:</b> {html.escape(error)}</p>"
    s = result.settings
    parts = [f"<p><b>incl_cut</b> {s['incl_cut']:.2f} &nbsp; <b>n_cut</b> {s['n_cut']} &nbsp; "
             f"<b>pri_cut</b> {s['pri_cut']:.2f}</p>"]
    table = result.truth_table.table.drop(columns=["cases"]).sort_values("incl", ascending=False)
    parts.append(table.to_html(float_format=lambda v: f"{v:.3f}", border=0))
    for kind in SOLUTION_KINDS:
        sol = getattr(result, kind)
        if sol is None:
            continue
        model = sol.models[0]
        more = f" (+{len(sol.models) - 1} more models)" if len(sol.models) > 1 else ""
        parts.append(f"<p><b>{kind.capitalize()}</b>: {html.escape(model.expression)}{more} &mdash; "
                     f"consistency {model.fit['inclS']:.3f}, coverage {model.fit['covS']:.3f}</p>")
    if planted is not None:
        final = (result.intermediate or result.parsimonious).models[0].terms
        parts.append(compare_with_planted(final, planted).to_html(border=0))
    return "\n".join(parts)


def truth_table_widget(data: pd.DataFrame, outcome: str, conditions, *, incl_cut=0.8, n_cut=1, pri_cut=0.0,
                       dir_exp=None, planted=None, max_n_cut: int | None = None):
    """Sliders for ``incl_cut``, ``n_cut`` and ``pri_cut``; truth table and solutions update on each move.

    Each change calls :func:`solve` and shows the truth table, the first model of each solution with
    its consistency and coverage, and (with ``planted``) :func:`compare_with_planted`. A setting
    with no solution shows the reason instead. Needs a running Jupyter kernel to be interactive; in
    the book use :func:`plot_solution_grid` beside it.

    Parameters
    ----------
    data, outcome, conditions, dir_exp
        As in :func:`solve`.
    incl_cut, n_cut, pri_cut
        Initial slider values (validated by :func:`check_thresholds`).
    planted : iterable of str, optional
        Planted configurations to compare with.
    max_n_cut : int, optional
        Upper end of the ``n_cut`` slider; default the larger of 50 and ``n_cut``, capped at the
        number of cases.

    Returns
    -------
    ipywidgets.VBox
        Children: the three sliders in a ``HBox`` and an ``HTML`` output. Its ``sliders`` attribute
        maps ``"incl_cut"``, ``"n_cut"``, ``"pri_cut"`` to the slider widgets and ``output`` is the
        ``HTML`` widget.

    Raises
    ------
    TypeError, ValueError
        Bad initial cut-offs; bad data are reported when first solved.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> box = truth_table_widget(df, "Y", ["A", "B"])
    >>> box.sliders["incl_cut"].value
    0.8
    """
    import ipywidgets as widgets

    incl_cut, n_cut, pri_cut = check_thresholds(incl_cut, n_cut, pri_cut, n_cases=len(data))
    top = max(50, n_cut) if max_n_cut is None else int(max_n_cut)
    top = min(top, len(data))
    if n_cut > top:
        raise ValueError(f"n_cut={n_cut} is above the slider's maximum max_n_cut={top}")
    style = {"description_width": "initial"}
    sliders = {
        "incl_cut": widgets.FloatSlider(value=incl_cut, min=MIN_INCL_CUT, max=1.0, step=0.01,
                                        description="incl_cut", continuous_update=False, style=style),
        "n_cut": widgets.IntSlider(value=n_cut, min=1, max=top, step=1, description="n_cut",
                                   continuous_update=False, style=style),
        "pri_cut": widgets.FloatSlider(value=pri_cut, min=0.0, max=1.0, step=0.05, description="pri_cut",
                                       continuous_update=False, style=style),
    }
    output = widgets.HTML()

    def update(_change=None):
        try:
            result = solve(data, outcome, conditions, incl_cut=sliders["incl_cut"].value,
                           n_cut=sliders["n_cut"].value, pri_cut=sliders["pri_cut"].value, dir_exp=dir_exp)
        except ValueError as err:
            output.value = _render_html(None, str(err))
            return
        output.value = _render_html(result, planted=planted)

    for slider in sliders.values():
        slider.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox(list(sliders.values())), output])
    box.sliders = sliders
    box.output = output
    return box


__all__ = ["DEFAULT_INCL_CUTS", "MIN_INCL_CUT", "PARAMETER_LABELS", "NoSolutionError", "QCAResult", "SolutionGrid", "check_thresholds",
           "compare_with_planted", "plot_solution_grid", "solution_grid", "solve", "truth_table_widget"]
