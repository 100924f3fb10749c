"""``pip install "chaoyang[full]"`` installs everything the chapters, the assignments and the library import.

Three levels: a static check that every third-party import of ``notebooks/``, ``exercises/`` and
``src/chaoyang/`` is covered by a core dependency or the ``full`` extra; the built wheel holds the whole
package with its authored data; and (slow) the wheel installed with ``[full]`` in a fresh virtual
environment runs a chapter notebook from a folder with no checkout around it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

#: The chapter run in the clean environment: it imports the library, pandas, scipy, matplotlib and
#: myst-nb's glue, and loads datasets that an installed wheel must regenerate from the planted truth.
NOTEBOOK = "notebooks/04_participation.ipynb"

#: Imports that need no distribution: the kit's own package.
OWN = {"chaoyang"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    return _norm(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0])


def declared(pyproject: dict, extra: str = "full") -> set[str]:
    """Normalised names of the core dependencies plus one extra."""
    project = pyproject["project"]
    specs = project.get("dependencies", []) + project.get("optional-dependencies", {}).get(extra, [])
    return {_requirement_name(s) for s in specs}


def top_level_imports(source: str) -> set[str]:
    """Top-level module names imported by Python source (notebook magics and shell lines ignored)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def kit_imports(root: Path) -> dict[str, set[str]]:
    """Map each third-party top-level module imported by the kit to the folders importing it."""
    found: dict[str, set[str]] = {}

    def add(names, where):
        for name in names - set(sys.stdlib_module_names) - OWN:
            found.setdefault(name, set()).add(where)

    for notebook in sorted((root / "notebooks").glob("*.ipynb")) + sorted((root / "exercises").glob("*/*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                add(top_level_imports("".join(cell["source"])), notebook.parent.name if "exercises" in notebook.parts
                    else "notebooks")
    for module in sorted((root / "src" / "chaoyang").rglob("*.py")):
        add(top_level_imports(module.read_text(encoding="utf-8")), "src")
    if any((root / "exercises").glob("*/*.ipynb")):
        # Student notebooks made by `otter assign` (init_cell) start with `import otter`.
        add({"otter"}, "exercises (student notebooks)")
    return found


def uncovered(imports: dict[str, set[str]], allowed: set[str], distributions: dict[str, list[str]]) -> list[str]:
    """Return the imports whose distribution is not in ``allowed`` (or that no installed distribution provides)."""
    problems = []
    for module, where in sorted(imports.items()):
        dists = {_norm(d) for d in distributions.get(module, [])}
        if not dists:
            problems.append(f"{module} (imported in {sorted(where)}): no installed distribution provides it")
        elif not dists & allowed:
            problems.append(f"{module} (imported in {sorted(where)}) comes from {sorted(dists)}, not in the full extra")
    return problems


def test_the_full_extra_covers_every_import():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    imports = kit_imports(ROOT)
    assert {"numpy", "pandas", "semopy", "mesa", "myst_nb", "otter"} <= set(imports), sorted(imports)
    problems = uncovered(imports, declared(pyproject), importlib.metadata.packages_distributions())
    assert not problems, "add these to [project.optional-dependencies] full in pyproject.toml:\n  " + "\n  ".join(problems)


def test_the_coverage_check_catches_a_missing_extra():
    imports = {"yaml": {"notebooks"}, "numpy": {"src"}, "nowhere_pkg": {"src"}}
    distributions = {"yaml": ["PyYAML"], "numpy": ["numpy"]}
    problems = uncovered(imports, {"numpy"}, distributions)
    assert len(problems) == 2 and problems[0].startswith("nowhere_pkg") and "pyyaml" in problems[1]
    assert uncovered(imports, {"numpy", "pyyaml"}, dict(distributions, nowhere_pkg=["Nowhere-Pkg"])) == [
        "nowhere_pkg (imported in ['src']) comes from ['nowhere-pkg'], not in the full extra"]


def test_every_full_extra_is_pinned_in_requirements():
    """The extra states floors; requirements.txt pins the tested versions of the same packages."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = {_requirement_name(line) for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
              if "==" in line and not line.lstrip().startswith("#")}
    missing = sorted(declared(pyproject) - pinned)
    assert not missing, f"in pyproject.toml but not pinned in requirements.txt: {missing}"


# --------------------------------------------------------------------------------------------------
# The built wheel (slow: python -m build)
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    from _dist import built_dist

    dist = built_dist(tmp_path_factory, os.environ.get("CHAOYANG_DIST"))
    wheels = sorted(dist.glob("chaoyang-*-py3-none-any.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_the_wheel_holds_the_package_and_its_authored_files(wheel):
    package = ROOT / "src" / "chaoyang"
    expected = {str(p.relative_to(package.parent)).replace(os.sep, "/") for p in package.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = next(archive.read(n).decode("utf-8") for n in names if n.endswith(".dist-info/METADATA"))
    missing = sorted(expected - names)
    assert not missing, f"files of src/chaoyang missing from {wheel.name}: {missing[:20]}"
    assert any(n.startswith("chaoyang/authored/interviews/") and n.endswith(".txt") for n in names)
    assert "Provides-Extra: full" in metadata
    for requirement in ("semopy", "myst-nb", "otter-grader", "SALib"):
        assert re.search(rf"^Requires-Dist: {re.escape(requirement)}\b.*extra == \"full\"", metadata,
                         re.MULTILINE | re.IGNORECASE), f"{requirement} is not in the wheel's full extra"


RUNNER = """
import json, sys
import nbformat
from nbclient import NotebookClient

path, workdir = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(
    "import sys, chaoyang, json; print(json.dumps({'prefix': sys.prefix, 'file': chaoyang.__file__,"
    " 'version': chaoyang.__version__}))"))
NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": workdir}}).execute()
print("WHERE " + nb.cells[-1].outputs[0]["text"].strip())
"""


@pytest.mark.slow
def test_a_chapter_runs_from_the_wheel_in_a_clean_virtualenv(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "CHAOYANG_DATA", "MPLBACKEND"}}
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")  # no user kernelspec can point at another Python
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"{wheel}[full]"],
                             capture_output=True, text=True, env=env, timeout=1800)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True, env=env, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr

    workdir = tmp_path / "reader"  # no datasets/ folder anywhere above it: the data are regenerated
    workdir.mkdir()
    notebook = workdir / Path(NOTEBOOK).name
    notebook.write_bytes((ROOT / NOTEBOOK).read_bytes())
    (tmp_path / "run.py").write_text(RUNNER, encoding="utf-8")
    result = subprocess.run([str(python), str(tmp_path / "run.py"), str(notebook), str(workdir)], cwd=workdir,
                            capture_output=True, text=True, env=env, timeout=1800)
    assert result.returncode == 0, f"{NOTEBOOK} failed in the clean environment:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    where = json.loads(result.stdout.split("WHERE ", 1)[1].strip())
    assert Path(where["prefix"]).resolve() == venv.resolve(), where
    assert str(venv.resolve()) in str(Path(where["file"]).resolve()) and "site-packages" in where["file"], where
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert where["version"] == version
