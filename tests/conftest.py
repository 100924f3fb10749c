"""Shared fixtures. Paths are resolved from this file, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Child processes (book builds, notebooks) inherit one BLAS thread each.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# Figures in this test process go to the non-interactive Agg backend. MPLBACKEND is deliberately NOT
# set in the environment: notebook kernels started by nbmake and by the book build inherit it, and
# Agg there would stop figures from appearing in the book.
import matplotlib  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
