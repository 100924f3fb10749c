"""Write a grading run: a dated folder with the gradebook, Canvas and Moodle import files and feedback pages.

:func:`write_run` never overwrites: each call creates ``<out_root>/<assignment>/<UTC timestamp>/`` (a suffix
``-2``, ``-3`` … when two runs start in the same second), holding

``gradebook.csv``
    One row per student and question: ``student_id``, ``student_name``, ``question``, ``points``, ``possible``,
    ``total`` (the student's total over all questions), ``late`` (``true``/``false``/empty when unknown),
    ``isolated`` (``true`` only if the notebook ran in the sandbox; ``false`` when it ran unisolated; empty when it
    did not run), ``blind_gold`` (assignment a1 only: ``public`` when the passage coded blind was a kit transcript,
    whose gold coding students can copy; ``private`` when it came from the instructor's blind set,
    :mod:`chaoyang.teaching.blindset`; empty for other assignments), ``error`` (why points are missing, else empty). A student whose submission could not be run
    still gets a row per question, with zero points and the reason.
``canvas_import.csv``
    Canvas's gradebook import format: ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section`` and one
    column named after the assignment with the total. Canvas reads the header as its importer
    (``app/models/gradebook_importer.rb`` in instructure/canvas-lms, checked 2026-12-03) does: ``Student`` and
    ``ID`` first; ``SIS User ID`` is recognised only when ``SIS Login ID`` follows it; ``Section`` must close the
    student columns. It matches a row by ``ID`` (the Canvas user id of a Canvas download), then by SIS ids,
    then by name; ``ID`` is left empty for identifiers that are not Canvas user ids (a plain folder, anonymous
    grading), so Canvas falls back to the name. A new column name creates a new assignment in Canvas: rename
    the header to the Canvas assignment's name (or ``name (id)``) to fill an existing one.
``moodle_import.csv``
    Moodle's assignment "offline grading worksheet" (``mod/assign/feedback/offline/importgradeslib.php`` in
    moodle/moodle, checked 2026-12-03): ``Identifier`` (``Participant <id>``, the id of a Moodle download),
    ``Full name``, ``Grade``, ``Last modified (grade)``. Upload it under the assignment's "Upload grading
    worksheet" (English interface; the headers are Moodle's language strings). Set the assignment's maximum grade
    to the autograded total, or rescale.
``feedback/<student_id>.md`` and ``.html``
    One page per student (:mod:`chaoyang.teaching.feedback`); checked for leaks before anything is written.
``grades.json``, ``run.json``
    Every grade in full (for the instructor, and for merging hand-graded scores into a later run) and the run's
    metadata (time, deadline, counts, how many ran unisolated).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from datetime import datetime, timezone
>>> from chaoyang.teaching.records import QuestionGrade, Submission, SubmissionGrade
>>> grade = SubmissionGrade(Submission("1234", "wangli", Path("wangli_1234_9_a1.ipynb")),
...                         (QuestionGrade("q1", 2.0, 2.0),), run=None)
>>> out = Path(tempfile.mkdtemp())
>>> run = write_run([grade], out, assignment="a1_grounded_coding",
...                 now=datetime(2026, 12, 3, 13, 0, tzinfo=timezone.utc))
>>> run.relative_to(out).as_posix()
'a1_grounded_coding/20261203T130000Z'
>>> sorted(p.name for p in run.iterdir())
['canvas_import.csv', 'feedback', 'gradebook.csv', 'grades.json', 'moodle_import.csv', 'run.json']
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

from chaoyang.errors import ArgumentError, ArgumentTypeError
from chaoyang.teaching import feedback
from chaoyang.teaching.lms import canvas_late
from chaoyang.teaching.records import CheckResult, QuestionGrade, SandboxRun, Submission, SubmissionGrade

__all__ = ["GRADES_DIR", "GRADEBOOK_COLUMNS", "CANVAS_COLUMNS", "MOODLE_COLUMNS", "write_run", "late_flag", "load_run",
           "read_gradebook", "list_runs", "feedback_file_name"]

#: Default root of grading runs and written-answer exports (``_build/grades`` of the repository).
GRADES_DIR = Path(__file__).resolve().parents[3] / "_build" / "grades"

GRADEBOOK_COLUMNS = ("student_id", "student_name", "question", "points", "possible", "total", "late", "isolated",
                     "blind_gold",
                     "error")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = ("Identifier", "Full name", "Grade", "Last modified (grade)")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def late_flag(grade: SubmissionGrade, deadline: datetime | None = None) -> bool | None:
    """Whether a submission was late.

    In order: ``grade.late`` if set; else ``submitted_at > deadline`` when both are known; else Canvas's ``LATE``
    marker for a Canvas file (Canvas compared with its own due date); else ``None`` (unknown).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from chaoyang.teaching.records import Submission, SubmissionGrade
    >>> sub = Submission("w", "", None, submitted_at=datetime(2026, 12, 2, tzinfo=timezone.utc))
    >>> late_flag(SubmissionGrade(sub, (), None), datetime(2026, 12, 1, tzinfo=timezone.utc))
    True
    >>> late_flag(SubmissionGrade(sub, (), None)) is None
    True
    """
    if grade.late is not None:
        return bool(grade.late)
    submitted = grade.submission.submitted_at
    if deadline is not None and submitted is not None:
        return submitted > deadline
    return canvas_late(grade.submission)


def feedback_file_name(student_id: str) -> str:
    """File stem of a student's feedback page: the identifier with anything but letters, digits, ``_.-`` replaced.

    Examples
    --------
    >>> feedback_file_name("Wang Li/../x")
    'Wang_Li_.._x'
    """
    cleaned = re.sub(r"[^\w.\-]+", "_", str(student_id)).strip("._") or "unnamed"
    return cleaned.replace("..", "_..") if cleaned.startswith("..") else cleaned


def _check_time(value, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ArgumentTypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None:
        raise ArgumentError(f"{name}={value!r} has no time zone; give one, e.g. datetime(..., tzinfo=timezone.utc) "
                            "(a naive time would shift the deadline by the grader's offset)")
    return value


def _bool(value) -> str:
    return "" if value is None else ("true" if value else "false")


def _num(value: float) -> str:
    return f"{float(value):g}"


def _questions(grades) -> list[tuple[str, float]]:
    """Every question seen in any grade, in first-seen order, with its possible points."""
    seen: dict[str, float] = {}
    for grade in grades:
        for question in grade.questions:
            seen.setdefault(question.question, float(question.possible))
    return list(seen.items())


def _csv_text(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _default_forbidden(assignment: str) -> set[str]:
    """Hidden-test and solution lines of the assignment's master, when the master is in this checkout."""
    from chaoyang.teaching import assignments

    try:
        master = assignments.get(assignment).master
    except Exception:  # noqa: BLE001 - an unknown or external assignment simply has no master here
        return set()
    return assignments.secret_lines(master) if master.is_file() else set()


def write_run(grades: list[SubmissionGrade], out_root: Path, *, assignment: str, deadline: datetime | None = None,
              now: datetime | None = None, forbidden=(), blind_gold: str | None = None, lang: str = "en") -> Path:
    """Write one dated grading run (gradebook, LMS import files, feedback pages) and return its folder.

    Parameters
    ----------
    grades : list of SubmissionGrade
        One per submission, in any order (rows are sorted by student identifier).
    out_root : pathlib.Path
        Root of all runs, e.g. ``_build/grades``; the run goes to ``out_root/<assignment>/<timestamp>/``.
    assignment : str
        Assignment name (letters, digits, ``_ . -``); also the Canvas column name.
    deadline : datetime, optional
        Timezone-aware; with submission times it sets the late flags (see :func:`late_flag`).
    now : datetime, optional
        Timezone-aware time of the run (default: the current time); names the folder (UTC).
    forbidden : iterable of str
        Strings no feedback page may contain (hidden-test source, expected values), in addition to the hidden-test
        and solution lines of the assignment's master when it is in ``exercises/``.
    blind_gold : {"public", "private"}, optional
        a1: whether the gold coding of the passage coded blind is public in the kit (the ``blind_gold``
        column and ``run.json``); None for other assignments.
    lang : str, default "en"
        Language of the feedback pages (``"zh_CN"``: headings, check messages and hints in Chinese); the
        gradebook and LMS files keep their English column names.

    Returns
    -------
    pathlib.Path
        The new run folder. Earlier runs are never touched.

    Raises
    ------
    chaoyang.teaching.feedback.FeedbackLeakError
        If a feedback page would contain a forbidden string; nothing is written then.
    chaoyang.errors.ArgumentError
        For a malformed assignment name or a time without a time zone.
    """
    if not isinstance(assignment, str) or not _NAME.fullmatch(assignment):
        raise ArgumentError(f"assignment={assignment!r} must be a plain name (letters, digits, _ . -), "
                            "e.g. 'a3_mediation'")
    deadline = _check_time(deadline, "deadline")
    now = _check_time(now, "now") or datetime.now(timezone.utc)
    if blind_gold not in (None, "public", "private"):
        raise ArgumentError(f"blind_gold={blind_gold!r} must be 'public', 'private' or None")
    grades = sorted(grades, key=lambda g: _natural_key(g.submission.student_id))
    for grade in grades:
        if not isinstance(grade, SubmissionGrade):
            raise ArgumentTypeError(f"grades must hold SubmissionGrade records, not {type(grade).__name__}")

    lates = [late_flag(grade, deadline) for grade in grades]
    questions = _questions(grades)
    stems = _unique_stems([g.submission.student_id for g in grades])

    # Render everything first, scan it, and only then create the run folder: a leak writes nothing.
    pages = {}
    for grade, late, stem in zip(grades, lates, stems):
        pages[f"{stem}.md"] = feedback.render_markdown(grade, assignment=assignment, late=late, lang=lang)
        pages[f"{stem}.html"] = feedback.render_html(grade, assignment=assignment, late=late, lang=lang)
    leaks = feedback.scan_for_leaks(pages, set(forbidden) | _default_forbidden(assignment))
    if leaks:
        shown = "; ".join(f"{label}: {text[:60]!r}" for label, text in leaks[:5])
        raise feedback.FeedbackLeakError(f"{len(leaks)} feedback page(s) would reveal hidden-test text or expected "
                                         f"values ({shown}); fix the check messages — nothing was written")

    rows = []
    for grade, late in zip(grades, lates):
        by_name = {q.question: q for q in grade.questions}
        error = feedback.student_error(grade)
        isolated = _bool(grade.run.isolated) if grade.run is not None else ""
        for question, possible in questions or [("", 0.0)]:
            got = by_name.get(question)
            rows.append([grade.submission.student_id, grade.submission.student_name, question,
                         _num(got.points if got else 0.0), _num(got.possible if got else possible),
                         _num(grade.total), _bool(late), isolated, blind_gold or "", error])
    canvas_rows = [[g.submission.student_name or g.submission.student_id,
                    g.submission.student_id if g.submission.student_id.isdigit() else "", "", "", "", _num(g.total)]
                   for g in grades]
    stamp = now.astimezone(timezone.utc)
    moodle_rows = [[f"Participant {g.submission.student_id}", g.submission.student_name, _num(g.total),
                    stamp.strftime("%Y-%m-%d %H:%M:%S UTC")] for g in grades]
    meta = {
        "assignment": assignment,
        "created": stamp.isoformat(),
        "deadline": deadline.isoformat() if deadline else None,
        "submissions": len(grades),
        "questions": {q: p for q, p in questions},
        "possible": float(sum(p for _, p in questions)),
        "not_run": [g.submission.student_id for g in grades if g.run is None],
        "ran_unisolated": [g.submission.student_id for g in grades if g.run is not None and not g.run.isolated],
        "late": [g.submission.student_id for g, late in zip(grades, lates) if late],
        "blind_gold": blind_gold,
        "feedback": {g.submission.student_id: f"feedback/{stem}.html" for g, stem in zip(grades, stems)},
    }

    run = _new_run_folder(Path(out_root) / assignment, stamp)
    (run / "gradebook.csv").write_text(_csv_text(GRADEBOOK_COLUMNS, rows), encoding="utf-8")
    (run / "canvas_import.csv").write_text(_csv_text((*CANVAS_COLUMNS, assignment), canvas_rows), encoding="utf-8")
    (run / "moodle_import.csv").write_text(_csv_text(MOODLE_COLUMNS, moodle_rows), encoding="utf-8")
    (run / "feedback").mkdir()
    for name, text in pages.items():
        (run / "feedback" / name).write_text(text, encoding="utf-8")
    (run / "grades.json").write_text(json.dumps([_grade_to_json(g) for g in grades], indent=1, ensure_ascii=False),
                                     encoding="utf-8")
    (run / "run.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    return run


def _unique_stems(student_ids) -> list[str]:
    stems, used = [], set()
    for student_id in student_ids:
        stem = base = feedback_file_name(student_id)
        number = 2
        while stem.lower() in used:  # case-insensitive file systems (macOS, Windows) would merge Wang and wang
            stem, number = f"{base}-{number}", number + 1
        used.add(stem.lower())
        stems.append(stem)
    return stems


def _new_run_folder(parent: Path, stamp: datetime) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    base = stamp.strftime("%Y%m%dT%H%M%SZ")
    number = 1
    while True:
        candidate = parent / (base if number == 1 else f"{base}-{number}")
        try:
            candidate.mkdir()  # atomic: two runs in the same second cannot both get this name
            return candidate
        except FileExistsError:
            number += 1


def _natural_key(name: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name))]


def list_runs(out_root: Path, assignment: str) -> list[Path]:
    """The run folders of an assignment, oldest first.

    Examples
    --------
    >>> import tempfile
    >>> list_runs(Path(tempfile.mkdtemp()), "a1_grounded_coding")
    []
    """
    folder = Path(out_root) / assignment
    if not folder.is_dir():
        return []
    runs = [p for p in folder.iterdir() if p.is_dir() and (p / "run.json").is_file()]
    return sorted(runs, key=lambda p: _natural_key(p.name))


def read_gradebook(path: Path) -> list[dict]:
    """The rows of a ``gradebook.csv`` (points, possible and total as floats).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "gradebook.csv"
    >>> _ = path.write_text("student_id,student_name,question,points,possible,total,late,isolated,blind_gold,error\\n"
    ...                     "7,Wang,q1,1.5,2,1.5,,,,\\n")
    >>> read_gradebook(path)[0]["points"]
    1.5
    """
    with Path(path).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for key in ("points", "possible", "total"):
            row[key] = float(row[key])
    return rows


# -- grades.json: every grade in full, to rebuild a run (e.g. with hand-graded scores added) -----------------------

def _grade_to_json(grade: SubmissionGrade) -> dict:
    sub, run = grade.submission, grade.run
    return {
        "submission": {"student_id": sub.student_id, "student_name": sub.student_name,
                       "notebook": str(sub.notebook) if sub.notebook is not None else None,
                       "submitted_at": sub.submitted_at.isoformat() if sub.submitted_at else None,
                       "problem": sub.problem},
        "questions": [{"question": q.question, "points": q.points, "possible": q.possible,
                       "checks": [c.__dict__ for c in q.checks]} for q in grade.questions],
        "run": None if run is None else {"answers": run.answers, "error": run.error, "isolated": run.isolated,
                                         "seconds": run.seconds, "log": run.log},
        "error": grade.error,
        "late": grade.late,
    }


def _grade_from_json(data: dict) -> SubmissionGrade:
    sub = data["submission"]
    submission = Submission(sub["student_id"], sub["student_name"],
                            Path(sub["notebook"]) if sub["notebook"] else None,
                            datetime.fromisoformat(sub["submitted_at"]) if sub["submitted_at"] else None,
                            sub["problem"])
    questions = tuple(QuestionGrade(q["question"], q["points"], q["possible"],
                                    tuple(CheckResult(**c) for c in q["checks"])) for q in data["questions"])
    run = SandboxRun(**data["run"]) if data["run"] is not None else None
    return SubmissionGrade(submission, questions, run, data["error"], data["late"])


def load_run(run: Path) -> tuple[list[SubmissionGrade], dict]:
    """The grades and metadata of a run written by :func:`write_run`.

    Returns
    -------
    (list of SubmissionGrade, dict)
        The grades as they were written, and ``run.json``.

    Examples
    --------
    >>> import tempfile
    >>> from chaoyang.teaching.records import QuestionGrade, Submission, SubmissionGrade
    >>> g = SubmissionGrade(Submission("7", "Wang", None), (QuestionGrade("q1", 1.0, 2.0),), None)
    >>> run = write_run([g], Path(tempfile.mkdtemp()), assignment="demo")
    >>> load_run(run)[0] == [g]
    True
    """
    run = Path(run)
    grades = [_grade_from_json(item) for item in json.loads((run / "grades.json").read_text(encoding="utf-8"))]
    return grades, json.loads((run / "run.json").read_text(encoding="utf-8"))
