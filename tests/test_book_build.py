"""The book builds with warnings as errors, offline, with nothing loaded from outside the site.

The full build runs in a temporary copy of the repository so the working tree is never touched;
the broken-page checks build small throw-away books.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from _book import COPY_IGNORE, build
from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]


def test_the_book_builds_with_warnings_as_errors(built_book):
    assert (built_book / "index.html").is_file()
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for page in re.findall(r"file:\s*(\S+)", toc):
        assert (built_book / f"{page}.html").is_file(), f"{page} from _toc.yml was not built"


# Elements whose URL the browser fetches by itself when the page opens.
FETCHED = re.compile(r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=[\"']([^\"']+)[\"']"
                     r"|<link\b[^>]*\bhref=[\"']([^\"']+)[\"'][^>]*>", re.IGNORECASE)


def external_fetches(html: str) -> list[str]:
    urls = []
    for match in FETCHED.finditer(html):
        url = match.group(1) or match.group(2)
        tag = match.group(0).lower()
        if match.group(2) and not re.search(r"rel=[\"'](?:stylesheet|preload|modulepreload|icon|shortcut icon)[\"']", tag):
            continue  # <link rel="canonical">, "next", "prev" … are not fetched
        if re.match(r"^(?:https?:)?//", url):
            urls.append(url)
    urls += re.findall(r"@import\s+url\([\"']?(https?://[^)\"']+)", html)
    return urls


def test_external_fetch_detector_sees_a_cdn_script():
    page = '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script><a href="https://x.org">x</a>'
    assert external_fetches(page) == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"]


def test_no_page_loads_anything_from_outside_the_site(built_book):
    offenders = {}
    for page in built_book.rglob("*.html"):
        found = external_fetches(page.read_text(encoding="utf-8"))
        if found:
            offenders[str(page.relative_to(built_book))] = sorted(set(found))
    assert not offenders, f"pages that fetch from outside the site: {offenders}"


def test_mathjax_is_loaded_from_the_site_itself(built_book):
    # Sphinx adds MathJax only to pages with maths; the planted-truth appendix has some.
    page = (built_book / "book" / "appendix" / "world.html").read_text(encoding="utf-8")
    assert re.search(r"<script[^>]+src=\"\.\./\.\./_static/mathjax/tex-chtml\.js", page), "MathJax must come from _static"
    assert (built_book / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_exercise_solutions_are_folded(built_book):
    html = "".join(p.read_text(encoding="utf-8") for p in built_book.rglob("*.html"))
    assert "solution dropdown" in html or re.search(r"class=\"[^\"]*solution[^\"]*dropdown", html), \
        "sphinx-exercise solutions should render as folded dropdowns"


def test_execution_status_page_lists_notebooks_and_versions(built_book):
    status = (built_book / "book" / "appendix" / "status.html").read_text(encoding="utf-8")
    assert "pinned packages" in status


def _tiny_book(folder: Path, page_text: str, *, notebook: str | None = None, execute: str = "off") -> Path:
    folder.mkdir(parents=True)
    (folder / "_config.yml").write_text(
        f"title: t\nexecute:\n  execute_notebooks: {execute}\nonly_build_toc_files: true\n", encoding="utf-8")
    chapters = "  - file: page\n" + ("  - file: nb\n" if notebook else "")
    (folder / "_toc.yml").write_text(f"format: jb-book\nroot: intro\nchapters:\n{chapters}", encoding="utf-8")
    (folder / "intro.md").write_text("# Intro\n\nHello.\n", encoding="utf-8")
    (folder / "page.md").write_text(page_text, encoding="utf-8")
    if notebook:
        (folder / "nb.ipynb").write_text(notebook, encoding="utf-8")
    return folder


def test_a_broken_cross_reference_fails_the_build(tmp_path):
    book = _tiny_book(tmp_path / "broken", "# Page\n\nSee {doc}`does-not-exist`.\n")
    result = build(book)
    assert result.returncode != 0, "a broken reference must fail the build"
    assert "page.md" in result.stdout + result.stderr and "does-not-exist" in result.stdout + result.stderr


def test_a_healthy_copy_of_the_same_tiny_book_builds(tmp_path):
    book = _tiny_book(tmp_path / "healthy", "# Page\n\nSee {doc}`intro`.\n")
    result = build(book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_a_failing_cell_fails_the_build(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Notebook"), nbformat.v4.new_code_cell("raise RuntimeError('planted failure')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book = _tiny_book(tmp_path / "failing", "# Page\n\nFine.\n", notebook=nbformat.writes(nb), execute="force")
    result = build(book)
    assert result.returncode != 0, "a cell that raises must fail the build"
    assert "planted failure" in result.stdout + result.stderr or any(
        "planted failure" in p.read_text() for p in (book / "_build" / "html" / "reports").glob("**/*.log"))


def test_a_broken_copy_of_a_real_page_fails_the_build(tmp_path):
    """Break one real page of the book (a throw-away copy, no notebook execution) and build."""
    copy = tmp_path / "kit"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE)
    config = (copy / "_config.yml").read_text(encoding="utf-8")
    (copy / "_config.yml").write_text(config.replace("execute_notebooks: cache", "execute_notebooks: 'off'"),
                                      encoding="utf-8")
    page = copy / "book" / "preface.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n\nSee {ref}`label-that-does-not-exist`.\n", encoding="utf-8")
    result = build(copy)
    assert result.returncode != 0
    assert "preface" in result.stdout + result.stderr


def test_every_notebook_chapter_shows_figures(built_book):
    """Each hands-on chapter draws figures; if the kernel were left on a non-inline backend (e.g.
    MPLBACKEND=Agg inherited from the environment) the pages would silently lose them."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = re.findall(r"file:\s*(notebooks/\S+)", toc)
    assert pages, "no notebook chapters in _toc.yml"
    for page in pages:
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        images = re.findall(r"<img[^>]+src=\"[^\"]*_images/[^\"]+\"", html)
        assert images, f"{page}: the built page shows no figure"
