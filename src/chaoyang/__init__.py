"""chaoyang: the library of the Chaoyang residents teaching kit.

Modules depend downward only: ``world`` (the planted truth) <- ``data`` (generators and
loaders) <- ``grounded``, ``sem``, ``qca``, ``sim`` (the methods) <- ``plots``.

Importing the package limits BLAS to one thread (see :mod:`chaoyang._blas`).

Examples
--------
>>> import chaoyang
>>> survey = chaoyang.data.load("survey")  # doctest: +SKIP
"""

from __future__ import annotations

from chaoyang._blas import limit_blas_threads

limit_blas_threads(1)

from chaoyang.envcheck import check_env  # noqa: E402
from chaoyang.errors import ChaoyangError, ChaoyangWarning  # noqa: E402

from chaoyang._version import __version__  # noqa: E402  (the one version: pyproject.toml)


def __getattr__(name):
    # Submodules are imported on first use so that `import chaoyang` stays fast in every notebook.
    import importlib

    if name in {"world", "data", "grounded", "sem", "qca", "sim", "plots"}:
        return importlib.import_module(f"chaoyang.{name}")
    raise AttributeError(f"module 'chaoyang' has no attribute {name!r}")


__all__ = ["ChaoyangError", "ChaoyangWarning", "check_env", "limit_blas_threads", "__version__"]
