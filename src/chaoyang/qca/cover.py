"""Exact solution of prime-implicant charts: every cover with the minimum number of implicants.

R QCA first finds the minimum number of prime implicants needed to cover all positive rows, then
lists every combination of that many implicants that covers them, in lexicographic order of
implicant positions. :func:`minimal_covers` returns the same list: the minimum is found exactly with
``scipy.optimize.milp`` (HiGHS branch and bound), the covers by a depth-first search in
lexicographic order with two exact prunings (a next implicant must cover a new row; no row may be
left without a later implicant able to cover it). A cap on the number of covers and a node budget
keep the search bounded; the result says when either was hit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

#: Default cap on the number of models listed per solution.
DEFAULT_MAX_MODELS = 100

#: Default budget of search nodes when listing covers.
DEFAULT_NODE_BUDGET = 2_000_000


@dataclass
class CoverResult:
    """Minimal covers of a chart: ``covers`` (tuples of implicant positions), their ``size``, and
    whether listing stopped early (``truncated``: the model cap or node budget was reached)."""

    covers: list[tuple[int, ...]]
    size: int
    truncated: bool
    reason: str = ""


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        b = mask & -mask
        out.append(b.bit_length() - 1)
        mask ^= b
    return out


def minimum_cover_size(masks: list[int], n_rows: int) -> int:
    """Smallest number of implicants whose cover bit sets jointly contain all ``n_rows`` rows.

    Raises
    ------
    ValueError
        Some row is covered by no implicant (the chart has no solution).

    Examples
    --------
    >>> minimum_cover_size([0b011, 0b110, 0b100], 3)
    2
    """
    full = (1 << n_rows) - 1
    union = 0
    for m in masks:
        union |= m
    if union != full:
        raise ValueError("the prime-implicant chart cannot be solved: some positive row is covered by no implicant")
    # Quick exits keep tiny charts away from the solver.
    if any(m == full for m in masks):
        return 1
    chart = np.zeros((n_rows, len(masks)))
    for j, m in enumerate(masks):
        chart[_bits(m), j] = 1.0
    result = milp(
        c=np.ones(len(masks)),
        constraints=LinearConstraint(chart, lb=np.ones(n_rows), ub=np.inf),
        integrality=np.ones(len(masks)),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"set-cover solver failed: {result.message}")
    return int(round(result.fun))


def minimal_covers(masks: list[int], n_rows: int, *, max_models: int = DEFAULT_MAX_MODELS,
                   node_budget: int = DEFAULT_NODE_BUDGET) -> CoverResult:
    """All covers with the minimum number of implicants, in R's (lexicographic) order.

    Parameters
    ----------
    masks : list of int
        Bit set of rows covered by each implicant (in chart order).
    n_rows : int
        Number of rows (positive configurations) to cover.
    max_models : int
        Stop after this many covers (``truncated`` is then True).
    node_budget : int
        Stop after visiting this many search nodes (``truncated`` is then True).

    Returns
    -------
    CoverResult

    Examples
    --------
    >>> minimal_covers([0b011, 0b110, 0b101], 3).covers
    [(0, 1), (0, 2), (1, 2)]
    """
    if max_models < 1:
        raise ValueError(f"max_models must be at least 1, got {max_models}")
    size = minimum_cover_size(masks, n_rows)
    full = (1 << n_rows) - 1
    n = len(masks)
    # last implicant able to cover each row: a row must be covered before the search passes it
    last_cover = [-1] * n_rows
    for j, m in enumerate(masks):
        for r in _bits(m):
            last_cover[r] = j
    rows_by_deadline = sorted(range(n_rows), key=last_cover.__getitem__)
    biggest = max(bin(m).count("1") for m in masks)
    covers: list[tuple[int, ...]] = []
    nodes = 0
    stop = ""
    chosen: list[int] = []

    def search(start: int, covered: int) -> None:
        nonlocal nodes, stop
        if covered == full:
            covers.append(tuple(chosen))
            if len(covers) >= max_models:
                stop = f"model cap max_models={max_models} reached"
            return
        left = size - len(chosen)
        uncovered = full & ~covered
        if left == 0 or left * biggest < bin(uncovered).count("1"):
            return
        deadline = n - 1
        for r in rows_by_deadline:
            if uncovered >> r & 1:
                deadline = last_cover[r]
                break
        for j in range(start, deadline + 1):
            nodes += 1
            if nodes > node_budget:
                stop = f"search budget of {node_budget} nodes reached"
            if stop:
                return
            gain = masks[j] & uncovered
            if not gain:
                continue  # a minimal cover has no implicant that adds nothing
            chosen.append(j)
            search(j + 1, covered | gain)
            chosen.pop()
            if stop:
                return

    search(0, 0)
    return CoverResult(covers=covers, size=size, truncated=bool(stop), reason=stop)
