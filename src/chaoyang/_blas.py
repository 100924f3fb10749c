"""Limit BLAS/OpenMP to one thread as soon as the kit is imported.

On the 2-core machines the kit targets, threaded BLAS makes each semopy refit 6–40× slower
(measured), because the small matrices of an SEM gain nothing from threads and the threads fight
for the two cores. Environment variables cover libraries loaded later (and worker processes);
threadpoolctl covers those already loaded.
"""

from __future__ import annotations

import os

from chaoyang.errors import ArgumentError

_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def limit_blas_threads(n_threads: int = 1) -> None:
    """Limit BLAS and OpenMP thread pools to ``n_threads``.

    Parameters
    ----------
    n_threads : int, default 1
        Number of threads (>= 1) each BLAS/OpenMP pool may use.

    Examples
    --------
    >>> from chaoyang._blas import limit_blas_threads
    >>> limit_blas_threads(1)
    """
    if not isinstance(n_threads, int) or n_threads < 1:
        raise ArgumentError(f"n_threads must be a whole number >= 1, got {n_threads!r}")
    for name in _THREAD_VARIABLES:
        os.environ.setdefault(name, str(n_threads))
    from threadpoolctl import threadpool_limits

    # Keep a module-level reference: the limit holds for the life of the process.
    global _LIMITER
    _LIMITER = threadpool_limits(limits=n_threads)


_LIMITER = None
