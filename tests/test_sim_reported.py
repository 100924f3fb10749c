"""The reported in the ledger: reports made, true and false, residents reported, privacy intrusions, costs.

Accounting identities are checked against the parameters' definitions (not against the code's own
totals), per stakeholder: the government (pay, rituals, brand), the police (officer hours), the
residents who participate (hours, pay), the residents reported (checks, costs) and the public.
"""

from __future__ import annotations

import numpy as np
import pytest

from chaoyang import sim
from chaoyang.sim.analysis import METRICS, summarize_run
from chaoyang.sim.model import LEDGER_COLUMNS, ChaoyangModel
from chaoyang.sim.parameters import PARAMETERS, REGIMES

D = {name: param.default for name, param in PARAMETERS.items()}


@pytest.fixture(scope="module")
def mixed():
    model = ChaoyangModel("mixed", 600, seed=21, community_size=200, subsidy_stop_step=50)
    return model, model.run(80)


def test_the_ledger_has_the_reported_columns():
    for column in ("reports_made", "reports_true", "reports_false", "residents_reported", "privacy_intrusions",
                   "reported_cost", "report_hours", "reward_paid", "allowance_paid", "patrol_wages", "hourly_pay_paid"):
        assert column in LEDGER_COLUMNS


def test_report_identities(mixed):
    _, ledger = mixed
    assert (ledger["reports_made"] == ledger["reports_true"] + ledger["reports_false"]).all()
    assert (ledger["reports_true"] == ledger["tips"]).all()
    assert (ledger["residents_reported"] == ledger["reports_made"]).all()
    assert (ledger["privacy_intrusions"] == ledger["reports_false"]).all()
    np.testing.assert_allclose(ledger["reported_cost"], ledger["reports_false"] * 200.0)
    np.testing.assert_allclose(ledger["report_hours"], ledger["reports_made"] * 0.25)
    assert ledger["reports_false"].sum() > 0 and ledger["reports_true"].sum() > 0


def test_police_hours_include_checking_every_report(mixed):
    model, ledger = mixed
    presence = model.n_communities * D["officers_per_community"] * D["police_patrol_hours"]
    np.testing.assert_allclose(ledger["police_hours"],
                               presence + ledger["incidents"] * D["incident_handling_hours"] + ledger["reports_made"] * 0.25)
    np.testing.assert_allclose(ledger["police_cost"], ledger["police_hours"] * D["officer_hour_cost"])


def test_rewards_are_paid_for_true_tips_only_and_pay_adds_up(mixed):
    _, ledger = mixed
    preset = REGIMES["mixed"]
    paid_days = ledger["subsidy_active"] == 1
    np.testing.assert_allclose(ledger.loc[paid_days, "reward_paid"], ledger.loc[paid_days, "reports_true"] * preset["pay_per_tip"])
    parts = ledger[["hourly_pay_paid", "reward_paid", "allowance_paid", "patrol_wages"]].sum(axis=1)
    np.testing.assert_allclose(ledger["subsidy_paid"], parts, rtol=1e-12)
    assert (ledger.loc[~paid_days, ["subsidy_paid", "reward_paid", "allowance_paid", "patrol_wages"]] == 0).all().all()


def test_government_cost_is_rituals_brand_and_pay_with_administration(mixed):
    model, ledger = mixed
    expected = (ledger["rituals"] * D["ritual_cost"] + model.n_communities * D["brand_cost_per_day"]
                 + ledger["subsidy_paid"] * (1 + D["subsidy_admin_share"]))
    np.testing.assert_allclose(ledger["government_cost"], expected, rtol=1e-12)
    np.testing.assert_allclose(ledger["public_cost"], ledger["government_cost"] + ledger["police_cost"])


def test_no_informants_no_reports():
    ledger = sim.run("emotional+rewards", n_residents=300, steps=30, seed=1, tip_rate=0.0, false_report_rate=0.0,
                     over_report_per_yuan=0.0).ledger
    assert ledger[["reports_made", "privacy_intrusions", "reported_cost", "reward_paid"]].sum().sum() == 0


def test_rewards_raise_the_burden_on_the_reported():
    """Same seed, same residents: paying per tip raises false reports and the cost borne by the reported."""
    emotional = summarize_run(sim.run("emotional", n_residents=1000, steps=120, seed=5).ledger)
    rewards = summarize_run(sim.run("emotional+rewards", n_residents=1000, steps=120, seed=5).ledger)
    assert rewards["reports_false_total"] > 2 * emotional["reports_false_total"]
    assert rewards["reported_cost_total"] > 2 * emotional["reported_cost_total"]


def test_the_reported_are_a_stakeholder_of_the_comparison():
    reported = [m for m, (stakeholder, _, _) in METRICS.items() if stakeholder == "reported"]
    assert set(reported) == {"reports_false_total", "privacy_intrusions_total", "reported_cost_total"}
    result = sim.compare_regimes(("emotional", "emotional+rewards"), n_reps=2, seed=3, n_residents=200, steps=20)
    assert set(reported) <= set(result.to_frame()["metric"])
