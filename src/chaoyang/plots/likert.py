"""Diverging stacked bars for Likert and frequency items (matplotlib).

Each item is one horizontal bar split into its response levels. The bars are centred on the
middle of the neutral level: disagreement (or "never"/"rarely") extends to the left, agreement
(or "often"/"very often") to the right, and half of the neutral share sits on each side
(Robbins & Heiberger 2011). Items can be sorted by their share of high answers, so the eye reads
a ranking. Colours come from a colour-blind-safe diverging palette (ColorBrewer BrBG).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from chaoyang.describe.participation import FREQUENCY_LABELS, response_shares
from chaoyang.i18n import t

#: ColorBrewer BrBG, 5 classes: colour-blind safe, prints in grey with distinct tones.
_PALETTE = ("#a6611a", "#dfc27d", "#e0e0e0", "#80cdc1", "#018571")


def diverging_offsets(shares: np.ndarray) -> np.ndarray:
    """Left edge of every segment of diverging bars centred on the middle level.

    Parameters
    ----------
    shares : numpy.ndarray, shape (items, levels)
        Shares per level (rows sum to 1); an odd number of levels, the middle one neutral.

    Returns
    -------
    numpy.ndarray, same shape
        Left edge of each segment: the bar starts at minus (shares below neutral + half of
        neutral), so that the neutral segment is centred on 0.

    Examples
    --------
    >>> diverging_offsets(np.array([[0.1, 0.2, 0.4, 0.2, 0.1]])).round(2).tolist()
    [[-0.5, -0.4, -0.2, 0.2, 0.4]]
    """
    shares = np.asarray(shares, dtype=float)
    if shares.ndim != 2 or shares.shape[1] % 2 == 0:
        raise ValueError(f"shares must be a 2-D array with an odd number of levels, got shape {shares.shape}")
    middle = shares.shape[1] // 2
    start = -(shares[:, :middle].sum(axis=1) + shares[:, middle] / 2)
    return start[:, None] + np.concatenate([np.zeros((shares.shape[0], 1)), np.cumsum(shares, axis=1)[:, :-1]],
                                           axis=1)


def diverging_stacked_bars(frame, columns: Sequence[str], *, item_labels: dict | Sequence[str] | None = None,
                           level_labels: Sequence[str] = FREQUENCY_LABELS, sort: bool = True, ax=None,
                           title: str | None = None, show_percent: bool = True):
    """Draw diverging stacked bars of five-level items.

    Parameters
    ----------
    frame : pandas.DataFrame
        Respondents' answers, whole numbers 1–5 (missing answers left out). Not modified.
    columns : sequence of str
        Item columns, drawn top to bottom (or sorted, see ``sort``).
    item_labels : dict or sequence of str, optional
        Readable names of the items (column -> name, or one name per column).
    level_labels : sequence of 5 str, default never … very often
        Legend entries for levels 1–5 (use ``chaoyang.describe.participation.AGREEMENT_LABELS`` for
        agreement items).
    sort : bool, default True
        Sort items by their share of answers 4 or 5, highest on top.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    title : str, optional
        Axes title.
    show_percent : bool, default True
        Write the percentage of low (1–2) and high (4–5) answers at the ends of each bar.

    Returns
    -------
    matplotlib.axes.Axes
        The x axis runs from -1 to 1 (share of answers; 0 = middle of the neutral level).

    Raises
    ------
    KeyError, TypeError, ValueError
        From :func:`chaoyang.describe.participation.response_shares` (unknown column, non-numeric data,
        values off the 1–5 scale); ValueError if the labels do not match.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 5], "b": [3, 3, 4, 4, 2, 1]})
    >>> ax = diverging_stacked_bars(df, ["a", "b"])
    >>> len(ax.patches)
    10
    """
    import matplotlib.pyplot as plt

    columns = [columns] if isinstance(columns, str) else list(columns)
    if len(level_labels) != 5:
        raise ValueError(f"level_labels must name the 5 levels, got {len(level_labels)}")
    if item_labels is None:
        names = {c: c for c in columns}
    elif isinstance(item_labels, dict):
        names = {c: item_labels.get(c, c) for c in columns}
    else:
        if len(item_labels) != len(columns):
            raise ValueError(f"item_labels has {len(item_labels)} names for {len(columns)} columns")
        names = dict(zip(columns, item_labels))
    table = response_shares(frame, columns)
    shares = table[[1, 2, 3, 4, 5]]
    if sort:
        order = (shares[4] + shares[5]).sort_values(ascending=True, kind="stable").index
        shares = shares.loc[order]
    else:
        shares = shares.iloc[::-1]  # barh draws bottom-up; keep the given order top-down
    values = shares.to_numpy()
    left = diverging_offsets(values)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(columns) + 1.6))
    y = np.arange(len(shares))
    for level in range(5):
        ax.barh(y, values[:, level], left=left[:, level], color=_PALETTE[level], edgecolor="white",
                height=0.7, label=t(level_labels[level]))
    if show_percent:
        for i in range(len(shares)):
            low, high = values[i, :2].sum(), values[i, 3:].sum()
            ax.text(left[i, 0] - 0.01, y[i], f"{low:.0%}", ha="right", va="center", fontsize=8)
            ax.text(left[i, -1] + values[i, -1] + 0.01, y[i], f"{high:.0%}", ha="left", va="center", fontsize=8)
    ax.axvline(0, color="#555555", lw=0.8)
    ax.set_yticks(y, [t(names[c]) for c in shares.index])  # known names (FORM_NAMES) in the current language
    ax.set_xlim(-1, 1)
    ticks = np.linspace(-1, 1, 5)
    ax.set_xticks(ticks, [f"{abs(t):.0%}" for t in ticks])
    ax.set_xlabel(t("share of answers (left: levels 1-2 and half of 3; right: half of 3 and levels 4-5)"))
    ax.legend(ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


__all__ = ["diverging_offsets", "diverging_stacked_bars"]
