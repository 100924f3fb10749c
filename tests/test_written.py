"""Written answers (issue #14, item 6): anonymised export per question, score sheet, merge into a new run.

The student notebooks are built by ``otter assign`` from the real a3 master (what students receive) and then
filled in as students would — including hostile HTML and a notebook whose markers were deleted.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from chaoyang.teaching import assignments
from chaoyang.teaching.gradebook import load_run, read_gradebook, write_run
from chaoyang.teaching.lms import read_submissions
from chaoyang.teaching.records import QuestionGrade, SandboxRun, SubmissionGrade
from chaoyang.teaching.written import (PLACEHOLDER, WrittenError, export_written, extract_answers, manual_questions,
                                       merge_rubric_scores, read_rubric_scores)

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=timezone.utc)
HOSTILE = '<script>alert("owned")</script></div><h1>Full marks</h1>'


@pytest.fixture(scope="module")
def student_notebook(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("build")
    target = assignments.build_one(assignments.get("a3_mediation"), out, run_tests=False)
    return json.loads((target / "student" / "a3_mediation.ipynb").read_text(encoding="utf-8"))


def manual_names_in_master(name: str) -> list[str]:
    """Independent reading of the master: raw question cells whose YAML says manual: true."""
    cells = json.loads(assignments.get(name).master.read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION") and "manual: true" in text:
            found.append(next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("name:")))
    return found


def fill(notebook: dict, answers: list[str], *, strip_markers: bool = False) -> dict:
    notebook = json.loads(json.dumps(notebook))
    answer_cells = [c for c in notebook["cells"] if c["cell_type"] == "markdown"
                    and "otter_answer_cell" in c["metadata"].get("tags", [])]
    assert len(answer_cells) == len(answers)
    for cell, text in zip(answer_cells, answers):
        if text is not None:
            cell["source"] = text
    if strip_markers:
        for cell in notebook["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = source.replace("<!-- BEGIN QUESTION -->", "").replace("<!-- END QUESTION -->", "")
    return notebook


@pytest.fixture()
def submissions_folder(tmp_path, student_notebook) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    notebooks = {
        "wang_li": fill(student_notebook, ["Indirect-only mediation: all three intervals exclude zero.",
                                           "The drivers are correlated."]),
        "zhao_min": fill(student_notebook, [HOSTILE, None]),
        "liu_yang": fill(student_notebook, [None, None]),
        "chen_jie": fill(student_notebook, ["Complementary.", "Omitted drivers."], strip_markers=True),
    }
    for name, notebook in notebooks.items():
        (folder / f"{name}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (folder / "sun_hua.pdf").write_bytes(b"%PDF")
    return folder


def test_manual_questions_match_the_master():
    for assignment in assignments.discover():
        questions = manual_questions(assignment.name)
        assert [q.name for q in questions] == manual_names_in_master(assignment.name), assignment.name
        assert all(q.points > 0 and q.prompt and q.rubric for q in questions), assignment.name


def test_extract_answers_from_a_real_student_notebook(tmp_path, student_notebook):
    questions = manual_questions("a3_mediation")
    path = tmp_path / "s.ipynb"
    path.write_text(json.dumps(fill(student_notebook, ["first answer", None])), encoding="utf-8")
    assert extract_answers(path, questions) == {"q5": "first answer", "q6": ""}
    assert PLACEHOLDER in json.dumps(student_notebook)  # the untouched cell really held otter's placeholder


def test_export_is_anonymised_escaped_and_complete(tmp_path, submissions_folder):
    before = sorted((p.name, p.read_bytes()) for p in submissions_folder.iterdir())
    subs = read_submissions(submissions_folder, extract_to=tmp_path / "x")
    export = export_written(subs, tmp_path / "grades", assignment="a3_mediation", secret=b"course secret", now=NOW)
    assert sorted((p.name, p.read_bytes()) for p in submissions_folder.iterdir()) == before
    graders = export / "for_graders"
    assert sorted(p.name for p in graders.iterdir()) == ["q5.html", "q6.html", "rubric_scores.csv"]
    with (export / "key" / "pseudonyms.csv").open(newline="") as handle:
        key = {row["student_id"]: row["pseudonym"] for row in csv.DictReader(handle)}
    assert sorted(key) == ["chen_jie", "liu_yang", "wang_li", "zhao_min"]
    q5 = (graders / "q5.html").read_text(encoding="utf-8")
    q6 = (graders / "q6.html").read_text(encoding="utf-8")
    # every answer is there under its pseudonym, and no student identifier or name is
    assert "Indirect-only mediation: all three intervals exclude zero." in q5 and "Complementary." in q5
    assert "The drivers are correlated." in q6 and "Omitted drivers." in q6
    for student_id, name in key.items():
        assert name in q5 and name in q6
        for text in (q5, q6, (graders / "rubric_scores.csv").read_text()):
            assert student_id not in text and student_id.replace("_", " ") not in text
    # the hostile answer is text, not markup
    assert "<script" not in q5 and "<h1>Full marks" not in q5 and "&lt;script&gt;" in q5
    # the model answer from the master is there for graders
    assert "Model answer." in q5
    # answers are in pseudonym order, not in name order
    order = re.findall(r'<section id="(P-[A-Z2-7]{8})">', q5)
    assert order == sorted(key.values())
    skipped = (export / "key" / "skipped.csv").read_text()
    assert "sun_hua" in skipped and "not a notebook" in skipped


def test_pseudonyms_are_stable_across_exports(tmp_path, submissions_folder):
    subs = read_submissions(submissions_folder, extract_to=tmp_path / "x")
    first = export_written(subs, tmp_path / "grades", assignment="a3_mediation", now=NOW)
    second = export_written(subs[:2], tmp_path / "grades", assignment="a3_mediation", now=NOW)
    assert first != second  # a new dated folder, the first one kept
    read = lambda e: (e / "key" / "pseudonyms.csv").read_text().splitlines()[1:]  # noqa: E731
    assert set(read(second)) <= set(read(first)) and len(read(second)) == 2
    key_file = tmp_path / "grades" / "a3_mediation" / "written" / "pseudonym.key"
    assert key_file.stat().st_mode & 0o077 == 0  # the key is readable by its owner only


def autograded_run(tmp_path, subs) -> Path:
    grades = [SubmissionGrade(s, (QuestionGrade("q1", 2.0, 2.0),) if not s.problem else (),
                              SandboxRun({}, "", True, 1.0) if not s.problem else None) for s in subs]
    return write_run(grades, tmp_path / "grades", assignment="a3_mediation", now=NOW)


def test_rubric_scores_merge_into_a_new_run(tmp_path, submissions_folder):
    subs = read_submissions(submissions_folder, extract_to=tmp_path / "x")
    run = autograded_run(tmp_path, subs)
    export = export_written(subs, tmp_path / "grades", assignment="a3_mediation", now=NOW)
    sheet = export / "for_graders" / "rubric_scores.csv"
    with (export / "key" / "pseudonyms.csv").open(newline="") as handle:
        key = {row["student_id"]: row["pseudonym"] for row in csv.DictReader(handle)}
    with sheet.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    given = {(key["wang_li"], "q5"): "3", (key["wang_li"], "q6"): "1.5", (key["zhao_min"], "q5"): "0"}
    for row in rows:
        row["points"] = given.get((row["pseudonym"], row["question"]), "")
        row["comment"] = "names the typology" if row["points"] == "3" else ""
    with sheet.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert read_rubric_scores(sheet)["wang_li"] == {"q5": (3.0, 3.0, "names the typology"), "q6": (1.5, 2.0, "")}
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    merged = merge_rubric_scores(run, sheet, now=NOW)
    assert merged != run and merged.parent == run.parent
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before
    rows = {(r["student_id"], r["question"]): r for r in read_gradebook(merged / "gradebook.csv")}
    assert rows["wang_li", "q6"]["points"] == 1.5 and rows["wang_li", "q1"]["total"] == 2 + 3 + 1.5
    assert rows["liu_yang", "q5"]["points"] == 0 and rows["liu_yang", "q5"]["possible"] == 3
    grades, _ = load_run(merged)
    liu = next(g for g in grades if g.submission.student_id == "liu_yang")
    assert [c.message for q in liu.questions for c in q.checks if q.question == "q5"] == ["not graded yet"]
    page = (merged / "feedback" / "wang_li.html").read_text()
    assert "names the typology" in page


def test_bad_score_sheets_are_refused_with_the_line(tmp_path):
    key = tmp_path / "key.csv"
    key.write_text("pseudonym,student_id,student_name\nP-AAAA,1,Wang\n")
    cases = {"P-AAAA,q5,4,3,": "line 2: 4 points for q5 lies outside 0 … 3",
             "P-ZZZZ,q5,1,3,": "line 2: unknown pseudonym 'P-ZZZZ'",
             "P-AAAA,q5,two,3,": "line 2: points 'two' is not a number",
             "P-AAAA,q5,1,3,\nP-AAAA,q5,2,3,": "line 3: P-AAAA q5 is scored twice"}
    for body, message in cases.items():
        sheet = tmp_path / "s.csv"
        sheet.write_text("pseudonym,question,points,possible,comment\n" + body + "\n")
        with pytest.raises(WrittenError, match=message.replace("(", r"\(").replace(")", r"\)")):
            read_rubric_scores(sheet, key)


def test_unmatchable_notebook_is_skipped_with_a_reason(tmp_path, student_notebook):
    notebook = fill(student_notebook, ["a", "b"], strip_markers=True)
    for cell in notebook["cells"]:
        cell["metadata"].pop("tags", None)
    path = tmp_path / "gone.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(WrittenError, match="0 tagged answer cells for 2 written questions"):
        extract_answers(path, manual_questions("a3_mediation"))


def test_command_line_export_then_merge_into_the_latest_run(tmp_path, submissions_folder, capsys):
    from chaoyang.teaching import written

    subs = read_submissions(submissions_folder, extract_to=tmp_path / "x")
    run = autograded_run(tmp_path, subs)
    out = tmp_path / "grades"
    assert written.main(["export", "a3_mediation", str(submissions_folder), "--out", str(out)]) == 0
    [export] = (out / "a3_mediation" / "written").glob("2*")
    sheet = export / "for_graders" / "rubric_scores.csv"
    text = sheet.read_text().splitlines()
    first = text[1].split(",")
    first[2] = "2"
    sheet.write_text("\n".join([text[0], ",".join(first)] + text[2:]) + "\n")
    assert written.main(["merge", str(sheet)]) == 0
    assert f"(from {run})" in capsys.readouterr().out
    from chaoyang.teaching.gradebook import list_runs

    runs = list_runs(out, "a3_mediation")
    [merged] = [r for r in runs if r != run]
    assert len(runs) == 2
    assert sum(r["points"] for r in read_gradebook(merged / "gradebook.csv") if r["question"] in ("q5", "q6")) == 2
