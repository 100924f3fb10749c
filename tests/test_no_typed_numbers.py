"""No hand-typed results: decimal numbers in the book's prose are glued, allowlisted or listed as debt.

The checker lives in ``tests/_numbers.py``. Each test below could fail: the self-tests plant a typed number
(and a fenced solution) in a throw-away page and expect the checker to report it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import _numbers as numbers
from _numbers import ROOT


@pytest.mark.parametrize("path", numbers.checked_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_unexplained_typed_number(path):
    bad, _ = numbers.unexplained([path])
    assert not bad, "hand-typed numbers (glue them, or allowlist them with a reason in tests/_numbers.py):\n" + \
        "\n".join(f"  cell {h.cell}: {h.number} in: {h.line[:100]}" for h in bad)


def test_debt_only_shrinks():
    """A DEBT entry whose number is gone must be deleted, so the list records exactly what is left to do."""
    _, gone = numbers.unexplained(numbers.checked_files())
    assert not gone, f"remove these paid-off entries from DEBT in tests/_numbers.py: {gone}"


def test_every_allowlist_entry_is_used_and_explained():
    hits = [h for path in numbers.checked_files() for h in numbers.typed_numbers(path)]
    for entry in numbers.ALLOWED:
        assert entry.reason.strip() and entry.context.strip(), entry
        assert any(numbers.is_allowed(h, [entry]) for h in hits), f"unused allowlist entry: {entry}"


def test_allowlist_stays_short():
    # 82 entries after the 2026-12-03 review emptied the debt list: literature values, definitions and
    # the inputs a reader sets (exercise settings, cut-off grids, stated payoffs), each with its reason.
    assert len(numbers.ALLOWED) <= 85, "the allowlist is for reviewed exceptions (inputs, definitions, literature); glue the rest"


def test_chapters_put_solution_code_in_cells_that_run():
    """Solutions in the chapters whose code sits in a Markdown fence never run; only listed debt may remain."""
    found = {(path.relative_to(ROOT).as_posix(), label)
             for path in sorted((ROOT / "notebooks").glob("*.ipynb"))
             for _, label in numbers.fenced_solution_code(path)}
    assert found <= numbers.FENCED_SOLUTION_DEBT, sorted(found - numbers.FENCED_SOLUTION_DEBT)
    assert not numbers.FENCED_SOLUTION_DEBT - found, \
        f"remove converted solutions from FENCED_SOLUTION_DEBT: {sorted(numbers.FENCED_SOLUTION_DEBT - found)}"


# ---------------------------------------------------------------- self-tests on planted pages
def _notebook(tmp_path: Path, *markdown: str) -> Path:
    cells = [{"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": text} for i, text in enumerate(markdown)]
    path = tmp_path / "notebooks" / "planted.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
                    encoding="utf-8")
    return path


def test_a_planted_hand_typed_number_fails(tmp_path):
    path = _notebook(tmp_path, "The indirect effect is 0.109 [0.061, 0.158], so H1a is supported.")
    bad, _ = numbers.unexplained([path], root=tmp_path, debt={})
    assert [h.number for h in bad] == ["0.109", "0.061", "0.158"]


def test_glued_code_and_allowlisted_numbers_pass(tmp_path):
    path = _notebook(tmp_path,
                     "The effect is {glue:text}`med_party_ind1:.3f` (`incl_cut=0.8`), see {doc}`../v1.2/x`.",
                     "```python\nx = 0.25\n```\nThe benchmark is 0.9 for necessity.")
    allowed = [numbers.Allowed("notebooks/planted.ipynb", "0.9", "benchmark", "literature value")]
    bad, _ = numbers.unexplained([path], root=tmp_path, allowed=allowed, debt={})
    assert bad == []
    bad, _ = numbers.unexplained([path], root=tmp_path, allowed=[], debt={})
    assert [h.number for h in bad] == ["0.9"], "without the allowlist entry the typed 0.9 must fail"


def test_negative_numbers_and_minus_signs_are_found(tmp_path):
    path = _notebook(tmp_path, "The interval runs from −0.007 to 0.170.")
    bad, _ = numbers.unexplained([path], root=tmp_path, debt={})
    assert [h.number for h in bad] == ["-0.007", "0.170"]


def test_debt_covers_exactly_its_numbers(tmp_path):
    path = _notebook(tmp_path, "About 0.19 against 0.18.")
    bad, gone = numbers.unexplained([path], root=tmp_path, debt={"notebooks/planted.ipynb": ["0.19"]})
    assert [h.number for h in bad] == ["0.18"] and gone == {}
    _, gone = numbers.unexplained([path], root=tmp_path, debt={"notebooks/planted.ipynb": ["0.19", "0.5"]})
    assert gone == {"notebooks/planted.ipynb": ["0.5"]}


def test_fenced_solution_code_is_found(tmp_path):
    path = _notebook(tmp_path, "```{solution} ex1\n:class: dropdown\n\n~~~python\nprint(1)\n~~~\nDone.\n```",
                     "```{solution-start} ex2\n:class: dropdown\n```")
    assert numbers.fenced_solution_code(path) == [(0, "```{solution} ex1")]
