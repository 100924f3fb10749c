"""Time the two commands the README promises: `make book` from clean and `make test` on a fresh clone.

    python benchmarks/time_build.py --book   # rm -rf _build, then make book, in this checkout
    python benchmarks/time_build.py --ci     # git clone of HEAD into a temporary folder, CI=true bash .ci/run

Each measurement is appended to ``benchmarks/results/build_book.json`` / ``build_ci.json`` (see ``_record.py``); the README's
"Speed" section is rendered from it by ``render_speed.py``. A CI run that fails, or whose pytest
summary cannot be read, is not recorded: a time is only worth stating for a green run.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _record import record  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"=+ (?P<body>.*?(?:passed|failed).*?) in [0-9.]+s")


def pytest_counts(output: str) -> dict:
    """Counts of the last pytest summary line in ``output`` ({"passed": 1734, "failed": 0, ...}).

    Examples
    --------
    >>> pytest_counts("== 1734 passed, 3 warnings in 870.10s (0:14:30) ==")
    {'passed': 1734, 'warnings': 3}
    """
    found = SUMMARY.findall(output)
    if not found:
        raise ValueError("no pytest summary line in the output")
    return {kind.rstrip("s") if kind.endswith("errors") else kind: int(n)
            for n, kind in re.findall(r"(\d+) (\w+)", found[-1])}


def time_book() -> None:
    shutil.rmtree(REPO / "_build", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(["make", "book"], cwd=REPO, check=True)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    path = record("build_book", {"book_seconds": seconds, "book_peak_mb": peak_mb},
                  context={"command": "rm -rf _build && make book"})
    print(f"make book from clean: {seconds:.0f} s, largest process {peak_mb:.0f} MB -> {path}")


def time_ci() -> None:
    with tempfile.TemporaryDirectory(prefix="chaoyang-ci-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", "--no-local", str(REPO), str(clone)], check=True)
        start = time.perf_counter()
        proc = subprocess.run(["bash", ".ci/run"], cwd=clone, env={**__import__("os").environ, "CI": "true"},
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        (REPO / "_build").mkdir(exist_ok=True)
        (REPO / "_build" / "ci_run.log").write_text(proc.stdout + proc.stderr)
    counts = pytest_counts(proc.stdout)
    if proc.returncode != 0 or counts.get("failed") or counts.get("error") or counts.get("skipped"):
        sys.exit(f".ci/run was not green (exit {proc.returncode}, {counts}); nothing recorded. "
                 "Log: _build/ci_run.log")
    path = record("build_ci", {"ci_seconds": seconds, "tests_passed": counts["passed"]},
                  context={"command": "git clone && CI=true bash .ci/run"})
    print(f"fresh-clone CI: {seconds:.0f} s, {counts['passed']} passed -> {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", action="store_true")
    parser.add_argument("--ci", action="store_true")
    args = parser.parse_args()
    if not (args.book or args.ci):
        parser.error("choose --book, --ci or both")
    if args.book:
        time_book()
    if args.ci:
        time_ci()


if __name__ == "__main__":
    main()
