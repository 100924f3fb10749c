"""Path diagrams of the structural part of a fitted model, drawn with matplotlib (no Graphviz).

semopy's ``semplot`` needs the Graphviz binary, which readers of the book may not have.
"""

from __future__ import annotations

import numpy as np

from chaoyang.errors import ArgumentError
from chaoyang.i18n import t


def _layers(variables: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layer of every variable (predictors left, outcomes right)."""
    layer = {v: 0 for v in variables}
    for _ in range(len(variables)):
        changed = False
        for src, dst in edges:
            if layer[dst] < layer[src] + 1:
                layer[dst] = layer[src] + 1
                changed = True
        if not changed:
            break
    return layer


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def path_diagram(result, value: str = "std.all", ax=None, show_labels: bool = True, figsize=(8, 4.5)):
    """Draw the regressions of a fitted model as a left-to-right path diagram.

    Latent variables are ellipses, observed variables rectangles; every arrow carries its
    estimate (``value``: ``"std.all"`` or ``"est"``) with significance stars (* p < .05,
    ** p < .01, *** p < .001) and, if ``show_labels``, its label (``a1 = .45***``).
    Residual covariances between variables of the same column are drawn as dashed arcs.

    Parameters
    ----------
    result : SEMResult
        A fitted model with at least one ``~`` regression.
    value : {"std.all", "est"}, default "std.all"
        Which estimate to print.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure otherwise).
    show_labels : bool, default True
        Prefix each value with the parameter label.
    figsize : tuple, default (8, 4.5)
        Size of a new figure, in inches.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        The model has no regression, or ``value`` is unknown.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from chaoyang.sem import fit
    >>> from chaoyang.sem.mediation import parallel_mediation_syntax
    >>> from chaoyang.sem.simulate import simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=200, latent=False, seed=1)
    >>> ax = path_diagram(fit(parallel_mediation_syntax("X", ["M1", "M2", "M3"], "Y"), df))
    >>> len(ax.patches) >= 5
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    from chaoyang.sem import SEMResult, SEMTypeError

    if not isinstance(result, SEMResult):
        raise SEMTypeError(f"path_diagram needs the result of chaoyang.sem.fit, not {type(result).__name__}.")
    if not isinstance(value, str) or value not in ("std.all", "est"):
        raise ArgumentError(f"value must be 'std.all' or 'est', not {value!r}.")
    est = result.estimates
    paths = est.loc[est["op"] == "~"]
    if paths.empty:
        raise ArgumentError("The model has no regression ('~') to draw; path_diagram shows the structural part.")
    variables = list(dict.fromkeys([*paths["rhs"], *paths["lhs"]]))
    edges = list(zip(paths["rhs"], paths["lhs"]))
    layer = _layers(variables, edges)
    columns: dict[int, list[str]] = {}
    for v in variables:
        columns.setdefault(layer[v], []).append(v)
    n_cols = max(columns) + 1
    # An edge that skips a column (e.g. the direct path X -> Y of a mediation) would cross the
    # variables in between: then single variables sit on a bottom line and the rest above it.
    skips = any(layer[b] - layer[a] > 1 for a, b in edges)
    pos = {}
    for col, members in columns.items():
        for i, v in enumerate(members):
            if len(members) == 1:
                y = 0.12 if skips else 0.5
            else:
                top, bottom = (0.9, 0.4) if skips else (0.9, 0.1)
                y = top - (top - bottom) * i / (len(members) - 1)
            pos[v] = (0.1 + 0.8 * col / max(n_cols - 1, 1), y)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    latent = set(result.table.latent)
    w, h = 0.13, 0.1
    for v, (x, y) in pos.items():
        if v in latent:
            ax.add_patch(Ellipse((x, y), w * 1.1, h * 1.2, facecolor="#e8f0fb", edgecolor="#1f4e79", lw=1.5))
        else:
            ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="square,pad=0",
                                        facecolor="#f4f4f4", edgecolor="#333333", lw=1.5))
        ax.text(x, y, v, ha="center", va="center", fontsize=10)
    for _, row in paths.iterrows():
        (x0, y0), (x1, y1) = pos[row["rhs"]], pos[row["lhs"]]
        arrow = FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=14, lw=1.3,
                                shrinkA=28, shrinkB=28, color="#333333")
        ax.add_patch(arrow)
        number = f"{row[value]:.2f}".replace("0.", ".", 1) if abs(row[value]) < 1 else f"{row[value]:.2f}"
        text = (f"{row['label']} = " if show_labels and row["label"] else "") + number + _stars(row["pvalue"])
        xm, ym = x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0)
        ax.text(xm, ym + 0.03, text, ha="center", va="bottom", fontsize=9,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    covs = est.loc[(est["op"] == "~~") & (est["lhs"] != est["rhs"]) & est["lhs"].isin(pos) & est["rhs"].isin(pos)]
    for _, row in covs.iterrows():
        (x0, y0), (x1, y1) = pos[row["lhs"]], pos[row["rhs"]]
        ax.add_patch(FancyArrowPatch((x0 + w / 2, y0), (x1 + w / 2, y1), arrowstyle="<|-|>", mutation_scale=10,
                                     connectionstyle="arc3,rad=-0.4", ls="--", lw=0.9, color="#777777"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    what = t("standardized (std.all)") if value == "std.all" else t("unstandardized")
    ax.set_title(t("Path diagram, {what} estimates; * p < .05, ** p < .01, *** p < .001", what=what), fontsize=9)
    return ax
