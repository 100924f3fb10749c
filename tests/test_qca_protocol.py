"""Robustness protocol, sensitivity ranges, cluster diagnostics and ESA of chaoyang.qca.

References: SetMethods 4.0's own R code run on its own example data (tests/fixtures/qca/setmethods_reference.R
-> setmethods_reference.json, provenance inside), hand-computed closed forms, and brute force.
"""

import json
import warnings
from itertools import combinations, product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang import qca
from chaoyang.qca import QCAWarning
from chaoyang.qca.terms import expand, parse_term

FIXTURES = Path(__file__).parent / "fixtures" / "qca"
REF = json.loads((FIXTURES / "setmethods_reference.json").read_text())
INPUTS = json.loads((FIXTURES / "setmethods_rob_inputs.json").read_text())
PAYF_CONDITIONS = ["HE", "GG", "AH", "HI", "HW"]


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QCAWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def payf_solutions():
    data = pd.read_csv(FIXTURES / "PAYF.csv", index_col=0)

    def solve(spec):
        tt = _quiet(qca.truth_table, data, "HL", PAYF_CONDITIONS, incl_cut=spec["incl_cut"], n_cut=spec["n_cut"])
        return qca.minimize(tt, include="?")

    initial = solve(INPUTS["IS_spec"])
    tests = [solve(s) for s in INPUTS["TS_spec"]]
    # the R script computed memberships from these expressions; they must still be what the kit finds
    assert initial.models[0].expression == INPUTS["IS"]
    assert [t.models[0].expression for t in tests] == INPUTS["TS"]
    return initial, tests


# SetMethods rounds: QCAfit formats consistency/coverage to 3 significant digits before rob.fit divides
# them, then rounds the ratio to 3 decimals; 2e-3 covers both roundings (each at most 5e-4 relative).
RF_TOL = 2e-3


def test_fit_oriented_parameters_match_setmethods(payf_solutions):
    initial, tests = payf_solutions
    ref = REF["robustness"]["two_tests"]
    got = qca.robustness_protocol(initial, tests[:2])
    for key, value in ref["RF"].items():
        assert got.fit[key] == pytest.approx(value, abs=RF_TOL), key
    assert got.fit["RC_cons"] == pytest.approx(ref["core_fit"]["Cons.Suf"], abs=RF_TOL)
    assert got.fit["RC_cov"] == pytest.approx(ref["core_fit"]["Cov.Suf"], abs=RF_TOL)


def test_case_oriented_parameters_match_setmethods(payf_solutions):
    initial, tests = payf_solutions
    ref = REF["robustness"]["two_tests"]
    got = qca.robustness_protocol(initial, tests[:2])
    assert got.case_counts.to_dict() == ref["cases"]
    assert got.cases_of("robust typical") == ref["robust_typical"]
    shaky = ref["shaky_typical"]
    assert got.cases_of("shaky typical") == ([shaky] if isinstance(shaky, str) else shaky)
    assert got.case_ratios["RCR_typ"] == pytest.approx(ref["RCR"]["RCR_typ"], abs=5e-4)
    assert got.case_ratios["RCR_dev"] == pytest.approx(ref["RCR"]["RCR_dev"], abs=5e-4)
    assert got.case_ratios["RCC_rank"] == ref["RCR"]["RCC_Rank"]


def test_setmethods_uses_only_first_and_last_test_solution_for_min_and_max(payf_solutions):
    """With three test solutions SetMethods' loop `for (i in length(test_sol))` skips the middle one
    when building MIN_TS/MAX_TS (its robust core, built by rob.corefit, uses all): the kit uses all."""
    initial, tests = payf_solutions
    ref = REF["robustness"]["three_tests"]
    full = qca.robustness_protocol(initial, tests)
    first_last = qca.robustness_protocol(initial, [tests[0], tests[2]])
    assert full.fit["RF_cov"] == pytest.approx(ref["RF"]["RF_cov"], abs=RF_TOL)
    assert full.fit["RF_cons"] == pytest.approx(ref["RF"]["RF_cons"], abs=RF_TOL)
    assert first_last.fit["RF_SC_minTS"] == pytest.approx(ref["RF"]["RF_SC_minTS"], abs=RF_TOL)
    assert first_last.case_counts.to_dict() == ref["cases"]
    assert abs(full.fit["RF_SC_minTS"] - ref["RF"]["RF_SC_minTS"]) > 0.01  # the documented difference


def test_protocol_closed_form_by_hand():
    # IS = A, TS1 = A + B, TS2 = A*B on five cases; everything below is computed by hand from the memberships
    df = pd.DataFrame({"A": [0.9, 0.8, 0.2, 0.7, 0.1], "B": [0.8, 0.3, 0.9, 0.6, 0.2],
                       "Y": [0.9, 0.7, 0.6, 0.8, 0.1]}, index=list("pqrst"))
    initial = qca.minimize(qca.truth_table(df, "Y", ["A", "B"], incl_cut=0.9), include="?")
    wide = qca.minimize(qca.truth_table(df, "Y", ["A", "B"], incl_cut=0.8), include="?")
    narrow = qca.minimize(qca.truth_table(df, "Y", ["A", "B"], incl_cut=0.9))  # complex: A*B + A*~B ... see below
    assert initial.models[0].expression == "A" and wide.models[0].expression == "A + B"
    a, b, y = df["A"].to_numpy(), df["B"].to_numpy(), df["Y"].to_numpy()
    narrow_m = qca.solution_membership(narrow)
    result = qca.robustness_protocol(initial, [wide, narrow])
    min_ts = np.minimum(np.maximum(a, b), narrow_m)
    max_ts = np.maximum(np.maximum(a, b), narrow_m)
    core = np.minimum(a, min_ts)
    cons = lambda x: np.minimum(x, y).sum() / x.sum()  # noqa: E731
    cov = lambda x: np.minimum(x, y).sum() / y.sum()  # noqa: E731
    assert result.fit["RF_cov"] == pytest.approx(cov(core) / cov(a))
    assert result.fit["RF_cons"] == pytest.approx(cons(a) / cons(core))
    assert result.fit["RF_SC_minTS"] == pytest.approx(np.minimum(a, min_ts).sum() / np.maximum(a, min_ts).sum())
    assert result.fit["RF_SC_maxTS"] == pytest.approx(np.minimum(a, max_ts).sum() / np.maximum(a, max_ts).sum())
    assert result.cases.loc["r", "type"] == "possible typical"  # A 0.2, A+B 0.9, Y 0.6
    assert result.cases.loc["t", "type"] == "irrelevant"


def test_protocol_bad_input(payf_solutions):
    initial, tests = payf_solutions
    with pytest.raises(ValueError, match="test set is empty"):
        qca.robustness_protocol(initial, [])
    with pytest.raises(TypeError, match="Solution"):
        qca.robustness_protocol(initial, ["A + B"])
    other = qca.minimize(qca.truth_table(pd.DataFrame({"A": [1, 0], "HL": [1, 0]}), "HL", ["A"]))
    with pytest.raises(ValueError, match="same cases"):
        qca.robustness_protocol(initial, [other])
    with pytest.raises(ValueError, match="model=5"):
        qca.robustness_protocol(initial, tests, model=5)
    data = pd.read_csv(FIXTURES / "PAYF.csv", index_col=0)
    negated = qca.minimize(_quiet(qca.truth_table, data, "~HL", PAYF_CONDITIONS, incl_cut=0.8, n_cut=2), include="?")
    with pytest.raises(ValueError, match="not the outcome"):
        qca.robustness_protocol(initial, [negated])


# ------------------------------------------------------------------ sensitivity ranges
def _first_terms(data, **kw):
    try:
        tt = _quiet(qca.truth_table, data, "HL", PAYF_CONDITIONS, **kw)
        return frozenset(qca.minimize(tt, include="?", max_models=1).models[0].terms)
    except ValueError:
        return None


@pytest.mark.parametrize("parameter", ["incl_cut", "pri_cut"])
def test_cut_off_ranges_agree_with_a_brute_force_scan(parameter):
    data = pd.read_csv(FIXTURES / "PAYF.csv", index_col=0)
    chosen = {"incl_cut": 0.87, "pri_cut": 0.6}
    finder = qca.incl_range if parameter == "incl_cut" else qca.pri_range
    r = finder(data, "HL", PAYF_CONDITIONS, **chosen, n_cut=2, step=0.01, max_runs=15).table.iloc[0]
    base = _first_terms(data, **chosen, n_cut=2)
    value = chosen[parameter]
    grid = np.round(np.arange(value - 0.15, min(value + 0.15, 1.0) + 1e-9, 0.01), 2)

    def same(v):
        return _first_terms(data, **{**chosen, parameter: float(v)}, n_cut=2) == base

    assert all(same(v) for v in grid if r["lower"] - 1e-9 <= v <= r["upper"] + 1e-9)
    # the search is contiguous from the chosen value: one step beyond a closed bound changes the solution
    if not r["lower_open"] and r["lower"] - 0.01 >= 0:
        assert not same(round(r["lower"] - 0.01, 2))
    if not r["upper_open"] and r["upper"] + 0.01 <= 1:
        assert not same(round(r["upper"] + 0.01, 2))
    assert r["lower"] <= value <= r["upper"]


def test_ncut_range_and_open_flag():
    df = pd.DataFrame({"A": [1, 1, 1, 0, 0, 0], "B": [1, 1, 0, 1, 0, 0], "Y": [1, 1, 1, 0, 0, 0]})
    r = qca.ncut_range(df, "Y", ["A", "B"], n_cut=1, max_runs=5).table.iloc[0]
    assert (r["lower"], r["upper"], r["upper_open"]) == (1.0, 2.0, False)  # at 3 no row has 3 cases
    wide = qca.incl_range(df, "Y", ["A", "B"], incl_cut=0.9, step=0.01, max_runs=3).table.iloc[0]
    assert wide["lower_open"] and wide["lower"] == pytest.approx(0.87)  # crisp: nothing changes near 0.9


def test_calibration_range_matches_direct_recalibration():
    rng = np.random.default_rng(3)
    raw = pd.Series(rng.uniform(1, 5, 60).round(2))
    b = rng.uniform(0, 1, 60).round(2)
    members = pd.DataFrame({"A": qca.calibrate(raw, 1.8, 3.3, 4.6), "B": b})
    members["Y"] = np.clip(np.maximum(np.minimum(members["A"], members["B"]), 0.3 * members["A"])
                           + rng.normal(0, 0.08, 60), 0, 1).round(2)
    before = members.copy()
    r = qca.calibration_range(raw, members, "A", (1.8, 3.3, 4.6), "Y", ["A", "B"], incl_cut=0.8,
                              step=0.1, max_runs=6)
    pd.testing.assert_frame_equal(members, before)  # the caller's frame is not modified
    for i, row in r.table.iterrows():
        anchors = [1.8, 3.3, 4.6]
        base = frozenset(qca.minimize(_quiet(qca.truth_table, members.assign(A=qca.calibrate(raw, *anchors)), "Y",
                                             ["A", "B"]), include="?").models[0].terms)
        for v in (row["lower"], row["upper"]):
            moved = list(anchors)
            moved[i] = v
            got = frozenset(qca.minimize(_quiet(qca.truth_table, members.assign(A=qca.calibrate(raw, *moved)), "Y",
                                                ["A", "B"]), include="?").models[0].terms)
            assert got == base, (row["parameter"], v)
        assert row["lower"] <= anchors[i] <= row["upper"]
    assert r.table.loc[1, "lower"] > 1.8 and r.table.loc[1, "upper"] < 4.6  # the crossover cannot pass its neighbours


@pytest.mark.parametrize("anchors", [(3.3, 1.8, 4.6), (1.8, 1.8, 4.6), (1.8, 3.3), {"low": 1, "c": 2, "i": 3}])
def test_calibration_range_refuses_bad_anchors(anchors):
    raw = pd.Series([1.0, 2.0, 3.0, 4.0])
    members = pd.DataFrame({"A": [0.1, 0.3, 0.7, 0.9], "Y": [0.2, 0.3, 0.8, 0.9]})
    with pytest.raises(ValueError, match="anchors"):
        qca.calibration_range(raw, members, "A", anchors, "Y", ["A"])


@pytest.mark.parametrize("kw, match", [({"incl_cut": 1.2}, r"incl_cut=1.2 is outside \[0, 1\]"),
                                       ({"pri_cut": -0.1}, r"pri_cut=-0.1 is outside"),
                                       ({"n_cut": 0}, "n_cut=0"), ({"step": 0}, "step=0"),
                                       ({"max_runs": 0}, "max_runs=0"), ({"incl_cut": float("nan")}, "finite")])
def test_sensitivity_refuses_bad_thresholds(kw, match):
    df = pd.DataFrame({"A": [1, 0, 1], "Y": [1, 0, 1]})
    with pytest.raises((ValueError, TypeError), match=match):
        qca.incl_range(df, "Y", ["A"], **kw)


# ------------------------------------------------------------------ cluster diagnostics
@pytest.fixture(scope="module")
def schlf():
    return pd.read_csv(FIXTURES / "SCHLF.csv", index_col=0)


@pytest.mark.parametrize("relation", ["sufficiency", "necessity"])
def test_cluster_diagnostics_match_setmethods(schlf, relation):
    ref = REF["cluster"][relation]
    x = qca.expression_membership(schlf, ref["expression"])
    d = qca.cluster_diagnostics(x, schlf[ref["outcome"]], schlf["YEAR"], schlf["COUNTRY"],
                                necessity=relation == "necessity")
    assert d.between.index.tolist() == ref["clusters"] and d.within.index.tolist() == ref["units"]
    assert d.pooled["consistency"] == pytest.approx(ref["pooled_cons"], abs=1e-12)
    assert d.pooled["coverage"] == pytest.approx(ref["pooled_cov"], abs=1e-12)
    np.testing.assert_allclose(d.between["consistency"], ref["between_cons"], atol=1e-12)
    np.testing.assert_allclose(d.between["coverage"], ref["between_cov"], atol=1e-12)
    np.testing.assert_allclose(d.within["consistency"], ref["within_cons"], atol=1e-12)
    np.testing.assert_allclose(d.within["coverage"], ref["within_cov"], atol=1e-12)
    assert d.dBP == pytest.approx(ref["dBP"], abs=1e-12) and d.dWP == pytest.approx(ref["dWP"], abs=1e-12)


def test_cluster_diagnostics_by_hand():
    x, y = [0.8, 0.2, 0.3, 0.9], [0.6, 0.4, 0.7, 1.0]
    d = qca.cluster_diagnostics(x, y, ["a", "a", "b", "b"])
    assert d.pooled["consistency"] == pytest.approx(2.0 / 2.2)
    assert d.between["consistency"].tolist() == pytest.approx([0.8, 1.0])
    assert d.between["coverage"].tolist() == pytest.approx([0.8 / 1.0, 1.2 / 1.7])
    assert d.dBP == pytest.approx(np.hypot(0.8 / 1.8 - 0.5, 1.0 / 1.8 - 0.5))
    assert d.within["consistency"].tolist() == pytest.approx([0.75, 1.0, 1.0, 1.0])  # nested: each case alone


def test_cluster_solution_on_the_communities():
    df = pd.DataFrame({"A": [0.9, 0.8, 0.2, 0.7, 0.1, 0.6], "B": [0.8, 0.3, 0.9, 0.6, 0.2, 0.1],
                       "Y": [0.9, 0.7, 0.6, 0.8, 0.1, 0.2], "site": list("aabbcc")})
    sol = qca.minimize(qca.truth_table(df, "Y", ["A", "B"]), include="?")
    table = qca.cluster_solution(sol, df, "site")
    assert table.loc["A", "min_between_cons"] == pytest.approx(0.3 / 0.7)  # site c: (0.1 + 0.2) / (0.1 + 0.6)
    assert table.loc["A", "n_clusters_below"] == 1


def test_cluster_bad_input():
    x, y = [0.8, 0.2, 0.3], [0.6, 0.4, 0.7]
    with pytest.raises(ValueError, match="missing id"):
        qca.cluster_diagnostics(x, y, ["a", None, "b"])
    with pytest.raises(ValueError, match="missing id"):
        qca.cluster_diagnostics(x, y, pd.Series(["a", np.nan, "b"]))
    with pytest.raises(ValueError, match="at least two clusters"):
        qca.cluster_diagnostics(x, y, ["a", "a", "a"])
    with pytest.raises(ValueError, match="one id per case"):
        qca.cluster_diagnostics(x, y, ["a", "b"])
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        qca.cluster_diagnostics([1.2, 0, 0], y, ["a", "b", "b"])
    with pytest.warns(QCAWarning, match="no membership in the condition"):  # an empty cluster
        d = qca.cluster_diagnostics([0.0, 0.0, 0.3], y, ["a", "a", "b"])
    assert d.between.loc["a", "consistency"] == pytest.approx(1.0)  # SetMethods' smoothing, flagged above
    df = pd.DataFrame({"A": [1, 0], "Y": [1, 0], "site": ["a", "b"]})
    sol = qca.minimize(qca.truth_table(df, "Y", ["A"]))
    with pytest.raises(KeyError, match="community"):
        qca.cluster_solution(sol, df, "community")


# ------------------------------------------------------------------ ESA, checked by brute force
def _brute_force_models(k, positives, forbidden):
    """All minimal sums of prime implicants covering `positives` and no `forbidden` configuration."""
    terms = []
    for codes in product((0, 1, 2), repeat=k):  # 0 absent, 1 negated, 2 present
        care = sum(1 << (k - 1 - j) for j, c in enumerate(codes) if c)
        value = sum(1 << (k - 1 - j) for j, c in enumerate(codes) if c == 2)
        covered = set(expand(care, value, k).tolist())
        if covered & forbidden or not covered & positives:
            continue
        terms.append((care, value, frozenset(covered)))
    primes = [t for t in terms if not any(o[2] > t[2] for o in terms)]
    for size in range(1, len(primes) + 1):
        found = [frozenset((c, v) for c, v, _ in combo) for combo in combinations(primes, size)
                 if positives <= frozenset().union(*(t[2] for t in combo))]
        if found:
            return set(found)
    return set()


@pytest.mark.parametrize("seed", range(12))
def test_esa_parsimonious_equals_brute_force_and_never_assumes_an_excluded_row(seed):
    rng = np.random.default_rng(seed)
    k = 4
    names = ["A", "B", "C", "D"]
    observed = rng.choice(2**k, size=int(rng.integers(4, 9)), replace=False)
    outs = rng.integers(0, 2, len(observed))
    outs[0], outs[1] = 1, 0
    df = pd.DataFrame([[(r >> (k - 1 - j)) & 1 for j in range(k)] for r in observed], columns=names)
    df["Y"] = outs
    tt = _quiet(qca.truth_table, df, "Y", names, incl_cut=1.0)
    literal = names[int(rng.integers(0, k))]
    untenable = f"{literal}*~{names[(names.index(literal) + 1) % k]}"
    remainders = sorted(set(range(1, 2**k + 1)) - set(tt.table.index))
    extra = [int(r) for r in rng.choice(remainders, size=min(2, len(remainders)), replace=False)]
    if not tt.configs(1).size:
        return
    safe = _quiet(qca.esa, tt, untenable=untenable, necessary="A + B", exclude_rows=extra)
    excluded = set(safe.excluded.index - 1)
    positives = set(tt.configs(1).tolist())
    forbidden = set(tt.configs([0, "C"]).tolist()) | excluded
    expected = _brute_force_models(k, positives, forbidden)
    got = qca.minimize(safe, include="?", max_models=1000)
    assert {frozenset(m.implicants) for m in got.models} == expected
    for model in got.models:
        assert not set(model.simplifying_assumptions.index) & set(safe.excluded.index)
    # the excluded rows are exactly: remainders in the untenable term, outside A + B, or listed
    configs = {r - 1 for r in remainders}
    care_u, value_u = parse_term(untenable, names)
    by_rule = {c for c in configs if (c & care_u) == value_u or not (c & 0b1000 or c & 0b0100)}
    assert excluded == by_rule | {r - 1 for r in extra}


def test_contradictory_assumptions_and_esa_remove_them():
    df = pd.DataFrame({"A": [1, 0], "B": [1, 0], "Y": [1, 0]})
    pos = qca.minimize(qca.truth_table(df, "Y", ["A", "B"]), include="?")
    neg = qca.minimize(qca.truth_table(df, "~Y", ["A", "B"]), include="?")
    assert qca.contradictory_assumptions(pos, neg) == []
    csa = qca.contradictory_assumptions(pos, neg, models="all")
    # brute force: rows assumed sufficient by some model of Y and by some model of ~Y
    pos_rows = set().union(*(set(m.simplifying_assumptions.index) for m in pos.models))
    neg_rows = set().union(*(set(m.simplifying_assumptions.index) for m in neg.models))
    assert csa == sorted(pos_rows & neg_rows) == [2, 3]
    pos_safe = qca.minimize(qca.esa(pos.truth_table, exclude_rows=csa), include="?")
    neg_safe = qca.minimize(qca.esa(neg.truth_table, exclude_rows=csa), include="?")
    assert qca.contradictory_assumptions(pos_safe, neg_safe, models="all") == []
    assert [m.expression for m in pos_safe.models] == ["A*B"]


def test_esa_bad_input_and_warning():
    df = pd.DataFrame({"A": [1, 0, 1], "B": [1, 0, 0], "Y": [1, 0, 1]})
    tt = qca.truth_table(df, "Y", ["A", "B"])
    with pytest.raises(ValueError, match="observed truth-table row"):
        qca.esa(tt, exclude_rows=[4])
    with pytest.raises(ValueError, match="does not exist"):
        qca.esa(tt, exclude_rows=[9])
    with pytest.raises(ValueError, match="names no condition"):
        qca.esa(tt, untenable="C")
    with pytest.raises(ValueError, match="both"):
        qca.esa(tt, untenable="A*~A")
    with pytest.raises(TypeError, match="TruthTable"):
        qca.esa(df)
    with pytest.warns(QCAWarning, match="contradict the necessity claim"):
        qca.esa(tt, necessary="B")  # row 3 (A*~B) is positive but lacks B
    before = tt.table.copy()
    safe = qca.esa(tt, untenable="~A*B")
    pd.testing.assert_frame_equal(tt.table, before)  # the input truth table is not modified
    assert tt.excluded is None and safe.excluded.index.tolist() == [2]
    assert "ESA: remainder rows [2] closed" in safe.summary()


# ------------------------------------------------------------------ several models, in R's order
def test_all_models_in_r_order_on_r_qca_documented_charts():
    """R QCA's own help example (tests/fixtures/qca/r_solvechart_example.json): both minimal models, R's order."""
    from chaoyang.qca.cover import minimal_covers, minimum_cover_size

    ref = json.loads((FIXTURES / "r_solvechart_example.json").read_text())
    for chart in ref["charts"]:
        masks = [sum(1 << j for j, hit in enumerate(row) if hit) for row in chart["chart"]]
        result = minimal_covers(masks, len(chart["configs"]))
        got = [[chart["primes"][i] for i in cover] for cover in result.covers]
        assert got == chart["models"] and not result.truncated, chart["call"]
        if "findmin" in chart:
            assert minimum_cover_size(masks, len(chart["configs"])) == chart["findmin"]
