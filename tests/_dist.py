"""One ``python -m build`` (wheel and sdist) per test process, shared by test_release.py and test_wheel.py.

``make release`` builds ``dist/`` first and passes it in (``CHAOYANG_DIST=dist``), so the tests check the
very files that get published; without it the build goes to a temporary folder. The build is isolated
(PEP 517): pip fetches the build backend named in ``pyproject.toml`` from the configured package index.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from _book import ROOT

_cache: dict[str, Path | str] = {}


def built_dist(tmp_path_factory: pytest.TempPathFactory, prebuilt: str | None = None) -> Path:
    """Return a folder holding ``chaoyang-<version>.tar.gz`` and ``chaoyang-<version>-py3-none-any.whl``.

    Parameters
    ----------
    tmp_path_factory : pytest.TempPathFactory
        Where a fresh build goes.
    prebuilt : str, optional
        A folder already built by ``make release`` (``dist``); used as it is.

    Raises
    ------
    pytest.fail.Exception
        If ``python -m build`` fails; the message holds the end of its output.
    """
    if prebuilt:
        folder = Path(prebuilt).resolve()
        assert any(folder.glob("chaoyang-*.whl")), f"{folder} holds no wheel: run `make release`"
        return folder
    if "failure" in _cache:
        pytest.fail(_cache["failure"])
    if "dist" not in _cache:
        out = tmp_path_factory.mktemp("dist")
        result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                                capture_output=True, text=True, timeout=1200)
        if result.returncode != 0:
            _cache["failure"] = f"python -m build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            pytest.fail(_cache["failure"])
        _cache["dist"] = out
    return _cache["dist"]
