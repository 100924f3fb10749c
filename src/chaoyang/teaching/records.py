"""Plain records passed between the grading stages (submissions, sandbox runs, grades)."""
from __future__ import annotations
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

@dataclass(frozen=True)
class Submission:
    student_id: str            # stable LMS identifier (Canvas user id, Moodle participant id, else file stem)
    student_name: str          # as the LMS gives it ("" when unknown)
    notebook: Path | None      # the .ipynb inside the submissions folder (read only!); None if none found
    submitted_at: datetime | None = None   # from the LMS where it gives one (timezone-aware), else None
    problem: str = ""          # why it cannot be graded ("no notebook", "2 notebooks: ...", "not a notebook"), else ""

@dataclass(frozen=True)
class SandboxRun:
    answers: dict              # answer name -> JSON value (see encoding below); missing names are absent
    error: str                 # "" if the notebook ran to the end, else a short reason (timeout after 300 s, ...)
    isolated: bool             # True only if it ran inside bubblewrap (or otter's Docker)
    seconds: float
    log: str = ""              # the first/last few KB of stderr, for the instructor only (never in feedback)

@dataclass(frozen=True)
class CheckResult:
    name: str                  # e.g. "q2 public 1", "q2 hidden: paths near the truth"
    hidden: bool
    passed: bool
    points: float              # points this check earned
    possible: float
    message: str               # public: the check's message; hidden: ONLY the instructor-written hint (no expected values)

@dataclass(frozen=True)
class QuestionGrade:
    question: str              # "q1"
    points: float
    possible: float
    checks: tuple = ()         # CheckResult, ...

@dataclass(frozen=True)
class SubmissionGrade:
    submission: Submission
    questions: tuple           # QuestionGrade, ...
    run: SandboxRun | None     # None when the submission could not be run at all (problem)
    error: str = ""            # "" or the reason the student got no/partial points
    late: bool | None = None   # None when no deadline or no submission time

    @property
    def total(self) -> float:
        return float(sum(q.points for q in self.questions))
