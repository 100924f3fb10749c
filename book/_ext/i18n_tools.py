"""Checks of the Chinese edition's message catalogs (``locale/<lang>/LC_MESSAGES/**/*.po``).

The Chinese edition is built by Sphinx from the English sources and these catalogs. A translation
must carry every piece of markup that makes the page work: cross-references, citations, glued
values, inline code, maths and link targets. It must also use the glossary's Chinese form of every
glossary term it translates. This module is the one home of both checks; ``tests/test_i18n.py`` runs
them over every catalog and translators run them while they work::

    python book/_ext/i18n_tools.py check locale/zh_CN/LC_MESSAGES/book/preface.po

Examples
--------
>>> markup_problems("See {doc}`world` and `COH1`.", "见 {doc}`world` 与 `COH1`。")
[]
>>> markup_problems("{cite:p}`tian2024mobilization` says", "论文指出")
['missing {cite:p}`tian2024mobilization`']
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locale"
GLOSSARY = ROOT / "book" / "appendix" / "glossary.md"
# Reviewed exceptions to the terminology rule, one YAML list per file: {catalog, term, why}, where
# catalog is the path below LC_MESSAGES. Kept short; every line is a decision someone can defend.
TERM_ALLOWLIST_DIR = ROOT / "locale" / "term_allowlist"

# A MyST role: {name}`content`. Roles whose content is a label or key must survive unchanged; roles
# that may carry a displayed title (`Title <target>`) must keep their target.
_ROLE = re.compile(r"\{([a-zA-Z:_-]+)\}`([^`]*)`")
_TITLED_ROLES = {"doc", "ref", "numref", "term", "download", "kit-repo"}
# Inline code that is not a role's content.
_CODE = re.compile(r"(?<![}`])`([^`\n]+)`(?!`)")
_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
_BARE_URL = re.compile(r"(?<![(<\w])https?://[^\s)>\]]+")


def markup_tokens(text: str) -> Counter:
    """Return the markup of ``text`` that a translation must keep, as a multiset of strings.

    Parameters
    ----------
    text : str
        One message (a paragraph, heading, table cell or caption) in MyST Markdown.

    Returns
    -------
    collections.Counter
        Keys such as ``"{doc}`world`"``, ``"`COH1`"``, ``"$\\beta$"`` or ``"](https://…)"``; the values
        are how often each occurs. Displayed titles of ``{doc}``/``{ref}``/``{numref}`` roles are
        dropped (they are translated); their targets are kept.

    Examples
    --------
    >>> sorted(markup_tokens("{doc}`The world <world>` has `COH1` and $x$.").items())
    [('$x$', 1), ('`COH1`', 1), ('{doc}`world`', 1)]
    """
    tokens: Counter = Counter()
    without_roles = text
    for match in _ROLE.finditer(text):
        name, content = match.group(1), match.group(2)
        if name in _TITLED_ROLES:
            target = re.search(r"<([^<>]+)>\s*$", content)
            content = target.group(1) if target else content
        tokens[f"{{{name}}}`{content}`"] += 1
    without_roles = _ROLE.sub(" ", text)
    for match in _CODE.finditer(without_roles):
        tokens[f"`{match.group(1)}`"] += 1
    without_code = _CODE.sub(" ", without_roles)
    for match in _MATH.finditer(without_code):
        tokens[f"${match.group(1)}$"] += 1
    for match in _LINK_TARGET.finditer(without_code):
        tokens[f"]({match.group(1)})"] += 1
    for match in _BARE_URL.finditer(_LINK_TARGET.sub(" ", without_code)):
        tokens[match.group(0).rstrip(".,;:")] += 1
    return tokens


def markup_problems(msgid: str, msgstr: str) -> list[str]:
    """List the markup of ``msgid`` missing from ``msgstr`` and the markup ``msgstr`` adds.

    Examples
    --------
    >>> markup_problems("`a` and `b`", "`a`")
    ['missing `b`']
    """
    source, translation = markup_tokens(msgid), markup_tokens(msgstr)
    problems = [f"missing {tok}" for tok in sorted(source) for _ in range(source[tok] - translation[tok])]
    problems += [f"added {tok}" for tok in sorted(translation) for _ in range(translation[tok] - source[tok])]
    return problems


def emphasis_problems(msgstr: str) -> list[str]:
    """Emphasis that CommonMark leaves unrendered: ``**`` or ``*`` shown as literal stars.

    A closing ``**`` after punctuation (such as 。) and directly before a Chinese character does not close,
    so ``**论文的表述。**本章`` shows its stars; ``**论文的表述**。本章`` does not. The message is rendered with
    markdown-it (the parser MyST uses) and any star left in its text is reported.

    Examples
    --------
    >>> emphasis_problems("**论文的表述。**本章")
    ['literal * in: **论文的表述。**本章']
    >>> emphasis_problems("**论文的表述**。本章")
    []
    """
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parseInline(re.sub(r"`[^`]*`|\$[^$]*\$", "", msgstr))
    texts = [child.content for token in tokens for child in (token.children or []) if child.type == "text"]
    return [f"literal * in: {msgstr[:60]}"] if any("*" in text for text in texts) else []


def _clean_cell(cell: str) -> str:
    return re.sub(r"[\"“”]", "", cell).strip()


def glossary_terms(path: Path = GLOSSARY) -> list[tuple[str, str]]:
    """Return the term base: ``(english, chinese)`` pairs from the glossary's table.

    An English entry ``"allowance (subsidy)"`` gives the form ``allowance``; the parenthesis is
    an explanation. A Chinese cell with alternatives separated by ``/`` or ``；`` gives its first form.

    Examples
    --------
    >>> ("collective efficacy", "集体效能") in glossary_terms()
    True
    """
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("English", "") or set(cells[0]) <= set("-: "):
            continue
        english = re.sub(r"\s*\(.*?\)\s*", " ", _clean_cell(cells[0])).strip()
        chinese = re.split(r"[/；;]", _clean_cell(cells[1]))[0].strip()
        if english and re.search(r"[\u4e00-\u9fff]", chinese):
            pairs.append((english, chinese))
    return pairs


def _term_pattern(english: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(english).replace(r"\ ", r"[\s-]+") + r"s?(?![\w-])", re.I)


def load_allowlist(folder: Path = TERM_ALLOWLIST_DIR) -> set[tuple[str, str]]:
    """Return the reviewed ``(catalog, english term)`` exceptions to the terminology rule."""
    import yaml

    allowed = set()
    for path in sorted(folder.glob("*.yml")) if folder.exists() else []:
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if not str(row.get("why", "")).strip():
                raise ValueError(f"{path.name}: the exception for {row.get('term')!r} gives no 'why'")
            allowed.add((row["catalog"], row["term"]))
    return allowed


def term_problems(msgid: str, msgstr: str, terms: list[tuple[str, str]]) -> list[str]:
    """List glossary terms that occur in ``msgid`` but whose Chinese form is absent from ``msgstr``.

    Examples
    --------
    >>> term_problems("Collective efficacy matters.", "集体效能很重要。", [("collective efficacy", "集体效能")])
    []
    >>> term_problems("Collective efficacy matters.", "集体效力很重要。", [("collective efficacy", "集体效能")])
    ['collective efficacy -> 集体效能']
    >>> term_problems("collective efficacy", "collective efficacy", [("collective efficacy", "集体效能")])
    []
    """
    # A glossary headword standing alone (the English column of the glossary's table) is the term itself,
    # not a use of it: its Chinese form is in the next cell.
    if _clean_cell(msgid).lower() in {_clean_cell(en).lower() for en, _ in terms} or \
            re.sub(r"\s*\(.*?\)\s*", " ", _clean_cell(msgid)).strip().lower() in {en.lower() for en, _ in terms}:
        return []
    # Code, roles and link targets are not prose: `emotional+allowance` is a key, not the term.
    msgid = _LINK_TARGET.sub(" ", _CODE.sub(" ", _ROLE.sub(" ", msgid)))
    # Longest terms first, and a span of the English used once: "campaign-style governance mechanism"
    # must not also demand the shorter "campaign-style governance".
    plain = re.sub(r"[\"“”]", "", msgstr)
    taken: list[tuple[int, int]] = []
    problems = []
    for en, zh in sorted(terms, key=lambda pair: -len(pair[0])):
        for match in _term_pattern(en).finditer(msgid):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            if zh not in plain and f"{en} -> {zh}" not in problems:
                problems.append(f"{en} -> {zh}")
    return problems


def check_catalog(path: Path, terms: list[tuple[str, str]] | None = None,
                  allow: set[tuple[str, str]] | None = None) -> list[str]:
    """Check one ``.po`` file: untranslated, fuzzy, markup and terminology problems, one line each."""
    import polib

    terms = glossary_terms() if terms is None else terms
    allow = load_allowlist() if allow is None else allow
    catalog = polib.pofile(str(path))
    parts = path.parts
    rel = "/".join(parts[parts.index("LC_MESSAGES") + 1:]) if "LC_MESSAGES" in parts else path.name
    problems = []
    for entry in catalog:
        if entry.obsolete:
            continue
        head = entry.msgid[:60].replace("\n", " ")
        if "fuzzy" in entry.flags:
            problems.append(f"{rel}: fuzzy: {head}")
        if not entry.msgstr.strip():
            problems.append(f"{rel}: untranslated: {head}")
            continue
        problems += [f"{rel}: {p}: {head}" for p in markup_problems(entry.msgid, entry.msgstr)]
        if not emphasis_problems(entry.msgid):  # a star the English shows literally may stay literal
            problems += [f"{rel}: {p}" for p in emphasis_problems(entry.msgstr)]
        problems += [f"{rel}: term {p}: {head}" for p in term_problems(entry.msgid, entry.msgstr, terms)
                     if (rel, p.split(" -> ")[0]) not in allow]
    return problems


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "check":
        print("usage: python book/_ext/i18n_tools.py check FILE.po [FILE.po ...]")
        return 2
    terms, allow = glossary_terms(), load_allowlist()
    problems = [p for f in argv[1:] for p in check_catalog(Path(f).resolve(), terms, allow)]
    print("\n".join(problems) if problems else "no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
