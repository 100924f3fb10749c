"""Checks of assignment a3 (mediation): a parallel triple-mediation model of the variant's pathway.

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

from chaoyang.teaching.checks.common import Check, Question, close, is_frame, labels, need

ASSIGNMENT = "a3_mediation"
PATHS = ("a1", "a2", "a3", "b1", "b2", "b3", "c")
DEFINED = ("ind1", "ind2", "ind3", "indirect")
#: Tolerance for estimates and interval bounds. Equivalent syntax (reordered lines, other spacing,
#: extra defined effects) reproduces the reference fit to about 1e-12, bootstrap bounds included
#: (same seed, same resampled residents; measured with tests/fixtures/alt_solutions/a3.py); 1e-3
#: leaves room for an equivalent parameterisation whose optimizer stops elsewhere. Leaving out the
#: mediators' residual covariances moves the paths by 0.006-0.02 and must fail
#: (tests/test_checks.py::test_a3_nonequivalent_model_fails).
PATH_TOL = 1e-3


def scored_survey(survey: pd.DataFrame, constructs) -> pd.DataFrame:
    """A copy of ``survey`` with the reverse-keyed items of ``constructs`` reversed (6 - answer).

    Examples
    --------
    >>> import pandas as pd
    >>> scored_survey(pd.DataFrame({"PCR4": [1, 5]}), ["PCR"])["PCR4"].tolist()
    [5, 1]
    """
    from chaoyang.world import items_of

    scored = survey.copy()
    for construct in constructs:
        for item in items_of(construct):
            if item.reverse and item.column in scored:
                scored[item.column] = 6 - survey[item.column]
    return scored


def _quiet_fit(model, data, **kwargs):
    from chaoyang import sem

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem.fit(model, data, **kwargs)


def _labelled(result) -> dict:
    rows = result.estimates[result.estimates["op"] == "~"]
    return {str(r["label"]): float(r["std.all"]) for _, r in rows.iterrows() if str(r["label"]) in PATHS}


def _ref(ctx):
    from chaoyang import sem
    from chaoyang.world import items_of

    p = ctx.params
    constructs = [p["driver"], *p["mediators"], p["outcome"]]
    scored = scored_survey(ctx.survey(), constructs)
    measurement = {c: [i.column for i in items_of(c)] for c in constructs}
    syntax = sem.parallel_mediation_syntax(p["driver"], p["mediators"], p["outcome"], measurement=measurement)
    result = _quiet_fit(syntax, scored, n_boot=p["n_boot"], seed=p["seed"])
    est = result.estimates
    defined = est[est["op"] == ":="].set_index("lhs")
    direct = est[(est["op"] == "~") & (est["label"] == "c")].iloc[0]
    return {"scored": scored, "std_paths": _labelled(result),
            "indirect": defined.loc[list(DEFINED), ["est", "ci.lower", "ci.upper"]].astype(float),
            "direct_ci": (float(direct["ci.lower"]), float(direct["ci.upper"]))}


def ref(ctx):
    return ctx.get("ref", _ref)


def _q1_public(a, ctx):
    need(isinstance(a["syntax"], str), "syntax must be a string of lavaan syntax")
    need("=~" in a["syntax"] and ":=" in a["syntax"], "the syntax needs measurement lines (=~) and defined effects (:=)")


def _q1_hidden(a, ctx):
    # The syntax is graded by what it estimates, not how it is written: any equivalent model
    # (other line order, spacing, explicit variances, extra defined effects) fits to the same
    # labelled paths, fitted here without a bootstrap.
    result = _quiet_fit(a["syntax"], ref(ctx)["scored"])
    mine, expected = _labelled(result), ref(ctx)["std_paths"]
    need(sorted(mine) == sorted(PATHS), "labels")
    need(close([mine[k] for k in PATHS], [expected[k] for k in PATHS], PATH_TOL), "paths")
    defined = set(result.estimates.loc[result.estimates["op"] == ":=", "lhs"].astype(str))
    need(set(DEFINED) | {"total"} <= defined, "defined")


def _q2_public(a, ctx):
    s = a["std_paths"]
    need(isinstance(s, dict), "std_paths must be a dict")
    need(sorted(s) == list(PATHS), "std_paths needs the keys a1, a2, a3, b1, b2, b3, c")
    need(all(-1 < float(v) < 1 for v in s.values()), "standardized paths lie between -1 and 1")


def _q2_hidden(a, ctx):
    expected = ref(ctx)["std_paths"]
    need(close([float(a["std_paths"][k]) for k in PATHS], [expected[k] for k in PATHS], PATH_TOL), "paths")


def _q3_public(a, ctx):
    t = a["indirect_table"]
    need(is_frame(t), "indirect_table must be a pandas DataFrame")
    need(labels(t.index) == list(DEFINED), "rows must be ind1, ind2, ind3, indirect")
    need(labels(t.columns) == ["est", "ci.lower", "ci.upper"], "columns must be est, ci.lower, ci.upper")


def _q3_hidden(a, ctx):
    mine, expected = a["indirect_table"].to_numpy(dtype=float), ref(ctx)["indirect"].to_numpy(dtype=float)
    need(close(mine[:, 0], expected[:, 0], PATH_TOL), "est")
    need(close(mine[:, 1:], expected[:, 1:], PATH_TOL), "ci")


def _q4_public(a, ctx):
    need(isinstance(a["direct_ci"], tuple) and len(a["direct_ci"]) == 2, "direct_ci must be a tuple (lower, upper)")
    need(isinstance(a["direct_significant"], bool), "direct_significant must be True or False")


def _q4_hidden(a, ctx):
    lower, upper = (float(v) for v in a["direct_ci"])
    need(close([lower, upper], ref(ctx)["direct_ci"], PATH_TOL), "ci")
    need(a["direct_significant"] is bool(lower > 0 or upper < 0), "decision")


QUESTIONS = (
    Question("q1", 2, ("syntax",), (
        Check("a string with =~ and := lines", _q1_public),
        Check("the model estimates the required labelled paths", _q1_hidden, hidden=True,
              hint="The model does not estimate the required parallel mediation of your variant's pathway: the five "
                   "latent constructs, driver -> mediators (a1..a3), WIL on the driver (c) and mediators (b1..b3), "
                   "and the defined ind1..ind3, indirect, total."))),
    Question("q2", 3, ("std_paths",), (
        Check("a dict of seven standardized paths", _q2_public),
        Check("standardized paths of the fitted model", _q2_hidden, hidden=True,
              hint="Your standardized paths are not those of the model fitted on the reverse-scored data of your "
                   "variant's pathway (std.all of the labelled ~ rows)."))),
    Question("q3", 3, ("indirect_table",), (
        Check("rows ind1..indirect, columns est, ci.lower, ci.upper", _q3_public),
        Check("bootstrap estimates and intervals", _q3_hidden, hidden=True,
              hint="indirect_table does not hold the estimates and percentile intervals of the defined effects of "
                   "the fit with the number of draws and the seed your variant gives."))),
    Question("q4", 2, ("direct_ci", "direct_significant"), (
        Check("a (lower, upper) tuple and a bool", _q4_public),
        Check("interval of c and the decision", _q4_hidden, hidden=True,
              hint="direct_ci is not the bootstrap interval of path c, or direct_significant does not follow from it."))),
)
