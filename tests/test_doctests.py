"""Every docstring example of every library module runs, as a doctest, in ``make test``.

A module without examples passes its own case trivially, so the suite also checks that the
examples it ran add up to a meaningful number (a walk that silently found nothing would fail).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chaoyang"

#: Fewest doctest examples the whole library must run; raise it as examples are added.
MIN_EXAMPLES = 440  # 451 ran on 2026-12-03

#: Modules allowed to have no example of their own, each with the reason.
NO_EXAMPLES = {
    "chaoyang.grounded": "re-exports the grounded modules, whose functions carry the examples",
    "chaoyang.qca": "re-exports the qca modules, whose functions carry the examples",
    "chaoyang.plots": "package docstring only",
    "chaoyang.widgets": "lazy access to the widget modules only",
    "chaoyang.teaching": "lazy access to the teaching modules only",
    "chaoyang.data.registry": "internal registry of generators; every dataset it writes is compared byte for "
                              "byte in tests/test_data.py",
    "chaoyang.data.datasheets": "renders datasheet templates; every rendered datasheet is compared in tests/test_data.py",
    "chaoyang.teaching.records": "plain dataclasses shared by the grading stages (the issue #14 contract, kept "
                                 "verbatim); exercised in tests/test_gradebook.py and tests/test_feedback.py",
    "chaoyang.teaching.grading": "runs otter in subprocesses on built assignments; exercised in tests/test_assignments.py",
    "chaoyang.widgets.sim_explorer": "an interactive widget that runs two simulations on every slider move; "
                                     "exercised in tests/test_sim_explorer.py",
}

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def module_names() -> list[str]:
    names = ["chaoyang"]
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="chaoyang."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return sorted(names)


def run_doctests(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with warnings.catch_warnings():
        # Examples that show a warning on purpose (e.g. too few bootstrap draws) must not fail here.
        warnings.simplefilter("ignore")
        for test in finder.find(module, name):
            runner.run(test)
    return runner.summarize(verbose=False)


_results: dict[str, doctest.TestResults] = {}


@pytest.mark.parametrize("name", module_names())
def test_docstring_examples_run(name):
    result = run_doctests(name)
    _results[name] = result
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples in {name} failed"
    if name not in NO_EXAMPLES:
        assert result.attempted > 0, f"{name} has no docstring example: add one (numpy-style Examples section)"


def test_the_no_examples_list_is_current():
    stale = [name for name in NO_EXAMPLES if name not in module_names() or run_doctests(name).attempted > 0]
    assert stale == [], f"remove from NO_EXAMPLES (gone, or now has examples): {stale}"


def test_doctest_runner_fails_a_wrong_example():
    source = '''
def double(x):
    """Twice x.

    >>> double(2)
    5
    """
    return 2 * x
'''
    namespace = {}
    exec(compile(source, "planted", "exec"), namespace)
    [test] = doctest.DocTestFinder().find(namespace["double"], "double", globs=namespace)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=lambda _text: None)
    assert runner.summarize(verbose=False).failed == 1


def test_the_library_has_enough_examples():
    counts = {name: run_doctests(name).attempted if name not in _results else _results[name].attempted
              for name in module_names()}
    total = sum(counts.values())
    assert total >= MIN_EXAMPLES, f"only {total} docstring examples ran (expected at least {MIN_EXAMPLES})"
