"""One course plan (issue #14, item 8): one data file, rendered in how-to-use and the instructor guide.

``book/_data/course_plans.yml`` holds the 14-week, 16-week, 6-week and 2-day plans; the ``{course-plan}``
directive renders them. These tests check that every page and assignment a plan names exists, that both pages
show every plan under the same heading and no hand-written plan table is left, and — on the built site — that the
two pages carry the same plan text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from chaoyang.teaching import assignments, course_plan
from chaoyang.teaching.course_plan import CoursePlanError, check_plans, load_plans, render_myst

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"how-to-use": ROOT / "book" / "how-to-use.md",
         "instructor-guide": ROOT / "book" / "appendix" / "instructor-guide.md"}
DIRECTIVE = re.compile(r"^(#{2,4}) (.+)\n\n```\{course-plan\} (\S+)\n```", re.M)


def toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return {chapter["file"] for part in toc["parts"] for chapter in part["chapters"]}


def test_the_four_plans_are_there():
    plans = {plan.id: plan for plan in load_plans()}
    assert set(plans) == {"semester-14", "semester-16", "module-6", "workshop-2-day"}
    assert [len(plans[p].rows) for p in ("semester-14", "semester-16", "module-6")] == [14, 16, 6]
    assert [row.when for row in plans["semester-16"].rows] == [str(n) for n in range(1, 17)]
    assert [row.when for row in plans["workshop-2-day"].rows] == [
        "Day 1, morning", "Day 1, afternoon", "Day 2, morning", "Day 2, afternoon"]


def test_every_page_and_assignment_named_exists():
    names = {a.name for a in assignments.discover()}
    assert check_plans(toc_files(), names) == []
    # the check can fail: without the notebooks in the toc and without a3, it names both
    toc = {f for f in toc_files() if not f.startswith("notebooks/")}
    problems = check_plans(toc, names - {"a3_mediation"})
    assert "semester-14 week 7: page 'notebooks/02_measurement' is not in _toc.yml" in problems
    assert any("'a3_mediation' is neither an assignment" in p for p in problems)


def test_each_semester_plan_sets_every_assignment_once():
    names = {a.name for a in assignments.discover()}
    for plan in load_plans():
        if plan.id.startswith("semester"):
            due = [course_plan.due_name(d) for row in plan.rows for d in row.due]
            assert sorted(d for d in due if d in names) == sorted(names), plan.id
        # every Part II notebook of the table of contents is read in the semester plans
        if plan.id.startswith("semester"):
            read = {page for row in plan.rows for page in row.read}
            assert {f for f in toc_files() if f.startswith("notebooks/")} <= read, plan.id


def test_both_pages_render_every_plan_under_the_same_heading():
    plans = load_plans()
    expected = [(plan.title, plan.id) for plan in plans]
    for name, path in PAGES.items():
        found = [(title, plan_id) for _, title, plan_id in DIRECTIVE.findall(path.read_text(encoding="utf-8"))]
        assert found == expected, name


def test_no_hand_written_plan_is_left():
    for name, path in PAGES.items():
        text = path.read_text(encoding="utf-8")
        header_rows = [line for line in text.splitlines()
                       if re.match(r"\|\s*(week|session|day)\s*\|", line, re.IGNORECASE)]
        assert header_rows == [], f"{name} still has a hand-written plan table: {header_rows}"


def test_the_guides_w1_due_dates_agree_with_the_plans():
    """The written assignment's suggested due dates, stated in prose in the guide, are the plans' own."""
    plans = {plan.id: plan for plan in load_plans()}
    w1 = {pid: [row.when for row in plans[pid].rows if any(course_plan.due_name(d) == "W1" for d in row.due)]
          for pid in ("semester-14", "semester-16", "module-6")}
    assert w1 == {"semester-14": ["13"], "semester-16": ["14"], "module-6": ["6"]}
    text = " ".join(PAGES["instructor-guide"].read_text(encoding="utf-8").split())
    assert ("week 13 of the 14-week course (week 14 of the 16-week course), or week 6 of the module" in text)


def test_rendered_myst_links_every_page_and_names_every_assignment():
    for plan in load_plans():
        text = "\n".join(render_myst(plan))
        for row in plan.rows:
            for page in row.read:
                assert f"{{doc}}`/{page}`" in text
            for due in row.due:
                assert f"`{course_plan.due_name(due)}`" in text
        assert text.count("\n* - ") == len(plan.rows) + 1  # header + one row per week or session


def test_malformed_plan_files_are_clear_errors(tmp_path):
    bad = tmp_path / "plans.yml"
    bad.write_text("plans:\n  - id: x\n    title: X\n    unit: Week\n    intro: i\n    rows:\n"
                   "      - when: 1\n        topic: t\n        reed: [book/preface]\n", encoding="utf-8")
    with pytest.raises(CoursePlanError, match=r"row 1: .*unknown key\(s\) \['reed'\]"):
        load_plans(bad)
    bad.write_text("plans:\n  - id: x\n    title: X\n    unit: Week\n    intro: i\n", encoding="utf-8")
    with pytest.raises(CoursePlanError, match="missing or empty 'rows'"):
        load_plans(bad)


def _plan_text(page: Path) -> list[str]:
    """The text of every rendered course-plan container of a built page, tags removed, whitespace collapsed."""
    source = page.read_text(encoding="utf-8")
    blocks = re.findall(r'<div class="course-plan docutils container" id="course-plan-[^"]+">(.*?)</table>',
                        source, flags=re.S)
    # Sphinx's smart quotes turn ' into a typographic apostrophe: compare with the data's plain one
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", block)).replace("\u2019", "'").split()) for block in blocks]


@pytest.mark.slow
@pytest.mark.xdist_group("book")
def test_the_built_pages_show_the_same_plans(built_book):
    how_to_use = _plan_text(built_book / "book" / "how-to-use.html")
    guide = _plan_text(built_book / "book" / "appendix" / "instructor-guide.html")
    assert len(how_to_use) == len(load_plans()) == 4
    assert how_to_use == guide
    # the rendered text is the data's: each plan's introduction and every topic are in it
    for text, plan in zip(how_to_use, load_plans()):
        assert plan.intro in text
        assert all(" ".join(row.topic.split()) in text for row in plan.rows)
