"""Reference and statute checks for issue 16 (law and ethics; what works elsewhere; Chinese scholarship).

* every record in ``book/_data/reference_checks_*.yml`` names an entry that exists in
  ``book/references.bib``, says what was checked, where and when, and has status ``verified``
  or ``partly`` (``partly`` must say what could not be seen);
* every entry of an "% Issue 16 part A/B" block of the bibliography has such a record;
* every entry whose title contains Chinese characters carries an English translation in square
  brackets, a year and, for articles, a journal;
* every statute the issue-16 pages name (by full name or abbreviation) is followed in the same
  paragraph by an article number;
* the bibliography holds at least 25 Chinese-language entries that are cited somewhere in the book.

``tests/test_part1.py`` already checks that every cited key exists and every entry is cited.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BIB = BOOK / "references.bib"
CHECK_FILES = sorted((BOOK / "_data").glob("reference_checks_*.yml"))
# The pages issue 16 adds; a page that is not (yet) in this branch is skipped by name below.
ISSUE16_PAGES = [BOOK / "effects" / "law-ethics.md", BOOK / "effects" / "elsewhere.md"]

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
TRANSLATION = re.compile(r"\[[^\]]*[A-Za-z][^\]]*\]")
STATUSES = {"verified", "partly"}

# Statutes and treaties by full English name or the abbreviation the pages use.
STATUTE_NAMES = [
    "Personal Information Protection Law", "PIPL",
    "Data Security Law", "Cybersecurity Law",
    "Criminal Procedure Law", "Criminal Law",
    "Public Security Administration Punishments Law",
    "Regulations on Volunteer Service", "Civil Code",
    "General Data Protection Regulation", "GDPR",
    "International Covenant on Civil and Political Rights", "ICCPR",
]
STATUTE = re.compile(r"\b(" + "|".join(re.escape(n) for n in STATUTE_NAMES) + r")\b")
ARTICLE = re.compile(r"\b(?:arts?\.|Articles?)\s*\d")


# ----------------------------------------------------------------------------- helpers

def bib_entries():
    return parse_file(str(BIB), bib_format="bibtex").entries


def check_records() -> list[dict]:
    records = []
    for path in CHECK_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and isinstance(data.get("checks"), list), (
            f"{path.name}: expected a mapping with a 'checks' list")
        for item in data["checks"]:
            records.append({**item, "_file": path.name})
    return records


def issue16_block_keys(text: str) -> dict[str, list[str]]:
    """Keys of the entries in each '% Issue 16 part X' block of the bibliography's text.

    A block runs from its heading comment to the next '% Issue ' heading or the end of the file.
    """
    blocks: dict[str, list[str]] = {}
    heads = list(re.finditer(r"^% Issue (\d+) part ([A-Z])\b.*$", text, flags=re.M))
    for i, head in enumerate(heads):
        if head.group(1) != "16":
            continue
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        region = text[head.end():end]
        blocks[f"16{head.group(2).lower()}"] = re.findall(r"^@\w+\{\s*([^,\s]+)\s*,", region, flags=re.M)
    return blocks


def cjk_title_problems(entries) -> list[str]:
    """Chinese-titled entries without a bracketed English translation, a year or (articles) a journal."""
    problems = []
    for key, entry in entries.items():
        title = entry.fields.get("title", "")
        if not CJK.search(title):
            continue
        if not TRANSLATION.search(title):
            problems.append(f"{key}: Chinese title without an English translation in [brackets]")
        if not re.fullmatch(r"\d{4}", str(entry.fields.get("year", "")).strip()):
            problems.append(f"{key}: no four-digit year")
        if entry.type.lower() == "article" and not entry.fields.get("journal", "").strip():
            problems.append(f"{key}: article without a journal")
    return problems


def paragraphs(markdown: str) -> list[str]:
    """Paragraphs of a Markdown page; every table row and list item counts as its own paragraph."""
    out = []
    for block in re.split(r"\n\s*\n", markdown):
        lines = block.splitlines()
        if any(line.lstrip().startswith("|") for line in lines):
            out.extend(line for line in lines if line.strip())
            continue
        item: list[str] = []
        for line in lines:
            if re.match(r"^\s*(?:[-*]|\d+\.)\s", line) and item:
                out.append(" ".join(item))
                item = []
            item.append(line.strip())
        if item:
            out.append(" ".join(item))
    return out


def statutes_without_article(markdown: str) -> list[str]:
    """Statute mentions not followed, later in the same paragraph, by an article number."""
    missing = []
    for para in paragraphs(markdown):
        for m in STATUTE.finditer(para):
            if not ARTICLE.search(para, m.end()):
                missing.append(f"{m.group(1)!r} in: {para[:120]}…")
    return missing


def cited_keys() -> set[str]:
    """Keys cited anywhere in the book's Markdown pages or the notebooks' Markdown cells."""
    texts = [p.read_text(encoding="utf-8") for p in BOOK.rglob("*.md")]
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8")).get("cells", [])
        texts += ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown"]
    keys = set()
    for text in texts:
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text):
            keys |= {k.strip() for k in group.split(",") if k.strip()}
    return keys


# ----------------------------------------------------------------------------- the checkers see faults

def test_statute_checker_sees_a_missing_article():
    text = ("The Criminal Law art. 243 punishes false accusation.\n\n"
            "The PIPL limits collection.\n\n"
            "| Data Security Law | confidential | art. 38 |\n"
            "| Cybersecurity Law | consent | none |\n\n"
            "- volunteers act under the Civil Code art. 184\n- the Criminal Procedure Law protects reporters\n")
    found = statutes_without_article(text)
    assert len(found) == 3, found
    assert [f.split("'")[1] for f in found] == ["PIPL", "Cybersecurity Law", "Criminal Procedure Law"]


def test_cjk_title_checker_sees_each_fault():
    from pybtex.database import parse_string
    entries = parse_string(
        "@article{a, title={朝阳群众}, year={2020}}\n"
        "@article{b, title={朝阳群众 [Chaoyang residents]}, journal={J}, year={20}}\n"
        "@misc{c, title={朝阳群众 [Chaoyang residents]}, year={2020}}\n"
        "@article{d, title={Chaoyang residents}, year={2020}}\n", "bibtex").entries
    problems = cjk_title_problems(entries)
    assert any(p.startswith("a: Chinese title without") for p in problems)
    assert any(p.startswith("a: article without a journal") for p in problems)
    assert any(p.startswith("b: no four-digit year") for p in problems)
    assert not any(p.startswith(("c:", "d:")) for p in problems)


# ----------------------------------------------------------------------------- the real files

def test_issue16_part_a_check_file_exists():
    assert BOOK / "_data" / "reference_checks_16a.yml" in CHECK_FILES


def test_every_check_record_is_complete_and_names_a_bib_entry():
    entries = bib_entries()
    records = check_records()
    assert records, "no reference-check records found"
    problems = []
    for rec in records:
        key = rec.get("key")
        where = f"{rec['_file']}: {key}"
        if key not in entries:
            problems.append(f"{where}: not in references.bib")
        for field in ("checked", "where", "date", "status"):
            if not str(rec.get(field, "")).strip():
                problems.append(f"{where}: no '{field}'")
        if rec.get("status") not in STATUSES:
            problems.append(f"{where}: status {rec.get('status')!r} is not one of {sorted(STATUSES)}")
        if rec.get("status") == "partly" and not str(rec.get("gap", "")).strip():
            problems.append(f"{where}: status 'partly' needs a 'gap' saying what could not be seen")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(rec.get("date", ""))):
            problems.append(f"{where}: date {rec.get('date')!r} is not YYYY-MM-DD")
    keys = [rec.get("key") for rec in records]
    problems += [f"{k}: recorded twice" for k in sorted({k for k in keys if keys.count(k) > 1})]
    assert not problems, "\n".join(problems)


def test_every_issue16_bib_entry_has_a_check_record():
    blocks = issue16_block_keys(BIB.read_text(encoding="utf-8"))
    assert "16a" in blocks and blocks["16a"], "no '% Issue 16 part A' block with entries in references.bib"
    recorded = {rec.get("key") for rec in check_records()}
    missing = {part: sorted(set(keys) - recorded) for part, keys in blocks.items() if set(keys) - recorded}
    assert not missing, f"issue-16 bib entries without a record in book/_data/reference_checks_*.yml: {missing}"


def test_chinese_titles_have_translation_year_and_journal():
    problems = cjk_title_problems(bib_entries())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page", ISSUE16_PAGES, ids=lambda p: p.name)
def test_every_statute_named_on_an_issue16_page_has_an_article(page):
    if not page.exists():
        pytest.skip(f"{page.relative_to(ROOT)} is not in this branch")
    missing = statutes_without_article(page.read_text(encoding="utf-8"))
    assert not missing, "statutes named without an article number:\n" + "\n".join(missing)


def test_at_least_25_chinese_language_entries_are_cited():
    cited = cited_keys()
    chinese = sorted(k for k, e in bib_entries().items() if CJK.search(e.fields.get("title", "")) and k in cited)
    assert len(chinese) >= 25, f"only {len(chinese)} cited Chinese-language entries: {chinese}"
