"""The kit installs, imports and keeps its own promises (pins, clean notebooks, one BLAS thread)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT

REQUIRED = {"jupyter-book", "numpy", "pandas", "semopy", "matplotlib", "ipywidgets", "mesa", "networkx", "nbmake",
            "pytest", "pytest-xdist", "sphinx-exercise", "sphinxcontrib-bibtex", "threadpoolctl"}


def _requirement_lines():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            yield line


def test_library_imports_and_exposes_check_env():
    import chaoyang

    assert callable(chaoyang.check_env)
    assert chaoyang.world.DEFAULT_WORLD.seed == 20240601


def test_every_direct_dependency_is_pinned_exactly():
    lines = list(_requirement_lines())
    loose = [line for line in lines if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^\s=]+", line)]
    assert not loose, f"unpinned lines in requirements.txt: {loose}"
    names = {re.split(r"==", line)[0].lower() for line in lines}
    assert REQUIRED <= names, f"requirements.txt lacks {sorted(REQUIRED - names)}"


def test_jupyter_book_is_pinned_below_2():
    pins = dict(line.split("==") for line in _requirement_lines())
    assert pins["jupyter-book"].startswith("1."), "Jupyter Book 2 cannot build offline and ignores _config.yml"
    assert pins["mesa"].startswith("3."), "the simulation uses the mesa 3 API"


def test_pip_check_is_clean():
    result = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_installed_versions_match_the_pins():
    from chaoyang.envcheck import environment_report

    off = [(r.name, r.pinned, r.installed) for r in environment_report() if not r.ok]
    assert not off, f"installed versions differ from requirements.txt: {off}"


def test_fallback_pins_agree_with_requirements():
    from chaoyang.envcheck import FALLBACK_PINS, read_pins

    pins = read_pins(ROOT / "requirements.txt")
    disagree = {k: (v, pins.get(k)) for k, v in FALLBACK_PINS.items() if pins.get(k) != v}
    assert not disagree, f"envcheck.FALLBACK_PINS out of sync with requirements.txt: {disagree}"


def test_check_env_names_the_fix_for_a_wrong_major_version(capsys):
    from chaoyang.envcheck import check_env

    ok = check_env(pins={"mesa": "2.4.0", "numpy": "2.4.0"})
    out = capsys.readouterr().out
    assert ok is False
    assert "pip install mesa==2.4.0" in out
    mesa_line = next(line for line in out.splitlines() if line.strip().startswith("mesa"))
    assert "WRONG MAJOR VERSION (2.x needed)" in mesa_line and "Agent(model)" in mesa_line
    numpy_line = next(line for line in out.splitlines() if line.strip().startswith("numpy"))
    assert "WRONG MAJOR" not in numpy_line and "pip install numpy==2.4.0" in numpy_line


def test_check_env_reports_a_missing_package(capsys):
    from chaoyang.envcheck import check_env

    assert check_env(pins={"surely-not-installed-pkg": "1.0"}) is False
    assert "not installed: run  pip install surely-not-installed-pkg==1.0" in capsys.readouterr().out


def test_importing_chaoyang_limits_blas_to_one_thread():
    code = ("import numpy, chaoyang, threadpoolctl, json;"
            "print(json.dumps([p['num_threads'] for p in threadpoolctl.threadpool_info()]))")
    env = {k: v for k, v in __import__("os").environ.items() if not k.endswith("_NUM_THREADS")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    threads = json.loads(result.stdout.strip().splitlines()[-1])
    assert threads and all(n == 1 for n in threads), threads


def _notebooks():
    return sorted(p for folder in ("notebooks", "exercises") for p in (ROOT / folder).rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def _dirty_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [i for i, cell in enumerate(nb["cells"])
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)]


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_stored_without_outputs(path):
    assert not _dirty_cells(path), f"{path.name}: cells {_dirty_cells(path)} carry outputs; clear them before committing"


def test_clean_notebook_check_catches_an_output(tmp_path):
    dirty = tmp_path / "dirty.ipynb"
    dirty.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "1", "metadata": {},
                                            "outputs": [{"output_type": "execute_result"}], "execution_count": 1}],
                                 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    assert _dirty_cells(dirty) == [0]


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_start_with_the_environment_check(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first_code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "check_env()" in "".join(first_code["source"]), f"{path.name}: first code cell must call chaoyang.check_env()"


def test_every_notebook_in_notebooks_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    missing = [p.stem for p in (ROOT / "notebooks").glob("*.ipynb") if f"notebooks/{p.stem}" not in toc]
    assert not missing, f"notebooks not in _toc.yml (they would not be in the book): {missing}"


def test_makefile_and_ci_use_the_two_commands():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [book_recipe] = re.findall(r"^book-en:.*\n\t(.+)$", makefile, flags=re.M)
    assert "build_editions.py html --lang en" in book_recipe
    assert re.search(r"^book: book-en\n\t.*build_editions.py html --lang zh_CN", makefile, flags=re.M)
    # Both editions are built with warnings as errors (book/_ext/build_editions.py).
    editions = (ROOT / "book" / "_ext" / "build_editions.py").read_text(encoding="utf-8")
    assert 'return _build("html", edition_output(lang), overrides, doctrees, warnings_as_errors=True)' in editions
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make book" in readme and "make test" in readme and "pip install -r requirements.txt" in readme


def test_mathjax_is_served_from_the_site():
    import sys

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from book_offline import MATHJAX_ENTRY, mathjax_source_dir

    source = mathjax_source_dir()
    assert (source / MATHJAX_ENTRY).stat().st_size > 500_000
    assert any((source / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_widget_cells_are_not_executed_by_the_build(path):
    """Displaying an ipywidget can leave nbclient waiting forever (nbclient issue 312, seen here in
    full book builds). Widget cells are shown to readers as a static figure anyway, so they carry
    `skip-execution` (honoured by nbclient, hence by the book build and nbmake) as well as
    `remove-output`; the widget code itself is unit-tested in tests/."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code" and re.search(r"\b\w*(widget|explorer)\(", source) and "figure" not in source:
            assert "skip-execution" in tags and "remove-output" in tags, f"{path.name} cell {index}: {source[:60]!r}"


def test_chapter_notebooks_are_executed_once_per_test_run():
    """The book build (tests/_book.py) executes every chapter; nbmake must not run them a second time."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [test_recipe] = re.findall(r"^test:.*\n\t(.+)$", makefile, flags=re.M)
    assert "--nbmake" in test_recipe and "exercises" in test_recipe.split()
    assert "notebooks" not in test_recipe.split(), "notebooks/ run by nbmake and again by the book build"
