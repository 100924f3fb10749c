"""Grade a batch of submitted notebooks: sandboxed runs, checks outside the sandbox, a dated run folder.

The pipeline (issue #14), one submission at a time:

1. :func:`chaoyang.teaching.lms.read_submissions` reads the submissions as the LMS delivers them
   (a folder of notebooks, a Canvas bulk-download zip, Moodle's per-student folders); it never
   writes there, and this module checks that the folder is byte-identical afterwards.
2. :func:`chaoyang.teaching.variants.student_files` writes the student's variant data (derived
   from the course secret) and :func:`chaoyang.teaching.checks.answer_names` names the variables
   the checks read.
3. :func:`chaoyang.teaching.sandbox.run_notebook` runs a copy of the notebook in a bubblewrap
   sandbox that sees only that copy, those files and the read-only environment, and brings back
   the named variables as JSON.
4. :func:`chaoyang.teaching.checks.grade_answers` recomputes the expected answers from the secret
   in this process, outside the sandbox, and never executes student code.
5. :func:`chaoyang.teaching.gradebook.write_run` writes a new dated folder
   (``<out>/<assignment>/<UTC time>/``): gradebook, Canvas and Moodle import files, feedback pages.
   This module adds ``integrity.json`` there (hashes of the grader's code, isolation, limits).

Before the first submission runs, the SHA-256 of every file of the ``chaoyang`` package (the check
code the grader will import) is compared with the manifest written when the assignments were built
(:func:`write_manifest`, ``python -m chaoyang.teaching.grading write-manifest``); grading refuses if
they disagree. Where no bubblewrap sandbox can be had, grading still works, prints a warning, and
every run is marked ``isolated=False``; the hashes are then re-checked after every submission.

Command line (what ``make grade`` calls)::

    python -m chaoyang.teaching.grading ASSIGNMENT SUBMISSIONS [--layout auto|folder|canvas|moodle]
        [--secret-file PATH] [--deadline 2027-03-01T23:59+08:00] [--timeout 600] [--memory-mb 4096]
        [--isolation auto|bwrap|none] [--out _build/grades] [--blind-set FOLDER]
    python -m chaoyang.teaching.grading write-manifest [--manifest PATH]

The older otter path (``otter run`` with the assignment's autograder zip, in a child process, not
sandboxed) stays available for the standard artefact: add ``--autograder ZIP``; ``--out`` is then
the gradebook CSV.

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
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable

from chaoyang.errors import ChaoyangError
from chaoyang.teaching import sandbox
from chaoyang.teaching.assignments import BUILD_DIR
from chaoyang.teaching.records import QuestionGrade, Submission, SubmissionGrade

GRADEBOOK_COLUMNS = ("student", "question", "points", "possible", "total", "error")
DEFAULT_TIMEOUT = 600.0
DEFAULT_MEMORY_MB = 4096
GRADES_DIR = BUILD_DIR.parent / "grades"
MANIFEST = BUILD_DIR / "grading-manifest.json"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
NOT_ISOLATED = ("WARNING: submissions will NOT be isolated ({reason}). Each notebook still runs in its own "
                "process, on a copy, with a time limit, but with your user's rights: it can read and change your "
                "files. Grade on Linux with bubblewrap (apt-get install bubblewrap) for marks you can trust.")


class GradingError(ChaoyangError, RuntimeError):
    """The batch cannot start or cannot be trusted (no secret, no submissions, the grader's code
    differs from its manifest, the submissions changed); the message says what to do."""


# ---------------------------------------------------------------------------------------------
# Integrity of the grader's own code
# ---------------------------------------------------------------------------------------------

def code_hashes(package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """SHA-256 of every source and data file of the ``chaoyang`` package the grader imports.

    Parameters
    ----------
    package_dir : Path
        The package folder (default: the one this module was imported from).

    Returns
    -------
    dict
        Path relative to ``package_dir`` (POSIX form) -> hex digest; caches (``__pycache__``) left out.
    """
    package_dir = Path(package_dir)
    return {p.relative_to(package_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(package_dir.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}


def write_manifest(path: Path = MANIFEST, *, package_dir: Path = PACKAGE_DIR, build_dir: Path = BUILD_DIR) -> Path:
    """Record the hashes of the grader's code (and of the built assignments, if any) at build time.

    Run it after ``make assignments`` on the machine (or from the commit) you trust; grading then
    refuses to start if any of these files differ.

    Parameters
    ----------
    path : Path
        Where to write the JSON manifest (default ``_build/assignments/grading-manifest.json``).
    package_dir, build_dir : Path
        The ``chaoyang`` package folder and the assignments build folder.

    Returns
    -------
    Path
        ``path``.
    """
    build_dir = Path(build_dir)
    artefacts = {}
    if build_dir.is_dir():
        for folder in sorted(p for p in build_dir.iterdir() if p.is_dir()):
            artefacts[folder.name] = folder_digest(folder)
    manifest = {"written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "code": code_hashes(package_dir), "assignments": artefacts}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return path


def check_manifest(path: Path | None = MANIFEST, *, assignment: str | None = None,
                   package_dir: Path = PACKAGE_DIR, build_dir: Path = BUILD_DIR) -> dict:
    """Compare the grader's code (and the built assignment) with the manifest; refuse on any difference.

    Returns
    -------
    dict
        ``{"code": {...hashes now...}, "manifest": str or None, "assignment": {...} or None}``;
        ``manifest`` is None when no manifest exists (nothing to compare: a warning is the caller's).

    Raises
    ------
    GradingError
        Naming the files that changed, were added or are missing.
    """
    now = code_hashes(package_dir)
    built = folder_digest(Path(build_dir) / assignment) if assignment and (Path(build_dir) / assignment).is_dir() else None
    if path is None or not Path(path).is_file():
        return {"code": now, "manifest": None, "assignment": built}
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
        recorded = manifest["code"]
    except (ValueError, KeyError, TypeError) as error:
        raise GradingError(f"the grading manifest {path} is unreadable ({error}); rewrite it from a trusted "
                           "checkout with `python -m chaoyang.teaching.grading write-manifest`") from None
    differences = _differences(recorded, now, "chaoyang/")
    if assignment and assignment in manifest.get("assignments", {}) and built is not None:
        differences += _differences(manifest["assignments"][assignment], built, f"{assignment}/")
    if differences:
        shown = ", ".join(differences[:8]) + (f" and {len(differences) - 8} more" if len(differences) > 8 else "")
        raise GradingError(f"the grader's code differs from the manifest {path}: {shown}. Restore the files "
                           "(git checkout / reinstall the kit) or, if you changed them on purpose, rewrite the "
                           "manifest with `python -m chaoyang.teaching.grading write-manifest`")
    return {"code": now, "manifest": str(path), "assignment": built}


def _differences(recorded: dict, now: dict, prefix: str) -> list[str]:
    out = [f"{prefix}{name} changed" for name in sorted(recorded) if name in now and now[name] != recorded[name]]
    out += [f"{prefix}{name} missing" for name in sorted(recorded) if name not in now]
    out += [f"{prefix}{name} added" for name in sorted(now) if name not in recorded]
    return out


def folder_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative path -> hex digest), or of ``folder`` itself
    if it is a file (a Canvas zip); used to prove the submissions were not modified (tested in
    tests/test_grading_sandbox.py)."""
    folder = Path(folder)
    if folder.is_file():
        return {folder.name: hashlib.sha256(folder.read_bytes()).hexdigest()}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stages:
    """The functions the pipeline calls, by the names of the grading contract (replaceable in tests).

    :meth:`default` imports the kit's own: ``lms.read_submissions``, ``variants.student_files``,
    ``variants.load_secret``, ``checks.answer_names``, ``checks.grade_answers``, ``gradebook.write_run``.
    """

    read_submissions: Callable
    student_files: Callable
    load_secret: Callable
    answer_names: Callable
    grade_answers: Callable
    write_run: Callable

    @classmethod
    def default(cls) -> "Stages":
        try:
            from chaoyang.teaching import checks, gradebook, lms, variants
        except ImportError as error:
            raise GradingError(f"this version of the kit lacks a grading stage ({error}); update chaoyang") from None
        return cls(read_submissions=lms.read_submissions, student_files=variants.student_files,
                   load_secret=variants.load_secret, answer_names=checks.answer_names,
                   grade_answers=checks.grade_answers, write_run=gradebook.write_run)


def grade(assignment: str, submissions: Path, *, out_root: Path = GRADES_DIR, secret_file: Path | None = None,
          layout: str = "auto", deadline: datetime | None = None, timeout: float = DEFAULT_TIMEOUT,
          memory_mb: int = DEFAULT_MEMORY_MB, isolation: str = "auto", manifest: Path | None = MANIFEST,
          stages: Stages | None = None, progress=print, blind_set=None, lang: str = "en", **limits) -> Path:
    """Grade every submission of ``assignment`` and write a new dated run folder.

    Parameters
    ----------
    assignment : str
        Assignment name, e.g. ``"a4_participation"``.
    submissions : Path
        Folder or Canvas zip as the LMS delivered it (never modified; checked byte for byte).
    out_root : Path
        Root of the dated runs (default ``_build/grades``); each run gets a new folder.
    secret_file : Path, optional
        File holding the course secret (else ``CHAOYANG_COURSE_SECRET``); no secret, no grading.
    layout : {"auto", "folder", "canvas", "moodle"}
        How the submissions are laid out.
    deadline : datetime, optional
        Timezone-aware deadline; submissions the LMS dates later are flagged late.
    timeout : float
        Wall-clock seconds per notebook (default 600).
    memory_mb : int
        Address-space limit per process in MB (default 4096).
    isolation : {"auto", "bwrap", "none"}
        ``"bwrap"`` refuses to grade without a working bubblewrap; ``"auto"`` falls back to
        unisolated runs with a warning.
    manifest : Path or None
        Hashes written at build time (:func:`write_manifest`); ``None`` skips the comparison.
    stages : Stages, optional
        The pipeline's functions (default :meth:`Stages.default`).
    progress : callable or None
        Receives one line per submission and the warnings.
    blind_set : path-like or BlindSet, optional
        a1 only: the instructor's private blind set (:mod:`chaoyang.teaching.blindset`; default
        ``$CHAOYANG_BLIND_SET``), read here, outside the sandbox. Without one a1 is graded on a kit
        transcript, and the console and the gradebook's ``blind_gold`` column say its gold is public.
    lang : str, default "en"
        Language of the students' feedback pages (``"zh_CN"`` for assignments built with ``--lang zh_CN``).
    **limits
        ``max_procs`` and ``disk_mb``, passed to :func:`chaoyang.teaching.sandbox.run_notebook`.

    Returns
    -------
    Path
        The run folder written by ``gradebook.write_run``.

    Raises
    ------
    GradingError
        No secret, no submissions, the grader's code differs from the manifest or changed during an
        unisolated run, bubblewrap required but unusable, the blind set lies where the sandbox can
        read it, or the submissions changed.
    chaoyang.teaching.blindset.BlindSetError
        The blind set is invalid (the message names the file, row and value).
    """
    from chaoyang.teaching.catalogs import check_language

    lang = check_language(lang)  # a wrong language fails before any notebook runs
    say = progress or (lambda _line: None)
    stages = stages or Stages.default()
    submissions = Path(submissions)
    if not submissions.exists():
        raise GradingError(f"submissions {submissions} do not exist; pass the folder (or Canvas zip) the LMS gave you")
    if isolation not in sandbox.ISOLATIONS:
        raise GradingError(f"isolation={isolation!r} is not one of {', '.join(sandbox.ISOLATIONS)}")
    if deadline is not None and deadline.tzinfo is None:
        raise GradingError(f"deadline {deadline.isoformat()} has no time zone; give one, e.g. 2027-03-01T23:59+08:00")
    secret = stages.load_secret(secret_file)
    blind, gold = _blind_set(assignment, blind_set, say)
    if blind is not None:
        stages = replace(stages, student_files=partial(stages.student_files, blind_set=blind),
                         grade_answers=partial(stages.grade_answers, blind_set=blind))
    integrity = check_manifest(manifest, assignment=assignment)
    if integrity["manifest"] is None and manifest is not None:
        say(f"note: no grading manifest at {manifest}; the grader's code hashes are recorded in the run's "
            "integrity.json but not compared (write one with `python -m chaoyang.teaching.grading write-manifest`)")
    reason = sandbox.isolation_available() if isolation != "none" else "isolation='none' was asked for"
    if isolation == "bwrap" and reason is not None:
        raise GradingError(f"--isolation bwrap, but {reason}")
    mode = "bwrap" if reason is None else "none"
    if mode == "none":
        say(NOT_ISOLATED.format(reason=reason))
        if blind is not None:
            say(f"WARNING: unisolated notebooks can read the blind set {blind.path} with your user's rights")
    before = folder_digest(submissions)
    found = list(stages.read_submissions(submissions, layout=layout))
    if not found:
        raise GradingError(f"no submissions found in {submissions} (layout {layout!r})")
    names = list(stages.answer_names(assignment))
    grades = []
    for submission in found:
        result = grade_submission_sandboxed(submission, assignment, secret, names, stages, timeout=timeout,
                                            memory_mb=memory_mb, isolation=mode, deadline=deadline, **limits)
        grades.append(result)
        possible = sum(q.possible for q in result.questions)
        status = f"error: {result.error}" if result.error else "ok"
        flag = "" if result.run is None or result.run.isolated else " [NOT ISOLATED]"
        flag += " [BLIND GOLD PUBLIC]" if gold == "public" else ""
        say(f"{submission.student_id}: {result.total:g} / {possible:g} ({status}){flag}")
        if mode == "none" and code_hashes() != integrity["code"]:
            raise GradingError(f"the grader's code changed while {submission.student_id}'s notebook ran unisolated; "
                               "no gradebook was written. Restore the kit (git checkout / reinstall) and grade on "
                               "Linux with bubblewrap")
    changed = folder_digest(submissions) != before
    extra = {"blind_gold": gold} if gold else {}
    if lang != "en":
        extra["lang"] = lang
    run_dir = Path(stages.write_run(grades, Path(out_root), assignment=assignment, deadline=deadline, **extra))
    record = {"assignment": assignment, "isolation": "bubblewrap" if mode == "bwrap" else f"none ({reason})",
              "timeout_s": timeout, "memory_mb": memory_mb, **limits, "submissions": str(submissions),
              "submissions_sha256": hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest(),
              "submissions_unchanged": not changed, "manifest": integrity["manifest"],
              "code_sha256": integrity["code"], "assignment_sha256": integrity["assignment"]}
    if gold:
        record["blind_set"] = ({"path": str(blind.path), "sha256": blind.digest} if blind is not None
                               else "none: the blind passage's gold coding is public in the kit")
    (run_dir / "integrity.json").write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    if changed:
        raise GradingError(f"{submissions} changed during grading: do not trust the run in {run_dir}; "
                           "restore the submissions from the LMS and grade again with bubblewrap")
    if mode == "none":
        say(NOT_ISOLATED.format(reason=reason))
    if gold == "public":
        from chaoyang.teaching.blindset import PUBLIC_GOLD

        say(PUBLIC_GOLD)
    return run_dir


def _blind_set(assignment: str, blind_set, say):
    """The blind set a run uses (or None) and the gradebook's ``blind_gold``: "private", "public", or None (not a1)."""
    from chaoyang.teaching.blindset import ASSIGNMENT as BLIND_ASSIGNMENT, PUBLIC_GOLD, resolve

    if assignment != BLIND_ASSIGNMENT:
        if blind_set is not None:
            say(f"note: a blind set is used by {BLIND_ASSIGNMENT} only; ignored for {assignment}")
        return None, None
    blind = resolve(blind_set)
    if blind is None:
        say(PUBLIC_GOLD)
        return None, "public"
    for bound in sandbox.bound_host_paths():
        bound = Path(bound).resolve()
        if blind.path == bound or bound in blind.path.parents:
            raise GradingError(f"the blind set {blind.path} lies in {bound}, which the grading sandbox binds "
                               "read-only: notebooks could read its coding. Move it elsewhere (e.g. "
                               "~/.config/chaoyang/blind-set)")
    say(f"blind set: {blind.path} ({len(blind.ids)} passage(s)); its coding is read here, outside the sandbox")
    return blind, "private"


def grade_submission_sandboxed(submission: Submission, assignment: str, secret: bytes, names: list[str],
                               stages: Stages, *, timeout: float = DEFAULT_TIMEOUT,
                               memory_mb: int = DEFAULT_MEMORY_MB, isolation: str = "auto",
                               deadline: datetime | None = None, **limits) -> SubmissionGrade:
    """Run one submission in the sandbox and grade its answers; never raises for a bad submission.

    Returns
    -------
    SubmissionGrade
        With ``run=None`` and the reason in ``error`` when the submission could not be run
        (``submission.problem``); zero points and ``"grader error: ..."`` if a check crashed.
    """
    student = submission.student_id
    late = None
    if deadline is not None and submission.submitted_at is not None:
        late = submission.submitted_at > deadline
    if submission.notebook is None or submission.problem:
        return SubmissionGrade(submission, _zero(stages, assignment, student, secret), None,
                               error=submission.problem or "no notebook submitted", late=late)
    try:
        with tempfile.TemporaryDirectory(prefix="chaoyang-variant-") as folder:
            files = stages.student_files(assignment, student, secret, Path(folder))
            run = sandbox.run_notebook(submission.notebook, files=files, answer_names=names, timeout=timeout,
                                       memory_mb=memory_mb, isolation=isolation, **limits)
    except (OSError, ChaoyangError) as error:
        return SubmissionGrade(submission, _zero(stages, assignment, student, secret), None,
                               error=f"could not run: {error}", late=late)
    try:
        questions = tuple(stages.grade_answers(assignment, run.answers, student_id=student, secret=secret))
    except Exception as error:  # noqa: BLE001 - one broken check must not stop the batch; it is reported
        return SubmissionGrade(submission, _zero(stages, assignment, student, secret), run,
                               error=f"grader error: {type(error).__name__}: {error}"[:300], late=late)
    return SubmissionGrade(submission, questions, run, error=run.error, late=late)


def _zero(stages: Stages, assignment: str, student: str, secret: bytes) -> tuple:
    """Zero-point grades with the right possible points (the checks of an empty answer set)."""
    try:
        graded = stages.grade_answers(assignment, {}, student_id=student, secret=secret)
    except Exception:  # noqa: BLE001
        return ()
    return tuple(QuestionGrade(q.question, 0.0, q.possible, q.checks) for q in graded)


# ---------------------------------------------------------------------------------------------
# The otter path (the standard artefact): otter run in a child process, not sandboxed
# ---------------------------------------------------------------------------------------------

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


def _kill_group(process: subprocess.Popen) -> None:
    sandbox._kill_tree(process)  # cross-platform, psutil-free


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
        env = {**{k: v for k, v in os.environ.items() if k not in ("CHAOYANG_COURSE_SECRET", "CHAOYANG_BLIND_SET")}, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
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
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["write-manifest"]:
        manifest_parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching.grading write-manifest")
        manifest_parser.add_argument("--manifest", type=Path, default=MANIFEST)
        path = write_manifest(manifest_parser.parse_args(argv[1:]).manifest)
        print(f"wrote the grading manifest {path}")
        return 0
    parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching.grading",
                                     description="Grade submitted notebooks in a sandbox into a dated run folder.")
    parser.add_argument("assignment", help="assignment name, e.g. a4_participation")
    parser.add_argument("submissions", type=Path, help="folder or Canvas zip of submissions (not modified)")
    parser.add_argument("--layout", default="auto", choices=("auto", "folder", "canvas", "moodle"))
    parser.add_argument("--secret-file", type=Path, default=None,
                        help="file with the course secret, outside the repository (else $CHAOYANG_COURSE_SECRET)")
    parser.add_argument("--deadline", default=None, help="ISO 8601 with time zone, e.g. 2027-03-01T23:59+08:00")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per notebook (default 600)")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="memory per process (default 4096)")
    parser.add_argument("--isolation", default="auto", choices=sandbox.ISOLATIONS,
                        help="bwrap: refuse without bubblewrap; none: unisolated; auto (default): bwrap if it works")
    parser.add_argument("--out", type=Path, default=None,
                        help="root of the dated run folders (default _build/grades); with --autograder: the CSV")
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help="grading manifest written at build time")
    parser.add_argument("--blind-set", type=Path, default=None,
                        help="a1: folder of the private blind set, outside the repository (else $CHAOYANG_BLIND_SET)")
    parser.add_argument("--lang", default="en", help="language of the feedback pages: en (default) or zh_CN")
    parser.add_argument("--autograder", type=Path, default=None,
                        help="grade with `otter run` and this autograder zip instead (NOT sandboxed)")
    args = parser.parse_args(argv)
    if args.autograder is not None:
        return _main_otter(args)
    try:
        deadline = datetime.fromisoformat(args.deadline) if args.deadline else None
    except ValueError:
        print(f"error: --deadline {args.deadline!r} is not an ISO 8601 date-time (2027-03-01T23:59+08:00)",
              file=sys.stderr)
        return 2
    try:
        run_dir = grade(args.assignment, args.submissions, out_root=args.out or GRADES_DIR,
                        secret_file=args.secret_file, layout=args.layout, deadline=deadline, timeout=args.timeout,
                        memory_mb=args.memory_mb, isolation=args.isolation, manifest=args.manifest,
                        blind_set=args.blind_set, lang=args.lang)
    except ChaoyangError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {run_dir}")
    return 0


def _main_otter(args) -> int:
    print("warning: --autograder grades with `otter run`, which is NOT sandboxed: students' code runs with your "
          "user's rights and can read the autograder's tests", file=sys.stderr)
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
    out = args.out or GRADES_DIR / f"{args.assignment}-gradebook.csv"
    print(f"wrote {len(rows)} rows to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
