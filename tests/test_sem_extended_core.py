"""Properties of the kit's own SEM engine that need no lavaan: gradients, bootstrap reproducibility, tables."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang import sem
from chaoyang.sem.extended import prepare_problem
from chaoyang.sem.fiml import GroupData, em_saturated, loglik
from chaoyang.sem.inputs import prepare_data
from chaoyang.sem.syntax import parse_model

FIXTURES = Path(__file__).parent / "fixtures" / "lavaan"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"


@pytest.fixture(scope="module")
def holzinger() -> pd.DataFrame:
    d = pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")
    rng = np.random.default_rng(1)
    d.loc[rng.random(len(d)) < 0.2, "x2"] = np.nan
    d.loc[rng.random(len(d)) < 0.2, "x5"] = np.nan
    return d


def test_analytic_gradient_equals_numerical(holzinger):
    model = CFA + "\ntextual ~ b*visual\nx1 ~~ x4"
    frame, _ = prepare_data(holzinger, ["x1", "x2", "x3", "x4", "x5", "x6"], "ml")
    frame["school"] = holzinger["school"].to_numpy()
    problem, *_ = prepare_problem(parse_model(model), frame, group="school", meanstructure=True, std_lv=False,
                                  group_equal=["loadings"], group_partial=(), missing="ml")
    x = np.random.default_rng(2).uniform(0.3, 0.9, problem.table.n_free)
    _, grad = problem.loglik_gradient(x)
    numeric = np.array([(problem.loglik(x + h) - problem.loglik(x - h)) / 2e-6 for h in np.eye(x.size) * 1e-6])
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-4)


def test_em_reaches_the_saturated_maximum():
    rng = np.random.default_rng(4)
    y = rng.multivariate_normal([0, 1, 2], [[1, .5, .3], [.5, 1, .4], [.3, .4, 1]], size=300)
    y[rng.random(300) < 0.3, 1] = np.nan
    y[rng.random(300) < 0.2, 2] = np.nan
    gd = GroupData(y)
    sigma, mu, best = em_saturated(gd)
    for _ in range(20):  # no nearby saturated model has a higher likelihood
        e = rng.normal(scale=1e-3, size=(3, 3))
        assert loglik(gd.patterns, sigma + (e + e.T) / 2, mu + rng.normal(scale=1e-3, size=3)) <= best + 1e-9


def test_bootstrap_is_identical_for_any_n_jobs(holzinger):
    model = CFA + "\ntextual ~ b*visual\nbb := 2*b"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 60 draws: the small-n_boot warning is expected here
        one = sem.fit(model, holzinger, missing="ml", n_boot=60, seed=5, n_jobs=1)
        two = sem.fit(model, holzinger, missing="ml", n_boot=60, seed=5, n_jobs=2)
    np.testing.assert_array_equal(one.bootstrap.draws, two.bootstrap.draws)
    draws = one.bootstrap.draws[:, 0]
    row = one.bootstrap.intervals.iloc[0]
    assert row["perc.lower"] == pytest.approx(np.quantile(draws, 0.025))
    assert row["perc.upper"] == pytest.approx(np.quantile(draws, 0.975))
    assert one.parameter("bb")["est"] == pytest.approx(2 * one.parameter("b")["est"], rel=1e-12)


def test_multigroup_table_and_report(holzinger):
    res = sem.fit(CFA, holzinger.dropna(), group="school", group_equal=["loadings", "intercepts"])
    est = res.estimates
    assert list(est.columns[:4]) == ["lhs", "op", "rhs", "group"]
    loads = est.loc[est["op"] == "=~"].pivot_table(index=["lhs", "rhs"], columns="group", values="est")
    np.testing.assert_allclose(loads[1], loads[2], rtol=1e-12)
    means = est.loc[(est["op"] == "~1") & est["lhs"].isin(["visual", "textual"])].set_index(["lhs", "group"])
    assert (means.xs(1, level="group")["se"] == 0).all() and (means.xs(2, level="group")["se"] > 0).all()
    text = res.summary()
    assert "in 2 groups" in text and "group" in res.to_frame().columns
    assert set(res.standardized_solution()["group"]) == {1, 2}


def test_free_latent_means_differ_when_a_group_is_shifted(holzinger):
    # plant a latent mean difference of 0.5 (in x1's units) in one group: scalar invariance recovers it
    data = holzinger.dropna().copy()
    shift = data["school"] == "Grant-White"
    for column in ("x1", "x2", "x3"):
        data.loc[shift, column] += 0.5
    base = sem.fit(CFA, holzinger.dropna(), group="school", group_equal=["loadings", "intercepts"])
    moved = sem.fit(CFA, data, group="school", group_equal=["loadings", "intercepts"])
    get = lambda r: r.estimates.set_index(["lhs", "op", "group"]).loc[("visual", "~1", 2), "est"]  # noqa: E731
    # x1's loading is fixed at 1, so adding 0.5 to every visual item moves the latent mean by about 0.5
    assert get(moved) - get(base) == pytest.approx(0.5, abs=0.1)
