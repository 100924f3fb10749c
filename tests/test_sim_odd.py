"""The ODD page (book/methods/odd.md) states the model's defaults and cites existing references."""

from __future__ import annotations

import re

import pytest

from chaoyang.sim import PARAMETERS, REGIMES

# Defaults as stated in book/methods/odd.md (Submodels); a change in the code must be made there too.
STATED_IN_ODD = {
    "ritual_rate": 2 / 7, "ritual_invite_share": 0.25, "ritual_target_size": 30, "ritual_barrier": 0.7,
    "ritual_focus": 0.8, "ritual_cost": 600.0, "ee_decay": 0.05, "solidarity_decay": 0.01, "police_decay": 0.01,
    "brand_decay": 0.01, "police_patrol_hours": 4.0, "police_contacts_per_hour": 1.0, "police_gain": 0.25,
    "brand_media_reach": 0.01, "brand_wom_rate": 0.05, "brand_gain": 0.1, "brand_cost_per_day": 30.0,
    "threshold_mean": 1.2, "threshold_sd": 0.5, "crowding_out": 0.3, "crowding_rate": 0.02,
    "crowding_recovery": 0.002, "pay_sensitivity": 0.05, "hours_per_participant": 0.5, "tip_rate": 0.02,
    "subsidy_admin_share": 0.1, "incident_base_rate": 0.4, "tip_weight": 2.0, "effort_floor": 0.3,
    "safety_smoothing": 0.05, "incident_handling_hours": 3.0, "tip_handling_hours": 0.25, "officer_hour_cost": 120.0,
    "loss_per_incident": 2000.0, "value_of_time": 20.0, "community_size": 200, "network_degree": 6, "rewiring": 0.1,
}


@pytest.mark.parametrize("name", sorted(STATED_IN_ODD))
def test_odd_page_states_the_code_defaults(name):
    assert PARAMETERS[name].default == pytest.approx(STATED_IN_ODD[name])


def test_odd_page_states_the_subsidy_preset():
    assert REGIMES["subsidy"]["pay_per_hour"] == 20.0 and REGIMES["subsidy"]["pay_per_tip"] == 50.0


def test_odd_page_has_the_seven_elements_and_valid_citations(root):
    text = (root / "book" / "methods" / "odd.md").read_text(encoding="utf-8")
    for heading in ("Purpose and patterns", "Entities, state variables and scales", "Process overview and scheduling",
                    "Design concepts", "Initialization", "Input data", "Submodels"):
        assert re.search(rf"^## \d\. {heading}$", text, flags=re.M), heading
    bib = (root / "book" / "references.bib").read_text(encoding="utf-8")
    keys = {k.strip() for group in re.findall(r"\{cite(?::p|:t)?\}`([^`]+)`", text) for k in group.split(",")}
    assert keys and all(f"{{{key}," in bib for key in keys), sorted(k for k in keys if f"{{{k}," not in bib)
