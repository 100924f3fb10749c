"""Checks for the "What works elsewhere" chapter (issue 16, part B).

The chapter's comparison table must keep the five dimensions the issue asks for and cite a
source in every row; the two figures it derives from the Beijing News clue counts and the
worked order of magnitude must follow from the quoted values; the notebook pointer must exist
and leave the notebook output-free and in the repository's JSON layout; and the Chinese-language
references part B added must be cited and recorded in the reference checks.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "effects" / "elsewhere.md"
CASE = ROOT / "book" / "theory" / "chaoyang-case.md"
NOTEBOOK = ROOT / "notebooks" / "07_effects_stakeholders.ipynb"
BIB = ROOT / "book" / "references.bib"
CHECKS = ROOT / "book" / "_data" / "reference_checks_16b.yml"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
COLUMNS = ["System", "Who mobilizes", "Incentives", "Legal powers", "Oversight", "Measured effects"]


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def comparison_table() -> tuple[list[str], list[list[str]]]:
    """Header and rows of the Markdown table that follows the ``elsewhere-comparison`` label."""
    text = page()
    start = text.index("(elsewhere-comparison)=")
    lines = [ln for ln in text[start:].splitlines()[1:] if ln.strip()]
    table = []
    for ln in lines:
        if not ln.startswith("|"):
            break
        table.append([c.strip() for c in ln.strip().strip("|").split("|")])
    return table[0], [r for r in table[2:]]


def test_comparison_table_has_the_five_dimensions():
    header, rows = comparison_table()
    assert header == COLUMNS
    assert len(rows) >= 6, f"only {len(rows)} systems compared"
    assert all(len(r) == len(COLUMNS) for r in rows), "a row has the wrong number of cells"


def test_every_system_row_cites_a_source():
    _, rows = comparison_table()
    uncited = [r[0] for r in rows if "{cite:p}" not in " ".join(r)]
    assert not uncited, f"rows without a citation: {uncited}"


@pytest.mark.parametrize("system", ["Chaoyang", "Neighbourhood watch", "Special Constabulary",
                                    "Guardian Angels", "Japan", "Singapore"])
def test_comparison_covers_the_systems_the_issue_names(system):
    _, rows = comparison_table()
    assert any(system in r[0] for r in rows), f"{system} missing from the comparison table"


def clue_counts(text: str) -> tuple[int, int]:
    m = re.search(r"more than ([\d,]+) clues from Chaoyang residents in the first ten months of 2015, "
                  r"of which ([\d,]+) were\s+classed as valuable", " ".join(text.split()), re.I)
    assert m, "clue counts not found"
    return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))


def test_clue_counts_agree_with_the_case_chapter():
    assert clue_counts(page()) == clue_counts(CASE.read_text(encoding="utf-8"))


def test_valuable_share_is_about_two_per_cent():
    total, valuable = clue_counts(page())
    assert round(100 * valuable / total) == 2
    assert round(100 * (1 - valuable / total)) == 98
    flat = " ".join(page().split())
    assert "about 2 per cent" in flat and "remaining 98 per cent" in flat


@pytest.mark.parametrize("contact_share, stated", [(0.10, "about 20,000"), (0.01, "about 2,000")])
def test_worked_order_of_magnitude_follows_from_its_assumptions(contact_share, stated):
    total, valuable = clue_counts(page())
    contacts = (total - valuable) * contact_share
    figure = int(stated.split()[1].replace(",", ""))
    # "about N" means N is the value rounded to one significant figure.
    assert round(contacts, -len(str(int(contacts))) + 1) == figure
    assert stated in " ".join(page().split())


def test_reported_section_marks_its_assumption():
    text = page()
    section = text[text.index("(reported-stakeholders)="):text.index("## Exercises")]
    assert "**Assumption (the kit's, not sourced):**" in section
    assert "{cite:p}`luo2016chaoyang`" in section and "{cite:p}`tolia2016nextdoor`" in section


def test_exercises_have_folded_solutions():
    text = page()
    labels = re.findall(r":label: (els_ex\d+)", text)
    solutions = re.findall(r"```\{solution\} (els_ex\d+)\n:class: dropdown", text)
    assert len(labels) >= 3 and sorted(labels) == sorted(solutions)


def test_provenance_box_follows_the_title():
    lines = page().splitlines()
    assert lines[0].startswith("# ")
    assert lines[2] == ":::{admonition} Provenance" and lines[3] == ":class: provenance"
    box = "\n".join(lines[:20])
    for part in ("**What the dissertation states.**", "**What this kit adds or assumes.**",
                 "**What is synthetic.**"):
        assert part in box


def test_notebook_points_to_the_reported_section_and_stays_clean():
    raw = NOTEBOOK.read_text(encoding="utf-8")
    nb = json.loads(raw)
    assert json.dumps(nb, ensure_ascii=False, indent=1) + "\n" == raw
    sources = ["".join(c["source"]) for c in nb["cells"]]
    pointer = [i for i, s in enumerate(sources) if "reported-stakeholders" in s]
    exercises = sources.index("## Exercises")
    assert len(pointer) == 1 and pointer[0] < exercises
    assert nb["cells"][pointer[0]]["cell_type"] == "markdown"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def part_b_bib_entries() -> dict[str, str]:
    text = BIB.read_text(encoding="utf-8")
    block = text[text.index("% Issue 16 part B"):]
    end = re.search(r"\n% Issue 16 part [^B]", block)
    block = block[:end.start()] if end else block
    return {m.group(1): m.group(0) for m in re.finditer(r"@\w+\{([^,]+),.*?\n\}", block, re.S)}


def test_part_b_adds_at_least_twelve_chinese_language_entries_all_cited():
    entries = part_b_bib_entries()
    chinese = {k for k, e in entries.items() if CJK.search(re.search(r"title = \{(.*)\}", e).group(1))}
    assert len(chinese) >= 12, f"part B adds {len(chinese)} Chinese-language entries"
    prose = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "book").rglob("*.md"))
    uncited = sorted(k for k in chinese if not re.search(rf"[`,]{re.escape(k)}[`,]", prose))
    assert not uncited, f"not cited: {uncited}"
