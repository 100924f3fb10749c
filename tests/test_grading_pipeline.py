"""The whole grading pipeline with the kit's own stages (issue #14): LMS reading, variants, sandbox,
checks, gradebook — what ``make grade`` runs.

The stages come from three parallel branches (sandbox/orchestration, variants/checks, LMS/gradebook);
until all three are merged this module is skipped by ``pytest.importorskip`` (it says which module is
missing). Once merged, it grades an assignment's public master (a worked example on the practice
variant) and an empty notebook against a secret variant, in the sandbox where bubblewrap works.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from chaoyang.teaching import grading, sandbox

for _stage in ("lms", "variants", "checks", "gradebook"):
    pytest.importorskip(f"chaoyang.teaching.{_stage}", reason=f"chaoyang.teaching.{_stage} is not merged yet")

from chaoyang.teaching import assignments  # noqa: E402

pytestmark = pytest.mark.xdist_group("sandbox")

ASSIGNMENT = "a4_participation"
SECRET = "0123456789abcdef-pipeline-test-secret"


def test_make_grade_pipeline_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAOYANG_COURSE_SECRET", SECRET)
    subs = tmp_path / "submissions"
    subs.mkdir()
    master = assignments.get(ASSIGNMENT).master
    shutil.copyfile(master, subs / "worked_example.ipynb")
    blank = json.loads(master.read_text(encoding="utf-8"))
    blank["cells"] = [c for c in blank["cells"] if c["cell_type"] == "markdown"]
    (subs / "blank.ipynb").write_text(json.dumps(blank), encoding="utf-8")
    (subs / "broken.ipynb").write_text("not json", encoding="utf-8")
    before = grading.folder_digest(subs)
    lines = []
    run_dir = grading.grade(ASSIGNMENT, subs, out_root=tmp_path / "out", timeout=300, manifest=None,
                            progress=lines.append)
    assert grading.folder_digest(subs) == before
    rows = list(csv.DictReader((run_dir / "gradebook.csv").open(encoding="utf-8")))
    totals = {r["student_id"]: float(r["total"]) for r in rows}
    possible = sum(float(r["possible"]) for r in rows if r["student_id"] == "blank")
    assert set(totals) == {"worked_example", "blank", "broken"}
    assert totals["blank"] == 0.0 and totals["broken"] == 0.0
    # the public worked example is not an answer key for a secret variant
    assert totals["worked_example"] < 0.5 * possible
    assert all("notebook" in r["error"] for r in rows if r["student_id"] == "broken")  # a clear reason
    isolated = sandbox.isolation_available() is None
    assert {r["isolated"] for r in rows if r["student_id"] != "broken"} == {"true" if isolated else "false"}
    integrity = json.loads((run_dir / "integrity.json").read_text())
    assert integrity["submissions_unchanged"] is True
    assert (run_dir / "feedback" / "blank.md").is_file()
