"""Reading submissions as Canvas, Moodle and a plain folder deliver them (issue #14, item 5).

The file names follow the LMS's own code (canvas-lms ``lib/content_zipper.rb``, moodle ``mod/assign/locallib.php``,
see :mod:`chaoyang.teaching.lms`); every test also checks that the input is byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import re
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from chaoyang.errors import ArgumentError, ChaoyangError
from chaoyang.teaching import lms
from chaoyang.teaching.lms import SubmissionsError, canvas_late, read_submission_times, read_submissions


def notebook_bytes(marker: str = "") -> bytes:
    cell = {"cell_type": "markdown", "metadata": {}, "source": [marker]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def tree_digest(path: Path) -> dict:
    """Every file (and folder) under ``path`` with its SHA-256, or the file's own digest."""
    if path.is_file():
        return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()}
    return {p.relative_to(path).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir")
            for p in sorted(path.rglob("*"))}


def read_unchanged(path: Path, tmp_path: Path, **kwargs):
    before = tree_digest(path)
    result = read_submissions(path, extract_to=tmp_path / "extracted", **kwargs)
    assert tree_digest(path) == before, "read_submissions changed its input"
    return result


# -- plain folder ------------------------------------------------------------------------------------------------

def test_folder_top_level_and_nested_notebooks(tmp_path):
    root = tmp_path / "in"
    (root / "section_b").mkdir(parents=True)
    (root / "wang_li.ipynb").write_bytes(notebook_bytes("w"))
    (root / "section_b" / "zhao_min.ipynb").write_bytes(notebook_bytes("z"))
    (root / ".DS_Store").write_bytes(b"\0")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "wang_li-checkpoint.ipynb").write_bytes(notebook_bytes())
    subs = read_unchanged(root, tmp_path)
    assert [(s.student_id, s.problem) for s in subs] == [("wang_li", ""), ("zhao_min", "")]
    assert subs[1].notebook == root / "section_b" / "zhao_min.ipynb"
    assert all(s.submitted_at is None and s.student_name == "" for s in subs)


def test_folder_bad_inputs_become_problems(tmp_path):
    root = tmp_path / "in"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "a" / "twice.ipynb").write_bytes(notebook_bytes())
    (root / "b" / "twice.ipynb").write_bytes(notebook_bytes())
    (root / "essay.docx").write_bytes(b"PK\x03\x04 not really")
    (root / "broken.ipynb").write_text("{ this is not json", encoding="utf-8")
    (root / "list.ipynb").write_text("[1, 2]", encoding="utf-8")
    (root / "zipped.zip").write_bytes(b"PK\x03\x04 truncated")
    problems = {s.student_id: s.problem for s in read_unchanged(root, tmp_path)}
    assert problems["twice"].startswith("2 notebooks")
    assert problems["essay"] == "not a notebook: essay.docx"
    assert problems["broken"].startswith("not a valid notebook: broken.ipynb (JSONDecodeError")
    assert problems["list"] == "not a valid notebook: list.ipynb (no list of cells)"
    assert problems["zipped"].startswith("corrupt zip: zipped.zip")
    assert all(s.notebook is None for s in read_submissions(root, extract_to=tmp_path / "x"))


def test_oversized_notebook_is_a_problem_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(lms, "MAX_NOTEBOOK_BYTES", 1000)
    root = tmp_path / "in"
    root.mkdir()
    (root / "big.ipynb").write_bytes(notebook_bytes("x" * 5000))
    [sub] = read_unchanged(root, tmp_path)
    assert sub.notebook is None and sub.problem.startswith("notebook too large: big.ipynb")


def test_empty_folder_gives_no_submissions(tmp_path):
    (tmp_path / "in").mkdir()
    assert read_unchanged(tmp_path / "in", tmp_path) == []


def test_missing_path_and_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(SubmissionsError, match="does not exist"):
        read_submissions(tmp_path / "nowhere")
    (tmp_path / "in").mkdir()
    with pytest.raises(ArgumentError, match="layout='blackboard'"):
        read_submissions(tmp_path / "in", layout="blackboard")
    with pytest.raises(ArgumentError, match="inside the submissions folder"):
        read_submissions(tmp_path / "in", extract_to=tmp_path / "in" / "out")


def test_a_student_zip_holding_one_notebook_is_unpacked_elsewhere(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    with zipfile.ZipFile(root / "liu_yang.zip", "w") as archive:
        archive.writestr("work/liu_yang.ipynb", notebook_bytes("mine"))
        archive.writestr("work/data.csv", "a,b\n")
    [sub] = read_unchanged(root, tmp_path)
    assert sub.problem == "" and sub.notebook.is_file()
    assert tmp_path / "extracted" in sub.notebook.parents
    assert json.loads(sub.notebook.read_bytes())["cells"][0]["source"] == ["mine"]


# -- Canvas ------------------------------------------------------------------------------------------------------

def canvas_zip(path: Path) -> Path:
    """A Canvas "Download Submissions" zip as lib/content_zipper.rb names its members."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("wangli_12345_67890_a3_mediation.ipynb", notebook_bytes("wang"))
        archive.writestr("zhaomin_LATE_23456_67891_a3_mediation-1.ipynb", notebook_bytes("zhao"))
        archive.writestr("obrienpat_34567_67892_a3_mediation.ipynb", notebook_bytes("pat"))
        archive.writestr("obrienpat_34567_67893_notes.ipynb", notebook_bytes("pat2"))
        archive.writestr("chenjie_45678_67894_report.pdf", b"%PDF-1.4")
        archive.writestr("sunhua_56789_text.html", "<p>I could not upload</p>")
        archive.writestr("LATE_anon_Xy12Z_67895_a3_mediation.ipynb", notebook_bytes("anon"))
        archive.writestr("../escape_99_1_a3.ipynb", notebook_bytes("evil"))
    return path


def test_canvas_zip(tmp_path):
    download = canvas_zip(tmp_path / "submissions.zip")
    subs = {s.student_id: s for s in read_unchanged(download, tmp_path)}
    assert set(subs) == {"12345", "23456", "34567", "45678", "56789", "anon_Xy12Z"}
    assert subs["12345"].student_name == "wangli" and subs["12345"].problem == ""
    assert json.loads(subs["12345"].notebook.read_bytes())["cells"][0]["source"] == ["wang"]
    assert subs["34567"].problem.startswith("2 notebooks")
    assert subs["45678"].problem == "not a notebook: chenjie_45678_67894_report.pdf"
    assert subs["56789"].problem == "not a notebook: sunhua_56789_text.html"
    assert subs["anon_Xy12Z"].student_name == "" and subs["anon_Xy12Z"].problem == ""
    assert canvas_late(subs["23456"]) is True and canvas_late(subs["12345"]) is False
    assert canvas_late(subs["anon_Xy12Z"]) is True
    # nothing was written outside the extraction folder (the ../ member is never extracted)
    assert not (tmp_path / "escape_99_1_a3.ipynb").exists()
    assert all(tmp_path / "extracted" in s.notebook.parents for s in subs.values() if s.notebook)


def test_canvas_unpacked_folder_is_detected(tmp_path):
    download = canvas_zip(tmp_path / "submissions.zip")
    folder = tmp_path / "unpacked"
    folder.mkdir()
    with zipfile.ZipFile(download) as archive:
        for info in archive.infolist():
            if ".." not in info.filename:
                (folder / info.filename).write_bytes(archive.read(info))
    (folder / "README.txt").write_text("downloaded from Canvas")
    subs = {s.student_id: s for s in read_unchanged(folder, tmp_path)}
    assert subs["12345"].notebook == folder / "wangli_12345_67890_a3_mediation.ipynb"
    assert canvas_late(subs["23456"]) is True


def test_corrupt_canvas_zip_is_a_clear_error(tmp_path):
    bad = tmp_path / "submissions.zip"
    bad.write_bytes(b"PK\x03\x04" + b"\0" * 50)
    with pytest.raises(SubmissionsError, match="not a readable zip") as raised:
        read_submissions(bad)
    assert isinstance(raised.value, ChaoyangError)


# -- Moodle ------------------------------------------------------------------------------------------------------

def test_moodle_per_student_folders(tmp_path):
    root = tmp_path / "moodle"
    for folder, files in {
        "Wang Li_100234_assignsubmission_file_": {"a3_mediation.ipynb": notebook_bytes("w")},
        "Zhao Min_100235_assignsubmission_file_": {"a3.ipynb": notebook_bytes(), "b.ipynb": notebook_bytes()},
        "Chen Jie_100236_assignsubmission_file_": {},
        "Chen Jie_100236_assignsubmission_onlinetext_": {"onlinetext.html": b"<p>hi</p>"},
        "Participant_100237_assignsubmission_file_": {"sub/deeper.ipynb": notebook_bytes()},
    }.items():
        (root / folder).mkdir(parents=True)
        for name, data in files.items():
            (root / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (root / folder / name).write_bytes(data)
    subs = {s.student_id: s for s in read_unchanged(root, tmp_path)}
    assert subs["100234"].student_name == "Wang Li" and subs["100234"].problem == ""
    assert subs["100234"].notebook == root / "Wang Li_100234_assignsubmission_file_" / "a3_mediation.ipynb"
    assert subs["100235"].problem.startswith("2 notebooks")
    assert subs["100236"].problem == "no notebook"
    assert subs["100237"].student_name == "Participant" and subs["100237"].problem == ""


def test_moodle_zip_with_flat_names(tmp_path):
    download = tmp_path / "moodle.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("Wang Li_100234_assignsubmission_file_a3_mediation.ipynb", notebook_bytes("w"))
        archive.writestr("Liu Yang_100238_assignsubmission_file_a3_mediation.ipynb", b"\x89PNG not json")
    subs = {s.student_id: s for s in read_unchanged(download, tmp_path)}
    assert subs["100234"].problem == "" and subs["100234"].notebook.is_file()
    assert subs["100238"].problem.startswith("not a valid notebook")


def test_layout_can_be_forced(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "wangli_12345_67890_a3.ipynb").write_bytes(notebook_bytes())
    [as_folder] = read_unchanged(root, tmp_path, layout="folder")
    [as_canvas] = read_unchanged(root, tmp_path, layout="canvas")
    assert as_folder.student_id == "wangli_12345_67890_a3" and as_canvas.student_id == "12345"


# -- submission times --------------------------------------------------------------------------------------------

def test_submission_times_from_csv_and_moodle_worksheet(tmp_path):
    plain = tmp_path / "times.csv"
    plain.write_text("student_id,submitted_at\nwang_li,2026-11-30T23:59:00+08:00\nzhao_min,\n", encoding="utf-8")
    times = read_submission_times(plain)
    assert times == {"wang_li": datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc)}
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text("Identifier,Full name,Last modified (submission)\n"
                         "Participant 100234,Wang Li,2026-12-01T08:00:00+08:00\n", encoding="utf-8")
    assert read_submission_times(worksheet)["100234"].utcoffset().total_seconds() == 8 * 3600
    moodle = tmp_path / "moodle.csv"
    moodle.write_text('Identifier,Last modified (submission)\n"Participant 100235","Tuesday, 1 December 2026, 11:59 PM"\n',
                      encoding="utf-8")
    assert read_submission_times(moodle, tz="Asia/Shanghai")["100235"] == datetime(2026, 12, 1, 15, 59,
                                                                                   tzinfo=timezone.utc)
    with pytest.raises(SubmissionsError, match="pass tz="):
        read_submission_times(moodle)
    naive = tmp_path / "naive.csv"
    naive.write_text("student_id,submitted_at\nwang_li,2026-11-30 23:59\n", encoding="utf-8")
    with pytest.raises(SubmissionsError, match="line 2.*no time zone"):
        read_submission_times(naive)


def test_times_are_attached_to_submissions(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "wang_li.ipynb").write_bytes(notebook_bytes())
    when = datetime(2026, 12, 1, tzinfo=timezone.utc)
    [sub] = read_unchanged(root, tmp_path, times={"wang_li": when})
    assert sub.submitted_at == when
    with pytest.raises(ArgumentError, match="timezone-aware"):
        read_submissions(root, extract_to=tmp_path / "y", times={"wang_li": datetime(2026, 12, 1)})


def test_the_instructor_guide_states_the_real_size_limit():
    guide = (Path(__file__).resolve().parents[1] / "book" / "appendix" / "instructor-guide.md").read_text("utf-8")
    stated = re.search(r"notebook over (\d+) MB", " ".join(guide.split()))
    assert stated and int(stated.group(1)) * 2**20 == lms.MAX_NOTEBOOK_BYTES
