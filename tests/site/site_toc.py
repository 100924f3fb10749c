"""Pages of the book as listed in ``_toc.yml`` (Jupyter Book 1 format), read without building anything."""

from __future__ import annotations

from pathlib import Path

import yaml


def _files(node) -> list[str]:
    found = []
    if isinstance(node, dict):
        if "file" in node:
            found.append(str(node["file"]))
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                found += _files(child)
    elif isinstance(node, list):
        for child in node:
            found += _files(child)
    return found


def toc_pages(toc_path: Path) -> list[str]:
    """Return every page of the book, root first, as paths without suffix.

    Parameters
    ----------
    toc_path : pathlib.Path
        The book's ``_toc.yml``.

    Returns
    -------
    list of str
        Document names in reading order, e.g. ``["book/index", "book/preface", ...]``; the built page
        of ``name`` is ``_build/html/<name>.html``.

    Raises
    ------
    ValueError
        If the file has no ``root`` entry.

    Examples
    --------
    >>> toc_pages(Path("_toc.yml"))[0]  # doctest: +SKIP
    'book/index'
    """
    toc = yaml.safe_load(Path(toc_path).read_text(encoding="utf-8")) or {}
    if "root" not in toc:
        raise ValueError(f"{toc_path} has no 'root:' entry; a Jupyter Book 1 toc starts with 'root: <page>'")
    pages = [str(toc["root"])] + _files(toc)
    # A toc entry may carry its suffix (``file: notebooks/x.ipynb``); the built page never does.
    return [p.removesuffix(".md").removesuffix(".ipynb") for p in dict.fromkeys(pages)]


def notebook_pages(toc_path: Path, root: Path) -> list[str]:
    """Return the pages of ``toc_path`` whose source is a notebook under ``notebooks/``.

    Parameters
    ----------
    toc_path : pathlib.Path
        The book's ``_toc.yml``.
    root : pathlib.Path
        Repository root, where ``notebooks/<name>.ipynb`` is looked up.

    Returns
    -------
    list of str
        Document names such as ``"notebooks/sem-mediation"``; empty while the book has no notebook.
    """
    return [p for p in toc_pages(toc_path)
            if p.startswith("notebooks/") and (Path(root) / f"{p}.ipynb").is_file()]
