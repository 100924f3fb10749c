"""The ODD page (book/methods/odd.md) states the model's defaults and cites existing references.

The page's parameter tables are generated from ``chaoyang.sim.parameters.PARAMETERS`` into
``book/methods/odd_parameters.md`` and included by the page; these tests read both files: the
included file must be what the code generates now, every parameter's row must state the code's
default, and every value the prose states for a named parameter (`` `name` = value``) must be the
code's default (or the regime preset, for the subsidy's pay).
"""

from __future__ import annotations

import inspect
import re

import pytest

from chaoyang import sim
from chaoyang.sim import PARAMETERS, REGIMES
from chaoyang.sim.parameters import odd_parameter_markdown

REGENERATE = ("python -c \"from chaoyang.sim.parameters import odd_parameter_markdown as f; print(f(), end='')\" "
              "> book/methods/odd_parameters.md")


@pytest.fixture(scope="module")
def odd_page(root):
    return (root / "book" / "methods" / "odd.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def odd_table(root):
    return (root / "book" / "methods" / "odd_parameters.md").read_text(encoding="utf-8")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_odd_page_includes_the_generated_table(odd_page, odd_table):
    assert re.search(r"^```\{include\} odd_parameters\.md\s*$", odd_page, flags=re.M), \
        "odd.md must include the generated parameter tables"
    assert odd_table == odd_parameter_markdown(), f"odd_parameters.md is stale; regenerate: {REGENERATE}"


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_odd_page_states_the_code_defaults(name, odd_table):
    """Every parameter has a row in the page's table, and the row states the code's default."""
    rows = [line for line in odd_table.splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"{name} has {len(rows)} rows in odd_parameters.md"
    stated = rows[0].split(" | ")[1].strip()
    default = PARAMETERS[name].default
    if isinstance(default, (bool, str)) or default is None:
        assert stated == f"`{default!r}`"
    else:
        assert _number(stated) == pytest.approx(default, rel=5e-4), (name, stated, default)


def test_odd_page_states_the_regime_presets(odd_table):
    rows = {line.split(" | ")[0].strip("| `"): line for line in odd_table.splitlines() if line.startswith("| `")}
    header = next(line for line in odd_table.splitlines() if line.startswith("| regime |"))
    columns = [c.strip(" `") for c in header.strip("|").split("|")][1:]
    for regime, preset in REGIMES.items():
        cells = [c.strip(" `") for c in rows[regime].strip("|").split("|")][1:]
        for column, cell in zip(columns, cells):
            expected = preset[column]
            if isinstance(expected, bool):
                assert cell == repr(expected), (regime, column)
            else:
                assert _number(cell) == pytest.approx(expected), (regime, column)


# `name` = value, `name` symbol = value, with an optional % (then the value is a percentage).
PROSE_VALUE = re.compile(r"`(\w+)`\s*(?:[\w\u0370-\u03ff]{1,6}\s*)?=\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                         r"\s*(%?)")


def test_odd_prose_values_are_the_code_defaults(odd_page):
    """Values the prose states for a named parameter are the code's (or the regime preset's)."""
    run_defaults = {k: v.default for k, v in inspect.signature(sim.run).parameters.items()
                    if v.default is not inspect.Parameter.empty}
    checked = []
    for name, value, percent in PROSE_VALUE.findall(odd_page):
        stated = _number(value) / (100 if percent else 1)
        if name in ("pay_per_hour", "pay_per_tip"):
            expected = REGIMES["subsidy"][name]  # the page states the subsidy regime's pay
        elif name in PARAMETERS:
            expected = PARAMETERS[name].default
        elif name in run_defaults:
            expected = run_defaults[name]
        else:
            continue
        assert stated == pytest.approx(expected, rel=5e-4), f"odd.md says `{name}` = {value}{percent}; code: {expected}"
        checked.append(name)
    # the check must bite while the prose states values (it may glue them instead)
    assert checked or "{glue" in odd_page


def test_odd_page_has_the_seven_elements_and_valid_citations(root, odd_page):
    for heading in ("Purpose and patterns", "Entities, state variables and scales", "Process overview and scheduling",
                    "Design concepts", "Initialization", "Input data", "Submodels"):
        assert re.search(rf"^## \d\. {heading}$", odd_page, flags=re.M), heading
    bib = (root / "book" / "references.bib").read_text(encoding="utf-8")
    keys = {k.strip() for group in re.findall(r"\{cite(?::p|:t)?\}`([^`]+)`", odd_page) for k in group.split(",")}
    assert keys and all(f"{{{key}," in bib for key in keys), sorted(k for k in keys if f"{{{k}," not in bib)


@pytest.mark.slow
@pytest.mark.xdist_group("book")
def test_built_odd_page_shows_every_code_default(tmp_path_factory):
    """The rendered page (the session's one book build) shows each parameter's default in its row."""
    from _book import built_site

    html = (built_site(tmp_path_factory) / "book" / "methods" / "odd.html").read_text(encoding="utf-8")
    cells = re.findall(r'<tr class="row-(?:even|odd)"><td><p><code[^>]*><span class="pre">(\w+)</span></code></p></td>'
                       r"\s*<td><p>(.*?)</p></td>", html)
    shown = {name: re.sub(r"<[^>]+>", "", value) for name, value in cells}
    missing = sorted(set(PARAMETERS) - set(shown))
    assert not missing, f"parameters without a row on the built ODD page: {missing}"
    for name, param in PARAMETERS.items():
        if isinstance(param.default, (bool, str)) or param.default is None:
            assert shown[name] == repr(param.default), name
        else:
            assert _number(shown[name]) == pytest.approx(param.default, rel=5e-4), name
