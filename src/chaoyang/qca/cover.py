"""Exact solution of prime-implicant charts: every cover with the minimum number of implicants.

R QCA first finds the minimum number of prime implicants needed to cover all positive rows, then
lists every combination of that many implicants that covers them, in lexicographic order of
implicant positions. :func:`minimal_covers` returns the same list, computed as follows:

1. **Exact reductions** that keep every minimum cover: implicants that alone cover some row
   (essential) are in every minimum cover; a row whose covering implicants include all those of
   another row is dropped (covering the other covers it); an implicant left covering no remaining
   row can be in no minimum cover. Repeated until nothing changes.
2. The reduced chart splits into independent blocks (implicants linked through shared rows); the
   minimum of each block is found by mixed-integer programming (HiGHS via ``scipy.optimize.milp``).
3. A depth-first search lists covers in lexicographic order, pruned by a lower bound (block minima
   for untouched blocks, disjoint-row counts for touched ones), a deadline (a row must be covered
   before the search passes its last covering implicant) and the rule that each implicant of a
   minimum cover must cover a new row.

Because the essential implicants are common to all covers, lexicographic order of the reduced
covers equals R's order of the full covers. A model cap and a node budget bound the listing; the
result says when either was hit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from chaoyang.qca._checks import QCAError

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


def _popcount(mask: int) -> int:
    return bin(mask).count("1")


def _milp_minimum(masks: list[int], rows: list[int]) -> int:
    """Minimum number of the given implicants (row bit sets) covering ``rows``."""
    full = 0
    for r in rows:
        full |= 1 << r
    if any(m & full == full for m in masks):
        return 1
    chart = np.zeros((len(rows), len(masks)))
    for i, r in enumerate(rows):
        for j, m in enumerate(masks):
            if m >> r & 1:
                chart[i, j] = 1.0
    result = milp(c=np.ones(len(masks)), constraints=LinearConstraint(chart, lb=np.ones(len(rows)), ub=np.inf),
                  integrality=np.ones(len(masks)), bounds=Bounds(0, 1), options={"mip_rel_gap": 0.0})
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"set-cover solver failed: {result.message}")
    return int(round(result.fun))


def _reduce(masks: list[int], n_rows: int):
    """Essential implicants, remaining rows (bit set) and remaining implicant positions."""
    rows = (1 << n_rows) - 1
    alive = [j for j, m in enumerate(masks) if m]
    essential: list[int] = []
    while True:
        changed = False
        # rows -> bit set of implicants covering them
        covering = {}
        for r in _bits(rows):
            s = 0
            for j in alive:
                if masks[j] >> r & 1:
                    s |= 1 << j
            covering[r] = s
        singles = {s for s in covering.values() if _popcount(s) == 1}
        if singles:
            for s in singles:
                j = s.bit_length() - 1
                essential.append(j)
                rows &= ~masks[j]
            taken = set(essential)
            alive = [j for j in alive if j not in taken]
            changed = True
        else:
            # drop rows whose covering set contains another row's covering set
            keys = sorted(covering, key=lambda r: (_popcount(covering[r]), r))
            kept: list[int] = []
            for r in keys:
                if any(covering[a] & covering[r] == covering[a] for a in kept):
                    rows &= ~(1 << r)
                    changed = True
                else:
                    kept.append(r)
        useless = [j for j in alive if not masks[j] & rows]
        if useless:
            alive = [j for j in alive if masks[j] & rows]
            changed = True
        if not changed:
            return sorted(essential), rows, alive


def _blocks(masks: list[int], alive: list[int], rows: int) -> list[tuple[list[int], int]]:
    """Independent blocks of the reduced chart: (implicant positions, row bit set)."""
    parent = {j: j for j in alive}

    def find(j):
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    for r in _bits(rows):
        members = [j for j in alive if masks[j] >> r & 1]
        for j in members[1:]:
            a, b = find(members[0]), find(j)
            if a != b:
                parent[b] = a
    groups: dict[int, list[int]] = {}
    for j in alive:
        groups.setdefault(find(j), []).append(j)
    out = []
    for members in groups.values():
        block_rows = 0
        for j in members:
            block_rows |= masks[j] & rows
        out.append((members, block_rows))
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
    _check_solvable(masks, n_rows)
    essential, rows, alive = _reduce(masks, n_rows)
    return len(essential) + sum(_milp_minimum([masks[j] for j in members], _bits(block_rows))
                                for members, block_rows in _blocks(masks, alive, rows))


def _check_solvable(masks: list[int], n_rows: int) -> None:
    union = 0
    for m in masks:
        union |= m
    if union != (1 << n_rows) - 1:
        raise QCAError("the prime-implicant chart cannot be solved: some positive row is covered by no implicant")


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
    for name, value in (("max_models", max_models), ("node_budget", node_budget)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
            raise QCAError(f"{name} must be a whole number of at least 1, got {value!r}")
    _check_solvable(masks, n_rows)
    essential, rows, alive = _reduce(masks, n_rows)
    blocks = _blocks(masks, alive, rows)
    block_min = [_milp_minimum([masks[j] for j in members], _bits(block_rows)) for members, block_rows in blocks]
    size = len(essential) + sum(block_min)
    if rows == 0:
        return CoverResult([tuple(essential)], size, False)
    need = size - len(essential)
    order = sorted(alive)  # chart order of the implicants still in play
    local = [masks[j] & rows for j in order]
    n = len(local)
    covering = {r: [i for i, m in enumerate(local) if m >> r & 1] for r in _bits(rows)}
    covering_sets = {r: sum(1 << i for i in idx) for r, idx in covering.items()}
    last_cover = {r: idx[-1] for r, idx in covering.items()}
    rows_by_deadline = sorted(covering, key=last_cover.__getitem__)
    row_list = list(covering)
    chart = np.zeros((len(row_list), n))
    for a, r in enumerate(row_list):
        chart[a, covering[r]] = 1.0
    # a tiny index-dependent cost steers the solver toward covers early in R's order
    cost = 1.0 + np.arange(n) / (10.0 * n * n + 10.0)
    # one sparse constraint block (chart rows >= 1, implicant count == need), built once
    constraints = LinearConstraint(
        sparse.csr_array(np.vstack([chart, np.ones((1, n))])),
        lb=np.concatenate([np.ones(len(row_list)), [need]]),
        ub=np.concatenate([np.full(len(row_list), np.inf), [need]]),
    )
    integrality = np.ones(n)
    covers: list[tuple[int, ...]] = []
    counters = {"nodes": 0, "solves": 0}
    stop = ""

    def lower_bound(uncovered: int) -> int:
        total = 0
        for (members, block_rows), minimum in zip(blocks, block_min):
            left = uncovered & block_rows
            if not left:
                continue
            if left == block_rows:
                total += minimum
                continue
            used = 0  # rows with pairwise disjoint covering sets each need their own implicant
            for r in _bits(left):
                if not covering_sets[r] & used:
                    used |= covering_sets[r]
                    total += 1
        return total

    def cheap_infeasible(i_next: int, n_in: int, uncovered: int) -> bool:
        """True when no completion exists (implicants >= i_next still free); False if unsure."""
        left = need - n_in
        if not uncovered:
            return left != 0
        if left <= 0:
            return True
        for r in rows_by_deadline:
            if uncovered >> r & 1:
                return last_cover[r] < i_next
        return lower_bound(uncovered) > left

    def solve(i_next: int, included: list[int]) -> frozenset | None:
        """A minimum cover extending ``included`` with implicants >= i_next, or None."""
        counters["solves"] += 1
        lb = np.zeros(n)
        ub = np.zeros(n)
        ub[i_next:] = 1.0
        lb[included] = 1.0
        ub[included] = 1.0
        res = milp(c=cost, constraints=constraints, integrality=integrality, bounds=Bounds(lb, ub))
        if res.status != 0 or res.x is None:
            return None
        return frozenset(int(j) for j in np.flatnonzero(res.x > 0.5))

    def search(i: int, included: list[int], uncovered: int, witness: frozenset) -> None:
        # invariant: `witness` is a minimum cover containing `included`, all else >= i
        nonlocal stop
        if len(included) == need:
            covers.append(tuple(sorted(essential + [order[j] for j in included])))
            if len(covers) >= max_models:
                stop = f"model cap max_models={max_models} reached"
            return
        counters["nodes"] += 1
        if counters["nodes"] > node_budget:
            stop = f"search budget of {node_budget} nodes reached"
            return
        gain = local[i] & uncovered
        # branch 1: take implicant i (first in R's order)
        if gain and not cheap_infeasible(i + 1, len(included) + 1, uncovered & ~gain):
            w = witness if i in witness else solve(i + 1, included + [i])
            if w is not None:
                search(i + 1, included + [i], uncovered & ~gain, w)
                if stop:
                    return
        # branch 2: skip implicant i
        if not cheap_infeasible(i + 1, len(included), uncovered):
            w = witness if i not in witness else solve(i + 1, included)
            if w is not None:
                search(i + 1, included, uncovered, w)

    first = solve(0, [])
    if first is None:
        raise RuntimeError("set-cover solver found no cover of the minimum size")
    search(0, [], rows, first)
    covers.sort()
    return CoverResult(covers=covers, size=size, truncated=bool(stop), reason=stop)
