"""Stand-ins for the grading stages of engineers B and C (lms, variants, checks, gradebook), used by the
sandbox and red-team tests through :class:`chaoyang.teaching.grading.Stages`; test code only.

The stand-in assignment has one autograded question: ``q1`` must equal the ``n`` of the student's
variant (``data/variant.json``), which is derived from the secret and the student id, so copying
another student's answer or a constant fails, and only an honest computation scores.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

from chaoyang.errors import ChaoyangError
from chaoyang.teaching.answers import decode
from chaoyang.teaching.grading import Stages
from chaoyang.teaching.records import CheckResult, QuestionGrade, Submission

SECRET = b"test course secret"


class NoSecret(ChaoyangError, RuntimeError):
    pass


def variant_n(student_id: str, secret: bytes = SECRET) -> int:
    return 10 + hmac.new(secret, student_id.encode(), hashlib.sha256).digest()[0] % 90


class Recorder:
    """Stages whose calls are recorded: ``.grades`` holds what write_run received."""

    def __init__(self, *, extra_files: dict | None = None, names=("q1",), submitted_at: dict | None = None,
                 secret: bytes | None = SECRET):
        self.extra_files = extra_files or {}
        self.names = list(names)
        self.submitted_at = submitted_at or {}
        self.secret = secret
        self.grades = None
        self.runs = 0

    def read_submissions(self, path: Path, layout: str = "auto") -> list[Submission]:
        subs = []
        for item in sorted(Path(path).iterdir()):
            if item.is_dir():
                notebooks = sorted(item.glob("*.ipynb"))
                problem = "" if len(notebooks) == 1 else f"{len(notebooks)} notebooks: " + ", ".join(p.name for p in notebooks)
                subs.append(Submission(item.name, "", notebooks[0] if len(notebooks) == 1 else None, problem=problem))
            elif item.suffix == ".ipynb":
                subs.append(Submission(item.stem, "", item, self.submitted_at.get(item.stem)))
        return subs

    def student_files(self, assignment: str, student_id: str, secret: bytes, dest: Path) -> dict:
        (dest / "variant.json").write_text(json.dumps({"n": variant_n(student_id, secret)}))
        files = {"variant.json": dest / "variant.json"}
        for name, source in self.extra_files.items():
            shutil.copyfile(source, dest / name)
            files[name] = dest / name
        return files

    def load_secret(self, secret_file=None) -> bytes:
        if self.secret is None:
            raise NoSecret("no course secret: set CHAOYANG_COURSE_SECRET or pass --secret-file")
        return self.secret

    def answer_names(self, assignment: str) -> list[str]:
        return list(self.names)

    def grade_answers(self, assignment: str, answers: dict, *, student_id: str, secret: bytes) -> tuple:
        expected = variant_n(student_id, secret)
        value = decode(answers["q1"]) if "q1" in answers else None
        passed = isinstance(value, int) and not isinstance(value, bool) and value == expected
        check = CheckResult("q1 hidden: the variant's n", True, passed, 1.0 if passed else 0.0, 1.0,
                            "" if passed else "Read n from data/variant.json.")
        return (QuestionGrade("q1", check.points, 1.0, (check,)),)

    def write_run(self, grades, out_root: Path, *, assignment: str, deadline=None, now=None) -> Path:
        self.grades = list(grades)
        self.runs += 1
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
        folder = Path(out_root) / assignment / stamp
        folder.mkdir(parents=True)
        with (folder / "gradebook.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student_id", "total", "error", "isolated"])
            for grade in grades:
                writer.writerow([grade.submission.student_id, grade.total, grade.error,
                                 "" if grade.run is None else grade.run.isolated])
        return folder

    def stages(self) -> Stages:
        return Stages(read_submissions=self.read_submissions, student_files=self.student_files,
                      load_secret=self.load_secret, answer_names=self.answer_names,
                      grade_answers=self.grade_answers, write_run=self.write_run)

    def by_student(self) -> dict:
        return {g.submission.student_id: g for g in self.grades}


def notebook(path: Path, *sources: str) -> Path:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s}
             for s in sources]
    Path(path).write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return Path(path)


HONEST = "import json\nq1 = json.load(open('data/variant.json'))['n']"
