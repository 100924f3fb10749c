"""Grade a folder of submitted notebooks locally with otter-grader, safely, into one gradebook CSV.

Each submission is graded by ``otter run`` in **its own process**, on a **copy** placed in a fresh
temporary folder, with a **time limit**. A notebook that raises, loops forever or deletes files
in its working folder costs only its own grade: the batch goes on, and the submissions folder is
never written to. (This isolates submissions from each other and from the folder; it is not a
sandbox — students' code runs with your user's rights. See the instructor guide for grading a
large class under a separate user or in a container.)

Gradebook columns: ``student`` (file name without ``.ipynb``), ``question``, ``points``,
``possible``, ``total`` (the student's autograded total), ``error`` (empty when grading worked;
otherwise why the student got no points, e.g. ``timeout after 300 s``). One row per student and
autograded question, in the order of the autograder's questions; written questions are graded
by rubric and are not in this file.

Command line (what ``make grade`` calls)::

    python -m chaoyang.teaching.grading ASSIGNMENT SUBMISSIONS [--out gradebook.csv] [--timeout 600]

Examples
--------
>>> from chaoyang.teaching.grading import autograded_questions  # doctest: +SKIP
>>> autograded_questions("_build/assignments/a4_participation/autograder/autograder.zip")  # doctest: +SKIP
{'q1': 2.0, 'q2': 3.0, 'q3': 3.0, 'q4': 2.0}
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from chaoyang.errors import ChaoyangError
from chaoyang.teaching.assignments import BUILD_DIR

GRADEBOOK_COLUMNS = ("student", "question", "points", "possible", "total", "error")
DEFAULT_TIMEOUT = 600.0


class GradingError(ChaoyangError, RuntimeError):
    """The batch cannot start (no autograder zip, no submissions folder); the message says what to do."""


@dataclass(frozen=True)
class SubmissionResult:
    """Grades of one submission.

    Attributes
    ----------
    student : str
    points : dict of str -> float
        Question -> points scored (0 for every question when grading failed).
    error : str
        Empty if grading worked, else the reason (timeout, crash of the grader, unreadable file).
    """

    student: str
    points: dict
    error: str

    @property
    def total(self) -> float:
        return float(sum(self.points.values()))


def autograder_zip(assignment: str, build_dir: Path = BUILD_DIR) -> Path:
    """Path of the built autograder zip of ``assignment``.

    Raises
    ------
    GradingError
        If it has not been built; the message says to run ``make assignments``.
    """
    path = Path(build_dir) / assignment / "autograder" / "autograder.zip"
    if not path.is_file():
        raise GradingError(f"no autograder for {assignment!r} at {path}; build it first with `make assignments` "
                           f"(or `python -m chaoyang.teaching.assignments build --only {assignment}`)")
    return path


def autograded_questions(zip_path: Path) -> dict[str, float]:
    """Question name -> possible points, read from the autograder zip's ``tests/*.py`` files.

    The test files are evaluated as plain data (otter's OK format: a ``test`` dict), in an empty
    namespace.
    """
    questions = {}
    with zipfile.ZipFile(zip_path) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("tests/") and n.endswith(".py"))
        for name in names:
            namespace: dict = {}
            exec(compile(archive.read(name).decode("utf-8"), name, "exec"), namespace)  # noqa: S102 - our own build
            test = namespace.get("test", {})
            questions[test.get("name", Path(name).stem)] = float(test.get("points", 1) or 0)
    return dict(sorted(questions.items(), key=lambda kv: _natural_key(kv[0])))


def _natural_key(name: str):
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def folder_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative path -> hex digest); used to prove a
    folder was not modified."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def grade_submission(submission: Path, zip_path: Path, questions: dict[str, float], *,
                     timeout: float = DEFAULT_TIMEOUT, python: str = sys.executable) -> SubmissionResult:
    """Grade one notebook with ``otter run`` in a child process, on a copy, within ``timeout`` seconds.

    Parameters
    ----------
    submission : Path
        A ``.ipynb`` file (read only; copied before grading).
    zip_path : Path
        The assignment's autograder zip (copied too).
    questions : dict
        Question -> possible points (see :func:`autograded_questions`).
    timeout : float
        Seconds the whole ``otter run`` may take; then its process group is killed.

    Returns
    -------
    SubmissionResult
    """
    student = Path(submission).stem
    zero = {q: 0.0 for q in questions}
    with tempfile.TemporaryDirectory(prefix=f"grade-{student}-") as tmp:
        work, out = Path(tmp) / "work", Path(tmp) / "out"
        work.mkdir()
        out.mkdir()
        try:
            copy = work / Path(submission).name
            shutil.copyfile(submission, copy)
            zip_copy = Path(tmp) / "autograder.zip"
            shutil.copyfile(zip_path, zip_copy)
        except OSError as error:
            return SubmissionResult(student, zero, f"cannot copy the submission: {error}")
        env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        command = [python, "-m", "otter", "run", "--no-logo", "-a", str(zip_copy), "-o", str(out), str(copy)]
        # A new session puts otter, its kernel and anything the notebook starts in one process
        # group, so a timeout kills all of them.
        process = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            log, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            return SubmissionResult(student, zero, f"timeout after {timeout:g} s (the notebook did not finish)")
        finally:
            _kill_group(process)
        results_file = out / "results.json"
        if not results_file.is_file():
            tail = log.decode("utf-8", errors="replace").strip().splitlines()[-3:]
            return SubmissionResult(student, zero, f"grader failed (exit {process.returncode}): "
                                                   + " | ".join(tail)[:500])
        try:
            results = json.loads(results_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            return SubmissionResult(student, zero, f"unreadable results.json: {error}")
    scored = dict(zero)
    graded = False
    for test in results.get("tests", []):
        name = test.get("name")
        if name in scored and test.get("score") is not None:
            scored[name] = float(test["score"])
            graded = True
    if not graded:
        # otter reports "Autograder Failed" when the notebook broke the grading itself (for
        # example by deleting the grader's files in its working folder).
        names = ", ".join(str(t.get("name")) for t in results.get("tests", [])) or "no test results"
        return SubmissionResult(student, zero, f"no question could be graded ({names})")
    return SubmissionResult(student, scored, "")


def grade_folder(assignment: str, submissions: Path, out_csv: Path | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, zip_path: Path | None = None,
                 progress=print) -> list[dict]:
    """Grade every ``*.ipynb`` in ``submissions`` (not recursive) and write one gradebook CSV.

    Parameters
    ----------
    assignment : str
        Assignment name (used to find the autograder zip unless ``zip_path`` is given).
    submissions : Path
        Folder of submitted notebooks; never modified.
    out_csv : Path, optional
        Default ``_build/grades/<assignment>-gradebook.csv``.
    timeout : float
        Seconds allowed per submission.
    zip_path : Path, optional
        Autograder zip; default the one built by ``make assignments``.
    progress : callable or None
        Called with one line per graded submission.

    Returns
    -------
    list of dict
        The gradebook rows (also written to ``out_csv``).

    Raises
    ------
    GradingError
        If the folder does not exist, holds no notebook, or the autograder is missing.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise GradingError(f"submissions folder {submissions} does not exist")
    notebooks = sorted(p for p in submissions.iterdir() if p.is_file() and p.suffix == ".ipynb")
    if not notebooks:
        raise GradingError(f"no .ipynb files in {submissions}; put one notebook per student there "
                           "(named after the student)")
    zip_path = Path(zip_path) if zip_path else autograder_zip(assignment)
    questions = autograded_questions(zip_path)
    if out_csv is None:
        out_csv = BUILD_DIR.parent / "grades" / f"{assignment}-gradebook.csv"
    rows = []
    for notebook in notebooks:
        result = grade_submission(notebook, zip_path, questions, timeout=timeout)
        if progress:
            status = f"error: {result.error}" if result.error else "ok"
            progress(f"{result.student}: {result.total:g} / {sum(questions.values()):g} ({status})")
        for question, possible in questions.items():
            rows.append({"student": result.student, "question": question, "points": result.points[question],
                         "possible": possible, "total": result.total, "error": result.error})
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=GRADEBOOK_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching.grading",
                                     description="Grade a folder of notebooks with the assignment's autograder.")
    parser.add_argument("assignment", help="assignment name, e.g. a4_participation")
    parser.add_argument("submissions", type=Path, help="folder of submitted .ipynb files (not modified)")
    parser.add_argument("--out", type=Path, default=None, help="gradebook CSV (default _build/grades/<name>-gradebook.csv)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission")
    parser.add_argument("--autograder", type=Path, default=None, help="autograder zip (default: the built one)")
    args = parser.parse_args(argv)
    try:
        before = folder_digest(args.submissions) if args.submissions.is_dir() else None
        rows = grade_folder(args.assignment, args.submissions, args.out, timeout=args.timeout,
                            zip_path=args.autograder)
    except (GradingError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if before is not None and folder_digest(args.submissions) != before:
        print(f"warning: {args.submissions} changed during grading", file=sys.stderr)
        return 1
    out = args.out or BUILD_DIR.parent / "grades" / f"{args.assignment}-gradebook.csv"
    print(f"wrote {len(rows)} rows to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
