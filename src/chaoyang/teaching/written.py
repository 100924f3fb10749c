"""Written answers: export them for blind hand grading, one document per question, and merge the scores back.

The assignments' written questions are otter-grader *manual* questions: in a master notebook a raw cell
``# BEGIN QUESTION`` with ``manual: true`` and ``points: N``, the prompt in the next Markdown cell and the model
answer (with its rubric) in a ``# BEGIN SOLUTION`` block. ``otter assign`` turns each into a prompt cell that
starts with ``<!-- BEGIN QUESTION -->`` followed by answer cells (tagged ``otter_answer_cell``) up to a cell that
starts with ``<!-- END QUESTION -->``. :func:`extract_answers` reads a submitted notebook the same way (and, if a
student deleted the markers, falls back to the tagged Markdown answer cells in order).

:func:`export_written` writes ``<out_root>/<assignment>/written/<UTC timestamp>/``:

``for_graders/<question>.html``
    One self-contained page per written question: the prompt, the rubric and model answer from the master, and
    every student's answer under a pseudonym, in pseudonym order (not name order). Everything a student wrote is
    escaped: it is shown as text, never as markup.
``for_graders/rubric_scores.csv``
    The score sheet: ``pseudonym``, ``question``, ``points`` (empty, to fill in), ``possible``, ``comment``.
``key/pseudonyms.csv``
    Pseudonym -> student identifier and name. Hand graders get ``for_graders/`` only.

Pseudonyms are stable: ``P-`` and eight characters of an HMAC-SHA256 of the assignment and student identifier under
a key — the course secret if given, else a random key created once in ``<out_root>/<assignment>/written/
pseudonym.key`` — so a re-export (late submissions) keeps every earlier pseudonym.

:func:`merge_rubric_scores` reads the filled sheet (:func:`read_rubric_scores`), adds the written questions to the
grades of an autograded run and writes a **new** dated run with :func:`chaoyang.teaching.gradebook.write_run`.

Examples
--------
>>> [(q.name, q.points) for q in manual_questions("a3_mediation")]
[('q5', 3.0), ('q6', 2.0)]
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import html
import io
import json
import os
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import yaml

from chaoyang.errors import ArgumentError, ChaoyangError
from chaoyang.teaching.records import CheckResult, QuestionGrade, Submission

__all__ = ["WrittenQuestion", "WrittenError", "manual_questions", "extract_answers", "pseudonym", "export_written",
           "read_rubric_scores", "merge_rubric_scores", "PLACEHOLDER"]

#: What otter assign puts in a written answer cell; an answer still equal to it is empty.
PLACEHOLDER = "_Type your answer here, replacing this text._"
_MARKER = re.compile(r"<!--\s*(BEGIN|END)\s+QUESTION\s*-->")


class WrittenError(ChaoyangError, ValueError):
    """A written-answer export or score sheet cannot be used; the message names the file, row or question."""


@dataclass(frozen=True)
class WrittenQuestion:
    """One written (manual) question of a master notebook.

    Attributes
    ----------
    name : str
        ``"q5"``.
    points : float
    prompt : str
        The question's Markdown text.
    rubric : str
        The master's solution block for it (model answer and rubric); for graders only.
    """

    name: str
    points: float
    prompt: str
    rubric: str = ""


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def manual_questions(assignment) -> list[WrittenQuestion]:
    """The written questions of an assignment, in notebook order.

    Parameters
    ----------
    assignment : str or pathlib.Path
        An assignment name in ``exercises/`` or the path of an otter master notebook.

    Returns
    -------
    list of WrittenQuestion

    Examples
    --------
    >>> [q.name for q in manual_questions("a2_measurement")]
    ['q6', 'q7']
    """
    if isinstance(assignment, Path) or str(assignment).endswith(".ipynb"):
        master = Path(assignment)
    else:
        from chaoyang.teaching import assignments

        master = assignments.get(str(assignment)).master
    cells = json.loads(master.read_text(encoding="utf-8"))["cells"]
    questions, current, in_solution = [], None, False
    for cell in cells:
        text = _source(cell)
        head = text.strip().split("\n", 1)[0].strip().upper()
        if cell["cell_type"] == "raw" and head.startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(text.strip().split("\n", 1)[1]) if "\n" in text.strip() else {}
            current = None
            if config and config.get("manual"):
                current = {"name": str(config["name"]), "points": float(config.get("points", 0)), "prompt": [],
                           "rubric": []}
                questions.append(current)
            continue
        if cell["cell_type"] == "raw" and head.startswith("# END QUESTION"):
            current = None
            continue
        if cell["cell_type"] == "raw" and head.startswith("# BEGIN SOLUTION"):
            in_solution = True
            continue
        if cell["cell_type"] == "raw" and head.startswith("# END SOLUTION"):
            in_solution = False
            continue
        if current is not None and cell["cell_type"] == "markdown":
            current["rubric" if in_solution else "prompt"].append(text.strip())
    return [WrittenQuestion(q["name"], q["points"], "\n\n".join(q["prompt"]), "\n\n".join(q["rubric"]))
            for q in questions]


def extract_answers(notebook: Path, questions: list[WrittenQuestion]) -> dict[str, str]:
    """A student's written answers, by question name ("" for an empty or untouched answer).

    Parameters
    ----------
    notebook : pathlib.Path
        A submitted student notebook (read only).
    questions : list of WrittenQuestion
        The assignment's written questions (:func:`manual_questions`), matched to the notebook's written-question
        blocks in order.

    Returns
    -------
    dict of str -> str

    Raises
    ------
    WrittenError
        If the notebook cannot be read or its written answers cannot be matched to the questions (markers and
        answer tags both removed); the message says which.

    Examples
    --------
    >>> import json, tempfile
    >>> cells = [{"cell_type": "markdown", "metadata": {}, "source": "<!-- BEGIN QUESTION -->\\n\\n**Q5.** Why?"},
    ...          {"cell_type": "markdown", "metadata": {"tags": ["otter_answer_cell"]}, "source": "Because."},
    ...          {"cell_type": "markdown", "metadata": {}, "source": "<!-- END QUESTION -->"}]
    >>> path = Path(tempfile.mkdtemp()) / "s.ipynb"
    >>> _ = path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    >>> extract_answers(path, [WrittenQuestion("q5", 3.0, "Why?")])
    {'q5': 'Because.'}
    """
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise WrittenError(f"cannot read the notebook {notebook}: {error}") from None
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for cell in cells:
        text = _source(cell)
        if cell.get("cell_type") == "markdown" and _MARKER.search(text):
            # a cell may end one block and begin the next (otter joins them): walk its markers in order;
            # text right after BEGIN is the prompt, text before END belongs to the answer
            position = 0
            for match in _MARKER.finditer(text):
                before = text[position:match.start()].strip()
                if current is not None and before and match.group(1) == "END":
                    current.append(before)
                if match.group(1) == "BEGIN":
                    current = []
                elif current is not None:
                    blocks.append(current)
                    current = None
                position = match.end()
            continue
        if current is not None:
            if cell.get("cell_type") == "code":
                current.append("[code cell]\n" + text)
            else:
                current.append(text)
    if current is not None:  # the student deleted the last END marker
        blocks.append(current)
    if len(blocks) != len(questions):
        tagged = [_source(c) for c in cells if c.get("cell_type") == "markdown"
                  and "otter_answer_cell" in (c.get("metadata", {}).get("tags") or [])]
        if len(tagged) != len(questions):
            raise WrittenError(f"{notebook}: found {len(blocks)} written-answer blocks and {len(tagged)} tagged "
                               f"answer cells for {len(questions)} written questions; grade this notebook by hand")
        blocks = [[text] for text in tagged]
    answers = {}
    for question, parts in zip(questions, blocks):
        text = "\n\n".join(p.strip() for p in parts if p.strip() and p.strip() != PLACEHOLDER)
        answers[question.name] = text
    return answers


def pseudonym(student_id: str, *, assignment: str, key: bytes) -> str:
    """A stable pseudonym: ``P-`` and eight base-32 characters of HMAC-SHA256(key, assignment, student id).

    Examples
    --------
    >>> pseudonym("1234", assignment="a3_mediation", key=b"k") == pseudonym("1234", assignment="a3_mediation", key=b"k")
    True
    >>> pseudonym("1234", assignment="a3_mediation", key=b"k").startswith("P-")
    True
    """
    import base64

    digest = hmac.new(key, f"{assignment}\0{student_id}".encode("utf-8"), hashlib.sha256).digest()
    return "P-" + base64.b32encode(digest).decode("ascii")[:8]


def _pseudonym_key(folder: Path, secret: bytes | None) -> bytes:
    if secret is not None:
        if not isinstance(secret, (bytes, bytearray)) or not secret:
            raise ArgumentError("secret must be non-empty bytes (the course secret), or None")
        return bytes(secret)
    path = folder / "pseudonym.key"
    if path.is_file():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


_STYLE = """body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:50rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#1a1a1a}.text{white-space:pre-wrap;border-left:3px solid #888;padding:.25rem .75rem;
margin:.5rem 0}.rubric{background:#f3f3f3}section{border-top:1px solid #bbb;margin-top:1.5rem}.empty{color:#8a1010}"""


def _question_page(assignment: str, question: WrittenQuestion, answers: list[tuple[str, str]]) -> str:
    e = lambda text: html.escape(str(text), quote=True)  # noqa: E731 - short local alias
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{e(assignment)} {e(question.name)}: written answers (anonymised)</title>",
             f"<style>{_STYLE}</style>", "</head>", "<body>",
             f"<h1>{e(assignment)}, {e(question.name)} ({question.points:g} points): written answers</h1>",
             f"<p>{len(answers)} answers, each under a pseudonym; record scores in <code>rubric_scores.csv</code>.</p>",
             "<h2>Prompt</h2>", f'<div class="text">{e(question.prompt)}</div>']
    if question.rubric:
        parts += ["<h2>Rubric and model answer (from the master notebook; not for students)</h2>",
                  f'<div class="text rubric">{e(question.rubric)}</div>']
    for name, text in answers:
        parts += [f'<section id="{e(name)}">', f"<h2>{e(name)}</h2>",
                  f'<div class="text">{e(text)}</div>' if text else '<p class="empty">(no answer)</p>',
                  f"<p>Score: ____ / {question.points:g}</p>", "</section>"]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _csv_text(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def export_written(submissions: list[Submission], out_root: Path, *, assignment: str,
                   questions: list[WrittenQuestion] | None = None, secret: bytes | None = None,
                   now: datetime | None = None) -> Path:
    """Export every student's written answers, one anonymised HTML document per question.

    Parameters
    ----------
    submissions : list of Submission
        From :func:`chaoyang.teaching.lms.read_submissions`; those with a ``problem`` (no notebook …) are skipped
        and listed in ``key/skipped.csv``.
    out_root : pathlib.Path
        E.g. ``_build/grades``; the export goes to ``out_root/<assignment>/written/<UTC timestamp>/``.
    assignment : str
        Assignment name (its master in ``exercises/`` gives the questions unless ``questions`` is given).
    questions : list of WrittenQuestion, optional
    secret : bytes, optional
        Key for the pseudonyms (the course secret); default a random key kept beside the exports.
    now : datetime, optional
        Timezone-aware time of the export (default: now).

    Returns
    -------
    pathlib.Path
        The export folder (holding ``for_graders/`` and ``key/``).

    Raises
    ------
    WrittenError
        If the assignment has no written questions.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", str(assignment)):
        raise ArgumentError(f"assignment={assignment!r} must be a plain name (letters, digits, _ . -)")
    questions = manual_questions(assignment) if questions is None else list(questions)
    if not questions:
        raise WrittenError(f"{assignment} has no written (manual) questions to export")
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ArgumentError("now must be timezone-aware")
    root = Path(out_root) / assignment / "written"
    key = _pseudonym_key(root, secret)
    answers: dict[str, list[tuple[str, str]]] = {q.name: [] for q in questions}
    key_rows, skipped = [], []
    for submission in submissions:
        if submission.problem or submission.notebook is None:
            skipped.append([submission.student_id, submission.student_name, submission.problem or "no notebook"])
            continue
        try:
            found = extract_answers(submission.notebook, questions)
        except WrittenError as error:
            skipped.append([submission.student_id, submission.student_name, str(error)])
            continue
        name = pseudonym(submission.student_id, assignment=assignment, key=key)
        key_rows.append([name, submission.student_id, submission.student_name])
        for question in questions:
            answers[question.name].append((name, found.get(question.name, "")))
    export = _new_folder(root, now)
    graders, keys = export / "for_graders", export / "key"
    graders.mkdir()
    keys.mkdir()
    sheet = []
    for question in questions:
        ordered = sorted(answers[question.name])
        (graders / f"{question.name}.html").write_text(_question_page(assignment, question, ordered), encoding="utf-8")
        sheet += [[name, question.name, "", f"{question.points:g}", ""] for name, _ in ordered]
    (graders / "rubric_scores.csv").write_text(_csv_text(("pseudonym", "question", "points", "possible", "comment"),
                                                         sheet), encoding="utf-8")
    (keys / "pseudonyms.csv").write_text(_csv_text(("pseudonym", "student_id", "student_name"), sorted(key_rows)),
                                         encoding="utf-8")
    (keys / "skipped.csv").write_text(_csv_text(("student_id", "student_name", "reason"), skipped), encoding="utf-8")
    return export


def _new_folder(parent: Path, now: datetime) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    base = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    number = 1
    while True:
        candidate = parent / (base if number == 1 else f"{base}-{number}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            number += 1


def read_rubric_scores(csv_path: Path, key_csv: Path | None = None) -> dict[str, dict[str, tuple[float, float, str]]]:
    """The hand-graded scores of a filled ``rubric_scores.csv``, by student identifier and question.

    Parameters
    ----------
    csv_path : pathlib.Path
        The score sheet (``pseudonym``, ``question``, ``points``, ``possible``, ``comment``); rows with an empty
        ``points`` are not graded yet and skipped.
    key_csv : pathlib.Path, optional
        The export's ``key/pseudonyms.csv``; default ``<export>/key/pseudonyms.csv`` next to ``for_graders/``.

    Returns
    -------
    dict
        ``{student_id: {question: (points, possible, comment)}}``.

    Raises
    ------
    WrittenError
        For an unknown pseudonym, a score that is not a number or lies outside 0 … possible, or a question scored
        twice; the message names the line.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "scores.csv").write_text("pseudonym,question,points,possible,comment\\nP-AAAA,q5,2.5,3,clear\\n")
    >>> _ = (folder / "key.csv").write_text("pseudonym,student_id,student_name\\nP-AAAA,1234,Wang Li\\n")
    >>> read_rubric_scores(folder / "scores.csv", folder / "key.csv")
    {'1234': {'q5': (2.5, 3.0, 'clear')}}
    """
    csv_path = Path(csv_path)
    key_csv = Path(key_csv) if key_csv is not None else csv_path.parent.parent / "key" / "pseudonyms.csv"
    if not key_csv.is_file():
        raise WrittenError(f"no pseudonym key at {key_csv}; pass key_csv= (the export's key/pseudonyms.csv)")
    with key_csv.open(newline="", encoding="utf-8-sig") as handle:
        names = {row["pseudonym"]: row["student_id"] for row in csv.DictReader(handle)}
    with csv_path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"pseudonym", "question", "points", "possible"} - set(reader.fieldnames or ())
        if missing:
            raise WrittenError(f"{csv_path}: missing column(s) {sorted(missing)}")
        rows = list(reader)
    scores: dict[str, dict[str, tuple[float, float, str]]] = {}
    for number, row in enumerate(rows, start=2):
        raw = (row.get("points") or "").strip()
        if not raw:
            continue
        name = (row.get("pseudonym") or "").strip()
        if name not in names:
            raise WrittenError(f"{csv_path} line {number}: unknown pseudonym {name!r} (not in {key_csv.name})")
        question = (row.get("question") or "").strip()
        try:
            points, possible = float(raw), float(row["possible"])
        except ValueError:
            raise WrittenError(f"{csv_path} line {number}: points {raw!r} is not a number") from None
        if not 0 <= points <= possible:
            raise WrittenError(f"{csv_path} line {number}: {points:g} points for {question} lies outside 0 … "
                               f"{possible:g}")
        student = scores.setdefault(names[name], {})
        if question in student:
            raise WrittenError(f"{csv_path} line {number}: {name} {question} is scored twice")
        student[question] = (points, possible, (row.get("comment") or "").strip())
    return scores


def merge_rubric_scores(run: Path, scores_csv: Path, key_csv: Path | None = None, *,
                        now: datetime | None = None) -> Path:
    """Add hand-graded written scores to an autograded run, as a new dated run beside it.

    Parameters
    ----------
    run : pathlib.Path
        A run folder written by :func:`chaoyang.teaching.gradebook.write_run` (kept unchanged).
    scores_csv, key_csv : pathlib.Path
        As in :func:`read_rubric_scores`.
    now : datetime, optional
        Time of the new run.

    Returns
    -------
    pathlib.Path
        The new run folder: gradebook, import files and feedback pages now include the written questions
        (each shown as a public "rubric" line with the grader's comment). Students without a score for a written
        question get 0 points for it with the message "not graded yet".

    Raises
    ------
    WrittenError
        If a scored student is not in the run.
    """
    from chaoyang.teaching.gradebook import load_run, write_run

    grades, meta = load_run(run)
    scores = read_rubric_scores(scores_csv, key_csv)
    known = {g.submission.student_id for g in grades}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise WrittenError(f"scored students not in the run {run}: {unknown}")
    questions: dict[str, float] = {}
    for student in scores.values():
        for question, (_, possible, _) in student.items():
            questions.setdefault(question, possible)
    merged = []
    for grade in grades:
        kept = tuple(q for q in grade.questions if q.question not in questions)
        added = []
        for question, possible in questions.items():
            points, _, comment = scores.get(grade.submission.student_id, {}).get(question, (0.0, possible, None))
            message = "not graded yet" if comment is None else (comment or "graded by rubric")
            check = CheckResult(f"{question} rubric", False, comment is not None and points == possible, points,
                                possible, message)
            added.append(QuestionGrade(question, points, possible, (check,)))
        merged.append(replace(grade, questions=kept + tuple(added)))
    return write_run(merged, Path(run).parent.parent, assignment=meta["assignment"],
                     deadline=datetime.fromisoformat(meta["deadline"]) if meta.get("deadline") else None, now=now,
                     blind_gold=meta.get("blind_gold"))


def main(argv: list[str] | None = None) -> int:
    """Command line (what ``make written`` calls).

    ``python -m chaoyang.teaching.written export ASSIGNMENT SUBMISSIONS [--out DIR]`` writes an anonymised export;
    ``python -m chaoyang.teaching.written merge SCORES_CSV [--run RUN]`` adds the filled score sheet to a run (by
    default the assignment's latest run) as a new run.
    """
    import argparse
    import sys

    from chaoyang.teaching.gradebook import GRADES_DIR, list_runs
    from chaoyang.teaching.lms import SubmissionsError, read_submissions

    parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching.written",
                                     description="Export written answers for blind grading; merge the scores back.")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="one anonymised HTML page per written question + a score sheet")
    export.add_argument("assignment")
    export.add_argument("submissions", type=Path, help="folder or zip downloaded from the LMS (not modified)")
    export.add_argument("--layout", default="auto", choices=("auto", "folder", "canvas", "moodle"))
    export.add_argument("--out", type=Path, default=GRADES_DIR, help=f"root of runs and exports (default {GRADES_DIR})")
    merge = commands.add_parser("merge", help="add a filled rubric_scores.csv to a grading run, as a new run")
    merge.add_argument("scores", type=Path, help="the filled for_graders/rubric_scores.csv")
    merge.add_argument("--key", type=Path, default=None, help="key/pseudonyms.csv (default: beside for_graders/)")
    merge.add_argument("--run", type=Path, default=None, help="run folder (default: the assignment's latest run)")
    args = parser.parse_args(argv)
    try:
        if args.command == "export":
            subs = read_submissions(args.submissions, args.layout)
            folder = export_written(subs, args.out, assignment=args.assignment)
            print(f"wrote {folder}: give graders {folder / 'for_graders'} only; the key is in {folder / 'key'}")
        else:
            run = args.run
            if run is None:
                # <out>/<assignment>/written/<stamp>/for_graders/rubric_scores.csv -> <out>/<assignment>
                assignment_dir = args.scores.resolve().parents[3]
                runs = list_runs(assignment_dir.parent, assignment_dir.name)
                if not runs:
                    raise WrittenError(f"no grading run of {assignment_dir.name} in {assignment_dir}; grade first "
                                       "(make grade) or pass --run")
                run = runs[-1]
            print(f"wrote {merge_rubric_scores(run, args.scores, args.key)} (from {run})")
    except (WrittenError, SubmissionsError, ArgumentError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
