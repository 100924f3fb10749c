"""The two built editions: the same pages, switch links that land on the same page, Chinese that is rendered.

Uses the session build of ``tests/_book.py`` (English in ``_build/html``, Chinese in ``_build/html/zh``). The
browser checks (console errors, outside requests, axe, images, phone layout) run on both editions in
``tests/test_site_browser.py``; the glyph check below drives the same browser. The module's name starts with
``test_site_`` on purpose: within the "book" xdist group modules run in name order, and the session browser must
start after ``tests/test_pdf_epub.py`` has printed (two sync Playwright instances cannot share a process).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from book_fixes import CHROME  # noqa: E402
from site_toc import toc_pages  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

PAGES = toc_pages(ROOT / "_toc.yml")
# Folders of the build that are not pages of an edition.
NOT_PAGES = {"_static", "_sources", "_images", "reports", "jupyter_execute", "zh", "downloads", "_sphinx_design_static"}
SWITCH = re.compile(r'<a class="btn btn-sm kit-lang-switch" href="([^"]+)"')
CJK = re.compile(r"[\u3400-\u9fff]")


def _pages(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*.html")
            if p.relative_to(root).parts[0] not in NOT_PAGES}


def _article(html: str) -> str:
    match = re.search(r"<article[^>]*>(.*)</article>", html, re.S)
    body = match.group(1) if match else html
    body = re.sub(r"<(script|style|pre|code)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return body


#: Pages whose English paragraphs are English by design, with the reason. The Markdown check still applies.
ENGLISH_BY_DESIGN = {
    "book/appendix/bibliography": "the reference list cites each work in its original language",
    "book/appendix/glossary": "the bilingual glossary's English and pinyin columns",
}
#: A paragraph that is a name in code (a column, a page, a key), not prose.
IDENTIFIER = re.compile(r"^[\w./:*()\[\]+–-]+$")


def _paragraph_texts(html: str) -> list[str]:
    """Prose paragraphs of the article: program output (notebook cell outputs), code and references left out."""
    from bs4 import BeautifulSoup

    article = BeautifulSoup(html, "html.parser").find("article") or BeautifulSoup(html, "html.parser")
    for unwanted in article.select("div.cell_output, pre, code, script, style, div.citation"):
        unwanted.decompose()
    texts = []
    for para in article.find_all("p"):
        text = re.sub(r"\s+", " ", para.get_text(" ")).strip()
        if len(re.findall(r"[A-Za-z\u3400-\u9fff]", text)) >= 12 and not IDENTIFIER.match(text):
            texts.append(text)
    return texts


def test_both_editions_have_the_same_pages(built_book):
    english, chinese = _pages(built_book), _pages(built_book / "zh")
    assert english == chinese, (f"only in English: {sorted(english - chinese)[:10]}; "
                                f"only in Chinese: {sorted(chinese - english)[:10]}")
    assert len(english) >= len(PAGES)


@pytest.mark.parametrize("docname", PAGES)
def test_the_switch_lands_on_the_same_page_in_the_other_edition(built_book, docname):
    for here, there in ((built_book, built_book / "zh"), (built_book / "zh", built_book)):
        page = here / f"{docname}.html"
        links = SWITCH.findall(page.read_text(encoding="utf-8"))
        assert len(links) == 1, f"{page}: {len(links)} language switches"
        target = (page.parent / links[0]).resolve()
        assert target == (there / f"{docname}.html").resolve(), f"{page}: switch goes to {target}"


@pytest.mark.parametrize("docname", PAGES)
def test_chinese_page_is_chinese(built_book, docname):
    html = (built_book / "zh" / f"{docname}.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in html
    paragraphs = _paragraph_texts(html)
    english = [t for t in paragraphs if not CJK.search(t)]
    # A paragraph may legitimately hold no Chinese (a formula, a name); a page may not.
    if docname not in ENGLISH_BY_DESIGN:
        assert len(english) <= max(2, len(paragraphs) // 10), f"paragraphs left in English: {english[:5]}"
    article = re.sub(r"<[^>]+>", "", _article(html))
    leftovers = re.findall(r"\*\*\S|\S\*\*|\{(?:doc|ref|cite:p|cite:t|glue:text|numref)\}`", article)
    assert not leftovers, f"unrendered Markdown in the Chinese page: {leftovers[:5]}"


@pytest.mark.parametrize("docname", PAGES)
def test_no_english_page_chrome_in_the_chinese_edition(built_book, docname):
    html = (built_book / "zh" / f"{docname}.html").read_text(encoding="utf-8")
    left = [text for text in CHROME if f'="{text}"' in html or f">{text}<" in html]
    assert not left, f"English theme chrome in the Chinese page: {left}"


def test_the_english_page_has_no_chinese_chrome(built_book):
    html = (built_book / "book" / "preface.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in html and "本页导航" not in html and "显示或隐藏" not in html


# ---- glyphs, in the browser ---------------------------------------------------------------------------------
@pytest.fixture
def page(browser_context):
    tab = browser_context.new_page()
    yield tab
    tab.close()


GLYPHS_JS = """
([a, b]) => {
  const font = getComputedStyle(document.querySelector('article p') || document.body).font;
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = font.replace(/\\d+(\\.\\d+)?px/, '40px');
    g.fillStyle = '#000'; g.fillText(ch, 4, 48);
    return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
  };
  return {same: draw(a) === draw(b), blank: draw(a) === draw(' ')};
}
"""


@pytest.mark.browser
def test_chinese_glyphs_render_and_are_not_tofu(page, site_url):
    """Two different characters draw different pixels with the page's font; missing glyphs would draw the
    same box. The planted case (two unassigned code points) shows the check sees boxes."""
    page.goto(site_url + "zh/book/preface.html", wait_until="load")
    for a, b in (("群", "众"), ("防", "治"), ("朝", "阳")):
        result = page.evaluate(GLYPHS_JS, [a, b])
        assert not result["blank"] and not result["same"], f"{a}/{b} render as the same box: no CJK font"
    planted = page.evaluate(GLYPHS_JS, ["\U000e0ff0", "\U000e0ff1"])  # unassigned: drawn as the same box or nothing
    assert planted["same"], "the tofu check cannot tell missing glyphs apart from real ones"


@pytest.mark.browser
def test_chinese_search_finds_a_glossary_term(page, site_url):
    """The Chinese edition's search index holds Chinese words (segmented by jieba, glossary terms whole)."""
    page.goto(site_url + "zh/search.html?q=群防群治", wait_until="load")
    page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length > 0",
                           timeout=20_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    assert any("/zh/book/theory/mass-prevention.html" in href for href in hits), hits
