"""Measurement quality, common-method bias, mediation reporting and diagrams, against hand computations."""

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from chaoyang import sem
from chaoyang.plots.sem_diagram import path_diagram

matplotlib.use("Agg")
FIXTURES = Path(__file__).parent / "fixtures" / "lavaan"


def exact_correlation_data(corr: np.ndarray, n: int = 500, seed: int = 0) -> np.ndarray:
    """Data whose sample correlation matrix is exactly ``corr``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, corr.shape[0]))
    z = (z - z.mean(0)) / z.std(0)
    whiten = np.linalg.inv(np.linalg.cholesky(np.corrcoef(z, rowvar=False)))
    return z @ whiten.T @ np.linalg.cholesky(corr).T


@pytest.fixture(scope="module")
def holzinger_fit():
    data = pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")
    ref = json.loads((FIXTURES / "ref_holzinger_cfa_lavaan.json").read_text())
    return data, ref, sem.fit((FIXTURES / "holzinger_cfa.lav").read_text(), data)


# ------------------------------------------------------------------ reliability
def test_cronbach_alpha_by_hand():
    # item variances 5/3, 2.25, 2/3; sum-score variance 12.25 -> 1.5 * (1 - 4.58333/12.25)
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 5], "c": [3, 4, 4, 5]})
    assert sem.cronbach_alpha(df) == pytest.approx(0.938776, abs=1e-6)
    assert sem.cronbach_alpha(df.assign(z=["x"] * 4), ["a", "b", "c"]) == pytest.approx(0.938776, abs=1e-6)


def test_alpha_equals_standardized_formula_for_equal_variances():
    r = np.full((4, 4), 0.4) + 0.6 * np.eye(4)
    df = pd.DataFrame(exact_correlation_data(r), columns=list("abcd"))
    assert sem.cronbach_alpha(df) == pytest.approx(4 * 0.4 / (1 + 3 * 0.4), abs=1e-10)


def test_omega_three_items_closed_form():
    # a one-factor model with three items is just identified: phi*l2*l3 etc. reproduce the covariances
    rng = np.random.default_rng(3)
    f = rng.normal(size=400)
    df = pd.DataFrame({f"i{k}": lam * f + rng.normal(scale=0.7, size=400) for k, lam in enumerate([1.0, 0.8, 0.6])})
    s = np.cov(df.to_numpy(), rowvar=False, bias=True)
    phi = s[0, 1] * s[0, 2] / s[1, 2]
    lam = np.array([1.0, s[1, 2] / s[0, 2], s[1, 2] / s[0, 1]])
    theta = np.diag(s) - lam**2 * phi
    expected = lam.sum() ** 2 * phi / (lam.sum() ** 2 * phi + theta.sum())
    assert sem.mcdonald_omega(df, ["i0", "i1", "i2"]) == pytest.approx(expected, rel=1e-6)


def test_cr_and_ave_from_lavaan_loadings(holzinger_fit):
    _, ref, res = holzinger_fit
    cr, ave = sem.composite_reliability(res), sem.average_variance_extracted(res)
    for factor in ("visual", "textual", "speed"):
        lam = np.array([p["std_all"] for p in ref["params"] if p["op"] == "=~" and p["lhs"] == factor])
        assert cr[factor] == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum()), abs=1e-4)
        assert ave[factor] == pytest.approx(np.mean(lam**2), abs=1e-4)


def test_fornell_larcker_uses_latent_correlations(holzinger_fit):
    _, ref, res = holzinger_fit
    table = sem.fornell_larcker(res)
    lavaan_r = {(p["lhs"], p["rhs"]): p["std_all"] for p in ref["params"]
                if p["op"] == "~~" and p["lhs"] != p["rhs"]}
    assert table.loc["textual", "visual"] == pytest.approx(lavaan_r[("visual", "textual")], abs=1e-4)
    assert table.loc["speed", "visual"] == pytest.approx(lavaan_r[("visual", "speed")], abs=1e-4)
    ave = sem.average_variance_extracted(res)
    assert table.loc["speed", "speed"] == pytest.approx(np.sqrt(ave["speed"]))
    # visual: sqrt(AVE) = .61 > |r| with textual (.46) and speed (.47)
    assert bool(table.loc["visual", "passes"]) is True


def test_htmt_by_hand():
    r = pd.DataFrame([[1, .6, .3, .2], [.6, 1, .25, .15], [.3, .25, 1, .5], [.2, .15, .5, 1]],
                     index=list("abcd"), columns=list("abcd"))
    from chaoyang.sem.reliability import htmt_from_correlation

    # heterotrait mean .225 / sqrt(.6 * .5)
    assert htmt_from_correlation(r, {"A": ["a", "b"], "B": ["c", "d"]}).loc["A", "B"] == pytest.approx(0.410792, abs=1e-6)


def test_htmt_on_data_three_and_two_items():
    corr = np.array([
        [1, .5, .6, .1, .2],
        [.5, 1, .7, .3, .4],
        [.6, .7, 1, .5, .3],
        [.1, .3, .5, 1, .4],
        [.2, .4, .3, .4, 1],
    ])
    df = pd.DataFrame(exact_correlation_data(corr), columns=["a1", "a2", "a3", "b1", "b2"])
    table = sem.htmt(df, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]})
    # heterotrait mean (.1+.2+.3+.4+.5+.3)/6 = .3; monotrait means .6 and .4 -> .3 / sqrt(.24)
    assert table.loc["A", "B"] == pytest.approx(0.3 / np.sqrt(0.24), abs=1e-9)
    verdict = sem.htmt_verdict(table)
    assert verdict.loc[0, "below_.85"] and verdict.loc[0, "below_.90"]


def test_measurement_quality_table(holzinger_fit):
    data, _, res = holzinger_fit
    table = sem.measurement_quality(res, data)
    assert list(table.index) == ["visual", "textual", "speed"]
    assert table.loc["textual", "alpha"] == pytest.approx(sem.cronbach_alpha(data, ["x4", "x5", "x6"]))
    assert (table[["alpha", "omega", "CR", "AVE"]].to_numpy() < 1).all()


def test_reliability_bad_input():
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 5]})
    with pytest.raises(KeyError, match="Did you mean 'b'"):
        sem.cronbach_alpha(df, ["a", "bb"])
    with pytest.raises(ValueError, match="constant"):
        sem.cronbach_alpha(df.assign(c=1), ["a", "b", "c"])
    with pytest.raises(ValueError, match="at least 3 items"):
        sem.mcdonald_omega(df, ["a", "b"])


# ------------------------------------------------------------------ common-method bias
def test_harman_compound_symmetry():
    r = np.full((6, 6), 0.3) + 0.7 * np.eye(6)
    df = pd.DataFrame(exact_correlation_data(r), columns=list("abcdef"))
    out = sem.harman_single_factor(df)
    assert out.first_factor_share == pytest.approx((1 + 5 * 0.3) / 6, abs=1e-10)
    assert not out.flagged
    r2 = np.full((6, 6), 0.6) + 0.4 * np.eye(6)
    assert sem.harman_single_factor(pd.DataFrame(exact_correlation_data(r2), columns=list("abcdef"))).flagged
    frame = out.to_frame()
    assert frame["share"].iloc[0] == pytest.approx(out.first_factor_share) and frame["cumulative_share"].iloc[-1] == 1
    assert out.summary().startswith("Harman's single-factor test: first unrotated factor explains 41.7%")  # (1 + 5 * 0.3) / 6
    assert "<table" in out._repr_html_()


def test_harman_docstring_carries_the_critique():
    assert "Podsakoff" in sem.harman_single_factor.__doc__


def test_single_factor_cfa_comparison(holzinger_fit):
    data, ref, _ = holzinger_fit
    blocks = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
    out = sem.single_factor_cfa_test(data, blocks)
    assert out.multi.fit_measures["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-4)
    assert out.delta_df == 3
    assert out.delta_chisq == pytest.approx(out.single.fit_measures["chisq"] - ref["fit"]["chisq"], rel=1e-4)
    assert out.pvalue < 1e-10
    assert list(out.table()["model"]) == ["one factor", "theorised factors", "difference"]
    assert out.to_frame().equals(out.table()) and out.summary().startswith("One-factor vs theorised CFA")


def test_marker_variable_by_hand():
    corr = np.array([[1, .5, .1], [.5, 1, .2], [.1, .2, 1]])
    df = pd.DataFrame(exact_correlation_data(corr, n=203), columns=["a", "b", "marker"])
    out = sem.marker_variable_adjustment(df, "marker", ["a", "b"])
    row = out.iloc[0]
    assert row["r_M"] == pytest.approx(0.1, abs=1e-10)  # smallest positive marker correlation
    assert row["r_adj"] == pytest.approx(0.4 / 0.9, abs=1e-10)
    assert row["t"] == pytest.approx((4 / 9) / np.sqrt((1 - (4 / 9) ** 2) / 200), abs=1e-8)


# ------------------------------------------------------------------ mediation
@pytest.mark.parametrize("args,expected", [
    ((0.2, True, 0.1, True), "complementary"),
    ((0.2, True, -0.1, True), "competitive"),
    ((0.2, True, 0.1, False), "indirect-only"),
    ((0.01, False, 0.3, True), "direct-only"),
    ((0.01, False, 0.01, False), "no-effect"),
])
def test_zhao_types(args, expected):
    assert sem.zhao_mediation_type(*args) == expected


def test_syntax_writer_counts_and_measurement():
    text = sem.parallel_mediation_syntax("X", ["M1", "M2", "M3"], "Y",
                                         {"X": ["x1", "x2"], "Y": ["y1", "y2", "y3"]})
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("ind")] == [
        "ind1 := a1*b1", "ind2 := a2*b2", "ind3 := a3*b3", "indirect := a1*b1 + a2*b2 + a3*b3"]
    assert "total := c + a1*b1 + a2*b2 + a3*b3" in lines
    assert sum(line.startswith("diff") for line in text.splitlines()) == 3
    assert "M1 ~~ M2" in text and "M2 ~~ M3" in text and "X =~ x1 + x2" in text
    with pytest.raises(ValueError, match="at least two items"):
        sem.parallel_mediation_syntax("X", ["M"], "Y", {"X": ["x1"]})
    with pytest.raises(ValueError, match="different"):
        sem.parallel_mediation_syntax("X", ["X"], "Y")


@pytest.fixture(scope="module")
def mediation_fit():
    df = sem.simulate_parallel_mediation(n=600, a=(0.5, 0.5), b=(0.4, 0.0), c=0.0, latent=False, seed=4)
    return sem.fit(sem.parallel_mediation_syntax("X", ["M1", "M2"], "Y"), df, n_boot=300, seed=2)


def test_mediation_report_effects_and_types(mediation_fit):
    rep = sem.mediation_report(mediation_fit, "X", ["M1", "M2"], "Y")
    labels = list(rep.effects["label"])
    assert labels == ["ind1", "ind2", "indirect", "c", "total", "diff1_2"]
    boot = mediation_fit.bootstrap.intervals.set_index("label")
    eff = rep.effects.set_index("label")
    assert eff.loc["ind1", "ci.lower"] == boot.loc["ind1", "perc.lower"]
    # planted: M1 mediates (b1 = .4), M2 does not (b2 = 0), no direct effect
    assert rep.types["M1"] == "indirect-only"
    assert rep.types["M2"] == "no-effect"
    total = eff.loc["total", "est"]
    assert total == pytest.approx(eff.loc["c", "est"] + eff.loc["indirect", "est"], rel=1e-10)
    bc = sem.mediation_report(mediation_fit, "X", ["M1", "M2"], "Y", interval="bc").effects.set_index("label")
    assert bc.loc["ind1", "ci.lower"] == boot.loc["ind1", "bc.lower"]


def test_mediation_report_level_recomputes_intervals_and_alpha_still_works(mediation_fit):
    from chaoyang.errors import ArgumentError, ChaoyangDeprecationWarning

    rep = sem.mediation_report(mediation_fit, "X", ["M1", "M2"], "Y", level=0.90)
    eff = rep.effects.set_index("label")
    draws = mediation_fit.bootstrap.draws[:, list(mediation_fit.bootstrap.intervals["label"]).index("ind1")]
    assert eff.loc["ind1", "ci.lower"] == pytest.approx(np.quantile(draws, 0.05), rel=1e-12)
    assert eff.loc["ind1", "ci.upper"] == pytest.approx(np.quantile(draws, 0.95), rel=1e-12)
    c = mediation_fit.parameter("c")  # not bootstrapped: Wald at the requested level
    assert eff.loc["c", "ci.upper"] == pytest.approx(c["est"] + 1.6448536269514722 * c["se"], rel=1e-12)
    assert "90% percentile bootstrap CI" in eff["ci.method"].iloc[0] and rep.level == 0.90
    with pytest.warns(ChaoyangDeprecationWarning, match="alpha"):
        old = sem.mediation_report(mediation_fit, "X", ["M1", "M2"], "Y", alpha=0.10)
    pd.testing.assert_frame_equal(old.effects, rep.effects)
    with pytest.raises(ArgumentError, match="level"):
        sem.mediation_report(mediation_fit, "X", ["M1", "M2"], "Y", level=95)
    assert rep.summary() == rep.to_string() and rep.to_frame().equals(rep.effects)


def test_apa_table_and_html(mediation_fit):
    rep = sem.mediation_report(mediation_fit, "X", ["M1", "M2"], "Y")
    table = rep.apa_table()
    assert list(table.columns) == ["Effect", "b", "SE", "95% CI", "β", "p"]
    assert table.loc[0, "p"] == "< .001"
    assert not table["β"].str.match(r"^-?0\.").any()
    assert "<table" in rep.to_html() and "Zhao" in rep.to_string()


def test_report_needs_labels():
    df = sem.simulate_parallel_mediation(n=200, latent=False, seed=1)
    res = sem.fit("M1 ~ X\nY ~ M1 + X", df)
    with pytest.raises(KeyError, match="parallel_mediation_syntax"):
        sem.mediation_report(res, "X", ["M1"], "Y")


def test_path_diagram(mediation_fit):
    from matplotlib.patches import FancyArrowPatch

    ax = path_diagram(mediation_fit)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 5 + 1  # five regressions, one residual covariance M1 ~~ M2
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "a1 = " in texts and "b2 = " in texts and "c = " in texts
    with pytest.raises(ValueError, match="value"):
        path_diagram(mediation_fit, value="beta")
    import matplotlib.pyplot as plt

    plt.close("all")
