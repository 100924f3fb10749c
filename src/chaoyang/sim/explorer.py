"""Interactive explorer (ipywidgets) and the same plots as a static matplotlib figure for the book.

Both run the emotional and the subsidy regime with the same seed and the chosen levers, and draw
four panels: participation, incidents, cumulative government cost, and mean willingness.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = explorer_figure(n_residents=200, steps=30, seed=1)
>>> len(fig.axes)
4
"""

from __future__ import annotations

import pandas as pd

from chaoyang.sim.parameters import check_value
from chaoyang.sim.scenarios import run

#: The levers the explorer offers: parameter -> (min, max, step) of its slider.
LEVERS: dict[str, tuple[float, float, float]] = {
    "ritual_rate": (0.0, 1.0, 0.05),
    "police_contacts_per_hour": (0.0, 4.0, 0.25),
    "brand_media_reach": (0.0, 0.05, 0.005),
    "pay_per_hour": (0.0, 60.0, 5.0),
    "crowding_out": (0.0, 2.0, 0.1),
}

REGIME_COLOURS = {"emotional": "#1b7837", "subsidy": "#b2182b"}


def run_pair(*, n_residents: int = 2000, steps: int = 365, seed: int = 1, **levers) -> dict[str, pd.DataFrame]:
    """Run the emotional and the subsidy regime with the same seed and levers.

    ``pay_per_hour`` applies to the subsidy regime only (the emotional regime never pays).

    Returns
    -------
    dict
        Regime -> ledger.
    """
    for name, value in levers.items():
        check_value(name, value)
    emotional_levers = {k: v for k, v in levers.items() if k not in ("pay_per_hour", "pay_per_tip")}
    return {"emotional": run("emotional", n_residents=n_residents, steps=steps, seed=seed, **emotional_levers),
            "subsidy": run("subsidy", n_residents=n_residents, steps=steps, seed=seed, **levers)}


def draw(ledgers: dict[str, pd.DataFrame], axes) -> None:
    """Draw the four explorer panels on ``axes`` (a flat sequence of 4 matplotlib Axes)."""
    ax_part, ax_inc, ax_cost, ax_wil = axes
    for regime, ledger in ledgers.items():
        colour = REGIME_COLOURS.get(regime, None)
        step = ledger["step"]
        ax_part.plot(step, ledger["participation_rate"], color=colour, label=regime)
        ax_inc.plot(step, ledger["expected_incidents"].rolling(7, min_periods=1).mean(), color=colour, label=regime)
        ax_cost.plot(step, ledger["government_cost"].cumsum() / 1e6, color=colour, label=regime)
        ax_wil.plot(step, ledger["willingness_mean"], color=colour, label=regime)
    ax_part.set(title="Participation", ylabel="share of residents", ylim=(0, 1))
    ax_inc.set(title="Incidents (expected, 7-day mean)", ylabel="incidents per day")
    ax_cost.set(title="Government cost, cumulative", ylabel="million yuan")
    ax_wil.set(title="Mean willingness", ylabel="latent SD units")
    for ax in axes:
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    ax_part.legend(loc="upper left", fontsize=8)


def explorer_figure(*, n_residents: int = 2000, steps: int = 365, seed: int = 1, **levers):
    """The explorer's plots as a static matplotlib figure (for the book, read offline).

    Parameters
    ----------
    n_residents, steps, seed : int
        As in :func:`chaoyang.sim.run`.
    **levers
        Parameter overrides, e.g. ``ritual_rate=0.5`` or ``pay_per_hour=30``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), constrained_layout=True)
    draw(run_pair(n_residents=n_residents, steps=steps, seed=seed, **levers), axes.ravel())
    fig.suptitle("Emotional-commitment mobilization vs economic subsidy (one seeded run each)")
    return fig


def explorer(*, n_residents: int = 2000, steps: int = 365, seed: int = 1):
    """Sliders for the main levers; the model re-runs and redraws on release (about a second).

    Parameters
    ----------
    n_residents, steps, seed : int
        Model size and seed of every re-run.

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook cell.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from chaoyang.sim.parameters import PARAMETERS

    sliders = {}
    for name, (low, high, step) in LEVERS.items():
        default = PARAMETERS[name].default
        if name == "pay_per_hour":
            default = 20.0
        sliders[name] = widgets.FloatSlider(value=default, min=low, max=high, step=step, description=name,
                                            continuous_update=False, readout_format=".3g",
                                            style={"description_width": "180px"},
                                            layout=widgets.Layout(width="480px"))
    output = widgets.Output()

    def redraw(_change=None):
        with output:
            output.clear_output(wait=True)
            fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), constrained_layout=True)
            draw(run_pair(n_residents=n_residents, steps=steps, seed=seed,
                          **{k: s.value for k, s in sliders.items()}), axes.ravel())
            plt.show()

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([*sliders.values(), output])
