"""The built site, driven in a real browser: offline, accessible, readable on a phone and on a desktop.

The book is built once per session (``tests/_book.py``) and served from 127.0.0.1 by Python's
http.server; Debian's Chromium is driven by Playwright. Every page of ``_toc.yml`` is visited once per
viewport and what the browser saw (requests, console errors, images, headings, axe-core findings) is
kept for the per-page tests below.

Needs: ``apt-get install -y chromium``, ``pip install playwright`` (pinned in requirements.txt) and
``npm ci`` (axe-core, pinned in package.json). Without them the browser tests are skipped with the
install command, except under ``CI=true``, where they fail. The offline link check needs only the build.
"""

from __future__ import annotations

import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))  # helpers (not a package: `site` is stdlib)

from _book import ROOT  # noqa: E402
from site_axe import blocking_violations, describe  # noqa: E402
from site_browser import axe_script  # noqa: E402
from site_links import broken_links, site_pages  # noqa: E402
from site_toc import notebook_pages, toc_pages  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("book")]

TOC = ROOT / "_toc.yml"
PAGES = toc_pages(TOC)
#: The Chinese edition (_build/html/zh) has the same pages; the per-page checks run on both editions.
ZH_PAGES = [f"zh/{docname}" for docname in PAGES]
BOTH_EDITIONS = PAGES + ZH_PAGES
NOTEBOOK_PAGES = notebook_pages(TOC, ROOT)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = ROOT / "_build" / "screenshots"
MATHS_PAGE = "book/appendix/world"
CHAPTER_PAGE = "book/theory/framework"

# Alt text that names no content: a bare file name, or a generic word.
FILE_NAME_ALT = re.compile(r"^[\w\-. ]+\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?)$", re.IGNORECASE)
GENERIC_ALT = {"image", "img", "picture", "figure", "fig", "graph", "chart", "plot", "photo", "icon", "logo",
               "untitled", "alt", "screenshot"}
# URL schemes that never leave the machine.
LOCAL_SCHEMES = {"data", "blob", "about"}


@dataclass
class Visit:
    """What the browser saw while one page loaded."""

    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    scroll_width: int = 0
    inner_width: int = 0
    sticking_out: list[str] = field(default_factory=list)
    axe: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Fixtures: one build, one server, one browser for the whole session
# --------------------------------------------------------------------------------------------------
# site_url and browser_context live in tests/conftest.py: one server and one browser per test process,
# shared by every module that drives the site (two sync Playwright instances cannot run in one process).


def _record(page, base: str) -> Visit:
    visit = Visit(url="")
    # Every request counts, the browser's own /favicon.ico too: the site declares its icon on every page
    # (html.favicon in _config.yml), so a request for a missing favicon is a site bug.
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("requestfailed", lambda request: visit.failed.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.status >= 400
            and visit.failed.append(f"{response.url} (HTTP {response.status})"))
    page.on("console", lambda message: message.type == "error"
            and visit.console_errors.append(f"console.error: {message.text} at {message.location.get('url')}"))
    page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"))
    return visit


IMAGES_JS = """async () => {
  const images = [...document.images];
  for (const img of images) { img.loading = "eager"; }
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return images.map(img => ({src: img.currentSrc || img.src, alt: img.getAttribute("alt"),
                             naturalWidth: img.naturalWidth}));
}"""
# Elements that stick out of the screen with no ancestor that scrolls or clips them: the culprits of a
# sideways scroll (a table inside a scrolling container sticks out too, but harmlessly).
OVERFLOW_JS = """() => [...document.querySelectorAll("body *")].filter(e => {
    const box = e.getBoundingClientRect();
    if (box.right <= innerWidth + 1 || box.width === 0 || getComputedStyle(e).position === "fixed") return false;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX !== "visible" || style.position === "fixed") return false;
    }
    return true;
  }).slice(0, 6).map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> ${(e.textContent || "").trim().slice(0, 60)}`)"""
HEADINGS_JS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map(
  h => [Number(h.tagName[1]), h.textContent.replace(/[#\\s]+$/, "").trim()])"""


class Visitor:
    """Visits each page once per viewport and remembers what it saw."""

    def __init__(self, context, base: str, axe_path: Path):
        self.context, self.base, self.axe_path = context, base, axe_path
        self.seen: dict[tuple[str, str], Visit] = {}

    def visit(self, docname: str, viewport: str = "desktop") -> Visit:
        key = (docname, viewport)
        if key not in self.seen:
            page = self.context.new_page()
            try:
                page.set_viewport_size(DESKTOP if viewport == "desktop" else PHONE)
                visit = _record(page, self.base)
                page.goto(self.base + f"{docname}.html", wait_until="networkidle")
                visit.url = page.url
                if viewport == "desktop":
                    visit.images = page.evaluate(IMAGES_JS)
                    visit.headings = [tuple(h) for h in page.evaluate(HEADINGS_JS)]
                    visit.axe = blocking_violations(page, self.axe_path)
                else:
                    visit.scroll_width = page.evaluate("document.documentElement.scrollWidth")
                    visit.inner_width = page.evaluate("window.innerWidth")
                    if visit.scroll_width > visit.inner_width + 1:
                        visit.sticking_out = page.evaluate(OVERFLOW_JS)
            finally:
                page.close()
            self.seen[key] = visit
        return self.seen[key]


@pytest.fixture(scope="session")
def visitor(browser_context, site_url) -> Visitor:
    return Visitor(browser_context, site_url, axe_script())


@pytest.fixture
def page(browser_context):
    tab = browser_context.new_page()
    yield tab
    tab.close()


def _is_outside(url: str, base: str) -> bool:
    return not url.startswith(base) and urlsplit(url).scheme not in LOCAL_SCHEMES


# --------------------------------------------------------------------------------------------------
# Every page: loads cleanly, fetches nothing from outside, accessible
# --------------------------------------------------------------------------------------------------
def test_the_toc_lists_pages():
    assert PAGES[0] == "book/index" and len(PAGES) >= 5, PAGES


@pytest.mark.parametrize("docname", BOTH_EDITIONS)
def test_page_loads_without_console_errors_or_failed_requests(visitor, docname):
    visit = visitor.visit(docname)
    assert visit.url.endswith(f"{docname}.html"), f"{docname}.html ended on {visit.url}"
    problems = visit.console_errors + [f"failed request: {f}" for f in visit.failed]
    assert not problems, f"{docname}.html:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("docname", BOTH_EDITIONS)
def test_page_makes_no_request_outside_the_local_server(visitor, site_url, docname):
    visit = visitor.visit(docname)
    assert visit.requests, "no request was recorded: the recorder is broken"
    outside = sorted({url for url in visit.requests if _is_outside(url, site_url)})
    assert not outside, f"{docname}.html requested {len(outside)} URL(s) outside the site:\n  " + "\n  ".join(outside)


def test_the_outside_request_check_sees_a_cdn_url():
    base = "http://127.0.0.1:5000/"
    assert _is_outside("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js", base)
    assert _is_outside("http://127.0.0.1:5001/x.js", base)  # another local port is another server
    assert not _is_outside(base + "_static/mathjax/tex-chtml.js", base)
    assert not _is_outside("data:image/png;base64,AAAA", base)


@pytest.mark.parametrize("docname", BOTH_EDITIONS)
def test_every_image_loads_and_has_meaningful_alt_text(visitor, docname):
    problems = []
    for image in visitor.visit(docname).images:
        name = image["src"].rsplit("/", 1)[-1]
        alt = (image["alt"] or "").strip()
        if image["naturalWidth"] <= 0:
            problems.append(f"{image['src']} did not load (naturalWidth 0)")
        if not alt:
            problems.append(f"{name}: no alt text")
        elif FILE_NAME_ALT.match(alt) or alt.lower() in GENERIC_ALT or alt == name:
            problems.append(f"{name}: alt text {alt!r} says nothing about the image")
    assert not problems, f"{docname}.html:\n  " + "\n  ".join(problems)


def heading_skips(headings: list[tuple[int, str]]) -> list[str]:
    """Return the places where a heading goes down more than one level (h2 followed by h4)."""
    skips, previous = [], 0
    for level, text in headings:
        if level > previous + 1:
            skips.append(f"h{level} {text!r} follows " + (f"h{previous}" if previous else "the page start"))
        previous = level
    return skips


def test_heading_skip_detector():
    assert heading_skips([(1, "a"), (2, "b"), (3, "c"), (2, "d"), (1, "e"), (2, "f")]) == []
    assert heading_skips([(1, "a"), (3, "c")]) == ["h3 'c' follows h1"]
    assert heading_skips([(2, "x")]) == ["h2 'x' follows the page start"]


@pytest.mark.parametrize("docname", BOTH_EDITIONS)
def test_headings_go_down_one_level_at_a_time(visitor, docname):
    headings = visitor.visit(docname).headings
    assert any(level == 1 for level, _ in headings), f"{docname}.html has no h1"
    skips = heading_skips(headings)
    assert not skips, f"{docname}.html skips heading levels:\n  " + "\n  ".join(skips)


@pytest.mark.parametrize("docname", BOTH_EDITIONS)
def test_axe_finds_no_serious_or_critical_violation(visitor, docname):
    violations = visitor.visit(docname).axe
    assert not violations, f"{docname}.html, axe-core:\n{describe(violations)}"


def test_axe_reports_a_planted_violation(page, site_url):
    """The axe runner is live: an image without alt text on a real page is reported as critical."""
    page.goto(site_url + f"{PAGES[0]}.html", wait_until="load")
    page.evaluate("""() => { const img = document.createElement("img");
                             img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw="; document.body.append(img); }""")
    found = {v["id"]: v["impact"] for v in blocking_violations(page, axe_script())}
    assert found.get("image-alt") == "critical", found


# --------------------------------------------------------------------------------------------------
# Favicon and logo
# --------------------------------------------------------------------------------------------------
ICON_LINK = re.compile(r"<link\b[^>]*\brel=\"(?:shortcut )?icon\"[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("docname", PAGES)
def test_page_declares_an_icon_that_exists_and_never_asks_for_favicon_ico(visitor, site_url, built_book, docname):
    html = (built_book / f"{docname}.html").read_text(encoding="utf-8")
    links = ICON_LINK.findall(html)
    assert links, f"{docname}.html declares no icon: browsers then ask the server for /favicon.ico"
    href = re.search(r'href="([^"]+)"', links[0]).group(1)
    assert (built_book / docname).parent.joinpath(href).resolve().is_file(), f"{docname}.html: icon {href} is missing"
    assert site_url + "favicon.ico" not in visitor.visit(docname).requests, f"{docname}.html asked for /favicon.ico"


def test_the_logo_shows_with_the_book_title(page, site_url):
    page.goto(site_url + f"{CHAPTER_PAGE}.html", wait_until="load")
    logo = page.locator(".navbar-brand img.logo__image:visible").first
    assert logo.evaluate("img => img.naturalWidth") > 0, "the logo image did not load"
    assert page.locator(".navbar-brand .logo__title").first.inner_text().startswith("Chaoyang Residents")


# --------------------------------------------------------------------------------------------------
# Keyboard
# --------------------------------------------------------------------------------------------------
def test_first_tab_reaches_the_skip_link_and_it_moves_focus_into_the_content(page, site_url):
    page.goto(site_url + f"{CHAPTER_PAGE}.html", wait_until="networkidle")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
    assert focused[0] == "Skip to main content", f"the first Tab focused {focused}"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate("() => !!document.activeElement.closest('#main-content')")
    assert inside, "after the skip link, the next Tab should land inside the main content"


def test_a_folded_solution_opens_from_the_keyboard(page, site_url, built_book):
    pages = _pages_with_solutions(built_book)
    assert pages, "no page has a folded sphinx-exercise solution"
    page.goto(site_url + f"{pages[0]}.html", wait_until="load")
    solution = page.locator("div.solution.dropdown").first
    toggle = solution.locator("button.toggle-button")
    toggle.wait_for(state="attached", timeout=10_000)
    body = solution.locator("section").first
    assert body.is_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    body.wait_for(state="visible", timeout=5_000)
    assert body.is_visible()


# --------------------------------------------------------------------------------------------------
# Maths, search, folded solutions, downloads
# --------------------------------------------------------------------------------------------------
def test_maths_is_typeset_by_mathjax_from_the_site(page, site_url):
    assert MATHS_PAGE in PAGES, f"{MATHS_PAGE} is no longer in _toc.yml: pick another page with maths"
    mathjax_requests = []
    page.on("request", lambda request: "mathjax" in request.url.lower() and mathjax_requests.append(request.url))
    page.goto(site_url + f"{MATHS_PAGE}.html", wait_until="networkidle")
    page.wait_for_selector("mjx-container", state="attached", timeout=20_000)
    assert page.locator("mjx-container").count() > 0
    assert mathjax_requests and all(url.startswith(site_url + "_static/mathjax/") for url in mathjax_requests), \
        mathjax_requests
    # Raw TeX delimiters left on screen mean MathJax did not process the maths.
    assert "\\(" not in page.locator("article").inner_text()


def test_search_finds_a_part_one_term(page, site_url):
    page.goto(site_url + "search.html?q=Fengqiao", wait_until="load")
    summary = page.locator("#search-results .search-summary, #search-results p").first
    summary.wait_for(timeout=20_000)
    page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length > 0",
                           timeout=20_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    assert any("/book/theory/" in href for href in hits), f"no Part I page among the hits: {hits}"


def _pages_with_solutions(html_root: Path) -> list[str]:
    return [docname for docname in PAGES
            if 'class="solution dropdown' in (html_root / f"{docname}.html").read_text(encoding="utf-8")]


def test_a_folded_solution_opens_on_click(page, site_url, built_book):
    pages = _pages_with_solutions(built_book)
    assert pages, "no page has a folded sphinx-exercise solution (`:class: dropdown`)"
    page.goto(site_url + f"{pages[0]}.html", wait_until="load")
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator("section").first
    toggle = solution.locator("button.toggle-button")
    toggle.wait_for(state="attached", timeout=10_000)  # added by sphinx-togglebutton's script
    assert body.is_hidden(), f"the first solution on {pages[0]}.html is visible before any click"
    toggle.click()
    body.wait_for(state="visible", timeout=5_000)
    assert body.is_visible()


def _download_link(page, url: str, link_selector: str) -> str:
    """Open ``url``, unfold the theme's download menu and return the address of the matching link."""
    page.goto(url, wait_until="load")
    page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
    link = page.locator(f".dropdown-download-buttons {link_selector}")
    link.wait_for(state="visible", timeout=5_000)
    return link.evaluate("a => a.href")


@pytest.mark.parametrize("docname", PAGES)
def test_download_button_offers_the_page_source(page, site_url, docname):
    """The source file behind every page can be downloaded (the same button serves .ipynb pages)."""
    href = _download_link(page, site_url + f"{docname}.html", "a.btn-download-source-button")
    assert "/_sources/" in href and href.rsplit("/", 1)[-1].startswith(docname.rsplit("/", 1)[-1] + "."), href
    response = page.request.get(href)
    assert response.ok, f"{href}: HTTP {response.status}"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)  # empty (reported as skipped) until notebooks are in the toc
def test_notebook_page_offers_a_valid_ipynb(page, site_url, docname):
    import nbformat

    href = _download_link(page, site_url + f"{docname}.html", "a[href$='.ipynb']")
    assert href.endswith(f"_sources/{docname}.ipynb"), href
    response = page.request.get(href)
    assert response.ok, f"{href}: HTTP {response.status}"
    notebook = nbformat.reads(response.text(), as_version=4)
    nbformat.validate(notebook)
    assert any(cell.cell_type == "code" for cell in notebook.cells), f"{href} holds no code cell"


# --------------------------------------------------------------------------------------------------
# Phone
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("docname", BOTH_EDITIONS)
def test_phone_page_does_not_scroll_sideways(visitor, docname):
    visit = visitor.visit(docname, "phone")
    page_width, screen_width = visit.scroll_width, visit.inner_width
    assert screen_width == PHONE["width"], f"the phone viewport is {screen_width}px wide"
    assert page_width <= screen_width + 1, (
        f"{docname}.html is {page_width}px wide on a {screen_width}px phone screen; sticking out:\n  "
        + "\n  ".join(visit.sticking_out))


def test_phone_navigation_opens(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url + f"{CHAPTER_PAGE}.html", wait_until="load")
    sidebar_link = page.locator("#pst-primary-sidebar-modal nav a, #pst-primary-sidebar nav a").filter(
        has_text=re.compile("Preface", re.IGNORECASE)).first
    assert not sidebar_link.is_visible(), "on a phone the navigation should start closed"
    page.locator("button.primary-toggle:visible").first.click()
    sidebar_link.wait_for(state="visible", timeout=5_000)
    assert sidebar_link.is_visible()


# --------------------------------------------------------------------------------------------------
# Links, checked offline on the built files
# --------------------------------------------------------------------------------------------------
def test_every_internal_link_and_anchor_resolves(built_book):
    assert len(site_pages(built_book)) >= len(PAGES)
    broken = broken_links(built_book)
    assert not broken, f"{len(broken)} broken internal link(s):\n  " + "\n  ".join(broken[:50])


def test_link_checker_finds_a_planted_broken_link(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/a.html#here">ok</a><a href="sub/a.html#gone">bad anchor</a>'
        '<a href="missing.html">bad file</a><a href="https://example.org/x">external</a><a href="#top">top</a>'
        '<p id="top"></p>', encoding="utf-8")
    (tmp_path / "sub" / "a.html").write_text('<h1 id="here">A</h1><a href="../index.html">up</a>', encoding="utf-8")
    broken = broken_links(tmp_path)
    assert len(broken) == 2, broken
    assert any("#gone" in line for line in broken) and any("missing.html" in line for line in broken)


# --------------------------------------------------------------------------------------------------
# Screenshots for review (saved in the repository's _build/screenshots, not the temporary copy)
# --------------------------------------------------------------------------------------------------
def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("viewport_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_of_home_and_a_chapter(page, site_url, viewport_name, viewport):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(viewport)
    page.goto(site_url + "index.html", wait_until="load")
    page.wait_for_url(f"**/{PAGES[0]}.html")  # the root index.html redirects to the book's first page
    page.wait_for_load_state("networkidle")
    shots = {"home": SCREENSHOTS / f"home-{viewport_name}.png"}
    page.screenshot(path=shots["home"])
    page.goto(site_url + f"{CHAPTER_PAGE}.html", wait_until="networkidle")
    shots["chapter"] = SCREENSHOTS / f"chapter-{viewport_name}.png"
    page.screenshot(path=shots["chapter"])
    for path in shots.values():
        width, height = _png_size(path)
        # Device scale factor 1: the image has the viewport's size in pixels.
        assert (width, height) == (viewport["width"], viewport["height"]), (path, width, height)
