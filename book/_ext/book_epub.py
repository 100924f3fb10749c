"""Sphinx extension and command: an EPUB 3 of the whole book that passes EPUBCheck (``make epub``).

Sphinx's EPUB builder (``jupyter-book build . --builder custom --custom-builder epub``) writes pages
that EPUBCheck rejects for this book, and this extension repairs each cause where it arises:

- notebook outputs are HTML, not XHTML (pandas' ``<style scoped>``): every page is re-serialized as
  well-formed XHTML, and checked to parse as XML;
- the pages keep the site's ``<script>`` tags, but the builder packs no JavaScript: they are removed
  (formulas then stay as their TeX source, since MathJax cannot run);
- sphinx-exercise gives every exercise the same ``id`` ("exercise-content"): repeats are renumbered;
- matplotlib's SVG figures declare an external DTD, which EPUB 3 forbids: the DOCTYPE is dropped;
- with the root document in ``book/``, Sphinx 7.4 writes the navigation and the spine with paths
  relative to ``book/`` (``theory/x.xhtml``, ``book/../notebooks/y.xhtml``): they are made relative
  to the package and ``epub_tocscope`` is set to use them;
- myst-nb and sphinx-exercise write their stylesheets after the EPUB is packed: it is packed again
  (without myst-nb's, whose modern CSS EPUBCheck rejects), and the NCX gets the book's identifier.

Run as a command, it validates an EPUB with Debian's EPUBCheck::

    python book/_ext/book_epub.py check _build/epub/chaoyang-residents.epub

Listed in ``_config.yml`` under ``sphinx.local_extensions``; tested by tests/test_pdf_epub.py.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import escape as html_escape
from pathlib import Path

#: Base name of the EPUB (``_build/epub/chaoyang-residents.epub``); the PDF has the same.
BOOK_BASENAME = "chaoyang-residents"

#: Licence line of the EPUB's rights metadata; the same as the README's "Licences" section.
LICENCE = "Text and data: CC BY 4.0. Code: MIT."

#: Stylesheets left out of the EPUB: myst-nb's uses CSS that EPUBCheck's CSS 2.1-era parser rejects
#: (empty custom properties ``--light: ;``, ``:is()``, ``:has()``). Without it notebook cells lose
#: their tinted backgrounds only.
DROPPED_CSS = re.compile(r"^mystnb\.[0-9a-f]*\.?css$")

_DOCTYPE = re.compile(r"<!DOCTYPE\s[^>\[]*(\[[^\]]*\])?\s*>", re.IGNORECASE)


class XhtmlError(ValueError):
    """A page could not be made well-formed XHTML."""


def xhtml_repair(page: str, name: str = "page") -> tuple[str, dict[str, int]]:
    """Return a Sphinx EPUB page as well-formed XHTML without scripts or repeated ids.

    Parameters
    ----------
    page : str
        The page as Sphinx wrote it (XHTML, possibly with raw HTML from notebook outputs inside).
    name : str, optional
        The page's file name, for error messages.

    Returns
    -------
    tuple of (str, dict)
        The repaired page, and counts of what was changed: ``scripts`` removed, ``ids`` renamed,
        ``attributes`` dropped or made CSS (``<style scoped>``, ``valign``), elements ``moved`` or
        renamed (``<style>`` into ``<head>``, ``<p>`` in ``<summary>`` to ``<span>``), links to
        ``stylesheets`` left out of the EPUB (:data:`DROPPED_CSS`).

    Raises
    ------
    XhtmlError
        If the repaired page still does not parse as XML; the message names the page and the error.

    Examples
    --------
    >>> page = ('<?xml version="1.0" encoding="utf-8"?>\\n<!DOCTYPE html>\\n'
    ...         '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
    ...         '<script src="a.js"></script></head><body><style scoped>td {color: red}</style>'
    ...         '<div id="x">a<br></div><div id="x">b</div></body></html>')
    >>> fixed, changes = xhtml_repair(page)
    >>> changes
    {'scripts': 1, 'ids': 1, 'attributes': 1, 'moved': 1, 'stylesheets': 0}
    >>> '<br/>' in fixed and 'id="x-2"' in fixed and "<script" not in fixed
    True
    >>> fixed.index("<style>") < fixed.index("</head>")
    True
    """
    from bs4 import BeautifulSoup, Doctype, ProcessingInstruction

    soup = BeautifulSoup(page, "html.parser")
    changes = {"scripts": 0, "ids": 0, "attributes": 0, "moved": 0, "stylesheets": 0}
    for script in soup.find_all("script"):
        script.decompose()
        changes["scripts"] += 1
    # The EPUB is not scripted: controls that only work with JavaScript are dead there.
    head = soup.find("head")
    for style in soup.find_all("style"):
        if style.has_attr("scoped"):
            del style["scoped"]
            changes["attributes"] += 1
        # XHTML allows <style> in <head> only; notebook outputs (pandas tables) put theirs in the body.
        if head is not None and style.parent is not head:
            head.append(style.extract())
            changes["moved"] += 1
    # Presentational attributes HTML5 dropped (docutils and pandas tables) become CSS.
    for attribute, css in (("valign", "vertical-align"), ("halign", "text-align")):
        for tag in soup.find_all(attrs={attribute: True}):
            value = tag[attribute]
            del tag[attribute]
            tag["style"] = (tag.get("style", "").rstrip("; ") + f"; {css}: {value}").lstrip("; ")
            changes["attributes"] += 1
    # myst-nb's folded-cell toggles hold <p> in <summary>, which allows phrasing content only.
    for paragraph in soup.select("summary p"):
        paragraph.name = "span"
        changes["moved"] += 1
    for link in soup.find_all("link", href=True):
        if DROPPED_CSS.match(link["href"].rsplit("/", 1)[-1]):
            link.decompose()
            changes["stylesheets"] += 1
    seen: dict[str, int] = {}
    for tag in soup.find_all(id=True):
        ident = tag["id"]
        if ident in seen:
            seen[ident] += 1
            new = f"{ident}-{seen[ident]}"
            while soup.find(id=new) is not None:
                seen[ident] += 1
                new = f"{ident}-{seen[ident]}"
            tag["id"] = new
            changes["ids"] += 1
        else:
            seen[ident] = 1
    out = []
    for node in soup.contents:
        if isinstance(node, (Doctype, ProcessingInstruction)):
            continue  # written back below, exactly as XHTML needs them
        out.append(node.decode(formatter="minimal") if hasattr(node, "decode") else str(node))
    body = "".join(out).strip()
    fixed = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + body + "\n"
    try:
        ET.fromstring(fixed.encode("utf-8"))
    except ET.ParseError as err:
        raise XhtmlError(f"{name} is not well-formed XHTML after repair: {err}") from err
    return fixed, changes


def svg_without_doctype(svg: str) -> str:
    """Return an SVG document without its DOCTYPE (EPUB 3 forbids external DTDs).

    Examples
    --------
    >>> svg_without_doctype('<?xml version="1.0"?>\\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\\n'
    ...                     '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\\n<svg/>')
    '<?xml version="1.0"?>\\n\\n<svg/>'
    """
    return _DOCTYPE.sub("", svg, count=1)


def _repository_url(config) -> str:
    return (getattr(config, "html_theme_options", {}) or {}).get("repository_url", "")


def project_version(pyproject: Path) -> str:
    """Return ``[project] version`` of ``pyproject.toml``, the kit's one place for its version.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "pyproject.toml").write_text('[project]\\nname = "x"\\nversion = "1.2.3"\\n')
    >>> project_version(folder / "pyproject.toml")
    '1.2.3'
    """
    import tomllib

    with open(pyproject, "rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def _epub_config(app, config):
    if not config.version:
        # EPUB 3 requires a version (Sphinx warns, and -W fails the build, without one).
        pyproject = Path(app.confdir) / "pyproject.toml"
        if pyproject.is_file():
            config.version = project_version(pyproject)
            config.release = config.release or config.version
    title = config.html_title or config.project  # Jupyter Book puts _config.yml's title in html_title
    config.epub_basename = BOOK_BASENAME
    config.epub_title = title
    config.epub_author = config.author
    config.epub_publisher = config.author
    config.epub_copyright = f"{config.copyright}, {config.author}. {LICENCE}"
    config.epub_description = ("An open textbook and teaching kit on how urban communities mobilize residents "
                               "for grassroots mass prevention and governance.")
    # The identifier must be stable across builds: readers' libraries match books by it.
    config.epub_scheme = "URL"
    config.epub_identifier = _repository_url(config) or BOOK_BASENAME
    # The navigation and the spine use the builder's own ToC (mended in _mend_toc below).
    config.epub_tocscope = "includehidden"
    # sphinx-external-toc writes a redirecting index.html, which is not part of the book.
    config.epub_exclude_files = list(config.epub_exclude_files) + ["index.html"]


def _prepare_builder(app):
    if app.builder.name != "epub":
        return
    builder = app.builder
    # Launch buttons (Binder, Colab) belong to the site's page header, which an EPUB has not; and
    # sphinx-book-theme's handler crashes there for lack of the repository context it expects.
    options = dict(app.config.html_theme_options or {})
    options.pop("launch_buttons", None)
    app.config.html_theme_options = options
    # No page sources (.ipynb, .md) and no MathJax (it cannot run in a script-free EPUB) in the package.
    builder.copysource = False
    app.config.html_static_path = [p for p in app.config.html_static_path if not str(p).endswith(".mathjax_static")]

    original_get_toc = builder.get_toc

    def get_toc():
        original_get_toc()
        _mend_toc(builder.refnodes)

    builder.get_toc = get_toc


def _mend_toc(refnodes: list[dict]) -> None:
    # "book/../notebooks/x.xhtml#a" -> "notebooks/x.xhtml#a": the package's paths, as in the manifest.
    for item in refnodes:
        path, sep, fragment = item["refuri"].partition("#")
        item["refuri"] = posixpath.normpath(path) + sep + fragment


def _repair_and_repack(app, exception):
    if exception is not None or app.builder.name != "epub":
        return
    from sphinx.errors import ExtensionError
    from sphinx.util import logging

    outdir = Path(app.outdir)
    totals = {"pages": 0, "scripts": 0, "ids": 0, "attributes": 0, "moved": 0, "stylesheets": 0, "svg": 0}
    for page in sorted(outdir.rglob("*.xhtml")):
        if page.name == "nav.xhtml":
            continue
        try:
            fixed, changes = xhtml_repair(page.read_text(encoding="utf-8"), page.relative_to(outdir).as_posix())
        except XhtmlError as err:
            raise ExtensionError(f"book_epub: {err}") from err
        page.write_text(fixed, encoding="utf-8")
        totals["pages"] += 1
        for key, count in changes.items():
            totals[key] += count
    for svg in sorted(outdir.rglob("*.svg")):
        text = svg.read_text(encoding="utf-8")
        fixed = svg_without_doctype(text)
        if fixed != text:
            svg.write_text(fixed, encoding="utf-8")
            totals["svg"] += 1
    for css in sorted(outdir.glob("_static/*.css")):
        if DROPPED_CSS.match(css.name):
            css.unlink()
    _repack(app.builder)
    logging.getLogger(__name__).info(
        "book_epub: repaired %(pages)d pages (%(scripts)d scripts removed, %(ids)d repeated ids renamed, "
        "%(attributes)d HTML-only attributes, %(moved)d misplaced elements, %(stylesheets)d stylesheet links), "
        "%(svg)d SVG DOCTYPEs dropped; EPUB packed again" % totals)


def _repack(builder) -> None:
    # The steps of Sphinx 7.4's Epub3Builder.handle_finish, packed again so that the manifest lists
    # the stylesheets written after the first packing, with one repair in between: the NCX names the
    # book by epub_uid (an XML id, "unknown" by default) where EPUBCheck wants the OPF identifier.
    builder.playorder = 0  # numbered from 1 again, or the NCX's playOrder starts where the first run ended
    builder.get_toc()
    builder.build_mimetype()
    builder.build_container()
    builder.build_content()
    builder.build_navigation_doc()
    builder.build_toc()
    ncx = Path(builder.outdir) / "toc.ncx"
    text = ncx.read_text(encoding="utf-8")
    identifier = html_escape(builder.config.epub_identifier)
    text = re.sub(r'(<meta name="dtb:uid" content=")[^"]*(")', lambda m: m.group(1) + identifier + m.group(2), text)
    ncx.write_text(text, encoding="utf-8")
    builder.build_epub()


def epubcheck_command() -> list[str]:
    """Return the command that runs Debian's EPUBCheck.

    Debian installs ``/usr/bin/epubcheck`` as a link to an executable ``.jar``, which runs directly
    only where the kernel's binfmt_misc handler for jars is registered (not in most containers), so
    the jar is run with ``java -jar`` instead when it is one.

    Raises
    ------
    FileNotFoundError
        If EPUBCheck (or Java for it) is not installed, with the command that installs it.
    """
    found = shutil.which("epubcheck")
    if not found:
        raise FileNotFoundError("epubcheck not found: install it with `apt-get install -y epubcheck`")
    real = Path(found).resolve()
    if real.suffix == ".jar":
        java = shutil.which("java")
        if not java:
            raise FileNotFoundError("java not found for epubcheck: `apt-get install -y default-jre-headless`")
        return [java, "-jar", str(real)]
    return [str(real)]


def epubcheck(epub: Path | str, timeout_s: float = 600.0) -> subprocess.CompletedProcess:
    """Validate an EPUB with EPUBCheck; ``returncode`` 0 means no error and no warning.

    Parameters
    ----------
    epub : path
        The EPUB file.
    timeout_s : float, optional
        Seconds allowed (the whole book takes about half a minute).

    Returns
    -------
    subprocess.CompletedProcess
        With EPUBCheck's report in ``stdout`` and ``stderr``.
    """
    epub = Path(epub)
    if not epub.is_file():
        raise FileNotFoundError(f"{epub} does not exist: run `make epub` first")
    return subprocess.run([*epubcheck_command(), str(epub)], capture_output=True, text=True, timeout=timeout_s)


def setup(app):
    app.connect("config-inited", _epub_config)
    app.connect("builder-inited", _prepare_builder)
    # After myst-nb and sphinx-exercise have written their stylesheets (priority 500).
    app.connect("build-finished", _repair_and_repack, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "check":
        print("usage: python book/_ext/book_epub.py check FILE.epub", file=sys.stderr)
        return 2
    try:
        result = epubcheck(args[1])
    except FileNotFoundError as err:
        print(f"make epub: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
