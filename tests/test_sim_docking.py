"""Docking: with every mechanism off, the Chaoyang model is Granovetter's (1978) threshold model.

References are closed forms: for thresholds with distribution F (shares of the group), the cascade
that starts from nobody settles at the smallest fixed point of r = F(r).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from chaoyang import sim


def test_uniform_thresholds_cascade_to_everyone():
    n = 100
    path = sim.granovetter_cascade(np.arange(n) / n)
    assert path.iloc[-1] == 1.0
    # one more actor per step: 0, 1/N, 2/N, ..., 1
    np.testing.assert_allclose(path.to_numpy()[: n + 1], np.arange(n + 1) / n)


def test_removing_the_threshold_one_agent_stops_the_cascade_at_one():
    n = 100
    thresholds = np.arange(n) / n
    thresholds[1] = 2 / n  # Granovetter's example: the agent with threshold 1 now has threshold 2
    path = sim.granovetter_cascade(thresholds)
    assert path.iloc[-1] == pytest.approx(1 / n)
    assert sim.granovetter_equilibrium(thresholds) == pytest.approx(1 / n)


def test_docking_through_the_full_model_entry_point():
    """The same cascade through sim.run with the mechanisms switched off by parameters."""
    n = 60
    ledger = sim.run("none", n_residents=n, steps=n + 5, seed=3, thresholds=np.arange(n) / n, network="complete",
                     community_size=n, intrinsic_weight=0.0, social_weight=1.0, warm_start=False).ledger
    assert ledger["participation_rate"].iloc[-1] == 1.0
    assert ledger["participation_rate"].iloc[0] == pytest.approx(1 / n)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=40))
def test_cascade_settles_at_the_smallest_fixed_point(counts):
    """Random thresholds (as counts of other actors): the simulated end state equals the closed form."""
    n = len(counts)
    thresholds = np.array(counts, dtype=float) / n
    simulated = sim.granovetter_cascade(thresholds).iloc[-1]
    # independent closed form: smallest k with #{count <= k} == k
    k_star = next(k for k in range(n + 1) if sum(c <= k for c in counts) == k)
    assert simulated == pytest.approx(k_star / n)
    assert sim.granovetter_equilibrium(thresholds) == pytest.approx(k_star / n)


@pytest.mark.parametrize("sd, regime", [(0.05, "low"), (0.30, "high")])
def test_normal_thresholds_match_the_continuous_fixed_point(sd, regime):
    """Granovetter's normal-threshold example (mean 0.25): small spread stalls, large spread takes off."""
    n = 2000
    dist = stats.norm(0.25, sd)
    thresholds = np.clip(dist.ppf((np.arange(n) + 0.5) / n), 0, None)
    closed_form = sim.granovetter_equilibrium_cdf(dist.cdf)
    simulated = sim.granovetter_cascade(thresholds).iloc[-1]
    assert simulated == pytest.approx(closed_form, abs=5 / n)
    if regime == "low":
        assert closed_form < 0.01
    else:
        assert closed_form > 0.5


def test_continuous_fixed_point_by_hand():
    """F(r) = 0.1 + 0.5 r on [0, 1] has the single fixed point r = 0.2."""
    assert sim.granovetter_equilibrium_cdf(lambda r: np.minimum(1.0, 0.1 + 0.5 * np.asarray(r))) == pytest.approx(0.2)


def test_granovetter_model_defaults_are_the_uniform_example():
    model = sim.GranovetterModel()
    ledger = model.run(101)
    assert ledger["participation_rate"].iloc[-1] == 1.0


def test_bad_thresholds_are_rejected():
    with pytest.raises(ValueError, match="thresholds"):
        sim.granovetter_equilibrium([-0.1, 0.5])
    with pytest.raises(sim.ParameterError, match="thresholds"):
        sim.run("none", n_residents=12, steps=2, thresholds=[0.0, 0.5])
