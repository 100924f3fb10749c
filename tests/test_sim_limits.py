"""Size guards, the memory estimate, progress, seeds and the API of the simulation's result objects."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

from chaoyang import sim
from chaoyang._resources import available_memory, check_memory
from chaoyang.errors import ChaoyangError, SeedError, SizeError
from chaoyang.sim import limits


# ---------------------------------------------------------------------------- memory
def test_memory_estimate_is_within_its_stated_factor_of_a_measured_run():
    """tracemalloc peak of a run vs estimate_bytes, after a warm-up run (imports and caches)."""
    sim.run("emotional", n_residents=100, steps=3, seed=1)
    for n, steps in ((6000, 5), (300, 1500)):
        tracemalloc.start()
        sim.run("emotional", n_residents=n, steps=steps, seed=1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        ratio = limits.estimate_bytes(n, steps) / peak
        assert 1 / limits.ESTIMATE_FACTOR <= ratio <= limits.ESTIMATE_FACTOR, (n, steps, ratio)


def test_ten_million_residents_are_refused_before_any_work():
    """n_residents=10**7 used to run a minute and die of memory; now SizeError at once."""
    with pytest.raises(SizeError, match=r"needs about 27,\d{3} MB of memory, but only 1,000 MB is available") as info:
        limits.check_run_size(10**7, 365, available=10**9)
    assert "use fewer residents" in str(info.value)
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ChaoyangError)
    if available_memory() is not None and available_memory() < limits.estimate_bytes(10**7, 365):
        with pytest.raises(SizeError, match="sim.run\\(n_residents=10,000,000, steps=365\\)"):
            sim.run(n_residents=10**7, steps=365)


def test_replicates_count_every_kept_ledger_and_parallel_job():
    one = limits.estimate_bytes(2000, 365)
    assert limits.estimate_bytes(2000, 365, n_reps=30) == pytest.approx(one + 29 * 500 * 365)
    assert limits.estimate_bytes(2000, 365, n_reps=30, n_jobs=2) > limits.estimate_bytes(2000, 365, n_reps=30)
    with pytest.raises(SizeError, match="n_reps=1,000"):
        limits.check_run_size(2000, 365, n_reps=1000, where="sim.replicate", available=10**8)


def test_check_memory_passes_when_it_fits_or_is_unknown():
    check_memory(10**6, "x", "y", available=10**7)
    check_memory(10**6, "x", "y", available=None)  # only refuses what it can measure or is told


def test_steps_are_capped_and_the_cap_is_stated():
    with pytest.raises(sim.ParameterError, match=r"steps=1,000,000,000 is out of range: use at least 1 and at most "
                                                 r"36,500 \(days; a century\)"):
        sim.run(steps=10**9)
    assert sim.MAX_STEPS == 36_500


# ---------------------------------------------------------------------------- small sizes and seeds
def test_one_resident_is_refused_with_the_minimum_stated():
    with pytest.raises(sim.ParameterError, match="n_residents=1 is out of range: use at least 10"):
        sim.run(n_residents=1, steps=5)


def test_the_smallest_allowed_run_gives_defined_costs():
    result = sim.run("emotional", n_residents=sim.MIN_RESIDENTS, steps=365, seed=3)
    metrics = result.metrics()
    for name, value in metrics.items():
        assert np.isfinite(value), name
    assert "undefined" not in result.summary().splitlines()[-1]


@pytest.mark.parametrize("seed", [True, False, 1.5, "1", -1, [1]])
def test_bad_seeds_raise_seed_error(seed):
    with pytest.raises(SeedError):
        sim.run(n_residents=20, steps=2, seed=seed)
    with pytest.raises(SeedError):
        sim.replicate(n_reps=2, n_residents=20, steps=2, seed=seed)


def test_numpy_integer_seed_is_the_int_seed():
    a = sim.run(n_residents=20, steps=5, seed=np.int64(4)).ledger
    b = sim.run(n_residents=20, steps=5, seed=4).ledger
    assert a.equals(b)


def test_sobol_seed_defaults_to_none_and_is_recorded():
    ranges = {"threshold_mean": (0.5, 2.0), "brand_cost_per_day": (0.0, 100.0)}
    first = sim.sobol(ranges, n_base=4, n_residents=20, steps=3)
    again = sim.sobol(ranges, n_base=4, n_residents=20, steps=3, seed=np.random.SeedSequence(first.seed_entropy))
    assert first.table.equals(again.table)


# ---------------------------------------------------------------------------- progress
def test_progress_bar_on_request_and_automatic_only_for_long_runs(capsys):
    sim.run(n_residents=20, steps=3, seed=1, progress=True)
    assert "chaoyang.sim emotional" in capsys.readouterr().err
    sim.run(n_residents=20, steps=3, seed=1)
    assert capsys.readouterr().err == ""
    assert limits.show_progress(None, 2000, 365) is False
    assert limits.show_progress(None, 9000, 1000) is True
    with pytest.raises(sim.ParameterError, match="progress='yes' must be None"):
        sim.run(n_residents=20, steps=3, progress="yes")


# ---------------------------------------------------------------------------- result objects
def test_run_returns_a_result_with_ledger_manifest_summary_and_html():
    result = sim.run("subsidy", n_residents=50, steps=10, seed=2)
    assert isinstance(result, sim.SimResult)
    assert list(result.ledger.columns) == list(sim.LEDGER_COLUMNS)
    frame = result.to_frame()
    frame["participation_rate"] = -1.0  # a copy: the result keeps its ledger
    assert (result.ledger["participation_rate"] >= 0).all()
    assert result.manifest["regime"] == "subsidy" and result.manifest["seed"]["entropy"] == 2
    assert result.ledger.head().attrs == {}  # nothing rides on DataFrame.attrs any more
    summary = result.summary()
    assert summary.startswith("Chaoyang model, regime 'subsidy': 50 residents x 10 days")
    assert "participation_mean" in summary and "<table" in result._repr_html_()
    with pytest.raises(TypeError, match=r"result.ledger\['participation_rate'\]"):
        result["participation_rate"]


def test_every_analysis_result_has_summary_and_frame():
    small = {"n_residents": 30, "steps": 5, "seed": 1}
    results = [sim.replicate(n_reps=2, **small), sim.compare_regimes(n_reps=2, **small),
               sim.sweep("ritual_rate", [0.0, 0.5], n_reps=2, **small),
               sim.ofat({"ritual_rate": (0.0, 0.5)}, n_points=2, n_reps=2, **small),
               sim.hysteresis((0.0, 1.0), stop_step=2, steps=4, window=2, n_reps=2, n_residents=30, seed=1)]
    for result in results:
        assert isinstance(result.summary(), str) and result.summary()
        assert isinstance(result.to_frame(), pd.DataFrame) and len(result.to_frame())
        assert "<table" in result._repr_html_()


def test_level_sets_the_interval_width():
    narrow = sim.replicate(n_reps=4, n_residents=30, steps=5, seed=1, level=0.5).table.set_index("metric")
    wide = sim.replicate(n_reps=4, n_residents=30, steps=5, seed=1, level=0.99).table.set_index("metric")
    m = "participation_mean"
    assert wide.loc[m, "ci_high"] - wide.loc[m, "ci_low"] > narrow.loc[m, "ci_high"] - narrow.loc[m, "ci_low"]
    with pytest.raises(Exception, match="level=95 must be a confidence level strictly between 0 and 1"):
        sim.replicate(n_reps=2, n_residents=30, steps=5, level=95)


def test_unknown_scenario_is_a_named_key_error():
    with pytest.raises(sim.ScenarioError, match="unknown scenario 'type: villa'; known scenarios: 'Chaoyang"):
        sim.transfer_scenarios()["type: villa"]
    assert issubclass(sim.ScenarioError, KeyError) and issubclass(sim.ScenarioError, ChaoyangError)


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        sim.run("emotional", 100)  # noqa
    with pytest.raises(TypeError):
        sim.replicate("emotional", 3)  # noqa


def test_no_warning_on_a_plain_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.run(n_residents=20, steps=2, seed=1)
