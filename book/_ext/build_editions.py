"""Build the book's editions and keep the translation catalogs in step with the English sources.

``make book`` calls this script twice: ``html --lang en`` builds the English site into ``_build/html``
and ``html --lang zh_CN`` builds the Chinese one into ``_build/html/zh``. ``make locale`` calls
``locale``: it extracts the messages of every page (Sphinx's gettext builder, notebooks not executed)
into ``_build/gettext`` and merges them into ``locale/zh_CN/LC_MESSAGES/**/*.po`` with ``sphinx-intl``.

Each edition has its own doctrees and its own notebook-execution cache: the Chinese edition runs the
notebooks with ``CHAOYANG_LANG=zh_CN`` so that figures and glued verdicts are drawn in Chinese, and a
shared cache would hand it the English outputs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
LANGUAGES = ("en", "zh_CN")
TRANSLATIONS = ("zh_CN",)
# Where each edition's site goes, relative to _build/html (the English edition is the root).
EDITION_DIR = {"en": "", "zh_CN": "zh"}
GETTEXT_DIR = BUILD / "gettext"


def edition_output(lang: str) -> Path:
    """Return the folder an edition's HTML is written to (``_build/html`` or ``_build/html/zh``)."""
    return BUILD / "html" / EDITION_DIR[lang] if EDITION_DIR[lang] else BUILD / "html"


def _build(builder: str, outdir: Path, overrides: dict, doctrees: Path, warnings_as_errors: bool,
           fresh: bool = False) -> int:
    from jupyter_book.sphinx import build_sphinx

    overrides = {"external_toc_path": "_toc.yml", "latex_individualpages": False, **overrides}
    result = build_sphinx(ROOT, outdir, noconfig=True, path_config=str(ROOT / "_config.yml"),
                          confoverrides=overrides, builder=builder, doctreedir=doctrees,
                          warningiserror=warnings_as_errors, keep_going=True, freshenv=fresh)
    if isinstance(result, Exception):
        raise result
    return int(result or 0)


def build_html(lang: str, preview: Path | None = None) -> int:
    """Build one edition's site; notebooks are executed (cached per edition).

    With ``preview`` (a folder), the notebooks are not executed and warnings are not errors: a quick
    look at translated pages while translating (glued values and figures are missing).
    """
    if lang not in LANGUAGES:
        raise SystemExit(f"--lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    os.environ["CHAOYANG_LANG"] = lang
    overrides = {"language": lang}
    doctrees = BUILD / ".doctrees"
    if lang != "en":
        overrides["nb_execution_cache_path"] = str(BUILD / f".jupyter_cache_{lang}")
        doctrees = BUILD / f".doctrees_{lang}"
    if preview is not None:
        overrides["nb_execution_mode"] = "off"
        return _build("html", Path(preview) / "html", overrides, Path(preview) / ".doctrees", False)
    return _build("html", edition_output(lang), overrides, doctrees, warnings_as_errors=True)


def extract_messages() -> int:
    """Write one ``.pot`` per page into ``_build/gettext``, plus ``ui.pot`` for the extensions' strings.

    The notebooks' outputs are taken from the English edition's execution cache (executed if stale):
    the figure captions and alt texts live in the executed notebooks' cells, and they are translated too.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from book_i18n import write_ui_pot

    os.environ["CHAOYANG_LANG"] = "en"
    # myst-nb gives the gettext builder no image outputs by default; figures are needed for their alt texts.
    images = [("gettext", mime, rank) for rank, mime in enumerate(
        ("image/svg+xml", "image/png", "image/jpeg", "image/gif"), start=1)]
    # Every page is read again (the notebooks' outputs still come from the cache): messages gathered while a page
    # is read, such as exercise titles, would otherwise be missing for pages an earlier extraction read.
    shutil.rmtree(GETTEXT_DIR, ignore_errors=True)
    code = _build("gettext", GETTEXT_DIR, {"nb_mime_priority_overrides": images}, BUILD / ".doctrees_gettext",
                  warnings_as_errors=True, fresh=True)
    write_ui_pot(GETTEXT_DIR / "ui.pot")
    return code


def update_catalogs() -> int:
    """Extract, then merge the new messages into every translation's catalogs."""
    code = extract_messages()
    if code:
        return code
    import polib

    for lang in TRANSLATIONS:
        subprocess.run([sys.executable, "-m", "sphinx_intl", "update", "-p", str(GETTEXT_DIR), "-l", lang,
                        "-d", str(ROOT / "locale"), "-w", "0"], check=True)
        # sphinx-intl keeps a removed message as an obsolete entry (#~); its old translation would only mislead.
        # A changed message arrives fuzzy with its old translation beside it, which is what a translator needs.
        for template in GETTEXT_DIR.rglob("*.pot"):
            catalog_file = ROOT / "locale" / lang / "LC_MESSAGES" / template.relative_to(GETTEXT_DIR).with_suffix(".po")
            catalog = polib.pofile(str(catalog_file), wrapwidth=0)
            if catalog.obsolete_entries():
                for entry in catalog.obsolete_entries():
                    catalog.remove(entry)
                catalog.save()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    html = sub.add_parser("html", help="build one edition's site")
    html.add_argument("--lang", default="en", help=f"one of {', '.join(LANGUAGES)}")
    html.add_argument("--preview", type=Path, help="quick build without executing notebooks into this folder")
    sub.add_parser("gettext", help="extract the messages into _build/gettext")
    sub.add_parser("locale", help="extract and merge into locale/*/LC_MESSAGES")
    args = parser.parse_args(argv)
    if args.command == "html":
        return build_html(args.lang, args.preview)
    if args.command == "gettext":
        return extract_messages()
    return update_catalogs()


if __name__ == "__main__":
    sys.exit(main())
