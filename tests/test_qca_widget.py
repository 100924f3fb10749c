"""Tests of chaoyang.qca.grid: the widget's update step, its static figure and its input checks.

Reference values: R QCA 3.25 on the fuzzy Lipset data (tests/fixtures/qca/LF.csv and LF_SURV.json,
provenance in tests/fixtures/qca/PROVENANCE.md), and hand-worked cases.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from chaoyang import qca  # noqa: E402
from chaoyang.plots.qca_grid import plot_solution_grid  # noqa: E402
from chaoyang.qca import grid as qw  # noqa: E402
from chaoyang.widgets.qca import truth_table_widget  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "qca"
LF_CONDITIONS = ["DEV", "URB", "LIT", "IND", "STB"]
LF_DIR_EXP = "DEV, URB, LIT, IND, STB"  # R call recorded in LF_SURV.json["r_calls"]


@pytest.fixture(scope="module")
def lipset():
    data = pd.read_csv(FIXTURES / "LF.csv", index_col=0)
    reference = json.loads((FIXTURES / "LF_SURV.json").read_text(encoding="utf-8"))
    return data, reference


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- the update step
def test_solve_reproduces_r_qca_on_the_lipset_reference(lipset):
    data, reference = lipset
    result = qw.solve(data, "SURV", LF_CONDITIONS, incl_cut=0.8, n_cut=1, pri_cut=0.0, dir_exp=LF_DIR_EXP)
    for kind in qw.SOLUTION_KINDS:
        expected = reference["solutions"][kind]["models"]
        got = result.solution(kind).models
        assert [m.expression for m in got] == [m["expression"] for m in expected], kind
        for key in ("inclS", "PRI", "covS"):
            assert got[0].fit[key] == pytest.approx(expected[0]["fit"][key], abs=1e-9), (kind, key)


@pytest.mark.parametrize("incl_cut, n_cut, pri_cut", [(0.8, 1, 0.0), (0.75, 1, 0.5), (0.9, 2, 0.0)])
def test_solve_equals_calling_chaoyang_qca_directly(lipset, incl_cut, n_cut, pri_cut):
    data, _ = lipset
    result = qw.solve(data, "SURV", LF_CONDITIONS, incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut,
                      dir_exp=LF_DIR_EXP)
    tt = qca.truth_table(data, "SURV", LF_CONDITIONS, incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
    pd.testing.assert_frame_equal(result.truth_table.table, tt.table)
    direct = {"complex": qca.minimize(tt), "parsimonious": qca.minimize(tt, include="?"),
              "intermediate": qca.minimize(tt, include="?", dir_exp=LF_DIR_EXP)}
    for kind, solution in direct.items():
        assert [m.expression for m in result.solution(kind).models] == [m.expression for m in solution.models]
        assert result.solution(kind).models[0].fit == pytest.approx(solution.models[0].fit)


def test_solve_without_dir_exp_has_no_intermediate_and_says_so(lipset):
    data, _ = lipset
    result = qw.solve(data, "SURV", LF_CONDITIONS)
    assert result.intermediate is None
    with pytest.raises(ValueError, match="dir_exp"):
        result.solution("intermediate")


def test_solve_does_not_modify_the_data(lipset):
    data, _ = lipset
    before = data.copy()
    qw.solve(data, "SURV", LF_CONDITIONS, dir_exp=LF_DIR_EXP)
    pd.testing.assert_frame_equal(data, before)


def test_solve_reports_when_nothing_is_left_to_minimize(lipset):
    data, _ = lipset
    with pytest.raises(qw.NoSolutionError, match="no truth-table row reaches incl_cut=0.99"):
        qw.solve(data, "SURV", LF_CONDITIONS, incl_cut=0.99)
    always = data.assign(SURV=1.0)
    with pytest.raises(qw.NoSolutionError, match="every analysed row passes"):
        qw.solve(always, "SURV", LF_CONDITIONS)


# ---------------------------------------------------------------- bad slider values
@pytest.mark.parametrize("kwargs, error, words", [
    ({"incl_cut": 0.3}, ValueError, "incl_cut=0.3 is outside"),
    ({"incl_cut": 1.2}, ValueError, "incl_cut=1.2 is outside"),
    ({"incl_cut": float("nan")}, ValueError, "incl_cut=nan"),
    ({"incl_cut": "0.8"}, TypeError, "incl_cut must be a number"),
    ({"incl_cut": True}, TypeError, "incl_cut must be a number"),
    ({"n_cut": 0}, ValueError, "n_cut=0 must be at least 1"),
    ({"n_cut": 2.5}, TypeError, "n_cut must be a whole number"),
    ({"n_cut": 19}, ValueError, "n_cut=19 exceeds the 18 cases"),
    ({"pri_cut": -0.1}, ValueError, "pri_cut=-0.1 is outside"),
    ({"pri_cut": None}, TypeError, "pri_cut must be a number"),
])
def test_bad_cut_offs_are_rejected_with_the_parameter_named(lipset, kwargs, error, words):
    data, _ = lipset
    settings = {"incl_cut": 0.8, "n_cut": 1, "pri_cut": 0.0, **kwargs}
    with pytest.raises(error, match=words.replace("(", r"\(")):
        qw.solve(data, "SURV", LF_CONDITIONS, **settings)
    with pytest.raises(error, match=words.replace("(", r"\(")):
        truth_table_widget(data, "SURV", LF_CONDITIONS, **settings)


def test_whole_float_n_cut_is_accepted_as_an_integer():
    assert qw.check_thresholds(0.8, 3.0, 0.5) == (0.8, 3, 0.5)
    assert isinstance(qw.check_thresholds(0.8, np.int64(3), 0.5)[1], int)


# ---------------------------------------------------------------- the widget
def test_widget_sliders_update_the_solutions_shown(lipset):
    data, reference = lipset
    box = truth_table_widget(data, "SURV", LF_CONDITIONS, incl_cut=0.8, dir_exp=LF_DIR_EXP)
    assert set(box.sliders) == {"incl_cut", "n_cut", "pri_cut"}
    assert box.sliders["incl_cut"].min == qw.MIN_INCL_CUT and box.sliders["incl_cut"].max == 1.0
    assert box.sliders["n_cut"].max == len(data)  # capped at the number of cases (18 < 50)
    shown = box.output.value
    for kind in qw.SOLUTION_KINDS:
        assert reference["solutions"][kind]["models"][0]["expression"] in shown
    box.sliders["incl_cut"].value = 0.75
    expected = qw.solve(data, "SURV", LF_CONDITIONS, incl_cut=0.75, dir_exp=LF_DIR_EXP)
    assert expected.parsimonious.models[0].expression in box.output.value
    assert "incl_cut</b> 0.75" in box.output.value
    box.sliders["incl_cut"].value = 0.99
    assert "No solution" in box.output.value and "incl_cut=0.99" in box.output.value


def test_widget_shows_the_comparison_with_planted_configurations(lipset):
    data, _ = lipset
    box = truth_table_widget(data, "SURV", LF_CONDITIONS, dir_exp=LF_DIR_EXP, planted=["DEV*~IND", "URB*LIT"])
    assert "recovered with extra conditions" in box.output.value  # DEV*LIT*~IND*STB holds DEV*~IND


# ---------------------------------------------------------------- grid and static figure
def test_solution_grid_records_each_cut_and_a_cut_without_solution(lipset):
    data, _ = lipset
    grid = qw.solution_grid(data, "SURV", LF_CONDITIONS, values=(0.8, 0.99), dir_exp=LF_DIR_EXP)
    assert grid.parameter == "incl_cut" and grid.settings == {"n_cut": 1, "pri_cut": 0.0}
    first, second = grid.fit.to_dict("records")
    assert first["expression"] == "DEV*URB*LIT*STB + DEV*LIT*~IND*STB"  # R's intermediate solution
    assert first["covS"] == pytest.approx(0.65962441314554, abs=1e-9)
    assert second["error"] and math.isnan(second["covS"])
    assert set(grid.terms["value"]) == {0.8}
    assert sorted(grid.terms["term"]) == ["DEV*LIT*~IND*STB", "DEV*URB*LIT*STB"]


def test_solution_grid_can_vary_the_pri_cut(lipset):
    data, _ = lipset
    grid = qw.solution_grid(data, "SURV", LF_CONDITIONS, vary="pri_cut", values=(0.0, 0.8), kind="parsimonious")
    assert grid.fit["value"].tolist() == [0.0, 0.8]
    assert grid.settings == {"incl_cut": 0.8, "n_cut": 1}
    with pytest.raises(ValueError, match="give the values of n_cut"):
        qw.solution_grid(data, "SURV", LF_CONDITIONS, vary="n_cut", kind="complex")
    with pytest.raises(ValueError, match="vary must be one of"):
        qw.solution_grid(data, "SURV", LF_CONDITIONS, vary="cut", values=(1,), kind="complex")
    with pytest.raises(ValueError, match="needs dir_exp"):
        qw.solution_grid(data, "SURV", LF_CONDITIONS)


def test_static_figure_has_the_right_axes_labels_and_terms(lipset):
    data, _ = lipset
    cuts = (0.75, 0.8, 0.85)
    grid = qw.solution_grid(data, "SURV", LF_CONDITIONS, values=cuts, kind="parsimonious")
    fig = plot_solution_grid(grid, planted=["URB*STB"])
    assert isinstance(fig, matplotlib.figure.Figure)
    ax_terms, ax_fit = fig.axes
    assert ax_terms.get_ylabel() == "Solution term"
    assert ax_terms.get_xlabel() == "Consistency cut-off (incl_cut)"
    assert ax_fit.get_xlabel() == "Consistency cut-off (incl_cut)"
    assert ax_fit.get_ylabel() == "Solution fit"
    assert {t.get_text() for t in ax_terms.get_yticklabels()} == set(grid.terms["term"])
    assert [float(t) for t in ax_fit.get_xticks()] == list(cuts)
    lines = {line.get_label(): line for line in ax_fit.get_lines()}
    assert list(lines["solution coverage"].get_ydata()) == pytest.approx(grid.fit["covS"].tolist())
    # one dot per (cut, term); URB*STB (planted) in blue, the others grey
    dots = [c for c in ax_terms.collections if len(c.get_offsets())]
    assert len(dots) == len(grid.terms)
    blue = matplotlib.colors.to_rgba("tab:blue", alpha=0.8)
    n_blue = sum(np.allclose(c.get_facecolor()[0], blue) for c in dots)
    assert n_blue == (grid.terms["term"] == "URB*STB").sum() > 0


def test_static_figure_rejects_other_input():
    with pytest.raises(TypeError, match="SolutionGrid"):
        plot_solution_grid(pd.DataFrame())


# ---------------------------------------------------------------- comparison with the planted truth
def test_compare_with_planted_classifies_by_literal_sets():
    table = qw.compare_with_planted(
        ["BEL*RES", "CLO*BID*RES", "CLO*EE*RES", "BEL*CLO", "~EE"],
        ["BEL*RES", "CLO*RES", "BEL*CLO*BID", "BID*EE"],
    )
    assert table.loc["BEL*RES", "status"] == "recovered"
    assert table.loc["CLO*RES", "status"] == "recovered with extra conditions"
    assert table.loc["CLO*RES", "matching_terms"] == "CLO*BID*RES, CLO*EE*RES"
    assert table.loc["BEL*CLO*BID", "status"] == "only as a broader term"
    assert table.loc["BID*EE", "status"] == "not recovered"
    assert table.loc["~EE", "status"] == "not planted"
    assert table["kind"].tolist() == ["planted"] * 4 + ["found only"]


def test_compare_with_planted_does_not_mistake_a_negated_literal_for_the_condition():
    table = qw.compare_with_planted(["BEL*~RES"], ["BEL*RES"])
    assert table.loc["BEL*RES", "status"] == "not recovered"
    with pytest.raises(TypeError, match="lists of terms"):
        qw.compare_with_planted("BEL*RES", ["BEL*RES"])


def test_widget_shows_any_library_error_instead_of_raising(lipset):
    lipset, _ = lipset
    data = lipset.copy()
    data.loc[data.index[0], "URB"] = np.nan  # bad data: reported when first solved, in the output
    box = truth_table_widget(data, "SURV", LF_CONDITIONS)
    shown = html.unescape(box.output.value)
    assert "Cannot analyse these data:" in shown and "column 'URB' has 1 missing value" in shown
    box = truth_table_widget(lipset, "SURV", ["DEV", "GDP"])  # an unknown column (a KeyError)
    assert "unknown condition column(s) ['GDP']" in html.unescape(box.output.value)
