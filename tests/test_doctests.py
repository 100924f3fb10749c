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
MIN_EXAMPLES = 380  # 396 ran on 2026-12-03

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
