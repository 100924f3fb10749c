"""Sphinx extension that makes the built book self-contained (no CDN, works offline).

Jupyter Book 1 loads MathJax 3 from a public CDN by default. This extension serves the MathJax
3.2.2 files shipped by the ``django-static-mathjax`` wheel (pinned in ``requirements.txt``) from
the site's own ``_static`` folder, and fails the build loudly if they are missing.

It is listed in ``_config.yml`` under ``sphinx.extra_extensions``; nothing else needs it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sphinx.errors import ExtensionError

#: Path of MathJax inside the site, relative to ``_static``.
MATHJAX_SITE_DIR = "mathjax"
MATHJAX_ENTRY = "tex-chtml.js"


def mathjax_source_dir() -> Path:
    """Return the folder holding MathJax's ``es5`` build from the installed wheel.

    Returns
    -------
    pathlib.Path
        Folder containing ``tex-chtml.js`` and ``output/chtml/fonts``.

    Raises
    ------
    sphinx.errors.ExtensionError
        If the ``django-static-mathjax`` package is not installed.
    """
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            "MathJax for offline maths is missing: install it with "
            "`pip install -r requirements.txt` (package django-static-mathjax)."
        )
    root = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5"
    if not (root / MATHJAX_ENTRY).is_file():
        raise ExtensionError(f"MathJax entry file {MATHJAX_ENTRY} not found under {root}; reinstall django-static-mathjax.")
    return root


def _serve_mathjax_locally(app, config) -> None:
    src = mathjax_source_dir()
    # A folder added to html_static_path is copied into _static with its content.
    staging = Path(app.outdir).parent / ".mathjax_static"
    target = staging / MATHJAX_SITE_DIR
    if not (target / MATHJAX_ENTRY).is_file():
        import shutil

        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(src, target, ignore=shutil.ignore_patterns("*.map", "sre", "node-main*"))
    config.html_static_path = list(config.html_static_path) + [str(staging)]
    config.mathjax_path = f"{MATHJAX_SITE_DIR}/{MATHJAX_ENTRY}"


def setup(app):
    app.connect("config-inited", _serve_mathjax_locally, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
