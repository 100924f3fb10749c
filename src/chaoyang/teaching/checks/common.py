"""The machinery shared by the assignment checks: questions, checks, grading one answers dict.

A question has **public checks** (shape and type; worth 0 points; their messages are shown to
students by ``grader.check`` and in feedback) and **hidden checks** of correctness (all the
question's points). A hidden check recomputes the expected value with the kit's own reference
computation on the student's variant data, in the grader's process; its message for students is
only the instructor's hint (:attr:`Check.hint`), never an expected value.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from chaoyang.errors import ChaoyangError
from chaoyang.teaching.catalogs import N_
from chaoyang.teaching.records import CheckResult, QuestionGrade


class Fail(ChaoyangError, ValueError):
    """A check failed; the message says what to fix (public checks only show it)."""


def need(condition, message: str) -> None:
    """Raise :class:`Fail` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Fail(message)


@dataclass(frozen=True)
class Check:
    """One check: ``func(answers, ctx)`` raises :class:`Fail` (or anything) when it fails."""

    name: str
    func: Callable
    hidden: bool = False
    weight: float = 1.0        # share of the question's points among its hidden checks
    hint: str = ""             # hidden checks: the only text students see


@dataclass(frozen=True)
class Question:
    name: str
    points: float
    answers: tuple
    checks: tuple = ()

    @property
    def hidden(self):
        return [c for c in self.checks if c.hidden]

    @property
    def public(self):
        return [c for c in self.checks if not c.hidden]


#: Reference computations shared between Contexts of the same variant (least recently added dropped first).
_SHARED: "OrderedDict" = OrderedDict()
_SHARED_MAX = 32


class Context:
    """The variant being graded plus a cache of reference computations (computed once per variant)."""

    def __init__(self, variant, data_dir=None):
        self.variant = variant
        self.params = variant.params
        self.data_dir = data_dir
        self._cache: dict = {}

    def survey(self):
        """The variant's survey: from ``data_dir`` in a student's notebook, else regenerated (grader)."""
        from chaoyang.teaching.variants import read_survey, survey_csv

        if "survey" not in self._cache:
            if self.data_dir is not None:
                self._cache["survey"] = read_survey(self.data_dir / "survey.csv")
            else:
                self._cache["survey"] = read_survey(survey_csv(self.variant))
        return self._cache["survey"]

    def get(self, key: str, build: Callable):
        """``build(self)`` once per variant: grading 100 students of one course variant recomputes it once."""
        shared = (self.variant.assignment, self.variant.kind, self.variant.tag, str(self.data_dir), key)
        if key not in self._cache:
            if self.variant.world is not None and shared in _SHARED:
                self._cache[key] = _SHARED[shared]
            else:
                self._cache[key] = build(self)
                if self.variant.world is not None:
                    _SHARED[shared] = self._cache[key]
                    while len(_SHARED) > _SHARED_MAX:
                        _SHARED.popitem(last=False)
        return self._cache[key]


def run_question(question: Question, answers: dict, ctx: Context) -> QuestionGrade:
    """Run a question's checks on plain answers; public checks earn 0, hidden share the points."""
    missing = [name for name in question.answers if name not in answers]
    unsupported = [name for name in question.answers if name in answers and isinstance(answers[name], dict)
                   and set(answers[name]) == {"__unsupported__"}]
    total_weight = sum(c.weight for c in question.hidden) or 1.0
    results = []
    for check in question.checks:
        possible = question.points * check.weight / total_weight if check.hidden else 0.0
        # Messages stay English in the records; feedback pages and grader.check translate them when shown.
        if missing:
            passed, message = False, N_("define {names} (not found in the notebook)").format(names=", ".join(missing))
        elif unsupported:
            passed, message = False, N_("{names} could not be read: use the type the question asks for (numbers, "
                                        "strings, lists, dicts, pandas tables)").format(names=", ".join(unsupported))
        else:
            try:
                check.func(answers, ctx)
                passed, message = True, N_("passed")
            except Fail as err:
                passed, message = False, str(err)
            except Exception as err:  # a wrong type makes a check raise: that is a failure, not a crash
                passed, message = False, N_("could not be checked ({error}); check the type of your answer").format(
                    error=type(err).__name__)
        if check.hidden:
            message = N_("passed") if passed else check.hint
        results.append(CheckResult(name=f"{question.name} {'hidden' if check.hidden else 'public'}: {check.name}",
                                   hidden=check.hidden, passed=passed, points=possible if passed else 0.0,
                                   possible=possible, message=message))
    points = round(sum(r.points for r in results), 6)
    return QuestionGrade(question=question.name, points=points, possible=float(question.points), checks=tuple(results))


# ---------------------------------------------------------------------------------- comparisons
def floats(value) -> np.ndarray:
    """A Series/list/array as a float array (raises on non-numbers)."""
    return np.asarray(value, dtype=float).ravel()


def close(a, b, tol: float) -> bool:
    a, b = floats(a), floats(b)
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and bool(np.allclose(a, b, atol=tol, rtol=0))


def is_frame(value) -> bool:
    return isinstance(value, pd.DataFrame)


def is_series(value) -> bool:
    return isinstance(value, pd.Series)


def is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(float(value))


def labels(index) -> list[str]:
    """Index labels as strings (JSON round trips may turn 1 into "1")."""
    return [str(x) for x in index]


def describe_axes(ax) -> dict:
    """A plain summary of a matplotlib Axes for grading: lines, bars, labels, title, legend.

    Student notebooks call it on their plot (``ax_summary = describe_axes(ax)``) so the grader,
    which never runs student code, receives data instead of a figure.

    Returns
    -------
    dict
        ``lines`` (each ``{"x": [...], "y": [...], "label": str}``), ``bars`` (each ``{"x", "y",
        "width", "height"}``), ``xticklabels``, ``yticklabels``, ``xlabel``, ``ylabel``, ``title``,
        ``legend`` (list of texts, or None).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.bar([0, 1], [0.2, 0.5]); _ = ax.set_title("t")
    >>> s = describe_axes(ax); [b["height"] for b in s["bars"]], s["title"]
    ([0.2, 0.5], 't')
    >>> plt.close(fig)
    """
    from matplotlib.patches import Rectangle

    summary = {"lines": [], "bars": [], "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "title": ax.get_title(),
               "xticklabels": [t.get_text() for t in ax.get_xticklabels()],
               "yticklabels": [t.get_text() for t in ax.get_yticklabels()]}
    for line in ax.get_lines():
        summary["lines"].append({"x": [float(v) for v in np.asarray(line.get_xdata(), dtype=float)],
                                 "y": [float(v) for v in np.asarray(line.get_ydata(), dtype=float)],
                                 "label": str(line.get_label())})
    for patch in ax.patches:
        if isinstance(patch, Rectangle):
            summary["bars"].append({"x": float(patch.get_x()), "y": float(patch.get_y()),
                                    "width": float(patch.get_width()), "height": float(patch.get_height())})
    legend = ax.get_legend()
    summary["legend"] = None if legend is None else [t.get_text() for t in legend.get_texts()]
    return summary
