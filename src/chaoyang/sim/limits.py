"""Size limits of a simulation request, checked before any work: sizes, a memory estimate, progress.

A run keeps one row of state per resident (constructs, thresholds, network, agents) and one ledger
row per day; nothing is kept per resident *and* day. Its peak memory is therefore estimated as

    bytes = BYTES_BASE + BYTES_PER_RESIDENT * n_residents + BYTES_PER_STEP * steps

with the constants measured with :mod:`tracemalloc` (peak traced allocations of
:func:`chaoyang.sim.run`, regime ``"emotional"``, after the imports): 2,596 bytes per resident
(20,000 vs 40,000 residents), 2,564 bytes per day (1,000 vs 4,000 days) and 0.7 MB for a
10-resident run; the constants round these up. ``tests/test_sim_limits.py`` checks the estimate
against a measured run within a factor of :data:`ESTIMATE_FACTOR`. Replications keep every
replicate's ledger (:data:`BYTES_PER_LEDGER_STEP` per day) and run ``n_jobs`` models at once.

Limits
------
``n_residents``
    At least :data:`MIN_RESIDENTS` (10): with fewer, shares move in steps of more than ten points,
    a ritual invites at most two people and most days prevent no incident, so the cost per
    prevented incident is undefined. Docking with Granovetter's model on a handful of agents uses
    :class:`chaoyang.sim.GranovetterModel` or :func:`chaoyang.sim.granovetter_cascade`.
    No fixed maximum: the memory estimate decides.
``steps``
    1 to :data:`MAX_STEPS` (36,500 days, a century).
``progress``
    ``None`` (default) shows a tqdm bar on stderr when ``steps * (n_residents + 1,000)`` reaches
    :data:`PROGRESS_WORK`; ``True`` always, ``False`` never.

Examples
--------
>>> estimate_bytes(2000, 365) / 1e6  # the default run, in MB
7.568
>>> check_run_size(2000, 10**9)
Traceback (most recent call last):
...
chaoyang.sim.parameters.ParameterError: steps=1,000,000,000 is out of range: use at least 1 and at most 36,500 (days; a century)
"""

from __future__ import annotations

import numpy as np

from chaoyang._resources import check_memory
from chaoyang._validate import check_count
from chaoyang.errors import ArgumentError
from chaoyang.sim.parameters import ParameterError

#: Fewest residents of a run (see the module docstring for why).
MIN_RESIDENTS = 10
#: Most days of a run (a century).
MAX_STEPS = 36_500
#: Fixed bytes of a run (model, agent sets, one community).
BYTES_BASE = 1_000_000
#: Bytes per resident (state arrays, network, mesa agent and cell), measured 2,596.
BYTES_PER_RESIDENT = 2_700
#: Bytes per day of a live run (the ledger row as a dict, then the DataFrame), measured 2,564.
BYTES_PER_STEP = 2_700
#: Bytes per resident of the lean district engine (:class:`chaoyang.sim.district.DistrictModel`): state
#: arrays and the CSR network, no mesa agents or networkx graph; peak of set-up and run, measured 636 (tracemalloc peak of
#: sim.run_district, 60,000 vs 120,000 residents).
BYTES_PER_RESIDENT_LEAN = 700
#: Fixed bytes of a district run (ledger, tables, manifest), measured 14 MB (20,000-120,000 residents).
BYTES_BASE_LEAN = 15_000_000
#: Bytes per day of a finished ledger kept by replicate() (about 50 numeric columns).
BYTES_PER_LEDGER_STEP = 500
#: The estimate is within this factor of the measured peak (tested).
ESTIMATE_FACTOR = 1.5
#: ``steps * (n_residents + 1,000)`` from which ``progress=None`` shows a bar.
PROGRESS_WORK = 10_000_000


def check_size(value, name: str, *, minimum: int, maximum: int | None = None, unit: str = "") -> int:
    """:func:`chaoyang._validate.check_count` raising :class:`ParameterError` (the simulation's error)."""
    try:
        return check_count(value, name, minimum=minimum, maximum=maximum)
    except ArgumentError as error:
        raise ParameterError(f"{error}{f' ({unit})' if unit else ''}") from None


def estimate_bytes(n_residents: int, steps: int, *, n_reps: int = 1, n_jobs: int = 1) -> float:
    """Estimated peak bytes of ``n_reps`` runs of ``n_residents`` x ``steps``, ``n_jobs`` at a time.

    Parameters
    ----------
    n_residents, steps : int
        Size of each run.
    n_reps : int, default 1
        Runs whose ledgers are kept.
    n_jobs : int, default 1
        Runs in memory at once (joblib processes; -1 counts as every core).

    Returns
    -------
    float
        Bytes (see the module docstring for the formula and its measurement).
    """
    live = BYTES_BASE + BYTES_PER_RESIDENT * n_residents + BYTES_PER_STEP * steps
    kept = BYTES_PER_LEDGER_STEP * steps * n_reps
    return float(max(1, min(n_jobs, n_reps)) * live + kept)


def check_district_size(n_residents, steps, *, where: str = "sim.run_district",
                        available: int | None = None) -> tuple[int, int, float]:
    """Check the sizes of a district run (lean engine) and its memory; return sizes and the estimate in bytes.

    Raises
    ------
    ParameterError
        ``n_residents`` below :data:`MIN_RESIDENTS` or ``steps`` outside 1..:data:`MAX_STEPS`.
    SizeError
        The estimate (``BYTES_BASE_LEAN + BYTES_PER_RESIDENT_LEAN * n_residents + BYTES_PER_STEP * steps``)
        exceeds the available memory; the message gives both.

    Examples
    --------
    >>> n, steps, estimate = check_district_size(3_452_460, 365, available=10**11)
    >>> round(estimate / 1e9, 2)  # GB for all of Chaoyang
    2.43
    """
    n_residents = check_size(n_residents, "n_residents", minimum=MIN_RESIDENTS,
                             unit="residents; the model needs a few to form a community")
    steps = check_size(steps, "steps", minimum=1, maximum=MAX_STEPS, unit="days; a century")
    estimate = float(BYTES_BASE_LEAN + BYTES_PER_RESIDENT_LEAN * n_residents + BYTES_PER_STEP * steps)
    check_memory(estimate, f"{where}(n_residents={n_residents:,}, steps={steps:,})",
                 f"use a smaller scale (each resident needs about {BYTES_PER_RESIDENT_LEAN:,} bytes) or fewer days",
                 available=available)
    return n_residents, steps, estimate


def check_run_size(n_residents, steps, *, n_reps: int = 1, n_jobs: int = 1, where: str = "sim.run",
                   available: int | None = None) -> tuple[int, int]:
    """Check sizes and the memory estimate of a request before any work; return the checked sizes.

    Raises
    ------
    ParameterError
        ``n_residents`` below :data:`MIN_RESIDENTS` or ``steps`` outside 1..:data:`MAX_STEPS`
        (bools, floats, strings, negative values included).
    SizeError
        The memory estimate exceeds the available memory; the message gives both and what to reduce.
    """
    n_residents = check_size(n_residents, "n_residents", minimum=MIN_RESIDENTS,
                             unit="residents; the model needs a few to form a community")
    steps = check_size(steps, "steps", minimum=1, maximum=MAX_STEPS, unit="days; a century")
    if n_jobs == -1:
        import os

        n_jobs = os.cpu_count() or 1
    estimate = estimate_bytes(n_residents, steps, n_reps=n_reps, n_jobs=n_jobs)
    request = f"{where}(n_residents={n_residents:,}, steps={steps:,}" + (
        f", n_reps={n_reps:,}, n_jobs={n_jobs}" if n_reps > 1 or n_jobs > 1 else "") + ")"
    check_memory(estimate, request,
                 f"use fewer residents (each needs about {BYTES_PER_RESIDENT:,} bytes), fewer days, fewer "
                 f"replicates or fewer parallel jobs", available=available)
    return n_residents, steps


def show_progress(progress, n_residents: int, steps: int) -> bool:
    """Resolve ``progress=None/True/False`` to whether a bar is shown (see the module docstring)."""
    if progress is None:
        return steps * (n_residents + 1_000) >= PROGRESS_WORK
    if isinstance(progress, (bool, np.bool_)):
        return bool(progress)
    raise ParameterError(f"progress={progress!r} must be None (automatic), True or False")


__all__ = ["BYTES_BASE", "BYTES_PER_LEDGER_STEP", "BYTES_PER_RESIDENT", "BYTES_PER_RESIDENT_LEAN", "BYTES_BASE_LEAN",
           "check_district_size", "BYTES_PER_STEP", "ESTIMATE_FACTOR",
           "MAX_STEPS", "MIN_RESIDENTS", "PROGRESS_WORK", "check_run_size", "check_size", "estimate_bytes",
           "show_progress"]
