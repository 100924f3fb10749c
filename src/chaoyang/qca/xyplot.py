"""XY plots of set relations (condition or term against outcome)."""

from __future__ import annotations

import pandas as pd

from chaoyang.qca._checks import split_negation
from chaoyang.qca.necessity import necessity_fit
from chaoyang.qca.terms import expression_membership, sufficiency_fit


def xy_plot(data: pd.DataFrame, condition: str, outcome: str, ax=None, labels=None):
    """Scatter membership in a condition (x) against membership in the outcome (y).

    Cases below the diagonal contradict sufficiency (X <= Y), cases above it contradict necessity
    (X >= Y). The title reports consistency and coverage for both relations.

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships, one row per case.
    condition : str
        A column, a negated column (``"~IND"``) or any expression (``"DEV*~IND + URB*STB"``).
    outcome : str
        Outcome column, optionally negated (``"~SURV"``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if omitted.
    labels : sequence of str or bool, optional
        Case labels; default the DataFrame index. ``False`` draws no labels.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [0.2, 0.8, 0.9], "Y": [0.3, 0.9, 0.7]}, index=["a", "b", "c"])
    >>> ax = xy_plot(df, "A", "Y")
    >>> ax.get_xlabel()
    'Membership in A'
    """
    import matplotlib.pyplot as plt

    x = expression_membership(data, condition)
    name, negated = split_negation(outcome)
    y = expression_membership(data, name)
    if negated:
        y = 1.0 - y
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linewidth=1, linestyle="--", zorder=1)
    ax.scatter(x, y, s=30, color="tab:blue", edgecolor="black", linewidth=0.5, zorder=2)
    if labels is None:
        labels = [str(i) for i in data.index]
    if labels is not False:
        if len(labels) != len(x):
            raise ValueError(f"labels has {len(labels)} entries for {len(x)} cases")
        for xi, yi, text in zip(x, y, labels):
            ax.annotate(str(text), (xi, yi), textcoords="offset points", xytext=(3, 3), fontsize=8)
    _, suff_fit = sufficiency_fit(x[:, None], y)
    nec = necessity_fit(x, y)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel(f"Membership in {condition}")
    ax.set_ylabel(f"Membership in {outcome}")
    ax.set_title(
        f"Sufficiency: incl {suff_fit['inclS']:.3f}, cov {suff_fit['covS']:.3f}\n"
        f"Necessity: incl {nec['inclN']:.3f}, RoN {nec['RoN']:.3f}, cov {nec['covN']:.3f}",
        fontsize=9,
    )
    return ax


__all__ = ["xy_plot"]
