"""The language of the library's own text: figure labels, glued verdicts, check_env and errors.

The kit has two editions, English and Chinese (中文版), built from the same sources. The book's prose
is translated in Sphinx's catalogs under ``locale/``; the text the *library and the notebooks' code*
produce (figure titles, axis labels, legends, glued verdicts, :func:`chaoyang.check_env`, the most
common error messages) goes through :func:`t`, which looks the English text up in the library's own
gettext catalog ``chaoyang/locale/zh_CN/LC_MESSAGES/chaoyang.po`` (compiled to ``chaoyang.mo``
beside it, so the runtime needs nothing but the standard library).

The language comes from, in order:

1. :func:`set_language` for the running session (``None`` goes back to the environment);
2. the environment variable ``CHAOYANG_LANG`` (the Chinese book build sets ``zh_CN``, so executed
   notebooks inherit it);
3. English.

Accepted values: ``"en"`` (English, the default) and ``"zh_CN"`` (also spelled ``"zh"``,
``"zh-CN"``, ``"zh_Hans"``). The English text is the message id, so the English edition is
byte-identical to a library without translation.

In Chinese, importing this module (every ``import chaoyang`` does) makes matplotlib draw with a CJK
font (:func:`use_cjk_font`), and so do :func:`set_language` and :func:`t` when the setting changes
later: a figure's axes take their font when they are created, so the font must be set before the
first ``plt.subplots``. A notebook needs nothing more than ``from chaoyang.i18n import t``.

This module imports only :mod:`chaoyang.errors` from the library (infrastructure layer).

Examples
--------
>>> from chaoyang.i18n import t, set_language, get_language
>>> set_language("en")
>>> t("Willingness")
'Willingness'
>>> t("{column} is missing", column="COH1")
'COH1 is missing'
>>> set_language("zh_CN")
>>> t("Willingness")
'参与意愿'
>>> set_language(None)  # back to CHAOYANG_LANG (English when unset)
"""

from __future__ import annotations

import gettext
import os
import sys
import warnings
from functools import lru_cache
from pathlib import Path

from chaoyang.errors import ArgumentError, ChaoyangError, ChaoyangWarning

__all__ = ["CJK_FONTS", "DOMAIN", "ENV_VAR", "LANGUAGES", "LOCALE_DIR", "MissingFontError", "MissingFontWarning",
           "N_", "catalog_path", "compile_catalog", "extract_messages", "get_language", "is_chinese", "join_words",
           "language", "library_messages", "messages_in_source", "set_language", "t", "update_catalog",
           "use_cjk_font"]

#: Environment variable read by :func:`get_language`.
ENV_VAR = "CHAOYANG_LANG"
#: The languages the library speaks (canonical spellings).
LANGUAGES = ("en", "zh_CN")
#: gettext domain of the library catalog.
DOMAIN = "chaoyang"
#: Folder of the compiled catalogs (``<lang>/LC_MESSAGES/chaoyang.mo``), shipped as package data.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: CJK fonts tried, in order, for Chinese figures (Debian ``fonts-noto-cjk`` ships the first;
#: Adobe's Source Han Sans is the same design under another name).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans CJK JP",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")

# Keys are lower case with "_" for "-".
_ALIASES = {"en": "en", "en_us": "en", "en_gb": "en", "zh": "zh_CN", "zh_cn": "zh_CN", "zh_hans": "zh_CN"}

_session_language: str | None = None


class MissingFontWarning(ChaoyangWarning):
    """Chinese figure text was requested but matplotlib finds no CJK font (labels would be boxes)."""


class MissingFontError(ChaoyangError, RuntimeError):
    """:func:`use_cjk_font` with ``strict=True`` found no CJK font; the message says what to install."""


def _canonical(lang, source: str) -> str:
    key = lang.strip().lower().replace("-", "_") if isinstance(lang, str) else None
    if key not in _ALIASES:
        raise ArgumentError(f"{source}={lang!r} is not a language of the kit; choose one of {list(LANGUAGES)} "
                         f"('zh' also means 'zh_CN')")
    return _ALIASES[key]


def get_language() -> str:
    """Return the current language, ``"en"`` or ``"zh_CN"``.

    The session setting of :func:`set_language` wins; otherwise ``CHAOYANG_LANG``; otherwise English.

    Raises
    ------
    chaoyang.errors.ArgumentError
        ``CHAOYANG_LANG`` holds something else than a known language (the message names it).

    Examples
    --------
    >>> set_language("zh")
    >>> get_language()
    'zh_CN'
    >>> set_language(None)
    """
    if _session_language is not None:
        return _session_language
    value = os.environ.get(ENV_VAR, "").strip()
    return _canonical(value, f"environment variable {ENV_VAR}") if value else "en"


def set_language(lang: str | None) -> None:
    """Set the language for this Python session (``None``: follow ``CHAOYANG_LANG`` again).

    Parameters
    ----------
    lang : {"en", "zh_CN", "zh"} or None

    Raises
    ------
    chaoyang.errors.ArgumentError
        ``lang`` is not a language of the kit; the message names the value and the choices.

    Examples
    --------
    >>> set_language("fr")
    Traceback (most recent call last):
    ...
    chaoyang.errors.ArgumentError: lang='fr' is not a language of the kit; choose one of ['en', 'zh_CN'] ('zh' also means 'zh_CN')
    """
    global _session_language
    _session_language = None if lang is None else _canonical(lang, "lang")
    _prepare_figures()


class language:
    """Context manager: run a block in another language, then restore the previous setting.

    Examples
    --------
    >>> with language("zh_CN"):
    ...     t("holds")
    '成立'
    >>> t("holds")
    'holds'
    """

    def __init__(self, lang: str):
        self._lang = _canonical(lang, "lang")

    def __enter__(self):
        global _session_language
        self._previous = _session_language
        _session_language = self._lang
        _prepare_figures()
        return self

    def __exit__(self, *exc):
        global _session_language
        _session_language = self._previous
        return False


def is_chinese() -> bool:
    """True when the current language is Chinese (``zh_CN``)."""
    return get_language() == "zh_CN"


@lru_cache(maxsize=None)
def _catalog(lang: str) -> gettext.NullTranslations:
    # fallback=True: a missing .mo gives English rather than an error; the catalog test makes sure
    # the shipped .mo exists and covers every message.
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (for module-level constants).

    Translate it later with ``t(constant)``; the catalog scan collects ``N_("...")`` like ``t("...")``.
    """
    return message


def t(message: str, /, **fields) -> str:
    """Translate ``message`` (English) into the current language, then fill its ``{fields}``.

    Parameters
    ----------
    message : str
        The English text; it is the message id of the catalog. Placeholders use ``str.format``
        syntax (``{column!r}``, ``{n:,}``) and are filled after translation.
    **fields
        Values of the placeholders. Without fields the text is returned as is (braces untouched).

    Returns
    -------
    str
        The text in the current language (the English text itself when the language is English or
        the catalog has no translation).

    Examples
    --------
    >>> t("{name}={value!r} is out of range", name="level", value=2)
    'level=2 is out of range'
    >>> with language("zh_CN"):
    ...     t("differ")
    '不一致'
    """
    lang = get_language()
    text = message if lang == "en" else _catalog(lang).gettext(message)
    if lang == "zh_CN" and "matplotlib" in sys.modules:
        _ensure_font()
    return text.format(**fields) if fields else text


def join_words(words, conjunction: str | None = "and") -> str:
    """Join words as prose: ``"A and B"`` / ``"A, B and C"`` in English, ``"A和B"`` / ``"A、B和C"`` in Chinese.

    Parameters
    ----------
    words : iterable of str
        Already translated words.
    conjunction : {"and", "or", None}
        ``None`` lists the words with commas only: ``"A, B, C"`` / ``"A、B、C"`` (the Chinese
        enumeration comma).

    Examples
    --------
    >>> join_words(["A", "B", "C"])
    'A, B and C'
    >>> with language("zh_CN"):
    ...     join_words(["甲", "乙", "丙"]), join_words(["甲", "乙", "丙"], None)
    ('甲、乙和丙', '甲、乙、丙')
    """
    words = [str(w) for w in words]
    if conjunction is None:
        return ("、" if is_chinese() else ", ").join(words)
    if conjunction not in ("and", "or"):
        raise ArgumentError(f"conjunction={conjunction!r} must be 'and', 'or' or None")
    word = t("and") if conjunction == "and" else t("or")  # literal ids: the catalog scan finds them
    if len(words) <= 1:
        return "".join(words)
    if is_chinese():
        return "、".join(words[:-1]) + word + words[-1]
    return ", ".join(words[:-1]) + f" {word} " + words[-1]


# --- matplotlib: a CJK font when the language is Chinese -------------------------------------------------

_font_state = {"configured": None}


def _prepare_figures() -> None:
    """In Chinese, give matplotlib a CJK font now, before any figure is made (a no-op in English)."""
    import importlib.util

    try:
        chinese = get_language() == "zh_CN"
    except ArgumentError:  # a bad CHAOYANG_LANG is reported where the language is asked for, not on import
        return
    if chinese and ("matplotlib" in sys.modules or importlib.util.find_spec("matplotlib") is not None):
        _ensure_font()


def _ensure_font() -> None:
    import matplotlib

    family = matplotlib.rcParams["font.family"]
    if _font_state["configured"] is not None and _font_state["configured"] in family:
        return
    use_cjk_font()


def use_cjk_font(*, strict: bool = False) -> str | None:
    """Make matplotlib draw Chinese text: put an installed CJK font after DejaVu Sans as a fallback.

    Latin letters and digits keep the kit's DejaVu Sans; characters it lacks (Chinese, full-width
    punctuation) fall back to the first installed font of :data:`CJK_FONTS`, found through
    matplotlib's ``font_manager``. When the system has none, the font of the PyPI package
    ``noto-cjk-sans-otc`` (the ``zh`` extra, SIL Open Font License) is registered with matplotlib.
    SVG output stays independent of installed fonts because Chinese figures keep matplotlib's
    default ``svg.fonttype = "path"`` (glyphs are written as outlines).

    This module calls it by itself in Chinese (on import, in :func:`set_language` and in :func:`t`);
    call it directly only to check the set-up.

    Parameters
    ----------
    strict : bool, default False
        Raise instead of warning when no CJK font is installed.

    Returns
    -------
    str or None
        The family name used, or None when no CJK font is installed.

    Warns
    -----
    MissingFontWarning
        No CJK font is installed; the warning says what to install.

    Examples
    --------
    >>> use_cjk_font() in CJK_FONTS  # doctest: +SKIP
    True
    """
    import matplotlib
    from matplotlib import font_manager

    chosen = _installed_cjk_font(font_manager)
    if chosen is None and _register_packaged_font(font_manager):
        chosen = _installed_cjk_font(font_manager)
    if chosen is None:
        message = ("no Chinese (CJK) font found for matplotlib, so Chinese labels would show as boxes. Install "
                   "one: pip install noto-cjk-sans-otc (or pip install \"chaoyang[zh]\"); on Debian/Ubuntu  "
                   "sudo apt-get install fonts-noto-cjk  (then delete matplotlib's font cache, "
                   "~/.cache/matplotlib); on macOS/Windows install 'Noto Sans CJK SC' or 'Source Han Sans SC'; "
                   "or draw the figures in English with CHAOYANG_LANG=en")
        if strict:
            raise MissingFontError(message)
        warnings.warn(message, MissingFontWarning, stacklevel=3)
        _font_state["configured"] = None
        return None
    family = list(matplotlib.rcParams["font.family"])
    # A concrete first family is needed for per-glyph fallback: matplotlib falls back along
    # font.family, but resolves a generic name ("sans-serif") to a single font.
    latin = [f for f in family if f not in CJK_FONTS and f not in ("sans-serif", "serif", "monospace")]
    matplotlib.rcParams["font.family"] = (latin or ["DejaVu Sans"]) + [chosen]
    _font_state["configured"] = chosen
    return chosen


def _installed_cjk_font(font_manager) -> str | None:
    available = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in available), None)


def _register_packaged_font(font_manager) -> bool:
    """Register the Noto Sans CJK collection of the ``noto-cjk-sans-otc`` package, if it is installed."""
    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError:
        return False
    # A .ttc holds one face per region (JP, KR, SC, TC, HK); matplotlib lists each, so "Noto Sans CJK SC"
    # becomes available by name.
    font_manager.fontManager.addfont(str(FONT_PATH))
    return True


# --- the catalog: extraction, compilation (maintainers and tests only) -----------------------------------

#: Names whose first argument is a message: ``t("...")`` and ``N_("...")``.
_MARKERS = ("t", "N_")


def messages_in_source(source: str) -> list[str]:
    """The literal messages of ``t("...")`` and ``N_("...")`` calls in Python source, in order of appearance.

    Only literal first arguments count (adjacent literals are joined by the parser); ``t(variable)``
    translates a message that is marked elsewhere with ``N_``.

    Examples
    --------
    >>> messages_in_source('ax.set_title(t("Willingness")); LABELS = (N_("never"), "not marked")')
    ['Willingness', 'never']
    """
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in _MARKERS:
                found.append((node.lineno, node.col_offset, node.args[0].value))
    return [message for *_pos, message in sorted(found)]


def extract_messages(paths) -> dict[str, list[str]]:
    """Every message marked in the given ``.py`` files and notebooks (code cells), with where it is used.

    Parameters
    ----------
    paths : iterable of pathlib.Path
        Python files and ``.ipynb`` notebooks (IPython magics and shell lines are skipped).

    Returns
    -------
    dict
        Message -> list of file names using it, in first-seen order.
    """
    import json

    messages: dict[str, list[str]] = {}
    for path in map(Path, paths):
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            sources = ["\n".join(line for line in "".join(c["source"]).splitlines()
                                  if not line.lstrip().startswith(("%", "!")))
                       for c in cells if c["cell_type"] == "code"]
        else:
            sources = [path.read_text(encoding="utf-8")]
        for source in sources:
            for message in messages_in_source(source):
                messages.setdefault(message, [])
                if path.name not in messages[message]:
                    messages[message].append(path.name)
    return messages


def library_messages(root: Path | None = None) -> dict[str, list[str]]:
    """Every message the kit shows through :func:`t`: marked calls in the library and the chapters' code,
    plus the codebook labels the grounded-model figure translates.

    Parameters
    ----------
    root : pathlib.Path, optional
        Repository root (the chapter notebooks are read from ``root/notebooks``); default: the
        checkout this package lies in. Without a checkout only the library is scanned.

    Returns
    -------
    dict
        Message -> files using it (see :func:`extract_messages`).
    """
    import json

    package = Path(__file__).resolve().parent
    root = package.parents[1] if root is None else Path(root)
    # chaoyang.teaching has catalogs of its own (teaching.po, quizzes, assignments: chaoyang.teaching.catalogs),
    # marked with its own N_; its messages are not the library's.
    paths = sorted(p for p in package.rglob("*.py") if "teaching" not in p.relative_to(package).parts[:1]) \
        + sorted((root / "notebooks").glob("[0-9]*.ipynb"))
    messages = extract_messages(paths)
    # chaoyang.plots.grounded.plot_model translates the codebook's labels (data, so no t("...") call).
    book = json.loads((package / "authored" / "codebook.json").read_text(encoding="utf-8"))
    labels = [book["core"]["label"], *(p["label"].replace(" pathway", "") for p in book["pathways"]),
              *(c["label"] for c in book["categories"])]
    for label in labels:
        messages.setdefault(label, []).append("codebook.json")
    return messages


def update_catalog(lang: str = "zh_CN", root: Path | None = None) -> tuple[list[str], list[str]]:
    """Bring ``chaoyang.po`` up to date with :func:`library_messages` (needs polib), then compile it.

    New messages are added untranslated (the catalog test then fails until someone translates
    them); messages no longer used are removed; translations of the others are kept.

    Returns
    -------
    (added, removed) : tuple of list of str
    """
    import polib

    path = catalog_path(lang)
    catalog = polib.pofile(str(path), wrapwidth=0)
    used = library_messages(root)
    known = {entry.msgid: entry for entry in catalog}
    added = [m for m in used if m not in known]
    removed = [m for m in known if m not in used]
    for message in removed:
        catalog.remove(known[message])
    for message in added:
        catalog.append(polib.POEntry(msgid=message, msgstr=""))
    for entry in catalog:
        entry.occurrences = [(name, "") for name in used[entry.msgid]]
        entry.flags = [flag for flag in entry.flags if flag != "python-brace-format"]
        if "{" in entry.msgid:
            entry.flags.append("python-brace-format")
    catalog.save(str(path))
    compile_catalog(lang)
    return added, removed


def catalog_path(lang: str = "zh_CN", suffix: str = ".po") -> Path:
    """Path of the library catalog of ``lang`` (``.po`` source or compiled ``.mo``)."""
    return LOCALE_DIR / _canonical(lang, "lang") / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def compile_catalog(lang: str = "zh_CN") -> Path:
    """Compile ``chaoyang.po`` into ``chaoyang.mo`` beside it (needs polib, a development dependency).

    Run after editing the catalog: ``python -c "import chaoyang.i18n as i; i.compile_catalog()"``.
    A test checks that the committed ``.mo`` equals a fresh compilation of the ``.po``.

    Returns
    -------
    pathlib.Path
        The ``.mo`` written.
    """
    import polib  # development only: the runtime reads the .mo with the standard library

    mo = catalog_path(lang, ".mo")
    polib.pofile(str(catalog_path(lang)), wrapwidth=0).save_as_mofile(str(mo))
    _catalog.cache_clear()
    return mo


# Chinese from the start (the Chinese book build sets CHAOYANG_LANG before any kernel starts).
_prepare_figures()
