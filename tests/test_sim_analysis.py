"""Replicates, confidence intervals, the regime comparison, sensitivity analysis, manifests, bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from chaoyang import sim
from chaoyang.sim.analysis import spawn_seeds

SMALL = {"n_residents": 300, "steps": 40}


def test_each_replicate_has_its_own_seed_and_is_reproducible():
    result = sim.replicate("emotional", n_reps=3, seed=21, **SMALL)
    ledgers = [g.drop(columns="replicate").reset_index(drop=True) for _, g in result.ledgers.groupby("replicate")]
    assert not ledgers[0].equals(ledgers[1])
    children = np.random.SeedSequence(21).spawn(3)
    alone = sim.run("emotional", seed=children[2], **SMALL).ledger
    assert ledgers[2].equals(alone)
    seeds = result.manifest["seed"]["replicates"]
    assert len({tuple(s["spawn_key"]) for s in seeds}) == 3


def test_parallel_replicates_equal_serial_ones():
    serial = sim.replicate("subsidy", n_reps=2, seed=5, **SMALL)
    parallel = sim.replicate("subsidy", n_reps=2, seed=5, n_jobs=2, **SMALL)
    assert serial.runs.equals(parallel.runs)


def test_confidence_interval_is_the_student_t_interval():
    values = np.array([1.0, 2.5, 3.0, 4.5, 2.0])
    mean, low, high = sim.confidence_interval(values)
    ref = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert mean == pytest.approx(values.mean())
    assert (low, high) == pytest.approx(ref)


def test_summary_columns_and_cis_bracket_the_mean():
    result = sim.replicate("emotional", n_reps=4, seed=1, **SMALL)
    summary = result.to_frame().set_index("metric")
    assert (summary["ci_low"] <= summary["mean"]).all() and (summary["mean"] <= summary["ci_high"]).all()
    assert set(summary.index) == set(sim.METRICS)


def test_the_seed_claim_is_reproduced_as_a_result():
    """Emotional-commitment mobilization vs economic subsidy (paired replicates, 95% CIs).

    The dissertation reports that high willingness enhances the benefits of public and resident
    stakeholders compared with subsidy mobilization; the model must produce that, not assume it."""
    table = sim.compare_regimes(n_reps=8, seed=2024, n_residents=1000, steps=365).table.set_index("metric")
    public = ("prevented_total", "government_cost_total", "public_cost_total", "cost_per_prevented_incident")
    residents = ("participation_final", "emotional_energy_mean", "belonging_final", "resident_avoided_loss_total")
    for metric in public + residents:
        assert table.loc[metric, "favours"] == "emotional", (metric, table.loc[metric].to_dict())
    # honest counterpoints: only the subsidy pays residents, so their monetary balance favours it
    assert table.loc["resident_pay_total", "favours"] == "subsidy"
    assert table.loc["resident_net_benefit_total", "favours"] == "subsidy"


def test_the_cost_advantage_does_not_rest_on_crowding_out():
    table = sim.compare_regimes(n_reps=6, seed=7, n_residents=1000, steps=365, crowding_out=0.0).table.set_index(
        "metric")
    for metric in ("government_cost_total", "cost_per_prevented_incident", "emotional_energy_mean"):
        assert table.loc[metric, "favours"] == "emotional", metric


def test_sweep_uses_the_same_seeds_at_every_value():
    table = sim.sweep("ritual_rate", [0.0, 0.0], n_reps=2, seed=9, **SMALL).table
    a, b = table.iloc[:2].drop(columns="ritual_rate"), table.iloc[2:].drop(columns="ritual_rate")
    assert a.reset_index(drop=True).equals(b.reset_index(drop=True))


def test_ofat_ranks_a_strong_lever_above_an_inert_one():
    table = sim.ofat({"threshold_mean": (0.5, 2.0), "brand_cost_per_day": (0.0, 100.0)}, n_points=3, n_reps=2,
                     seed=1, **SMALL)
    ranges = table.importance
    assert ranges["brand_cost_per_day"] == pytest.approx(0.0, abs=1e-12)
    assert ranges["threshold_mean"] > 0.1


def test_sobol_finds_the_influential_parameter():
    table = sim.sobol({"threshold_mean": (0.5, 2.0), "brand_cost_per_day": (0.0, 100.0)}, n_base=16, seed=3,
                      n_residents=200, steps=20)
    table = table.table
    assert table.loc["brand_cost_per_day", "ST"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["threshold_mean", "ST"] > 0.8


def test_manifest_is_saved_with_results(tmp_path):
    result = sim.replicate("emotional", n_reps=2, seed=4, **SMALL)
    folder = result.save(tmp_path / "out")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["regime"] == "emotional" and manifest["n_reps"] == 2 and manifest["steps"] == 40
    assert manifest["params"]["ritual_rate"] == pytest.approx(2 / 7)
    assert {"mesa", "numpy", "pandas", "python"} <= set(manifest["versions"])
    assert manifest["versions"]["mesa"] == "3.3.1"
    runs = pd.read_csv(folder / "runs.csv")
    assert len(runs) == 2


def test_transfer_scenarios_run():
    scenarios = sim.transfer_scenarios()
    assert "type: rental" in scenarios and "police: no community officer" in scenarios
    for overrides in scenarios.values():
        sim.run("emotional", n_residents=100, steps=2, seed=1, **overrides)


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, pattern", [
    ({"regime": "market"}, r"unknown regime 'market'; valid regimes: 'emotional', 'subsidy', 'none'"),
    ({"ritual_rate": -0.1}, r"'ritual_rate' = -0.1 is out of range; valid range: \[0, 1\]"),
    ({"brand_media_reach": 1.5}, r"'brand_media_reach' = 1.5 is out of range; valid range: \[0, 1\]"),
    ({"ee_decay": float("nan")}, r"'ee_decay' = nan is out of range"),
    ({"police_patrol_hours": 25}, r"'police_patrol_hours' = 25 is out of range; valid range: \[0, 24\]"),
    ({"officers_per_community": 1.5}, r"'officers_per_community' = 1.5 must be a whole number"),
    ({"ritual_rate": "often"}, r"'ritual_rate' must be a number, got 'often'"),
    ({"rituals": 1}, r"'rituals' must be True or False"),
    ({"network": "lattice"}, r"'network' = 'lattice' is not valid; valid values: one of 'small_world'"),
    ({"ritual_rates": 0.3}, r"unknown parameter 'ritual_rates'; did you mean 'ritual_rate'"),
    ({"n_residents": 0}, r"n_residents=0 is out of range: use at least 10"),
    ({"n_residents": 1}, r"n_residents=1 is out of range: use at least 10"),
    ({"n_residents": -5}, r"n_residents=-5 is out of range: use at least 10"),
    ({"n_residents": 50.0}, r"n_residents=50.0 must be a whole number of at least 10"),
    ({"steps": 0}, r"steps=0 is out of range: use at least 1 and at most 36,500"),
    ({"steps": 10**9}, r"steps=1,000,000,000 is out of range: use at least 1 and at most 36,500"),
    ({"steps": True}, r"steps=True must be a whole number"),
    ({"subsidy_start_step": 10, "subsidy_stop_step": 5}, r"'subsidy_stop_step' = 5 is before subsidy_start_step"),
])
def test_bad_input_names_the_parameter_and_its_range(kwargs, pattern):
    arguments = {"regime": "emotional", "n_residents": 50, "steps": 2, **kwargs}
    regime = arguments.pop("regime")
    with pytest.raises(sim.ParameterError, match=pattern):
        sim.run(regime, **arguments)


def test_parameter_error_is_a_value_error():
    assert issubclass(sim.ParameterError, ValueError)


def test_bad_analysis_input():
    with pytest.raises(sim.ParameterError, match="n_reps must be a whole number >= 1"):
        spawn_seeds(1, 0)
    with pytest.raises(sim.ParameterError, match="unknown outcome 'happiness'"):
        sim.ofat({"ritual_rate": (0, 1)}, outcome="happiness")
    with pytest.raises(sim.ParameterError, match="n_base must be a power of 2"):
        sim.sobol({"ritual_rate": (0.0, 1.0)}, n_base=10)
    with pytest.raises(sim.ParameterError, match="'ritual_rate' = 2.0 is out of range"):
        sim.sobol({"ritual_rate": (0.0, 2.0)}, n_base=4)
    with pytest.raises(sim.ParameterError, match="'ritual_rate' = 3 is out of range"):
        sim.sweep("ritual_rate", [0.1, 3], n_reps=1)
    with pytest.raises(sim.ParameterError, match="regimes must be two different regimes"):
        sim.compare_regimes(("emotional", "emotional"), n_reps=1)


def test_parameter_table_lists_every_parameter():
    table = sim.parameter_table()
    assert set(table.index) == set(sim.PARAMETERS)
    assert table.loc["crowding_out", "range"] == "[0, 10]"


def test_regime_specific_parameters_reach_only_their_regime():
    table = sim.compare_regimes(n_reps=2, seed=3, n_residents=200, steps=20,
                                regime_params={"subsidy": {"pay_per_hour": 5.0}})
    results = table.results
    assert results["emotional"].runs["resident_pay_total"].eq(0).all()
    assert results["subsidy"].manifest["params"]["pay_per_hour"] == 5.0
    assert results["emotional"].manifest["params"]["pay_per_hour"] == 0.0
    with pytest.raises(sim.ParameterError, match="not among the compared regimes"):
        sim.compare_regimes(n_reps=1, regime_params={"none": {}})
    with pytest.raises(sim.ParameterError, match="given both for all regimes and for 'subsidy'"):
        sim.compare_regimes(n_reps=1, pay_per_hour=1.0, regime_params={"subsidy": {"pay_per_hour": 2.0}})


def test_every_analysis_takes_n_jobs_and_backend_alike():
    """One knob style (issue #20): every analysis that runs the model takes n_jobs=1 and backend="loky"."""
    import inspect

    for function in (sim.replicate, sim.compare_regimes, sim.sweep, sim.ofat, sim.sobol, sim.hysteresis):
        parameters = inspect.signature(function).parameters
        assert parameters["n_jobs"].default == 1, function.__name__
        assert parameters["backend"].default == "loky", function.__name__
        assert parameters["backend"].kind is inspect.Parameter.KEYWORD_ONLY, function.__name__


def test_dask_runs_are_not_counted_against_this_machines_memory(monkeypatch):
    """With backend="dask" the runs happen on the workers: only the kept ledgers count here."""
    from chaoyang.sim import analysis, limits

    seen = {}

    def spy(n_residents, steps, **kwargs):
        seen.update(kwargs)
        return n_residents, steps

    monkeypatch.setattr(analysis, "check_run_size", spy)
    monkeypatch.setattr(analysis, "check_backend", lambda backend: backend)
    analysis._check_request("emotional", 100, 5, 4, 2, 1, "sim.replicate", backend="dask")
    assert seen["n_jobs"] == 1
    analysis._check_request("emotional", 100, 5, 4, 2, 1, "sim.replicate", backend="loky")
    assert seen["n_jobs"] == 2
    assert limits.estimate_bytes(100, 5, n_reps=4, n_jobs=2) > limits.estimate_bytes(100, 5, n_reps=4, n_jobs=1)
