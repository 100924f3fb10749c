"""Dated grading runs: gradebook, Canvas and Moodle import files, late flags, never overwriting (issue #14, item 5)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from chaoyang.errors import ArgumentError
from chaoyang.teaching.gradebook import GRADEBOOK_COLUMNS, late_flag, list_runs, load_run, read_gradebook, write_run
from chaoyang.teaching.records import CheckResult, QuestionGrade, SandboxRun, Submission, SubmissionGrade

NOW = datetime(2026, 12, 3, 13, 0, 0, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 12, 1, 23, 59, tzinfo=timezone(timedelta(hours=8)))


def qg(question, points, possible):
    return QuestionGrade(question, points, possible, (CheckResult(f"{question} public 1", False, points > 0, points,
                                                                  possible, "ok"),))


def sample_grades():
    ran = SandboxRun({}, "", True, 10.0)
    unisolated = SandboxRun({}, "", False, 9.0)
    return [
        # Canvas download, marked LATE by Canvas, no submission time
        SubmissionGrade(Submission("23456", "zhaomin", Path("zhaomin_LATE_23456_67891_a3.ipynb")),
                        (qg("q1", 2, 2), qg("q2", 1.5, 3)), ran),
        # Canvas download, on time
        SubmissionGrade(Submission("12345", "wangli", Path("wangli_12345_67890_a3.ipynb")),
                        (qg("q1", 2, 2), qg("q2", 3, 3)), unisolated),
        # plain folder, submitted one hour after the deadline (times from the LMS)
        SubmissionGrade(Submission("liu_yang", "", Path("liu_yang.ipynb"),
                                   submitted_at=DEADLINE + timedelta(hours=1)),
                        (qg("q1", 0, 2), qg("q2", 0, 3)), ran, error="timeout after 300 s"),
        # could not be run at all
        SubmissionGrade(Submission("chen_jie", "", None, problem="no notebook"), (), None),
    ]


def digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_gradebook_rows_columns_and_flags(tmp_path):
    run = write_run(sample_grades(), tmp_path, assignment="a3_mediation", deadline=DEADLINE, now=NOW)
    rows = read_gradebook(run / "gradebook.csv")
    assert tuple(read_csv(run / "gradebook.csv")[0]) == GRADEBOOK_COLUMNS
    # one row per student and question; the student who could not be run gets zero rows for every question
    assert [(r["student_id"], r["question"]) for r in rows] == [
        ("12345", "q1"), ("12345", "q2"), ("23456", "q1"), ("23456", "q2"),
        ("chen_jie", "q1"), ("chen_jie", "q2"), ("liu_yang", "q1"), ("liu_yang", "q2")]
    by = {(r["student_id"], r["question"]): r for r in rows}
    assert by["23456", "q2"]["points"] == 1.5 and by["23456", "q2"]["possible"] == 3 and by["23456", "q1"]["total"] == 3.5
    assert by["chen_jie", "q2"]["possible"] == 3 and by["chen_jie", "q2"]["points"] == 0
    assert by["chen_jie", "q1"]["error"] == "no notebook" and by["liu_yang", "q1"]["error"] == "timeout after 300 s"
    assert {sid: by[sid, "q1"]["late"] for sid in ("12345", "23456", "chen_jie", "liu_yang")} == {
        "12345": "false", "23456": "true", "chen_jie": "", "liu_yang": "true"}
    assert {sid: by[sid, "q1"]["isolated"] for sid in ("12345", "23456", "chen_jie")} == {
        "12345": "false", "23456": "true", "chen_jie": ""}
    meta = json.loads((run / "run.json").read_text())
    assert meta["ran_unisolated"] == ["12345"] and meta["not_run"] == ["chen_jie"]
    assert meta["possible"] == 5 and meta["late"] == ["23456", "liu_yang"]


def canvas_header_is_valid(header: list[str]) -> bool:
    """Canvas's header check, transcribed from GradebookImporter#header? / #update_column_count
    (app/models/gradebook_importer.rb, instructure/canvas-lms)."""
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        return False
    student_columns = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        student_columns += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        student_columns += 2
    return "Section" in header[student_columns - 1]


def test_canvas_import_file(tmp_path):
    run = write_run(sample_grades(), tmp_path, assignment="a3_mediation", now=NOW)
    header, *rows = read_csv(run / "canvas_import.csv")
    assert canvas_header_is_valid(header) and header[-1] == "a3_mediation"
    assert not canvas_header_is_valid(["Student", "ID", "SIS User ID", "Section", "a3"])  # the check can fail
    by_name = {row[0]: row for row in rows}
    assert by_name["wangli"][1] == "12345" and by_name["wangli"][-1] == "5"
    assert by_name["liu_yang"][1] == "" and by_name["liu_yang"][-1] == "0"  # not a Canvas user id: matched by name


def test_moodle_worksheet_file(tmp_path):
    run = write_run(sample_grades(), tmp_path, assignment="a3_mediation", now=NOW)
    header, *rows = read_csv(run / "moodle_import.csv")
    # the three columns Moodle's offline-grading importer looks up (Identifier, Grade, Last modified (grade))
    assert {"Identifier", "Grade", "Last modified (grade)"} <= set(header)
    row = dict(zip(header, next(r for r in rows if r[0] == "Participant 23456")))
    assert row["Grade"] == "3.5" and row["Full name"] == "zhaomin"
    assert row["Last modified (grade)"] == "2026-12-03 13:00:00 UTC"


def test_runs_are_never_overwritten_even_in_the_same_second(tmp_path):
    first = write_run(sample_grades(), tmp_path, assignment="a3_mediation", now=NOW)
    before = digest(first)
    second = write_run(sample_grades()[:1], tmp_path, assignment="a3_mediation", now=NOW)
    third = write_run(sample_grades()[:2], tmp_path, assignment="a3_mediation", now=NOW)
    assert first.name == "20261203T130000Z" and second.name == "20261203T130000Z-2" and third.name.endswith("-3")
    assert digest(first) == before
    assert list_runs(tmp_path, "a3_mediation") == [first, second, third]


def test_feedback_pages_for_every_student(tmp_path):
    run = write_run(sample_grades(), tmp_path, assignment="a3_mediation", now=NOW)
    names = sorted(p.name for p in (run / "feedback").iterdir())
    assert names == sorted(f"{s}.{ext}" for s in ("12345", "23456", "chen_jie", "liu_yang") for ext in ("md", "html"))
    assert "no notebook" in (run / "feedback" / "chen_jie.html").read_text()


def test_grades_round_trip_through_the_run_folder(tmp_path):
    grades = sample_grades()
    run = write_run(grades, tmp_path, assignment="a3_mediation", now=NOW)
    loaded, meta = load_run(run)
    assert sorted(loaded, key=lambda g: g.submission.student_id) == sorted(grades, key=lambda g: g.submission.student_id)
    assert meta["created"] == "2026-12-03T13:00:00+00:00"


def test_late_flag_rules():
    sub = Submission("x", "", Path("x.ipynb"), submitted_at=DEADLINE - timedelta(seconds=1))
    assert late_flag(SubmissionGrade(sub, (), None), DEADLINE) is False
    assert late_flag(SubmissionGrade(sub, (), None, late=True), DEADLINE) is True  # an explicit flag wins
    assert late_flag(SubmissionGrade(Submission("x", "", Path("x.ipynb")), (), None), DEADLINE) is None


def test_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(ArgumentError, match="no time zone"):
        write_run([], tmp_path, assignment="a3_mediation", deadline=datetime(2026, 12, 1))
    with pytest.raises(ArgumentError, match="plain name"):
        write_run([], tmp_path, assignment="../escape")
    assert not (tmp_path.parent / "escape").exists()


def test_awkward_student_ids_get_distinct_safe_file_names(tmp_path):
    grades = [SubmissionGrade(Submission(sid, "", None), (), None) for sid in ("Wang", "wang", "../x")]
    run = write_run(grades, tmp_path, assignment="demo", now=NOW)
    names = sorted(p.name for p in (run / "feedback").iterdir())
    assert len(names) == 6 and all("/" not in n for n in names)
    assert all(p.resolve().parent == (run / "feedback").resolve() for p in (run / "feedback").iterdir())


def test_the_instructor_guide_lists_the_real_gradebook_columns():
    guide = (Path(__file__).resolve().parents[1] / "book" / "appendix" / "instructor-guide.md").read_text("utf-8")
    listed = re.search(r"one row per student and question: (.+?)\)", " ".join(guide.split()))
    assert listed and re.findall(r"`(\w+)`", listed.group(1)) == list(GRADEBOOK_COLUMNS)


def test_canvas_round_trip_from_download_to_import_file(tmp_path):
    """A Canvas download read by lms, graded (a stand-in grade per student), written: the import file carries the
    Canvas user ids and the gradebook Canvas's LATE marker."""
    import zipfile

    from chaoyang.teaching.lms import read_submissions

    notebook = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    download = tmp_path / "submissions.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("wangli_12345_67890_a3_mediation.ipynb", notebook)
        archive.writestr("zhaomin_LATE_23456_67891_a3_mediation.ipynb", notebook)
    subs = read_submissions(download, extract_to=tmp_path / "x")
    grades = [SubmissionGrade(s, (qg("q1", 2.0, 2.0),), SandboxRun({}, "", True, 1.0)) for s in subs]
    run = write_run(grades, tmp_path / "grades", assignment="a3_mediation", now=NOW)
    header, *rows = read_csv(run / "canvas_import.csv")
    assert [(r[0], r[1], r[-1]) for r in rows] == [("wangli", "12345", "2"), ("zhaomin", "23456", "2")]
    late = {r["student_id"]: r["late"] for r in read_gradebook(run / "gradebook.csv")}
    assert late == {"12345": "false", "23456": "true"}
