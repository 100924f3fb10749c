"""The Chaoyang agent-based model: discovery smoke test, planted paths, determinism, mechanisms, ledger."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import mesa
import numpy as np
import pandas as pd
import pytest

import chaoyang.sim
from chaoyang import sim
from chaoyang.sim.agents import ritual_ingredients
from chaoyang.sim.model import ChaoyangModel
from chaoyang.world import DEFAULT_WORLD, LATENT_ORDER

SMALL = {"n_residents": 400}


# ---------------------------------------------------------------------------- discovery (mesa-examples style)
def _model_classes():
    classes = set()
    for info in pkgutil.iter_modules(chaoyang.sim.__path__):
        if info.name == "explorer":  # needs ipywidgets; holds no Model
            continue
        module = importlib.import_module(f"chaoyang.sim.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, mesa.Model) and obj is not mesa.Model and obj.__module__.startswith("chaoyang.sim"):
                classes.add(obj)
    return sorted(classes, key=lambda c: c.__name__)


def test_discovery_finds_the_models():
    names = [c.__name__ for c in _model_classes()]
    assert names == ["ChaoyangModel", "DistrictModel", "GranovetterModel"]


@pytest.mark.parametrize("model_class", _model_classes(), ids=lambda c: c.__name__)
def test_every_model_runs_a_few_steps_with_defaults(model_class):
    model = model_class(seed=1)
    for _ in range(3):
        model.step()
    assert model.steps == 3
    assert len(model.agents) > 0
    ledger = model.ledger()
    assert len(ledger) == 3 and ledger["participation_rate"].between(0, 1).all()


def test_mesa3_structure():
    model = ChaoyangModel("emotional", 300, seed=2, community_size=100)
    assert len(model.residents) == 300
    assert len(model.party_organizations) == 3
    assert len(model.officers) == 3
    resident = model.residents[5]
    assert resident.index == 5 and resident.cell.coordinate == 5
    # a resident's network neighbours are in its own community
    neighbours = [a.index for cell in resident.cell.neighborhood for a in cell.agents]
    assert neighbours and all(model.community[i] == model.community[5] for i in neighbours)
    assert resident.willingness == model.latent["WIL"][5]


# ---------------------------------------------------------------------------- the planted paths
def test_initial_willingness_recovers_the_planted_paths():
    """OLS of willingness on the other eight constructs gives the world's planted coefficients.

    The configurational boost is orthogonal to the linear paths by construction of the world, so the
    coefficients hold with it switched on."""
    model = ChaoyangModel("none", 40_000, seed=3, network="complete", warm_start=False)
    X = np.column_stack([np.ones(model.n_residents)] + [model.latent[k] for k in LATENT_ORDER[:-1]])
    coef, *_ = np.linalg.lstsq(X, model.latent["WIL"], rcond=None)
    for j, source in enumerate(LATENT_ORDER[:-1]):
        assert coef[j + 1] == pytest.approx(DEFAULT_WORLD.path(source, "WIL"), abs=0.02), source


def test_a_cohesion_shift_moves_willingness_by_the_total_effect():
    """Total effect of COH on WIL from the planted paths, by hand:
    0.06 + 0.55*0.20 (BEL) + 0.30*0.18 (EE) + 0.25*0.22 (RES) = 0.279."""
    base = ChaoyangModel("none", 2000, seed=4, configurations=False, warm_start=False)
    shifted = ChaoyangModel("none", 2000, seed=4, configurations=False, warm_start=False, solidarity_shift=0.5)
    diff = shifted.latent["WIL"] - base.latent["WIL"]
    np.testing.assert_allclose(diff, 0.279 * 0.5, atol=1e-12)
    np.testing.assert_allclose(shifted.latent["BEL"] - base.latent["BEL"], 0.55 * 0.5, atol=1e-12)


def test_mediators_follow_their_drivers_when_police_engage():
    ledger = sim.run("emotional", steps=60, seed=5, rituals=False, brand=False, **SMALL).ledger
    assert ledger["closeness_mean"].iloc[-1] > ledger["closeness_mean"].iloc[0] + 0.05
    assert ledger["belonging_mean"].iloc[-1] == pytest.approx(ledger["belonging_mean"].iloc[0], abs=1e-12)
    assert ledger["brand_identity_mean"].iloc[-1] == pytest.approx(ledger["brand_identity_mean"].iloc[0], abs=1e-12)


# ---------------------------------------------------------------------------- determinism
def test_same_seed_same_ledger_to_the_bit():
    a = sim.run("emotional", steps=50, seed=11, **SMALL).ledger
    b = sim.run("emotional", steps=50, seed=11, **SMALL).ledger
    assert a.equals(b)
    assert np.array_equal(a.to_numpy(dtype=float), b.to_numpy(dtype=float), equal_nan=True)
    c = sim.run("emotional", steps=50, seed=12, **SMALL).ledger
    assert not a.equals(c)


def test_seed_none_is_recorded_and_replayable():
    first = sim.run("subsidy", steps=20, seed=None, **SMALL)
    seed = first.manifest["seed"]
    again = sim.run("subsidy", steps=20, seed=np.random.SeedSequence(seed["entropy"], spawn_key=seed["spawn_key"]),
                    **SMALL)
    assert first.ledger.equals(again.ledger)
    # the manifest is the result's, so pandas operations on the ledger cannot lose it
    assert first.manifest["params"] == again.manifest["params"]


# ---------------------------------------------------------------------------- mechanisms
def test_ritual_score_is_the_product_of_collins_ingredients():
    p = {"ritual_target_size": 10, "ritual_barrier": 0.5, "ritual_focus": 0.8}
    # five attendees of emotional energy 0: shared mood = mean sigmoid(0) = 0.5, mood_sum = 2.5
    out = ritual_ingredients(5, 5 * 0.5, p)
    assert out["score"] == pytest.approx(0.5 * 0.5 * 0.8 * 0.5)
    assert ritual_ingredients(0, 0.0, p)["score"] == 0.0
    assert ritual_ingredients(50, 25.0, {**p, "ritual_barrier": 0.0})["score"] == 0.0


def test_emotional_energy_decays_geometrically_without_rituals():
    model = ChaoyangModel("emotional", 400, seed=6)
    model.run(60)
    before = model.ee_ritual.copy()
    assert before.mean() > 0
    model.p["rituals"] = False
    model.run(40)
    np.testing.assert_allclose(model.ee_ritual, before * (1 - model.p["ee_decay"]) ** 40, rtol=1e-12)


def _mean_last(regime, column, seeds, steps=120, **params):
    return np.mean([sim.run(regime, steps=steps, seed=s, **SMALL, **params).ledger[column].iloc[-10:].mean() for s in seeds])


def test_more_police_presence_never_lowers_mean_closeness():
    seeds = range(4)
    values = [_mean_last("emotional", "closeness_mean", seeds, police_patrol_hours=h, rituals=False, brand=False)
              for h in (0.0, 2.0, 4.0, 8.0)]
    assert all(b >= a for a, b in zip(values, values[1:])), values
    assert values[-1] > values[0] + 0.1


def test_more_rituals_raise_emotional_energy():
    seeds = range(4)
    values = [_mean_last("emotional", "emotional_energy_mean", seeds, ritual_rate=r, police_engagement=False,
                         brand=False) for r in (0.0, 0.2, 0.6)]
    assert values[0] < values[1] < values[2], values


def test_more_brand_reach_raises_brand_identity():
    seeds = range(4)
    values = [_mean_last("emotional", "brand_identity_mean", seeds, brand_media_reach=r, rituals=False,
                         police_engagement=False) for r in (0.0, 0.02, 0.05)]
    assert values[0] < values[1] < values[2], values


def test_pay_raises_participation_under_the_subsidy():
    seeds = range(3)
    values = [_mean_last("subsidy", "participation_rate", seeds, steps=40, pay_per_hour=pay, crowding_out=0.0)
              for pay in (0.0, 20.0, 40.0)]
    assert values[0] < values[1] < values[2], values


def test_more_guardianship_efficacy_means_fewer_expected_incidents():
    seeds = range(3)
    values = [_mean_last("emotional", "expected_incidents", seeds, steps=40, resident_guardianship_efficacy=k)
              for k in (0.0, 8.0, 16.0)]
    assert values[0] > values[1] > values[2], values


def test_stronger_crowding_out_never_raises_post_withdrawal_participation():
    table = sim.hysteresis((0.0, 0.5, 1.0, 2.0), stop_step=90, steps=180, n_reps=4, seed=7, n_residents=400).table
    after = table["after"].to_numpy()
    assert all(b <= a for a, b in zip(after, after[1:])), after
    assert after[-1] < after[0]
    # with crowding out, the withdrawn subsidy leaves participation below the status quo it found
    assert table.loc[table["crowding_out"] == 2.0, "hysteresis"].item() < 0


def test_granovetter_social_term_spreads_participation_in_the_network():
    """With the social term off, participation cannot exceed those whose own motivation passes."""
    on = _mean_last("none", "participation_rate", range(3), steps=30, social_weight=1.0)
    off = _mean_last("none", "participation_rate", range(3), steps=30, social_weight=0.0)
    assert on > off


def test_subsidy_withdrawal_stops_payments():
    ledger = sim.run("subsidy", steps=60, seed=8, subsidy_stop_step=30, **SMALL).ledger
    paid = ledger.set_index("step")["subsidy_paid"]
    assert (paid.loc[1:30] > 0).all() and (paid.loc[31:] == 0).all()
    assert ledger.loc[ledger["step"] == 31, "subsidy_active"].item() == 0


# ---------------------------------------------------------------------------- the ledger
def test_ledger_has_one_row_per_step_and_every_column():
    ledger = sim.run("emotional", steps=25, seed=9, **SMALL).ledger
    assert list(ledger.columns) == list(sim.LEDGER_COLUMNS)
    assert ledger["step"].tolist() == list(range(1, 26))
    assert not ledger.drop(columns="cost_per_prevented_incident").isna().any().any()


def test_ledger_accounting_identities():
    p = sim.PARAMETERS
    for regime in ("emotional", "subsidy"):
        model = ChaoyangModel(regime, 400, seed=10)
        ledger = model.run(40)
        np.testing.assert_allclose(ledger["public_cost"], ledger["government_cost"] + ledger["police_cost"])
        np.testing.assert_allclose(ledger["police_cost"], ledger["police_hours"] * p["officer_hour_cost"].default)
        np.testing.assert_allclose(ledger["resident_net_benefit"], ledger["prevented_incidents"] * 2000.0
                                   + ledger["subsidy_paid"] - ledger["resident_hours"] * 20.0)
        np.testing.assert_allclose(ledger["resident_hours"], ledger["participation_rate"] * 400 * 0.5)
        if regime == "emotional":
            expected = ledger["rituals"] * 600.0 + model.n_communities * 30.0
            np.testing.assert_allclose(ledger["government_cost"], expected)
            assert (ledger["subsidy_paid"] == 0).all()
        else:
            np.testing.assert_allclose(ledger["government_cost"], ledger["subsidy_paid"] * 1.1)
            # pay = 20 yuan per hour + 50 per tip
            np.testing.assert_allclose(ledger["subsidy_paid"], ledger["resident_hours"] * 20 + ledger["tips"] * 50)


def test_incidents_follow_the_expected_rate():
    """Poisson incidents: over many days, observed totals match the expected totals."""
    ledger = sim.run("none", n_residents=4000, steps=365, seed=13).ledger
    expected = ledger["expected_incidents"].sum()
    assert abs(ledger["incidents"].sum() - expected) < 4 * np.sqrt(expected)


def test_run_does_not_modify_caller_thresholds():
    thresholds = np.linspace(0, 1, 50)
    copy = thresholds.copy()
    sim.run("none", n_residents=50, steps=3, seed=1, thresholds=thresholds, network="complete", community_size=50)
    assert np.array_equal(thresholds, copy)


def test_resident_table():
    model = ChaoyangModel("emotional", 300, seed=1)
    table = model.resident_table()
    assert isinstance(table, pd.DataFrame) and len(table) == 300
    assert set(LATENT_ORDER) <= set(table.columns)
