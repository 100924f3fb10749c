"""Grading checks of the six assignments: one home for public and hidden checks.

:func:`grade_answers` grades a student's exported answers (plain values from the grading
sandbox) **outside** the sandbox: it derives the student's variant from the course secret,
recomputes every expected value with the kit's reference computations on that variant's data,
and never runs student code. :func:`otter_check` runs the same checks inside an otter notebook
(``grader.check``), so students see the same public messages there.

Points: public checks (types and shapes) are worth 0; each question's points are shared by its
hidden correctness checks, whose only student-facing text is an instructor hint.

Examples
--------
>>> answer_names("a6_simulation")[:2]
['final_rates', 'status_quo']
"""

from __future__ import annotations

import importlib

from chaoyang.errors import UnknownNameError
from chaoyang.teaching.catalogs import N_, translator
from chaoyang.teaching.checks.common import Context, describe_axes, run_question
from chaoyang.teaching.records import QuestionGrade

__all__ = ["answer_names", "grade_answers", "grade_variant", "otter_check", "questions", "describe_axes", "StudentChecks"]

_MODULES = {"a1_grounded_coding": "a1", "a2_measurement": "a2", "a3_mediation": "a3", "a4_participation": "a4",
            "a5_fsqca": "a5", "a6_simulation": "a6"}


def _module(assignment: str):
    if assignment not in _MODULES:
        raise UnknownNameError(f"unknown assignment {assignment!r}; known assignments: {', '.join(_MODULES)}")
    return importlib.import_module(f"chaoyang.teaching.checks.{_MODULES[assignment]}")


def questions(assignment: str) -> tuple:
    """The autograded questions of an assignment (each with its answers, points and checks)."""
    return _module(assignment).QUESTIONS


def answer_names(assignment: str) -> list[str]:
    """The variables a student's notebook must define, in question order (what the sandbox exports).

    Raises
    ------
    KeyError
        Unknown assignment (the message lists the known ones).
    """
    names: list[str] = []
    for question in questions(assignment):
        names += [n for n in question.answers if n not in names]
    return names


def _decode_all(answers: dict) -> dict:
    from chaoyang.teaching.answers import decode

    out = {}
    for name, value in answers.items():
        try:
            out[name] = decode(value)
        except Exception:  # already a Python value (tests, otter) or undecodable: keep it, the checks judge it
            out[name] = value
    return out


def grade_variant(assignment: str, answers: dict, variant) -> tuple[QuestionGrade, ...]:
    """Grade answers against a given :class:`~chaoyang.teaching.variants.Variant` (also the practice one)."""
    ctx = Context(variant)
    plain = _decode_all(answers)
    return tuple(run_question(q, plain, ctx) for q in questions(assignment))


def grade_answers(assignment: str, answers: dict, *, student_id: str, secret: bytes,
                  per_student: bool | None = None, blind_set=None) -> tuple[QuestionGrade, ...]:
    """Grade one student's exported answers against the student's secret-derived variant.

    Parameters
    ----------
    assignment : str
    answers : dict
        Answer name -> JSON value as the sandbox exports it (:mod:`chaoyang.teaching.answers`),
        or plain Python values.
    student_id : str
        Decides the variant when variants are per student.
    secret : bytes
        The course secret (:func:`chaoyang.teaching.variants.load_secret`). Required: the practice
        variant's answers are public, so grading it is refused.
    per_student : bool, optional
        Default from ``CHAOYANG_VARIANT_SCOPE``.
    blind_set : BlindSet or path-like, optional
        a1's private blind set (default ``$CHAOYANG_BLIND_SET``): question 4 is graded against its
        coding (:mod:`chaoyang.teaching.blindset`).

    Returns
    -------
    tuple of QuestionGrade
        One per autograded question, each with its :class:`CheckResult`\\ s.

    Raises
    ------
    VariantError
        No secret.

    Examples
    --------
    >>> grades = grade_answers("a6_simulation", {}, student_id="s1", secret=b"0123456789abcdef0123")
    >>> [g.points for g in grades], sum(g.possible for g in grades)
    ([0.0, 0.0, 0.0, 0.0], 10.0)
    """
    from chaoyang.teaching.variants import VariantError, derive

    if not secret:
        raise VariantError("grading needs the course secret (CHAOYANG_COURSE_SECRET or --secret-file): the practice "
                           "variant's answers are public, so grading it would reward copying")
    return grade_variant(assignment, answers, derive(assignment, student_id, secret, per_student=per_student,
                                                     blind_set=blind_set))


def _notebook_context(assignment: str, data="data") -> Context:
    """The variant a running notebook works on: the grader's (secret in the environment), else the
    notebook's ``data/variant.json`` (question parameters only, no truth), else the practice variant."""
    import json
    import os
    from pathlib import Path

    from chaoyang.teaching.variants import SECRET_ENV, Variant, derive

    secret = os.environ.get(SECRET_ENV, "").encode() or None
    if secret:
        return Context(derive(assignment, os.environ.get("CHAOYANG_STUDENT_ID", "course"), secret))
    path = Path(data) / "variant.json"
    if path.is_file():
        payload = json.loads(path.read_text(encoding="utf-8"))
        if payload.get("variant") != "practice":
            return Context(Variant(assignment, payload.get("variant", "course"), payload["params"], None,
                                   tag=payload.get("tag", "")), data_dir=Path(data))
    return Context(derive(assignment, "practice", None))


def otter_check(assignment: str, question: str, namespace: dict, *, hidden: bool = False) -> None:
    """Run one question's public (or hidden) checks on a notebook's variables; raise AssertionError on failure.

    The otter master's test cells call this, so ``grader.check`` shows the same public messages
    as the kit's grader. Public checks use the notebook's ``data/variant.json``; hidden checks
    need the variant's truth, so they run only where the grader can derive it (the course secret
    in ``CHAOYANG_COURSE_SECRET``) or on the practice variant.
    """
    from chaoyang.teaching.answers import encode

    wanted = [q for q in questions(assignment) if q.name == question]
    if not wanted:
        raise UnknownNameError(f"{assignment} has no autograded question {question!r}")
    ctx = _notebook_context(assignment)
    if hidden and ctx.variant.world is None:
        raise AssertionError(N_("the correctness checks of a course variant run when your teacher grades the notebook"))
    # The same JSON round trip as the sandbox's export, so both paths judge identical values.
    plain = _decode_all({k: encode(v) for k, v in namespace.items() if k in wanted[0].answers})
    grade = run_question(wanted[0], plain, ctx)
    failed = [c.message for c in grade.checks if c.hidden == hidden and not c.passed]
    if failed:
        raise AssertionError(failed[0])


class CheckReport:
    """What ``grader.check("q1")`` shows in a student's notebook, in the notebook's language (``lang``)."""

    def __init__(self, question: str, passed: bool, message: str, lang: str = "en"):
        self.question, self.passed, self.message, self.lang = question, passed, message, lang

    def __repr__(self) -> str:
        t = translator("teaching", self.lang)
        if self.passed:
            return t(N_("{question}: the shape checks pass (they are worth no points; the correctness of your answer "
                        "is graded after you submit)")).format(question=self.question)
        return f"{self.question}: {t(self.message)}"

    def _repr_html_(self) -> str:
        import html

        colour = "#1b7837" if self.passed else "#b2182b"
        return f'<p style="color:{colour}">{html.escape(repr(self))}</p>'


class StudentChecks:
    """The ``grader`` of a student's notebook: ``grader.check("q1")`` runs the question's public checks.

    ``lang="zh_CN"`` (written by ``assignments build --lang zh_CN``) shows the messages in Chinese.
    Unlike ``otter.Notebook`` it needs no ``tests/`` folder and no particular file name, so it works
    on Google Colab and in a renamed copy ("Copy of a3_mediation.ipynb"); the checks are the same
    functions the kit's grader runs.

    Examples
    --------
    >>> grader = StudentChecks("a6_simulation")
    >>> grader.check("q1", {"final_rates": None}).passed
    False
    """

    def __init__(self, assignment: str, lang: str = "en"):
        from chaoyang.teaching.catalogs import check_language

        questions(assignment)  # unknown names fail here, with the list of known ones
        self.assignment, self.lang = assignment, check_language(lang)

    def check(self, question: str, global_env: dict | None = None) -> CheckReport:
        import inspect

        env = global_env if global_env is not None else inspect.currentframe().f_back.f_globals
        try:
            otter_check(self.assignment, question, env)
        except AssertionError as err:
            return CheckReport(question, False, str(err), self.lang)
        return CheckReport(question, True, "", self.lang)
