"""Message catalogs of the kit's structured teaching content: quizzes, course plans, assignments, check messages.

Sphinx translates the book's pages from its own catalogs; the text that lives in YAML files, notebooks of
``exercises/`` and Python strings is invisible to it. This module is the one home for that text's gettext
catalogs (``locale/<lang>/LC_MESSAGES/<domain>.po``, read with :mod:`polib`):

- :func:`update_catalog` writes a domain's catalog from the English messages, keeping the translation of every
  unchanged message and dropping messages that no longer exist (like ``sphinx-intl update``);
- :func:`catalog_drift` lists how a catalog differs from its source (missing, obsolete, untranslated, fuzzy);
- :func:`translator` returns a function that translates one message (exact match, or a template with
  ``{placeholders}`` for messages that carry values).

The domains and their extractors (``python -m chaoyang.teaching.catalogs update`` runs them all):

============================  ===========================================================  =====================
domain                        source                                                       extractor
============================  ===========================================================  =====================
``quizzes/<quiz>``            ``book/quizzes/<quiz>.yml``                                  ``book/_ext/quiz.py``
``quizzes/_ui``               the quiz's buttons, labels and feedback words                ``book/_ext/quiz.py``
``course_plans``              ``book/_data/course_plans.yml``                              :mod:`.course_plan`
``exercises/<assignment>``    markdown cells of ``exercises/<a>/<a>.ipynb`` (student part)  :mod:`.assignments`
``teaching``                  check messages, hints, feedback pages                        :mod:`.messages`
============================  ===========================================================  =====================

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> po = Path(tempfile.mkdtemp()) / "demo.po"
>>> update_catalog(po, [("Check", "button")])
{'added': 1, 'kept': 0, 'dropped': 0}
>>> catalog_drift(po, ["Check"])
['demo.po: untranslated: Check']
>>> translator(po)("Check")  # untranslated: the English text
'Check'
"""

from __future__ import annotations

import re
from pathlib import Path

from chaoyang.errors import ChaoyangError

__all__ = ["N_", "LANGUAGES", "LOCALE_DIR", "CatalogError", "check_language", "edition_language", "catalog_path", "update_catalog",
           "catalog_drift", "read_catalog", "translator", "all_domains", "update_all", "drift_all"]

#: Repository root (``locale/`` sits next to ``src/``).
REPO_ROOT = Path(__file__).resolve().parents[3]
LOCALE_DIR = REPO_ROOT / "locale"
#: Catalogs a student's notebook needs at run time (check messages and hints) ship inside the package, so that
#: the kit installed from a wheel (e.g. on Colab) speaks Chinese too; the others serve the book and the build.
PACKAGED_DOMAINS = frozenset({"teaching"})
PACKAGE_LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

#: Languages of the kit: English (the source) and simplified Chinese.
LANGUAGES = ("en", "zh_CN")

_HEADER = {"Language": "zh_CN", "MIME-Version": "1.0", "Content-Type": "text/plain; charset=utf-8",
           "Content-Transfer-Encoding": "8bit", "Plural-Forms": "nplurals=1; plural=0;"}


class CatalogError(ChaoyangError, ValueError):
    """A bad language, a missing catalog where one is required, or an untranslated message in a strict build."""


def N_(message: str) -> str:
    """Mark ``message`` for the catalog ``teaching`` (:mod:`chaoyang.teaching.messages` collects every ``N_("…")``
    of the teaching code); returns it unchanged: translation happens where the text is shown.

    Examples
    --------
    >>> N_("passed")
    'passed'
    """
    return message


def check_language(lang: str) -> str:
    """Return ``lang`` in canonical form (``"en"`` or ``"zh_CN"``; ``"zh-CN"`` and ``"zh"`` are accepted).

    Raises
    ------
    CatalogError
        For any other value; the message lists the languages.

    Examples
    --------
    >>> check_language("zh-CN"), check_language("en")
    ('zh_CN', 'en')
    """
    canonical = {"en": "en", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "zh": "zh_CN"}.get(str(lang).strip().lower())
    if canonical is None:
        raise CatalogError(f"language {lang!r} is not available; use one of {', '.join(LANGUAGES)}")
    return canonical


def edition_language(sphinx_language) -> str:
    """The kit's language for a Sphinx ``config.language`` (``None``, ``"en"``, ``"zh_CN"``, ``"zh-CN"`` …).

    Examples
    --------
    >>> edition_language(None), edition_language("zh_CN")
    ('en', 'zh_CN')
    """
    return check_language(sphinx_language or "en")


def catalog_path(domain: str, lang: str = "zh_CN", locale_dir: Path | None = None) -> Path:
    """The catalog file of ``domain``: ``locale/<lang>/LC_MESSAGES/<domain>.po`` (the package's own ``locale/`` for
    :data:`PACKAGED_DOMAINS`).

    Examples
    --------
    >>> catalog_path("quizzes/framework").relative_to(LOCALE_DIR).as_posix()
    'zh_CN/LC_MESSAGES/quizzes/framework.po'
    """
    if locale_dir is None and domain in PACKAGED_DOMAINS:
        return PACKAGE_LOCALE_DIR / check_language(lang) / "LC_MESSAGES" / f"{domain}.po"
    return Path(locale_dir or LOCALE_DIR) / check_language(lang) / "LC_MESSAGES" / f"{domain}.po"


def _unique(messages) -> list[tuple[str, str]]:
    """(msgid, comment) pairs, first occurrence kept; a bare string has no comment."""
    seen, out = set(), []
    for item in messages:
        msgid, comment = (item, "") if isinstance(item, str) else (item[0], item[1])
        if not isinstance(msgid, str) or not msgid.strip():
            raise CatalogError(f"a message must be a non-empty text; got {msgid!r}")
        if msgid not in seen:
            seen.add(msgid)
            out.append((msgid, comment))
    return out


def update_catalog(path: Path, messages) -> dict:
    """Write the catalog at ``path`` for ``messages``, keeping existing translations of unchanged messages.

    Parameters
    ----------
    path : pathlib.Path
        The ``.po`` file; created (with its folders) when missing.
    messages : iterable of str or (str, str)
        The English messages in source order, optionally with a comment for translators (where the message
        comes from). Repeated messages are written once.

    Returns
    -------
    dict
        ``added`` (new messages, untranslated), ``kept`` (messages already there, translation and flags kept),
        ``dropped`` (messages no longer in the source, removed with their translations).
    """
    import polib

    path = Path(path)
    wanted = _unique(messages)
    old = {e.msgid: e for e in polib.pofile(str(path)) if not e.obsolete} if path.is_file() else {}
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = dict(_HEADER)
    if "LC_MESSAGES" in path.parts:
        catalog.metadata["Language"] = path.parts[path.parts.index("LC_MESSAGES") - 1]
    kept = 0
    for msgid, comment in wanted:
        previous = old.get(msgid)
        entry = polib.POEntry(msgid=msgid, msgstr=previous.msgstr if previous else "", comment=comment or "")
        if previous is not None:
            kept += 1
            entry.flags = list(previous.flags)
            entry.tcomment = previous.tcomment
        catalog.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.save(str(path))
    return {"added": len(wanted) - kept, "kept": kept, "dropped": len(set(old) - {m for m, _ in wanted})}


def catalog_drift(path: Path, messages) -> list[str]:
    """How the catalog at ``path`` differs from its source messages, one line per problem ([] when in step).

    Problems: the catalog is missing; a source message is not in it (the catalog is out of date: run
    ``python -m chaoyang.teaching.catalogs update``); it holds a message the source no longer has; a message is
    untranslated or marked fuzzy.
    """
    import polib

    path = Path(path)
    if not path.is_file():
        return [f"{path.name}: no catalog (run `python -m chaoyang.teaching.catalogs update`)"]
    wanted = [m for m, _ in _unique(messages)]
    entries = {e.msgid: e for e in polib.pofile(str(path)) if not e.obsolete}
    problems = [f"{path.name}: out of date, not in the catalog: {m[:70]}" for m in wanted if m not in entries]
    problems += [f"{path.name}: out of date, no longer in the source: {m[:70]}" for m in entries if m not in wanted]
    for msgid in wanted:
        entry = entries.get(msgid)
        if entry is None:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{path.name}: fuzzy: {msgid[:70]}")
        if not entry.msgstr.strip():
            problems.append(f"{path.name}: untranslated: {msgid[:70]}")
    return problems


_CACHE: dict = {}


def _cached(path: Path, kind: str, build):
    """``build()`` once per catalog file version (path and modification time), so a long Sphinx build reads each
    catalog once and an edited catalog is read again."""
    key = (kind, str(path), path.stat().st_mtime_ns)
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def read_catalog(path: Path) -> dict[str, str]:
    """The translated, non-fuzzy messages of a catalog as ``{msgid: msgstr}`` ({} when the file is missing)."""
    path = Path(path)
    if not path.is_file():  # e.g. the kit installed from a wheel, which has no locale/: English
        return {}
    import polib

    return _cached(path, "table", lambda: {e.msgid: e.msgstr for e in polib.pofile(str(path))
                                           if not e.obsolete and e.msgstr.strip() and "fuzzy" not in e.flags})


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def _template(msgid: str):
    """A regular expression matching the messages a ``{placeholder}`` template formats to (None without any)."""
    parts = _PLACEHOLDER.split(msgid)
    if len(parts) == 1:
        return None
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(pattern + r"\Z", re.S)


def translator(path_or_domain, lang: str = "zh_CN", *, strict: bool = False):
    """A function ``t(message) -> translation`` over one catalog.

    Parameters
    ----------
    path_or_domain : str or pathlib.Path
        A domain (``"course_plans"``, ``"quizzes/framework"``) or a ``.po`` path.
    lang : str
        ``"en"`` gives the identity (the English source is the text itself).
    strict : bool, default False
        Raise :class:`CatalogError` for a message without a translation, instead of returning the English.

    Notes
    -----
    A message is looked up as it is; when that fails, catalog entries with ``{name}`` placeholders are tried as
    templates: ``"found {n} bars"`` translates ``"found 5 bars"`` to the translation with ``{n}`` replaced by
    ``5``. That lets checks keep their f-strings while the catalog holds one entry for all their values.

    Examples
    --------
    >>> translator("teaching", "en")("Feedback")
    'Feedback'
    """
    lang = check_language(lang)
    if lang == "en":
        return lambda message: message
    path = Path(path_or_domain) if str(path_or_domain).endswith(".po") else catalog_path(str(path_or_domain), lang)

    def translate(message: str) -> str:
        table = read_catalog(path)
        if message in table:
            return table[message]
        templates = _cached(path, "templates", lambda: [(t, table[m]) for m in table
                                                        if (t := _template(m)) is not None]) if table else []
        for pattern, target in templates:
            match = pattern.match(message)
            if match:
                return _PLACEHOLDER.sub(lambda m: match.group(m.group(1)) if m.group(1) in match.groupdict()
                                        else m.group(0), target)
        if strict:
            raise CatalogError(f"no {lang} translation in {path} for: {message[:120]!r} "
                               "(translate it there; run `python -m chaoyang.teaching.catalogs update` first if the "
                               "catalog does not list it)")
        return message

    return translate


# --------------------------------------------------------------------------------------------------
# Every domain: its catalog path and its English messages
# --------------------------------------------------------------------------------------------------
def _quiz_module():
    """book/_ext/quiz.py, the one home of the quiz format (loaded from its file: the book's extensions are not a
    package)."""
    import importlib.util

    if "quiz_module" not in _CACHE:
        spec = importlib.util.spec_from_file_location("chaoyang_book_quiz", REPO_ROOT / "book" / "_ext" / "quiz.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _CACHE["quiz_module"] = module
    return _CACHE["quiz_module"]


def all_domains() -> dict[str, list]:
    """Every domain with its English messages (``(msgid, comment)`` pairs), extracted from the sources now."""
    from chaoyang.teaching import assignments, course_plan, messages

    quiz = _quiz_module()
    domains = {f"quizzes/{path.stem}": quiz.quiz_messages(quiz.load_quiz(path))
               for path in sorted(quiz.QUIZ_DIR.glob("*.yml"))}
    domains["quizzes/_ui"] = [(text, "quiz interface") for text in quiz.UI_TEXT]
    domains["course_plans"] = course_plan.plan_messages()
    for assignment in assignments.discover():
        domains[f"exercises/{assignment.name}"] = assignments.exercise_messages(assignment.master)
    domains["teaching"] = messages.teaching_messages()
    return domains


def update_all(lang: str = "zh_CN", locale_dir: Path | None = None) -> dict[str, dict]:
    """Update every domain's catalog (what ``make locale`` calls); returns the counts per domain.

    Raises
    ------
    CatalogError
        For ``lang="en"``: English is the source, it has no catalogs.
    """
    if check_language(lang) == "en":
        raise CatalogError("lang='en' is the source language and has no catalogs; update a translation, "
                           f"e.g. lang='zh_CN' (one of {', '.join(LANGUAGES[1:])})")
    return {domain: update_catalog(catalog_path(domain, lang, locale_dir), msgs)
            for domain, msgs in all_domains().items()}


def drift_all(lang: str = "zh_CN", locale_dir: Path | None = None) -> dict[str, list[str]]:
    """:func:`catalog_drift` of every domain."""
    return {domain: catalog_drift(catalog_path(domain, lang, locale_dir), msgs)
            for domain, msgs in all_domains().items()}


def main(argv: list[str] | None = None) -> int:
    """``python -m chaoyang.teaching.catalogs update|check [--lang zh_CN]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching.catalogs",
                                     description="Extract and check the catalogs of quizzes, course plans, "
                                                 "assignments and check messages.")
    parser.add_argument("command", choices=["update", "check"])
    parser.add_argument("--lang", default="zh_CN")
    args = parser.parse_args(argv)
    if args.command == "update":
        for domain, counts in update_all(args.lang).items():
            print(f"{catalog_path(domain, args.lang).relative_to(REPO_ROOT)}: {counts['added']} new, "
                  f"{counts['kept']} kept, {counts['dropped']} dropped")
        return 0
    problems = [p for lines in drift_all(args.lang).values() for p in lines]
    print("\n".join(problems) if problems else "every catalog is complete and up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
