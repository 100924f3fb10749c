"""Exactness of chaoyang.qca against R QCA 3.25 on every shared reference analysis (tests/fixtures/qca)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang.qca import calibrate, minimize, necessity, truth_table

FIXTURES = Path(__file__).parent / "fixtures" / "qca"
TOL = 1e-6
KINDS = {
    "complex": {},
    "parsimonious": {"include": "?"},
    "intermediate": {"include": "?", "dir_exp": "DEV, URB, LIT, IND, STB"},
}


def load(name):
    ref = json.loads((FIXTURES / f"{name}_SURV.json").read_text())
    data = pd.read_csv(FIXTURES / f"{name}.csv", index_col=0)
    return ref, data


@pytest.fixture(params=["LF", "LC"])
def analysis(request):
    ref, data = load(request.param)
    tt = truth_table(data, ref["outcome"], ref["conditions"], incl_cut=ref["truth_table"]["incl_cut"],
                     n_cut=ref["truth_table"]["n_cut"], pri_cut=ref["truth_table"]["pri_cut"])
    return ref, data, tt


def test_necessity_matches_r(analysis):
    ref, data, _ = analysis
    nec = necessity(data, ref["outcome"], ref["conditions"])
    assert nec.index.tolist() == [r["literal"] for r in ref["necessity"]]
    for row in ref["necessity"]:
        for p in ("inclN", "RoN", "covN"):
            assert nec.loc[row["literal"], p] == pytest.approx(row[p], abs=TOL)


def test_truth_table_rows_match_r(analysis):
    ref, _, tt = analysis
    rows = ref["truth_table"]["rows"]
    assert tt.table.index.tolist() == [r["row"] for r in rows]
    for r in rows:
        got = tt.table.loc[r["row"]]
        assert [int(got[c]) for c in ref["conditions"]] == r["config"]
        assert str(got["OUT"]) == r["OUT"]
        assert got["n"] == r["n"]
        assert got["incl"] == pytest.approx(r["incl"], abs=TOL)
        assert got["PRI"] == pytest.approx(r["PRI"], abs=TOL)
        assert got["cases"].split(",") == r["cases"]
    assert len(tt.remainders) == ref["truth_table"].get("n_remainders", 2 ** 5 - len(rows))


@pytest.mark.parametrize("kind", list(KINDS))
def test_solutions_match_r(analysis, kind):
    ref, _, tt = analysis
    expected = ref["solutions"][kind]
    sol = minimize(tt, **KINDS[kind])
    assert not sol.truncated
    assert [m.name for m in sol.models] == [m["id"] for m in expected["models"]]
    for model, exp in zip(sol.models, expected["models"]):
        assert model.expression == exp["expression"]
        assert model.terms == ["*".join(t) for t in exp["terms"]]
        for p in ("inclS", "PRI", "covS"):
            assert model.fit[p] == pytest.approx(exp["fit"][p], abs=TOL)
        assert model.term_fit["term"].tolist() == [t["term"] for t in exp["term_fit"]]
        for (_, got), want in zip(model.term_fit.iterrows(), exp["term_fit"]):
            for p in ("inclS", "PRI", "covS"):
                assert got[p] == pytest.approx(want[p], abs=TOL)
            if want["covU"] is None:
                assert np.isnan(got["covU"])
            else:
                assert got["covU"] == pytest.approx(want["covU"], abs=TOL)
    if "prime_implicants" in expected:
        assert sol.prime_implicants == expected["prime_implicants"]
        assert sol.essential == expected["essential"]
    if "simplifying_assumptions" in expected:
        for name, configs in expected["simplifying_assumptions"].items():
            got = sol.simplifying_assumptions_by_model[name]
            assert got.to_numpy().tolist() == configs
    if "easy_counterfactuals" in expected:
        for pair, configs in expected["easy_counterfactuals"].items():
            assert sol.easy_counterfactuals_by_pair[pair].to_numpy().tolist() == configs
        assert sol.easy_counterfactuals.to_numpy().tolist() == next(iter(expected["easy_counterfactuals"].values()))


def test_intermediate_accepts_dict_form(analysis):
    ref, _, tt = analysis
    as_dict = minimize(tt, include="?", dir_exp={c: 1 for c in ref["conditions"]})
    assert [m.expression for m in as_dict.models] == [m["expression"] for m in ref["solutions"]["intermediate"]["models"]]


def _parse_thresholds(text):
    parts = dict(p.strip().split("=") for p in text.split(","))
    return float(parts["e"]), float(parts["c"]), float(parts["i"])


def test_calibration_matches_r_and_published_lipset():
    ref = json.loads((FIXTURES / "cal_LR_ragin3.json").read_text())
    raw = pd.read_csv(FIXTURES / "LR.csv", index_col=0)
    published = pd.read_csv(FIXTURES / "LF.csv", index_col=0)
    assert raw.index.tolist() == ref["cases"]
    for column, spec in ref["columns"].items():
        e, c, i = _parse_thresholds(spec["thresholds"])
        got = calibrate(raw[column], e, c, i, idm=ref["idm"])
        assert np.asarray(got) == pytest.approx(np.asarray(spec["membership"]), abs=1e-9)
        # R's values rounded to 2 decimals are the published fuzzy Lipset data; so are ours
        assert np.abs(np.round(np.asarray(got), 2) - published[column].to_numpy()).max() < 1e-9
    assert ref["idm"] == pytest.approx(1 / (1 + np.exp(-ref["log_odds_at_anchor"])), abs=1e-12)
