"""Red team: hostile submissions graded in one batch through the bubblewrap sandbox (issue #14).

The notebooks in ``tests/redteam/`` each try one attack: (a) rewrite or delete test and check files,
(b) find hidden tests, masters, other submissions, the secret and the instructor's home, (c) leave
``setsid`` and double-forked processes running, (d) loop forever, (e) exhaust memory, (f) fill the
disk, (g) write outside their copy, (h) kill their parent and the grader, (i) reach the network,
(j) start far more processes than allowed; plus corrupt, empty, non-notebook and oversized files.
Every one of them also sets ``q1 = 42``, while the stand-in check (``tests/_grading_standins.py``)
gives the point only for the student's own variant value, so no attack is worth a point.

The test plants a fake repository (tests, an ``exercises/`` master, an ``autograder.zip``), a fake
instructor home holding a secret file, and a TCP server on the host's loopback, tells the notebooks
where they are (``data/targets.json``), grades the batch once, and then checks that the batch
finished, every row has a clear reason, nothing outside the sandbox changed, no background process
survived, the server saw no connection and the secret never reached a notebook.

Needs a usable bubblewrap: skipped without one, but FAILS in CI (``CI=true``), where ``.ci/run``
installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import uuid
from pathlib import Path

import pytest

from chaoyang.teaching import grading, sandbox
from chaoyang.teaching.answers import decode

from _grading_standins import HONEST, Recorder, notebook, variant_n

pytestmark = pytest.mark.xdist_group("sandbox")

REDTEAM = Path(__file__).parent / "redteam"
REPO = Path(grading.__file__).resolve().parents[3]
TIMEOUT = 20
MEMORY_MB = 1024
DISK_MB = 48
MAX_PROCS = 16
DIAGNOSTICS = ["q1", "tampered", "score", "found", "env_secret", "environment", "started", "allocated_mb",
               "written_mb", "written", "survived", "in_sandbox", "reached", "refused"]


def _require_bwrap():
    reason = sandbox.isolation_available()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the grading sandbox cannot run: {reason}")
        pytest.skip(reason)


def _marked_processes(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if marker.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    _require_bwrap()
    root = tmp_path_factory.mktemp("redteam")
    marker = "redteam" + uuid.uuid4().hex[:10]
    # what an attacker would want: a repository with tests, masters and an autograder, a home with the secret
    planted = root / "planted"
    for path, text in {"repo/tests/test_a1.py": "def test_q1():\n    assert q1 == n\n",
                       "repo/exercises/a1_coding/a1_coding.ipynb": '{"cells": [], "solution": "q1 = n"}',
                       "repo/_build/assignments/a1_coding/autograder/autograder.zip": "PK hidden tests",
                       "home/instructor/.chaoyang/course-secret": "s3cret-of-the-course"}.items():
        (planted / path).parent.mkdir(parents=True, exist_ok=True)
        (planted / path).write_text(text)
    subs = root / "submissions"
    subs.mkdir()
    for source in sorted(REDTEAM.glob("*.ipynb")):
        shutil.copyfile(source, subs / source.name)
    notebook(subs / "honest.ipynb", HONEST)
    big = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "q1 = 42"}],
           "metadata": {"padding": "x" * (sandbox.MAX_NOTEBOOK_BYTES + 1)}, "nbformat": 4, "nbformat_minor": 5}
    (subs / "oversized.ipynb").write_text(json.dumps(big))
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    sandbox_python = sandbox._python_dirs()
    home = Path.home()
    # the real home too, unless the interpreter itself lives there (then that folder is bound on purpose)
    real_home = [] if any(p.startswith(str(home)) for p in sandbox_python) else [str(home)]
    # "paths" are attacked (written, deleted); "look" only looked for, so a broken sandbox cannot damage the checkout
    paths = [str(planted / "repo"), str(planted / "home"), str(subs)]
    look = [str(REPO / "tests"), str(REPO / "exercises"), str(REPO / "src"), *real_home]
    targets = root / "targets.json"
    targets.write_text(json.dumps({"paths": paths, "look": look, "marker": marker, "port": server.getsockname()[1]}))
    before = {"planted": grading.folder_digest(planted), "subs": grading.folder_digest(subs),
              "code": grading.code_hashes(), "tests": grading.folder_digest(REPO / "tests" / "redteam")}
    stages = Recorder(extra_files={"targets.json": targets}, names=DIAGNOSTICS)
    os.environ["CHAOYANG_COURSE_SECRET"] = "s3cret-of-the-course"
    lines: list[str] = []
    try:
        started = time.monotonic()
        run_dir = grading.grade("a1_coding", subs, out_root=root / "out", timeout=TIMEOUT, memory_mb=MEMORY_MB,
                                isolation="bwrap", manifest=None, stages=stages.stages(), progress=lines.append,
                                disk_mb=DISK_MB, max_procs=MAX_PROCS)
        seconds = time.monotonic() - started
    finally:
        os.environ.pop("CHAOYANG_COURSE_SECRET", None)
    time.sleep(1.0)  # give the kernel a moment to reap the killed sandboxes
    connections = 0
    while True:
        try:
            server.accept()[0].close()
            connections += 1
        except BlockingIOError:
            break
    server.close()
    after = {"planted": grading.folder_digest(planted), "subs": grading.folder_digest(subs),
             "code": grading.code_hashes(), "tests": grading.folder_digest(REPO / "tests" / "redteam")}
    grades = stages.by_student()
    answers = {sid: {k: decode(v) for k, v in g.run.answers.items()} if g.run else {} for sid, g in grades.items()}
    return {"grades": grades, "answers": answers, "before": before, "after": after, "marker": marker,
            "connections": connections, "run_dir": run_dir, "lines": lines, "root": root, "planted": planted,
            "seconds": seconds, "paths": paths + look}


def test_the_batch_finishes_with_a_row_and_a_verdict_for_every_file(batch):
    expected = {p.stem for p in REDTEAM.glob("*.ipynb")} | {"honest", "oversized"}
    assert set(batch["grades"]) == expected
    assert len(batch["lines"]) == len(expected)
    for sid, grade in batch["grades"].items():
        assert grade.run is None or grade.run.isolated, f"{sid} ran outside the sandbox"


def test_only_the_honest_notebook_scores(batch):
    totals = {sid: g.total for sid, g in batch["grades"].items()}
    assert totals.pop("honest") == 1.0 and batch["grades"]["honest"].error == ""
    assert variant_n("a_tamper") != 42, "the stand-in variant happens to be 42; change the test secret"
    assert set(totals.values()) == {0.0}, totals
    # the attacks still ran and exported their (worthless) q1 = 42
    assert batch["answers"]["a_tamper"]["q1"] == 42 and batch["answers"]["a_tamper"]["score"] == 100


def test_clear_reasons_for_bad_and_runaway_submissions(batch):
    errors = {sid: g.error for sid, g in batch["grades"].items()}
    assert errors["d_forever"].startswith(f"timeout after {TIMEOUT} s (in code cell 2)")
    assert errors["e_memory"] == "code cell 3 raised MemoryError"
    assert errors["empty"] == "not a notebook: the file is empty"
    assert errors["corrupt"].startswith("not a notebook") and errors["not_a_notebook"].startswith("not a notebook")
    assert "MB (limit 21 MB)" in errors["oversized"]
    assert ("more than 16 processes" in errors["j_many_processes"]
            or "Resource temporarily unavailable" in str(batch["answers"]["j_many_processes"].get("refused")))
    for sid in ("a_tamper", "b_snoop", "c_background", "f_disk", "g_outside", "h_kill_parent", "i_network"):
        assert errors[sid] == "", f"{sid}: {errors[sid]}"


def test_nothing_outside_the_sandbox_changed(batch):
    for what in ("planted", "subs", "code", "tests"):
        assert batch["after"][what] == batch["before"][what], f"the {what} files changed during grading"
    marker = batch["marker"]
    leftovers = [p for p in Path(batch["root"]).rglob(f"*{marker}*")] + list(Path("/tmp").glob(f"*{marker}*"))
    leftovers += [p for p in (REPO / f"{marker}.txt", REPO.parent / f"{marker}.txt") if p.exists()]
    assert leftovers == []
    written = batch["answers"]["g_outside"]["written"]
    # what it could write is its own tmpfs: /tmp, its home and its working folder; never a planted path
    assert all(p.startswith(("/tmp/", sandbox.SANDBOX_HOME + "/")) for p in written), written
    assert batch["answers"]["a_tamper"]["tampered"] == []


def test_hidden_material_other_submissions_home_and_secret_are_invisible(batch):
    snoop = batch["answers"]["b_snoop"]
    assert snoop["env_secret"] is None
    assert "CHAOYANG_COURSE_SECRET" not in snoop["environment"]
    visible = [p for p in snoop["found"] if any(p == t or p.startswith(t + "/") for t in batch["paths"])]
    assert visible == []
    assert not [p for p in snoop["found"] if "autograder.zip" in p or "exercises" in p or p.endswith(".ipynb")]


def test_no_background_process_survives(batch):
    assert batch["answers"]["c_background"]["started"] is True
    assert _marked_processes(batch["marker"]) == []


def test_no_network_and_the_grader_survives_its_children(batch):
    assert batch["answers"]["i_network"]["reached"] == []
    assert batch["connections"] == 0
    assert batch["answers"]["h_kill_parent"]["in_sandbox"] is True
    assert batch["answers"]["h_kill_parent"]["survived"] is True


def test_disk_and_memory_limits_held(batch):
    assert 0 < batch["answers"]["e_memory"]["allocated_mb"] < MEMORY_MB
    assert all(0 <= mb <= DISK_MB for mb in batch["answers"]["f_disk"]["written_mb"].values())
