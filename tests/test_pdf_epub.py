"""The whole book as a PDF (``make pdf``) and as an EPUB (``make epub``), both made offline.

The book is built once per session (``tests/_book.py``); this module then builds its one-page
version and prints it with Debian's Chromium (``book/_ext/book_pdf.py``), and builds the EPUB
(``book/_ext/book_epub.py``), in the same throw-away copy, reusing its executed notebooks. What the
PDF must hold is read from the built HTML site, not from the printer: chapter titles, figure
captions and bibliography entries.

Needs Chromium and Playwright like the browser tests, ``pdffonts``/``pdftotext`` (Debian
``poppler-utils``) and EPUBCheck (Debian ``epubcheck``); without them the tests that need them are
skipped with the install command, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))  # helpers (not a package: `site` is stdlib)

from _book import JUPYTER_BOOK, ROOT  # noqa: E402
from site_browser import PLAYWRIGHT_PIN, chromium_path, missing  # noqa: E402
from site_links import broken_links  # noqa: E402
from site_toc import toc_pages  # noqa: E402

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import book_epub  # noqa: E402
import book_pdf  # noqa: E402
import book_print  # noqa: E402

pytestmark = [pytest.mark.xdist_group("book")]
slow = pytest.mark.slow

PAGES = toc_pages(ROOT / "_toc.yml")
CHAPTERS = PAGES[1:]  # every page after the front page is a chapter with its own title
PDF_NAME = "chaoyang-residents.pdf"
EPUB_NAME = "chaoyang-residents.epub"


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _letters(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _heading_text(tag) -> str:
    for link in tag.select(".headerlink"):
        link.decompose()
    return _collapse(tag.get_text(" "))


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def _jupyter_book(root: Path, *builder: str) -> None:
    result = subprocess.run([JUPYTER_BOOK, "build", str(root), *builder, "--warningiserror", "--keep-going"],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{' '.join(builder)} build failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"


def _need(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if not found:
        missing(f"{tool} ({package})", f"apt-get install -y {package}")
    return found


# --------------------------------------------------------------------------------------------------
# Fixtures: one site, one PDF, one EPUB for the session
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def book_root(built_book) -> Path:
    return built_book.parents[1]  # the folder holding _config.yml (<root>/_build/html)


@pytest.fixture(scope="session")
def browser_ready():
    chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("Playwright", f"pip install {PLAYWRIGHT_PIN}")


@pytest.fixture(scope="session")
def printed(book_root, built_book, browser_ready) -> book_pdf.PrintReport:
    """Build the one-page book and print it, as `make pdf` does (and copy it into the site)."""
    _jupyter_book(book_root, "--builder", "singlehtml")
    report = book_pdf.print_pdf(book_root / "_build" / "singlehtml", book_root / "_build" / "pdf" / PDF_NAME)
    (built_book / "downloads").mkdir(exist_ok=True)
    shutil.copy2(report.pdf, built_book / "downloads" / PDF_NAME)
    return report


@pytest.fixture(scope="session")
def pdf(printed):
    from pypdf import PdfReader

    return PdfReader(printed.pdf)


@pytest.fixture(scope="session")
def outline(pdf) -> list[tuple[int, str, int]]:
    """Every bookmark as (depth, title, 0-based page), in order."""
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, str(item.title), pdf.get_destination_page_number(item)))

    walk(pdf.outline, 0)
    return entries


@pytest.fixture(scope="session")
def pdf_text(printed) -> list[str]:
    """The text of each page, from poppler's pdftotext (independent of the printer and of pypdf)."""
    pdftotext = _need("pdftotext", "poppler-utils")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(printed.pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=300).stdout
    return text.split("\f")


@pytest.fixture(scope="session")
def chapter_titles(built_book) -> dict[str, str]:
    """Each chapter's title as the site shows it (its page's <h1>)."""
    titles = {}
    for page in CHAPTERS:
        heading = _soup(built_book / f"{page}.html").select_one("article h1, main h1")
        assert heading is not None, f"{page}.html has no <h1>"
        titles[page] = _heading_text(heading)
    return titles


@pytest.fixture(scope="session")
def epub(book_root, built_book) -> Path:
    """Build the EPUB as `make epub` does (and copy it into the site)."""
    _jupyter_book(book_root, "--builder", "custom", "--custom-builder", "epub")
    path = book_root / "_build" / "epub" / EPUB_NAME
    assert path.is_file(), f"the EPUB builder wrote no {EPUB_NAME}"
    (built_book / "downloads").mkdir(exist_ok=True)
    shutil.copy2(path, built_book / "downloads" / EPUB_NAME)
    return path


# --------------------------------------------------------------------------------------------------
# Quick checks of the helpers (no build)
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("module", [book_pdf, book_print, book_epub], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    import doctest

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_xhtml_repair_makes_a_pandas_table_output_valid_xhtml():
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            '<head><title>t</title></head><body><div class="output text_html"><div>\n<style scoped>\n'
            '.dataframe tbody tr th {vertical-align: top;}\n</style>\n<table border="1" class="dataframe">'
            '<tr><th valign="top">a</th><td>1<br></td></tr></table></div></div>'
            '<details><summary><p class="collapsed">Show</p></summary><pre>x</pre></details></body></html>')
    with pytest.raises(Exception):  # the input itself is not XML: `scoped` has no value, <br> is not closed
        import xml.etree.ElementTree as ET

        ET.fromstring(page)
    fixed, changes = book_epub.xhtml_repair(page)
    assert "scoped" not in fixed and 'valign' not in fixed and "vertical-align: top" in fixed
    assert fixed.index("<style>") < fixed.index("</head>")
    assert "<summary><span" in fixed
    assert changes["attributes"] == 2 and changes["moved"] == 2


def test_printing_refuses_the_redirect_page_of_an_unprepared_one_page_build(tmp_path):
    # Without book_print, _build/singlehtml/index.html only redirects to book/index.html, whose
    # relative paths are all wrong: printing it would give a PDF without styles or figures.
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/index.html" />\n')
    with pytest.raises(book_pdf.PrintError, match="only redirects"):
        book_pdf.print_pdf(tmp_path, tmp_path / "book.pdf")
    assert not (tmp_path / "book.pdf").exists()


def test_xhtml_repair_names_the_page_it_cannot_repair():
    # A page whose text is not XML even after repair (a stray control character) is reported by name.
    with pytest.raises(book_epub.XhtmlError, match="notebooks/x.xhtml"):
        book_epub.xhtml_repair("<html><head></head><body>\x01</body></html>", "notebooks/x.xhtml")


# --------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------
@slow
def test_every_chapter_starts_a_new_page_so_the_pdf_has_more_pages_than_chapters(pdf):
    # Title page + printed contents + at least one page per chapter.
    assert len(pdf.pages) >= len(CHAPTERS) + 2
    assert len(pdf.pages) > 100  # the site's chapters hold far more than a page each


@slow
def test_title_page_comes_first(pdf_text):
    first = _collapse(pdf_text[0])
    import yaml

    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    main, _, subtitle = title.partition(": ")
    assert main in first and subtitle in first
    assert "CC BY 4.0" in first and "Printed from the book's source on" in first


@slow
def test_outline_has_every_chapter_with_its_site_title_in_reading_order(outline, chapter_titles):
    assert outline, "the PDF has no bookmarks"
    previous_page, missing_titles = 0, []
    for page, title in chapter_titles.items():
        hits = [p for _, t, p in outline if t == title and p >= previous_page]
        if not hits:
            missing_titles.append(f"{page}: {title!r}")
            continue
        previous_page = hits[0]
    assert not missing_titles, "chapters without a bookmark (or out of order):\n" + "\n".join(missing_titles)


@slow
def test_outline_has_sections_below_chapters(outline):
    depths = {depth for depth, _, _ in outline}
    assert max(depths) >= 2, "only chapter-level bookmarks: sections are missing"


@slow
def test_every_font_is_embedded(printed):
    pdffonts = _need("pdffonts", "poppler-utils")
    lines = subprocess.run([pdffonts, str(printed.pdf)], capture_output=True, text=True, check=True,
                           timeout=300).stdout.splitlines()[2:]
    assert lines, "pdffonts lists no font"
    # Columns end with: emb sub uni object-number generation (names and types may hold spaces).
    not_embedded = [line for line in lines if line.split()[-5] != "yes"]
    assert not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded)


def _links(pdf):
    internal, external = [], []
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if "/Dest" in annotation:
                internal.append(annotation["/Dest"])
            elif action is not None and action.get("/S") == "/GoTo":
                internal.append(action["/D"])
            elif action is not None and action.get("/S") == "/URI":
                external.append(str(action["/URI"]))
    return internal, external


@slow
def test_internal_links_point_to_destinations_inside_the_document(pdf):
    internal, external = _links(pdf)
    assert len(internal) > 500, f"only {len(internal)} internal links: cross-references became external?"
    names = set(pdf.named_destinations)
    dangling = [str(d) for d in internal if isinstance(d, str) and str(d) not in names]
    assert not dangling, f"{len(dangling)} links to undefined destinations, e.g. {dangling[:5]}"
    local = [url for url in external if not re.match(r"^(https?|mailto):", url)]
    assert not local, f"links to files of the build machine instead of inside the PDF: {local[:5]}"


@slow
def test_citations_jump_to_the_bibliography(pdf, outline):
    starts = [(p, t) for d, t, p in outline if d == 1]
    references = next(i for i, (_, t) in enumerate(starts) if t == "References")
    first, last = starts[references][0], (starts[references + 1][0] if references + 1 < len(starts) else len(pdf.pages))
    internal, _ = _links(pdf)
    landing = [pdf.get_destination_page_number(pdf.named_destinations[str(d)]) for d in internal
               if str(d) in pdf.named_destinations]
    assert sum(first <= p < last for p in landing) > 20, "no (or few) links land in the References chapter"


@slow
def test_bibliography_entries_are_printed(built_book, pdf_text):
    entries = _soup(built_book / "book" / "appendix" / "bibliography.html").select("div.citation p")
    # Words (Latin runs and CJK runs) rather than one string: pdftotext may print a wrapped CJK title's
    # first line before the author's name, and spaces around full-width quotes differ.
    texts = [" ".join(re.findall(r"[A-Za-z0-9]+|[\u4e00-\u9fff]+", e.get_text(" "))[:8]) for e in entries]
    assert texts, "the site's bibliography page lists no entry"
    printed = _letters("".join(pdf_text))
    absent = [t for t in texts if not all(word in printed for word in t.split())]
    assert not absent, f"{len(absent)} of {len(texts)} bibliography entries missing from the PDF: {absent[:3]}"


@slow
def test_figures_are_numbered_as_on_the_site(built_book, pdf_text):
    captions = []
    for page in PAGES:
        for figure in _soup(built_book / f"{page}.html").select("figure figcaption"):
            if figure.select_one(".caption-number") is not None:
                captions.append(_heading_text(figure)[:50])
    assert captions, "the site has no numbered figure"
    printed = _letters("".join(pdf_text))
    absent = [c for c in captions if _letters(c) not in printed]
    assert not absent, f"figure captions (with their numbers) missing from the PDF: {absent[:5]}"


@slow
def test_printing_made_no_request_outside_the_local_files_and_typeset_the_maths(printed):
    assert printed.requests, "the printer saw no request at all: is the request log wired?"
    outside = [u for u in printed.requests if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert not outside
    state = printed.page_state
    assert state["maths"] > 0 and state["typeset"] >= state["maths"] and state["maths_errors"] == 0
    assert not state["broken_images"]


@slow
def test_a_page_that_requests_an_external_url_fails_to_print(tmp_path, browser_ready):
    page = tmp_path / "external.html"
    page.write_text('<!DOCTYPE html><html><head><title>x</title>'
                    '<link rel="stylesheet" href="https://cdn.example.invalid/style.css"></head>'
                    '<body><h1>x</h1><img alt="x" src="http://example.invalid/x.png"></body></html>',
                    encoding="utf-8")
    target = tmp_path / "out.pdf"
    with pytest.raises(book_pdf.ExternalRequestError, match="example.invalid"):
        book_pdf.print_pdf(page, target)
    assert not target.exists(), "a PDF was written although the page asked for an external URL"


@slow
def test_a_local_page_prints(tmp_path, browser_ready):
    # The counterpart of the test above: the same page without the external URLs prints.
    page = tmp_path / "local.html"
    page.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><h1>Local heading</h1></body></html>',
                    encoding="utf-8")
    report = book_pdf.print_pdf(page, tmp_path / "out.pdf")
    assert report.pdf.stat().st_size > 0 and report.requests == [page.as_uri()]


# --------------------------------------------------------------------------------------------------
# EPUB
# --------------------------------------------------------------------------------------------------
def _epubcheck_or_skip():
    try:
        return book_epub.epubcheck_command()
    except FileNotFoundError as err:
        missing("EPUBCheck", "apt-get install -y epubcheck")
        raise err


@slow
def test_epub_passes_epubcheck(epub):
    _epubcheck_or_skip()
    result = book_epub.epubcheck(epub)
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"EPUBCheck found problems:\n{report[-6000:]}"
    assert "No errors or warnings detected" in report


def test_epubcheck_rejects_a_broken_epub(tmp_path):
    # The counterpart: the same check fails on an EPUB without a package document.
    _epubcheck_or_skip()
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(broken, "w") as package:
        package.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        package.writestr("META-INF/container.xml", "<container/>")
    assert book_epub.epubcheck(broken, timeout_s=120).returncode != 0


@slow
def test_epub_has_no_scripts_and_keeps_formulas_as_tex(epub):
    # What book/download.md tells readers: the EPUB is not scripted, so formulas stay TeX source.
    with zipfile.ZipFile(epub) as package:
        pages = {n: package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xhtml")}
    assert not [n for n, text in pages.items() if "<script" in text]
    assert any(re.search(r'<span class="math[^"]*">\\\(', text) for text in pages.values())


@slow
def test_epub_holds_every_chapter_in_reading_order(epub, chapter_titles):
    with zipfile.ZipFile(epub) as package:
        nav = package.read("nav.xhtml").decode("utf-8")
        names = set(package.namelist())
    from bs4 import BeautifulSoup

    toc = BeautifulSoup(nav, "xml").find("nav")
    links = [(a["href"].split("#")[0], _collapse(a.get_text(" "))) for a in toc.find_all("a")]
    hrefs = [h for h, _ in links]
    for href in hrefs:
        assert href in names, f"nav.xhtml links to {href}, which is not in the EPUB"
    order = [hrefs.index(f"{page}.xhtml") for page in CHAPTERS if f"{page}.xhtml" in hrefs]
    assert len(order) == len(CHAPTERS), f"chapters missing from the EPUB's navigation: " \
        f"{[p for p in CHAPTERS if f'{p}.xhtml' not in hrefs]}"
    assert order == sorted(order)
    titles = dict(links)
    wrong = {p: (titles[f"{p}.xhtml"], t) for p, t in chapter_titles.items() if titles[f"{p}.xhtml"] != t}
    assert not wrong, f"EPUB navigation titles differ from the site's: {wrong}"


# --------------------------------------------------------------------------------------------------
# The site links to both
# --------------------------------------------------------------------------------------------------
@slow
def test_download_page_links_to_both_files_and_the_links_resolve(built_book, printed, epub):
    page = built_book / "book" / "download.html"
    hrefs = {a["href"] for a in _soup(page).select("a.kit-download")}
    assert hrefs == {f"../downloads/{PDF_NAME}", f"../downloads/{EPUB_NAME}"}
    problems = [p for p in broken_links(built_book, downloads=True) if "downloads/" in p]
    assert not problems, problems
    assert (built_book / "downloads" / PDF_NAME).read_bytes()[:5] == b"%PDF-"
    assert zipfile.ZipFile(built_book / "downloads" / EPUB_NAME).read("mimetype") == b"application/epub+zip"
