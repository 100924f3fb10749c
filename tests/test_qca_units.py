"""Unit tests of every public function of chaoyang.qca, including bad inputs."""

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import chaoyang.qca as qca  # noqa: E402
from chaoyang.qca import (  # noqa: E402
    QCAWarning,
    SearchLimitError,
    UnknownColumnError,
    calibrate,
    calibrate_percentiles,
    configuration_chart,
    expression_membership,
    minimize,
    necessity,
    parse_dir_exp,
    robustness,
    truth_table,
)
from chaoyang.plots.qca import plot_configuration_chart, xy_plot  # noqa: E402
from chaoyang.qca.cover import minimal_covers, minimum_cover_size  # noqa: E402
from chaoyang.qca.primes import ccubes_primes, qmc_primes  # noqa: E402
from chaoyang.qca.terms import parse_term, r_sort, term_string  # noqa: E402

CONDS = ["DEV", "URB", "LIT", "IND", "STB"]


@pytest.fixture
def lf():
    from pathlib import Path

    return pd.read_csv(Path(__file__).parent / "fixtures" / "qca" / "LF.csv", index_col=0)


def test_every_public_function_has_numpy_docstring_with_example():
    for name in qca.__all__:
        obj = getattr(qca, name)
        if callable(obj) and not isinstance(obj, type):
            assert "Examples" in (obj.__doc__ or ""), name
            assert "Returns" in obj.__doc__ or "Return" in obj.__doc__, name


# --- calibrate ---------------------------------------------------------------------------------

def test_calibrate_anchor_values_and_log_odds():
    idm = 1 / (1 + np.exp(-3))
    m = calibrate([400, 550, 900, 1000], 400, 550, 900, idm=idm)
    assert m[:3] == pytest.approx([1 - idm, 0.5, idm], abs=1e-12)
    # log-odds grow linearly beyond the inclusion anchor: 3 * (1000-550)/(900-550)
    assert np.log(m[3] / (1 - m[3])) == pytest.approx(3 * 450 / 350, abs=1e-9)


def test_calibrate_decreasing_mirrors_increasing():
    x = np.array([2.0, 5, 9.5, 12, 20])
    dec = calibrate(x, exclusion=15, crossover=9.5, inclusion=5)
    inc = calibrate(-x, exclusion=-15, crossover=-9.5, inclusion=-5)
    assert dec == pytest.approx(inc, abs=1e-12)
    assert np.all(np.diff(dec) <= 0)


def test_calibrate_clips_like_r_and_keeps_series_index():
    s = pd.Series([0.0, 50, 1000], index=["a", "b", "c"], name="GDP")
    m = calibrate(s, 40, 50, 60)
    assert m.index.tolist() == ["a", "b", "c"] and m.name == "GDP"
    assert m["a"] == 0.0 and m["c"] == 1.0 and m["b"] == 0.5


@pytest.mark.parametrize("anchors", [(10, 5, 20), (10, 10, 20), (5, 20, 20), (20, 25, 10)])
def test_calibrate_rejects_anchors_out_of_order_or_equal(anchors):
    with pytest.raises(ValueError, match="crossover"):
        calibrate([1, 2, 3], *anchors)


def test_calibrate_rejects_bad_idm_nan_and_text():
    with pytest.raises(ValueError, match="idm"):
        calibrate([1, 2], 0, 1, 2, idm=0.4)
    with pytest.raises(ValueError, match="missing"):
        calibrate([1, np.nan], 0, 1, 2)
    with pytest.raises(TypeError, match="numeric"):
        calibrate(["a", "b"], 0, 1, 2)


def test_calibrate_percentiles_anchors_and_nudge():
    x = np.arange(1, 102, dtype=float)  # percentiles 5, 50, 95 are 6, 51, 96
    with pytest.warns(QCAWarning, match="0.501"):
        m = calibrate_percentiles(x)
    assert m[50] == 0.501
    assert m[5] == pytest.approx(0.05, abs=1e-12) and m[95] == pytest.approx(0.95, abs=1e-12)
    assert calibrate_percentiles(x, nudge=False)[50] == 0.5
    with pytest.raises(ValueError, match="coincide"):
        calibrate_percentiles([1, 1, 1, 1, 2])
    with pytest.raises(ValueError, match="lower < cross < upper"):
        calibrate_percentiles(x, lower=60)


def test_calibrate_percentiles_docstring_states_critique():
    doc = calibrate_percentiles.__doc__
    assert "substantive" in doc and "0.501" in doc and "ambiguous" in doc


# --- necessity ---------------------------------------------------------------------------------

def test_necessity_closed_form_and_negated_outcome(lf):
    nec = necessity(lf, "~SURV", ["DEV"], disjunctions=["DEV + URB"])
    x, y = lf["DEV"].to_numpy(), 1 - lf["SURV"].to_numpy()
    assert nec.loc["DEV", "inclN"] == pytest.approx(np.minimum(x, y).sum() / y.sum())
    assert nec.loc["~DEV", "covN"] == pytest.approx(np.minimum(1 - x, y).sum() / (1 - x).sum())
    u = np.maximum(x, lf["URB"].to_numpy())
    assert nec.loc["DEV + URB", "inclN"] == pytest.approx(np.minimum(u, y).sum() / y.sum())
    assert list(nec.columns) == ["inclN", "RoN", "covN"]


def test_bad_inputs_name_the_column(lf):
    bad = lf.copy()
    bad.loc["AU", "URB"] = 1.4
    with pytest.raises(ValueError, match="'URB'.*outside"):
        truth_table(bad, "SURV", CONDS)
    bad = lf.copy()
    bad.loc["AU", "LIT"] = np.nan
    with pytest.raises(ValueError, match="'LIT'.*missing"):
        necessity(bad, "SURV", CONDS)
    with pytest.raises(UnknownColumnError, match="GDP"):
        truth_table(lf, "SURV", CONDS + ["GDP"])
    with pytest.raises(KeyError):
        necessity(lf, "ALIVE", CONDS)
    with pytest.raises(ValueError, match="outcome 'SURV' is also listed"):
        truth_table(lf, "SURV", CONDS + ["SURV"])
    text = lf.assign(IND=lf["IND"].astype(str))
    with pytest.raises(TypeError, match="'IND'"):
        truth_table(text, "SURV", CONDS)
    const = lf.assign(IND=0.8)
    with pytest.warns(QCAWarning, match="'IND' is constant"):
        truth_table(const, "SURV", CONDS)
    lf_original = lf.copy()
    truth_table(lf, "~SURV", CONDS)
    pd.testing.assert_frame_equal(lf, lf_original)  # caller's data untouched


def test_limited_diversity_warning():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(0, 2, size=(20, 9)), columns=[f"C{j}" for j in range(9)])
    df["Y"] = rng.integers(0, 2, 20)
    with pytest.warns(QCAWarning, match="2\\*\\*9"):
        truth_table(df, "Y", [f"C{j}" for j in range(9)])


# --- truth table -------------------------------------------------------------------------------

def test_truth_table_negated_outcome_and_cutoffs(lf):
    tt = truth_table(lf, "~SURV", CONDS, incl_cut=0.8)
    y = 1 - lf["SURV"].to_numpy()
    member = np.minimum.reduce([1 - lf[c].to_numpy() for c in CONDS])  # row 1: all absent
    assert tt.table.loc[1, "incl"] == pytest.approx(np.minimum(member, y).sum() / member.sum())
    assert tt.table.loc[1, "OUT"] == 1
    tt2 = truth_table(lf, "SURV", CONDS, n_cut=2)
    assert (tt2.table["n"] >= 2).all() and 6 in tt2.remainders.index and tt2.remainders.loc[6, "n"] == 1
    assert "Truth table for SURV" in repr(tt) or "Truth table for ~SURV" in repr(tt)


def test_truth_table_contradictions_with_two_cuts(lf):
    tt = truth_table(lf, "SURV", CONDS, incl_cut=(0.8, 0.7))
    assert tt.table.loc[24, "OUT"] == "C"  # incl 0.709 lies between the cuts
    assert tt.table.loc[22, "OUT"] == 1 and tt.table.loc[23, "OUT"] == 0
    sol = minimize(tt, include="?")
    covered = set().union(*[set(m.simplifying_assumptions.index) for m in sol.models])
    assert 24 not in covered


def test_truth_table_pri_cut_and_bad_cuts(lf):
    tt = truth_table(lf, "SURV", CONDS, incl_cut=0.8, pri_cut=0.75)
    assert tt.table.loc[22, "OUT"] == 0  # PRI 0.719 < 0.75
    for kwargs in ({"incl_cut": 1.2}, {"incl_cut": (0.7, 0.8)}, {"n_cut": 0}, {"pri_cut": -0.1}):
        with pytest.raises(ValueError):
            truth_table(lf, "SURV", CONDS, **kwargs)
    with pytest.raises(ValueError, match="n_cut"):
        truth_table(lf, "SURV", CONDS, n_cut=10)


def test_truth_table_half_membership_warns(lf):
    half = lf.copy()
    half.loc["AU", "STB"] = 0.5
    with pytest.warns(QCAWarning, match="exactly 0.5.*STB"):
        tt = truth_table(half, "SURV", CONDS)
    assert "AU" not in ",".join(tt.table["cases"])


# --- minimize ----------------------------------------------------------------------------------

def test_minimize_bad_arguments(lf):
    tt = truth_table(lf, "SURV", CONDS)
    with pytest.raises(ValueError, match="include"):
        minimize(tt, include="C")
    with pytest.raises(ValueError, match="dir_exp"):
        minimize(tt, dir_exp="DEV")
    with pytest.raises(KeyError, match="GDP"):
        minimize(tt, include="?", dir_exp="DEV, GDP")
    with pytest.raises(ValueError, match="conjunctural"):
        minimize(tt, include="?", dir_exp="DEV*URB")
    with pytest.raises(ValueError, match="contradictory"):
        minimize(tt, include="?", dir_exp="DEV, ~DEV")
    with pytest.raises(TypeError):
        minimize(lf)
    none_positive = truth_table(lf, "SURV", CONDS, incl_cut=0.99)
    with pytest.raises(ValueError, match="OUT = 1"):
        minimize(none_positive)
    all_positive = truth_table(lf, "SURV", CONDS, incl_cut=0.0)
    with pytest.raises(ValueError, match="empty term"):
        minimize(all_positive, include="?")


def test_parse_dir_exp_forms():
    assert parse_dir_exp({"A": 1, "B": "-", "C": 0}, ["A", "B", "C"]) == {"A": 1, "C": 0}
    assert parse_dir_exp(["A", "~C"], ["A", "B", "C"]) == {"A": 1, "C": 0}
    with pytest.raises(ValueError):
        parse_dir_exp({"A": 2}, ["A"])


def test_model_ambiguity_is_reported_in_r_order():
    # classic cyclic chart: rows 0..5 around a hexagon; two minimal covers of 3 implicants
    masks = [0b000011, 0b000110, 0b001100, 0b011000, 0b110000, 0b100001]
    result = minimal_covers(masks, 6)
    assert result.covers == [(0, 2, 4), (1, 3, 5)] and result.size == 3 and not result.truncated
    capped = minimal_covers(masks, 6, max_models=1)
    assert capped.covers == [(0, 2, 4)] and capped.truncated and "max_models" in capped.reason


def test_minimize_cap_is_reported(lf):
    rng = np.random.default_rng(7)
    names = [f"C{j}" for j in range(7)]
    x = rng.uniform(size=(300, 7))
    df = pd.DataFrame(x, columns=names)
    df["Y"] = np.clip(np.maximum(np.minimum(x[:, 0], x[:, 1]), np.minimum(x[:, 2], 1 - x[:, 3])) - 0.15
                      + rng.normal(0, 0.1, 300), 0, 1)
    tt = truth_table(df, "Y", names, incl_cut=0.75)
    full = minimize(tt, include="?", max_models=1000)
    if len(full.models) > 1:
        capped = minimize(tt, include="?", max_models=1)
        assert capped.truncated and "more models may exist" in repr(capped)
        assert capped.models[0].terms == full.models[0].terms


def test_search_limits_raise_cleanly():
    with pytest.raises(SearchLimitError):
        ccubes_primes([0b1111], [0b0000], 4, max_candidates=2)
    df = pd.DataFrame(np.eye(17, dtype=int), columns=[f"C{j}" for j in range(17)])
    df["Y"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QCAWarning)
        tt = truth_table(df, "Y", [f"C{j}" for j in range(16)])
    with pytest.raises(ValueError, match="at most 15"):
        minimize(tt)


def test_solution_repr_and_essential(lf):
    sol = minimize(truth_table(lf, "SURV", CONDS), include="?")
    text = repr(sol)
    assert "M1: DEV*~IND + URB*STB" in text and "inclS" in text
    assert sol.essential == ["DEV*~IND", "URB*STB"] and sol.easy_counterfactuals is None


# --- terms, primes, covers -----------------------------------------------------------------------

def test_term_round_trip_and_r_sort_quirk():
    care, value = parse_term("DEV*~IND", CONDS)
    assert term_string(care, value, CONDS) == "DEV*~IND"
    with pytest.raises(ValueError):
        parse_term("DEV*~DEV", CONDS)
    with pytest.raises(ValueError):
        parse_term("GDP", CONDS)
    # R lists DEV*URB*LIT*IND*STB before DEV*~URB*LIT*~IND*STB (no zero in any column)
    a, b = parse_term("DEV*~URB*LIT*~IND*STB", CONDS), parse_term("DEV*URB*LIT*IND*STB", CONDS)
    assert r_sort([a, b], 5) == [1, 0]


def test_qmc_and_ccubes_textbook_example():
    # f = sum of minterms 0,1,2,5,6,7 over A,B,C: cyclic function with six primes
    primes = qmc_primes([0, 1, 2, 5, 6, 7], 3)
    names = {term_string(c, v, ["A", "B", "C"]) for c, v in primes}
    assert names == {"~A*~B", "~A*~C", "~B*C", "A*C", "B*~C", "A*B"}
    assert minimum_cover_size([1, 2, 3], 2) == 1


def test_expression_membership_errors():
    df = pd.DataFrame({"A": [0.2]})
    with pytest.raises(ValueError):
        expression_membership(df, "")
    with pytest.raises(KeyError):
        expression_membership(df, "A*B")


# --- chart, xy plot, robustness ----------------------------------------------------------------

def test_configuration_chart_core_and_peripheral(lf):
    tt = truth_table(lf, "SURV", CONDS)
    chart = configuration_chart(minimize(tt, include="?"), minimize(tt, include="?", dir_exp="DEV, URB, LIT, IND, STB"))
    assert chart.attrs["terms"] == {"1": "DEV*URB*LIT*STB", "2": "DEV*LIT*~IND*STB"}
    assert chart["1"].tolist()[:5] == ["•", "●", "•", "", "●"]  # URB*STB is core (parsimonious term)
    assert chart["2"].tolist()[:5] == ["●", "", "•", "⨂", "•"]  # DEV*~IND is core
    assert chart.loc["Raw coverage", "1"] == pytest.approx(0.46830985915493, abs=1e-9)
    assert chart.loc["Solution coverage", "1"] == pytest.approx(0.65962441314554, abs=1e-9)
    ax = plot_configuration_chart(chart, title="Lipset")
    texts = [t.get_text() for t in ax.texts]
    assert "●" in texts and "⨂" in texts and "Consistency" in texts
    with pytest.raises(ValueError):
        configuration_chart(minimize(tt, include="?"), minimize(tt, include="?"), model=3)
    with pytest.raises(ValueError):
        plot_configuration_chart(pd.DataFrame({"x": [1]}))


def test_xy_plot_labels_and_diagonal(lf):
    ax = xy_plot(lf, "DEV*~IND", "~SURV")
    assert ax.get_xlabel() == "Membership in DEV*~IND" and ax.get_ylabel() == "Membership in ~SURV"
    assert {t.get_text() for t in ax.texts} >= {"AU", "UK"}
    assert any(list(line.get_xdata()) == [0, 1] for line in ax.get_lines())
    with pytest.raises(ValueError):
        xy_plot(lf, "DEV", "SURV", labels=["a"])


def test_robustness_counts_surviving_terms(lf):
    res = robustness(lf, "SURV", CONDS, incl_cuts=(0.75, 0.8), n_cuts=(1,))
    assert len(res.specifications) == 2 and (res.specifications["error"] == "").all()
    # no row has incl in [0.75, 0.8): the truth tables are the same, so every term survives in both
    assert set(res.robust_core) == {"DEV*~IND", "URB*STB"}
    variants = {"base": lf, "strict": lf.assign(SURV=lf["SURV"] ** 2)}
    res2 = robustness(lf, "SURV", CONDS, calibration_variants=variants, incl_cuts=(0.8, 0.95), n_cuts=(1, 2))
    assert len(res2.specifications) == 8
    assert (res2.terms["n_specs"] <= (res2.specifications["error"] == "").sum()).all()
    assert (res2.specifications["error"] != "").any()  # 0.95 leaves nothing to explain
    with pytest.raises(ValueError):
        robustness(lf, "SURV", CONDS, solution="intermediate")
    with pytest.raises(KeyError):
        robustness(lf, "SURV", ["GDP"])


# ---------------------------------------------------------------- hardening (issue 18)
@pytest.mark.parametrize("name", ["A*B", "~A", "A+B", "A B", "(A)", "A,B", "A!", "A&B", "A|B", "A\tB"])
def test_condition_and_outcome_names_with_operators_are_refused(lf, name):
    from chaoyang.qca import QCAError

    data = lf.rename(columns={"URB": name})
    for call in (lambda: truth_table(data, "SURV", ["DEV", name]), lambda: necessity(data, "SURV", ["DEV", name])):
        with pytest.raises(QCAError, match=r"(condition|negations are handled)"):
            call()
    outcome = lf.rename(columns={"SURV": name})
    if not name.strip().startswith("~"):  # "~A" as an outcome means "not A" by design
        with pytest.raises(QCAError, match="outcome name .* an operator of QCA's notation"):
            truth_table(outcome, name, ["DEV", "URB"])


def test_an_operator_name_error_says_how_to_rename(lf):
    data = lf.rename(columns={"URB": "A*B"})
    with pytest.raises(ValueError, match=r"rename the column, e\.g\. data\.rename\(columns=\{'A\*B': 'A_B'\}\)"):
        truth_table(data, "SURV", ["DEV", "A*B"])


def test_necessity_on_zero_rows_or_an_absent_outcome_is_an_error_not_nan(lf):
    from chaoyang.qca import QCAError

    with pytest.raises(QCAError, match="zero rows"):
        necessity(lf.iloc[:0], "SURV", CONDS)
    with pytest.raises(QCAError, match="membership 0 in every case"):
        necessity(lf.assign(SURV=0.0), "SURV", CONDS)
    with pytest.raises(QCAError, match="membership 0 in every case"):  # the negation of an always-present outcome
        necessity(lf.assign(SURV=1.0), "~SURV", CONDS)


@pytest.mark.parametrize("value, message", [(np.nan, "missing .NaN. in every one"), (np.inf, "outside"),
                                            (-0.2, "outside"), (1.5, "outside")])
def test_all_nan_infinite_and_out_of_range_memberships_are_named_errors(lf, value, message):
    from chaoyang.qca import QCAError

    bad = lf.assign(LIT=value)
    for call in (lambda: truth_table(bad, "SURV", CONDS), lambda: necessity(bad, "SURV", CONDS)):
        with pytest.raises(QCAError, match=f"'LIT'.*{message}"):
            call()


def test_duplicated_columns_are_a_named_error_and_data_are_never_modified(lf):
    from chaoyang._validate import DuplicateColumnError

    doubled = pd.concat([lf, lf[["URB"]]], axis=1)
    before = doubled.copy()
    for call in (lambda: truth_table(doubled, "SURV", CONDS), lambda: necessity(doubled, "SURV", CONDS)):
        with pytest.raises(DuplicateColumnError, match=r"duplicated column name\(s\) \['URB'\]"):
            call()
    pd.testing.assert_frame_equal(doubled, before)


def test_every_qca_error_is_a_chaoyang_error_and_its_builtin():
    from chaoyang.errors import ChaoyangError
    from chaoyang.qca import QCAError, QCATypeError

    assert issubclass(QCAError, ChaoyangError) and issubclass(QCAError, ValueError)
    assert issubclass(QCATypeError, ChaoyangError) and issubclass(QCATypeError, TypeError)
    with pytest.raises(ChaoyangError):
        calibrate([1, 2, 3], 3, 2, 1, idm="x")


# ---------------------------------------------------------------- one result style
def test_every_qca_result_has_summary_to_frame_and_html(lf):
    from chaoyang.qca import solution_grid, solve

    tt = truth_table(lf, "SURV", CONDS, incl_cut=0.8)
    sol = minimize(tt, include="?")
    result = solve(lf, "SURV", CONDS, dir_exp="DEV, URB, LIT, IND, STB")
    grid = solution_grid(lf, "SURV", CONDS, values=(0.8, 0.9), kind="parsimonious")
    robust = robustness(lf, "SURV", CONDS, incl_cuts=(0.75, 0.8), n_cuts=(1,))
    for obj in (tt, sol, sol.models[0], result, grid, robust):
        text = obj.summary()
        assert isinstance(text, str) and text and str(obj) == text
        frame = obj.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame)
        assert "<table" in obj._repr_html_() and text.splitlines()[0][:20] in obj._repr_html_()
    # the tables hold the numbers the attributes hold (no recomputation)
    pd.testing.assert_frame_equal(tt.to_frame(), tt.table)
    assert sol.to_frame()["term"].tolist() == [t for m in sol.models for t in m.terms]
    assert sol.to_frame()["model"].tolist() == [m.name for m in sol.models for _ in m.terms]
    assert set(result.to_frame()["solution"]) == {"complex", "parsimonious", "intermediate"}
    assert grid.to_frame()["expression"].tolist() == grid.fit["expression"].tolist()
    assert robust.to_frame()["term"].tolist() == robust.terms.index.tolist()
    assert result.intermediate.models[0].expression in result.summary()
    # attribute access the book uses keeps working
    assert sol.models[0].expression and sol.essential is not None and tt.table is not None
    assert repr(sol) == sol.summary() and repr(tt) == tt.summary()


def test_knobs_of_the_wrong_type_are_named_errors(lf):
    from chaoyang.qca import QCAError

    with pytest.raises(QCAError, match="pri_cut must be a number in \\[0, 1\\], got None"):
        truth_table(lf, "SURV", CONDS, pri_cut=None)
    tt = truth_table(lf, "SURV", CONDS)
    with pytest.raises(QCAError, match="max_models must be a whole number of at least 1, got None"):
        minimize(tt, include="?", max_models=None)
    with pytest.raises(QCAError, match="node_budget must be a whole number of at least 1, got 2.5"):
        minimize(tt, node_budget=2.5)
