"""Find and launch Debian's Chromium for Playwright, or say exactly what to install.

Playwright's own browser downloads are not used (``playwright install`` needs a host this kit cannot
reach); the system Chromium from Debian is driven instead through ``executable_path``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Pinned in requirements.txt; repeated here only for the message that says how to install it.
PLAYWRIGHT_PIN = "playwright==1.65.2"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: Flags for a headless run on a machine with a closed network: without the background-networking
#: ones Chromium keeps dialling Google services, and those refused connections slow every page.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

INSTALL_CHROMIUM = "apt-get update && apt-get install -y chromium"


def in_ci() -> bool:
    """True when the environment variable ``CI`` says this is a CI run (``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def missing(what: str, how: str) -> None:
    """Skip the calling test because ``what`` is missing, or fail it under CI, where it must run.

    Parameters
    ----------
    what : str
        The missing piece, e.g. ``"Chromium"``.
    how : str
        The command that installs it, quoted in the message.

    Raises
    ------
    pytest.skip.Exception
        Outside CI.
    pytest.fail.Exception
        Under CI (``CI=true``): the browser tests are part of the required suite there.
    """
    message = f"{what} is missing, so the browser tests cannot run. Install it with: {how}"
    if in_ci():
        pytest.fail(message + " (CI=true: the browser tests must run in CI)")
    pytest.skip(message)


def chromium_path() -> str:
    """Return the Chromium binary to drive (``$CHROMIUM`` if set, else ``chromium`` on PATH).

    Raises
    ------
    pytest.skip.Exception or pytest.fail.Exception
        When no Chromium is installed (see :func:`missing`).
    """
    wanted = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not (Path(wanted).is_file() and os.access(wanted, os.X_OK)):
        missing("Chromium", INSTALL_CHROMIUM)
    return wanted


def axe_script() -> Path:
    """Return axe-core's ``axe.min.js`` installed by ``npm ci`` at the repository root.

    Raises
    ------
    pytest.skip.Exception or pytest.fail.Exception
        When ``node_modules/axe-core`` is missing (see :func:`missing`).
    """
    if not AXE_SCRIPT.is_file():
        missing("axe-core (npm)", f"cd {ROOT} && npm ci")
    return AXE_SCRIPT
