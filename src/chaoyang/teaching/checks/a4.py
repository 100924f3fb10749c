"""Checks of assignment a4 (participation levels): frequency tables, shares, a group gap, a bar chart.

Each question lists the answers it grades, its points (all on the hidden checks) and its checks.

Examples
--------
>>> [(q.name, q.points, len(q.public), len(q.hidden)) for q in QUESTIONS][0]
('q1', 2, 1, 1)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang.world import PARTICIPATION_FORMS
from chaoyang.teaching.checks.common import Check, Question, close, is_frame, is_series, labels, need

ASSIGNMENT = "a4_participation"
FORMS = list(PARTICIPATION_FORMS)


def _ref(ctx):
    from chaoyang.world import PARTICIPATION_FORMS

    survey = ctx.survey()
    forms = list(PARTICIPATION_FORMS)
    often = ctx.params["often_from"]
    group = ctx.params["group"]
    member = survey[group["column"]].astype(str) == str(group["value"])
    freq = np.array([[(survey[f].dropna() == k).mean() for k in range(1, 6)] for f in forms])
    share = pd.Series({f: float((survey[f].dropna() >= often).mean()) for f in forms})
    gap = pd.Series({f: float(survey.loc[member, f].mean() - survey.loc[~member, f].mean()) for f in forms})
    return {"forms": forms, "freq": freq, "share": share, "gap": gap}


def ref(ctx):
    return ctx.get("ref", _ref)


def _q1_public(a, ctx):
    t = a["frequency_table"]
    need(is_frame(t), "frequency_table must be a pandas DataFrame")
    need(labels(t.index) == FORMS, "rows must be the six forms in the order of `forms`")
    need(labels(t.columns) == ["1", "2", "3", "4", "5"], "columns must be the answers 1, 2, 3, 4, 5")


def _q1_hidden(a, ctx):
    # Shares of counts on the same rows: 1e-6 allows only float rounding.
    need(close(a["frequency_table"].to_numpy(dtype=float), ref(ctx)["freq"], 1e-6), "freq")


def _q2_public(a, ctx):
    need(is_series(a["share_often"]), "share_often must be a pandas Series")
    need(labels(a["share_often"].index) == FORMS, "share_often must be indexed by the six forms, in order")
    need(isinstance(a["most_common_form"], str) and a["most_common_form"] in FORMS,
         "most_common_form must be the name of one of the forms")


def _q2_hidden(a, ctx):
    need(close(a["share_often"], ref(ctx)["share"], 1e-6), "share")
    need(a["most_common_form"] == ref(ctx)["share"].idxmax(), "max")


def _q3_public(a, ctx):
    need(is_series(a["group_gap"]), "group_gap must be a pandas Series")
    need(labels(a["group_gap"].index) == FORMS, "group_gap must be indexed by the six forms, in order")
    need(isinstance(a["largest_gap_form"], str), "largest_gap_form must be a string")


def _q3_hidden(a, ctx):
    need(close(a["group_gap"], ref(ctx)["gap"], 1e-6), "gap")
    need(a["largest_gap_form"] == ref(ctx)["gap"].idxmax(), "max")


def _bars(summary):
    """Bar lengths, whether drawn vertically (bar) or horizontally (barh), and the category labels."""
    bars = summary["bars"]
    vertical = [b["height"] for b in bars]
    horizontal = [b["width"] for b in bars]
    return vertical, horizontal


def _q4_public(a, ctx):
    s = a["ax_summary"]
    need(isinstance(s, dict) and "bars" in s, "ax_summary must be describe_axes(ax) (run the given cell after the plot)")
    need(len(s["bars"]) == 6, f"the chart needs six bars, one per form; found {len(s['bars'])}")


def _q4_hidden(a, ctx):
    s = a["ax_summary"]
    expected = np.sort(ref(ctx)["share"].to_numpy(dtype=float))
    vertical, horizontal = _bars(s)
    # bar() or barh(), pandas .plot.bar(), any order of the forms: the lengths must be the shares.
    need(close(np.sort(vertical), expected, 1e-6) or close(np.sort(horizontal), expected, 1e-6), "heights")
    ticks = set(s["xticklabels"]) | set(s["yticklabels"])
    need(set(FORMS) <= ticks, "ticks")
    need(s["title"].strip() != "" and (s["ylabel"].strip() != "" or s["xlabel"].strip() != ""), "labels")


QUESTIONS = (
    Question("q1", 2, ("frequency_table",), (
        Check("six forms by five answers", _q1_public),
        Check("shares of each answer", _q1_hidden, hidden=True,
              hint="The shares do not match the survey. Divide counts by the number of residents who answered the item (leave out missing answers)."))),
    Question("q2", 3, ("share_often", "most_common_form"), (
        Check("a Series over the forms and a form name", _q2_public),
        Check("share taking part often and the most common form", _q2_hidden, hidden=True,
              hint="share_often or most_common_form does not match the survey: 'often' starts at the answer your "
                   "variant gives (variant['often_from']), among residents who answered the item."))),
    Question("q3", 3, ("group_gap", "largest_gap_form"), (
        Check("a Series over the forms and a form name", _q3_public),
        Check("mean difference between the group and the others", _q3_hidden, hidden=True,
              hint="group_gap does not match the survey: mean answer of the group your variant names minus the mean "
                   "of everyone else, missing answers left out; largest_gap_form is the form with the largest gap."))),
    Question("q4", 2, ("ax_summary",), (
        Check("six bars", _q4_public),
        Check("bars show share_often with labels", _q4_hidden, hidden=True,
              hint="Bars, tick labels or labels are not right: one bar per form with length share_often, the form "
                   "names as tick labels, an axis label and a title."))),
)
