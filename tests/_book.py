"""One build of the whole book per test process, shared by every test module that needs the site.

pytest gives a session fixture imported into two test modules two separate caches, so two modules
asking for ``built_book`` would build the book twice. Here the build is cached at the process level
instead: the first caller builds a temporary copy of the repository with warnings as errors, later
callers get the same folder. Under pytest-xdist the modules that use it share the
``xdist_group("book")`` mark, so they run in one worker and share one build.

Test modules use the session fixture ``built_book`` of ``tests/conftest.py``, which calls
:func:`built_site`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = str(Path(sys.executable).parent / "jupyter-book")

#: Folders and files never copied into the throw-away build: environments, outputs, caches and the
#: npm packages of the browser tests (node_modules holds Markdown files Sphinx need not scan).
COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache", ".hypothesis",
                                     ".ipynb_checkpoints", ".mathjax_static", "*.egg-info", "node_modules")

#: Set this to an already built ``_build/html`` to skip the build while developing the site tests,
#: e.g. ``CHAOYANG_BUILT_SITE=_build/html pytest tests/test_site_browser.py`` after ``make book``.
PREBUILT_ENV = "CHAOYANG_BUILT_SITE"

_cache: dict[str, Path | str] = {}


def build(source: Path) -> subprocess.CompletedProcess:
    """Build the Jupyter Book in ``source`` with warnings as errors.

    Parameters
    ----------
    source : pathlib.Path
        Folder holding ``_config.yml`` and ``_toc.yml``.

    Returns
    -------
    subprocess.CompletedProcess
        The finished ``jupyter-book build`` run (``returncode`` 0 on success, output captured).
    """
    # MPLBACKEND=Agg is common on servers and CI and would hide every figure of the book; the build
    # must set the kernels' backend itself (book/_ext/book_fixes.py), so the test build inherits it.
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([JUPYTER_BOOK, "build", str(source), "--warningiserror", "--keep-going"],
                          capture_output=True, text=True, timeout=1800, env=env)


def build_both_editions(source: Path) -> subprocess.CompletedProcess:
    """Build the kit's two editions in ``source`` as ``make book`` does (English, then Chinese into ``zh/``).

    Parameters
    ----------
    source : pathlib.Path
        A copy of the repository (it holds ``book/_ext/build_editions.py``).

    Returns
    -------
    subprocess.CompletedProcess
        ``returncode`` 0 when both builds succeeded; stdout and stderr of both.
    """
    env = {**os.environ, "MPLBACKEND": "Agg"}  # see build(): the build sets the kernels' backend itself
    script = str(source / "book" / "_ext" / "build_editions.py")
    runs = []
    for lang in ("en", "zh_CN"):
        runs.append(subprocess.run([sys.executable, script, "html", "--lang", lang], capture_output=True,
                                   text=True, timeout=2400, env=env, cwd=source))
        if runs[-1].returncode != 0:
            break
    return subprocess.CompletedProcess(runs[-1].args, runs[-1].returncode, "\n".join(r.stdout for r in runs),
                                       "\n".join(r.stderr for r in runs))


def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return ``_build/html`` of a fresh build of the whole book, building it on first use only.

    Parameters
    ----------
    tmp_path_factory : pytest.TempPathFactory
        pytest's session temporary-folder factory; the copy lives under its base folder.

    Returns
    -------
    pathlib.Path
        The built site's root folder (it holds ``index.html``; the Chinese edition is in ``zh/``).

    Raises
    ------
    pytest.fail.Exception
        If the build fails; the message holds the end of the build log and every execution report.
    """
    prebuilt = os.environ.get(PREBUILT_ENV)
    if prebuilt:
        html = Path(prebuilt).resolve()
        assert (html / "index.html").is_file(), f"{PREBUILT_ENV}={prebuilt} holds no index.html: run `make book`"
        return html
    if "failure" in _cache:  # one failed build is reported to every caller, not repeated
        pytest.fail(_cache["failure"])
    if "html" not in _cache:
        copy = tmp_path_factory.mktemp("book") / "kit"
        shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
        result = build_both_editions(copy)
        reports = sorted((copy / "_build" / "html" / "reports").glob("**/*.err.log"))
        details = "\n".join(p.read_text(encoding="utf-8")[-3000:] for p in reports)
        if result.returncode != 0:
            _cache["failure"] = f"book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}\n{details}"
            pytest.fail(_cache["failure"])
        _cache["html"] = copy / "_build" / "html"
    return _cache["html"]
