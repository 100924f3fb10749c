"""The grading sandbox, the answer encoding and the grading orchestrator (issue #14, items 1 and 5).

Tests marked with the ``bwrap`` fixture need a working bubblewrap: they are skipped on a machine
without one, except in CI (``CI=true``), where ``.ci/run`` installs bubblewrap and they FAIL if it
does not work (a container that forbids user namespaces must not pass as "sandbox tested").
The B and C stages (variants, checks, LMS reading, gradebook) are replaced by the stand-ins of
``tests/_grading_standins.py``.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang.errors import ChaoyangError
from chaoyang.teaching import grading, sandbox
from chaoyang.teaching.answers import (MAX_BYTES, AnswerFormatError, decode, decode_answers, encode,
                                       encode_answers)

from _grading_standins import HONEST, NoSecret, Recorder, notebook, variant_n

pytestmark = pytest.mark.xdist_group("sandbox")

REASON = sandbox.isolation_available()


def require_bwrap():
    """Require a usable bubblewrap; in CI its absence is a failure, never a skip."""
    if REASON is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the grading sandbox cannot run: {REASON}")
        pytest.skip(REASON)


@pytest.fixture
def bwrap():
    require_bwrap()


@pytest.fixture(params=["none", "bwrap"])
def isolation(request):
    """Each test taking ``isolation`` runs unisolated and (where bubblewrap works) in the sandbox."""
    if request.param == "bwrap":
        require_bwrap()
    return request.param


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Point tempfile at an empty folder, so a test can see every temporary folder a run leaves."""
    folder = tmp_path / "systmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# ------------------------------------------------------------------------------------------------
# answers: encode / decode
# ------------------------------------------------------------------------------------------------

def _roundtrip(value):
    text = json.dumps(encode(value), allow_nan=False)  # allow_nan=False: no bare NaN may reach the JSON
    return decode(json.loads(text))


@pytest.mark.parametrize("value", [None, True, False, 0, -3, 2**62, 0.1, -2.5e-300, "", "群防群治", [1, "a", None],
                                   (1, (2.0, "x")), {"a": [1, {"b": (1,)}]}, {"__tuple__": [1], "x": 2}, []],
                         ids=repr)
def test_plain_values_round_trip(value):
    result = _roundtrip(value)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=repr)
def test_non_finite_floats_round_trip(value):
    result = _roundtrip(value)
    assert isinstance(result, float) and (math.isnan(result) if math.isnan(value) else result == value)


def test_numpy_values_round_trip():
    assert _roundtrip(np.float64(0.25)) == 0.25 and type(_roundtrip(np.int32(7))) is int
    assert _roundtrip(np.bool_(True)) is True
    for array in (np.arange(6).reshape(2, 3), np.array([1.5, np.nan, -np.inf]), np.array([True, False]),
                  np.array(["a", "bc"])):
        result = _roundtrip(array)
        assert isinstance(result, np.ndarray) and result.dtype == array.dtype and result.shape == array.shape
        np.testing.assert_array_equal(result, array)


def test_pandas_values_round_trip():
    frame = pd.DataFrame({"path": ["a1", "a2"], "beta": [0.31, np.nan], "n": [3, 4]}, index=["x", "y"])
    result = _roundtrip(frame)
    pd.testing.assert_frame_equal(result, frame)
    series = pd.Series([0.2, 0.5], index=["ep", "ee"], name="loadings")
    pd.testing.assert_series_equal(_roundtrip(series), series)


def test_unsupported_and_oversized_answers_are_marked_not_dropped():
    assert encode(object()) == {"__unsupported__": "object"}
    assert encode({1: "a"}) == {"__unsupported__": "dict with non-str keys"}
    deep = []
    for _ in range(30):
        deep = [deep]
    assert encode(deep) == {"__unsupported__": "too large"}
    cyclic = []
    cyclic.append(cyclic)
    assert encode(cyclic) == {"__unsupported__": "too large"}
    assert encode(np.zeros(MAX_BYTES)) == {"__unsupported__": "too large"}
    big = "x" * (3 * 1024 * 1024)
    both = encode_answers({"a": big, "b": big, "c": 1}, ["a", "b", "c", "missing"])
    assert both["a"] == big and both["b"] == {"__unsupported__": "too large"} and both["c"] == 1
    assert "missing" not in both
    assert len(json.dumps(both)) < MAX_BYTES


@pytest.mark.parametrize("bad", [{"__ndarray__": 3}, {"__float__": "zero"}, {"__tuple__": "ab"},
                                 {"__frame__": {"columns": ["a"], "index": [0], "data": [[1, 2]]}},
                                 {"__series__": {"index": [0, 1], "data": [1]}}])
def test_malformed_markers_raise_a_clear_error(bad):
    with pytest.raises(AnswerFormatError):
        decode(bad)


def test_decode_answers_refuses_non_objects_and_filters_names():
    with pytest.raises(AnswerFormatError, match="JSON object"):
        decode_answers("[1, 2]")
    with pytest.raises(AnswerFormatError, match="not JSON"):
        decode_answers("{oops")
    assert decode_answers('{"q1": 1, "q9": 2}', names=["q1"]) == {"q1": 1}


# ------------------------------------------------------------------------------------------------
# run_notebook
# ------------------------------------------------------------------------------------------------

def test_run_notebook_exports_answers_and_reports_the_first_failing_cell(isolation, tmp_path, private_tmp,
                                                                         monkeypatch):
    monkeypatch.setenv("CHAOYANG_COURSE_SECRET", "do-not-leak")
    (tmp_path / "variant.json").write_text('{"n": 17}')
    nb = notebook(tmp_path / "hw.ipynb",
                  "import json, os, numpy as np\nq1 = json.load(open('data/variant.json'))['n']\n"
                  "listing = sorted(os.listdir('data'))\nsecret = os.environ.get('CHAOYANG_COURSE_SECRET')",
                  "arr = np.arange(3) * 2\n1 / 0",
                  "after = 'later cells still run'")
    run = sandbox.run_notebook(nb, files={"variant.json": tmp_path / "variant.json"}, answer_names=[
        "q1", "listing", "secret", "arr", "after", "never_set"], timeout=120, memory_mb=2048, isolation=isolation)
    assert run.isolated is (isolation == "bwrap")
    answers = {k: decode(v) for k, v in run.answers.items()}
    assert answers["q1"] == 17 and answers["listing"] == ["variant.json"]
    assert answers["secret"] is None, "the course secret reached the student's notebook"
    np.testing.assert_array_equal(answers["arr"], [0, 2, 4])
    assert answers["after"] == "later cells still run" and "never_set" not in answers
    assert run.error == "code cell 2 raised ZeroDivisionError: division by zero"
    assert "ZeroDivisionError" in run.log
    assert list(private_tmp.iterdir()) == [], "the sandbox's temporary folder was left behind"


def test_timeout_kills_the_run_and_removes_its_folder(isolation, tmp_path, private_tmp):
    nb = notebook(tmp_path / "loop.ipynb", "q1 = 1", "while True:\n    pass")
    run = sandbox.run_notebook(nb, files={}, answer_names=["q1"], timeout=8, isolation=isolation)
    assert run.error.startswith("timeout after 8 s (in code cell 2)")
    assert run.answers == {} and 8 <= run.seconds < 60
    assert list(private_tmp.iterdir()) == []


def test_bad_submissions_get_a_reason_without_running(isolation, tmp_path):
    cases = {"empty.ipynb": b"", "text.ipynb": b"print('hi')\n", "list.ipynb": b"[1, 2]",
             "cut.ipynb": b'{"cells": [{"cell_type": "code", "sou', "latin1.ipynb": "é".encode("latin-1")}
    reasons = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        run = sandbox.run_notebook(tmp_path / name, files={}, answer_names=["q1"], timeout=60, isolation=isolation)
        reasons[name] = run.error
        assert run.answers == {}
    assert reasons["empty.ipynb"] == "not a notebook: the file is empty"
    assert all(r.startswith("not a notebook") for r in reasons.values()), reasons
    big = tmp_path / "big.ipynb"
    big.write_text(json.dumps({"cells": [], "blob": "x" * (sandbox.MAX_NOTEBOOK_BYTES + 10)}))
    run = sandbox.run_notebook(big, files={}, answer_names=[], timeout=60, isolation=isolation)
    assert "MB (limit 21 MB)" in run.error and run.answers == {}
    run = sandbox.run_notebook(tmp_path / "absent.ipynb", files={}, answer_names=[], timeout=60, isolation=isolation)
    assert run.error.startswith("cannot read the submission")


def test_huge_output_and_forged_answers_are_capped(bwrap, tmp_path):
    nb = notebook(tmp_path / "flood.ipynb",
                  "import os, sys\nq1 = 3\nfor _ in range(2000):\n    print('x' * 10000)",
                  "fd = int(sys.argv[sys.argv.index('--answers-fd') + 1])\nos.write(fd, b' ' * (6 * 2**20))")
    run = sandbox.run_notebook(nb, files={}, answer_names=["q1"], timeout=120, isolation="bwrap")
    assert run.answers == {} and run.error.startswith("answers not read: more than 5 MB")
    assert len(run.log) < 3 * sandbox.LOG_BYTES and "bytes left out" in run.log


def test_malformed_answers_channel_gives_no_answers_and_says_so(bwrap, tmp_path):
    nb = notebook(tmp_path / "forge.ipynb",
                  "import os, sys\nq1 = 3\nfd = int(sys.argv[sys.argv.index('--answers-fd') + 1])\n"
                  "os.write(fd, b'{not json')")
    run = sandbox.run_notebook(nb, files={}, answer_names=["q1"], timeout=120, isolation="bwrap")
    assert run.answers == {} and "malformed" in run.error


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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts processes through Linux's /proc")
def test_background_and_surplus_processes_die_with_the_run(isolation, tmp_path):
    # the red-team notebooks (c) and (j), in both modes: unisolated, a child-subreaper guard adopts the
    # setsid and double-forked orphans and kills them; a /proc watchdog stops a notebook with too many processes
    marker = "bgtest" + uuid.uuid4().hex[:10]
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"paths": [], "marker": marker, "port": 9}))
    redteam = Path(__file__).parent / "redteam"
    run = sandbox.run_notebook(redteam / "c_background.ipynb", files={"targets.json": targets},
                               answer_names=["started"], timeout=120, isolation=isolation)
    assert run.error == "" and decode(run.answers["started"]) is True
    time.sleep(0.5)
    assert _marked_processes(marker) == []
    run = sandbox.run_notebook(redteam / "j_many_processes.ipynb", files={"targets.json": targets},
                               answer_names=["started", "refused"], timeout=120, isolation=isolation, max_procs=8)
    if run.error:  # the watchdog (always unisolated, and in bwrap when the grader runs as root)
        assert run.error == "stopped: the notebook started more than 8 processes"
    else:  # RLIMIT_NPROC inside the sandbox's user namespace refused the ninth process
        assert decode(run.answers["started"]) < 8 and "refused" in run.answers


def test_arguments_are_checked(tmp_path, monkeypatch):
    nb = notebook(tmp_path / "a.ipynb", "q1 = 1")
    with pytest.raises(ValueError, match="isolation='docker'"):
        sandbox.run_notebook(nb, files={}, answer_names=[], isolation="docker")
    with pytest.raises(ValueError, match="timeout=0"):
        sandbox.run_notebook(nb, files={}, answer_names=[], timeout=0)
    with pytest.raises(ValueError, match="memory_mb"):
        sandbox.run_notebook(nb, files={}, answer_names=[], memory_mb=10)
    with pytest.raises(sandbox.SandboxError, match=r"'\.\./x' must be a relative name"):
        sandbox.run_notebook(nb, files={"../x": nb}, answer_names=[])
    with pytest.raises(sandbox.SandboxError, match="is not a file"):
        sandbox.run_notebook(nb, files={"v.json": tmp_path / "nope"}, answer_names=[])
    monkeypatch.setattr(sandbox, "_AVAILABLE", {"reason": "bubblewrap is not installed (test)"})
    with pytest.raises(sandbox.SandboxError, match="isolation='bwrap' but bubblewrap is not installed"):
        sandbox.run_notebook(nb, files={}, answer_names=[], isolation="bwrap")
    run = sandbox.run_notebook(nb, files={}, answer_names=["q1"], isolation="auto", timeout=120)
    assert run.isolated is False and decode(run.answers["q1"]) == 1


def test_sandbox_sees_no_repository_and_cannot_write_its_root(bwrap, tmp_path):
    repo = Path(grading.__file__).resolve().parents[3]
    hidden = [str(repo / "tests"), str(repo / "exercises"), str(tmp_path)]
    nb = notebook(tmp_path / "look.ipynb",
                  f"import os\nseen = [p for p in {hidden!r} if os.path.exists(p)]\n"
                  + "try:\n    open('/planted.txt', 'w').write('x')\n    root_writable = True\n"
                    "except OSError:\n    root_writable = False\n"
                    "import chaoyang\nkit = chaoyang.__file__")
    run = sandbox.run_notebook(nb, files={}, answer_names=["seen", "root_writable", "kit"], timeout=120,
                               isolation="bwrap")
    answers = {k: decode(v) for k, v in run.answers.items()}
    assert answers["seen"] == [] and answers["root_writable"] is False, answers
    assert answers["kit"].startswith(sandbox.KIT), answers["kit"]


# ------------------------------------------------------------------------------------------------
# the orchestrator
# ------------------------------------------------------------------------------------------------

def _submissions(folder: Path) -> Path:
    folder.mkdir()
    notebook(folder / "s001.ipynb", HONEST)
    notebook(folder / "s002.ipynb", "q1 = 42  # a constant, not this student's n")
    notebook(folder / "s003.ipynb", HONEST, "raise RuntimeError('oops')")
    (folder / "s004").mkdir()
    notebook(folder / "s004" / "a.ipynb", HONEST)
    notebook(folder / "s004" / "b.ipynb", HONEST)
    return folder


def test_grade_runs_the_pipeline_and_leaves_submissions_byte_identical(isolation, tmp_path, capsys):
    subs = _submissions(tmp_path / "subs")
    before = grading.folder_digest(subs)
    deadline = datetime(2027, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=8)))
    stages = Recorder(submitted_at={"s001": deadline - timedelta(hours=1), "s002": deadline + timedelta(minutes=1)})
    lines = []
    run_dir = grading.grade("a1_test", subs, out_root=tmp_path / "out", deadline=deadline, timeout=120,
                            isolation=isolation, manifest=None, stages=stages.stages(), progress=lines.append)
    assert grading.folder_digest(subs) == before
    got = stages.by_student()
    assert variant_n("s001") != 42 or variant_n("s002") != 42
    assert (got["s001"].total, got["s002"].total, got["s003"].total, got["s004"].total) == (1.0, 0.0, 1.0, 0.0)
    assert got["s001"].late is False and got["s002"].late is True and got["s003"].late is None
    assert got["s003"].error == "code cell 2 raised RuntimeError: oops"
    assert got["s004"].run is None and got["s004"].error.startswith("2 notebooks")
    assert got["s004"].questions[0].possible == 1.0
    integrity = json.loads((run_dir / "integrity.json").read_text())
    assert integrity["submissions_unchanged"] is True
    assert integrity["code_sha256"] == grading.code_hashes()
    isolated = [g.run.isolated for g in stages.grades if g.run is not None]
    if isolation == "none":
        assert isolated == [False] * 3 and integrity["isolation"].startswith("none")
        assert any(line.startswith("WARNING: submissions will NOT be isolated") for line in lines)
        assert all("[NOT ISOLATED]" in line for line in lines if line.startswith(("s001", "s002", "s003")))
    else:
        assert isolated == [True] * 3 and integrity["isolation"] == "bubblewrap"
        assert not any("NOT" in line for line in lines)


def test_grade_refuses_without_secret_before_running_anything(tmp_path):
    subs = _submissions(tmp_path / "subs")
    stages = Recorder(secret=None)
    with pytest.raises(NoSecret, match="no course secret"):
        grading.grade("a1_test", subs, out_root=tmp_path / "out", isolation="none", manifest=None,
                      stages=stages.stages(), progress=None)
    assert stages.grades is None and not (tmp_path / "out").exists()


def test_grade_refuses_bad_options(tmp_path, monkeypatch):
    subs = _submissions(tmp_path / "subs")
    stages = Recorder().stages()
    with pytest.raises(grading.GradingError, match="has no time zone"):
        grading.grade("a", subs, deadline=datetime(2027, 3, 1), manifest=None, stages=stages, progress=None)
    with pytest.raises(grading.GradingError, match="do not exist"):
        grading.grade("a", tmp_path / "nope", manifest=None, stages=stages, progress=None)
    monkeypatch.setattr(sandbox, "_AVAILABLE", {"reason": "bubblewrap is not installed (test)"})
    with pytest.raises(grading.GradingError, match="--isolation bwrap, but bubblewrap is not installed"):
        grading.grade("a", subs, isolation="bwrap", manifest=None, stages=stages, progress=None)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(grading.GradingError, match="no submissions found"):
        grading.grade("a", empty, isolation="none", manifest=None, stages=stages, progress=None)


def test_manifest_detects_changed_added_and_missing_check_files(tmp_path):
    package = tmp_path / "chaoyang"
    (package / "teaching").mkdir(parents=True)
    (package / "teaching" / "checks.py").write_text("def grade_answers(): ...\n")
    (package / "world.py").write_text("TRUTH = 1\n")
    manifest = grading.write_manifest(tmp_path / "m.json", package_dir=package, build_dir=tmp_path / "none")
    assert grading.check_manifest(manifest, package_dir=package)["manifest"] == str(manifest)
    (package / "teaching" / "checks.py").write_text("def grade_answers(): return 'full marks'\n")
    (package / "sneaky.py").write_text("")
    (package / "world.py").unlink()
    with pytest.raises(grading.GradingError) as raised:
        grading.check_manifest(manifest, package_dir=package)
    message = str(raised.value)
    for part in ("chaoyang/teaching/checks.py changed", "chaoyang/world.py missing", "chaoyang/sneaky.py added",
                 "write-manifest"):
        assert part in message


def test_grade_refuses_when_the_manifest_disagrees(tmp_path):
    subs = _submissions(tmp_path / "subs")
    manifest = tmp_path / "m.json"
    code = grading.code_hashes()
    code["teaching/grading.py"] = "0" * 64
    manifest.write_text(json.dumps({"code": code, "assignments": {}}))
    stages = Recorder()
    with pytest.raises(grading.GradingError, match="teaching/grading.py changed"):
        grading.grade("a", subs, isolation="none", manifest=manifest, stages=stages.stages(), progress=None)
    assert stages.grades is None


def test_unisolated_batch_stops_if_the_graders_code_changes(tmp_path, monkeypatch):
    subs = _submissions(tmp_path / "subs")
    real = grading.code_hashes()
    calls = iter([real, {**real, "teaching/checks.py": "f" * 64}])
    monkeypatch.setattr(grading, "code_hashes", lambda *a, **k: next(calls, real))
    stages = Recorder()
    with pytest.raises(grading.GradingError, match="changed while s001's notebook ran unisolated"):
        grading.grade("a", subs, isolation="none", manifest=None, stages=stages.stages(), progress=None)
    assert stages.grades is None, "a gradebook was written after the grader's code changed"


def test_unisolated_notebook_that_changes_the_submissions_is_caught(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    notebook(subs / "evil.ipynb", f"open({str(subs / 'evil.ipynb')!r}, 'a').write(' ')\nq1 = 1")
    stages = Recorder()
    with pytest.raises(grading.GradingError, match="changed during grading"):
        grading.grade("a", subs, out_root=tmp_path / "out", isolation="none", manifest=None,
                      stages=stages.stages(), progress=None)
    [run_dir] = list((tmp_path / "out" / "a").iterdir())
    assert json.loads((run_dir / "integrity.json").read_text())["submissions_unchanged"] is False


def test_command_line(tmp_path, monkeypatch, capsys):
    subs = _submissions(tmp_path / "subs")
    stages = Recorder()
    monkeypatch.setattr(grading.Stages, "default", classmethod(lambda cls: stages.stages()))
    code = grading.main(["a1_test", str(subs), "--out", str(tmp_path / "out"), "--isolation", "none",
                         "--timeout", "120", "--deadline", "2027-03-01T23:59+08:00", "--manifest", str(tmp_path / "m")])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "wrote " + str(tmp_path / "out" / "a1_test") in out.out and "NOT be isolated" in out.out
    assert grading.main(["a1_test", str(subs), "--deadline", "next friday"]) == 2
    assert "ISO 8601" in capsys.readouterr().err
    monkeypatch.setattr(sandbox, "_AVAILABLE", {"reason": "bubblewrap is not installed (test)"})
    assert grading.main(["a1_test", str(subs), "--isolation", "bwrap", "--manifest", str(tmp_path / "m")]) == 2
    assert "bubblewrap is not installed" in capsys.readouterr().err
    manifest = tmp_path / "written.json"
    assert grading.main(["write-manifest", "--manifest", str(manifest)]) == 0
    assert json.loads(manifest.read_text())["code"] == grading.code_hashes()


def test_probe_reports_a_bubblewrap_that_cannot_start(tmp_path, monkeypatch):
    # what a container that forbids user namespaces looks like: bwrap is installed but exits 1
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox.sys, "platform", "linux")
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: str(fake))
    reason = sandbox._probe()
    assert "cannot create a sandbox here (bwrap: No permissions to creating new namespace)" in reason
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    assert "apt-get install bubblewrap" in sandbox._probe()
    monkeypatch.setattr(sandbox.sys, "platform", "darwin")
    assert sandbox._probe() == "bubblewrap sandboxes need Linux (this is darwin)"


def test_folder_digest_of_a_folder_and_of_a_canvas_zip(tmp_path):
    (tmp_path / "s" / "sub").mkdir(parents=True)
    (tmp_path / "s" / "a.ipynb").write_text("{}")
    (tmp_path / "s" / "sub" / "b.ipynb").write_bytes(b"x")
    digest = grading.folder_digest(tmp_path / "s")
    # SHA-256 of "{}" and of "x", as published by any sha256sum
    assert digest == {"a.ipynb": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                      "sub/b.ipynb": "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"}
    (tmp_path / "canvas.zip").write_bytes(b"x")
    assert grading.folder_digest(tmp_path / "canvas.zip") == {"canvas.zip": digest["sub/b.ipynb"]}


def test_documented_defaults():
    # book/_includes/grading_sandbox.md states these
    assert grading.DEFAULT_TIMEOUT == 600 and sandbox.run_notebook.__kwdefaults__["timeout"] == 600
    assert MAX_BYTES == 5 * 1024 * 1024


def test_errors_belong_to_the_family():
    assert issubclass(grading.GradingError, ChaoyangError) and issubclass(sandbox.SandboxError, ChaoyangError)
    assert issubclass(AnswerFormatError, ValueError)
