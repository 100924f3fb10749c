"""Checks of assignment a5 (fsQCA): calibration, necessity, truth table, intermediate solution, robustness.

Each question lists the answers it grades, its points (all on the hidden checks) and its checks.

Examples
--------
>>> [(q.name, q.points, len(q.public), len(q.hidden)) for q in QUESTIONS][0]
('q1', 2, 1, 1)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang.teaching.checks.common import Check, Question, close, is_frame, is_number, is_series, labels, need

ASSIGNMENT = "a5_fsqca"


def _positive(table) -> list[int]:
    return sorted(int(r) for r in table.table.index[table.table["OUT"].astype(str) == "1"])


def _ref(ctx):
    from chaoyang import qca
    from chaoyang.data import composite_scores

    p = ctx.params
    sets = p["conditions"] + [p["outcome"]]
    scores = composite_scores(ctx.survey(), sets).astype(float)
    anchors = p["anchors"]
    members = pd.DataFrame({c: qca.calibrate(scores[c], anchors["exclusion"], anchors["crossover"], anchors["inclusion"])
                            for c in sets}, index=scores.index)
    incl = qca.necessity(members, p["outcome"], p["conditions"])["inclN"].loc[p["conditions"]].astype(float)
    tables, terms = {}, {}
    for key in ("pri_cut", "pri_cut_strict"):
        tables[key] = qca.truth_table(members, p["outcome"], p["conditions"], incl_cut=p["incl_cut"], n_cut=p["n_cut"],
                                      pri_cut=p[key])
        try:
            terms[key] = list(qca.minimize(tables[key], include="?", dir_exp=p["directions"]).models[0].terms)
        except Exception:  # no positive row: the solution is empty
            terms[key] = []
    positive, strict = _positive(tables["pri_cut"]), _positive(tables["pri_cut_strict"])
    return {"members": members, "incl": incl, "positive": positive, "terms": terms["pri_cut"],
            "changed": sorted(set(positive) - set(strict)),
            "lost": sorted(set(terms["pri_cut"]) - set(terms["pri_cut_strict"]))}


def ref(ctx):
    return ctx.get("ref", _ref)


def _solution_fit(terms, members: pd.DataFrame, outcome: str):
    """Consistency and coverage of a union of terms (closed forms, written out independently of qca)."""
    def literal(c):
        return 1 - members[c[1:]].to_numpy() if c.startswith("~") else members[c].to_numpy()

    s = np.max([np.min([literal(c) for c in t.split("*")], axis=0) for t in terms], axis=0)
    y = members[outcome].to_numpy()
    sy = np.minimum(s, y).sum()
    return sy / s.sum(), sy / y.sum()


def _q1_public(a, ctx):
    m, p = a["members"], ctx.params
    need(is_frame(m), "members must be a pandas DataFrame")
    need(labels(m.columns) == p["conditions"] + [p["outcome"]], "columns must be the conditions then the outcome, in order")
    need(len(m) == len(ctx.survey()), "one row per resident, as in scores")


def _q1_hidden(a, ctx):
    # The direct method is a closed formula; 1e-4 allows other correct implementations
    # (e.g. written out with numpy) that round the logistic differently.
    need(close(a["members"].to_numpy(dtype=float), ref(ctx)["members"].to_numpy(), 1e-4), "members")


def _q2_public(a, ctx):
    need(is_series(a["necessity_consistency"]), "necessity_consistency must be a pandas Series")
    need(labels(a["necessity_consistency"].index) == ctx.params["conditions"], "index it by the conditions, in order")
    need(isinstance(a["necessary_conditions"], list), "necessary_conditions must be a list (possibly empty)")


def _q2_hidden(a, ctx):
    r = ref(ctx)
    need(close(a["necessity_consistency"], r["incl"], 1e-3), "incl")
    expected = [c for c in ctx.params["conditions"] if r["incl"][c] >= ctx.params["necessity_cut"]]
    need(list(map(str, a["necessary_conditions"])) == expected, "list")


def _q3_public(a, ctx):
    rows = a["positive_rows"]
    need(isinstance(rows, list), "positive_rows must be a list of row numbers")
    need(all(isinstance(r, int) and not isinstance(r, bool) for r in rows), "row numbers must be integers")
    need(rows == sorted(rows) and all(1 <= r <= 32 for r in rows), "sorted row numbers between 1 and 32")


def _q3_hidden(a, ctx):
    need([int(r) for r in a["positive_rows"]] == ref(ctx)["positive"], "rows")


def _q4_public(a, ctx):
    terms = a["solution_terms"]
    need(isinstance(terms, list) and len(terms) > 0, "solution_terms must be a non-empty list of terms")
    need(all(isinstance(t, str) for t in terms), "each term is a string such as 'BEL*RES'")
    need(is_number(a["solution_consistency"]) and is_number(a["solution_coverage"]), "consistency and coverage must be numbers")


def _q4_hidden(a, ctx):
    r = ref(ctx)
    need(sorted(a["solution_terms"]) == sorted(r["terms"]), "terms")
    incl, cov = _solution_fit(r["terms"], r["members"], ctx.params["outcome"])
    # Consistency and coverage as printed by the kit or computed by hand: 0.005 covers rounding.
    need(abs(float(a["solution_consistency"]) - incl) < 0.005 and abs(float(a["solution_coverage"]) - cov) < 0.005, "fit")


def _q5_public(a, ctx):
    need(isinstance(a["changed_rows"], list), "changed_rows must be a list (possibly empty) of row numbers")
    need(isinstance(a["lost_terms"], list), "lost_terms must be a list (possibly empty) of terms")


def _q5_hidden(a, ctx):
    r = ref(ctx)
    need(sorted(int(x) for x in a["changed_rows"]) == r["changed"], "rows")
    need(sorted(map(str, a["lost_terms"])) == r["lost"], "terms")


QUESTIONS = (
    Question("q1", 2, ("members",), (
        Check("a DataFrame, one column per set", _q1_public),
        Check("direct-method calibration on the anchors", _q1_hidden, hidden=True,
              hint="The memberships do not follow the direct method on your variant's anchors (log-odds 0 at the "
                   "crossover, about +3 at the inclusion and -3 at the exclusion anchor)."))),
    Question("q2", 2, ("necessity_consistency", "necessary_conditions"), (
        Check("a Series over the conditions and a list", _q2_public),
        Check("consistency of necessity and the necessary conditions", _q2_hidden, hidden=True,
              hint="The necessity consistencies or the list of necessary conditions are not right. inclN of X for Y "
                   "is sum(min(X, Y)) / sum(Y); the threshold is in the question."))),
    Question("q3", 2, ("positive_rows",), (
        Check("a sorted list of row numbers", _q3_public),
        Check("the positive truth-table rows", _q3_hidden, hidden=True,
              hint="positive_rows is not right: a row is positive when it holds at least n_cut cases (membership above "
                   "0.5), its consistency is at least incl_cut and its PRI at least pri_cut (your variant's values)."))),
    Question("q4", 3, ("solution_terms", "solution_consistency", "solution_coverage"), (
        Check("a list of terms and two numbers", _q4_public),
        Check("the intermediate solution and its fit", _q4_hidden, hidden=True,
              hint="solution_terms, consistency or coverage is not that of the first model of the intermediate "
                   "solution (include='?', the directional expectations) of the truth table with your cut-offs."))),
    Question("q5", 2, ("changed_rows", "lost_terms"), (
        Check("two lists", _q5_public),
        Check("rows and terms lost at the stricter PRI cut-off", _q5_hidden, hidden=True,
              hint="changed_rows or lost_terms is not right: compare the two truth tables row by row and the two "
                   "solutions term by term."))),
)
