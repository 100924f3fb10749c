"""Phase portraits of the evolutionary game of mobilization (:mod:`chaoyang.sim.game`)."""

from __future__ import annotations

import numpy as np

from chaoyang.i18n import N_, t
from chaoyang.sim.game import MobilizationGame

#: Legend names of the equilibrium types (the English name is the key of the equilibria table).
_STABILITY_NAMES = (N_("stable"), N_("unstable"), N_("saddle"), N_("centre"), N_("non-hyperbolic"))


def plot_phase_portrait(game: MobilizationGame, ax=None, *, police_share: float = 0.5, density: float = 1.2):
    """Phase portrait of (government, residents) shares with the rest points marked.

    Parameters
    ----------
    game : MobilizationGame
    ax : matplotlib Axes, optional
    police_share : float, default 0.5
        With police, the (x, y) field is drawn at this fixed police share z (a slice).
    density : float
        Streamline density.

    Returns
    -------
    matplotlib.axes.Axes
        Filled dots: stable; open: unstable; grey: saddle or centre.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_phase_portrait(MobilizationGame(), density=0.5)
    >>> tuple(float(v) for v in ax.get_xlim())
    (0.0, 1.0)
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4.5))
    grid = np.linspace(0, 1, 41)
    X, Y = np.meshgrid(grid, grid)
    U, V = np.zeros_like(X), np.zeros_like(Y)
    for i, j in np.ndindex(X.shape):
        state = [X[i, j], Y[i, j]] + ([police_share] if game.with_police else [])
        v = game.velocity(state)
        U[i, j], V[i, j] = v[0], v[1]
    speed = np.hypot(U, V)
    ax.streamplot(X, Y, U, V, color=speed, cmap="viridis", density=density, linewidth=0.8, arrowsize=0.8)
    table = game.equilibria()
    if game.with_police:
        table = table[np.isclose(table["z"], police_share)]
    style = {"stable": dict(color="black", markerfacecolor="black"),
             "unstable": dict(color="black", markerfacecolor="white"),
             "saddle": dict(color="grey", markerfacecolor="grey"),
             "centre": dict(color="grey", markerfacecolor="white"),
             "non-hyperbolic": dict(color="grey", markerfacecolor="lightgrey")}
    for stability, group in table.groupby("stability"):
        ax.plot(group["x"], group["y"], "o", markersize=9, linestyle="none", label=t(stability), clip_on=False,
                **style[stability])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(t("share of government choosing emotional mobilization (x)"))
    ax.set_ylabel(t("share of residents participating (y)"))
    title = t("Replicator dynamics")
    if game.with_police:
        title += t(" (slice at police engaged z = {z:g})", z=police_share)
    ax.set_title(title)
    if len(table):
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return ax


__all__ = ["plot_phase_portrait"]
