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


# --------------------------------------------------------------------------------------------------
# The built site, served and opened in one browser for the whole test process. These fixtures live
# here, not in a test module: a fixture imported into a second module is a second fixture, and a
# second sync Playwright instance in the same process fails ("Sync API inside the asyncio loop").
# --------------------------------------------------------------------------------------------------
import sys  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "site"))  # helpers (not a package: `site` is stdlib)

#: Viewport of the desktop browser used by the site tests.
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """``_build/html`` of one -W build of the whole book, shared by every module of this test process."""
    from _book import built_site

    return built_site(tmp_path_factory)


@pytest.fixture(scope="session")
def site_url(built_book):
    from site_server import serve

    with serve(built_book) as base:
        yield base


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    from site_browser import CHROMIUM_ARGS, PLAYWRIGHT_PIN, chromium_path, missing

    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("The Python package playwright", f".venv/bin/pip install {PLAYWRIGHT_PIN}  (never `playwright install`)")
    profile = tmp_path_factory.mktemp("chromium-profile")  # fresh user-data dir: no stored theme, no cache
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=CHROMIUM_ARGS, headless=True,
            viewport=DESKTOP, accept_downloads=True, service_workers="block")
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


# The red-team notebooks are hostile on purpose (they loop, fork, fill the disk, exhaust memory): they run
# only inside the grading sandbox, through tests/test_grading_redteam.py, never under nbmake. (A conftest.py
# inside tests/redteam/ would shadow this module for `from conftest import ...`.)
collect_ignore_glob = ["redteam/*"]
