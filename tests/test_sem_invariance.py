"""Measurement invariance (chaoyang.sem.invariance) against lavaan 0.6-14, live and stored.

lavaan's own sequence is the reference: ``cfa(model, data, group =, group.equal =, group.partial =,
missing =)`` for each step, ``fitMeasures`` for each fit, ``lavTestLRT`` for the chi-square difference
of consecutive steps, ``parameterEstimates`` for the latent means, and one ``group.partial`` refit per
intercept for the release search. Cases:

* ``survey_bel_listwise`` / ``survey_bel_fiml``: the book's survey, belonging (BEL1-BEL4) across hukou,
  complete cases and FIML: the data with the planted non-invariance of BEL3;
* ``holzinger_school``: lavaan's classic example (three factors, nine tests, two schools) with the
  optional ``means`` step;
* ``holzinger_partial``: the same with two intercepts freed (``group.partial``).

Each case is compared with ``tests/fixtures/invariance/<case>.json`` (written by ``python
tests/test_sem_invariance.py``; lavaan version, R version, date and calls inside; always runs) and
with a fresh lavaan run (skipped with the reason where Rscript/lavaan are missing; must run under
``CI=true``).

Tolerances (largest measured difference over all four cases in brackets): chi-square, its difference
and the release search's chi-squares 1e-4 [2e-8], CFI/TLI/RMSEA 1e-6 [4e-11], SRMR 1e-6 [2e-7], p
values 1e-6 [3e-11], latent means 2e-5 [4e-6] and their SEs 1e-5 [3e-7]. The means differ most
because both optimisers stop at their own tolerance; a real error (a constraint missed, a wrong df,
another H1 for FIML) moves the chi-square by whole units.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang import sem
from chaoyang.sem.invariance import (CHEN_CUTOFFS, InvarianceError, InvarianceResult, locate_noninvariance,
                                     measurement_invariance)

sys.path.insert(0, str(Path(__file__).parent))
from _lavaan import FIXTURES as LAVAAN_FIXTURES, lavaan_missing_reason  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "invariance"

BEL = "BEL =~ BEL1 + BEL2 + BEL3 + BEL4"
HOLZINGER = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
STEP_EQUAL = {"configural": [], "metric": ["loadings"], "scalar": ["loadings", "intercepts"],
              "strict": ["loadings", "intercepts", "residuals"], "means": ["loadings", "intercepts", "means"]}

TOL = {"chisq": 1e-4, "index": 1e-6, "pvalue": 1e-6, "mean": 2e-5, "se": 1e-5}


def _survey_bel() -> pd.DataFrame:
    from chaoyang.data import load, scored_items

    survey = load("survey")
    items = scored_items(survey)[["BEL1", "BEL2", "BEL3", "BEL4"]]
    items["hukou"] = survey["hukou"].astype(str).to_numpy()
    return items


def _holzinger() -> pd.DataFrame:
    return pd.read_csv(LAVAAN_FIXTURES / "HolzingerSwineford1939.csv")[
        ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "school"]]


#: case -> (model, data maker, group, steps, missing, group_partial, release-search step or None)
CASES = {
    "survey_bel_listwise": (BEL, _survey_bel, "hukou", ("configural", "metric", "scalar", "strict"), "listwise", (),
                            "scalar"),
    "survey_bel_fiml": (BEL, _survey_bel, "hukou", ("configural", "metric", "scalar", "strict"), "ml", (), "scalar"),
    "holzinger_school": (HOLZINGER, _holzinger, "school", ("configural", "metric", "scalar", "means"), "listwise", (),
                         None),
    "holzinger_partial": (HOLZINGER, _holzinger, "school", ("configural", "metric", "scalar", "strict"), "listwise",
                          ("x3 ~1", "x7 ~1"), None),
}

R_SCRIPT = r"""
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
spec <- fromJSON(args[2], simplifyVector = TRUE)
d <- read.csv(args[1], check.names = FALSE)
partial <- if (length(spec$partial)) spec$partial else ""
fits <- list(); calls <- character(0)
keys <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl", "npar")
run <- function(equal, part) {
  if (length(equal)) cfa(spec$model, data = d, group = spec$group, group.equal = equal, group.partial = part,
                         missing = spec$missing)
  else cfa(spec$model, data = d, group = spec$group, group.partial = part, missing = spec$missing)
}
out <- list(steps = list(), lrt = list(), means = list(), release = list())
for (i in seq_along(spec$steps)) {
  step <- spec$steps[i]
  equal <- spec$equal[[step]]
  fits[[step]] <- run(equal, partial)
  calls <- c(calls, sprintf("cfa(model, data, group = '%s', group.equal = c(%s), group.partial = c(%s), missing = '%s')",
                            spec$group, paste0("'", equal, "'", collapse = ", "), paste0("'", partial, "'", collapse = ", "),
                            spec$missing))
  out$steps[[step]] <- as.list(fitMeasures(fits[[step]], keys))
  pe <- parameterEstimates(fits[[step]])
  lv <- unique(pe$lhs[pe$op == "=~"])
  m <- pe[pe$op == "~1" & pe$lhs %in% lv, c("lhs", "group", "est", "se")]
  out$means[[step]] <- m
  if (i > 1) {
    lrt <- lavTestLRT(fits[[spec$steps[i - 1]]], fits[[step]])
    out$lrt[[step]] <- list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                            pvalue = lrt[["Pr(>Chisq)"]][2])
  }
}
if (!is.null(spec$release) && nchar(spec$release)) {
  equal <- spec$equal[[spec$release]]
  for (p in spec$candidates) {
    f <- run(equal, c(spec$partial, p))
    out$release[[p]] <- as.list(fitMeasures(f, c("chisq", "df", "cfi")))
  }
}
out$groups <- lavInspect(fits[[1]], "group.label")
out$nobs <- lavInspect(fits[[1]], "nobs")
out$provenance <- list(lavaan = as.character(packageVersion("lavaan")), R = R.version.string,
                       date = format(Sys.time(), "%Y-%m-%d", tz = "UTC"), calls = calls,
                       harness = "tests/test_sem_invariance.py R_SCRIPT")
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE, dataframe = "rows"), args[3])
"""


def _candidates(case: str) -> list[str]:
    model, make, group, steps, missing, partial, release = CASES[case]
    items = [x.strip() for x in model.split("=~")[1].split("+")] if release == "scalar" else []
    return [f"{x} ~1" for x in items]


def run_lavaan_invariance(case: str) -> dict:
    """Run lavaan's sequence for one case; return its JSON (see the module docstring)."""
    model, make, group, steps, missing, partial, release = CASES[case]
    spec = {"model": model, "group": group, "steps": list(steps), "missing": missing, "partial": list(partial),
            "equal": {s: STEP_EQUAL[s] for s in steps}, "release": release or "", "candidates": _candidates(case)}
    with tempfile.TemporaryDirectory(prefix="chaoyang-invariance-") as tmp:
        folder = Path(tmp)
        make().to_csv(folder / "data.csv", index=False, float_format="%.17g")
        (folder / "spec.json").write_text(json.dumps(spec))
        (folder / "run.R").write_text(R_SCRIPT)
        done = subprocess.run(["Rscript", str(folder / "run.R"), str(folder / "data.csv"), str(folder / "spec.json"),
                               str(folder / "out.json")], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"lavaan failed on case {case}:\n{done.stderr[-2000:]}")
        out = json.loads((folder / "out.json").read_text())
    out["case"] = case
    out["spec"] = spec
    return out


def _stored(case: str) -> dict:
    return json.loads((FIXTURES / f"{case}.json").read_text())


@pytest.fixture(scope="module")
def kit_results():
    cache = {}

    def get(case: str):
        if case not in cache:
            model, make, group, steps, missing, partial, release = CASES[case]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sem.SEMWarning)
                result = measurement_invariance(model, make(), group, steps=steps, missing=missing,
                                                group_partial=partial)
                search = locate_noninvariance(result, release) if release else None
            cache[case] = (result, search)
        return cache[case]
    return get


def _compare(result: InvarianceResult, search, reference: dict) -> None:
    table = result.table.set_index("step")
    assert result.group_labels == list(reference["groups"])
    nobs = reference["nobs"] if isinstance(reference["nobs"], list) else [reference["nobs"]]
    assert list(result.group_sizes.values()) == nobs
    for step, fm in reference["steps"].items():
        row = table.loc[step]
        assert row["df"] == fm["df"], step
        assert row["npar"] == fm["npar"], step
        assert row["chisq"] == pytest.approx(fm["chisq"], abs=TOL["chisq"]), step
        assert row["pvalue"] == pytest.approx(fm["pvalue"], abs=TOL["pvalue"]), step
        for key in ("cfi", "tli", "rmsea", "srmr"):
            assert row[key] == pytest.approx(fm[key], abs=TOL["index"]), (step, key)
    steps = list(reference["steps"])
    for previous, step in zip(steps, steps[1:]):
        lrt, row = reference["lrt"][step], table.loc[step]
        assert row["delta_chisq"] == pytest.approx(lrt["chisq_diff"], abs=TOL["chisq"]), step
        assert row["delta_df"] == lrt["df_diff"], step
        assert row["delta_pvalue"] == pytest.approx(lrt["pvalue"], abs=TOL["pvalue"]), step
        for key in ("cfi", "rmsea", "srmr"):
            expected = reference["steps"][step][key] - reference["steps"][previous][key]
            assert row[f"delta_{key}"] == pytest.approx(expected, abs=2 * TOL["index"]), (step, key)
    for step, rows in reference["means"].items():
        kit = result.latent_means(step).set_index(["factor", "group"])
        for r in rows:
            assert kit.loc[(r["lhs"], r["group"]), "est"] == pytest.approx(r["est"], abs=TOL["mean"]), (step, r)
            assert kit.loc[(r["lhs"], r["group"]), "se"] == pytest.approx(r["se"], abs=TOL["se"]), (step, r)
    if search is not None:
        kit = search.set_index("parameter")
        for parameter, fm in reference["release"].items():
            assert kit.loc[parameter, "chisq"] == pytest.approx(fm["chisq"], abs=TOL["chisq"]), parameter
            assert kit.loc[parameter, "df"] == fm["df"], parameter
            assert kit.loc[parameter, "cfi"] == pytest.approx(fm["cfi"], abs=TOL["index"]), parameter


@pytest.mark.parametrize("case", list(CASES))
def test_sequence_matches_stored_lavaan(case, kit_results):
    reference = _stored(case)
    assert reference["provenance"]["lavaan"].startswith("0.6")
    _compare(*kit_results(case), reference)


@pytest.mark.parametrize("case", list(CASES))
def test_sequence_matches_live_lavaan(case, kit_results):
    reason = lavaan_missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but lavaan cannot run: {reason}")
        pytest.skip(f"live lavaan comparison skipped: {reason}")
    _compare(*kit_results(case), run_lavaan_invariance(case))


# ---------------------------------------------------------------- the planted non-invariance is found
@pytest.mark.parametrize("case", ["survey_bel_listwise", "survey_bel_fiml"])
def test_the_planted_bel3_intercept_is_what_fails_and_what_the_search_finds(case, kit_results):
    """The world plants one intercept difference (BEL3, non-local hukou): metric holds, scalar fails
    by every criterion, and freeing BEL3's intercept improves the fit most: a partial-scalar model holds."""
    from chaoyang.world import DEFAULT_WORLD

    planted = DEFAULT_WORLD.item_bias[0]
    result, search = kit_results(case)
    assert all(result.verdict("metric", c) == "holds" for c in ("chisq", "cfi", "chen"))
    assert all(result.verdict("scalar", c) == "fails" for c in ("chisq", "cfi", "chen"))
    assert search.iloc[0]["parameter"] == f"{planted.item} ~1"
    model, make, group, steps, missing, _, _ = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sem.SEMWarning)
        partial = measurement_invariance(model, make(), group, steps=steps[:3], missing=missing,
                                         group_partial=[f"{planted.item} ~1"])
    assert partial.level_reached("chen") == "scalar"


def test_a_world_without_the_bias_reaches_scalar_invariance():
    """The same survey drawn without the planted bias: scalar invariance holds (so the failure above is
    the planted one, not a by-product of the other differences between hukou groups)."""
    from chaoyang.data import generate_survey, scored_items
    from chaoyang.world import DEFAULT_WORLD

    survey, _ = generate_survey(world=DEFAULT_WORLD.replace(item_bias=()))
    items = scored_items(survey)[["BEL1", "BEL2", "BEL3", "BEL4"]]
    items["hukou"] = survey["hukou"].astype(str).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sem.SEMWarning)
        result = measurement_invariance(BEL, items, "hukou", missing="ml")
    assert result.level_reached("chen") == "strict"
    assert result.verdict("scalar", "cfi") == "holds"


# ---------------------------------------------------------------- the verdict rules
def _rule_table(rows):
    """A result whose fits are stubs with the given fit measures, to test the rules alone."""
    from chaoyang.sem.invariance import _step_table

    class Stub:
        def __init__(self, fm):
            self.fit_measures = fm
    steps = [r[0] for r in rows]
    fits = {r[0]: Stub(dict(zip(("chisq", "df", "cfi", "rmsea", "srmr"), r[1:]), tli=0, aic=0, bic=0, logl=0,
                                 npar=0, pvalue=0)) for r in rows}
    return _step_table(fits, steps, 0.05, CHEN_CUTOFFS).set_index("step")


def test_chen_rule_needs_cfi_and_rmsea_or_srmr():
    t = _rule_table([("configural", 10.0, 10, 0.990, 0.030, 0.020),
                     ("metric", 30.0, 13, 0.978, 0.040, 0.060),    # CFI -.012, RMSEA +.010, SRMR +.040 >= .030
                     ("scalar", 60.0, 16, 0.966, 0.050, 0.065),    # CFI -.012, RMSEA +.010, SRMR +.005 < .010
                     ("strict", 61.0, 20, 0.966, 0.045, 0.066)])   # nothing
    assert t.loc["metric", "chen_verdict"] == "fails"
    assert t.loc["scalar", "cfi_verdict"] == "fails" and t.loc["scalar", "chen_verdict"] == "holds"
    assert t.loc["strict", "chisq_verdict"] == "holds"
    assert t.loc["metric", "chisq_verdict"] == "fails"  # 20 on 3 df
    assert t.loc["metric", "delta_pvalue"] == pytest.approx(1.697e-4, rel=1e-3)  # pchisq(20, 3, lower = FALSE)


def test_metric_step_uses_the_loadings_srmr_cutoff():
    # SRMR +.020: above the .010 of later steps but below the .030 for loadings
    t = _rule_table([("configural", 10.0, 10, 0.990, 0.030, 0.020), ("metric", 30.0, 13, 0.975, 0.035, 0.040)])
    assert t.loc["metric", "chen_verdict"] == "holds"
    t = _rule_table([("configural", 10.0, 10, 0.990, 0.030, 0.020), ("scalar", 30.0, 13, 0.975, 0.035, 0.040)])
    assert t.loc["scalar", "chen_verdict"] == "fails"


def test_level_reached_stops_at_the_first_failure():
    result = InvarianceResult(
        table=_rule_table([("configural", 10.0, 10, 0.99, 0.03, 0.02), ("metric", 11.0, 13, 0.99, 0.03, 0.02),
                           ("scalar", 90.0, 16, 0.95, 0.08, 0.05), ("strict", 91.0, 20, 0.95, 0.07, 0.05)]
                          ).reset_index(),
        fits={}, model="", group="g", group_labels=["a", "b"], group_sizes={"a": 1, "b": 1}, missing="listwise",
        group_partial=(), alpha=0.05, cutoffs=CHEN_CUTOFFS)
    assert result.level_reached("chen") == "metric"   # strict "holds" against scalar, but scalar failed
    assert result.verdict("strict", "chen") == "holds"
    assert "Level reached: metric" in result.summary()
    with pytest.raises(InvarianceError, match="baseline"):
        result.verdict("configural")
    with pytest.raises(InvarianceError, match="criterion"):
        result.level_reached("aic")


# ---------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(3)
    f = rng.normal(size=300)
    data = pd.DataFrame({f"y{i}": 0.7 * f + 0.7 * rng.normal(size=300) for i in (1, 2, 3)})
    data["g"] = rng.choice(["a", "b"], size=300)
    return data


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": ("metric", "scalar")}, "start with 'configural'"),
    ({"steps": ("configural", "scalar", "metric")}, "in the order"),
    ({"steps": ("configural", "weak")}, "unknown step 'weak'"),
    ({"steps": "configural"}, "sequence of step names"),
    ({"alpha": 1.5}, "alpha"),
    ({"cutoffs": {"cfi": 0.5, "tli": 0.01}}, "unknown cut-off"),
    ({"cutoffs": {"cfi": -0.01}}, "cut-off 'cfi'"),
    ({"group_partial": [3]}, "group_partial"),
])
def test_bad_options_are_named(small, kwargs, message):
    with pytest.raises(InvarianceError, match=message):
        measurement_invariance("f =~ y1 + y2 + y3", small, "g", **kwargs)


def test_bad_group_column_is_named_and_data_left_alone(small):
    before = small.copy()
    with pytest.raises(InvarianceError, match="'sex' is not one"):
        measurement_invariance("f =~ y1 + y2 + y3", small, "sex")
    one = small.assign(g="a")
    with pytest.raises(InvarianceError, match="at least two"):
        measurement_invariance("f =~ y1 + y2 + y3", one, "g")
    with pytest.raises(sem.SEMError):
        measurement_invariance("f =~ y1 + y2 + nope", small, "g")
    pd.testing.assert_frame_equal(small, before)
    assert issubclass(InvarianceError, ValueError) and issubclass(InvarianceError, sem.SEMError)


def test_locate_refuses_the_configural_step_and_foreign_objects(small):
    result = measurement_invariance("f =~ y1 + y2 + y3", small, "g", steps=("configural", "metric"))
    with pytest.raises(InvarianceError, match="after 'configural'"):
        locate_noninvariance(result, "configural")
    with pytest.raises(InvarianceError, match="after 'configural'"):
        locate_noninvariance(result, "scalar")
    with pytest.raises(InvarianceError, match="InvarianceResult"):
        locate_noninvariance(result.table, "metric")
    search = locate_noninvariance(result, "metric")
    assert set(search["parameter"]) == {"f =~ y2", "f =~ y3"}   # the marker loading is fixed, not constrained
    assert (search["df_drop"] == 1).all()


def test_listwise_warning_is_said_once_not_once_per_step(small):
    holes = small.copy()
    holes.loc[:9, "y1"] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = measurement_invariance("f =~ y1 + y2 + y3", holes, "g")
    dropped = [w for w in caught if "dropped" in str(w.message)]
    assert len(dropped) == 1
    assert sum(result.group_sizes.values()) == 290
    assert "<table" in result._repr_html_()


def _write_fixtures() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        out = run_lavaan_invariance(case)
        (FIXTURES / f"{case}.json").write_text(json.dumps(out, indent=1) + "\n")
        print("wrote", FIXTURES / f"{case}.json", _dt.date.today())


if __name__ == "__main__":  # regenerate the stored fixtures (needs Rscript + lavaan)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    _write_fixtures()
