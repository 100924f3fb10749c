"""Figures of grounded coding: co-occurrence heat map, the grounded model, saturation curves."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from chaoyang.grounded.axial import roll_up
from chaoyang.grounded.model import Codebook, GroundedError
from chaoyang.i18n import is_chinese, t


def plot_cooccurrence(matrix: pd.DataFrame, *, ax=None, title: str | None = None, annotate: bool = True):
    """Heatmap of a co-occurrence table (off-diagonal cells; the diagonal is shown grey).

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square table from :func:`cooccurrence`.
    ax : matplotlib Axes, optional
    title : str, optional
    annotate : bool, default True
        Write the counts in the cells (skip for large tables).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``matrix`` is not square with the same labels on both axes.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> table = pd.DataFrame([[3, 1], [1, 2]], index=["BEL", "EE"], columns=["BEL", "EE"])
    >>> fig = plot_cooccurrence(table, title="toy")
    >>> fig.axes[0].get_title()
    'toy'
    """
    import matplotlib.pyplot as plt

    if not isinstance(matrix, pd.DataFrame) or list(matrix.index) != list(matrix.columns):
        raise ValueError("matrix must be a square DataFrame with the same labels on rows and columns")
    if ax is None:
        size = 0.32 * len(matrix) + 2.5
        fig, ax = plt.subplots(figsize=(size + 1.5, size))
    else:
        fig = ax.figure
    values = matrix.to_numpy(dtype=float).copy()
    np.fill_diagonal(values, np.nan)
    cmap = plt.get_cmap("Blues").with_extremes(bad="#d9d9d9")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0)
    ax.set_xticks(range(len(matrix)), [str(c) for c in matrix.columns], rotation=90, fontsize=8)
    ax.set_yticks(range(len(matrix)), [str(c) for c in matrix.index], fontsize=8)
    if annotate:
        top = np.nanmax(values) if np.isfinite(values).any() else 0
        for i in range(len(matrix)):
            for j in range(len(matrix)):
                if i != j and values[i, j] > 0:
                    ax.text(j, i, f"{int(values[i, j])}", ha="center", va="center", fontsize=6,
                            color="white" if values[i, j] > 0.6 * top else "black")
    fig.colorbar(image, ax=ax, shrink=0.7, label=t("co-occurrences"))
    ax.set_title(title or t("Co-occurrence (diagonal greyed)"))
    fig.tight_layout()
    return fig


def plot_model(codebook, coding: pd.DataFrame | None = None, *, ax=None):
    """Draw the final model: core category, pathways, and the categories under them.

    Each pathway is a column with its own categories stacked under it; shared categories (under
    several pathways) sit below, linked by dashed lines to the bottom of each of their pathways. With a coding, each category box
    shows the number of documents in which it was coded.

    Parameters
    ----------
    codebook : Codebook or dict
    coding : pandas.DataFrame, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    book = Codebook.from_dict(codebook)
    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 7))
    else:
        fig = ax.figure
    documents = {}
    if coding is not None:
        rolled = roll_up(coding, book, "category")
        documents = rolled.groupby("category")["document"].nunique().to_dict()
    pathways = book.pathway_ids
    x_path = {p: (i + 0.5) / max(len(pathways), 1) for i, p in enumerate(pathways)}
    positions = {book.core["id"]: (0.5, 0.92)}
    positions.update({p: (x, 0.74) for p, x in x_path.items()})
    specific = [c for c in book.main_categories if len(book.pathways_of(c)) == 1]
    shared = [c for c in book.main_categories if len(book.pathways_of(c)) > 1]
    # Each pathway is a column: its own categories stacked under it (driver first), so that
    # the dashed links to the shared categories leave from the bottom of the column.
    columns = {p: [c for c in specific if book.pathways_of(c) == [p]] for p in pathways}
    for pathway, own in columns.items():
        for k, category in enumerate(own):
            positions[category] = (x_path[pathway], 0.54 - 0.19 * k)
    lowest = min([positions[c][1] for c in specific], default=0.54)
    for k, category in enumerate(shared):
        positions[category] = ((k + 1) / (len(shared) + 1), max(lowest - 0.26, 0.06))

    def box(node, text, colour, size=8.5):
        x, y = positions[node]
        ax.text(x, y, text, ha="center", va="center", fontsize=size,
                bbox={"boxstyle": "round,pad=0.4", "facecolor": colour, "edgecolor": "#444444"})

    def line(a, b, style="-"):
        (x1, y1), (x2, y2) = positions[a], positions[b]
        ax.plot([x1, x2], [y1, y2], style, color="#777777", lw=1, zorder=0)

    for pathway in pathways:
        line(book.core["id"], pathway)
        chain = [pathway, *columns[pathway]]
        for upper, lower in zip(chain[:-1], chain[1:]):
            line(upper, lower)
        for category in shared:
            if pathway in book.pathways_of(category):
                line(chain[-1], category, "--")
    # Codebook labels are data: their Chinese forms are in the library catalog (tested).
    width = 12 if is_chinese() else 26  # a Chinese character is about two Latin ones wide
    box(book.core["id"], "\n".join(textwrap.wrap(t("Core category: {label}", label=t(book.core["label"])),
                                                 width + 8)), "#fde0c5", 10)
    for pathway in pathways:
        label = t(book.label(pathway).replace(" pathway", ""))
        box(pathway, "\n".join(textwrap.wrap(label, width)), "#cfe3f3", 9)
    for category in specific + shared:
        text = "\n".join(textwrap.wrap(t(book.label(category)), width))
        if coding is not None:
            text += "\n" + t("({n} documents)", n=documents.get(category, 0))
        box(category, text, "#e3f1dc" if category in specific else "#f3e6f5", 8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    ax.set_title(t("The grounded model: core category, pathways and categories "
                   "(dashed: categories shared by several pathways)"), fontsize=10)
    return fig


def plot_saturation(curve: pd.DataFrame, band: pd.DataFrame | None = None, *, ax=None, label: str | None = None):
    """Plot the cumulative number of codes, optionally with a permutation band.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`new_codes_curve` (``position``, ``cumulative``, ``new``).
    band : pandas.DataFrame, optional
        From :func:`permutation_curves`.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend label of the curve; default "interview order" (in the current language).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> curve = pd.DataFrame({"position": [1, 2, 3], "cumulative": [5, 7, 7], "new": [5, 2, 0]})
    >>> len(plot_saturation(curve).axes)
    1

    Raises
    ------
    GroundedError
        If ``curve`` lacks the columns of :func:`new_codes_curve`.
    """
    import matplotlib.pyplot as plt

    if not isinstance(curve, pd.DataFrame) or not {"position", "cumulative", "new"} <= set(curve.columns):
        raise GroundedError("curve must come from new_codes_curve() (columns position, cumulative, new)")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.2))
    else:
        fig = ax.figure
    if band is not None:
        ax.fill_between(band["position"], band["low"], band["high"], color="#9ecae1", alpha=0.5,
                        label=t("random orders (central band)"))
        ax.plot(band["position"], band["mean"], color="#3182bd", lw=1, ls="--", label=t("random orders (mean)"))
    ax.plot(curve["position"], curve["cumulative"], marker="o", color="#d95f02",
            label=t("interview order") if label is None else label)
    ax.bar(curve["position"], curve["new"], color="#fdae6b", alpha=0.6, label=t("new codes in this interview"))
    ax.set_xlabel(t("number of transcripts coded"))
    ax.set_ylabel(t("codes found"))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(t("Saturation: codes found as transcripts are added"))
    fig.tight_layout()
    return fig


__all__ = ["plot_cooccurrence", "plot_model", "plot_saturation"]
