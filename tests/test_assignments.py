"""Autograded assignments: solutions score full marks, stubs score zero, nothing leaks, grading is safe.

Each assignment is built once per session with ``otter assign`` into a temporary folder (never the
repository's ``_build``), then graded with ``otter run`` through :mod:`chaoyang.teaching.grading`. The
tests run in one xdist worker (group "otter") because each grades notebooks in child processes.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from chaoyang.teaching import assignments, grading

pytestmark = pytest.mark.xdist_group("otter")

ASSIGNMENTS = assignments.discover()
NAMES = [a.name for a in ASSIGNMENTS]
REPO = assignments.REPO_ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every assignment built into a temporary folder: name -> folder."""
    out = tmp_path_factory.mktemp("assignments")
    return {a.name: assignments.build_one(a, out, run_tests=False) for a in ASSIGNMENTS}


def _grade(notebooks: dict[str, nbformat.NotebookNode], zip_path: Path, folder: Path, timeout=300):
    folder.mkdir(parents=True, exist_ok=True)
    for student, nb in notebooks.items():
        nbformat.write(nb, folder / f"{student}.ipynb")
    rows = grading.grade_folder("x", folder, folder.parent / f"{folder.name}.csv", timeout=timeout,
                                zip_path=zip_path, progress=None)
    return rows


def test_there_are_six_assignments():
    assert len(NAMES) >= 6, f"expected at least six assignments, found {NAMES}"
    assert {"a5_fsqca", "a6_simulation"} <= set(NAMES), "the fsQCA and simulation assignments are missing"


def test_every_assignment_has_a_readme():
    for a in ASSIGNMENTS:
        text = a.readme.read_text(encoding="utf-8")
        for heading in ("Learning objectives", "Prerequisites", "Time", "Points", "rubric"):
            assert heading.lower() in text.lower(), f"{a.readme} lacks a section on {heading!r}"


@pytest.mark.parametrize("name", NAMES)
def test_master_is_stored_clean_and_starts_with_check_env(name):
    nb = nbformat.read(assignments.get(name).master, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.strip() == "import chaoyang; chaoyang.check_env()"
    assert all(c.outputs == [] and c.execution_count is None for c in code), "store the master without outputs"
    questions = [c for c in nb.cells if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
    manual = [q for q in questions if "manual: true" in q.source]
    assert len(questions) >= 5, f"{name} has {len(questions)} questions; at least 5 needed"
    assert manual and len(manual) < len(questions), f"{name} must mix autograded and rubric questions"


@pytest.mark.parametrize("name", NAMES)
def test_solution_full_marks_and_student_stub_zero(name, built, tmp_path):
    folder = built[name]
    zip_path = folder / "autograder" / "autograder.zip"
    questions = grading.autograded_questions(zip_path)
    assert len(questions) >= 3
    solution = nbformat.read(folder / "autograder" / f"{name}.ipynb", as_version=4)
    student = nbformat.read(folder / "student" / f"{name}.ipynb", as_version=4)
    rows = _grade({"solution": solution, "stub": student}, zip_path, tmp_path / "subs")
    by_student = {}
    for row in rows:
        by_student.setdefault(row["student"], {})[row["question"]] = (row["points"], row["possible"], row["error"])
    for question, (points, possible, error) in by_student["solution"].items():
        assert error == "" and points == possible, f"{name} solution scores {points}/{possible} on {question}"
    for question, (points, possible, error) in by_student["stub"].items():
        assert points == 0, f"{name}: the untouched student notebook gets {points} free point(s) on {question}"


@pytest.mark.parametrize("name", NAMES)
def test_student_build_has_no_solution(name, built):
    secrets = assignments.secret_lines(assignments.get(name).master)
    assert len(secrets) >= 5, "the scanner found almost no solution lines; is the master marked up?"
    folder = built[name]
    leaks = assignments.find_leaks([folder / "student", folder.parent / f"{name}.zip"], secrets)
    assert leaks == []
    # The scanner must be able to find a leak: the solution notebook is full of them.
    assert assignments.find_leaks([folder / "autograder" / f"{name}.ipynb"], secrets)


def test_book_sources_and_site_have_no_solution():
    leaks = assignments.scan_publication([REPO / "book", REPO / "notebooks", REPO / "_build" / "html"])
    assert leaks == [], f"solution lines in the book: {leaks[:5]}"


def test_leak_scanner_sees_through_html_and_notebook_json(tmp_path):
    master = assignments.get(NAMES[0]).master
    secret = sorted(assignments.secret_lines(master), key=len)[-1]
    (tmp_path / "page.html").write_text("<p>" + secret.replace('"', "&quot;").replace(" ", "\n ") + "</p>")
    assert assignments.find_leaks([tmp_path], {secret})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(secret)])
    nbformat.write(nb, tmp_path / "copy.ipynb")
    assert len(assignments.find_leaks([tmp_path], {secret})) == 2


def test_batch_grading_survives_crash_loop_and_deletion_and_leaves_folder_untouched(built, tmp_path):
    name = "a4_participation" if "a4_participation" in NAMES else NAMES[0]
    folder = built[name]
    zip_path = folder / "autograder" / "autograder.zip"
    solution = nbformat.read(folder / "autograder" / f"{name}.ipynb", as_version=4)
    blank = nbformat.read(folder / "student" / f"{name}.ipynb", as_version=4)
    crashing = copy.deepcopy(solution)
    crashing.cells.insert(2, nbformat.v4.new_code_cell(
        "import os, shutil\nfor f in os.listdir('.'):\n"
        "    shutil.rmtree(f, ignore_errors=True) if os.path.isdir(f) else os.remove(f)\n"
        "raise RuntimeError('student code crashed')"))
    looping = copy.deepcopy(solution)
    looping.cells.insert(2, nbformat.v4.new_code_cell("while True:\n    pass"))
    subs = tmp_path / "submissions"
    subs.mkdir()
    for student, nb in {"correct": solution, "blank": blank, "crash": crashing, "loop": looping}.items():
        nbformat.write(nb, subs / f"{student}.ipynb")
    (subs / "notes.txt").write_text("not a notebook; must be ignored and kept")
    before = grading.folder_digest(subs)
    out_csv = tmp_path / "gradebook.csv"
    done = subprocess.run([sys.executable, "-m", "chaoyang.teaching.grading", name, str(subs), "--out", str(out_csv),
                           "--timeout", "45", "--autograder", str(zip_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert grading.folder_digest(subs) == before, "the submissions folder changed during grading"
    import csv

    rows = list(csv.DictReader(out_csv.open()))
    questions = grading.autograded_questions(zip_path)
    full = sum(questions.values())
    assert len(rows) == 4 * len(questions)
    totals = {r["student"]: float(r["total"]) for r in rows}
    errors = {r["student"]: r["error"] for r in rows}
    assert totals == {"blank": 0.0, "correct": full, "crash": 0.0, "loop": 0.0}
    assert errors["correct"] == "" and errors["blank"] == ""
    assert "timeout" in errors["loop"]
    assert [r["student"] for r in rows] == sorted(r["student"] for r in rows)


def test_grading_reports_missing_autograder_and_empty_folder(tmp_path):
    with pytest.raises(grading.GradingError, match="make assignments"):
        grading.autograder_zip("no_such_assignment", build_dir=tmp_path)
    with pytest.raises(grading.GradingError, match="no .ipynb"):
        grading.grade_folder("x", tmp_path, zip_path=tmp_path / "a.zip")
    with pytest.raises(KeyError, match="known assignments"):
        assignments.get("no_such_assignment")


def test_autograded_questions_reads_points(tmp_path):
    archive = tmp_path / "ag.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("tests/q10.py", "OK_FORMAT = True\ntest = {'name': 'q10', 'points': 3, 'suites': []}\n")
        z.writestr("tests/q2.py", "OK_FORMAT = True\ntest = {'name': 'q2', 'points': 1.5, 'suites': []}\n")
    assert list(grading.autograded_questions(archive).items()) == [("q2", 1.5), ("q10", 3.0)]
