"""The explorer: the widget builds and redraws; the static figure has the same four panels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from chaoyang.sim import ParameterError
from chaoyang.plots.sim_explorer import explorer_figure
from chaoyang.sim import LEVERS, run_pair
from chaoyang.widgets.sim_explorer import explorer


def test_static_figure_has_four_panels_with_both_regimes():
    fig = explorer_figure(n_residents=200, steps=20, seed=1)
    assert len(fig.axes) == 4
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["emotional", "subsidy"]


def test_widget_has_a_slider_per_lever_and_redraws():
    pytest.importorskip("ipywidgets")
    box = explorer(n_residents=200, steps=20, seed=1)
    sliders = box.children[:-1]
    assert [s.description for s in sliders] == list(LEVERS)
    sliders[0].value = 0.5  # triggers a re-run; must not raise


def test_pay_lever_only_reaches_the_subsidy_regime():
    results = run_pair(n_residents=200, steps=10, seed=2, pay_per_hour=40.0)
    assert results["emotional"].ledger["subsidy_paid"].sum() == 0
    assert results["subsidy"].ledger["subsidy_paid"].sum() > 0
    assert results["subsidy"].manifest["params"]["pay_per_hour"] == 40.0


def test_bad_lever_is_rejected():
    with pytest.raises(ParameterError, match="'crowding_out' = -1"):
        run_pair(n_residents=100, steps=2, crowding_out=-1)
