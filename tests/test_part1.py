"""Checks on Part I (theory and the case) and on citations and figures across the book.

Plain pytest; no book build. The tests read the Markdown pages under ``book/`` and the Markdown
cells of the notebooks under ``notebooks/``, and ``book/references.bib``:

* every ``{cite}``, ``{cite:p}``, ``{cite:t}`` (any ``{cite:…}`` role) key exists in the .bib file;
* every .bib entry is cited somewhere in the book or the notebooks;
* every ``{figure}``/``{image}`` directive and every Markdown or HTML image under ``book/`` has
  non-empty alt text, and every figure file it points to exists;
* every Chinese term in the glossary has pinyin, and every Chinese term the book introduces with
  pinyin or after a bold term has a glossary entry (rule and allowlist below);
* Part I cites at least 40 distinct works, and each Part I chapter has the required parts;
* the Part I figures are in sync with the code that draws them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = ROOT / "notebooks"
BIB = BOOK / "references.bib"
THEORY = BOOK / "theory"
GLOSSARY = BOOK / "appendix" / "glossary.md"
PART1_CHAPTERS = ("mass-prevention", "governance", "mobilization", "interaction-rituals",
                  "chaoyang-case", "framework")

# {cite}`a`, {cite:p}`a,b`, {cite:t}`a, b`, {cite:ps}`a` ... (MyST role syntax)
CITE_ROLE = re.compile(r"\{cite(?::[a-zA-Z]+)?\}`([^`]*)`")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def parse_cite_keys(text: str) -> list[str]:
    """Return every citation key in ``text``, in order, splitting multi-key roles on commas."""
    keys = []
    for group in CITE_ROLE.findall(text):
        keys.extend(k.strip() for k in group.split(",") if k.strip())
    return keys


def notebook_markdown(path: Path) -> str:
    """Concatenated source of the Markdown cells of a notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            parts.append("".join(source) if isinstance(source, list) else source)
    return "\n\n".join(parts)


def prose_documents() -> dict[Path, str]:
    """Markdown text of every page under book/ and every notebook under notebooks/."""
    docs = {p: p.read_text(encoding="utf-8") for p in sorted(BOOK.rglob("*.md")) if "_build" not in p.parts}
    if NOTEBOOKS.exists():
        for p in sorted(NOTEBOOKS.rglob("*.ipynb")):
            if ".ipynb_checkpoints" not in p.parts:
                docs[p] = notebook_markdown(p)
        for p in sorted(NOTEBOOKS.rglob("*.md")):
            docs[p] = p.read_text(encoding="utf-8")
    return docs


def bib_keys() -> set[str]:
    from pybtex.database import parse_file

    return set(parse_file(str(BIB), bib_format="bibtex").entries.keys())


def strip_code_blocks(text: str) -> str:
    """Remove fenced code blocks that are not MyST directives (``` python, ```bash, plain ```)."""
    out, fence = [], None
    for line in text.splitlines():
        stripped = line.lstrip()
        match = re.match(r"^(`{3,}|~{3,})(.*)$", stripped)
        if fence is None and match and not match.group(2).strip().startswith("{"):
            fence = match.group(1)
            continue
        if fence is not None:
            if stripped.startswith(fence) and stripped.strip() == fence:
                fence = None
            continue
        out.append(line)
    return "\n".join(out)


def directive_options(lines: list[str], start: int) -> dict[str, str]:
    """Options of the directive whose opening line is ``lines[start]`` (``:key: value`` or YAML)."""
    options: dict[str, str] = {}
    i = start + 1
    if i < len(lines) and lines[i].strip() == "---":
        i += 1
        while i < len(lines) and lines[i].strip() != "---":
            key, _, value = lines[i].partition(":")
            options[key.strip()] = value.strip()
            i += 1
        return options
    while i < len(lines):
        m = re.match(r"^\s*:([\w-]+):\s*(.*)$", lines[i])
        if not m:
            break
        options[m.group(1)] = m.group(2).strip()
        i += 1
    return options


def image_directives(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, argument, options) for every ``{figure}`` / ``{image}`` directive in ``text``."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        m = re.match(r"^\s*(?:`{3,}|:{3,})\{(figure|image)\}\s*(.*)$", line)
        if m:
            found.append((m.group(1), m.group(2).strip(), directive_options(lines, i)))
    return found


def glossary_rows() -> tuple[list[str], list[list[str]]]:
    """Header and data rows of the glossary's Markdown table."""
    header, rows = None, []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif set("".join(cells)) <= set("-: "):
            continue
        else:
            rows.append(cells)
    assert header is not None, "the glossary has no Markdown table"
    return header, rows


# ----------------------------------------------------------------------------------------------
# the parser itself (so that a parser bug cannot make the real checks pass vacuously)
# ----------------------------------------------------------------------------------------------
def test_cite_parser_handles_roles_and_multiple_keys():
    text = ("See {cite}`a2000x`, {cite:p}`b2001y,c2002z` and {cite:t}`d2003w, e2004v`; "
            "also {cite:ps}`f2005u` but not `g2006t` or {ref}`h`.")
    assert parse_cite_keys(text) == ["a2000x", "b2001y", "c2002z", "d2003w", "e2004v", "f2005u"]


def test_directive_parser_reads_both_option_styles():
    text = "```{figure} a.svg\n:name: x\n:alt: An alt\n\nCap\n```\n:::{image} b.png\n---\nalt: Other\n---\n:::\n"
    found = image_directives(text)
    assert [(k, arg, o.get("alt")) for k, arg, o in found] == [("figure", "a.svg", "An alt"),
                                                               ("image", "b.png", "Other")]


# ----------------------------------------------------------------------------------------------
# citations
# ----------------------------------------------------------------------------------------------
def test_bibliography_parses_and_has_no_duplicate_keys():
    raw = re.findall(r"^@(?!comment|string|preamble)\w+\{\s*([^,\s]+)\s*,", BIB.read_text(encoding="utf-8"),
                     flags=re.MULTILINE | re.IGNORECASE)
    duplicates = sorted({k for k in raw if raw.count(k) > 1})
    assert not duplicates, f"duplicate keys in {BIB.name}: {duplicates}"
    assert bib_keys() == set(raw)


def test_every_cited_key_exists_in_bib():
    known = bib_keys()
    missing = {}
    for path, text in prose_documents().items():
        bad = sorted(set(parse_cite_keys(text)) - known)
        if bad:
            missing[str(path.relative_to(ROOT))] = bad
    assert not missing, f"cited keys missing from book/references.bib (add the entry or fix the key): {missing}"


def test_every_bib_entry_is_cited_somewhere():
    cited = set()
    for text in prose_documents().values():
        cited.update(parse_cite_keys(text))
    uncited = sorted(bib_keys() - cited)
    assert not uncited, ("entries in book/references.bib that no page or notebook cites "
                         f"(cite them or remove them): {uncited}")


def test_part1_cites_at_least_40_distinct_works():
    keys = set()
    for name in PART1_CHAPTERS:
        keys.update(parse_cite_keys((THEORY / f"{name}.md").read_text(encoding="utf-8")))
    assert len(keys) >= 40, f"Part I cites only {len(keys)} distinct works: {sorted(keys)}"


# ----------------------------------------------------------------------------------------------
# figures and images
# ----------------------------------------------------------------------------------------------
def test_every_figure_and_image_has_alt_text_and_an_existing_file():
    problems = []
    for path in sorted(BOOK.rglob("*.md")):
        if "_build" in path.parts:
            continue
        text = strip_code_blocks(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT)
        for kind, target, options in image_directives(text):
            if not options.get("alt", "").strip():
                problems.append(f"{rel}: {{{kind}}} {target} has no :alt:")
            if target and not re.match(r"^[a-z]+://", target) and not (path.parent / target).exists():
                problems.append(f"{rel}: {{{kind}}} {target} does not exist")
        for alt, target in re.findall(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)", text):
            if not alt.strip():
                problems.append(f"{rel}: Markdown image {target} has empty alt text")
        for tag in re.findall(r"<img\b[^>]*>", text, flags=re.IGNORECASE):
            m = re.search(r"\balt\s*=\s*(['\"])(.*?)\1", tag)
            if not m or not m.group(2).strip():
                problems.append(f"{rel}: HTML image {tag[:60]} has no alt text")
    assert not problems, "\n".join(problems)


def test_part1_figures_are_in_sync_with_their_code(tmp_path):
    from chaoyang.plots import theory_figures

    for written in theory_figures.draw_all(tmp_path):
        committed = THEORY / "figures" / written.name
        assert committed.exists(), f"{committed} missing: run python -m chaoyang.plots.theory_figures"
        assert committed.read_bytes() == written.read_bytes(), (
            f"{committed.name} differs from what chaoyang.plots.theory_figures draws; "
            "redraw with python -m chaoyang.plots.theory_figures and commit")


# ----------------------------------------------------------------------------------------------
# glossary
# ----------------------------------------------------------------------------------------------
def test_glossary_chinese_terms_have_pinyin():
    header, rows = glossary_rows()
    chinese, pinyin = header.index("Chinese"), header.index("Pinyin")
    problems = []
    for row in rows:
        if len(row) != len(header):
            problems.append(f"row has {len(row)} cells, header has {len(header)}: {row[0]}")
            continue
        if CJK.search(row[chinese]):
            if not row[pinyin] or CJK.search(row[pinyin]) or not re.search(r"[A-Za-z]", row[pinyin]):
                problems.append(f"{row[0]!r}: Chinese {row[chinese]!r} has no pinyin")
    assert not problems, "\n".join(problems)


def test_glossary_has_25_terms_with_chapter_and_columns():
    header, rows = glossary_rows()
    for column in ("English", "Chinese", "Pinyin", "Definition", "Chapter", "Data columns"):
        assert column in header, f"glossary table lacks a {column!r} column"
    assert len(rows) >= 25, f"glossary has {len(rows)} terms; at least 25 are required"
    chapter = header.index("Chapter")
    for row in rows:
        assert "{doc}`" in row[chapter], f"{row[0]!r} does not link its chapter with {{doc}}"


@pytest.mark.parametrize("term", ["群防群治", "朝阳群众", "枫桥经验", "红袖标", "网格化管理", "群众路线",
                                  "专群结合", "西城大妈"])
def test_glossary_contains_the_key_policy_terms(term):
    header, rows = glossary_rows()
    chinese = header.index("Chinese")
    assert any(row[chinese] == term for row in rows), f"{term} is missing from the glossary"


# Glossary coverage. A Chinese term is *introduced* when, in a Markdown page under book/ or a
# Markdown cell of a notebook (fenced code removed), either
#   (a) a run of Chinese characters (curly quotes allowed inside) is followed by a comma and an
#       italic romanization:  群防群治, *qunfang qunzhi*
#   (b) a bold term is followed by a parenthesis that opens with Chinese:  **Term** (汉字
# Every introduced term must appear in the glossary's Chinese column (a cell may hold variants
# separated by " / "), unless it is on the reviewed allowlist, where each entry says why.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
INTRODUCED_WITH_PINYIN = re.compile(rf"([{_HAN}“”]*[{_HAN}][{_HAN}“”]*),\s*\*([A-Za-z][A-Za-z' \-]*)\*")
INTRODUCED_AFTER_BOLD = re.compile(rf"\*\*[^*\n]+\*\*\s*\(([{_HAN}“”]*[{_HAN}][{_HAN}“”]*)")
GLOSSARY_ALLOWLIST = {
    "临河守望": "fictional volunteer brand of the capstone district; defined on book/effects/capstone.md",
}


def prose_without_code(text: str) -> str:
    """``text`` without the contents of code fences; MyST directive fences keep their contents.

    Unlike :func:`strip_code_blocks`, this tracks the closing fence of a directive, so a
    directive's closing ``` is not mistaken for the opening of a code block.
    """
    out, stack = [], []  # stack of (fence, is_directive)
    for line in text.splitlines():
        m = re.match(r"^\s*(`{3,}|~{3,})(.*)$", line)
        if m:
            if stack and m.group(1) == stack[-1][0] and not m.group(2).strip():
                stack.pop()
            else:
                stack.append((m.group(1), m.group(2).strip().startswith("{")))
            continue
        if all(is_directive for _fence, is_directive in stack):
            out.append(line)
    return "\n".join(out)


def introduced_chinese_terms(text: str) -> set[str]:
    """Chinese terms introduced in ``text`` under rule (a) or (b) above."""
    text = prose_without_code(text)
    return ({m.group(1) for m in INTRODUCED_WITH_PINYIN.finditer(text)}
            | {m.group(1) for m in INTRODUCED_AFTER_BOLD.finditer(text)})


def glossary_chinese_terms() -> set[str]:
    header, rows = glossary_rows()
    chinese = header.index("Chinese")
    return {variant.strip() for row in rows for variant in row[chinese].split(" / ") if variant.strip()}


def test_term_rule_finds_pinyin_and_bold_forms_only():
    text = ("Mass prevention (群防群治, *qunfang qunzhi*) and the “朝阳群众”品牌声誉, *Chaoyang qunzhong "
            "pinpai shengyu*; **Strike Hard** (严打) campaign; 治保会, *zhibaohui*, for short. Not: "
            "(要各地仿效，经过试点) quoted, 网格化治理 alone, or (社区, see below).\n"
            "```python\nx = '街道, *jiedao*'\n```\n"
            "```{admonition} Note\nA directive keeps its text: 维稳, *weiwen*.\n```\n"
            "After a directive: 社区, *shequ*.\n")
    assert introduced_chinese_terms(text) == {"群防群治", "“朝阳群众”品牌声誉", "严打", "治保会", "维稳", "社区"}


def test_every_introduced_chinese_term_has_a_glossary_entry():
    known = glossary_chinese_terms()
    missing = {}
    for path, text in prose_documents().items():
        if path == GLOSSARY:
            continue
        for term in sorted(introduced_chinese_terms(text) - known - set(GLOSSARY_ALLOWLIST)):
            missing.setdefault(term, []).append(str(path.relative_to(ROOT)))
    assert not missing, ("Chinese terms introduced with pinyin or after a bold term but missing from "
                         f"book/appendix/glossary.md (add a row, or allowlist with a reason): {missing}")


def test_glossary_allowlist_is_current():
    used = set()
    for path, text in prose_documents().items():
        if path != GLOSSARY:
            used |= introduced_chinese_terms(text)
    known = glossary_chinese_terms()
    for term, reason in GLOSSARY_ALLOWLIST.items():
        assert reason.strip(), f"allowlisted term {term} needs a reason"
        assert term in used, f"allowlisted term {term} is no longer used; remove it from the allowlist"
        assert term not in known, f"{term} is in the glossary; remove it from the allowlist"


def test_glossary_corrections_from_review():
    header, rows = glossary_rows()
    by_english = {row[0]: row for row in rows}
    chinese, definition = header.index("Chinese"), header.index("Definition")
    assert "common-method bias" in by_english and "common-method variance" not in by_english
    assert by_english["collaborative governance"][chinese] == "协作治理"
    assert "back-translation" in by_english["emotional commitment arousal"][definition]
    fengqiao = by_english["Fengqiao experience"][definition]
    assert "class enemies" in fengqiao and "1963" in fengqiao


# ----------------------------------------------------------------------------------------------
# structure of the Part I chapters
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PART1_CHAPTERS)
def test_part1_chapter_has_required_parts(name):
    text = (THEORY / f"{name}.md").read_text(encoding="utf-8")
    assert "Learning objectives" in text
    assert "## Summary" in text and "## Key terms" in text and "## Further reading" in text
    assert image_directives(text), f"{name} has no figure"
    labels = re.findall(r"```\{exercise\}[^\n]*\n:label:\s*(\S+)", text)
    solutions = re.findall(r"```\{solution\}\s*(\S+)", text)
    assert len(labels) >= 3, f"{name} has {len(labels)} exercises; at least 3 are required"
    assert sorted(labels) == sorted(solutions), f"{name}: exercises {labels} vs solutions {solutions}"


def test_exercise_labels_are_unique_across_the_book():
    labels = []
    for text in prose_documents().values():
        labels += re.findall(r"\{exercise\}[^\n]*\n\s*:label:\s*(\S+)", text)
    duplicates = sorted({lab for lab in labels if labels.count(lab) > 1})
    assert not duplicates, f"exercise labels used more than once: {duplicates}"


# ----------------------------------------------------------------------------------------------
# the timeline figure's events are sourced, and the history the review asked for is on it
# ----------------------------------------------------------------------------------------------
def test_timeline_events_are_sourced_in_the_chapter():
    from chaoyang.plots import theory_figures

    chapter_keys = set(parse_cite_keys((THEORY / "mass-prevention.md").read_text(encoding="utf-8")))
    known = bib_keys()
    years = [event[0] for event in theory_figures.TIMELINE_EVENTS]
    assert years == sorted(years), "timeline events must be in chronological order"
    for _year, date, label, source, kind in theory_figures.TIMELINE_EVENTS:
        assert source in known, f"timeline event {label!r} cites {source}, which is not in the .bib"
        assert source in chapter_keys, f"timeline event {label!r}: {source} is not cited in mass-prevention.md"
        assert kind in {"national", "chaoyang"}
        assert date.strip(), f"timeline event {label!r} has no printed date"


@pytest.mark.parametrize("date, words", [
    ("early 1950s", "Public-security committees"),
    ("1983", "Strike Hard"),
    ("1991", "comprehensive"),
    ("2004", "urban-management"),
    ("2008", "Olympics"),
    ("2013", "Xue Manzi"),
    ("2014", "rewards"),
    ("2015", "prevention-"),
])
def test_timeline_has_the_missing_history(date, words):
    from chaoyang.plots import theory_figures

    assert any(d == date and words in label for _y, d, label, _s, _k in theory_figures.TIMELINE_EVENTS), (
        f"no timeline event dated {date!r} mentioning {words!r}")
