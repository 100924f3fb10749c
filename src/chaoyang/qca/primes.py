"""Exact prime implicants, in the order R QCA 3.x lists them.

Two searches, as in R:

* :func:`qmc_primes` - Quine-McCluskey merging of a set of configurations (R's ``C_QMC``), used for
  the complex solution (positive rows only) and the intermediate solution (positive rows plus easy
  counterfactuals). It returns every prime implicant of that set.
* :func:`ccubes_primes` - the level-wise search of R's default ``CCubes`` method for the
  parsimonious solution: terms of 1, 2, ... literals that cover at least one positive row and no
  negative row (remainders are free), skipping terms that contain a smaller prime. Like R, the
  search stops once the primes found cover every positive row and two further levels in a row add
  nothing.

Both emulate R's discovery order, because R's final sort (:func:`chaoyang.qca.terms.r_sort`) breaks
some ties by it; the term order of models then matches R's print.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from chaoyang.errors import ChaoyangError
from chaoyang.qca.terms import bit, r_sort

#: Refuse prime-implicant searches that would visit more than this many candidate terms.
MAX_CANDIDATES = 5_000_000


class SearchLimitError(ChaoyangError, RuntimeError):
    """A minimization would exceed its documented size limits (raised instead of hanging)."""


def qmc_primes(minterms, k: int) -> list[tuple[int, int]]:
    """Prime implicants of a set of configurations by Quine-McCluskey merging, in R's order.

    Each round merges every pair of implicants (taken in R's pair order) that differ in exactly
    one literal; new implicants are listed in order of the first pair that produced them, followed
    by the implicants that merged with nothing. Rounds repeat until nothing merges.

    Parameters
    ----------
    minterms : sequence of int
        Configurations (integers, first condition most significant), in truth-table order.
    k : int
        Number of conditions.

    Returns
    -------
    list of (care, value)
        Prime implicants sorted as R sorts them.

    Examples
    --------
    >>> qmc_primes([0b101, 0b111], 3)  # A*~B*C + A*B*C = A*C
    [(5, 5)]
    """
    full = (1 << k) - 1
    current = list(dict.fromkeys((full, int(m)) for m in minterms))
    while len(current) > 1:
        position = {imp: i for i, imp in enumerate(current)}
        first_pair: dict[tuple[int, int], tuple[int, int]] = {}
        merged = [False] * len(current)
        for i, (care, value) in enumerate(current):
            rest = care
            while rest:
                b = rest & -rest
                rest ^= b
                j = position.get((care, value ^ b))
                if j is not None and j > i:
                    new = (care ^ b, value & ~b)
                    key = (i, j)
                    if new not in first_pair or key < first_pair[new]:
                        first_pair[new] = key
                    merged[i] = merged[j] = True
        if not first_pair:
            break
        found = sorted(first_pair, key=first_pair.__getitem__)
        current = found + [imp for imp, m in zip(current, merged) if not m]
    return [current[i] for i in r_sort(current, k)]


def _pack(flags: np.ndarray) -> int:
    """Boolean vector -> Python int bit set (bit i = flags[i])."""
    if flags.size == 0:
        return 0
    return int.from_bytes(np.packbits(flags.astype(bool), bitorder="little").tobytes(), "little")


def cover_masks(implicants, positives: np.ndarray) -> list[int]:
    """For each implicant, the bit set of positive rows (by position in ``positives``) it covers."""
    positives = np.asarray(positives, dtype=np.int64)
    return [_pack((positives & care) == value) for care, value in implicants]


def ccubes_primes(positives, negatives, k: int, *, max_candidates: int = MAX_CANDIDATES):
    """Prime implicants for the parsimonious solution (remainders as don't-cares), R's CCubes order.

    Parameters
    ----------
    positives : sequence of int
        Configurations with ``OUT = 1``, in truth-table order.
    negatives : sequence of int
        Configurations that must not be covered (``OUT = 0`` and contradictions).
    k : int
        Number of conditions.
    max_candidates : int
        Budget on candidate terms examined; beyond it :class:`SearchLimitError` is raised.

    Returns
    -------
    list of (care, value)
        Prime implicants covering at least one positive row, sorted as R sorts them.

    Examples
    --------
    >>> ccubes_primes([0b11], [0b00], 2)  # A*B positive, ~A*~B negative: primes A and B
    [(2, 2), (1, 1)]
    """
    pos = np.asarray(positives, dtype=np.int64)
    neg = np.asarray(negatives, dtype=np.int64)
    full_cover = (1 << len(pos)) - 1
    neg_projections: dict[int, set[int]] = {0: set() if neg.size == 0 else {0}}
    found: list[tuple[int, int]] = []
    covered = 0
    counter = 0
    examined = 0
    for level in range(1, k + 1):
        found_at_level = False
        for cols in combinations(range(k), level):
            care = 0
            for j in cols:
                care |= bit(j, k)
            neg_proj = set((neg & care).tolist())
            neg_projections[care] = neg_proj
            # unique projections of positive rows, in order of first occurrence (R's get_uniques)
            candidates = dict.fromkeys((pos & care).tolist())
            examined += len(candidates)
            if examined > max_candidates:
                raise SearchLimitError(
                    f"prime-implicant search exceeded {max_candidates} candidate terms; "
                    "use fewer conditions or a stricter truth table"
                )
            for value in candidates:
                if value in neg_proj:
                    continue
                # prime unless dropping one literal still avoids every negative row
                redundant = False
                rest = care
                while rest:
                    b = rest & -rest
                    rest ^= b
                    if (value & ~b) not in neg_projections[care ^ b]:
                        redundant = True
                        break
                if redundant:
                    continue
                found.append((care, value))
                found_at_level = True
                covered |= _pack((pos & care) == value)
        if found and covered == full_cover:
            counter = 0 if found_at_level else counter + 1
            if counter > 1:
                break
    return [found[i] for i in r_sort(found, k)]
