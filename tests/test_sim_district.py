"""The 1:1 district scenario: lean engine = standard engine, sourced structure, memory guard, stored study."""

from __future__ import annotations

import json
import math
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang import sim
from chaoyang.errors import ChaoyangError, SeedError, SizeError
from chaoyang.sim import district, limits
from chaoyang.sim.district import DistrictModel, run_district, subdistricts
from chaoyang.sim.model import ChaoyangModel

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "benchmarks" / "results" / "district.json"


# ---------------------------------------------------------------------------- one rule, two engines
@pytest.mark.parametrize("regime", sorted(sim.REGIMES))
@pytest.mark.parametrize("network", ["small_world", "grid", "complete"])
def test_lean_engine_gives_the_standard_ledger_to_the_bit(regime, network):
    params = {"network": network, "community_size": 150}
    standard = ChaoyangModel(regime, 700, seed=8, **params)
    lean = DistrictModel(regime, 700, seed=8, **params)
    pd.testing.assert_frame_equal(standard.run(40), lean.run(40), check_exact=True)
    if network != "complete":
        assert (standard.adjacency != lean.adjacency).nnz == 0
    assert lean.residents is None and lean.space is None  # no per-resident mesa objects
    assert len(lean.agents) == len(standard.agents) - 700


def test_lean_engine_stores_the_network_as_int32_csr():
    model = DistrictModel("emotional", 2000, seed=1, community_size=500)
    assert model.adjacency.format == "csr" and model.adjacency.indices.dtype == np.int32
    assert np.array_equal(model.degree, np.asarray(model.adjacency.sum(axis=1)).ravel())
    # edges stay inside communities
    rows, cols = model.adjacency.nonzero()
    assert np.array_equal(model.community[rows], model.community[cols])


# ---------------------------------------------------------------------------- structure
def test_subdistricts_match_the_census_counts_and_population():
    table = subdistricts()
    assert len(table) == 43 and int(table["population"].sum()) == district.POPULATION_2020 == 3_452_460
    for count, low, high in district.SUBDISTRICT_BINS:
        in_bin = table[(table["population"] >= low) & (table["population"] < high)]
        assert len(in_bin) == count, (low, high)
    assert int(table["communities"].sum()) == math.ceil(3_452_460 / district.COMMUNITY_SIZE) == 432
    assert (table["communities"] >= 1).all()


@pytest.mark.parametrize("scale", [0.002, 0.05, 0.3])
def test_subdistricts_scale_down_and_still_sum(scale):
    table = subdistricts(scale)
    n = round(scale * district.POPULATION_2020)
    assert int(table["population"].sum()) == n
    assert int(table["communities"].sum()) == math.ceil(n / district.COMMUNITY_SIZE)


def test_district_run_tables_add_up_to_the_ledger():
    result = run_district(scale=0.01, steps=20, seed=4)
    n = result.manifest["n_residents"]
    assert n == round(0.01 * 3_452_460) and result.manifest["n_communities"] == len(result.communities)
    communities = result.communities
    assert int(communities["residents"].sum()) == n
    last = float(result.ledger["participation_rate"].iloc[-1])
    assert float((communities["participation"] * communities["residents"]).sum() / n) == pytest.approx(last, abs=1e-12)
    table = result.subdistricts.dropna(subset=["participation"])
    covered = table["subdistrict"].isin(communities["subdistrict"])
    assert covered.all() and set(communities["subdistrict"]) <= set(result.subdistricts["subdistrict"])
    assert "Chaoyang district, regime 'emotional'" in result.summary()
    assert list(result.to_frame().columns) == list(sim.LEDGER_COLUMNS)


# ---------------------------------------------------------------------------- memory and refusal
def test_all_of_chaoyang_is_refused_with_the_estimate_when_memory_is_short(monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the model was built before the memory check")

    monkeypatch.setattr(district.DistrictModel, "__init__", no_work)
    with pytest.raises(SizeError, match=r"sim.run_district\(n_residents=3,452,460, steps=365\) needs about "
                                        r"2,4\d\d MB of memory, but only 1,000 MB is available") as info:
        run_district(scale=1.0, available=10**9)
    assert "smaller scale" in str(info.value) and isinstance(info.value, MemoryError)


def test_lean_estimate_is_within_its_factor_of_a_measured_run():
    run_district(scale=0.002, steps=2, seed=1, progress=False)  # imports and caches first
    n = 60_000
    tracemalloc.start()
    run_district(scale=n / district.POPULATION_2020, steps=3, seed=1, progress=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _, _, estimate = limits.check_district_size(n, 3, available=10**12)
    assert 1 / limits.ESTIMATE_FACTOR <= estimate / peak <= limits.ESTIMATE_FACTOR
    # and the lean engine needs far less than the standard one per resident
    assert limits.BYTES_PER_RESIDENT_LEAN * 3 < limits.BYTES_PER_RESIDENT


def test_progress_bar_on_request(capsys):
    run_district(scale=0.002, steps=2, seed=1, progress=True)
    assert "chaoyang.sim emotional" in capsys.readouterr().err


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("scale", [0, -0.5, math.nan, math.inf, 11, True, "1", None, [1]])
def test_bad_scales_are_named(scale):
    with pytest.raises(sim.ParameterError, match="scale=.* must be a number greater than 0 and at most 10"):
        run_district(scale=scale, steps=2, seed=1)


@pytest.mark.parametrize("seed", [True, 1.5, "1", -3])
def test_bad_seeds_are_named(seed):
    with pytest.raises(SeedError):
        run_district(scale=0.002, steps=2, seed=seed)


@pytest.mark.parametrize("kwargs, match", [
    ({"regime": "martial"}, "unknown regime 'martial'"),
    ({"steps": 0}, "steps=0 is out of range"),
    ({"steps": 2.5}, "steps=2.5 must be a whole number"),
    ({"ritual_rate": math.nan}, "'ritual_rate' = nan is out of range"),
    ({"community_size": 1}, "'community_size' = 1 is out of range"),
    ({"ritual_rat": 0.1}, "unknown parameter 'ritual_rat'"),
    ({"scale": 1e-7}, "n_residents=0 is out of range: use at least 10"),
])
def test_bad_arguments_are_named_before_any_work(kwargs, match):
    kwargs = {"scale": 0.002, "steps": 2, "seed": 1, **kwargs}
    regime = kwargs.pop("regime", "emotional")
    with pytest.raises(ChaoyangError, match=match):
        run_district(regime, **kwargs)


# ---------------------------------------------------------------------------- the stored 1:1 study
@pytest.fixture(scope="module")
def study():
    assert STUDY.is_file(), "run `make district` to produce benchmarks/results/district.json"
    return json.loads(STUDY.read_text(encoding="utf-8"))


def test_stored_study_matches_the_current_code(study):
    """The small district run stored with the study is recomputed by today's code: same numbers."""
    sanity = study["sanity"]
    fresh = run_district(scale=sanity["scale"], steps=sanity["steps"], seed=sanity["seed"], progress=False).metrics()
    stale = "benchmarks/results/district.json was made by other code: run `make district` and commit the file"
    assert set(fresh) == set(sanity["metrics"]), stale
    for name, value in fresh.items():
        assert value == pytest.approx(sanity["metrics"][name], rel=1e-9, abs=1e-12), f"{name}: {stale}"
    assert study["provenance"]["versions"]["chaoyang"] == sim.scenarios._versions()["chaoyang"]


def test_stored_study_is_the_whole_district_within_the_memory_target(study):
    big = study["district"]
    assert big["scale"] == 1.0 and big["n_residents"] == 3_452_460 and big["n_communities"] == 432
    assert len(big["daily_participation"]) == 365
    assert big["max_rss_mb"] < 12_000  # the target, measured by the run (peak resident set)
    assert big["max_rss_mb"] / limits.ESTIMATE_FACTOR <= big["memory_estimate_mb"]
    # the stored series and the stored metrics agree (the series is rounded to 6 decimals)
    assert np.mean(big["daily_participation"][-30:]) == pytest.approx(big["metrics"]["participation_final"], abs=1e-6)
    assert np.mean(big["daily_participation"]) == pytest.approx(big["metrics"]["participation_mean"], abs=1e-6)
