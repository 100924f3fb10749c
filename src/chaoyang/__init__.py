"""chaoyang: the library of the Chaoyang residents teaching kit.

Layers depend downward only (a test checks every import):

``errors``
    :class:`ChaoyangError` and :class:`ChaoyangWarning`, the bases of every error and warning.
``world``
    The planted truth, declarative: constructs, items, paths, configurations, community types.
``data``
    Generators and loaders of every dataset (the capstone's too).
``grounded``, ``sem``, ``qca``, ``sim``, ``describe``
    The methods: they return data and result objects and never import a higher layer.
``plots``, ``widgets``, ``teaching``
    Figures, the three notebook widgets, and course tooling (assignments and grading).

Every subpackage is available as an attribute on first use (``chaoyang.sem.fit``), so that
``import chaoyang`` stays fast. Importing the package limits BLAS to one thread (see
:mod:`chaoyang._blas`).

Examples
--------
>>> import chaoyang
>>> chaoyang.describe.participation.holm_adjust([0.01, 0.04]).round(2).tolist()
[0.02, 0.04]
>>> issubclass(chaoyang.sem.SEMSyntaxError, chaoyang.ChaoyangError)
True
"""

from __future__ import annotations

from chaoyang._blas import limit_blas_threads

limit_blas_threads(1)

from chaoyang.envcheck import check_env  # noqa: E402
from chaoyang.errors import ChaoyangError, ChaoyangWarning  # noqa: E402

from chaoyang._version import __version__  # noqa: E402  (the one version: pyproject.toml)

#: Public subpackages, imported on first attribute access.
SUBPACKAGES = ("world", "data", "grounded", "sem", "qca", "sim", "describe", "plots", "widgets", "teaching")


def __getattr__(name):
    import importlib

    if name in SUBPACKAGES:
        return importlib.import_module(f"chaoyang.{name}")
    raise AttributeError(f"module 'chaoyang' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(SUBPACKAGES))


__all__ = ["ChaoyangError", "ChaoyangWarning", "SUBPACKAGES", "check_env", "limit_blas_threads", "__version__"]
