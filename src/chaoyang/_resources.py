"""Memory available to this process, and a guard that refuses requests that would not fit.

One home for "will this fit?": :func:`available_memory` reads the memory the operating system can
give without swapping (``psutil.virtual_memory().available`` when psutil is importable,
``MemAvailable`` from ``/proc/meminfo`` on Linux, ``os.sysconf`` available pages elsewhere on
POSIX); :func:`check_memory` raises :class:`~chaoyang.errors.SizeError` naming the estimate, the
available memory and how to make the request smaller, before any work is done.

Examples
--------
>>> available_memory() is None or available_memory() > 0
True
>>> check_memory(10**6, "a toy request", "use fewer toys")  # 1 MB always fits
>>> check_memory(10**18, "a toy request", "use fewer toys")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
chaoyang.errors.SizeError: a toy request needs about 1,000,000,000,000 MB of memory, but only ... MB is available on this machine; use fewer toys
"""

from __future__ import annotations

import os
from pathlib import Path

from chaoyang.errors import SizeError

__all__ = ["available_memory", "check_memory", "format_bytes"]


def available_memory() -> int | None:
    """Bytes of memory available to new allocations without swapping, or None if unknown.

    Returns
    -------
    int or None
        ``psutil.virtual_memory().available`` if psutil is importable; else ``MemAvailable`` of
        ``/proc/meminfo`` (Linux); else available physical pages x page size (other POSIX); else
        None (Windows without psutil), in which case no guard can refuse on memory.
    """
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        return int(psutil.virtual_memory().available)
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024  # the file reports kB (KiB)
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def format_bytes(n_bytes: float) -> str:
    """``n_bytes`` in MB (10**6 bytes) with thousands separators, e.g. ``'1,234 MB'``."""
    return f"{n_bytes / 1e6:,.0f} MB"


def check_memory(estimate: float, what: str, how_to_reduce: str, *, available: int | None = None) -> None:
    """Raise SizeError if ``estimate`` bytes exceed the available memory.

    Parameters
    ----------
    estimate : float
        Estimated peak bytes of the request.
    what : str
        The request, for the message (e.g. ``"sim.run(n_residents=10,000,000, steps=365)"``).
    how_to_reduce : str
        What the caller can change, for the message.
    available : int, optional
        Available bytes; default :func:`available_memory` (no check if that is unknown).

    Raises
    ------
    SizeError
        The message states the estimate, the available memory and ``how_to_reduce``.
    """
    if available is None:
        available = available_memory()
    if available is None or estimate <= available:
        return
    raise SizeError(f"{what} needs about {format_bytes(estimate)} of memory, but only {format_bytes(available)} "
                    f"is available on this machine; {how_to_reduce}")
