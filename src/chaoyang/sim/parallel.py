"""Run many independent simulation jobs: serially, on local processes, or on a Dask cluster (joblib).

Every analysis of :mod:`chaoyang.sim.analysis` (``replicate``, ``compare_regimes``, ``sweep``,
``ofat``, ``sobol``, ``hysteresis``) hands its runs to :func:`run_jobs`. Each job carries its own
:class:`numpy.random.SeedSequence` child, spawned before anything runs, and joblib returns the
results in the order of the jobs, so the results do not depend on where or in which order the
jobs ran: serial, ``n_jobs=2`` local processes and a Dask cluster give identical tables for the
same seed (``tests/test_sim_parallel.py``).

Backends
--------
``"loky"`` (default)
    joblib's process pool on this machine; ``n_jobs`` processes (-1 = every core). ``n_jobs=1``
    runs in this process without joblib.
``"threading"``, ``"multiprocessing"``
    joblib's other local backends (threads share the GIL: no speed-up for this model).
``"dask"``
    Dask's distributed scheduler through joblib's dask backend. Create a client first; joblib
    then sends the jobs to its workers (``n_jobs`` is ignored: the cluster decides)::

        from dask.distributed import Client
        client = Client("tcp://scheduler-host:8786")   # a real cluster; Client() starts a local one
        sim.replicate("emotional", n_reps=100, seed=1, backend="dask")

    Every worker needs the same ``chaoyang`` version installed (``pip install chaoyang`` in the
    workers' environment). A :class:`dask.distributed.Client` object may also be passed as
    ``backend`` to use that client rather than the default one.

Examples
--------
>>> def square(x):
...     return x * x
>>> run_jobs(square, [(1,), (2,), (3,)])
[1, 4, 9]
>>> run_jobs(square, [(1,)], backend="spark")
Traceback (most recent call last):
...
chaoyang.sim.parameters.ParameterError: backend='spark' is not supported; use one of 'loky', 'threading', 'multiprocessing', 'dask', or a dask.distributed.Client
"""

from __future__ import annotations

import numpy as np

from chaoyang.sim.parameters import ParameterError

#: Backends accepted by name (a dask.distributed.Client object is accepted too).
BACKENDS = ("loky", "threading", "multiprocessing", "dask")

__all__ = ["BACKENDS", "check_backend", "check_n_jobs", "run_jobs"]


def _is_client(backend) -> bool:
    return type(backend).__name__ == "Client" and type(backend).__module__.startswith("distributed")


def check_n_jobs(n_jobs) -> int:
    """``n_jobs`` as an int >= 1 or -1 (every core); raise ParameterError otherwise.

    Examples
    --------
    >>> check_n_jobs(-1)
    -1
    """
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0 \
            or n_jobs < -1:
        raise ParameterError(f"n_jobs must be a whole number >= 1, or -1 for every core (joblib convention), "
                             f"got {n_jobs!r}")
    return int(n_jobs)


def check_backend(backend):
    """Return ``backend`` if it is a name of :data:`BACKENDS` or a Dask client; raise ParameterError otherwise.

    ``"dask"`` also checks, before any work, that dask.distributed is installed and that a client
    is running (the message says how to start one or install it).
    """
    if _is_client(backend):
        return backend
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ParameterError(f"backend={backend!r} is not supported; use one of "
                             f"{', '.join(repr(b) for b in BACKENDS)}, or a dask.distributed.Client")
    if backend == "dask":
        try:
            from distributed import get_client
        except ImportError:
            raise ParameterError("backend='dask' needs dask.distributed: pip install 'dask[distributed]' "
                                 "(see requirements.txt for the tested version)") from None
        try:
            get_client()
        except ValueError:
            raise ParameterError("backend='dask' needs a running Dask client: from dask.distributed import "
                                 "Client; client = Client('tcp://scheduler-host:8786') for a cluster, or "
                                 "Client() for a local one") from None
    return backend


def run_jobs(function, jobs, *, n_jobs: int = 1, backend="loky") -> list:
    """``[function(*job) for job in jobs]``, in parallel on the chosen backend, in the order of ``jobs``.

    Parameters
    ----------
    function : callable
        A module-level function (it is pickled to the workers).
    jobs : sequence of tuple
        Positional arguments of each call.
    n_jobs : int, default 1
        Local processes or threads (-1 = every core); ignored by the dask backend.
    backend : str or dask.distributed.Client, default "loky"
        See the module docstring.

    Returns
    -------
    list
        The results, in the order of ``jobs`` whatever the backend.
    """
    n_jobs = check_n_jobs(n_jobs)
    backend = check_backend(backend)
    jobs = list(jobs)
    if backend == "loky" and n_jobs == 1:
        return [function(*job) for job in jobs]
    from joblib import Parallel, delayed, parallel_config

    if backend == "dask" or _is_client(backend):
        options = {"backend": "dask"} if backend == "dask" else {"backend": "dask", "client": backend}
        with parallel_config(**options):
            return Parallel(n_jobs=-1)(delayed(function)(*job) for job in jobs)
    return Parallel(n_jobs=n_jobs, backend=backend)(delayed(function)(*job) for job in jobs)
