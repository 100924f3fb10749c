"""Figures of fsQCA: configuration charts (Ragin and Fiss notation) and XY plots."""

from __future__ import annotations

import pandas as pd

from chaoyang.qca._checks import split_negation
from chaoyang.i18n import is_chinese, t
from chaoyang.qca.chart import CORE_ABSENT, CORE_PRESENT, FIT_ROWS, PERIPHERAL_ABSENT, PERIPHERAL_PRESENT
from chaoyang.qca.necessity import necessity_fit
from chaoyang.qca.terms import expression_membership, sufficiency_fit


def plot_configuration_chart(chart: pd.DataFrame, ax=None, title: str | None = None):
    """Draw a configuration chart from :func:`configuration_chart` with matplotlib.

    Core conditions are drawn large, peripheral ones small (DejaVu Sans has every glyph); a legend
    under the table explains the symbols. Text is in the language of :mod:`chaoyang.i18n`.

    Parameters
    ----------
    chart : DataFrame
        Output of :func:`configuration_chart`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the chart is made if omitted.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> chart = pd.DataFrame({"1": ["●", "⊗", "", 0.9, 0.5, 0.5, 0.9, 0.5]},
    ...                      index=["A", "B", "C"] + FIT_ROWS)
    >>> ax = plot_configuration_chart(chart, title="Example")
    >>> ax.get_title()
    'Example'
    """
    import matplotlib
    import matplotlib.pyplot as plt

    if not isinstance(chart, pd.DataFrame) or not set(FIT_ROWS) <= set(chart.index):
        raise ValueError("plot_configuration_chart() needs the DataFrame returned by configuration_chart()")
    n_rows, n_cols = chart.shape
    if ax is None:
        _, ax = plt.subplots(figsize=(max(5.0, 2.2 + 1.0 * n_cols), 0.45 * n_rows + 1.6))
    # The symbols need DejaVu Sans; in Chinese the family list (DejaVu Sans first, a CJK font after)
    # keeps them and adds the Chinese glyphs of the legend.
    symbols_font = matplotlib.rcParams["font.family"] if is_chinese() else "DejaVu Sans"
    sizes = {CORE_PRESENT: 18, CORE_ABSENT: 18, PERIPHERAL_PRESENT: 14, PERIPHERAL_ABSENT: 10}
    for r, row_name in enumerate(chart.index):
        y = n_rows - r - 1
        ax.text(-0.6, y, t(str(row_name)), ha="right", va="center", fontsize=9)
        for c, column in enumerate(chart.columns):
            value = chart.iloc[r, c]
            if isinstance(value, float):
                ax.text(c, y, "" if value != value else f"{value:.2f}", ha="center", va="center", fontsize=9)
            elif value:
                ax.text(c, y, value, ha="center", va="center", fontsize=sizes.get(value, 10),
                        fontfamily=symbols_font)
    for c, column in enumerate(chart.columns):
        ax.text(c, n_rows - 0.2, str(column), ha="center", va="bottom", fontsize=10, fontweight="bold")
    ax.axhline(len(FIT_ROWS) - 0.5, color="black", linewidth=0.8)
    ax.set_xlim(-0.6 - 2.0, n_cols - 0.4)
    ax.set_ylim(-1.9, n_rows + 0.5)
    ax.axis("off")
    ax.text(-2.5, -1.2, t("{core_present} core present   {peripheral_present} peripheral present\n"
                          "{core_absent} core absent   {peripheral_absent} peripheral absent   blank: don't care",
                          core_present=CORE_PRESENT, peripheral_present=PERIPHERAL_PRESENT,
                          core_absent=CORE_ABSENT, peripheral_absent=PERIPHERAL_ABSENT),
            fontsize=8, va="center", ha="left", fontfamily=symbols_font)
    if title:
        ax.set_title(title)
    return ax


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
    ax.set_xlabel(t("Membership in {condition}", condition=condition))
    ax.set_ylabel(t("Membership in {outcome}", outcome=outcome))
    ax.set_title(
        t("Sufficiency: incl {inclS:.3f}, cov {covS:.3f}\nNecessity: incl {inclN:.3f}, RoN {RoN:.3f}, cov {covN:.3f}",
          inclS=suff_fit["inclS"], covS=suff_fit["covS"], inclN=nec["inclN"], RoN=nec["RoN"], covN=nec["covN"]),
        fontsize=9,
    )
    return ax


__all__ = ["plot_configuration_chart", "xy_plot"]
