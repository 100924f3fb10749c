"""The kit's version, read from the one place it is written: ``pyproject.toml``.

Why not ``importlib.metadata`` alone: an editable install (``pip install -e .``, what
``requirements.txt`` does) records the version it was installed with, and keeps reporting it after
``pyproject.toml`` changes until the next reinstall. So in a source checkout the version is read from
the checkout's ``pyproject.toml``; an installed wheel has no such file and uses the package metadata;
a bare copy of ``src/`` with neither reports ``"0+unknown"`` (a valid PEP 440 local version that sorts
below every release) instead of failing at import.

Examples
--------
>>> from chaoyang._version import version_from_pyproject
>>> import re
>>> bool(re.fullmatch(r"\\d+\\.\\d+\\.\\d+", version_from_pyproject()))
True
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

#: ``pyproject.toml`` of the checkout this file lives in (``src/chaoyang/_version.py`` -> repository root).
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

#: What ``__version__`` says when neither a checkout nor an installed distribution names a version.
UNKNOWN = "0+unknown"


def version_from_pyproject(path: Path | None = None) -> str | None:
    """Return ``[project] version`` of ``path`` if it is the kit's ``pyproject.toml``, else ``None``.

    Parameters
    ----------
    path : pathlib.Path, optional
        A ``pyproject.toml``; default :data:`PYPROJECT`, the one of the checkout holding this module.

    Returns
    -------
    str or None
        The version string (``"1.0.0"``), or ``None`` when the file is absent or belongs to
        another project.
    """
    path = PYPROJECT if path is None else Path(path)
    if not path.is_file():
        return None
    project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    if project.get("name") != "chaoyang":
        return None
    return project.get("version")


def kit_version() -> str:
    """Return the kit's version: the checkout's ``pyproject.toml``, else the installed metadata.

    Returns
    -------
    str
        E.g. ``"1.0.0"``; ``"0+unknown"`` when neither source exists.
    """
    from_source = version_from_pyproject()
    if from_source:
        return from_source
    try:
        return importlib.metadata.version("chaoyang")
    except importlib.metadata.PackageNotFoundError:
        return UNKNOWN


__version__ = kit_version()
