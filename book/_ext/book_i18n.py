"""Sphinx extension: the two editions — language switch, alternate links and the kit's own UI strings.

The English site is built into ``_build/html`` and the Chinese one into ``_build/html/zh`` from the same
sources (``book/_ext/build_editions.py``). Every page gets a switch to the same page in the other edition,
written as a relative link so that it works from ``file://`` and from any web server, and
``<link rel="alternate" hreflang=…>`` tags for search engines.

Strings that the kit's extensions write into pages outside the Sphinx templates (e.g. an accessible name
added after the build) are looked up with the function ``ui`` (English text, language). They are translated in
``locale/<lang>/LC_MESSAGES/ui.po``; ``ui_messages()`` scans ``book/_ext/*.py`` for its literal calls so that
``make locale`` and the drift test keep that catalog complete. Template strings use ``{{ _('…') }}`` and
live in ``sphinx.po`` like the theme's own.

Examples
--------
>>> switch_target("book/theory/governance", "en")
'../../zh/book/theory/governance.html'
>>> switch_target("book/theory/governance", "zh_CN")
'../../../book/theory/governance.html'
>>> switch_target("index", "zh_CN")
'../index.html'
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locale"
#: The other edition of each edition, its folder relative to the English root, and the switch's label
#: (each label in its own language, as language menus do).
EDITIONS = {
    "en": {"other": "zh_CN", "folder": "", "label": "中文", "hreflang": "en"},
    "zh_CN": {"other": "en", "folder": "zh/", "label": "English", "hreflang": "zh-Hans"},
}
_UI_CALL = re.compile(r"""\bui\(\s*(["'])(.+?)\1""")


def _edition(lang: str | None) -> str:
    return "zh_CN" if (lang or "en").replace("-", "_").startswith("zh") else "en"


def switch_target(pagename: str, lang: str | None) -> str:
    """Return the relative URL of ``pagename`` in the other edition.

    Parameters
    ----------
    pagename : str
        Sphinx's page name, e.g. ``"book/theory/governance"`` (no suffix).
    lang : str or None
        The language of the edition being built (``"en"`` or ``"zh_CN"``).

    Returns
    -------
    str
        A relative link, e.g. ``"../../zh/book/theory/governance.html"``.
    """
    edition = EDITIONS[_edition(lang)]
    to_root = "../" * pagename.count("/")
    if edition["other"] == "en":  # from zh/… back up one more level to the English root
        to_root += "../"
    return f"{to_root}{EDITIONS[edition['other']]['folder']}{pagename}.html"


@lru_cache(maxsize=None)
def _ui_catalog(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "ui.po"
    if lang == "en" or not path.exists():
        return {}
    import polib

    return {e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.msgstr and not e.obsolete
            and "fuzzy" not in e.flags}


def ui(text: str, lang: str | None) -> str:
    """Return the kit's UI string ``text`` in ``lang`` (English when untranslated; the drift test fails then).

    Examples
    --------
    >>> ui("Show or hide the sections of this chapter", "en")
    'Show or hide the sections of this chapter'
    """
    return _ui_catalog(_edition(lang)).get(text, text)


def ui_messages(folder: Path = Path(__file__).resolve().parent) -> list[str]:
    """Return the UI strings of the kit's Sphinx extensions (literal ``ui`` calls and the theme's chrome words)."""
    import sys

    sys.path.insert(0, str(folder))
    from book_fixes import CHROME  # the theme's chrome words, replaced after the build

    import yaml

    book = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    found: list[str] = [book["title"], book["author"], *(label for _, label in DOWNLOADS)]
    for text in CHROME:
        if text not in found:
            found.append(text)
    for path in sorted(folder.glob("*.py")):
        for match in _UI_CALL.finditer(path.read_text(encoding="utf-8")):
            if match.group(2) not in found:
                found.append(match.group(2))
    return found


def write_ui_pot(path: Path) -> Path:
    """Write the UI strings' template catalog (``ui.pot``) for ``sphinx-intl update``."""
    import polib

    pot = polib.POFile()
    pot.metadata = {"Content-Type": "text/plain; charset=UTF-8", "MIME-Version": "1.0",
                    "Content-Transfer-Encoding": "8bit"}
    for text in ui_messages():
        pot.append(polib.POEntry(msgid=text, msgstr=""))
    path.parent.mkdir(parents=True, exist_ok=True)
    pot.save(str(path))
    return path


def _page_context(app, pagename, templatename, context, doctree):
    lang = _edition(app.config.language)
    edition = EDITIONS[lang]
    other = EDITIONS[edition["other"]]
    target = switch_target(pagename, lang)
    context["kit_lang_switch"] = {"url": target, "label": edition["label"], "hreflang": other["hreflang"],
                                  "title": ui("Read this page in English", lang) if lang != "en"
                                  else "阅读本页中文版"}
    here = pagename.split("/")[-1] + ".html"
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{edition["hreflang"]}" href="{here}" />'
        f'\n<link rel="alternate" hreflang="{other["hreflang"]}" href="{target}" />')


#: The whole-book files of the download page (book/download.md), made from the English edition by
#: `make pdf` and `make epub` into the English site's downloads/ folder.
DOWNLOADS = (("chaoyang-residents.pdf", "Download the PDF"), ("chaoyang-residents.epub", "Download the EPUB"))


class KitDownloads(SphinxDirective):
    """``{kit-downloads}``: links to the PDF and EPUB, relative to the page, in the edition's language.

    Both editions link to the one pair of files in the English site's ``downloads/`` folder.
    """

    def run(self):
        if self.env.app.builder.name != "html":  # the single-page (PDF) and EPUB builds do not link to themselves
            return []
        lang = self.env.config.language
        to_root = "../" * self.env.docname.count("/") + ("../" if _edition(lang) != "en" else "")
        items = "".join(
            f'<li><a class="kit-download" href="{to_root}downloads/{name}" download>'
            f"{ui(label, lang)} ({name})</a></li>" for name, label in DOWNLOADS)
        return [nodes.raw("", f'<ul class="kit-downloads">{items}</ul>', format="html")]


def _page_catalog(app, docname: str):
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    dirs = [str(Path(app.srcdir, d)) for d in app.config.locale_dirs]
    catalog, _found = init_locale(dirs, app.config.language, docname_to_domain(docname, app.config.gettext_compact))
    return catalog


def _add_to_catalog(app, docname: str, texts: list[str]) -> None:
    from sphinx.builders.gettext import MsgOrigin
    from sphinx.util.i18n import docname_to_domain

    catalog = app.builder.catalogs[docname_to_domain(docname, app.config.gettext_compact)]
    for text in texts:
        catalog.add(text, MsgOrigin(app.env.doc2path(docname), 0))


def _toctree_captions(app, doctree):
    """Translate the captions of the book's parts ("Part I: Theory and the case" …) in the Chinese edition.

    sphinx-external-toc writes them into the root page's toctrees after Sphinx's i18n has run; the root
    page's catalog holds them (the gettext build extracts toctree captions). Runs before Sphinx's toctree
    collector (priority 500), so the sidebar and the root page both show the translation.
    """
    if _edition(app.config.language) == "en" or app.builder.name == "gettext":
        return
    from sphinx import addnodes

    toctrees = [node for node in doctree.findall(addnodes.toctree) if node.get("caption")]
    if toctrees:
        catalog = _page_catalog(app, app.env.docname)
        for node in toctrees:
            node["caption"] = catalog.gettext(node["caption"])


def _exercise_titles(app, doctree):
    """Translate the titles of ``{exercise}``/``{solution}`` directives, which Sphinx's i18n skips.

    sphinx-exercise parses a title with ``inline_text`` into nodes without a source, and later rebuilds
    the title around them; here, just after reading, the title is still its own node. The kit's titles
    are plain text. The texts are kept per page for the gettext build.
    """
    docname = app.env.docname
    titles = [node for node in doctree.findall(nodes.subtitle)
              if type(node).__name__ in ("exercise_subtitle", "solution_subtitle") and node.astext().strip()]
    if not hasattr(app.env, "kit_exercise_titles"):
        app.env.kit_exercise_titles = {}
    app.env.kit_exercise_titles[docname] = [node.astext() for node in titles]
    if titles and _edition(app.config.language) != "en" and app.builder.name != "gettext":
        catalog = _page_catalog(app, docname)
        for node in titles:
            text = catalog.gettext(node.astext())
            node.children = []
            node += nodes.Text(text)


def _late_messages(app, doctree, docname):
    """Extract or translate the texts that exist only after the post-transforms: images' alt texts.

    myst-nb renders a notebook's figures (and ``{glue:figure}``) after Sphinx's i18n transform has run, so
    their alt texts would be neither extracted nor translated. The gettext build adds them (and the
    exercise titles kept at reading) to the page's catalog; the other editions look them up in it.
    """
    images = [node for node in doctree.findall(nodes.image) if node.get("alt")]
    if app.builder.name == "gettext":
        titles = getattr(app.env, "kit_exercise_titles", {}).get(docname, [])
        _add_to_catalog(app, docname, [node["alt"] for node in images] + titles)
    elif images and _edition(app.config.language) != "en":
        catalog = _page_catalog(app, docname)
        for node in images:
            node["alt"] = catalog.gettext(node["alt"])


def _merge_titles(app, env, docnames, other):
    env.kit_exercise_titles = {**getattr(env, "kit_exercise_titles", {}),
                               **getattr(other, "kit_exercise_titles", {})}


def _purge_titles(app, env, docname):
    getattr(env, "kit_exercise_titles", {}).pop(docname, None)


#: The notebook renderer of each page being read. myst-nb's glue roles look up a page's glued values on the
#: document they are parsed in, through ``document["nb_renderer"]``, which myst-nb removes when it has parsed the
#: page; Sphinx then parses each translated paragraph as a new small document without one, so
#: ``{glue:text}`key``` in a Chinese paragraph would find nothing. See ``_glue_in_translations``.
_NOTEBOOK_RENDERERS: dict[str, object] = {}
_APP: list = []


def _forget_renderer(app, doctree):
    _NOTEBOOK_RENDERERS.pop(app.env.docname, None)


def _glue_in_translations() -> None:
    """Let myst-nb's glue roles and directives find the page's glued values inside translated paragraphs.

    Two small wrappers around myst-nb 1.4 (pinned in requirements.txt, because they rely on its internals):
    the renderer myst-nb makes for a page is remembered by page name, and a translated paragraph's document
    (Sphinx names it ``<page>:<line>:<translated>``) is given that renderer before its glue is looked up.
    Installed for the translated editions only.
    """
    from myst_nb import sphinx_
    from myst_nb.ext.glue import directives, roles, utils

    original = utils.retrieve_glue_data
    if getattr(original, "kit_patched", False):
        return
    load_renderer = sphinx_.load_renderer

    def remembering_load_renderer(name):
        renderer_class = load_renderer(name)

        def make(*args, **kwargs):
            renderer = renderer_class(*args, **kwargs)
            if _APP:  # the first renderer of a page is the page's own
                _NOTEBOOK_RENDERERS.setdefault(_APP[0].env.docname, renderer)
            return renderer

        return make

    def retrieve_glue_data(document, key):
        if str(document.get("source", "")).endswith("<translated>") and "nb_renderer" not in document:
            env = getattr(document.settings, "env", None)
            renderer = _NOTEBOOK_RENDERERS.get(env.docname) if env is not None else None
            if renderer is not None:
                # Only for the lookup: the paragraph's nodes keep a reference to this document, and a
                # renderer left on it would end up in the pickled doctree.
                document["nb_renderer"] = renderer
                try:
                    return original(document, key)
                finally:
                    del document["nb_renderer"]
        return original(document, key)

    retrieve_glue_data.kit_patched = True
    sphinx_.load_renderer = remembering_load_renderer
    for module in (utils, roles, directives):
        module.retrieve_glue_data = retrieve_glue_data


def _add_switch(app, config):
    # The book's title and author come from _config.yml, outside every catalog: the site title, the <title>
    # of each page and the footer's author line of the Chinese edition take them from ui.po.
    if _edition(config.language) != "en":
        _glue_in_translations()
        for key in ("html_title", "project", "author"):
            value = getattr(config, key, None)
            if isinstance(value, str) and value:
                setattr(config, key, ui(value, config.language))
    # Sphinx segments Chinese for the search index with jieba; the glossary's terms are added as words so
    # that a search for 群防群治 or 互动仪式链 finds them whole.
    if _edition(config.language) != "en":
        from i18n_tools import glossary_terms

        words = Path(app.doctreedir) / "search_words_zh.txt"
        words.parent.mkdir(parents=True, exist_ok=True)
        words.write_text("".join(f"{zh} 100 n\n" for _, zh in glossary_terms()), encoding="utf-8")
        config.html_search_options = {**(config.html_search_options or {}), "dict": str(words)}
    # sphinx-book-theme's article header ends with its buttons (download, full screen, colour mode);
    # the switch goes first, where readers look for it.
    options = config.html_theme_options
    end = list(options.get("article_header_end", ["article-header-buttons"]))
    if "language-switch" not in end:
        options["article_header_end"] = ["language-switch", *end]


def setup(app):
    app.add_directive("kit-downloads", KitDownloads)
    _APP[:] = [app]
    app.connect("config-inited", _add_switch)
    app.connect("html-page-context", _page_context)
    app.connect("doctree-read", _toctree_captions, priority=400)
    app.connect("doctree-read", _exercise_titles)
    app.connect("doctree-read", _forget_renderer)
    app.connect("doctree-resolved", _late_messages)
    app.connect("env-merge-info", _merge_titles)
    app.connect("env-purge-doc", _purge_titles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
