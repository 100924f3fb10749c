"""Sweeps on joblib backends: serial, local processes and a local Dask cluster give identical results.

The Dask tests start a ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)``, the
local stand-in for a real cluster (``Client("tcp://scheduler:8786")``): the jobs are pickled to
two worker processes and come back through joblib's dask backend, as on a cluster.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from chaoyang import sim
from chaoyang.sim.parallel import check_backend, run_jobs

SMALL = {"n_residents": 60, "steps": 12, "seed": 11}


def _square(x):
    return x * x


def _pid(_):
    return os.getpid()


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is pinned in requirements.txt")
    # the workers import chaoyang from the same source tree as this process
    source = os.path.dirname(os.path.dirname(sim.__file__)).rsplit(os.sep, 1)[0]
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH", "")]))
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_run_jobs_keeps_the_order_of_the_jobs_on_every_local_backend():
    jobs = [(k,) for k in range(7)]
    expected = [k * k for k in range(7)]
    assert run_jobs(_square, jobs) == expected
    assert run_jobs(_square, jobs, n_jobs=2) == expected
    assert run_jobs(_square, jobs, n_jobs=2, backend="threading") == expected


def test_processes_backend_really_uses_other_processes():
    pids = set(run_jobs(_pid, [(k,) for k in range(8)], n_jobs=2))
    assert os.getpid() not in pids


@pytest.mark.parametrize("backend", ["spark", "", None, 3, True])
def test_unknown_backend_is_a_named_error(backend):
    with pytest.raises(sim.ParameterError, match="is not supported; use one of 'loky'"):
        sim.replicate(n_reps=2, backend=backend, **SMALL)


def test_dask_without_a_client_says_how_to_start_one():
    distributed = pytest.importorskip("distributed")
    try:
        distributed.get_client()
        pytest.skip("a Dask client is already running in this process")
    except ValueError:
        pass
    with pytest.raises(sim.ParameterError, match=r"needs a running Dask client: .*Client\('tcp://"):
        sim.replicate(n_reps=2, backend="dask", **SMALL)


def test_replicate_with_two_processes_equals_serial():
    serial = sim.replicate("subsidy", n_reps=4, **SMALL)
    parallel = sim.replicate("subsidy", n_reps=4, n_jobs=2, **SMALL)
    pd.testing.assert_frame_equal(serial.runs, parallel.runs)
    pd.testing.assert_frame_equal(serial.ledgers, parallel.ledgers)


def test_replicate_on_dask_equals_serial(dask_client):
    serial = sim.replicate("emotional", n_reps=4, **SMALL)
    on_dask = sim.replicate("emotional", n_reps=4, backend="dask", **SMALL)
    pd.testing.assert_frame_equal(serial.runs, on_dask.runs)
    pd.testing.assert_frame_equal(serial.ledgers, on_dask.ledgers)
    pd.testing.assert_frame_equal(serial.table, on_dask.table)
    # the runs did happen on the workers, not in this process
    pids = set(run_jobs(_pid, [(k,) for k in range(6)], backend="dask"))
    assert pids and os.getpid() not in pids


def test_a_client_object_is_a_backend(dask_client):
    assert check_backend(dask_client) is dask_client
    assert run_jobs(_square, [(k,) for k in range(5)], backend=dask_client) == [0, 1, 4, 9, 16]


def test_sweep_ofat_and_sobol_on_dask_equal_serial(dask_client):
    sweep_serial = sim.sweep("ritual_rate", [0.0, 0.6], n_reps=2, **SMALL)
    sweep_dask = sim.sweep("ritual_rate", [0.0, 0.6], n_reps=2, backend="dask", **SMALL)
    pd.testing.assert_frame_equal(sweep_serial.table, sweep_dask.table)
    ofat_serial = sim.ofat({"police_gain": (0.0, 0.5)}, n_points=2, n_reps=2, **SMALL)
    ofat_dask = sim.ofat({"police_gain": (0.0, 0.5)}, n_points=2, n_reps=2, backend="dask", **SMALL)
    pd.testing.assert_frame_equal(ofat_serial.table, ofat_dask.table)
    ranges = {"ritual_rate": (0.0, 0.5), "threshold_mean": (0.8, 1.6)}
    sobol_serial = sim.sobol(ranges, n_base=4, n_residents=40, steps=6, seed=3)
    sobol_dask = sim.sobol(ranges, n_base=4, n_residents=40, steps=6, seed=3, backend="dask")
    pd.testing.assert_frame_equal(sobol_serial.table, sobol_dask.table)
    pd.testing.assert_frame_equal(sobol_serial.samples, sobol_dask.samples)


def test_compare_regimes_on_dask_equals_serial(dask_client):
    serial = sim.compare_regimes(n_reps=3, **SMALL)
    on_dask = sim.compare_regimes(n_reps=3, backend="dask", **SMALL)
    pd.testing.assert_frame_equal(serial.table, on_dask.table)


def test_different_seeds_differ_so_equality_above_means_something():
    a = sim.replicate("emotional", n_reps=2, n_residents=60, steps=12, seed=11).runs
    b = sim.replicate("emotional", n_reps=2, n_residents=60, steps=12, seed=12).runs
    assert not np.allclose(a["participation_mean"], b["participation_mean"])
