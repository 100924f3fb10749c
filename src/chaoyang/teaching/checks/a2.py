"""Checks of assignment a2 (measurement): reverse scoring, alpha, CFA loadings, weakest items, CR/AVE.

Each question lists the answers it grades, its points (all on the hidden checks) and its checks.

Examples
--------
>>> [(q.name, q.points, len(q.public), len(q.hidden)) for q in QUESTIONS][0]
('q1', 2, 1, 1)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from chaoyang.teaching.checks.common import Check, Question, close, is_series, labels, need
from chaoyang.world import items_of

ASSIGNMENT = "a2_measurement"


def _ref(ctx):
    from chaoyang import sem
    from chaoyang.teaching.variants import read_survey, survey_csv
    from chaoyang.world import items_of

    constructs = ctx.params["constructs"]
    survey = ctx.survey()
    reverse = sorted(i.column for c in constructs for i in items_of(c) if i.reverse)
    scored = survey.copy()
    scored[reverse] = 6 - survey[reverse]
    items = [i.column for c in constructs for i in items_of(c)]
    alphas = [sem.cronbach_alpha(scored, items=[i.column for i in items_of(c)]) for c in constructs]
    model = "\n".join(f"{c} =~ " + " + ".join(i.column for i in items_of(c)) for c in constructs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfa = sem.fit(model, scored)
    rows = cfa.estimates[cfa.estimates["op"] == "=~"]
    loadings = pd.Series(rows["std.all"].to_numpy(dtype=float), index=rows["rhs"].to_numpy()).reindex(items)
    ave = {c: float((loadings[[i.column for i in items_of(c)]] ** 2).mean()) for c in constructs}
    cr = {}
    for c in constructs:
        l = loadings[[i.column for i in items_of(c)]].to_numpy()
        cr[c] = float(l.sum() ** 2 / (l.sum() ** 2 + (1 - l ** 2).sum()))
    weakest = {c: str(loadings[[i.column for i in items_of(c)]].idxmin()) for c in constructs if c != "WIL"}
    return {"survey": survey, "reverse": reverse, "scored": scored, "items": items, "alphas": alphas,
            "loadings": loadings, "ave": ave, "cr": cr, "weakest": weakest}


def ref(ctx):
    return ctx.get("ref", _ref)


def _q1_public(a, ctx):
    need(isinstance(a["scored"], pd.DataFrame), "scored must be a pandas DataFrame")
    need(a["scored"].shape == ctx.survey().shape, "scored must have the survey's shape")
    need(isinstance(a["reverse_items"], list), "reverse_items must be a list of column names")


def _q1_hidden(a, ctx):
    r = ref(ctx)
    need(sorted(map(str, a["reverse_items"])) == r["reverse"], "reverse set")
    scored = a["scored"]
    need(labels(scored.columns) == labels(r["survey"].columns), "columns")
    for column in r["survey"].columns:
        mine, expected = scored[column], r["scored"][column]
        if pd.api.types.is_numeric_dtype(expected):
            need(mine.isna().equals(expected.isna()), "missing")
            need(np.allclose(pd.to_numeric(mine).to_numpy(dtype=float)[expected.notna().to_numpy()],
                             expected.dropna().to_numpy(dtype=float)), "values")
        else:
            need([str(x) for x in mine] == [str(x) for x in expected], "values")


def _q2_public(a, ctx):
    need(is_series(a["alphas"]), "alphas must be a pandas Series")
    need(labels(a["alphas"].index) == ctx.params["constructs"], "alphas must be indexed by your variant's constructs, in order")


def _q2_hidden(a, ctx):
    # Cronbach's alpha is a closed formula on the same rows: 1e-6 allows only float rounding.
    need(close(a["alphas"], ref(ctx)["alphas"], 1e-6), "alphas")


def _q3_public(a, ctx):
    need(is_series(a["std_loadings"]), "std_loadings must be a pandas Series")
    need(labels(a["std_loadings"].index) == [i.column for c in ctx.params["constructs"] for i in items_of(c)], "std_loadings must be indexed by the items of your constructs, in order")


def _q3_hidden(a, ctx):
    # Any correct CFA specification (item order, explicit variances, other estimator start values)
    # reaches the same ML optimum; 0.005 covers optimizer tolerance, not a different model.
    need(close(a["std_loadings"], ref(ctx)["loadings"], 0.005), "loadings")


def _q4_public(a, ctx):
    need(isinstance(a["weakest_item"], dict), "weakest_item must be a dict")
    need(sorted(a["weakest_item"]) == sorted(c for c in ctx.params["constructs"] if c != "WIL"),
         "weakest_item needs one key per construct of your variant except WIL")


def _q4_hidden(a, ctx):
    need({k: str(v) for k, v in a["weakest_item"].items()} == ref(ctx)["weakest"], "weakest")


def _q5_public(a, ctx):
    need(is_series(a["cr"]) and is_series(a["ave"]), "cr and ave must be pandas Series")
    need(sorted(labels(a["ave"].index)) == sorted(ctx.params["constructs"]), "ave must have one value per construct")
    need(isinstance(a["convergent_ok"], list), "convergent_ok must be a list")


def _q5_hidden(a, ctx):
    r, constructs = ref(ctx), ctx.params["constructs"]
    # CR and AVE are closed forms of the loadings; 0.005 matches the loadings' tolerance.
    need(close([float(a["cr"][c]) for c in constructs], [r["cr"][c] for c in constructs], 0.005), "cr")
    need(close([float(a["ave"][c]) for c in constructs], [r["ave"][c] for c in constructs], 0.005), "ave")
    expected = sorted(c for c in constructs if r["ave"][c] >= ctx.params["ave_min"])
    need(sorted(map(str, a["convergent_ok"])) == expected, "convergent")


QUESTIONS = (
    Question("q1", 2, ("scored", "reverse_items"), (
        Check("scored is a DataFrame of the survey's shape; reverse_items a list", _q1_public),
        Check("exactly the reverse-keyed items reversed", _q1_hidden, hidden=True,
              hint="scored must reverse (6 - x) exactly the reverse-keyed items of your constructs, keep missing "
                   "answers missing and every other column unchanged; reverse_items lists those items."))),
    Question("q2", 2, ("alphas",), (
        Check("alphas indexed by the constructs", _q2_public),
        Check("Cronbach's alpha of each scale", _q2_hidden, hidden=True,
              hint="alphas do not match Cronbach's formula on the reverse-scored items (listwise within each construct)."))),
    Question("q3", 3, ("std_loadings",), (
        Check("std_loadings indexed by the items", _q3_public),
        Check("standardized loadings of the CFA", _q3_hidden, hidden=True,
              hint="The loadings are not those of a one-factor-per-construct CFA on the reverse-scored data "
                   "(std.all of the =~ rows)."))),
    Question("q4", 2, ("weakest_item",), (
        Check("one key per construct", _q4_public),
        Check("the lowest-loading item of each construct", _q4_hidden, hidden=True,
              hint="At least one construct's weakest item is wrong: compare the standardized loadings within each construct."))),
    Question("q5", 2, ("cr", "ave", "convergent_ok"), (
        Check("cr, ave are Series; convergent_ok a list", _q5_public),
        Check("CR, AVE and the convergent-validity list", _q5_hidden, hidden=True,
              hint="cr, ave or convergent_ok do not follow from the standardized loadings "
                   "(CR = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)); AVE = mean l^2; the threshold is in the question)."))),
)
