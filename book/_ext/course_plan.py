"""Sphinx extension: the course plans, rendered from ``book/_data/course_plans.yml`` at build time.

The directive ``{course-plan} <plan id>`` (used on ``book/how-to-use.md`` and ``book/appendix/instructor-guide.md``)
writes the plan's introduction and table. Reading and rendering live in the library
(:mod:`chaoyang.teaching.course_plan`), so the book, the tests and anyone else render the same text from the one data
file; ``tests/test_course_plan.py`` checks the data and the two pages. Listed in ``_config.yml`` under
``sphinx.local_extensions``.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from chaoyang.teaching.catalogs import catalog_path, edition_language
from chaoyang.teaching.course_plan import get_plan, plan_in, render_myst

#: The data file, relative to the book's source folder (the folder of ``_config.yml``).
DATA = Path("book") / "_data" / "course_plans.yml"


class CoursePlanDirective(SphinxDirective):
    """Render one course plan as a paragraph and a MyST list-table (parsed, so {doc} links are checked)."""

    required_arguments = 1
    has_content = False

    def run(self):
        path = Path(self.env.srcdir) / DATA
        self.env.note_dependency(str(path))
        # The Chinese edition passes language=zh_CN to Sphinx: the plan's texts come from the catalog course_plans.
        lang = edition_language(self.config.language)
        if lang != "en":
            self.env.note_dependency(str(catalog_path("course_plans", lang)))
        plan = plan_in(get_plan(self.arguments[0], path), lang)
        container = nodes.container(classes=["course-plan"], ids=[f"course-plan-{plan.id}"])
        self.state.nested_parse(StringList(render_myst(plan, lang), source=str(DATA)), 0, container)
        return [container]


def setup(app):
    app.add_directive("course-plan", CoursePlanDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
