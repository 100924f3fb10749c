"""chaoyang.describe.participation: every statistic checked against scipy or a hand computation, plus bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from chaoyang.describe import participation as par
from chaoyang.world import DEFAULT_WORLD, PARTICIPATION_FORMS


@pytest.fixture()
def small():
    """A tiny survey with ties, a missing answer and three groups."""
    return pd.DataFrame({
        "PAR_SAFETY": pd.array([1, 2, 2, 3, 5, 4, 4, 5, 1, pd.NA, 3, 5], dtype="Int64"),
        "PAR_INFO": pd.array([2, 2, 3, 3, 3, 4, 1, 5, 2, 2, 4, 4], dtype="Int64"),
        "WIL": [1.5, 2.0, 2.25, 3.0, 4.5, 4.0, 3.75, 5.0, 1.0, 2.5, 3.0, 4.75],
        "community_type": ["danwei", "rental", "rental", "commercial", "danwei", "danwei",
                           "commercial", "danwei", "rental", "commercial", "rental", "commercial"],
        "party_member": [0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1],
        "gender": ["female", "male"] * 6,
    })


# ----------------------------------------------------------------------------- distributions
def test_response_shares_count_by_hand(small):
    shares = par.response_shares(small, ["PAR_SAFETY"])
    # 11 answers: 1,2,2,3,5,4,4,5,1,3,5 -> 1:2, 2:2, 3:2, 4:2, 5:3
    assert shares.loc["PAR_SAFETY", [1, 2, 3, 4, 5]].tolist() == pytest.approx([2 / 11] * 4 + [3 / 11])
    assert shares.loc["PAR_SAFETY", "n"] == 11
    assert shares.loc["PAR_SAFETY", "missing"] == 1


def test_distribution_table_median_mean_and_high(small):
    table = par.distribution_table(small, ["PAR_SAFETY"])
    answers = [1, 2, 2, 3, 5, 4, 4, 5, 1, 3, 5]
    assert table.loc["PAR_SAFETY", "median"] == 3.0
    assert table.loc["PAR_SAFETY", "mean"] == pytest.approx(sum(answers) / 11)
    assert table.loc["PAR_SAFETY", "% high"] == pytest.approx(100 * 5 / 11)
    assert table.loc["PAR_SAFETY", list(par.FREQUENCY_LABELS)].sum() == pytest.approx(100)


def test_distributions_do_not_modify_the_input(small):
    before = small.copy()
    par.distribution_table(small, ["PAR_SAFETY", "PAR_INFO"])
    par.group_differences(small, "community_type", ["PAR_SAFETY"])
    pd.testing.assert_frame_equal(small, before)


def test_response_shares_rejects_values_off_the_scale(small):
    bad = small.assign(PAR_SAFETY=small["PAR_SAFETY"].replace(5, 7))
    with pytest.raises(ValueError, match="PAR_SAFETY.*outside the scale"):
        par.response_shares(bad, ["PAR_SAFETY"])


# ----------------------------------------------------------------------------- Kruskal-Wallis
def test_kruskal_wallis_matches_scipy_and_epsilon_by_hand(small):
    out = par.kruskal_wallis(small, "PAR_INFO", "community_type")
    groups = [small.loc[small["community_type"] == g, "PAR_INFO"].astype(float).to_numpy()
              for g in ("commercial", "danwei", "rental")]
    h, p = stats.kruskal(*groups)
    assert out["H"] == pytest.approx(h) and out["pvalue"] == pytest.approx(p)
    assert out["epsilon_sq"] == pytest.approx(h * (12 + 1) / (12**2 - 1))  # Tomczak & Tomczak's form
    assert out["df"] == 2 and out["n"] == 12 and out["groups"] == 3


def test_kruskal_wallis_h_by_hand_without_ties():
    df = pd.DataFrame({"y": [1, 2, 3, 4, 5, 6, 7, 8, 9], "g": list("aaabbbccc")})
    # Ranks 1-9; rank sums 6, 15, 24: H = 12/(9*10) * (36+225+576)/3 - 3*10 = 7.2
    out = par.kruskal_wallis(df, "y", "g")
    assert out["H"] == pytest.approx(7.2)
    assert out["epsilon_sq"] == pytest.approx(7.2 / 8)


def test_kruskal_wallis_leaves_out_missing_answers(small):
    out = par.kruskal_wallis(small, "PAR_SAFETY", "community_type")
    assert out["n"] == 11


# ----------------------------------------------------------------------------- Mann-Whitney
def test_mann_whitney_matches_scipy_and_rank_biserial_by_pair_counting(small):
    out = par.mann_whitney(small, "PAR_INFO", "party_member", (1, 0))
    x = small.loc[small["party_member"] == 1, "PAR_INFO"].astype(float).to_numpy()
    y = small.loc[small["party_member"] == 0, "PAR_INFO"].astype(float).to_numpy()
    u, p = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    assert out["U"] == pytest.approx(u) and out["pvalue"] == pytest.approx(p)
    pairs = list(itertools.product(x, y))
    superiority = np.mean([a > b for a, b in pairs]) - np.mean([a < b for a, b in pairs])
    assert out["rank_biserial"] == pytest.approx(superiority)
    assert (out["n1"], out["n2"]) == (len(x), len(y))


def test_mann_whitney_sign_flips_with_the_order_of_groups(small):
    forward = par.mann_whitney(small, "PAR_INFO", "gender", ("female", "male"))
    backward = par.mann_whitney(small, "PAR_INFO", "gender", ("male", "female"))
    assert forward["rank_biserial"] == pytest.approx(-backward["rank_biserial"])
    assert forward["pvalue"] == pytest.approx(backward["pvalue"])


def test_mann_whitney_needs_a_pair_when_there_are_more_groups(small):
    with pytest.raises(ValueError, match="community_type.*groups=\\(first, second\\)"):
        par.mann_whitney(small, "PAR_INFO", "community_type")
    with pytest.raises(KeyError, match="villa"):
        par.mann_whitney(small, "PAR_INFO", "community_type", ("danwei", "villa"))


# ----------------------------------------------------------------------------- Spearman and Holm
def test_spearman_equals_pearson_of_midranks(small):
    out = par.spearman(small, "WIL", "PAR_SAFETY")
    keep = small["PAR_SAFETY"].notna()
    x = stats.rankdata(small.loc[keep, "WIL"])
    y = stats.rankdata(small.loc[keep, "PAR_SAFETY"].astype(float))
    assert out["rho"] == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert out["pvalue"] == pytest.approx(stats.spearmanr(small.loc[keep, "WIL"],
                                                          small.loc[keep, "PAR_SAFETY"].astype(float))[1])
    assert out["n"] == 11


def test_spearman_textbook_formula_without_ties():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    d2 = 1 + 1 + 1 + 1 + 0
    assert par.spearman(df, "a", "b")["rho"] == pytest.approx(1 - 6 * d2 / (5 * (25 - 1)))


def test_holm_by_hand():
    # sorted 0.001, 0.02, 0.03, 0.5 -> 0.004, 0.06, 0.06 (monotone), 0.5
    assert par.holm_adjust([0.03, 0.5, 0.001, 0.02]).tolist() == pytest.approx([0.06, 0.5, 0.004, 0.06])
    assert par.holm_adjust([0.6, 0.7]).tolist() == pytest.approx([1.0, 1.0])
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        par.holm_adjust([0.1, 1.2])


def test_willingness_participation_table(small):
    table = par.willingness_participation(small, "WIL", ["PAR_SAFETY", "PAR_INFO"])
    assert table.loc["PAR_INFO", "rho"] == pytest.approx(stats.spearmanr(small["WIL"],
                                                                         small["PAR_INFO"].astype(float))[0])
    assert table["p_holm"].tolist() == pytest.approx(par.holm_adjust(table["pvalue"]).tolist())


# ----------------------------------------------------------------------------- group_differences
def test_group_differences_picks_the_test_by_number_of_groups(small):
    three = par.group_differences(small, "community_type", ["PAR_SAFETY", "PAR_INFO"])
    assert set(three["test"]) == {"Kruskal-Wallis H"}
    assert three.loc["PAR_INFO", "effect_size"] == pytest.approx(
        par.kruskal_wallis(small, "PAR_INFO", "community_type")["epsilon_sq"])
    assert three["p_holm"].tolist() == pytest.approx(par.holm_adjust(three["pvalue"]).tolist())
    two = par.group_differences(small, "party_member", ["PAR_INFO"])
    assert two.loc["PAR_INFO", "test"] == "Mann-Whitney U"
    assert two.loc["PAR_INFO", "effect_size"] == pytest.approx(
        par.mann_whitney(small, "PAR_INFO", "party_member", (1, 0))["rank_biserial"])
    assert two.loc["PAR_INFO", "median 1"] == 4.0


# ----------------------------------------------------------------------------- bad input
def test_wrong_column_name_says_which_and_suggests(small):
    with pytest.raises(KeyError, match="'PAR_SAFTY'.*PAR_SAFETY"):
        par.kruskal_wallis(small, "PAR_SAFTY", "community_type")
    with pytest.raises(KeyError, match="'communitytype'"):
        par.group_differences(small, "communitytype")


def test_non_numeric_column_is_a_type_error(small):
    text = small.assign(PAR_INFO=small["PAR_INFO"].astype(str))
    with pytest.raises(TypeError, match="PAR_INFO.*numbers"):
        par.spearman(text, "WIL", "PAR_INFO")
    with pytest.raises(TypeError, match="community_type"):
        par.response_shares(small, ["community_type"])


def test_not_a_dataframe_is_a_type_error():
    with pytest.raises(TypeError, match="DataFrame"):
        par.response_shares([[1, 2]], ["a"])


def test_constant_answers_and_single_group_are_value_errors(small):
    with pytest.raises(ValueError, match="fewer than two groups"):
        par.kruskal_wallis(small.assign(g="x"), "PAR_INFO", "g")
    with pytest.raises(ValueError, match="constant"):
        par.spearman(small.assign(c=3), "WIL", "c")


# ----------------------------------------------------------------------------- the book's survey
def test_survey_participation_follows_the_planted_willingness_loadings():
    """In the book's survey every form rises with willingness, and forms with a larger planted
    willingness coefficient tend to correlate more strongly (rank agreement of the orderings)."""
    from chaoyang.data import composite_scores, load

    survey = load("survey")
    frame = survey.assign(WIL=composite_scores(survey, ["WIL"])["WIL"])
    table = par.willingness_participation(frame)
    assert (table["rho"] > 0.2).all() and (table["p_holm"] < 0.001).all()
    planted = [DEFAULT_WORLD.participation[f]["willingness"] for f in PARTICIPATION_FORMS]
    agreement = stats.spearmanr(planted, table.loc[list(PARTICIPATION_FORMS), "rho"])[0]
    assert agreement > 0.5


# ----------------------------------------------------------------------------- diverging stacked bars
def test_diverging_bars_centre_the_neutral_level_on_zero(small):
    import matplotlib

    matplotlib.use("Agg")
    from chaoyang.plots.likert import diverging_offsets, diverging_stacked_bars

    shares = par.response_shares(small, ["PAR_SAFETY", "PAR_INFO"])[[1, 2, 3, 4, 5]].to_numpy()
    left = diverging_offsets(shares)
    neutral_centre = left[:, 2] + shares[:, 2] / 2
    assert neutral_centre == pytest.approx([0.0, 0.0])
    assert (left[:, -1] + shares[:, -1]) - left[:, 0] == pytest.approx([1.0, 1.0])  # each bar spans 100 %
    ax = diverging_stacked_bars(small, ["PAR_SAFETY", "PAR_INFO"], item_labels={"PAR_SAFETY": "Safety"})
    widths = sorted(round(p.get_width(), 9) for p in ax.patches)
    assert widths == sorted(round(w, 9) for w in shares.ravel())
    assert "Safety" in [t.get_text() for t in ax.get_yticklabels()]
    matplotlib.pyplot.close("all")


def test_diverging_bars_bad_input(small):
    from chaoyang.plots.likert import diverging_offsets, diverging_stacked_bars

    with pytest.raises(KeyError, match="PAR_SAFTY"):
        diverging_stacked_bars(small, ["PAR_SAFTY"])
    with pytest.raises(ValueError, match="5 levels"):
        diverging_stacked_bars(small, ["PAR_SAFETY"], level_labels=["low", "high"])
    with pytest.raises(ValueError, match="odd number of levels"):
        diverging_offsets(np.ones((2, 4)) / 4)


# ---------------------------------------------------------------- property-based bad input (issue 18)
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from chaoyang.errors import ChaoyangError  # noqa: E402

_FAST = settings(derandomize=True, max_examples=40, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
_cell = st.one_of(st.integers(-2, 8), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                  st.sampled_from(["a", "b", "often", ""]), st.booleans())


@st.composite
def hostile_frames(draw):
    n = draw(st.integers(0, 8))
    names = draw(st.lists(st.sampled_from(["y", "g", "x", "PAR_A", "WIL"]), min_size=1, max_size=5))
    return pd.DataFrame({i: [draw(_cell) for _ in range(n)] for i in range(len(names))}).set_axis(names, axis=1)


def _no_silent_nan(result):
    """Numbers a function returns are finite (or it raised): NaN only where documented (none here)."""
    if isinstance(result, dict):
        values = [v for v in result.values() if isinstance(v, (float, np.floating))]
    elif isinstance(result, pd.DataFrame):
        values = result.select_dtypes("number").to_numpy(dtype=float).ravel().tolist()
    else:
        values = np.asarray(result, dtype=float).ravel().tolist()
    assert all(np.isfinite(values)), result


@_FAST
@given(frame=hostile_frames())
def test_participation_functions_refuse_hostile_frames_or_answer_finitely(frame):
    before = frame.copy()
    calls = [lambda: par.response_shares(frame, ["y"]), lambda: par.distribution_table(frame, ["PAR_A"]),
             lambda: par.kruskal_wallis(frame, "y", "g"), lambda: par.mann_whitney(frame, "y", "g"),
             lambda: par.spearman(frame, "x", "y"), lambda: par.group_differences(frame, "g", ["y"]),
             lambda: par.willingness_participation(frame, "WIL", ["PAR_A"])]
    for call in calls:
        try:
            result = call()
        except ChaoyangError:
            continue
        _no_silent_nan(result)
    pd.testing.assert_frame_equal(frame, before)


@_FAST
@given(pvalues=st.one_of(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6), st.none(),
                         st.text(max_size=3), st.lists(st.lists(st.floats(0, 1), max_size=2), max_size=2)))
def test_holm_adjust_refuses_or_returns_probabilities(pvalues):
    try:
        adjusted = par.holm_adjust(pvalues)
    except ChaoyangError:
        return
    assert ((adjusted >= 0) & (adjusted <= 1)).all()


def test_duplicated_columns_are_a_named_error():
    from chaoyang._validate import DuplicateColumnError

    frame = pd.DataFrame([[1, 2, 3]], columns=["y", "y", "g"])
    with pytest.raises(DuplicateColumnError, match=r"duplicated column name\(s\) \['y'\]"):
        par.response_shares(frame, ["y"])
