"""Sphinx extension: the seed-fidelity table, rendered from ``book/_data/seed_fidelity.yml`` at build time.

The directive ``{seed-fidelity}`` (used on ``book/appendix/seed-fidelity.md``) reads the data file and writes
one table row per element of the dissertation's abstract: the phrase, where the kit covers it (a link to the
page, the section title) and whether the kit follows, adapts or adds. Because the page is generated from the
one data file, page and data cannot drift apart; ``tests/test_seed_fidelity.py`` checks the data (every phrase
is in the abstract, every page and section exists). Listed in ``_config.yml`` under ``sphinx.local_extensions``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

#: The data file, relative to the book's source folder (the folder of ``_config.yml``).
DATA = Path("book") / "_data" / "seed_fidelity.yml"
#: What each relation means, printed under the table.
RELATIONS = {
    "follows": "the kit does what the abstract says",
    "adapts": "same aim; the kit chose the method, items or settings",
    "adds": "the abstract is silent; the kit's own",
}


def load_rows(srcdir: str | Path) -> list[dict]:
    """The rows of the seed-fidelity data file.

    Parameters
    ----------
    srcdir : str or pathlib.Path
        The book's source folder (``app.srcdir``).

    Returns
    -------
    list of dict
        One mapping per row with keys ``element``, ``page``, ``section`` (str or None), ``relation``, ``note``.

    Raises
    ------
    ValueError
        If a row lacks a key or names an unknown relation.
    """
    rows = yaml.safe_load((Path(srcdir) / DATA).read_text(encoding="utf-8"))["rows"]
    for number, row in enumerate(rows, start=1):
        missing = {"element", "page", "section", "relation", "note"} - set(row)
        if missing:
            raise ValueError(f"{DATA} row {number}: missing {sorted(missing)}")
        if row["relation"] not in RELATIONS:
            raise ValueError(f"{DATA} row {number}: relation {row['relation']!r} is not one of {sorted(RELATIONS)}")
    return rows


def _cell(text: str) -> str:
    # a list-table cell is one Markdown paragraph: keep it on one line, without the table's own markup
    return " ".join(str(text).split()).replace("|", "/")


class SeedFidelity(SphinxDirective):
    """Render the seed-fidelity table as a MyST list-table (parsed, so {doc} links are checked by Sphinx)."""

    has_content = False

    def run(self):
        srcdir = Path(self.env.srcdir)
        self.env.note_dependency(str(srcdir / DATA))
        lines = ["```{list-table}", ":header-rows: 1", ":widths: 40 25 10 25", "",
                 "* - Element of the abstract", "  - Where the kit covers it", "  - Kit", "  - What the kit does"]
        for row in load_rows(srcdir):
            where = f"{{doc}}`/{row['page']}`"
            if row["section"]:
                where += f", section *{_cell(row['section'])}*"
            lines += [f"* - \u201c{_cell(row['element'])}\u201d", f"  - {where}", f"  - {row['relation']}",
                      f"  - {_cell(row['note'])}"]
        lines += ["```", ""]
        lines += [f"**{name}**: {meaning}." + ("" if i == len(RELATIONS) - 1 else " ")
                  for i, (name, meaning) in enumerate(RELATIONS.items())]
        container = nodes.container(classes=["seed-fidelity"])
        self.state.nested_parse(StringList(lines, source=str(DATA)), 0, container)
        return [container]


def setup(app):
    app.add_directive("seed-fidelity", SeedFidelity)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
