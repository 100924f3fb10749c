"""Sphinx extension: page fixes for what the theme stack (Sphinx 7.4, docutils 0.21, myst-nb 1.4) gets wrong.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; tested by tests/test_site_browser.py and
tests/test_book_build.py.
"""

import os

#: The matplotlib backend every notebook kernel of the build uses. An inherited ``MPLBACKEND=Agg``
#: (common on servers and CI) would make kernels show no figure at all, and the build would then
#: fail with "undefined label" warnings for every figure label.
NOTEBOOK_BACKEND = "module://matplotlib_inline.backend_inline"

#: Replacements in each page's body HTML, with the reason.
BODY_FIXES = [
    # docutils 0.21 marks bibliography entries role="doc-biblioentry", deprecated in DPUB-ARIA 1.1, so the
    # enclosing role="list" has no list item (axe aria-required-children, critical).
    ('role="doc-biblioentry"', 'role="listitem"'),
    # myst-nb names the "Show code cell source" summary "Toggle hidden content", hiding its visible text from
    # screen readers (axe label-content-name-mismatch); without the label the visible text is the name.
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
]


def _fix_page(app, pagename, templatename, context, doctree):
    # Sphinx 7.4 adds a body-only script registered after builder init twice (filename None, then ''):
    # sphinx-thebe's `const THEBE_JS_URL = ...` then runs twice and throws a SyntaxError on every page.
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for js in scripts:
            key = (js.filename or "", js.priority, tuple(sorted(js.attributes.items())))
            if key not in seen:
                seen.add(key)
                unique.append(js)
        scripts[:] = unique
    if "body" in context:
        for old, new in BODY_FIXES:
            context["body"] = context["body"].replace(old, new)


#: Replacements in every written HTML file (the theme renders the sidebar after html-page-context).
#: The sidebar's expandable sections (a chapter with sections, e.g. the simulation chapter and its
#: scale page) get a <summary> holding only an icon, which has no accessible name (axe summary-name,
#: serious); the label names what the toggle does.
#: Words of the theme's page chrome that no catalog reaches: hard-coded English in sphinx-book-theme's and
#: jupyter-book's templates and options, or a Traditional-Chinese rendering in the theme's zh catalogs. The
#: Chinese edition replaces them in attribute values and text after the build; tests/test_site_i18n.py fails
#: when English chrome remains.
CHROME = ["Toggle primary sidebar", "Toggle secondary sidebar", "Search this book...", "Main", "Page",
          "Print to PDF", "Download this page", "Download source file", "Download notebook file",
          "Fullscreen mode", "Kit logo: a house wearing a red armband",
          # myst-nb's toggles of hidden cells
          "Show code cell source", "Hide code cell source", "Show code cell output", "Hide code cell output",
          "Show code cell content", "Hide code cell content"]
#: Renderings of the theme's own zh catalogs that are Traditional-Chinese usage, and what they mean.
CHROME_WRONG = {"列印成 PDF": "Print to PDF"}


def file_fixes(lang: str | None) -> list[tuple[str, str]]:
    """Return the replacements for every written HTML file, in the edition's language."""
    from book_i18n import ui

    label = ui("Show or hide the sections of this chapter", lang)
    fixes = [('<summary><span class="toctree-toggle" role="presentation">',
              f'<summary aria-label="{label}"><span class="toctree-toggle" role="presentation">')]
    if (lang or "en").startswith("zh"):
        shown = {text: text for text in CHROME} | CHROME_WRONG
        for text, english in shown.items():
            for attr in ("title", "aria-label", "placeholder", "data-bs-title", "alt"):
                fixes.append((f'{attr}="{text}"', f'{attr}="{ui(english, lang)}"'))
            fixes.append((f">{text}<", f">{ui(english, lang)}<"))
    return fixes


def _fix_files(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from pathlib import Path

    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = text
        for old, new in file_fixes(app.config.language):
            fixed = fixed.replace(old, new)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def _inline_figures(app, config):
    # Kernels inherit the build's environment, so setting it here reaches every notebook.
    inherited = os.environ.get("MPLBACKEND")
    if inherited and inherited != NOTEBOOK_BACKEND:
        from sphinx.util import logging

        logging.getLogger(__name__).info(f"book_fixes: ignoring MPLBACKEND={inherited!r} so notebooks show figures")
    os.environ["MPLBACKEND"] = NOTEBOOK_BACKEND


def setup(app):
    app.connect("config-inited", _inline_figures)
    app.connect("html-page-context", _fix_page, priority=900)
    app.connect("build-finished", _fix_files)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
