"""Print the whole book to one PDF with Debian's Chromium, offline: ``make pdf``.

The input is Sphinx's one-page build of the book (``jupyter-book build . --builder singlehtml``),
so every cross-reference, figure number and citation is a link inside one document and Chromium
turns it into a link inside the PDF. The page is opened from disk (``file://``); every request for
anything else (http, https, ws, …) is aborted and the print fails, naming the URLs. MathJax, web
fonts and images are awaited before printing. The PDF gets an outline (bookmarks) from the
headings, tags for screen readers, and page numbers in the footer.

Usage::

    python book/_ext/book_pdf.py _build/singlehtml _build/pdf/chaoyang-residents.pdf

Needs ``playwright`` (pinned in requirements.txt) and Debian's ``chromium``; Playwright's own
browser download (``playwright install``) is never used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

#: URL schemes that never leave the machine.
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about", "chrome-error"})

#: Headless flags for a closed network: without the background-networking ones Chromium keeps
#: dialling Google services (the same flags as the browser tests, tests/site/site_browser.py).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: Page footer: page number of total, in a font size Chromium needs set explicitly (default 0).
FOOTER = ('<div style="width:100%;font-size:8pt;text-align:center;color:#555;font-family:sans-serif">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')

#: Run in the page before printing: resolves once MathJax has typeset every formula, the web fonts
#: are loaded and every image has arrived. Returns what it waited for, so the caller can check it.
SETTLE_JS = """
async () => {
  for (const img of document.images) { img.loading = "eager"; }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
  return {
    maths: document.querySelectorAll(".math").length,
    typeset: document.querySelectorAll("mjx-container").length,
    maths_errors: document.querySelectorAll("mjx-merror").length,
    images: document.images.length,
    broken_images: Array.from(document.images).filter(i => !i.naturalWidth).map(i => i.getAttribute("src")),
  };
}
"""


#: Run in the page just before printing. A link to a local file other than this page (Sphinx wraps
#: every figure in a link to its image file) would become a ``file://`` link to the build machine in
#: the PDF: such links are unwrapped to plain content. The print-only contents' part captions are
#: marked role="heading", which would put them in the PDF outline as empty entries on page 1: they
#: stay visible but lose that role. Returns the text of every heading, to mend the outline's titles.
PREPARE_JS = r"""
() => {
  const here = location.href.split("#")[0];
  let unlinked = 0;
  for (const a of Array.from(document.querySelectorAll("a[href]"))) {
    const url = new URL(a.getAttribute("href"), location.href);
    if (url.protocol === "file:" && url.href.split("#")[0] !== here) { a.removeAttribute("href"); unlinked++; }
  }
  for (const caption of document.querySelectorAll("#jb-print-docs-body [role=heading]")) {
    caption.removeAttribute("role");
    caption.removeAttribute("aria-level");
  }
  const headings = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
      .filter(h => h.offsetParent !== null)
      .map(h => { const c = h.cloneNode(true); c.querySelectorAll(".headerlink").forEach(x => x.remove());
                  return c.textContent.replace(/\s+/g, " ").trim(); });
  return {unlinked, headings};
}
"""


def mend_outline(pdf: Path, headings: list[str]) -> int:
    """Restore the spaces Chromium drops from outline titles where a heading wraps onto a new line.

    Chromium (156) builds each bookmark's title from the laid-out lines of its heading and joins
    the lines without a space ("community" + "safety" -> "communitysafety"). Each title is matched
    to the page's heading with the same characters once whitespace is ignored, and replaced by it.

    Parameters
    ----------
    pdf : pathlib.Path
        The PDF to mend in place.
    headings : list of str
        The page's heading texts, whitespace collapsed.

    Returns
    -------
    int
        How many titles were changed.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    import logging

    # Skia's trailer undercounts its objects; pypdf logs that harmless mismatch as a warning.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    by_letters = {}
    for text in headings:
        by_letters.setdefault("".join(text.split()), text)
    writer = PdfWriter(clone_from=PdfReader(pdf))
    changed = 0
    item = writer._root_object.get("/Outlines")
    stack = [item.get_object().get("/First")] if item is not None else []
    while stack:
        ref = stack.pop()
        if ref is None:
            continue
        node = ref.get_object()
        title = str(node.get("/Title", ""))
        better = by_letters.get("".join(title.split()))
        if better and better != title:
            node[NameObject("/Title")] = TextStringObject(better)
            changed += 1
        stack.extend([node.get("/Next"), node.get("/First")])
    if changed:
        with tempfile.NamedTemporaryFile(dir=pdf.parent, suffix=".pdf.part", delete=False) as part:
            partial = Path(part.name)
        try:
            writer.write(partial)
            partial.replace(pdf)
        finally:
            partial.unlink(missing_ok=True)
    return changed


class PrintError(RuntimeError):
    """The book could not be printed as required (external request, maths not typeset, broken image)."""


class ExternalRequestError(PrintError):
    """The page asked for something outside the local files while printing."""


@dataclass
class PrintReport:
    """What happened while one PDF was printed.

    Attributes
    ----------
    pdf : pathlib.Path
        The PDF written.
    seconds : float
        Wall-clock time from browser launch to PDF written, in seconds.
    requests : list of str
        Every URL the page requested (all local: a non-local one raises instead).
    page_state : dict
        What :data:`SETTLE_JS` found: counts of maths elements and typeset formulas, images, broken images.
    """

    pdf: Path
    seconds: float
    requests: list[str] = field(default_factory=list)
    page_state: dict = field(default_factory=dict)


def chromium_executable() -> str:
    """Return Debian's Chromium (``$CHROMIUM`` if set, else ``chromium`` on PATH).

    Raises
    ------
    PrintError
        If no Chromium is installed, with the command that installs it.
    """
    wanted = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not (Path(wanted).is_file() and os.access(wanted, os.X_OK)):
        raise PrintError(f"Chromium not found at {wanted}: install it with `apt-get install -y chromium` "
                         "(or set CHROMIUM=/path/to/chromium).")
    return wanted


def _entry_page(source: Path) -> Path:
    source = Path(source)
    entry = source / "index.html" if source.is_dir() else source
    if not entry.is_file():
        raise PrintError(f"{entry} does not exist: build the one-page book with "
                         "`jupyter-book build . --builder singlehtml` first.")
    head = entry.read_text(encoding="utf-8", errors="replace")[:2000]
    if 'http-equiv="Refresh"' in head and "<body" not in head:
        # sphinx-external-toc's redirect to book/index.html, whose relative paths are all wrong.
        raise PrintError(f"{entry} only redirects to the book: the one-page build was not made printable "
                         "(is book_print listed under sphinx.local_extensions in _config.yml?).")
    return entry


def print_pdf(source: Path | str, pdf: Path | str, *, title: str = "", timeout_s: float = 300.0,
              require_maths: bool = True) -> PrintReport:
    """Print an HTML page (normally the one-page book) to PDF with Chromium, offline.

    Parameters
    ----------
    source : path
        An HTML file, or a folder holding ``index.html`` (the singlehtml output, as
        ``book/_ext/book_print.py`` leaves it).
    pdf : path
        Where to write the PDF; its folder is created. Nothing is written if printing fails.
    title : str, optional
        Document title put in the PDF header line; the page's ``<title>`` when empty.
    timeout_s : float, optional
        Seconds allowed for loading the page and waiting for MathJax, fonts and images (> 0).
    require_maths : bool, optional
        When true (default), fail if a formula of the page was not typeset by MathJax.

    Returns
    -------
    PrintReport
        The PDF path, the time it took and what the page requested.

    Raises
    ------
    ExternalRequestError
        If the page requested any non-local URL (the request is aborted and the PDF not written).
    PrintError
        If Chromium is missing, the page does not exist or is only a redirect, a formula is not typeset
        or an image is broken.

    Examples
    --------
    >>> report = print_pdf("_build/singlehtml", "_build/pdf/book.pdf")  # doctest: +SKIP
    >>> report.pdf.stat().st_size > 0  # doctest: +SKIP
    True
    """
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive seconds, got {timeout_s!r}")
    from playwright.sync_api import sync_playwright

    entry = _entry_page(Path(source)).resolve()
    pdf = Path(pdf).resolve()
    executable = chromium_executable()
    requests: list[str] = []
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if urlsplit(url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    def seen(request):
        requests.append(request.url)
        if urlsplit(request.url).scheme not in LOCAL_SCHEMES and request.url not in outside:
            outside.append(request.url)

    start = time.perf_counter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(java_script_enabled=True, service_workers="block")
            context.route("**/*", guard)
            page = context.new_page()
            page.on("request", seen)
            page.set_default_timeout(timeout_s * 1000)
            page.goto(entry.as_uri(), wait_until="load")
            state = page.evaluate(SETTLE_JS)
            page.emulate_media(media="print")
            prepared = page.evaluate(PREPARE_JS)
            state["unlinked_local_files"] = prepared["unlinked"]
            if outside:
                raise ExternalRequestError(
                    f"printing {entry} requested {len(outside)} URL(s) outside the local files (aborted; "
                    "the book must print offline): " + ", ".join(sorted(set(outside))[:10]))
            if require_maths and state["typeset"] < state["maths"]:
                raise PrintError(f"MathJax typeset {state['typeset']} of {state['maths']} formulas in {entry}: "
                                 "check that _static/mathjax is in the build (book/_ext/book_offline.py).")
            if state["maths_errors"]:
                raise PrintError(f"{state['maths_errors']} formula(s) in {entry} failed to typeset (mjx-merror).")
            if state["broken_images"]:
                raise PrintError(f"broken image(s) in {entry}: {state['broken_images'][:10]}")
            header = ('<div style="width:100%;font-size:7pt;text-align:center;color:#777;font-family:sans-serif">'
                      + (title or '<span class="title"></span>') + "</div>")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=pdf.parent, suffix=".pdf.part", delete=False) as part:
                partial = Path(part.name)
            try:
                page.pdf(path=str(partial), format="A4", print_background=True, outline=True, tagged=True,
                         display_header_footer=True, header_template=header, footer_template=FOOTER,
                         margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
                if outside:  # a request made while printing (a print-only image, a font)
                    raise ExternalRequestError(
                        f"printing {entry} requested URL(s) outside the local files: {sorted(set(outside))[:10]}")
                partial.replace(pdf)
            finally:
                partial.unlink(missing_ok=True)
        finally:
            browser.close()
    state["outline_titles_mended"] = mend_outline(pdf, prepared["headings"])
    return PrintReport(pdf=pdf, seconds=time.perf_counter() - start, requests=requests, page_state=state)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the one-page book (singlehtml build) to PDF, offline.")
    parser.add_argument("source", type=Path, help="singlehtml output folder or an HTML file")
    parser.add_argument("pdf", type=Path, help="PDF to write")
    parser.add_argument("--copy-to", type=Path, default=None,
                        help="also copy the PDF into this folder (the site's downloads/ folder)")
    args = parser.parse_args(argv)
    try:
        report = print_pdf(args.source, args.pdf)
    except PrintError as err:
        print(f"make pdf: {err}", file=sys.stderr)
        return 1
    state = report.page_state
    print(f"{report.pdf}: {report.pdf.stat().st_size / 1e6:.1f} MB in {report.seconds:.0f} s "
          f"({state['typeset']} formulas typeset, {state['images']} images, {len(report.requests)} local requests)")
    if args.copy_to:
        args.copy_to.mkdir(parents=True, exist_ok=True)
        shutil.copy2(report.pdf, args.copy_to / report.pdf.name)
        print(f"copied to {args.copy_to / report.pdf.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
