"""The evolutionary game: equilibria and their stability against the hand-derived conditions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from chaoyang.plots.sim_game import plot_phase_portrait
from chaoyang.sim.game import MobilizationGame, corner_conditions, explain, sweep_game
from chaoyang.sim.parameters import ParameterError

FIELDS = ["value_emotional", "value_subsidy", "mobilization_cost", "subsidy_scheme_cost", "subsidy",
          "participation_cost", "safety_benefit", "ee_gain", "crowding"]


def _random_games(n, seed=0, with_police=False):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        values = rng.uniform(0, 6, size=len(FIELDS)).round(2)  # rounded: ties (zero eigenvalues) are possible
        yield MobilizationGame(**dict(zip(FIELDS, map(float, values))), with_police=with_police)


def test_jacobian_stability_matches_the_hand_derived_conditions():
    checked = 0
    for game in _random_games(400):
        table = game.equilibria()
        corners = table[table["kind"] == "corner"]
        conditions = corner_conditions(game)
        for _, row in corners.iterrows():
            if row["stability"] == "non-hyperbolic":
                continue  # the strict inequalities are all false there, and so is "stable"
            key = (int(row["x"]), int(row["y"]))
            assert (row["stability"] == "stable") == conditions[key], (game, key, row["eigenvalues"])
            checked += 1
    assert checked > 1000


def test_corner_eigenvalues_by_hand_at_the_defaults():
    """A = R_E - R_S + s = 5, K = C_E - C_S = 3; e + r - c = 1; s + r - c - k = 1.5."""
    game = MobilizationGame()
    table = game.equilibria().set_index(["x", "y"])
    expected = {(0.0, 0.0): (-3.0, 1.5), (1.0, 0.0): (3.0, 1.0), (0.0, 1.0): (2.0, -1.5), (1.0, 1.0): (-2.0, -1.0)}
    for corner, eig in expected.items():
        assert sorted(np.real(table.loc[corner, "eigenvalues"])) == sorted(eig)
    assert game.stable_corners() == [(1.0, 1.0)]


def test_analytic_jacobian_matches_finite_differences():
    h = 1e-6
    for game in _random_games(20, seed=1, with_police=True):
        state = np.array([0.3, 0.6, 0.45])
        J = game.jacobian(state)
        numeric = np.column_stack([(game.velocity(state + h * e) - game.velocity(state - h * e)) / (2 * h)
                                   for e in np.eye(3)])
        np.testing.assert_allclose(J, numeric, atol=1e-6)


def test_interior_point_and_its_type_by_hand():
    # e - s + k = 0 - 3 + 0.5 = -2.5 < 0 and A = 5 > 0: a centre at x* = (c + k - s - r)/(e - s + k), y* = K/A
    game = MobilizationGame(ee_gain=0.0)
    table = game.equilibria()
    interior = table[table["kind"] == "interior"]
    assert len(interior) == 1
    assert interior["x"].item() == pytest.approx((2 + 0.5 - 3 - 1) / (0 - 3 + 0.5))
    assert interior["y"].item() == pytest.approx(3 / 5)
    assert interior["stability"].item() == "centre"
    # A (e - s + k) > 0 makes it a saddle: e - s + k = 0 - 3 + 4 = 1, x* = (0.5 + 4 - 3 - 1) / 1 = 0.5
    game = MobilizationGame(ee_gain=0.0, crowding=4.0, participation_cost=0.5)
    interior = game.equilibria().query("kind == 'interior'")
    assert interior["x"].item() == pytest.approx(0.5)
    assert interior["stability"].item() == "saddle"


def test_trajectories_reach_the_stable_corner():
    game = MobilizationGame()
    end = game.simulate([0.2, 0.2], t_max=80).iloc[-1]
    assert end["government"] > 0.99 and end["residents"] > 0.99
    police = MobilizationGame(with_police=True)
    assert police.stable_corners() == [(1.0, 1.0, 1.0)]
    end = police.simulate([0.3, 0.3, 0.3], t_max=80).iloc[-1]
    assert min(end["government"], end["residents"], end["police"]) > 0.99


def test_high_subsidy_and_crowding_make_subsidy_with_participation_stable():
    # K = C_E - C_S large, A small: government sticks with subsidy; s + r > c + k: residents still participate
    game = MobilizationGame(mobilization_cost=9.0, value_emotional=8.0, subsidy=3.0, crowding=0.0)
    assert (0.0, 1.0) in game.stable_corners()


def test_sweep_game_over_subsidy():
    table = sweep_game(MobilizationGame(), "subsidy", [0.0, 3.0, 6.0])
    assert list(table.columns) == ["subsidy", "stable_corners", "government_long_run", "residents_long_run"]
    assert table["residents_long_run"].between(0, 1).all()


def test_explain_mentions_the_stable_profile_and_the_abm():
    import pandas as pd

    comparison = pd.DataFrame({"metric": ["participation_mean", "cost_per_prevented_incident"],
                               "emotional_mean": [0.4, 3000.0], "subsidy_mean": [0.3, 15000.0]})
    text = explain(MobilizationGame(), comparison)
    assert "(emotional, participate)" in text and "40%" in text and "15,000" in text


def test_phase_portrait_draws():
    ax = plot_phase_portrait(MobilizationGame(ee_gain=0.0))
    assert ax.get_xlim() == (0.0, 1.0)
    ax = plot_phase_portrait(MobilizationGame(with_police=True))
    assert "slice" in ax.get_title()


def test_bad_game_input():
    with pytest.raises(ParameterError, match=r"subsidy.*\[0, 1e\+06\]"):
        MobilizationGame(subsidy=-1.0)
    with pytest.raises(ParameterError, match="unknown game parameter 'subsidies'"):
        MobilizationGame().replace(subsidies=2.0)
    with pytest.raises(ParameterError, match="state must hold 2 shares"):
        MobilizationGame().velocity([0.5, 1.5])
