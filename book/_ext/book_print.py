"""Sphinx extension: the one-page build that ``make pdf`` prints, with a title page.

``make pdf`` prints Sphinx's one-page build (``--builder singlehtml``) with Chromium
(``book/_ext/book_pdf.py``). This extension makes that build printable: it writes the one page as
``_build/singlehtml/index.html`` with working relative paths, and gives it a title page (title,
subtitle, author, licence, build date, where the book lives online) before the theme's printed
contents; the print stylesheet ``_static/print.css`` puts each on a page of its own and hides the
site's navigation. The HTML site and the EPUB are not changed by it.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; tested by tests/test_pdf_epub.py.
"""

from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path

#: Licence line printed on the title page; the same as the README's "Licences" section.
LICENCE = "Text and data: CC BY 4.0. Code: MIT."


def title_page(title: str, author: str, url: str = "", date: _dt.date | None = None) -> str:
    """Return the HTML of the printed title page.

    Parameters
    ----------
    title : str
        The book's title; text after the first ``": "`` becomes the subtitle.
    author : str
        The author line.
    url : str, optional
        Where the book lives online (the repository URL); omitted when empty.
    date : datetime.date, optional
        Build date printed on the page; today when omitted.

    Returns
    -------
    str
        A ``<section class="kit-title-page">`` element; the text is HTML-escaped.

    Examples
    --------
    >>> page = title_page("Book: A subtitle", "Team", date=_dt.date(2026, 1, 2))
    >>> '<p class="kit-title">Book</p>' in page and '<p class="kit-subtitle">A subtitle</p>' in page
    True
    >>> "2 January 2026" in page
    True
    """
    main, _, subtitle = title.partition(": ")
    when = date or _dt.date.today()
    lines = [f'<p class="kit-title">{html.escape(main)}</p>']
    if subtitle:
        lines.append(f'<p class="kit-subtitle">{html.escape(subtitle)}</p>')
    lines.append(f'<p class="kit-author">{html.escape(author)}</p>')
    lines.append(f"<p>Printed from the book's source on {when.day} {when:%B %Y}.</p>")
    lines.append(f"<p>{html.escape(LICENCE)}</p>")
    if url:
        lines.append(f'<p>Online: <a class="reference external" href="{html.escape(url, quote=True)}">'
                     f"{html.escape(url)}</a></p>")
    # A <section> without a heading: the PDF outline (built from headings) starts at the book's front page.
    return '<section class="kit-title-page" aria-label="Title page">\n' + "\n".join(lines) + "\n</section>\n"


def book_title(config) -> str:
    """Return the book's title: Jupyter Book puts ``_config.yml``'s ``title`` in ``html_title``."""
    return config.html_title or config.project


def _repository_url(config) -> str:
    return (getattr(config, "html_theme_options", {}) or {}).get("repository_url", "")


def _singlehtml_inherits_html_visitors(app):
    # Sphinx looks up node visitors by builder name and falls back to the format ("html") only when
    # no extension registered any for that name. sphinx-exercise registers some for "singlehtml", so
    # every other extension's html-only node (sphinx-jupyterbook-latex's HiddenCellNode, …) would have
    # no visitor in the one-page build and the build would crash: give singlehtml the html ones.
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node_name, pair in handlers.get("html", {}).items():
        single.setdefault(node_name, pair)


def _one_page_at_top(app, exception):
    # Sphinx's singlehtml builder writes the root document at its own path (book/index.html) but
    # makes every URL relative to the output folder (_static/…, _images/…, book/index.html#id2), so
    # the written page finds no stylesheet, no image and links to itself as to another file. Write it
    # as the folder's index.html instead, with links to itself made fragments (#id2): in the PDF they
    # become links inside the document. Runs before sphinx-external-toc's redirect (which then finds
    # index.html present and leaves it).
    if exception is not None or app.builder.name != "singlehtml":
        return
    outdir = Path(app.outdir)
    written = outdir / f"{app.config.root_doc}.html"
    if written.parent == outdir or not written.is_file():
        return
    page = written.read_text(encoding="utf-8")
    self_uri = f"{app.config.root_doc}.html"
    page = page.replace(f'href="{self_uri}#', 'href="#').replace(f'href="{self_uri}"', 'href="#"')
    # The title page goes before the theme's print-only title and contents (#jb-print-docs-body).
    config = app.config
    cover = title_page(book_title(config), config.author, _repository_url(config))
    marker = '<div id="jb-print-docs-body"'
    if marker not in page:
        marker = '<article class="bd-article"'
    if marker not in page:
        from sphinx.errors import ExtensionError

        raise ExtensionError("book_print: found neither the theme's print contents nor the article in the "
                             f"one-page build {written}; the title page cannot be placed (theme changed?)")
    page = page.replace(marker, cover + marker, 1)
    (outdir / "index.html").write_text(page, encoding="utf-8")
    written.unlink()


def setup(app):
    app.connect("build-finished", _one_page_at_top, priority=400)
    app.connect("builder-inited", _singlehtml_inherits_html_visitors)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
