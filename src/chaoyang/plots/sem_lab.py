"""Figures of the SEM Monte Carlo lab (:mod:`chaoyang.sem.lab`): power and coverage against n."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang.i18n import t
from chaoyang.sem.errors import SEMColumnError


def plot_power_coverage(curve: pd.DataFrame, level: float = 0.95, axes=None):
    """Power (left) and coverage (right) against sample size, percentile vs BC intervals.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`power_curve` (columns ``effect, n, power_perc, power_bc`` and, when a truth
        exists, ``coverage_perc, coverage_bc``; ``replications``).
    level : float, default 0.95
        Nominal coverage, drawn as a line with its Monte Carlo band (± 2 SE).
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> curve = pd.DataFrame({"effect": ["ind1"] * 2, "n": [100, 200], "power_perc": [.5, .9],
    ...                       "power_bc": [.6, .9], "coverage_perc": [.94, .95], "coverage_bc": [.92, .94],
    ...                       "replications": [40, 40]})
    >>> len(plot_power_coverage(curve))
    2
    """
    import matplotlib.pyplot as plt

    required = {"effect", "n", "power_perc", "power_bc", "replications"}
    missing = required - set(curve.columns)
    if missing:
        raise SEMColumnError(f"curve lacks columns {sorted(missing)}; pass the table returned by power_curve")
    has_coverage = "coverage_perc" in curve.columns
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    axes = np.asarray(axes).ravel()
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    percentile, bc = t("{effect} percentile"), t("{effect} BC")
    for k, (effect, group) in enumerate(curve.groupby("effect", sort=False)):
        group = group.sort_values("n")
        colour = colours[k % len(colours)]
        axes[0].plot(group["n"], group["power_perc"], "o-", color=colour, label=percentile.format(effect=effect))
        axes[0].plot(group["n"], group["power_bc"], "s--", color=colour, label=bc.format(effect=effect))
        if has_coverage:
            axes[1].plot(group["n"], group["coverage_perc"], "o-", color=colour,
                         label=percentile.format(effect=effect))
            axes[1].plot(group["n"], group["coverage_bc"], "s--", color=colour, label=bc.format(effect=effect))
    axes[0].set_ylim(0, 1.05)
    axes[0].axhline(0.8, color="grey", lw=0.8, ls=":")
    axes[0].set_ylabel(t("power (share of intervals excluding 0)"))
    axes[0].set_title(t("Power; dotted line: the usual 80 % target"))
    if has_coverage:
        r = int(curve["replications"].min())
        band = 2 * np.sqrt(level * (1 - level) / r)
        axes[1].axhspan(level - band, min(level + band, 1), color="grey", alpha=0.2, lw=0)
        axes[1].axhline(level, color="black", lw=0.8)
        axes[1].set_ylim(max(0, level - 0.3), 1.0)
        axes[1].set_ylabel(t("coverage (share of intervals holding the truth)"))
        axes[1].set_title(t("Coverage; band: nominal {level:.0%} ± 2 Monte Carlo SE (R = {r})", level=level, r=r))
    else:
        axes[1].text(0.5, 0.5, t("no coverage: no exact truth on the\nscale of 5-point-item estimates"),
                     ha="center", va="center", transform=axes[1].transAxes)
        axes[1].set_axis_off()
    for ax in axes:
        ax.set_xlabel(t("sample size n"))
    axes[0].legend(fontsize=7, ncol=2)
    return axes


__all__ = ["plot_power_coverage"]
