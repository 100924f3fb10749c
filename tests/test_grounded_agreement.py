"""chaoyang.grounded agreement statistics against scikit-learn, the krippendorff package and hand counts."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from chaoyang import grounded
from chaoyang.grounded import AgreementError

TOL = 1e-9


@pytest.fixture(scope="module")
def project():
    return grounded.default_project(second=True)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_cohen_kappa_equals_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    a = rng.choice(["home", "trust", "duty", "none"], size=300, p=[0.2, 0.3, 0.1, 0.4])
    b = np.where(rng.random(300) < 0.7, a, rng.choice(["home", "trust", "duty", "none"], size=300))
    assert abs(grounded.cohen_kappa(a, b) - cohen_kappa_score(a, b)) < TOL
    weights = rng.integers(1, 50, size=300)
    assert abs(grounded.cohen_kappa(a, b, weights=weights) - cohen_kappa_score(a, b, sample_weight=weights)) < TOL


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_krippendorff_alpha_equals_the_krippendorff_package(seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, size=120).astype(float)
    data = np.vstack([np.where(rng.random(120) < 0.75, truth, rng.integers(0, 5, size=120)) for _ in range(3)])
    data[rng.random(data.shape) < 0.15] = np.nan  # missing values
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert abs(grounded.krippendorff_alpha(data) - expected) < TOL


def test_krippendorff_alpha_accepts_string_labels_and_weights():
    labels = [["a", "b", "a", None, "c"], ["a", "b", "b", "c", "c"]]
    numeric = np.array([[0, 1, 0, np.nan, 2], [0, 1, 1, 2, 2]], dtype=float)
    expected = krippendorff.alpha(reliability_data=numeric, level_of_measurement="nominal")
    assert abs(grounded.krippendorff_alpha(labels) - expected) < TOL
    assert abs(grounded.krippendorff_alpha(pd.DataFrame(labels)) - expected) < TOL
    # weight 3 on a unit = the unit written three times
    repeated = np.repeat(numeric, [1, 3, 1, 1, 2], axis=1)
    weighted = grounded.krippendorff_alpha(numeric, weights=[1, 3, 1, 1, 2])
    assert abs(weighted - krippendorff.alpha(reliability_data=repeated, level_of_measurement="nominal")) < TOL


def test_hand_computed_values():
    a, b = [1, 1, 0, 0], [1, 0, 0, 0]
    # p_o = 3/4; p_e = (2/4)(1/4) + (2/4)(3/4) = 1/2; kappa = (0.75 - 0.5) / 0.5
    assert grounded.cohen_kappa(a, b) == pytest.approx(0.5)
    assert grounded.percent_agreement(a, b) == 0.75
    # Brennan-Prediger, q = 2: (0.75 - 0.5) / 0.5; q = 4: (0.75 - 0.25) / 0.75
    assert grounded.brennan_prediger_kappa(a, b) == pytest.approx(0.5)
    assert grounded.brennan_prediger_kappa(a, b, n_categories=4) == pytest.approx(2 / 3)
    # alpha: coincidences o_11 = 2, o_10 = o_01 = 1, o_00 = 4; n = 8, n_1 = 3, n_0 = 5
    # alpha = 1 - (n - 1) * 2 / (2 * n_0 * n_1) = 1 - 7 * 2 / 30
    assert grounded.krippendorff_alpha([a, b]) == pytest.approx(1 - 14 / 30)


def test_agreement_statistics_reject_bad_input():
    with pytest.raises(ValueError, match="same length"):
        grounded.cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="empty"):
        grounded.percent_agreement([], [])
    with pytest.raises(ValueError, match="missing"):
        grounded.cohen_kappa([1, None], [1, 2])
    with pytest.raises(AgreementError, match="undefined"):
        grounded.cohen_kappa([1, 1, 1], [1, 1, 1])
    with pytest.raises(AgreementError, match="undefined"):
        grounded.krippendorff_alpha([[1, 1], [1, 1]])
    with pytest.raises(AgreementError, match="two coders"):
        grounded.krippendorff_alpha([[1, np.nan], [np.nan, 2]])
    with pytest.raises(ValueError, match="nominal"):
        grounded.krippendorff_alpha([[1, 2], [1, 2]], level="interval")
    with pytest.raises(ValueError, match="n_categories"):
        grounded.brennan_prediger_kappa([1, 2, 3], [1, 2, 3], n_categories=2)
    with pytest.raises(ValueError, match="weights"):
        grounded.cohen_kappa([1, 2], [1, 2], weights=[1, -1])


# ---------------------------------------------------------------- units

TEXT = "Q: Tell me.\nA: abcdefghijklmnopqrst\nQ: And?\nA: uvwxyz"


@pytest.fixture()
def toy():
    corpus = grounded.Corpus.from_records([{"id": "D1", "text": TEXT}])
    book = grounded.load_codebook()
    start = TEXT.index("abc")
    second = TEXT.index("uvw")
    coder_a = pd.DataFrame({"document": ["D1", "D1"], "start": [start, second], "end": [start + 10, second + 6],
                            "code": ["BE_HOME", "CL_TRUST"], "coder": "a"})
    coder_b = pd.DataFrame({"document": ["D1"], "start": [start + 5], "end": [start + 15], "code": ["BE_HOME"],
                            "coder": "b"})
    return corpus, book, (grounded.validate_coding(coder_a, corpus, book), grounded.validate_coding(coder_b, corpus, book))


def test_character_units_count_characters_by_hand(toy):
    corpus, book, (a, b) = toy
    units = grounded.agreement_units(a, b, corpus, book, unit="character")
    home = units.loc[units["node"] == "BE_HOME"]
    # answer 0 has 20 characters: A codes 0-10, B codes 5-15 -> both 5, only A 5, only B 5, neither 5
    # answer 1 has 6 characters, neither coder applies BE_HOME there
    table = grounded.per_code_agreement(units).set_index("node")
    assert table.loc["BE_HOME", ["both", "only_a", "only_b", "neither"]].tolist() == [5, 5, 5, 11]
    assert table.loc["CL_TRUST", ["both", "only_a", "only_b", "neither"]].tolist() == [0, 6, 0, 20]
    assert home["weight"].sum() == 26
    expected = cohen_kappa_score(np.repeat(home["a"], home["weight"]), np.repeat(home["b"], home["weight"]))
    assert table.loc["BE_HOME", "cohen_kappa"] == pytest.approx(expected, abs=TOL)
    assert table.loc["SC_FESTIVAL", "note"] == "neither coder used it"
    summary = grounded.agreement_summary(units)
    assert summary["nodes"] == 2 and summary["units"] == 52  # two used codes x 26 characters
    assert summary["percent"] == pytest.approx((5 + 11 + 20) / 52)


def test_answer_and_document_units_by_hand(toy):
    corpus, book, (a, b) = toy
    answers = grounded.agreement_units(a, b, corpus, book, unit="answer")
    home = answers.loc[answers["node"] == "BE_HOME"].sort_values("unit_start")
    assert home[["a", "b"]].values.tolist() == [[1, 1], [0, 0]]
    trust = answers.loc[answers["node"] == "CL_TRUST"].sort_values("unit_start")
    assert trust[["a", "b"]].values.tolist() == [[0, 0], [1, 0]]
    documents = grounded.agreement_units(a, b, corpus, book, unit="document")
    assert documents.set_index("node").loc[["BE_HOME", "CL_TRUST"], ["a", "b"]].values.tolist() == [[1, 1], [1, 0]]
    categories = grounded.agreement_units(a, b, corpus, book, unit="document", level="category")
    assert set(categories["node"]) == set(book.category_ids)


def test_agreement_units_errors(toy):
    corpus, book, (a, b) = toy
    with pytest.raises(ValueError, match="unit"):
        grounded.agreement_units(a, b, corpus, book, unit="word")
    with pytest.raises(ValueError, match="level"):
        grounded.agreement_units(a, b, corpus, book, level="pathway")
    with pytest.raises(ValueError, match="both coders"):
        grounded.agreement_units(a, b.assign(document="D2").iloc[:0], corpus, book)
    with pytest.raises(ValueError, match="agreement_units"):
        grounded.agreement_summary(pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize("unit", ["character", "answer", "document"])
def test_kit_agreement_equals_scikit_learn_and_krippendorff_on_the_same_units(project, unit):
    gold, second = project.coder("gold"), project.coder("second")
    units = grounded.agreement_units(gold, second, project.corpus, project.codebook, unit=unit)
    summary = grounded.agreement_summary(units)
    used = units.groupby("node")[["a", "b"]].max().max(axis=1)
    pool = units.loc[units["node"].isin(used.index[used > 0])]
    a = np.repeat(pool["a"].to_numpy(), pool["weight"].to_numpy())
    b = np.repeat(pool["b"].to_numpy(), pool["weight"].to_numpy())
    assert abs(summary["cohen_kappa"] - cohen_kappa_score(a, b)) < TOL
    alpha = krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float), level_of_measurement="nominal")
    assert abs(summary["krippendorff_alpha"] - alpha) < TOL
    assert summary["percent"] == pytest.approx(np.mean(a == b), abs=TOL)
    # a realistic second coder: clearly better than chance, clearly not perfect
    assert 0.4 < summary["cohen_kappa"] < 0.95


def test_category_level_agreement_is_higher_than_code_level(project):
    # neighbouring-code disagreements (BE_HOME vs BE_NEIGHBOURS) vanish when codes roll up
    gold, second = project.coder("gold"), project.coder("second")
    codes = grounded.coder_agreement(gold, second, project.corpus, project.codebook, level="code")
    categories = grounded.coder_agreement(gold, second, project.corpus, project.codebook, level="category")
    assert list(codes.index) == ["character", "answer", "document"]
    assert categories.loc["answer", "cohen_kappa"] > codes.loc["answer", "cohen_kappa"]


def test_disagreement_table_by_hand():
    a = pd.DataFrame({"document": ["D"] * 3, "start": [0, 100, 200], "end": [50, 150, 250],
                      "code": ["BE_HOME", "PA_PATROL", "CT_MATERIAL"], "text": ["a", "b", "c"], "answer": [0, 1, 2]})
    b = pd.DataFrame({"document": ["D"] * 4, "start": [5, 100, 160, 400], "end": [45, 200, 170, 420],
                      "code": ["BE_HOME", "PA_VISIT", "PA_VISIT", "RE_DUTY"], "text": ["a2", "b2", "x", "d"],
                      "answer": [0, 1, 1, 3]})
    table = grounded.disagreements(a, b)
    assert table[["kind", "code_a", "code_b"]].values.tolist() == [
        ["different code", "PA_PATROL", "PA_VISIT"], ["only B", "", "PA_VISIT"], ["only A", "CT_MATERIAL", ""],
        ["only B", "", "RE_DUTY"]]
    full = grounded.disagreements(a, b, include_agreements=True)
    assert full.loc[full["code_a"] == "BE_HOME", "kind"].item() == "agree"
    strict = grounded.disagreements(a, b, boundary_tolerance=2)
    assert strict.loc[strict["code_a"] == "BE_HOME", "kind"].item() == "boundary"
    with pytest.raises(ValueError, match="tolerance"):
        grounded.disagreements(a, b, boundary_tolerance=-1)
    with pytest.raises(ValueError, match="coding_b"):
        grounded.disagreements(a, b.drop(columns="text"))
