"""The Chinese edition's catalogs: complete, not fuzzy, markup intact, glossary terms kept, not out of date.

The catalogs are ``locale/zh_CN/LC_MESSAGES/**/*.po`` (one per page, plus ``sphinx.po`` for templates and
``ui.po`` for the kit's extensions). ``book/_ext/i18n_tools.py`` holds the checks; these tests run them over
every catalog, show that each check can fail (planted cases), and re-extract the messages from the English
sources to catch drift. The built-site checks (page parity, switch links, chrome, rendering) are in
``tests/test_site_i18n.py``.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import book_i18n  # noqa: E402
import i18n_tools  # noqa: E402

LC = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"
CATALOGS = sorted(LC.rglob("*.po"))
# The page catalogs managed by Sphinx's gettext builder and sphinx-intl (others have their own extractors).
PAGE_CATALOGS = [p for p in CATALOGS if p.relative_to(LC).parts[0] in ("book", "notebooks")]


def _rel(path: Path) -> str:
    return path.relative_to(LC).as_posix()


def test_there_is_a_catalog_for_every_page_of_the_toc():
    from site_toc import toc_pages  # tests/site on sys.path via conftest

    pages = toc_pages(ROOT / "_toc.yml")
    missing = [p for p in pages if not (LC / f"{p}.po").is_file()]
    assert not missing, f"pages without a Chinese catalog (run `make locale`): {missing}"


@pytest.mark.parametrize("catalog", CATALOGS, ids=_rel)
def test_catalog_is_complete_unfuzzy_with_markup_and_terms_intact(catalog):
    problems = i18n_tools.check_catalog(catalog)
    assert not problems, "\n".join(problems[:40]) + (f"\n… {len(problems) - 40} more" if len(problems) > 40 else "")


@pytest.mark.parametrize("catalog", CATALOGS, ids=_rel)
def test_catalog_has_no_obsolete_messages_or_fuzzy_header(catalog):
    po = polib.pofile(str(catalog))
    assert not po.obsolete_entries(), f"{_rel(catalog)}: obsolete messages left by sphinx-intl: delete them"
    assert not po.metadata_is_fuzzy, f"{_rel(catalog)}: the header is marked fuzzy"


def test_translation_coverage_is_total():
    total = translated = 0
    for catalog in CATALOGS:
        entries = [e for e in polib.pofile(str(catalog)) if not e.obsolete]
        total += len(entries)
        translated += sum(1 for e in entries if e.msgstr.strip() and "fuzzy" not in e.flags)
    assert total > 3000, f"only {total} messages: the catalogs look truncated"
    assert translated == total, f"{translated} of {total} messages translated"


# ---- each check can fail --------------------------------------------------------------------------------
def _po(tmp_path: Path, msgid: str, msgstr: str, fuzzy: bool = False) -> Path:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if fuzzy else []))
    path = tmp_path / "LC_MESSAGES" / "book" / "x.po"
    path.parent.mkdir(parents=True)
    po.save(str(path))
    return path


@pytest.mark.parametrize("msgid, msgstr, fuzzy, expected", [
    ("Hello.", "", False, "untranslated"),
    ("Hello.", "你好。", True, "fuzzy"),
    ("See {doc}`world`.", "见世界。", False, "missing {doc}`world`"),
    ("Value {glue:text}`qca_n_cut`.", "数值 {glue:text}`qca_n_kut`。", False, "missing {glue:text}`qca_n_cut`"),
    ("{cite:p}`tian2024mobilization` argues", "{cite:t}`tian2024mobilization` 认为", False, "added {cite:t}"),
    ("Items `COH1`–`COH4`.", "题项 COH1–`COH4`。", False, "missing `COH1`"),
    ("See [the docs](https://example.org/a).", "见[文档](https://example.org/b)。", False, "missing ](https://example.org/a)"),
    ("The mass line matters.", "群众观点很重要。", False, "term mass line -> 群众路线"),
])
def test_planted_catalog_problems_are_reported(tmp_path, msgid, msgstr, fuzzy, expected):
    problems = i18n_tools.check_catalog(_po(tmp_path, msgid, msgstr, fuzzy), allow=set())
    assert any(expected in p for p in problems), problems


def test_a_good_translation_passes_the_checks(tmp_path):
    path = _po(tmp_path, "The mass line and {doc}`world` with `COH1` and $\\beta$.",
               "群众路线与 {doc}`world`，以及 `COH1` 和 $\\beta$。")
    assert i18n_tools.check_catalog(path, allow=set()) == []


def test_a_titled_reference_may_translate_its_title_but_not_its_target():
    assert i18n_tools.markup_problems("{doc}`The world <world>`", "{doc}`预设真值 <world>`") == []
    assert i18n_tools.markup_problems("{doc}`The world <world>`", "{doc}`预设真值 <datasets>`") != []


def test_the_term_base_comes_from_the_glossary_and_is_not_empty():
    terms = dict(i18n_tools.glossary_terms())
    assert len(terms) >= 60
    # Spot checks against the glossary table itself (book/appendix/glossary.md).
    assert terms["mass prevention and governance"] == "群防群治"
    assert terms["interaction ritual chain"] == "互动仪式链"
    assert terms["police–community relations"] == "警民关系"


def test_every_allowlisted_term_exception_names_a_real_catalog_and_term():
    terms = {en for en, _ in i18n_tools.glossary_terms()}
    for catalog, term in i18n_tools.load_allowlist():
        assert (LC / catalog).is_file(), f"allowlist names a catalog that does not exist: {catalog}"
        assert term in terms, f"allowlist names a term that is not in the glossary: {term}"


def test_the_ui_catalog_holds_every_ui_string_of_the_extensions():
    po = {e.msgid for e in polib.pofile(str(LC / "ui.po")) if not e.obsolete}
    assert set(book_i18n.ui_messages()) == po, "run `make locale` and translate ui.po"


# ---- drift: re-extract from the English sources ----------------------------------------------------------
@pytest.mark.slow
@pytest.mark.xdist_group("book")
def test_catalogs_are_up_to_date_with_the_english_sources(built_book):
    """Extract the messages again (in the test build's copy, reusing its executed notebooks) and compare."""
    copy = built_book.parents[1]
    result = subprocess.run([sys.executable, str(copy / "book" / "_ext" / "build_editions.py"), "gettext"],
                            capture_output=True, text=True, timeout=1800, cwd=copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    gettext = copy / "_build" / "gettext"
    templates = {p.relative_to(gettext).with_suffix(".po").as_posix(): p for p in gettext.rglob("*.pot")}
    managed = {_rel(p) for p in PAGE_CATALOGS} | {"sphinx.po", "ui.po"}
    assert set(templates) == managed, (
        f"catalogs without a page: {sorted(managed - set(templates))}; "
        f"pages without a catalog: {sorted(set(templates) - managed)} — run `make locale`")
    stale = []
    for name, pot in sorted(templates.items()):
        # An empty msgid is the header slot (Sphinx also extracts the empty caption of a chapter's own toctree).
        wanted = {e.msgid for e in polib.pofile(str(pot)) if e.msgid}
        have = {e.msgid for e in polib.pofile(str(LC / name)) if not e.obsolete}
        if wanted != have:
            stale.append(f"{name}: {len(wanted - have)} new, {len(have - wanted)} gone "
                         f"(e.g. {sorted(wanted - have or have - wanted)[0][:70]!r})")
    assert not stale, "catalogs out of date with the English sources — run `make locale`:\n" + "\n".join(stale)


# ---- consistency across pages ----------------------------------------------------------------------------
#: Short messages that may legitimately differ by context (a table header "Due" is a deadline in one table and
#: the work handed in in another; "#" is a column of numbers or of item codes; "Purpose" heads a datasheet
#: section (用途) and names a data-protection principle (目的)).

CONTEXT_DEPENDENT = {"Due", "#", "Purpose"}


def test_the_same_heading_is_translated_the_same_on_every_page():
    """A heading or table header (up to 40 characters) that occurs on several pages has one translation.

    The glossary's English column is excluded: there the English headword is kept on purpose."""
    seen: dict[str, dict[str, list[str]]] = {}
    for catalog in PAGE_CATALOGS:
        if _rel(catalog) == "book/appendix/glossary.po":
            continue
        for entry in polib.pofile(str(catalog)):
            if entry.obsolete or not entry.msgstr or len(entry.msgid) > 40 or entry.msgid in CONTEXT_DEPENDENT:
                continue
            seen.setdefault(entry.msgid, {}).setdefault(entry.msgstr, []).append(_rel(catalog))
    differing = {msgid: renderings for msgid, renderings in seen.items() if len(renderings) > 1}
    assert not differing, "\n".join(f"{m!r}: {r}" for m, r in list(differing.items())[:10])
