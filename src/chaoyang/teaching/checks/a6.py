"""Checks of assignment a6 (simulation): two regimes, subsidy withdrawal, the game's equilibria, a plot.

Each question lists the answers it grades, its points (all on the hidden checks) and its checks.

Examples
--------
>>> [(q.name, q.points, len(q.public), len(q.hidden)) for q in QUESTIONS][0]
('q1', 2, 1, 1)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang.teaching.checks.common import Check, Question, close, is_number, is_series, labels, need

ASSIGNMENT = "a6_simulation"


def _ref(ctx):
    from chaoyang import sim
    from chaoyang.sim.game import MobilizationGame

    p = ctx.params
    size = {"n_residents": p["n_residents"], "steps": p["steps"], "seed": p["seed"]}

    def rate(regime, **kw):
        return sim.run(regime, **size, **kw).ledger["participation_rate"].to_numpy(dtype=float)

    emotional, subsidy, none = rate("emotional"), rate("subsidy"), rate("none")
    strong = p["crowding_values"][-1]
    withdrawn = {c: rate("subsidy", subsidy_stop_step=p["stop_day"], crowding_out=c) for c in p["crowding_values"]}
    w = p["window"]
    status_quo = float(none[-w:].mean())
    rest = MobilizationGame(**p["game"]).equilibria()
    corners = rest[(rest["kind"] == "corner") & (rest["stability"] == "stable")]
    interior = rest[rest["kind"] == "interior"].iloc[0]
    return {"final": [float(emotional[-w:].mean()), float(subsidy[-w:].mean())], "status_quo": status_quo,
            "hysteresis": [float(withdrawn[c][-w:].mean()) - status_quo for c in p["crowding_values"]],
            "series": [emotional, subsidy, withdrawn[strong]],
            "corners": sorted((int(round(x)), int(round(y))) for x, y in zip(corners["x"], corners["y"])),
            "interior": (float(interior["x"]), float(interior["y"])), "stability": str(interior["stability"])}


def ref(ctx):
    return ctx.get("ref", _ref)


def _q1_public(a, ctx):
    f = a["final_rates"]
    need(is_series(f), "final_rates must be a pandas Series")
    need(labels(f.index) == ["emotional", "subsidy"], "index final_rates by ['emotional', 'subsidy'], in that order")
    need(bool(f.between(0, 1).all()), "participation rates lie between 0 and 1")


def _q1_hidden(a, ctx):
    # Runs are bit-reproducible from the seed; 1e-9 allows only float summation order.
    need(close(a["final_rates"], ref(ctx)["final"], 1e-9), "rates")


def _q2_public(a, ctx):
    need(is_number(a["status_quo"]) and 0 <= float(a["status_quo"]) <= 1, "status_quo must be a number between 0 and 1")
    h = a["hysteresis"]
    need(is_series(h), "hysteresis must be a pandas Series")
    need([float(v) for v in h.index] == [float(c) for c in ctx.params["crowding_values"]],
         "index hysteresis by your variant's crowding values, in order")


def _q2_hidden(a, ctx):
    r = ref(ctx)
    need(abs(float(a["status_quo"]) - r["status_quo"]) < 1e-9, "status quo")
    need(close(a["hysteresis"], r["hysteresis"], 1e-9), "hysteresis")


def _q3_public(a, ctx):
    corners = a["stable_corners"]
    need(isinstance(corners, list) and all(isinstance(c, tuple) and len(c) == 2 for c in corners),
         "stable_corners must be a list of (x, y) tuples")
    need(all(float(v) in (0.0, 1.0) for c in corners for v in c), "corners have coordinates 0 or 1")
    need(isinstance(a["interior_point"], tuple) and len(a["interior_point"]) == 2, "interior_point must be a tuple (x, y)")
    need(a["interior_stability"] in {"stable", "unstable", "saddle", "centre"},
         "interior_stability must be one of 'stable', 'unstable', 'saddle', 'centre'")


def _q3_hidden(a, ctx):
    r = ref(ctx)
    need(sorted((int(round(float(x))), int(round(float(y)))) for x, y in a["stable_corners"]) == r["corners"], "corners")
    # Closed-form rest point; 1e-6 accepts hand calculation with fractions or floats.
    need(close(a["interior_point"], r["interior"], 1e-6), "interior")
    need(a["interior_stability"] == r["stability"], "stability")


def _q4_public(a, ctx):
    s = a["ax_summary"]
    need(isinstance(s, dict) and "lines" in s, "ax_summary must be describe_axes(ax) (run the given cell after the plot)")
    steps = ctx.params["steps"]
    need(len([line for line in s["lines"] if len(line["y"]) == steps]) >= 3,
         f"draw three lines with one point per day ({steps} points each)")
    need(s["xlabel"].strip() != "" and s["ylabel"].strip() != "", "label both axes")
    need(s["legend"] is not None and len(s["legend"]) >= 3, "add a legend naming the three runs")


def _q4_hidden(a, ctx):
    steps = ctx.params["steps"]
    lines = [line for line in a["ax_summary"]["lines"] if len(line["y"]) == steps]
    for series in ref(ctx)["series"]:
        match = [line for line in lines if close(line["y"], series, 1e-9)]
        need(match, "run missing")
        # x may be the ledger's step (1..steps) or, with pandas' default index, 0..steps-1.
        need(close(match[0]["x"], np.arange(1, steps + 1), 1e-9) or close(match[0]["x"], np.arange(steps), 1e-9), "x")
        need(not match[0]["label"].startswith("_"), "label")


QUESTIONS = (
    Question("q1", 2, ("final_rates",), (
        Check("a Series indexed emotional, subsidy", _q1_public),
        Check("mean participation over the last days of each run", _q1_hidden, hidden=True,
              hint="final_rates does not match the runs with your variant's seed and sizes (mean participation_rate "
                   "over the last WINDOW days), or the regimes are swapped."))),
    Question("q2", 3, ("status_quo", "hysteresis"), (
        Check("a number and a Series over the crowding values", _q2_public),
        Check("post-withdrawal difference from the status quo", _q2_hidden, hidden=True,
              hint="status_quo or hysteresis does not match the reruns: subsidy paid until your variant's stop day, "
                   "mean over the last WINDOW days, minus the same mean of a 'none' run with the same seed."))),
    Question("q3", 3, ("stable_corners", "interior_point", "interior_stability"), (
        Check("corners, a point and a stability type", _q3_public),
        Check("equilibria of the game", _q3_hidden, hidden=True,
              hint="The stable corners, the interior rest point or its type is not right for your variant's payoffs; "
                   "see the stability conditions in the module docstring of chaoyang.sim.game."))),
    Question("q4", 2, ("ax_summary",), (
        Check("three labelled daily lines, axis labels, legend", _q4_public),
        Check("the lines show the three runs", _q4_hidden, hidden=True,
              hint="The three lines do not show the runs: x the day, y the daily participation_rate of the emotional "
                   "run, the subsidy run and the withdrawal run with the strong crowding out of your variant."))),
)
