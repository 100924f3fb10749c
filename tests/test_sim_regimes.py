"""Regimes that exist: two pure reference regimes and the hybrids documented for Chaoyang.

Checks that each hybrid is the emotional regime plus its paid component, that every paid component
crowds out intrinsic motivation and leaves hysteresis after withdrawal, and that pay per tip raises
false or mistaken reports at the rate the parameters define.
"""

from __future__ import annotations

import numpy as np
import pytest

from chaoyang import sim
from chaoyang.sim.model import ChaoyangModel
from chaoyang.sim.parameters import PARAMETERS, REGIMES

PAID = {"pay_per_hour", "pay_per_tip", "allowance_per_day", "patrol_members_per_community"}
HYBRIDS = {"emotional+allowance": {"allowance_per_day"}, "emotional+patrols": {"patrol_members_per_community"},
           "emotional+rewards": {"pay_per_tip"},
           "mixed": {"allowance_per_day", "patrol_members_per_community", "pay_per_tip"}}


def test_the_regimes():
    assert set(REGIMES) == {"emotional", "subsidy", "none", *HYBRIDS}


@pytest.mark.parametrize("regime", sorted(HYBRIDS))
def test_each_hybrid_is_the_emotional_regime_plus_its_paid_components(regime):
    preset, emotional = REGIMES[regime], REGIMES["emotional"]
    differing = {k for k in preset if preset[k] != emotional.get(k, PARAMETERS[k].default)}
    assert differing == HYBRIDS[regime]
    assert all(preset[k] for k in ("rituals", "police_engagement", "brand"))


def test_the_pure_regimes_are_pure():
    emotional = sim.run("emotional", n_residents=400, steps=40, seed=3).ledger
    assert emotional["subsidy_paid"].sum() == 0 and emotional["subsidy_active"].sum() == 0
    subsidy = sim.run("subsidy", n_residents=400, steps=40, seed=3).ledger
    assert subsidy[["rituals", "police_contacts", "brand_exposures"]].sum().sum() == 0
    assert (subsidy["subsidy_paid"] > 0).all()


def test_patrol_teams_are_on_duty_and_paid_every_paid_day():
    model = ChaoyangModel("emotional+patrols", 600, seed=5, community_size=200, subsidy_stop_step=20)
    ledger = model.run(30)
    on_duty = ledger["patrol_on_duty"].to_numpy()
    assert (on_duty[:20] == 2 * 3).all() and (on_duty[20:] == 0).all()
    assert np.array_equal(ledger["patrol_wages"].to_numpy(), on_duty * PARAMETERS["patrol_wage"].default)
    assert model.patrol_member.sum() == 6
    # each community has exactly two members
    assert np.bincount(model.community[model.patrol_member]).tolist() == [2, 2, 2]


def test_allowances_go_to_every_volunteer_on_duty():
    ledger = sim.run("emotional+allowance", n_residents=400, steps=20, seed=2).ledger
    volunteers = ledger["participation_rate"] * 400  # no patrol teams in this regime
    np.testing.assert_allclose(ledger["allowance_paid"], volunteers.round() * REGIMES["emotional+allowance"]["allowance_per_day"])
    assert (ledger["allowance_paid"] > 0).all()


@pytest.mark.parametrize("regime", ["subsidy", "emotional+allowance", "emotional+patrols", "emotional+rewards", "mixed"])
def test_every_paid_component_crowds_out_and_recovers_slowly(regime):
    """While paid, crowding rises; after withdrawal nobody is paid and it decays by crowding_recovery a day."""
    model = ChaoyangModel(regime, 400, seed=7, subsidy_stop_step=40)
    ledger = model.run(60)
    assert ledger["crowding_mean"].iloc[39] > 0.0
    after = ledger["crowding_mean"].to_numpy()[40:]
    np.testing.assert_allclose(after[1:], after[:-1] * (1 - PARAMETERS["crowding_recovery"].default), rtol=1e-12)
    assert ChaoyangModel("emotional", 400, seed=7).run(60)["crowding_mean"].max() == 0.0


@pytest.mark.parametrize("regime", ["subsidy", "emotional+allowance", "emotional+patrols", "mixed"])
def test_withdrawal_leaves_hysteresis_for_every_paid_component(regime):
    """After pay stops, participation is lower with crowding out than without (same seed, same draws)."""
    def after(crowding_out):
        ledger = ChaoyangModel(regime, 600, seed=9, subsidy_stop_step=60, crowding_out=crowding_out,
                               crowding_rate=0.05).run(90)
        return ledger["participation_rate"].iloc[60:].mean()
    assert after(2.0) < after(0.0)


def test_rewards_crowd_out_only_the_rewarded():
    """Tip rewards reach few residents, allowances every volunteer: far fewer residents are crowded out."""
    def crowded(regime):
        model = ChaoyangModel(regime, 600, seed=4)
        model.run(30)
        return int((model.crowding > 0).sum()), int(model.participating.sum())
    rewarded, _ = crowded("emotional+rewards")
    allowanced, volunteers = crowded("emotional+allowance")
    assert 0 < rewarded < allowanced / 3
    assert allowanced >= volunteers


@pytest.mark.parametrize("reward", [0.0, 100.0, 300.0])
def test_false_reports_rise_with_the_reward_as_parameterized(reward):
    """Per informant-day, false reports ~ Poisson(false_report_rate + over_report_per_yuan * reward) and
    true tips ~ Poisson(tip_rate): their ratio estimates (0.005 + 0.0002 * reward) / 0.02."""
    ledger = sim.run("emotional", n_residents=3000, steps=200, seed=12, pay_per_tip=reward).ledger
    ratio = ledger["reports_false"].sum() / ledger["reports_true"].sum()
    expected = (0.005 + 0.0002 * reward) / 0.02
    assert ratio == pytest.approx(expected, rel=0.12)


def test_false_reports_do_not_rise_when_the_reward_is_withdrawn():
    ledger = sim.run("emotional+rewards", n_residents=3000, steps=200, seed=13, subsidy_stop_step=100).ledger
    paid, unpaid = ledger.iloc[:100], ledger.iloc[100:]
    assert paid["reports_false"].sum() / paid["reports_true"].sum() > 2 * unpaid["reports_false"].sum() / unpaid["reports_true"].sum()
