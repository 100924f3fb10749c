"""Static twin of the fsQCA truth-table explorer: solution terms and fit across one cut-off.

Examples
--------
>>> import matplotlib; matplotlib.use("Agg")
>>> import pandas as pd
>>> from chaoyang.qca.grid import solution_grid
>>> df = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "Y": [1, 1, 0, 0, 1]})
>>> fig = plot_solution_grid(solution_grid(df, "Y", ["A", "B"], values=[0.8, 0.9], kind="complex"))
>>> len(fig.axes)
2
"""

from __future__ import annotations


from chaoyang.i18n import N_, t
from chaoyang.qca.grid import PARAMETER_LABELS, SolutionGrid, literals


#: Solution kinds as titles print them (marked for the catalog; translated when drawn).
_KIND_TITLES = (N_("Complex"), N_("Parsimonious"), N_("Intermediate"))

def plot_solution_grid(grid: SolutionGrid, *, planted=None, title: str | None = None):
    """Static twin of the widget: solution terms and fit across the values of one cut-off.

    Top panel: one row per term ever found, one column per value of the cut-off; a dot where the term is in the
    solution, its area proportional to raw coverage and its value printed. Terms matching a planted
    configuration exactly are drawn in blue, the others in grey. Bottom panel: solution consistency
    and coverage against the cut-off. Text is English.

    Parameters
    ----------
    grid : SolutionGrid
        From :func:`solution_grid`.
    planted : iterable of str, optional
        Planted configurations to highlight.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        With two axes: ``axes[0]`` (terms; y label "Solution term") and ``axes[1]`` (fit; y label
        "Solution fit"); both x labels name the varied cut-off, e.g. "Consistency cut-off (incl_cut)".

    Raises
    ------
    TypeError
        ``grid`` is not a :class:`SolutionGrid`.

    Examples
    --------
    >>> import pandas as pd
    >>> from chaoyang.qca import solution_grid
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> fig = plot_solution_grid(solution_grid(df, "Y", ["A", "B"], values=(0.8,), kind="complex"))
    >>> fig.axes[0].get_ylabel()
    'Solution term'
    """
    import matplotlib.pyplot as plt

    if not isinstance(grid, SolutionGrid):
        raise TypeError(f"plot_solution_grid() needs the SolutionGrid from solution_grid(), got {type(grid).__name__}")
    planted_sets = {literals(p) for p in (planted or [])}
    cuts = grid.fit["value"].tolist()
    x_label = t(PARAMETER_LABELS[grid.parameter])
    first_seen = list(dict.fromkeys(grid.terms.sort_values(["value"], kind="stable")["term"]))
    counts = grid.terms["term"].value_counts()
    # the terms found at most cut-offs on top
    term_order = sorted(first_seen, key=lambda t: (-counts[t], first_seen.index(t)))
    height = 2.4 + 0.32 * max(len(term_order), 1)
    fig, (ax_terms, ax_fit) = plt.subplots(2, 1, figsize=(7.5, height + 2.4), sharex=True,
                                           gridspec_kw={"height_ratios": [height, 2.2]})
    y_of = {t: len(term_order) - 1 - i for i, t in enumerate(term_order)}
    for _, row in grid.terms.iterrows():
        colour = "tab:blue" if literals(row["term"]) in planted_sets else "0.55"
        ax_terms.scatter(row["value"], y_of[row["term"]], s=40 + 900 * row["covS"], color=colour, alpha=0.8,
                         edgecolor="black", linewidth=0.5, zorder=2)
        ax_terms.annotate(f"{row['covS']:.2f}", (row["value"], y_of[row["term"]]), textcoords="offset points",
                          xytext=(0, -14), ha="center", fontsize=7)
    ax_terms.set_yticks(range(len(term_order)), [t for t in reversed(term_order)])
    ax_terms.set_ylim(-0.8, max(len(term_order), 1) - 0.2)
    ax_terms.set_ylabel(t("Solution term"))
    ax_terms.set_xlabel(x_label)
    ax_terms.xaxis.set_tick_params(labelbottom=True)
    ax_terms.grid(axis="y", color="0.9", zorder=0)
    for cut, error in zip(cuts, grid.fit["error"]):
        if error:
            ax_terms.text(cut, (len(term_order) - 1) / 2, t("no row\npasses"), ha="center", va="center", fontsize=7)
    if planted_sets:
        ax_terms.scatter([], [], s=80, color="tab:blue", edgecolor="black", label=t("planted configuration"))
        ax_terms.scatter([], [], s=80, color="0.55", edgecolor="black", label=t("other term"))
        ax_terms.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.5 / height), ncol=2, fontsize=8,
                        frameon=False)
    ax_fit.plot(cuts, grid.fit["inclS"], marker="o", color="tab:red", label=t("solution consistency"))
    ax_fit.plot(cuts, grid.fit["covS"], marker="s", color="tab:green", label=t("solution coverage"))
    ax_fit.set_ylim(0, 1.02)
    ax_fit.set_ylabel(t("Solution fit"))
    ax_fit.set_xlabel(x_label)
    ax_fit.set_xticks(cuts, [f"{c:g}" for c in cuts])
    ax_fit.legend(fontsize=8, loc="lower left")
    ax_fit.grid(color="0.9")
    fixed = ", ".join(f"{k} = {v:g}" for k, v in grid.settings.items())
    fig.suptitle(title or t("{kind} solution across {parameter} ({fixed})", kind=t(grid.kind.capitalize()),
                             parameter=grid.parameter, fixed=fixed), fontsize=11)
    fig.tight_layout()
    return fig


__all__ = ["plot_solution_grid"]
