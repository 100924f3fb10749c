"""Offline check of every internal link of a built site: the target file exists, and so does its #anchor."""

from __future__ import annotations

import posixpath
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

#: Class of the links to the PDF and EPUB (book/download.md): those files are made by `make pdf` and
#: `make epub` after the site is built, so a site built by `make book` alone has nothing behind them.
#: tests/test_pdf_epub.py checks them once the files are in the site.
DOWNLOAD_CLASS = "kit-download"

#: Folders of theme and source files, not pages a reader navigates.
NOT_PAGES = ("_static", "_sources", "_images", "reports")


def site_pages(html_root: Path) -> list[Path]:
    """Return every built HTML page under ``html_root``, theme assets excluded."""
    html_root = Path(html_root)
    return sorted(p for p in html_root.rglob("*.html")
                  if not p.relative_to(html_root).parts[0] in NOT_PAGES)


@cache
def _ids(page: Path) -> frozenset[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    ids |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids)


def broken_links(html_root: Path, *, downloads: bool = False) -> list[str]:
    """List the internal links of the site whose file or ``#anchor`` does not exist.

    A link is internal when it has no scheme and no host (``../x.html#y``, ``#y``); links with a
    scheme (``https:``, ``mailto:``, ``javascript:``) are not checked here: the site never fetches
    them by itself, a reader follows them on purpose.

    Parameters
    ----------
    html_root : pathlib.Path
        Root of the built site (``_build/html``).
    downloads : bool, optional
        Also check the links to the PDF and EPUB (class :data:`DOWNLOAD_CLASS`); by default they are
        left out, since `make book` alone does not make those files.

    Returns
    -------
    list of str
        One line per broken link, ``"<page>: <href> (<why>)"``; empty when every link resolves.

    Examples
    --------
    >>> broken_links(Path("_build/html"))  # doctest: +SKIP
    []
    """
    html_root = Path(html_root).resolve()
    problems = []
    for page in site_pages(html_root):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        page_rel = page.relative_to(html_root).as_posix()
        for anchor in soup.find_all("a", href=True):
            href = anchor["href"].strip()
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href:
                continue
            if not downloads and DOWNLOAD_CLASS in (anchor.get("class") or []):
                continue
            if parts.path:
                target_rel = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(parts.path)))
                target = html_root / target_rel
                if target.is_dir():
                    target = target / "index.html"
            else:
                target = page
            if not target.resolve().is_relative_to(html_root):
                problems.append(f"{page_rel}: {href} (points outside the site)")
                continue
            if not target.is_file():
                problems.append(f"{page_rel}: {href} (no file {target.relative_to(html_root).as_posix()})")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in _ids(target):
                problems.append(f"{page_rel}: {href} (no id '{fragment}' in {target.relative_to(html_root).as_posix()})")
    return problems
