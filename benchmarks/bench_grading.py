"""Cost of the grading sandbox: 30 small notebooks graded in bubblewrap and unsandboxed, in one run.

Run: ``.venv/bin/python benchmarks/bench_grading.py`` (or ``make bench``).

What is compared
----------------
* **The same work twice**: :func:`chaoyang.teaching.grading.grade` over 30 small submissions (each
  imports numpy and pandas, reads its variant file, computes a mean) with ``isolation="bwrap"``
  and with ``isolation="none"`` (a plain child process with the same runner, limits and timeout),
  through the same stand-in check, in the same process, on the same cores, alternating the
  order per round so neither side always runs on a warm page cache. The unsandboxed side starts
  one more Python process per notebook (a guard that adopts and kills the notebook's leftover
  processes), so the ratio can be below 1.
* **Reported**: seconds per notebook for each side (best of ``ROUNDS`` rounds) and the
  per-notebook overhead ratio sandboxed / unsandboxed; each run's scores are checked to be equal
  before its time is used. No time limit is asserted anywhere (project standard 7).
* Without a usable bubblewrap the benchmark says why and times the unsandboxed side only.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import hashlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from chaoyang.teaching import grading, sandbox  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402
from chaoyang.teaching.answers import decode  # noqa: E402
from chaoyang.teaching.records import CheckResult, QuestionGrade, Submission  # noqa: E402

N_NOTEBOOKS = 30
ROUNDS = 2
SECRET = b"benchmark secret"
CODE = ("import json\nimport numpy as np\nimport pandas as pd\n"
        "values = json.load(open('data/variant.json'))['values']\n"
        "q1 = float(pd.Series(values).mean())\nq2 = np.array(values).std()")


def _expected(student: str) -> list[float]:
    digest = hashlib.sha256(SECRET + student.encode()).digest()
    return [float(b) for b in digest[:8]]


def _stages() -> grading.Stages:
    def read_submissions(path, layout="auto"):
        return [Submission(p.stem, "", p) for p in sorted(Path(path).glob("*.ipynb"))]

    def student_files(assignment, student_id, secret, dest):
        (dest / "variant.json").write_text(json.dumps({"values": _expected(student_id)}))
        return {"variant.json": dest / "variant.json"}

    def grade_answers(assignment, answers, *, student_id, secret):
        values = _expected(student_id)
        ok = "q1" in answers and abs(decode(answers["q1"]) - statistics.fmean(values)) < 1e-9
        check = CheckResult("q1", True, ok, float(ok), 1.0, "")
        return (QuestionGrade("q1", float(ok), 1.0, (check,)),)

    def write_run(grades, out_root, *, assignment, deadline=None, now=None):
        folder = Path(tempfile.mkdtemp(dir=out_root))
        (folder / "totals.json").write_text(json.dumps({g.submission.student_id: g.total for g in grades}))
        return folder

    return grading.Stages(read_submissions=read_submissions, student_files=student_files,
                          load_secret=lambda secret_file=None: SECRET, answer_names=lambda a: ["q1", "q2"],
                          grade_answers=grade_answers, write_run=write_run)


def run(isolation: str, subs: Path, out: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    run_dir = grading.grade("bench", subs, out_root=out, isolation=isolation, timeout=300, manifest=None,
                            stages=_stages(), progress=None)
    seconds = time.perf_counter() - start
    return seconds / N_NOTEBOOKS, json.loads((run_dir / "totals.json").read_text())


def main() -> int:
    reason = sandbox.isolation_available()
    print(f"bench_grading: {N_NOTEBOOKS} notebooks, best of {ROUNDS} rounds; Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {platform.platform()}")
    modes = ["none"] if reason else ["bwrap", "none"]
    if reason:
        print(f"no sandbox here ({reason}): timing the unsandboxed side only")
    with tempfile.TemporaryDirectory() as folder:
        subs, out = Path(folder) / "subs", Path(folder) / "out"
        subs.mkdir()
        out.mkdir()
        cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": CODE}]
        for i in range(N_NOTEBOOKS):
            (subs / f"s{i:03d}.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                              "nbformat_minor": 5}))
        best = {mode: float("inf") for mode in modes}
        scores = {}
        for round_number in range(ROUNDS):
            for mode in (modes if round_number % 2 == 0 else modes[::-1]):
                per_notebook, totals = run(mode, subs, out)
                if set(totals.values()) != {1.0}:
                    print(f"error: {mode} run did not give every notebook full marks: {totals}", file=sys.stderr)
                    return 1
                scores[mode] = totals
                best[mode] = min(best[mode], per_notebook)
    print(f"{'isolation':<12}{'s / notebook':>14}")
    for mode in modes:
        print(f"{mode:<12}{best[mode]:>14.3f}")
    if "bwrap" in best:
        print(f"per-notebook overhead ratio, sandboxed / unsandboxed: {best['bwrap'] / best['none']:.2f}")
        path = record("grading", {"sandboxed_s_per_notebook": best["bwrap"], "unsandboxed_s_per_notebook": best["none"],
                                  "overhead_ratio": best["bwrap"] / best["none"]},
                      context={"notebooks": N_NOTEBOOKS, "rounds": ROUNDS})
        print(f"recorded in {path}")
    else:
        print("no sandbox: nothing recorded (the README compares sandboxed with unsandboxed grading)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
