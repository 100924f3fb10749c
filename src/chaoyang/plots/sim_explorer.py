"""Static figure of the simulation explorer: the emotional and the subsidy regime side by side.

Four panels: participation, incidents, cumulative government cost, and mean willingness.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = explorer_figure(n_residents=200, steps=30, seed=1)
>>> len(fig.axes)
4
"""

from __future__ import annotations

from chaoyang.i18n import N_, t
from chaoyang.sim.results import SimResult
from chaoyang.sim.scenarios import run_pair

REGIME_COLOURS = {"emotional": "#1b7837", "subsidy": "#b2182b"}
#: Legend names of the regimes (the English name is the regime's key).
_REGIME_NAMES = (N_("emotional"), N_("subsidy"))


def draw(results: dict[str, SimResult], axes) -> None:
    """Draw the four explorer panels on ``axes`` (a flat sequence of 4 matplotlib Axes).

    Parameters
    ----------
    results : dict of str -> SimResult
        Regime -> run, as returned by :func:`chaoyang.sim.run_pair`.
    axes : sequence of 4 matplotlib Axes
    """
    ax_part, ax_inc, ax_cost, ax_wil = axes
    for regime, result in results.items():
        ledger = result.ledger
        colour = REGIME_COLOURS.get(regime, None)
        step = ledger["step"]
        name = t(regime)
        ax_part.plot(step, ledger["participation_rate"], color=colour, label=name)
        ax_inc.plot(step, ledger["expected_incidents"].rolling(7, min_periods=1).mean(), color=colour, label=name)
        ax_cost.plot(step, ledger["government_cost"].cumsum() / 1e6, color=colour, label=name)
        ax_wil.plot(step, ledger["willingness_mean"], color=colour, label=name)
    ax_part.set(title=t("Participation"), ylabel=t("share of residents"), ylim=(0, 1))
    ax_inc.set(title=t("Incidents (expected, 7-day mean)"), ylabel=t("incidents per day"))
    ax_cost.set(title=t("Government cost, cumulative"), ylabel=t("million yuan"))
    ax_wil.set(title=t("Mean willingness"), ylabel=t("latent SD units"))
    for ax in axes:
        ax.set_xlabel(t("day"))
        ax.grid(alpha=0.3)
    ax_part.legend(loc="upper left", fontsize=8)


def explorer_figure(*, n_residents: int = 2000, steps: int = 365, seed=1, **levers):
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
    fig.suptitle(t("Emotional-commitment mobilization vs economic subsidy (one seeded run each)"))
    return fig


__all__ = ["REGIME_COLOURS", "draw", "explorer_figure"]
