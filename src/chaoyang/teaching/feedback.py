"""Feedback pages students can read: points per question, public check messages, hidden checks as pass/fail + hint.

One page per student, in Markdown (for an LMS comment box) and in HTML (one self-contained file: inline style,
no script, nothing loaded from elsewhere). What a page shows, and what it never shows:

- the student's name and identifier, the total, points per question, a late flag and the reason a submission
  could not be graded or got no points (``SubmissionGrade.error``, ``Submission.problem``, ``SandboxRun.error``);
- for every **public** check: its name, passed/failed, points and its message;
- for every **hidden** check: only "hidden check N", passed/failed and, when it failed, the instructor-written
  hint (``CheckResult.message``). Never the hidden check's name, its points, its source or an expected value;
- never the sandbox log (``SandboxRun.log`` is for the instructor only) nor the exported answers.

Every piece of text is escaped (HTML entities in both formats, table pipes in Markdown), so a student who
puts ``<script>`` into an answer or a name cannot make the page run anything.

:func:`scan_for_leaks` looks for forbidden strings (hidden-test source lines, expected values) in rendered
pages after normalising them (tags removed, entities decoded, whitespace collapsed);
:func:`chaoyang.teaching.gradebook.write_run` calls it before writing anything.

Examples
--------
>>> from pathlib import Path
>>> from chaoyang.teaching.records import CheckResult, QuestionGrade, Submission, SubmissionGrade
>>> hidden = CheckResult("q1 hidden: alpha", True, False, 0.0, 2.0, "Reverse-score BEL4 first.")
>>> grade = SubmissionGrade(Submission("1234", "Wang Li", Path("wang.ipynb")),
...                         (QuestionGrade("q1", 0.0, 2.0, (hidden,)),), run=None)
>>> page = render_markdown(grade, assignment="a2_measurement")
>>> "Reverse-score BEL4 first." in page, "alpha" in page
(True, False)
"""

from __future__ import annotations

import html
import re

from chaoyang.errors import ChaoyangError
from chaoyang.teaching.catalogs import N_, translator
from chaoyang.teaching.records import SubmissionGrade

__all__ = ["render_markdown", "render_html", "scan_for_leaks", "student_error", "FeedbackLeakError"]


class FeedbackLeakError(ChaoyangError, RuntimeError):
    """A feedback page contains a forbidden string (hidden-test source or an expected value); nothing was written."""


def student_error(grade: SubmissionGrade) -> str:
    """The reason shown to the student for missing points ("" when none).

    Joins, without repeats, ``Submission.problem``, ``SubmissionGrade.error`` and ``SandboxRun.error``.

    Examples
    --------
    >>> from chaoyang.teaching.records import Submission, SubmissionGrade
    >>> student_error(SubmissionGrade(Submission("x", "", None, problem="no notebook"), (), None))
    'no notebook'
    """
    reasons = [grade.submission.problem, grade.error, grade.run.error if grade.run is not None else ""]
    seen: list[str] = []
    for reason in reasons:
        if reason and reason not in seen:
            seen.append(reason)
    return "; ".join(seen)


def _possible(grade: SubmissionGrade) -> float:
    return float(sum(q.possible for q in grade.questions))


def _num(value: float) -> str:
    return f"{float(value):g}"


def _md(text) -> str:
    """Text safe in a Markdown table cell or paragraph: HTML-escaped, pipes escaped, on one line."""
    escaped = html.escape(" ".join(str(text).split()), quote=True)
    escaped = escaped.replace("|", "\\|")
    # Markdown emphasis, code and link syntax from a student's text must not become markup either
    return re.sub(r"([\\`*_\[\]])", r"\\\1", escaped.replace("\\|", "\x00")).replace("\x00", "\\|")


def _late_text(late, t) -> str:
    return t({True: N_("yes"), False: N_("no")}.get(late, N_("unknown (no deadline or no submission time)")))


def _label(name: str, t) -> str:
    """A public check's label ``"q1 public: columns"`` in the page's language (question name kept)."""
    question, sep, check = name.partition(" public: ")
    return t(N_("{question} public: {check}")).format(question=question, check=t(check)) if sep else t(name)


def _rows(grade: SubmissionGrade, t):
    """(question, points, possible, [(label, status class, status, points text, message)]) per question, hidden
    checks masked; texts through ``t`` (the page's translator), status classes English for the style sheet."""
    for question in grade.questions:
        checks = []
        hidden_number = 0
        for check in question.checks:
            status = "passed" if check.passed else "failed"
            shown = t(N_("passed")) if check.passed else t(N_("failed"))
            if check.hidden:
                hidden_number += 1
                hint = "" if check.passed else t(check.message)
                checks.append((t(N_("hidden check {n}")).format(n=hidden_number), status, shown, "", hint))
            else:
                checks.append((_label(check.name, t), status, shown, f"{_num(check.points)} / {_num(check.possible)}",
                               t(check.message)))
        yield question.question, question.points, question.possible, checks


def render_markdown(grade: SubmissionGrade, *, assignment: str, late: bool | None = None, lang: str = "en") -> str:
    """The student's feedback page as Markdown.

    Parameters
    ----------
    grade : SubmissionGrade
    assignment : str
        Assignment name, shown in the title.
    late : bool or None
        The late flag to show (``write_run`` passes the one it computed); default ``grade.late``.
    lang : str
        Language of the page (``"en"`` or ``"zh_CN"``): headings, check messages and hints from the catalog
        ``teaching`` (:mod:`chaoyang.teaching.messages`).

    Returns
    -------
    str

    Examples
    --------
    >>> from chaoyang.teaching.records import CheckResult, QuestionGrade, Submission, SubmissionGrade
    >>> check = CheckResult("q1 public 1", False, True, 1.0, 1.0, "<b>ok</b>")
    >>> grade = SubmissionGrade(Submission("7", "Zhao | Min", None), (QuestionGrade("q1", 1.0, 1.0, (check,)),), None)
    >>> text = render_markdown(grade, assignment="a1")
    >>> "Zhao \\\\| Min" in text, "&lt;b&gt;ok&lt;/b&gt;" in text
    (True, True)
    """
    t = translator("teaching", lang)
    late = grade.late if late is None else late
    name = grade.submission.student_name or grade.submission.student_id
    lines = [f"# {_md(t(N_('Feedback: {assignment}')).format(assignment=assignment))}", "",
             f"**{t(N_('Student:'))}** {_md(name)} "
             f"({_md(t(N_('identifier {student_id}')).format(student_id=grade.submission.student_id))})  ",
             f"**{t(N_('Total:'))}** "
             f"{t(N_('{points} / {possible} autograded points')).format(points=_num(grade.total), possible=_num(_possible(grade)))}  ",
             f"**{t(N_('Late:'))}** {_late_text(late, t)}"]
    reason = student_error(grade)
    if reason:
        lines += ["", f"**{t(N_('Why points are missing:'))}** {_md(t(reason))}"]
    heads = [t(N_("question")), t(N_("points")), t(N_("possible"))]
    lines += ["", f"| {' | '.join(heads)} |", "|---|---|---|"]
    lines += [f"| {_md(q)} | {_num(p)} | {_num(pp)} |" for q, p, pp, _ in _rows(grade, t)]
    for question, points, possible, checks in _rows(grade, t):
        if not checks:
            continue
        heads = [t(N_("check")), t(N_("result")), t(N_("points")), t(N_("message"))]
        lines += ["", f"## {_md(question)}: {_num(points)} / {_num(possible)}", "",
                  f"| {' | '.join(heads)} |", "|---|---|---|---|"]
        lines += [f"| {_md(label)} | {shown} | {pts} | {_md(message)} |" for label, _, shown, pts, message in checks]
    lines += ["", t(_NOTE_HIDDEN), t(_NOTE_WRITTEN), ""]
    return "\n".join(lines)


_NOTE_HIDDEN = N_("Hidden checks show only whether they passed and, when one failed, a hint from your instructor.")
_NOTE_WRITTEN = N_("Written (rubric) questions are graded by hand and appear once your instructor has graded them.")

_STYLE = """body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:46rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#1a1a1a}table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}
.passed{color:#05602a}.failed{color:#8a1010}.note{color:#444;font-size:.95em}"""


def render_html(grade: SubmissionGrade, *, assignment: str, late: bool | None = None, lang: str = "en") -> str:
    """The student's feedback page as one self-contained HTML file (inline style, no script, no external file).

    Parameters
    ----------
    grade : SubmissionGrade
    assignment : str
    late : bool or None
        As in :func:`render_markdown`.
    lang : str
        As in :func:`render_markdown`; also the page's ``lang`` attribute (``zh-CN``).

    Returns
    -------
    str

    Examples
    --------
    >>> from chaoyang.teaching.records import Submission, SubmissionGrade
    >>> page = render_html(SubmissionGrade(Submission("7", "<script>x</script>", None), (), None), assignment="a1")
    >>> "<script>" in page, "&lt;script&gt;" in page
    (False, True)
    """
    from chaoyang.teaching.catalogs import check_language

    t = translator("teaching", lang)
    late = grade.late if late is None else late
    e = lambda text: html.escape(str(text), quote=True)  # noqa: E731 - short local alias
    name = grade.submission.student_name or grade.submission.student_id
    title = t(N_("Feedback: {assignment}")).format(assignment=assignment)
    total = t(N_("{points} / {possible} autograded points")).format(points=_num(grade.total),
                                                                    possible=_num(_possible(grade)))
    ident = t(N_("identifier {student_id}")).format(student_id=grade.submission.student_id)
    parts = ["<!DOCTYPE html>", f'<html lang="{check_language(lang).replace("_", "-")}">', "<head>",
             '<meta charset="utf-8">', f"<title>{e(title)} — {e(name)}</title>", f"<style>{_STYLE}</style>", "</head>",
             "<body>", f"<h1>{e(title)}</h1>",
             f"<p><strong>{e(t(N_('Student:')))}</strong> {e(name)} ({e(ident)})<br>",
             f"<strong>{e(t(N_('Total:')))}</strong> {e(total)}<br>",
             f"<strong>{e(t(N_('Late:')))}</strong> {e(_late_text(late, t))}</p>"]
    reason = student_error(grade)
    if reason:
        parts.append(f"<p><strong>{e(t(N_('Why points are missing:')))}</strong> {e(t(reason))}</p>")
    heads = "".join(f'<th scope="col">{e(t(h))}</th>' for h in (N_("question"), N_("points"), N_("possible")))
    parts += ["<table>", f"<caption>{e(t(N_('Points per question')))}</caption>", f"<tr>{heads}</tr>"]
    parts += [f"<tr><td>{e(q)}</td><td>{_num(p)}</td><td>{_num(pp)}</td></tr>" for q, p, pp, _ in _rows(grade, t)]
    parts.append("</table>")
    heads = "".join(f'<th scope="col">{e(t(h))}</th>'
                    for h in (N_("check"), N_("result"), N_("points"), N_("message")))
    for question, points, possible, checks in _rows(grade, t):
        if not checks:
            continue
        parts += [f"<h2>{e(question)}: {_num(points)} / {_num(possible)}</h2>", "<table>", f"<tr>{heads}</tr>"]
        parts += [f'<tr><td>{e(label)}</td><td class="{status}">{e(shown)}</td><td>{e(pts)}</td><td>{e(message)}</td></tr>'
                  for label, status, shown, pts, message in checks]
        parts.append("</table>")
    parts += [f'<p class="note">{e(t(_NOTE_HIDDEN))} {e(t(_NOTE_WRITTEN))}</p>', "</body>", "</html>", ""]
    return "\n".join(parts)


def _normalise(text: str) -> str:
    """Tags removed, entities decoded, Markdown escapes undone, whitespace collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\\([\\`*_\[\]|])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def scan_for_leaks(pages, forbidden_strings, *, min_length: int = 4) -> list[tuple[str, str]]:
    """Where any forbidden string occurs in rendered pages.

    Parameters
    ----------
    pages : dict of str -> str, or iterable of (label, text)
        Rendered pages (Markdown or HTML) by label (e.g. file name).
    forbidden_strings : iterable of str
        Hidden-test source lines, expected values, solution lines … Compared after the same normalisation
        as the pages (tags, entities, Markdown escapes and whitespace), so escaping cannot hide a leak.
    min_length : int
        Forbidden strings shorter than this (after normalisation) are ignored: ``"1"`` or ``"q1"`` occur in
        every page and mean nothing.

    Returns
    -------
    list of (label, forbidden string)
        Empty when nothing leaks.

    Examples
    --------
    >>> scan_for_leaks({"a.html": "<td>expected 0.731</td>"}, ["0.731", "assert abs(x - 2) < 1"])
    [('a.html', '0.731')]
    """
    items = pages.items() if isinstance(pages, dict) else pages
    needles = []
    for raw in forbidden_strings:
        needle = _normalise(str(raw))
        if len(needle) >= min_length:
            needles.append((str(raw), needle))
    leaks = []
    for label, text in items:
        flat = _normalise(text)
        for raw, needle in needles:
            if needle in flat:
                leaks.append((label, raw))
    return leaks


def main(argv: list[str] | None = None) -> int:
    """Command line (what ``make feedback`` calls): list a run's feedback pages after scanning them for leaks.

    ``python -m chaoyang.teaching.feedback ASSIGNMENT [--run RUN] [--out DIR]`` scans every page of the run (by
    default the assignment's latest) for the hidden-test and solution lines of the assignment's master, prints
    where the pages are, and exits with status 1 if any page leaks.
    """
    import argparse
    import sys
    from pathlib import Path

    from chaoyang.teaching import assignments
    from chaoyang.teaching.gradebook import GRADES_DIR, list_runs

    parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching.feedback",
                                     description="Check a grading run's feedback pages and say where they are.")
    parser.add_argument("assignment")
    parser.add_argument("--run", type=Path, default=None, help="run folder (default: the latest)")
    parser.add_argument("--out", type=Path, default=GRADES_DIR, help=f"root of runs (default {GRADES_DIR})")
    args = parser.parse_args(argv)
    run = args.run
    if run is None:
        runs = list_runs(args.out, args.assignment)
        if not runs:
            print(f"error: no grading run of {args.assignment} in {args.out}; run `make grade` first", file=sys.stderr)
            return 2
        run = runs[-1]
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted((Path(run) / "feedback").glob("*.*"))}
    try:
        forbidden = assignments.secret_lines(assignments.get(args.assignment).master)
    except Exception:  # noqa: BLE001 - an assignment without a master here: nothing to compare with
        forbidden = set()
    leaks = scan_for_leaks(pages, forbidden)
    for label, text in leaks:
        print(f"LEAK {label}: {text}", file=sys.stderr)
    print(f"{len(pages) // 2} students' feedback pages (Markdown and HTML) in {Path(run) / 'feedback'}; "
          f"{len(leaks)} leaks of the master's {len(forbidden)} hidden-test and solution lines")
    return 1 if leaks else 0


if __name__ == "__main__":
    raise SystemExit(main())
