"""The seed-fidelity table: every element of the abstract is in the abstract, and every place named exists.

The table page is rendered from ``book/_data/seed_fidelity.yml`` by the ``seed-fidelity`` directive
(``book/_ext/seed_fidelity.py``), so data and page cannot drift; these tests check the data itself.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ABSTRACT = ROOT / "book" / "_data" / "seed_abstract.txt"


def _extension():
    spec = importlib.util.spec_from_file_location("seed_fidelity", ROOT / "book" / "_ext" / "seed_fidelity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROWS = _extension().load_rows(ROOT)


def _norm(text: str) -> str:
    """Lower case, letters and digits only: the abstract's missing spaces after commas do not matter."""
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("’", "'"))


def _toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return {chapter["file"] for part in toc["parts"] for chapter in part["chapters"]}


def headings(page: str) -> list[str]:
    """The heading titles of a page (a .md file or a notebook's markdown cells), without the #s."""
    stem = ROOT / page
    if stem.with_suffix(".md").is_file():
        text = stem.with_suffix(".md").read_text(encoding="utf-8")
        text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # no "#" comments of code cells
    else:
        cells = json.loads(stem.with_suffix(".ipynb").read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return [m.group(1).strip() for m in re.finditer(r"^#{1,6} (.+)$", text, flags=re.M)]


def problems(rows: list[dict], abstract: str, toc: set[str]) -> list[str]:
    """Everything wrong with the rows: an element not in the abstract, a page not in the book, a section not on
    its page."""
    found, source = [], _norm(abstract)
    for row in rows:
        if _norm(row["element"]) not in source:
            found.append(f"not in the abstract: {row['element']!r}")
        if row["page"] not in toc:
            found.append(f"not in _toc.yml: {row['page']!r}")
        elif row["section"] and row["section"] not in headings(row["page"]):
            found.append(f"no section {row['section']!r} on {row['page']}")
    return found


def test_rows_are_true_to_the_abstract_and_the_book():
    assert problems(ROWS, ABSTRACT.read_text(encoding="utf-8"), _toc_files()) == []


def test_every_step_of_the_abstract_has_a_row():
    """The steps the issue names must be covered, including the two that were once missing."""
    covered = {(row["page"], row["section"]) for row in ROWS}
    for place in [("book/effects/policy", "Policy and action boundaries"),
                  ("book/methods/index", "Case-study analysis"),
                  ("notebooks/03_mediation", "Fitting the three models"),
                  ("book/effects/replicability", "Transfer in the simulation")]:
        assert place in covered, place
    pages = {row["page"] for row in ROWS}
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if notebook.stem != "02_measurement":  # the abstract says nothing about measurement
            assert f"notebooks/{notebook.stem}" in pages, notebook.name


def test_checker_catches_planted_errors():
    abstract = "We use grounded theory analysis, and simulation methods."
    toc = {"book/effects/policy"}
    good = {"element": "grounded theory analysis", "page": "book/effects/policy", "section": "Recommendations",
            "relation": "adds", "note": ""}
    assert problems([good], abstract, toc) == []
    assert problems([{**good, "element": "case study analysis"}], abstract, toc) == \
        ["not in the abstract: 'case study analysis'"]
    assert problems([{**good, "page": "book/effects/nowhere"}], abstract, toc) == \
        ["not in _toc.yml: 'book/effects/nowhere'"]
    assert problems([{**good, "section": "No such section"}], abstract, toc) == \
        ["no section 'No such section' on book/effects/policy"]


def test_unknown_relation_is_an_error(tmp_path):
    (tmp_path / "book" / "_data").mkdir(parents=True)
    (tmp_path / "book" / "_data" / "seed_fidelity.yml").write_text(
        "rows:\n  - {element: x, page: y, section: null, relation: copies, note: z}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="relation 'copies'"):
        _extension().load_rows(tmp_path)


def test_the_page_uses_the_directive_and_is_in_the_book():
    assert "book/appendix/seed-fidelity" in _toc_files()
    assert "```{seed-fidelity}" in (ROOT / "book" / "appendix" / "seed-fidelity.md").read_text(encoding="utf-8")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "seed_fidelity" in config["sphinx"]["local_extensions"]
