"""The library's layout: layers import downward only, every subpackage is reachable, one error family.

Layers, lowest first (``ARCHITECTURE.md``)::

    errors, i18n, _validate, _results, _blas,       infrastructure
    envcheck
    world                                            the planted truth, declarative
    data                                             generators and loaders
    grounded, sem, qca, sim, describe                methods
    plots, widgets, teaching                         figures, notebook widgets, course tooling

A module may import its own layer and any layer below it, never a higher one. Imports inside
functions count too: a lazy import still makes the lower layer depend on the higher one.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import chaoyang

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "chaoyang"

LAYERS = {
    "errors": 0, "i18n": 0, "_validate": 0, "_results": 0, "_blas": 0, "_version": 0, "_resources": 0, "envcheck": 0, "__init__": 0,
    "world": 1,
    "data": 2,
    "grounded": 3, "sem": 3, "qca": 3, "sim": 3, "describe": 3,
    "plots": 4, "widgets": 4, "teaching": 4,
}
LAYER_NAMES = {0: "infrastructure", 1: "world", 2: "data", 3: "methods", 4: "plots/widgets/teaching"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top(module: str) -> str:
    """``chaoyang.sem.fit`` -> ``sem``; ``chaoyang`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_chaoyang_modules(source: str, module: str, is_package: bool) -> set[str]:
    """Every ``chaoyang`` module a source imports, at any depth, relative imports resolved."""
    found = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "chaoyang"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "chaoyang":
                continue
            if target == "chaoyang":  # from chaoyang import sem -> chaoyang.sem
                found |= {f"chaoyang.{alias.name}" for alias in node.names}
            else:
                found.add(target)
    return found


def layer_violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Imports of ``module`` that reach a higher layer than its own, as readable strings."""
    own = LAYERS[_top(module)]
    bad = []
    for target in sorted(imported_chaoyang_modules(source, module, is_package)):
        top = _top(target)
        if top not in LAYERS:
            continue  # a name imported from the package root (check_env, ChaoyangError): layer 0
        if LAYERS[top] > own:
            bad.append(f"{module} ({LAYER_NAMES[own]}) imports {target} ({LAYER_NAMES[LAYERS[top]]})")
    return bad


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer():
    unknown = {_top(_module_name(p)) for p in _modules()} - set(LAYERS)
    assert not unknown, f"modules outside the layer table {sorted(unknown)}: add them to LAYERS and ARCHITECTURE.md"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_the_layers_only(path):
    source = path.read_text(encoding="utf-8")
    assert layer_violations(source, _module_name(path), path.name == "__init__.py") == []


@pytest.mark.parametrize("source, module, expected", [
    ("from chaoyang import sim\n", "chaoyang.world.capstone", "chaoyang.sim"),
    ("def f():\n    from chaoyang.plots.qca import xy_plot\n", "chaoyang.qca.minimize", "chaoyang.plots.qca"),
    ("from ..data import load\n", "chaoyang.world.truth", "chaoyang.data"),
    ("import chaoyang.teaching.grading\n", "chaoyang.sem.fit", "chaoyang.teaching.grading"),
])
def test_import_graph_check_catches_a_planted_violation(source, module, expected):
    [violation] = layer_violations(source, module)
    assert expected in violation


def test_import_graph_check_allows_downward_and_sideways_imports():
    source = "from chaoyang.world import DEFAULT_WORLD\nfrom chaoyang.data import load\nfrom . import model\n"
    assert layer_violations(source, "chaoyang.grounded.axial") == []


def test_no_sphinx_extension_ships_in_the_package():
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(name.split(".")[0] in {"sphinx", "docutils", "myst_nb"} for name in names), path
    assert (ROOT / "book" / "_ext" / "book_offline.py").is_file()


def test_every_subpackage_is_reachable_from_the_top():
    # A fresh interpreter: attribute access alone must import each subpackage (and participation
    # statistics, which a review found unreachable as ``chaoyang.participation``).
    code = ("import chaoyang\n"
            "for name in chaoyang.SUBPACKAGES:\n"
            "    print(getattr(chaoyang, name).__name__)\n"
            "print(chaoyang.describe.participation.__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    expected = [f"chaoyang.{name}" for name in chaoyang.SUBPACKAGES] + ["chaoyang.describe.participation"]
    assert out.stdout.split() == expected
    assert set(chaoyang.SUBPACKAGES) >= {"world", "data", "grounded", "sem", "qca", "sim", "describe", "plots",
                                         "widgets", "teaching"}


def test_unknown_top_level_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'participation'"):
        chaoyang.participation  # noqa: B018 - moved to chaoyang.describe.participation


def _all_modules():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for info in pkgutil.walk_packages([str(PACKAGE)], prefix="chaoyang."):
            if info.name.endswith("__main__"):
                continue
            yield importlib.import_module(info.name)


def _library_exceptions():
    seen = {}
    for module in _all_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__.startswith("chaoyang"):
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return seen


def test_every_error_and_warning_belongs_to_the_family():
    found = _library_exceptions()
    assert len(found) >= 20, f"only {len(found)} exception classes found: the walk over the package is broken"
    outside = [name for name, cls in found.items()
               if not issubclass(cls, (chaoyang.ChaoyangError, chaoyang.ChaoyangWarning))]
    assert outside == [], f"derive these from chaoyang.ChaoyangError or ChaoyangWarning: {outside}"


def test_every_error_keeps_a_builtin_base_so_old_except_clauses_work():
    builtin_bases = (ValueError, KeyError, TypeError, RuntimeError, MemoryError, LookupError, OSError, ArithmeticError)
    # Abstract package bases, like ChaoyangError itself: each concrete subclass adds its built-in.
    abstract = {chaoyang.ChaoyangError, chaoyang.sem.SEMError}
    errors = {name: cls for name, cls in _library_exceptions().items()
              if issubclass(cls, chaoyang.ChaoyangError) and cls not in abstract}
    lacking = [name for name, cls in errors.items() if not issubclass(cls, builtin_bases)]
    assert lacking == [], f"these errors subclass no built-in (ValueError, KeyError, ...): {lacking}"
