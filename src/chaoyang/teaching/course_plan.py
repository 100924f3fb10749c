"""The kit's course plans (14-week, 16-week, 6-week, 2-day workshop), read from one YAML file and rendered as MyST.

The plans are written once, in ``book/_data/course_plans.yml``; the book's ``{course-plan}`` directive
(``book/_ext/course_plan.py``) calls :func:`render_myst` for the plan named in its argument, so ``how-to-use`` and
the instructor guide show the same text. :func:`check_plans` lists every page or assignment a plan names that
does not exist.

Examples
--------
>>> plans = load_plans()
>>> [plan.id for plan in plans]
['semester-14', 'semester-16', 'module-6', 'workshop-2-day']
>>> len(plans[0].rows), plans[0].rows[7].due
(14, ('a2_measurement',))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from chaoyang.errors import ChaoyangError, UnknownNameError

__all__ = ["PLANS_FILE", "PlanRow", "CoursePlan", "CoursePlanError", "load_plans", "get_plan", "other_work",
           "render_myst", "check_plans", "due_name", "plan_messages", "plan_in"]

#: Column headings of a plan's table after the unit column (translated through the catalog ``course_plans``).
HEADERS = ("Topic", "Read", "Lab", "Due")

#: The one data file, ``book/_data/course_plans.yml`` of a source checkout.
PLANS_FILE = Path(__file__).resolve().parents[3] / "book" / "_data" / "course_plans.yml"

_ROW_KEYS = {"when", "topic", "read", "read_note", "lab", "due"}


class CoursePlanError(ChaoyangError, ValueError):
    """The course-plan file is malformed; the message names the plan, row and key."""


@dataclass(frozen=True)
class PlanRow:
    """One week (or session) of a plan.

    Attributes
    ----------
    when : str
        ``"1"`` … or ``"Day 1, morning"``.
    topic : str
    read : tuple of str
        Pages as written in ``_toc.yml`` (``"notebooks/03_mediation"``).
    read_note : str
    lab : str
    due : tuple of str
        Assignment folder names of ``exercises/`` or keys of ``other_work``, each with an optional ``(note)``.
    """

    when: str
    topic: str
    read: tuple = ()
    read_note: str = ""
    lab: str = ""
    due: tuple = ()


@dataclass(frozen=True)
class CoursePlan:
    """A course plan: ``id``, ``title``, ``unit`` ("Week" or "Session"), ``intro`` and its rows."""

    id: str
    title: str
    unit: str
    intro: str
    rows: tuple


def _data(path: Path | None) -> dict:
    path = Path(path) if path is not None else PLANS_FILE
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise CoursePlanError(f"no course-plan file at {path} (it lives in the repository's book/_data/)") from None


def load_plans(path: Path | None = None) -> list[CoursePlan]:
    """Every plan of the file, in file order.

    Parameters
    ----------
    path : pathlib.Path, optional
        Default :data:`PLANS_FILE`.

    Returns
    -------
    list of CoursePlan

    Raises
    ------
    CoursePlanError
        For a missing key, an unknown key (a typo would silently drop a column), a duplicate id or a plan
        without rows.
    """
    data = _data(path)
    plans, seen = [], set()
    for number, plan in enumerate(data.get("plans") or [], start=1):
        for key in ("id", "title", "unit", "intro", "rows"):
            if not plan.get(key):
                raise CoursePlanError(f"plan {number} ({plan.get('id', '?')}): missing or empty {key!r}")
        if plan["id"] in seen:
            raise CoursePlanError(f"plan id {plan['id']!r} appears twice")
        seen.add(plan["id"])
        rows = []
        for index, row in enumerate(plan["rows"], start=1):
            unknown = set(row) - _ROW_KEYS
            if unknown or not row.get("when") or not row.get("topic"):
                raise CoursePlanError(f"plan {plan['id']!r} row {index}: needs 'when' and 'topic'"
                                      + (f"; unknown key(s) {sorted(unknown)} (known: {sorted(_ROW_KEYS)})"
                                         if unknown else ""))
            rows.append(PlanRow(str(row["when"]), str(row["topic"]), tuple(row.get("read") or ()),
                                str(row.get("read_note") or ""), str(row.get("lab") or ""),
                                tuple(str(d) for d in row.get("due") or ())))
        plans.append(CoursePlan(plan["id"], str(plan["title"]), str(plan["unit"]), " ".join(str(plan["intro"]).split()),
                                tuple(rows)))
    return plans


def other_work(path: Path | None = None) -> dict[str, str]:
    """Graded work a plan may name besides the assignments in ``exercises/`` (``W1``, ``project``).

    Examples
    --------
    >>> sorted(other_work())
    ['W1', 'project']
    """
    return dict(_data(path).get("other_work") or {})


def get_plan(plan_id: str, path: Path | None = None) -> CoursePlan:
    """The plan with this id.

    Raises
    ------
    chaoyang.errors.UnknownNameError
        If there is none; the message lists the ids.

    Examples
    --------
    >>> get_plan("module-6").title
    'A 6-week module'
    """
    plans = load_plans(path)
    for plan in plans:
        if plan.id == plan_id:
            return plan
    raise UnknownNameError(f"no course plan {plan_id!r}; known: {[p.id for p in plans]}")


def due_name(item: str) -> str:
    """The assignment (or other work) an entry of ``due`` names, without its note.

    Examples
    --------
    >>> due_name("W1 (optional)")
    'W1'
    """
    return item.split("(", 1)[0].strip()


def _cell(text: str) -> str:
    # one list-table cell is one paragraph: one line, no table markup
    return " ".join(str(text).split()).replace("|", "/")


def _due_note(item: str) -> str:
    return item[len(due_name(item)):].strip()


def plan_messages(path: Path | None = None) -> list[tuple[str, str]]:
    """The texts of every plan a translator translates (catalog ``course_plans``), as ``(message, where)``.

    Titles, units, introductions, topics, reading notes, labs, notes of due items, non-numeric ``when`` values
    and the table's headings. Page names and assignment names are not translated.

    Examples
    --------
    >>> plan_messages()[4:6]
    [('A 14-week course (one semester)', 'semester-14: title'), ('Week', 'semester-14: unit')]
    """
    out = [(heading, "table heading") for heading in HEADERS]
    for plan in load_plans(path):
        out += [(plan.title, f"{plan.id}: title"), (plan.unit, f"{plan.id}: unit"), (plan.intro, f"{plan.id}: intro")]
        for row in plan.rows:
            where = f"{plan.id} {row.when}"
            if not row.when.isdigit():
                out.append((row.when, f"{plan.id}: when"))
            out += [(text, f"{where}: {key}") for key, text in
                    (("topic", row.topic), ("read_note", row.read_note), ("lab", row.lab)) if text]
            out += [(_due_note(d), f"{where}: due note") for d in row.due if _due_note(d)]
    return out


def plan_in(plan: CoursePlan, lang: str = "en") -> CoursePlan:
    """The plan with its texts in ``lang`` (from the catalog ``course_plans``; untranslated texts stay English).

    Examples
    --------
    >>> plan_in(get_plan("module-6"), "en") == get_plan("module-6")
    True
    """
    from dataclasses import replace

    from chaoyang.teaching.catalogs import translator

    t = translator("course_plans", lang)
    rows = tuple(replace(row, when=row.when if row.when.isdigit() else t(row.when), topic=t(row.topic),
                         read_note=t(row.read_note) if row.read_note else "", lab=t(row.lab) if row.lab else "",
                         due=tuple(f"{due_name(d)} {t(_due_note(d))}" if _due_note(d) else d for d in row.due))
                 for row in plan.rows)
    return replace(plan, title=t(plan.title), unit=t(plan.unit), intro=t(plan.intro), rows=rows)


def render_myst(plan: CoursePlan, lang: str = "en") -> list[str]:
    """The plan as MyST lines: its introduction, then a list-table with page links Sphinx checks.

    Pages become ``{doc}`` links (absolute, so the same text works on any page); assignments are set in code type.
    ``lang`` translates the table's headings; translate the plan itself with :func:`plan_in`.

    Examples
    --------
    >>> lines = render_myst(get_plan("workshop-2-day"))
    >>> lines[2:4]
    ['```{list-table}', ':header-rows: 1']
    >>> "{doc}`/notebooks/03_mediation`" in "\\n".join(lines)
    True
    """
    from chaoyang.teaching.catalogs import translator

    t = translator("course_plans", lang)
    lines = [_cell(plan.intro), "", "```{list-table}", ":header-rows: 1", ":widths: 12 30 30 16 12", "",
             f"* - {_cell(plan.unit)}"] + [f"  - {t(heading)}" for heading in HEADERS]
    for row in plan.rows:
        read = ", ".join(f"{{doc}}`/{page}`" for page in row.read)
        if row.read_note:
            read = f"{read} ({_cell(row.read_note)})" if read else _cell(row.read_note)
        due = ", ".join(f"`{due_name(d)}`" + (f" {_cell(_due_note(d))}" if _due_note(d) else "")
                        for d in row.due)
        lines += [f"* - {_cell(row.when)}", f"  - {_cell(row.topic)}", f"  - {read or '—'}",
                  f"  - {_cell(row.lab) or '—'}", f"  - {due or '—'}"]
    lines += ["```", ""]
    return lines


def check_plans(toc_files: set[str], assignment_names: set[str], path: Path | None = None) -> list[str]:
    """Everything a plan names that does not exist: pages not in the table of contents, unknown assignments.

    Parameters
    ----------
    toc_files : set of str
        The ``file`` entries of ``_toc.yml``.
    assignment_names : set of str
        Folder names of ``exercises/``.

    Returns
    -------
    list of str
        One message per problem; empty when every name exists.

    Examples
    --------
    >>> check_plans({"book/preface"}, set())[:1]
    ["semester-14 week 1: page 'book/theory/mass-prevention' is not in _toc.yml"]
    """
    problems = []
    extra = set(other_work(path))
    for plan in load_plans(path):
        for row in plan.rows:
            where = f"{plan.id} {plan.unit.lower()} {row.when}"
            problems += [f"{where}: page {page!r} is not in _toc.yml" for page in row.read if page not in toc_files]
            problems += [f"{where}: {due_name(d)!r} is neither an assignment in exercises/ nor one of {sorted(extra)}"
                         for d in row.due if due_name(d) not in assignment_names | extra]
    return problems
