"""Time the two commands the README promises: `make book` from clean and `make test` on a fresh clone.

    python benchmarks/time_build.py --book   # rm -rf _build, then make book-en and the Chinese edition, timed apart
    python benchmarks/time_build.py --book --baseline 1b87428   # also the English build of an older commit
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


def _timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, env=env)
    return time.perf_counter() - start


def time_book(baseline: str | None = None) -> None:
    """Time both editions from clean, apart; with ``baseline``, also the English build of that commit.

    The baseline is built in a temporary worktree with this checkout's environment, its own library first
    on ``PYTHONPATH`` (the notebook kernels inherit it) and its own ``jupyter-book build`` command, so the
    ratio English-now / English-then measures what the Chinese edition's machinery costs the English build.
    """
    import os

    shutil.rmtree(REPO / "_build", ignore_errors=True)
    python = sys.executable
    values = {"book_en_seconds": _timed(["make", "book-en"], REPO)}
    values["book_zh_seconds"] = _timed([python, "book/_ext/build_editions.py", "html", "--lang", "zh_CN"], REPO)
    values["book_seconds"] = values["book_en_seconds"] + values["book_zh_seconds"]
    values["book_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    context = {"command": "rm -rf _build && make book-en, then build_editions.py html --lang zh_CN"}
    if baseline:
        with tempfile.TemporaryDirectory(prefix="chaoyang-baseline-") as tmp:
            tree = Path(tmp) / "tree"
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), baseline], cwd=REPO, check=True)
            try:
                env = {**os.environ, "PYTHONPATH": str(tree / "src"), "MPLBACKEND": "Agg"}
                jupyter_book = str(Path(python).parent / "jupyter-book")
                values["book_en_baseline_seconds"] = _timed(
                    [jupyter_book, "build", str(tree), "--warningiserror", "--keep-going"], tree, env)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
        values["book_en_ratio"] = values["book_en_seconds"] / values["book_en_baseline_seconds"]
        context["baseline"] = baseline
    path = record("build_book", values, context=context)
    print(", ".join(f"{k} {v:.1f}" for k, v in values.items()), "->", path)


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
    parser.add_argument("--baseline", help="with --book: also time the English build of this commit")
    args = parser.parse_args()
    if not (args.book or args.ci):
        parser.error("choose --book, --ci or both")
    if args.book:
        time_book(args.baseline)
    if args.ci:
        time_ci()


if __name__ == "__main__":
    main()
