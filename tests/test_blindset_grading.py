"""Red team: grading a1 with a private blind set through the real pipeline and the bubblewrap sandbox (issue #14).

One batch of two notebooks, graded with the kit's own stages (variants, checks, gradebook) and the
worked-example blind set kept in a temporary folder named by ``CHAOYANG_BLIND_SET`` in the grader's
environment:

* ``snoop`` reads ``CHAOYANG_BLIND_SET``, opens the set's files at the path the instructor keeps
  them (an attacker who knows it), walks the whole file system it can see for ``coding.csv`` or
  ``passages.json``, and would copy any coding it found; it finds nothing and codes nothing, so it
  scores 0 on question 4;
* ``honest`` reads the passage from ``data/blind_passage.json`` and codes it as a person would (two
  sentences differ from the reference) and gets question 4's 4 points.

A control batch runs the same attack without the sandbox: it finds the set, copies its coding and
scores 4, so the sandbox is what stops it. A batch without a set checks the console and gradebook
warnings. The first test needs a usable bubblewrap: skipped without one, but FAILS in CI (``CI=true``).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chaoyang.teaching import blindset, checks, grading
from chaoyang.teaching.blindset import write_template
from chaoyang.teaching.gradebook import read_gradebook

from _grading_standins import notebook
from test_blindset import HONEST
from test_grading_redteam import _require_bwrap

pytestmark = pytest.mark.xdist_group("sandbox")

A1 = "a1_grounded_coding"
SECRET = "a course secret for the blind set red team"
EXTRA = ["found", "env_blind", "opened"]

SETUP = """
import json
from pathlib import Path
from chaoyang.teaching.checks.a1 import sentence_units
from chaoyang.teaching.variants import open_variant
DATA, VARIANT = open_variant("a1_grounded_coding")
doc = json.loads((DATA / "blind_passage.json").read_text(encoding="utf-8"))
passage_units = sentence_units(doc, answers=VARIANT["blind_answers"])
"""

SNOOP = """
import os
env_blind = os.environ.get("CHAOYANG_BLIND_SET")
opened = []
for name in ("coding.csv", "passages.json"):
    try:
        opened.append(open(os.path.join(KNOWN, name)).read()[:80])
    except OSError:
        pass
found = []
for root, dirs, files in os.walk("/"):
    if root == "/":
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
    for name in files:
        if name in ("coding.csv", "passages.json") or (env_blind and env_blind in root):
            path = os.path.join(root, name)
            try:
                if "X01" in open(path, errors="replace").read():
                    found.append(path)
            except OSError:
                pass
labels = ["NONE"] * len(passage_units)
for path in found:  # copy any coding it finds
    import pandas as pd
    if path.endswith("coding.csv"):
        codes = pd.read_csv(path)
        from chaoyang.data import load
        from chaoyang.teaching.checks.a1 import reference_labels
        cat = {c["id"]: c["category"] for c in load("codebook")["codes"]}
        labels = reference_labels(passage_units, codes, cat)
my_labels = labels
"""


def _grade(tmp_path, subs, lines, **kwargs):
    stages = grading.Stages.default()
    stages = replace(stages, answer_names=lambda a: checks.answer_names(a) + EXTRA)
    return grading.grade(A1, subs, out_root=tmp_path / "out", timeout=180, memory_mb=2048, manifest=None,
                         stages=stages, progress=lines.append, **kwargs)


def _q4(grade_row_list, student):
    return next(r for r in grade_row_list if r["student_id"] == student and r["question"] == "q4")


def test_the_sandbox_cannot_reach_the_blind_set_and_points_follow_the_coding(tmp_path, monkeypatch):
    _require_bwrap()
    blind = write_template(tmp_path / "instructor" / "blind-set")
    monkeypatch.setenv("CHAOYANG_COURSE_SECRET", SECRET)
    monkeypatch.setenv(blindset.BLIND_SET_ENV, str(blind))
    subs = tmp_path / "submissions"
    subs.mkdir()
    notebook(subs / "snoop.ipynb", SETUP, f"KNOWN = {str(blind)!r}", SNOOP)
    notebook(subs / "honest.ipynb", SETUP, f"assert len(passage_units) == {len(HONEST)}\nmy_labels = {HONEST!r}")
    lines: list[str] = []
    run = _grade(tmp_path, subs, lines, isolation="bwrap")
    grades = json.loads((run / "grades.json").read_text())
    answers = {g["submission"]["student_id"]: g["run"]["answers"] for g in grades}
    errors = {g["submission"]["student_id"]: g["error"] for g in grades}
    assert errors == {"honest": "", "snoop": ""}
    assert answers["snoop"]["found"] == [] and answers["snoop"]["opened"] == []
    assert answers["snoop"]["env_blind"] is None
    rows = read_gradebook(run / "gradebook.csv")
    assert float(_q4(rows, "snoop")["points"]) == 0.0
    assert float(_q4(rows, "honest")["points"]) == 4.0
    assert {r["blind_gold"] for r in rows} == {"private"} and {r["isolated"] for r in rows} == {"true"}
    integrity = json.loads((run / "integrity.json").read_text())
    assert integrity["blind_set"]["path"] == str(blind.resolve())
    assert not any("no private blind set" in line for line in lines)
    # the feedback pages carry no private code either
    codes = set(blindset.example_passage()[1]["code"])
    for page in (run / "feedback").iterdir():
        assert not any(code in page.read_text() for code in codes), page.name

    # Control: the same attack without the sandbox (its walk limited to the set's parent folder, to stay
    # quick) finds the set, copies its coding and scores 4: the sandbox is what stops it.
    control = tmp_path / "control"
    control.mkdir()
    local = SNOOP.replace('os.walk("/")', "os.walk(os.path.dirname(KNOWN))")
    notebook(control / "snoop.ipynb", SETUP, f"KNOWN = {str(blind)!r}", local)
    lines = []
    run = _grade(tmp_path, control, lines, isolation="none")
    (grade,) = json.loads((run / "grades.json").read_text())
    assert len(grade["run"]["answers"]["found"]) == 2 and len(grade["run"]["answers"]["opened"]) == 2
    assert float(_q4(read_gradebook(run / "gradebook.csv"), "snoop")["points"]) == 4.0
    assert any("unisolated notebooks can read the blind set" in line for line in lines)


def test_without_a_set_console_and_gradebook_say_the_gold_is_public(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAOYANG_COURSE_SECRET", SECRET)
    monkeypatch.delenv(blindset.BLIND_SET_ENV, raising=False)
    subs = tmp_path / "submissions"
    subs.mkdir()
    notebook(subs / "s1.ipynb", "my_labels = ['NONE']")
    notebook(subs / "s2.ipynb", "my_labels = []")
    lines: list[str] = []
    run = _grade(tmp_path, subs, lines, isolation="auto")
    assert lines.count(blindset.PUBLIC_GOLD) == 2                   # before and after the batch
    per_row = [line for line in lines if line.startswith(("s1:", "s2:"))]
    assert len(per_row) == 2 and all(line.endswith("[BLIND GOLD PUBLIC]") for line in per_row)
    rows = read_gradebook(run / "gradebook.csv")
    assert len(rows) == 8 and {r["blind_gold"] for r in rows} == {"public"}
    assert json.loads((run / "run.json").read_text())["blind_gold"] == "public"
    assert json.loads((run / "integrity.json").read_text())["blind_set"].startswith("none")


def test_a_blind_set_where_the_sandbox_binds_files_is_refused(tmp_path, monkeypatch):
    blind = write_template(tmp_path / "env" / "blind-set")
    monkeypatch.setenv("CHAOYANG_COURSE_SECRET", SECRET)
    monkeypatch.setattr(grading.sandbox, "bound_host_paths", lambda: [str(tmp_path / "env")])
    subs = tmp_path / "submissions"
    subs.mkdir()
    notebook(subs / "s1.ipynb", "my_labels = []")
    with pytest.raises(grading.GradingError, match="which the grading sandbox binds read-only"):
        _grade(tmp_path, subs, [], isolation="auto", blind_set=blind)
    assert not (tmp_path / "out").exists()
