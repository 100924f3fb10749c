"""Sphinx extension: the kit's version, citation and repository URL, each read from its one home.

- **Version**: ``[project] version`` of ``pyproject.toml`` becomes Sphinx's ``version``/``release``, which
  ``_templates/extra-footer.html`` prints in every page's footer.
- **Citation**: the ``{kit-citation}`` directive renders ``CITATION.cff`` as APA 7 text, a BibTeX entry
  or a one-line summary at build time, so the "How to cite" page (``book/appendix/cite.md``) cannot drift
  from the file that GitHub and reference managers read.
- **Repository URL**: written once, in ``_config.yml`` (``repository.url``; Jupyter Book passes it to the
  theme as ``html_theme_options["repository_url"]``, where the launch buttons read it). The
  ``{kit-install}`` directive builds the Colab install line from it, the ``{kit-repo}`` role links to pages of
  the repository (the erratum form), and the citation's URL is the same value.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; the functions below are also used by
tests/test_release.py and tests/test_repository_url.py, so each rule has one home.

Examples
--------
>>> cff = {"title": "T", "authors": [{"name": "A team"}], "version": "1.2.3", "date-released": "2026-01-02",
...        "type": "software"}
>>> apa_text(cff, "https://example.org/kit")
'A team. (2026). *T* (Version 1.2.3) [Open textbook and computer software]. https://example.org/kit'
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.util.docutils import ReferenceRole, SphinxDirective

#: File names, relative to the book's root (the folder holding ``_config.yml``).
PYPROJECT = "pyproject.toml"
CITATION = "CITATION.cff"
CONFIG = "_config.yml"

#: What the APA reference says the work is, by CFF ``type`` (APA 7 puts a description in brackets).
APA_DESCRIPTION = {"software": "Open textbook and computer software", "dataset": "Data set"}


# ------------------------------------------------------------------------------------------------
# Reading the single sources
# ------------------------------------------------------------------------------------------------
def read_version(root: Path) -> str:
    """Return ``[project] version`` from ``root/pyproject.toml``.

    Parameters
    ----------
    root : pathlib.Path
        The repository root.

    Returns
    -------
    str
        The version, e.g. ``"1.0.0"``.

    Raises
    ------
    sphinx.errors.ExtensionError
        If the file or the key is missing.
    """
    path = Path(root) / PYPROJECT
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError) as error:
        raise ExtensionError(f"{path}: cannot read [project] version ({error!r}); the kit's version lives there") from error


class CffLoader(yaml.SafeLoader):
    """YAML's safe loader with dates kept as strings, as the CFF schema expects (``date-released: 2026-12-03``
    unquoted would otherwise become a ``datetime.date``; cffconvert reads it the same way)."""


CffLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def read_citation(root: Path) -> dict:
    """Return ``root/CITATION.cff`` parsed as a dict (dates stay strings, as the CFF schema wants).

    Raises
    ------
    sphinx.errors.ExtensionError
        If the file is missing or is not a YAML mapping.
    """
    path = Path(root) / CITATION
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ExtensionError(f"{path} is missing: the 'How to cite' page is generated from it") from error
    data = yaml.load(text, Loader=CffLoader)
    if not isinstance(data, dict):
        raise ExtensionError(f"{path}: expected a YAML mapping, got {type(data).__name__}")
    return data


def read_repository_url(root: Path) -> str:
    """Return ``repository.url`` from ``root/_config.yml``: the kit's one repository URL.

    Raises
    ------
    sphinx.errors.ExtensionError
        If ``repository.url`` is missing or empty.
    """
    path = Path(root) / CONFIG
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    url = (config.get("repository") or {}).get("url")
    if not url:
        raise ExtensionError(f"{path}: set repository.url, the one place the kit's repository URL is written")
    return str(url).rstrip("/")


# ------------------------------------------------------------------------------------------------
# Formatting
# ------------------------------------------------------------------------------------------------
def _initials(given: str) -> str:
    # "Yi Xin" -> "Y. X."; already abbreviated names ("Y. X.") stay as they are.
    parts = given.replace(".", " ").split()
    return " ".join(f"{p[0]}." for p in parts)


def _apa_author(author: dict) -> str:
    if "name" in author:
        return author["name"]
    return f"{author['family-names']}, {_initials(author.get('given-names', ''))}".rstrip(", ")


def _bibtex_author(author: dict) -> str:
    if "name" in author:
        return "{" + author["name"] + "}"  # braces: an organisation, not "Family, Given"
    return f"{author['family-names']}, {author.get('given-names', '')}".rstrip(", ")


def _year(cff: dict) -> str:
    return str(dt.date.fromisoformat(str(cff["date-released"])).year)


def apa_parts(cff: dict, url: str) -> tuple[str, str, str]:
    """Return the APA 7 reference as (text before the title, the title, text after it).

    The title is the part APA sets in italics; :func:`apa_text` marks it with asterisks.

    Parameters
    ----------
    cff : dict
        ``CITATION.cff`` as read by :func:`read_citation` (needs ``authors``, ``title``, ``version``,
        ``date-released``).
    url : str
        The repository URL.

    Returns
    -------
    tuple of str
    """
    names = [_apa_author(a) for a in cff["authors"]]
    if len(names) == 1:
        who = names[0]
    else:
        who = ", ".join(names[:-1]) + ", & " + names[-1]
    who = who if who.endswith(".") else who + "."
    description = APA_DESCRIPTION.get(cff.get("type", "software"), "Computer software")
    return (f"{who} ({_year(cff)}). ", cff["title"], f" (Version {cff['version']}) [{description}]. {url}")


def apa_text(cff: dict, url: str) -> str:
    """Return the APA 7 reference as plain text, the title between asterisks (see :func:`apa_parts`)."""
    before, title, after = apa_parts(cff, url)
    return f"{before}*{title}*{after}"


def bibtex_key(cff: dict) -> str:
    """Return the BibTeX key, ``chaoyang_kit_<year>``."""
    return f"chaoyang_kit_{_year(cff)}"


def bibtex(cff: dict, url: str) -> str:
    """Return a BibTeX ``@misc`` entry for the kit (``@misc``: every BibTeX and biblatex style knows it).

    Parameters
    ----------
    cff : dict
        ``CITATION.cff`` as read by :func:`read_citation`.
    url : str
        The repository URL.

    Returns
    -------
    str
        The entry, fields in a fixed order, ending with a newline.
    """
    date = dt.date.fromisoformat(str(cff["date-released"]))
    fields = [
        ("author", " and ".join(_bibtex_author(a) for a in cff["authors"])),
        ("title", "{" + cff["title"] + "}"),  # inner braces keep the capitals
        ("year", str(date.year)),
        ("month", date.strftime("%b").lower()),
        ("version", cff["version"]),
        ("note", f"Version {cff['version']}, released {date.isoformat()}"),
        ("url", url),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" if name != "month" else f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{bibtex_key(cff)},\n{body}\n}}\n"


def summary_text(cff: dict) -> str:
    """Return "Version X, released YYYY-MM-DD; licences A and B (SPDX identifiers)." for the cite page."""
    licences = cff.get("license") or []
    licences = licences if isinstance(licences, list) else [licences]
    return (f"Version {cff['version']}, released {cff['date-released']}; licences "
            f"{' and '.join(licences)} (SPDX identifiers).")


def install_line(url: str) -> str:
    """Return the notebook cell that installs the kit with every extra from the repository (Colab)."""
    return f'!pip install "chaoyang[full] @ git+{url}"'


# ------------------------------------------------------------------------------------------------
# Sphinx glue
# ------------------------------------------------------------------------------------------------
def _root(env) -> Path:
    return Path(env.srcdir)


def _url(env) -> str:
    url = (env.config.html_theme_options or {}).get("repository_url")
    if not url:
        raise ExtensionError("repository.url is not set in _config.yml; the launch buttons, the install line and "
                             "the citation all need it")
    return url.rstrip("/")


class KitCitation(SphinxDirective):
    """``{kit-citation} apa|bibtex|summary``: ``CITATION.cff`` rendered at build time."""

    required_arguments = 1
    option_spec = {"class": directives.class_option}

    def run(self):
        style = self.arguments[0]
        root = _root(self.env)
        self.env.note_dependency(str(root / CITATION))
        cff = read_citation(root)
        if style == "apa":
            url = _url(self.env)
            before, title, after = apa_parts(cff, url)
            assert after.endswith(url)
            # A reference is quoted in its registered form in every edition (and it holds the repository URL,
            # which must not be copied into a translation catalog): not a message to translate.
            para = nodes.paragraph(classes=["kit-citation-apa"], translatable=False)
            # The link text is wrapped in an inline node: pydata-sphinx-theme shortens a GitHub link whose text is
            # a bare Text equal to its URL to "owner/name", and a reference must show the full address.
            para += [nodes.Text(before), nodes.emphasis(text=title), nodes.Text(after.removesuffix(url)),
                     nodes.reference("", "", nodes.inline(url, url), refuri=url)]
            return [para]
        if style == "bibtex":
            text = bibtex(cff, _url(self.env))
            block = nodes.literal_block(text, text, language="bibtex", classes=["kit-citation-bibtex"])
            return [block]
        if style == "summary":
            return [nodes.paragraph(text=summary_text(cff))]
        raise self.error(f"kit-citation: unknown style {style!r}; use apa, bibtex or summary")


class KitInstall(SphinxDirective):
    """``{kit-install}``: the Colab cell that installs the kit from the configured repository URL."""

    def run(self):
        text = install_line(_url(self.env))
        return [nodes.literal_block(text, text, language="ipython3")]


#: Alt text of the logo image (the theme's default, "<title> - Home", would repeat the title printed beside it).
LOGO_ALT = "Kit logo: a house wearing a red armband"


class KitRepoLink(ReferenceRole):
    """``{kit-repo}`title <path>```: a link to a page of the repository, the configured URL followed by
    ``/path`` (e.g. ``issues/new?template=erratum.md``, the erratum form)."""

    def run(self):
        url = f"{_url(self.env)}/{self.target.lstrip('/')}"
        text = self.title if self.has_explicit_title else url
        return [nodes.reference(self.rawtext, text, refuri=url)], []


def _configure_site(app, config) -> None:
    version = read_version(Path(app.srcdir))
    config.version = config.release = version
    context = dict(config.html_context or {})
    context["kit_version"] = version
    config.html_context = context
    # With an image logo the theme drops the book's title from the sidebar; keep it as text beside the mark.
    options = dict(config.html_theme_options or {})
    logo = dict(options.get("logo") or {})
    logo.setdefault("text", config.html_title)
    logo.setdefault("alt_text", LOGO_ALT)
    options["logo"] = logo
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _configure_site)
    app.add_directive("kit-citation", KitCitation)
    app.add_directive("kit-install", KitInstall)
    app.add_role("kit-repo", KitRepoLink())
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
