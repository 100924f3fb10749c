"""chaoyang.sem.lab: truth on the estimates' scale, recovery, coverage theory, reproducibility, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chaoyang import sem
from chaoyang.errors import ChaoyangDeprecationWarning, SeedError
from chaoyang.plots.sem_lab import plot_power_coverage
from chaoyang.sem import lab
from chaoyang.widgets.sem_lab import lab_widget
from chaoyang.world import DEFAULT_WORLD, LATENT_ORDER, PATHWAYS, items_of


# Small draw counts keep these tests fast; the library warns about them (< 200 draws) by design.
pytestmark = pytest.mark.filterwarnings("ignore:n_boot=:chaoyang.errors.ChaoyangWarning")

# ----------------------------------------------------------------------------- scored items
def test_scored_items_reverses_only_reverse_keyed_items():
    survey = pd.DataFrame({"COH1": pd.array([5, 1, pd.NA], dtype="Int64"), "COH4": pd.array([1, 2, 5], dtype="Int64"),
                           "PAR_INFO": [1, 2, 3], "age": [30, 40, 50]})
    before = survey.copy()
    out = lab.scored_items(survey)
    assert out.columns.tolist() == ["COH1", "COH4"]
    assert out["COH1"].tolist()[:2] == [5.0, 1.0] and np.isnan(out["COH1"].iloc[2])
    assert out["COH4"].tolist() == [5.0, 4.0, 1.0]
    pd.testing.assert_frame_equal(survey, before)


def test_scored_items_bad_input():
    with pytest.raises(KeyError, match="no survey item"):
        lab.scored_items(pd.DataFrame({"age": [1, 2]}))
    with pytest.raises(TypeError, match="'BEL2'"):
        lab.scored_items(pd.DataFrame({"BEL1": [1, 2], "BEL2": ["agree", "disagree"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        lab.scored_items({"BEL1": [1, 2]})


# ----------------------------------------------------------------------------- truth
@pytest.mark.parametrize("pathway", list(PATHWAYS))
def test_latent_truth_is_the_planted_pathway_truth(pathway):
    truth, planted = lab.lab_truth(pathway, "latent"), DEFAULT_WORLD.pathway_truth(pathway)
    assert truth["indirect"] == pytest.approx(planted["total_indirect"])
    assert truth["c"] == pytest.approx(planted["c_prime"])
    assert truth["diff1_3"] == pytest.approx(planted["ind1"] - planted["ind3"])
    assert truth["total"] == pytest.approx(truth["c"] + truth["indirect"])


@pytest.mark.parametrize("pathway", list(PATHWAYS))
def test_item_truth_equals_regressions_on_marker_scaled_latent_covariance(pathway):
    """Independent route: rescale the latent covariance to the first items' units (Sigma* = D Sigma D)
    and solve the regressions directly."""
    spec = PATHWAYS[pathway]
    names = [spec["driver"], *spec["mediators"], "WIL"]
    index = [LATENT_ORDER.index(v) for v in names]
    d = np.diag([DEFAULT_WORLD.loadings[items_of(v)[0].column] for v in names])
    cov = d @ DEFAULT_WORLD.latent_covariance[np.ix_(index, index)] @ d
    a = cov[0, 1:4] / cov[0, 0]
    coef = np.linalg.solve(cov[:4, :4], cov[:4, 4])
    truth = lab.lab_truth(pathway, "items")
    assert [truth["a1"], truth["a2"], truth["a3"]] == pytest.approx(a.tolist())
    assert truth["c"] == pytest.approx(coef[0])
    assert [truth["ind1"], truth["ind2"], truth["ind3"]] == pytest.approx((a * coef[1:]).tolist())
    assert lab.lab_truth(pathway, "survey") is None


@pytest.mark.parametrize("source", ["latent", "items"])
def test_a_large_sample_recovers_the_truth(source):
    data = lab.simulate_pathway_sample("brand", 20_000, seed=11, source=source)
    result = sem.fit(lab.lab_syntax("brand", source), data)
    truth = lab.lab_truth("brand", source)
    for label in ("a1", "a2", "b1", "b3", "ind1", "indirect", "total"):
        assert result.parameter(label)["est"] == pytest.approx(truth[label], abs=0.03), label


def test_latent_sample_has_the_planted_covariance():
    data = lab.simulate_pathway_sample("party", 50_000, seed=4, source="latent")
    index = [LATENT_ORDER.index(v) for v in data.columns]
    expected = DEFAULT_WORLD.latent_covariance[np.ix_(index, index)]
    assert np.cov(data.to_numpy(), rowvar=False) == pytest.approx(expected, abs=0.03)


# ----------------------------------------------------------------------------- the lab
def test_summary_recounts_the_replications_by_hand():
    result = lab.run_lab("party", n=120, n_reps=6, n_boot=30, seed=8)
    reps = result.replications
    for label, group in reps.groupby("label"):
        excludes_zero = [(lo > 0 or hi < 0) for lo, hi in zip(group["bc.lower"], group["bc.upper"])]
        holds_truth = [lo <= t <= hi for lo, hi, t in zip(group["perc.lower"], group["perc.upper"], group["truth"])]
        assert result.effects.loc[label, "power_bc"] == pytest.approx(sum(excludes_zero) / 6)
        assert result.effects.loc[label, "coverage_perc"] == pytest.approx(sum(holds_truth) / 6)
        assert result.effects.loc[label, "bias"] == pytest.approx(group["est"].mean() - group["truth"].iloc[0])


def test_each_replication_can_be_repeated_alone_from_its_seeds():
    result = lab.run_lab("police", n=100, n_reps=3, n_boot=40, seed=21, labels=["ind2"])
    row = result.replications.iloc[1]
    data = lab.simulate_pathway_sample("police", 100, seed=int(row["data_seed"]))
    refit = sem.fit(lab.lab_syntax("police"), data, n_boot=40, seed=int(row["boot_seed"]))
    again = refit.bootstrap.intervals.set_index("label").loc["ind2"]
    assert again["bc.lower"] == pytest.approx(row["bc.lower"]) and again["perc.upper"] == pytest.approx(row["perc.upper"])
    second = lab.run_lab("police", n=100, n_reps=3, n_boot=40, seed=21, labels=["ind2"])
    pd.testing.assert_frame_equal(result.replications, second.replications)


def test_percentile_coverage_is_near_nominal_on_latent_data():
    """Theory: with a correct model and n = 300, 95 % percentile intervals of the total indirect
    effect hold the truth in about 95 % of samples (here within 3 Monte Carlo SE of 60 replications)."""
    result = lab.run_lab("party", n=300, n_reps=60, n_boot=100, seed=3, labels=["indirect"])
    coverage = result.effects.loc["indirect", "coverage_perc"]
    assert abs(coverage - 0.95) <= 3 * np.sqrt(0.95 * 0.05 / 60)
    assert result.effects.loc["indirect", "power_perc"] == 1.0  # the planted total indirect effect is large


def test_survey_source_reports_power_without_coverage():
    result = lab.run_lab("brand", n=200, n_reps=2, n_boot=20, seed=5, source="survey", labels=["ind1"])
    assert "coverage_perc" not in result.effects.columns and "truth" not in result.replications.columns
    assert set(result.replications["n_used"]) <= set(range(100, 201))


def test_power_curve_and_figure():
    import matplotlib

    matplotlib.use("Agg")
    curve = lab.power_curve("party", sizes=(60, 90), n_reps=2, n_boot=20, seed=1, labels=["ind1"])
    assert curve["n"].tolist() == [60, 90] and curve["effect"].tolist() == ["ind1", "ind1"]
    axes = plot_power_coverage(curve)
    assert len(axes[0].lines) >= 2
    with pytest.raises(KeyError, match="power_perc"):
        plot_power_coverage(curve.drop(columns="power_perc"))
    matplotlib.pyplot.close("all")


def test_widget_builds():
    box = lab_widget("brand", "items")
    assert type(box).__name__ == "VBox"


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, error, match", [
    ({"pathway": "family"}, KeyError, "family"),
    ({"source": "likert"}, ValueError, "source"),
    ({"n": 10}, ValueError, "n=10"),
    ({"n": 200.5}, ValueError, "n=200.5"),
    ({"n_reps": 1}, ValueError, "n_reps"),
    ({"n_boot": 5}, ValueError, "n_boot"),
    ({"seed": -1}, SeedError, "seed"),
    ({"seed": 1.5}, SeedError, "seed"),
    ({"seed": True}, SeedError, "seed"),
    ({"level": 1.5}, ValueError, "level"),
    ({"labels": ["ind9"]}, KeyError, "ind9"),
])
def test_run_lab_rejects_bad_arguments(kwargs, error, match):
    args = {"pathway": "party", "n": 100, "n_reps": 2, "n_boot": 20, "seed": 0, **kwargs}
    with pytest.raises(error, match=match):
        lab.run_lab(**args)


# ----------------------------------------------------------------------------- API 1.0
def test_counts_are_keyword_only_and_old_names_warn():
    with pytest.raises(TypeError):
        lab.run_lab("party", 100, 2, 20)  # positional counts were the pre-1.0 API
    with pytest.warns(ChaoyangDeprecationWarning, match="replications"):
        old = lab.run_lab("party", n=100, replications=2, draws=20, seed=4, labels=["ind1"])
    new = lab.run_lab("party", n=100, n_reps=2, n_boot=20, seed=4, labels=["ind1"])
    pd.testing.assert_frame_equal(old.replications, new.replications)
    with pytest.raises(ValueError, match="only n_reps"):
        lab.run_lab("party", n=100, n_reps=3, replications=2, n_boot=20, seed=4)
    with pytest.raises(TypeError, match="n_draws"):
        lab.run_lab("party", n=100, n_reps=2, n_boot=20, n_draws=5)


def test_lab_result_summary_frame_and_html():
    result = lab.run_lab("party", n=100, n_reps=2, n_boot=20, seed=4, labels=["ind1", "indirect"])
    assert result.summary().startswith("SEM Monte Carlo lab: pathway party")
    frame = result.to_frame()
    assert frame["effect"].tolist() == ["ind1", "indirect"]
    assert frame["power_perc"].tolist() == result.effects["power_perc"].tolist()
    assert "<table" in result._repr_html_()


def test_seed_none_records_its_entropy_so_the_run_can_be_repeated():
    first = lab.run_lab("party", n=100, n_reps=2, n_boot=20, labels=["ind1"])
    again = lab.run_lab("party", n=100, n_reps=2, n_boot=20, labels=["ind1"],
                        seed=np.random.SeedSequence(first.settings["seed_entropy"]))
    pd.testing.assert_frame_equal(first.replications, again.replications)
