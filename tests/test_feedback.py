"""Feedback pages (issue #14, item 3): what students see, and the leak scan of every page.

The grades below are built so that hidden checks carry secrets everywhere a careless renderer could pick them
up — the check's name holds hidden-test source, the sandbox log and the exported answers hold the expected
values — while the hint (``CheckResult.message``) is the only hidden-check text a student may read. Every
rendered page is then scanned for those secrets.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chaoyang.teaching import assignments, feedback
from chaoyang.teaching.feedback import FeedbackLeakError, render_html, render_markdown, scan_for_leaks
from chaoyang.teaching.gradebook import write_run
from chaoyang.teaching.records import CheckResult, QuestionGrade, SandboxRun, Submission, SubmissionGrade

HIDDEN_SOURCE = "assert abs(std_paths['a1'] - 0.4127) < 0.12, 'far from the planted path'"
EXPECTED_VALUE = "0.4127"
EXPECTED_TABLE = "ind1 0.0831 0.0412 0.1290"
HINT = "Standardize the paths (std.all) and reverse-score PCR4 before fitting."
PUBLIC_MESSAGE = "std_paths needs the keys a1, a2, a3, b1, b2, b3, c"
FORBIDDEN = [HIDDEN_SOURCE, EXPECTED_VALUE, EXPECTED_TABLE, "q2 hidden: paths near the truth"]


def secret_grade(student_id: str, name: str, *, hidden_passed: bool, public_passed: bool = True) -> SubmissionGrade:
    public = CheckResult("q2 public 1", False, public_passed, 1.0 if public_passed else 0.0, 1.0, PUBLIC_MESSAGE)
    hidden = CheckResult(f"q2 hidden: paths near the truth [{HIDDEN_SOURCE}]", True, hidden_passed,
                         2.0 if hidden_passed else 0.0, 2.0, HINT)
    hidden2 = CheckResult(f"q3 hidden: {EXPECTED_TABLE}", True, False, 0.0, 3.0,
                          "The intervals should come from the bootstrap draws.")
    run = SandboxRun(answers={"std_paths": {"a1": float(EXPECTED_VALUE)}, "expected": EXPECTED_TABLE}, error="",
                     isolated=True, seconds=12.5, log=f"Traceback ... {HIDDEN_SOURCE} ... expected {EXPECTED_VALUE}")
    questions = (QuestionGrade("q2", public.points + hidden.points, 3.0, (public, hidden)),
                 QuestionGrade("q3", 0.0, 3.0, (hidden2,)))
    return SubmissionGrade(Submission(student_id, name, Path(f"{student_id}.ipynb")), questions, run)


def all_pages(grades) -> dict:
    pages = {}
    for grade in grades:
        pages[f"{grade.submission.student_id}.md"] = render_markdown(grade, assignment="a3_mediation")
        pages[f"{grade.submission.student_id}.html"] = render_html(grade, assignment="a3_mediation")
    return pages


GRADES = [secret_grade("101", "Wang Li", hidden_passed=False),
          secret_grade("102", "Zhao Min", hidden_passed=True, public_passed=False)]


def test_no_page_reveals_hidden_source_or_expected_values():
    pages = all_pages(GRADES)
    assert len(pages) == 4
    assert scan_for_leaks(pages, FORBIDDEN) == []


def test_the_scanner_finds_a_leak_through_html_and_markdown_escaping():
    """Positive control: a secret inside a public message is found in both formats, escaped as they are."""
    leaky = CheckResult("q2 public 2", False, False, 0.0, 1.0, f"expected {HIDDEN_SOURCE}")
    grade = SubmissionGrade(Submission("103", "Liu", None), (QuestionGrade("q2", 0.0, 1.0, (leaky,)),), None)
    pages = all_pages([grade])
    assert "&#x27;a1&#x27;" in pages["103.html"]  # the raw page does not contain the source verbatim ...
    assert sorted(scan_for_leaks(pages, [HIDDEN_SOURCE])) == [("103.html", HIDDEN_SOURCE), ("103.md", HIDDEN_SOURCE)]


def test_hidden_checks_show_pass_fail_and_the_hint_only_when_failed():
    failed, passed = (render_markdown(g, assignment="a3_mediation") for g in GRADES)
    assert "| hidden check 1 | failed |  | " + HINT.replace("_", "\\_") + " |" in failed
    assert "| hidden check 1 | passed |  |  |" in passed
    assert HINT not in passed
    # the public check keeps its name, points and message
    assert "| q2 public 1 | passed | 1 / 1 | " in failed and "| q2 public 1 | failed | 0 / 1 | " in passed
    assert "std\\_paths needs the keys a1, a2, a3, b1, b2, b3, c" in passed
    # totals: 1 (public) of 6 for the first student, 2 (hidden) of 6 for the second
    assert "**Total:** 1 / 6 autograded points" in failed
    assert "**Total:** 2 / 6 autograded points" in passed


def test_hostile_names_and_messages_are_escaped():
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    check = CheckResult("q1 public 1", False, False, 0.0, 1.0, evil + " | [link](javascript:alert(1))")
    grade = SubmissionGrade(Submission("666", evil, None, problem=evil), (QuestionGrade("q1", 0.0, 1.0, (check,)),),
                            None)
    html_page = render_html(grade, assignment="a1")
    md_page = render_markdown(grade, assignment="a1")
    for page in (html_page, md_page):
        assert "<script" not in page.lower() and "<img" not in page.lower()
        assert "&lt;script&gt;" in page
    assert re.search(r"(?<!\\)\]\(javascript", md_page) is None  # the brackets are escaped: no link
    # every table row of the Markdown page keeps its four cells despite the | in the message
    row = next(line for line in md_page.splitlines() if line.startswith("| q1 public 1"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 5


def test_html_page_is_self_contained():
    page = render_html(GRADES[0], assignment="a3_mediation")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    for outside in ("http://", "https://", "src=", "<link", "<script", "@import"):
        assert outside not in page


def test_reasons_for_missing_points_are_shown():
    grade = SubmissionGrade(Submission("7", "Chen", None, problem="2 notebooks: a.ipynb, b.ipynb (submit exactly one)"),
                            (), None)
    assert "2 notebooks: a.ipynb, b.ipynb" in render_html(grade, assignment="a1")
    timed_out = SubmissionGrade(Submission("8", "Sun", Path("8.ipynb")), (),
                                SandboxRun({}, "timeout after 300 s", True, 300.0, log="secret log"))
    page = render_markdown(timed_out, assignment="a1")
    assert "timeout after 300 s" in page and "secret log" not in page


def test_write_run_refuses_to_write_a_leaking_page(tmp_path):
    leaky = CheckResult("q1 public 1", False, False, 0.0, 1.0, f"should equal {EXPECTED_VALUE}")
    grade = SubmissionGrade(Submission("9", "Hu", None), (QuestionGrade("q1", 0.0, 1.0, (leaky,)),), None)
    with pytest.raises(FeedbackLeakError, match="9.md"):
        write_run([grade], tmp_path, assignment="a3_mediation", forbidden=[EXPECTED_VALUE])
    assert not (tmp_path / "a3_mediation").exists() or not any((tmp_path / "a3_mediation").iterdir())


def test_write_run_scans_against_the_masters_hidden_tests(tmp_path):
    """Without being told, write_run refuses a page quoting a hidden-test line of the assignment's master."""
    secret = sorted(assignments.secret_lines(assignments.get("a3_mediation").master))[0]
    leaky = CheckResult("q1 public 1", False, False, 0.0, 1.0, secret)
    grade = SubmissionGrade(Submission("10", "Ma", None), (QuestionGrade("q1", 0.0, 1.0, (leaky,)),), None)
    with pytest.raises(FeedbackLeakError):
        write_run([grade], tmp_path, assignment="a3_mediation")
    # the same grades with the secret only in hidden-check names pass, and every written page is clean
    hidden = CheckResult(f"q1 hidden: {secret}", True, False, 0.0, 1.0, "Check the interval bounds.")
    clean = SubmissionGrade(Submission("10", "Ma", None), (QuestionGrade("q1", 0.0, 1.0, (hidden,)),), None)
    run = write_run([clean], tmp_path, assignment="a3_mediation")
    written = {p.name: p.read_text(encoding="utf-8") for p in (run / "feedback").iterdir()}
    assert sorted(written) == ["10.html", "10.md"]
    assert scan_for_leaks(written, assignments.secret_lines(assignments.get("a3_mediation").master)) == []


def test_scanner_ignores_strings_too_short_to_mean_anything():
    assert scan_for_leaks({"p": "q1: 1 / 2"}, ["1", "q1"]) == []
    assert scan_for_leaks([("p", "value 0.731")], ["0.731"], min_length=3) == [("p", "0.731")]


def test_student_error_joins_reasons_without_repeats():
    grade = SubmissionGrade(Submission("1", "", None, problem="no notebook"), (), None, error="no notebook")
    assert feedback.student_error(grade) == "no notebook"


def test_command_line_check_finds_a_planted_leak(tmp_path, capsys):
    run = write_run(GRADES, tmp_path, assignment="a3_mediation")
    assert feedback.main(["a3_mediation", "--out", str(tmp_path)]) == 0
    assert "2 students' feedback pages" in capsys.readouterr().out
    secret = sorted(assignments.secret_lines(assignments.get("a3_mediation").master))[0]
    (run / "feedback" / "101.md").write_text(f"expected: {secret}", encoding="utf-8")
    assert feedback.main(["a3_mediation", "--run", str(run)]) == 1
    assert "LEAK 101.md" in capsys.readouterr().err


def test_chinese_pages_reveal_nothing_either(tmp_path):
    """The same leak scan on the Chinese edition's pages (``lang="zh_CN"``, issue #17): translated headings and
    hints, and still no hidden-test source, expected value or hidden check name."""
    pages = {}
    for grade in GRADES:
        for fmt, render in (("md", render_markdown), ("html", render_html)):
            pages[f"{grade.submission.student_id}.{fmt}"] = render(grade, assignment="a3_mediation", lang="zh_CN")
    assert scan_for_leaks(pages, FORBIDDEN) == []
    assert all("隐藏检查 1" in page for page in pages.values())
    # the scanner still finds a leak in a Chinese page
    leaky = CheckResult("q1 public 1", False, False, 0.0, 1.0, f"should equal {EXPECTED_VALUE}")
    grade = SubmissionGrade(Submission("9", "胡", None), (QuestionGrade("q1", 0.0, 1.0, (leaky,)),), None)
    with pytest.raises(FeedbackLeakError, match="9.md"):
        write_run([grade], tmp_path, assignment="a3_mediation", forbidden=[EXPECTED_VALUE], lang="zh_CN")
    secret = sorted(assignments.secret_lines(assignments.get("a3_mediation").master))[0]
    hidden = CheckResult(f"q1 hidden: {secret}", True, False, 0.0, 1.0,
                         "direct_ci is not the bootstrap interval of path c, or direct_significant does not follow "
                         "from it.")
    clean = SubmissionGrade(Submission("10", "马", None), (QuestionGrade("q1", 0.0, 1.0, (hidden,)),), None)
    run = write_run([clean], tmp_path, assignment="a3_mediation", lang="zh_CN")
    written = {p.name: p.read_text(encoding="utf-8") for p in (run / "feedback").iterdir()}
    assert scan_for_leaks(written, assignments.secret_lines(assignments.get("a3_mediation").master)) == []
    from chaoyang.teaching.catalogs import translator

    hint_zh = translator("teaching", "zh_CN")(hidden.message)
    assert hint_zh != hidden.message and "路径 c" in hint_zh  # the reviewed Chinese hint, from teaching.po
    assert hint_zh in written["10.html"] and '<html lang="zh-CN">' in written["10.html"]


def test_grading_refuses_an_unknown_language_before_running_anything(tmp_path):
    from chaoyang.teaching import grading
    from chaoyang.teaching.catalogs import CatalogError

    (tmp_path / "subs").mkdir()
    with pytest.raises(CatalogError, match="'fr'"):
        grading.grade("a3_mediation", tmp_path / "subs", out_root=tmp_path / "out", lang="fr", progress=None)
