"""chaoyang.grounded: axial and selective coding, saturation, computational grounded theory."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from chaoyang import grounded
from chaoyang.plots.grounded import plot_cooccurrence, plot_model, plot_saturation
from chaoyang.grounded import GroundedError
from chaoyang.errors import ArgumentError, SeedError
from chaoyang.plots.grounded import plot_cooccurrence, plot_model, plot_saturation

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def project():
    return grounded.default_project()


@pytest.fixture(scope="module")
def book():
    return grounded.load_codebook()


def segments(rows):
    """Toy coding from (document, start, end, code[, answer]) tuples."""
    frame = pd.DataFrame(rows, columns=["document", "start", "end", "code", "answer"][:len(rows[0])])
    return frame.assign(coder="c", text="t")


# ---------------------------------------------------------------- roll-up and matrices

def test_roll_up_follows_the_tree(book):
    coding = segments([("D1", 0, 5, "EE_UPLIFT"), ("D1", 6, 9, "BE_HOME"), ("D1", 10, 12, "CT_MATERIAL")])
    assert roll_nodes(coding, book, "category") == ["EMOTIONAL_ENERGY", "BELONGING", "COUNTER"]
    # the shared category counts under all three pathways; counter-evidence is outside the model
    assert roll_nodes(coding, book, "pathway") == ["PARTY", "POLICE", "BRAND", "PARTY"]
    assert roll_nodes(coding, book, "core") == ["ECA", "ECA"]
    with pytest.raises(ValueError, match="level"):
        grounded.roll_up(coding, book, "theme")
    with pytest.raises(KeyError, match="NOPE"):
        grounded.roll_up(segments([("D1", 0, 5, "NOPE")]), book)
    original = coding.copy()
    grounded.roll_up(coding, book, "pathway")
    pd.testing.assert_frame_equal(coding, original)


def roll_nodes(coding, book, level):
    return grounded.roll_up(coding, book, level)["node"].tolist()


def test_code_document_matrix_by_hand(book):
    coding = segments([("D1", 0, 5, "BE_HOME"), ("D1", 6, 9, "BE_HOME"), ("D2", 0, 5, "BE_ROOTS"),
                       ("D2", 6, 9, "CL_TRUST")])
    counts = grounded.code_document_matrix(coding, book)
    assert counts.loc["BE_HOME"].tolist() == [2, 0] and counts.loc["CL_TRUST"].tolist() == [0, 1]
    assert counts.shape == (len(book.code_ids), 2) and counts.to_numpy().sum() == 4
    presence = grounded.code_document_matrix(coding, book, level="category", value="presence", documents=["D2", "D3"])
    assert presence.loc["BELONGING"].tolist() == [1, 0] and presence.loc["CLOSENESS"].tolist() == [1, 0]
    with pytest.raises(ValueError, match="value"):
        grounded.code_document_matrix(coding, book, value="share")


def test_code_document_matrix_of_gold_counts_every_segment(project):
    table = grounded.code_document_matrix(project.coding, project.codebook)
    assert table.to_numpy().sum() == len(project.coding)
    assert list(table.columns) == sorted(set(project.coding["document"]))


def test_code_role_matrix_by_hand(book):
    corpus = grounded.Corpus.from_records([{"id": d, "role": r, "text": "A: x"} for d, r in
                                           [("D1", "resident"), ("D2", "resident"), ("D3", "police_officer")]])
    coding = segments([("D1", 0, 1, "BE_HOME"), ("D1", 1, 2, "BE_HOME"), ("D3", 0, 1, "BE_HOME")])
    docs = grounded.code_role_matrix(coding, corpus, book)
    assert docs.loc["BE_HOME", ["police_officer", "resident"]].tolist() == [1, 1]
    segs = grounded.code_role_matrix(coding, corpus, book, value="segments")
    assert segs.loc["BE_HOME", "resident"] == 2
    share = grounded.code_role_matrix(coding, corpus, book, value="share")
    assert share.loc["BE_HOME", "resident"] == 0.5 and share.attrs["n"] == {"police_officer": 1, "resident": 2}
    with pytest.raises(KeyError, match="street"):
        grounded.code_role_matrix(coding, corpus, book, by="street")
    with pytest.raises(ValueError, match="value"):
        grounded.code_role_matrix(coding, corpus, book, value="mean")


def test_cooccurrence_by_answer_and_by_overlap_by_hand(book):
    coding = segments([("D1", 0, 50, "BE_HOME", 0), ("D1", 40, 80, "EE_UPLIFT", 0), ("D1", 90, 95, "CL_TRUST", 0),
                       ("D1", 200, 220, "BE_HOME", 3), ("D1", 210, 230, "EE_UPLIFT", 3),
                       ("D1", 215, 225, "BE_HOME", 3), ("D2", 0, 10, "CL_TRUST", 0)])
    by_answer = grounded.cooccurrence(coding, book)
    assert by_answer.loc["BE_HOME", "EE_UPLIFT"] == 2          # answers D1/0 and D1/3
    assert by_answer.loc["BE_HOME", "CL_TRUST"] == 1           # answer D1/0 only
    assert by_answer.loc["CL_TRUST", "CL_TRUST"] == 2          # D1/0 and D2/0
    assert (by_answer.to_numpy() == by_answer.to_numpy().T).all()
    overlap = grounded.cooccurrence(coding, book, unit="overlap")
    assert overlap.loc["BE_HOME", "EE_UPLIFT"] == 3            # (0-50, 40-80), (200-220, 210-230), (215-225, 210-230)
    assert overlap.loc["BE_HOME", "CL_TRUST"] == 0             # same answer, but spans do not overlap
    assert overlap.loc["BE_HOME", "BE_HOME"] == 3              # diagonal: segments
    categories = grounded.cooccurrence(coding, book, level="category")
    assert categories.loc["BELONGING", "EMOTIONAL_ENERGY"] == 2
    with pytest.raises(GroundedError, match="coders"):
        grounded.cooccurrence(coding.assign(coder=["a", "b"] * 3 + ["a"]), book)
    with pytest.raises(GroundedError, match="answer"):
        grounded.cooccurrence(coding.drop(columns="answer"), book)
    with pytest.raises(ValueError, match="unit"):
        grounded.cooccurrence(coding, book, unit="sentence")
    figure = plot_cooccurrence(categories)
    assert figure.axes and len(figure.axes[0].get_xticklabels()) == len(book.category_ids)
    with pytest.raises(ValueError, match="square"):
        plot_cooccurrence(categories.iloc[:3])


def test_paradigm_model_fills_every_slot_from_gold(project):
    table = grounded.paradigm_model(project.coding, project.codebook)
    assert table["slot"].drop_duplicates().tolist() == ["conditions", "phenomenon", "context",
                                                        "actions/interactions", "consequences"]
    category_counts = grounded.roll_up(project.coding, project.codebook)["category"].value_counts()
    for row in table.loc[table["slot"] != "phenomenon"].itertuples():
        assert row.segments == category_counts[row.category] > 0
        assert row.example and row.example in set(project.coding["text"])
    phenomenon = table.loc[table["slot"] == "phenomenon"].iloc[0]
    assert phenomenon["segments"] == category_counts.drop("COUNTER").sum()
    mapped = set(table["category"]) - {project.codebook.core["id"]}
    assert mapped == set(project.codebook.category_ids)  # every category has a slot
    with pytest.raises(GroundedError, match="two slots"):
        grounded.paradigm_model(project.coding, project.codebook,
                                mapping={"conditions": ("SCENARIOS",), "context": ("SCENARIOS",)})
    with pytest.raises(KeyError, match="NOPE"):
        grounded.paradigm_model(project.coding, project.codebook, mapping={"conditions": ("NOPE",)})


def test_gold_coding_recovers_the_planted_model(project):
    analysis = [d["id"] for d in project.corpus if not d["holdout"]]
    recovery = grounded.recover_model(project.coding.loc[project.coding["document"].isin(analysis)],
                                      project.codebook, min_documents=5)
    assert recovery.all_categories_found and len(recovery.categories) == 8
    assert recovery.pathways["found"].all() and len(recovery.pathways) == 3
    assert recovery.core_found


def test_recover_model_notices_a_missing_category(project):
    without = project.coding.loc[~project.coding["code"].str.startswith("BI_")]
    recovery = grounded.recover_model(without, project.codebook)
    found = dict(zip(recovery.pathways["pathway"], recovery.pathways["found"]))
    assert found == {"PARTY": True, "POLICE": True, "BRAND": False}
    assert not recovery.core_found and not recovery.all_categories_found
    with pytest.raises(ValueError, match="min_documents"):
        grounded.recover_model(without, project.codebook, min_documents=0)


def test_plot_model_draws_core_three_pathways_and_eight_categories(project):
    figure = plot_model(project.codebook, project.coding)
    boxes = [" ".join(t.get_text().split()) for t in figure.axes[0].texts]
    assert len(boxes) == 1 + 3 + 8
    assert any("Emotional commitment arousal" in b for b in boxes)
    assert sum("documents)" in b for b in boxes) == 8


# ---------------------------------------------------------------- saturation

def saturation_toy():
    """Base D1-D4 holds 20 codes; D5 adds 2, D6 0, D7 1, D8 0, D9 0 (hand-made)."""
    codes = grounded.load_codebook().code_ids
    plan = {"D1": codes[0:8], "D2": codes[5:14], "D3": codes[10:18], "D4": codes[15:20], "D5": codes[19:22],
            "D6": codes[0:3], "D7": codes[22:23], "D8": codes[3:5], "D9": codes[20:23]}
    rows = [(doc, 0, 5, code) for doc, codes_here in plan.items() for code in codes_here]
    return segments(rows)


def test_new_codes_curve_by_hand(book):
    curve = grounded.new_codes_curve(saturation_toy(), book)
    assert curve["new"].tolist() == [8, 6, 4, 2, 2, 0, 1, 0, 0]
    assert curve["cumulative"].tolist() == [8, 14, 18, 20, 22, 22, 23, 23, 23]
    reverse = grounded.new_codes_curve(saturation_toy(), book, order=["D9", "D1"])
    assert reverse["new"].tolist() == [3, 8] and reverse["document"].tolist() == ["D9", "D1"]
    with pytest.raises(ValueError, match="twice"):
        grounded.new_codes_curve(saturation_toy(), book, order=["D1", "D1"])


def test_guest_namey_chen_assessment_by_hand(book):
    result = grounded.guest_saturation(saturation_toy(), book, base_size=4, run_length=2, threshold=0.05)
    assert result.base_count == 20
    # run 1 = interviews 5-6: 2 new / 20 = 10 % > 5 %; run 2 = interviews 6-7: 1 new / 20 = 5 % -> saturation at 7
    assert result.runs["new"].tolist()[:2] == [2, 1]
    assert result.runs["proportion"].tolist()[:2] == [0.10, 0.05]
    assert result.saturation_point == 7
    assert "reached at 7 interviews" in result.report()
    strict = grounded.guest_saturation(saturation_toy(), book, threshold=0.0)
    assert strict.saturation_point == 9  # run of interviews 8-9 is the first with no new code
    small_base = grounded.guest_saturation(saturation_toy(), book, base_size=2, run_length=2, threshold=0.0)
    # base D1-D2 = 14 codes; runs D3-D4: 6 new, D4-D5: 4, D5-D6: 2, D6-D7: 1, D7-D8: 1, D8-D9: 0
    assert small_base.base_count == 14
    assert small_base.runs["new"].tolist() == [6, 4, 2, 1, 1, 0] and small_base.saturation_point == 9
    with pytest.raises(ValueError, match="fewer"):
        grounded.guest_saturation(saturation_toy(), book, base_size=8, run_length=3)
    with pytest.raises(ValueError, match="threshold"):
        grounded.guest_saturation(saturation_toy(), book, threshold=5)
    with pytest.raises(ValueError, match="run_length"):
        grounded.guest_saturation(saturation_toy(), book, run_length=0)


def test_guest_assessment_reports_no_saturation():
    book = grounded.load_codebook()
    codes = book.code_ids
    coding = segments([(f"D{i}", 0, 5, codes[i]) for i in range(8)])  # every interview brings a new code
    result = grounded.guest_saturation(coding, book, base_size=4, run_length=2)
    assert result.saturation_point is None and "not reached" in result.report()


def test_permutation_band_is_seeded_and_ends_at_all_codes(book):
    coding = saturation_toy()
    first = grounded.permutation_curves(coding, book, n_reps=50, seed=3)
    again = grounded.permutation_curves(coding, book, n_reps=50, seed=3)
    pd.testing.assert_frame_equal(first, again)
    assert (first["low"] <= first["mean"]).all() and (first["mean"] <= first["high"]).all()
    assert first["min"].iloc[-1] == first["max"].iloc[-1] == 23
    assert (np.diff(first["mean"]) >= 0).all()
    with pytest.raises(ArgumentError, match="band_level=1.0 must be a confidence level strictly between 0 and 1"):
        grounded.permutation_curves(coding, book, band_level=1.0)
    with pytest.raises(ArgumentError, match="n_reps=0 is out of range"):
        grounded.permutation_curves(coding, book, n_reps=0)
    with pytest.raises(SeedError, match="seed=True is a bool"):
        grounded.permutation_curves(coding, book, seed=True)
    with pytest.raises(TypeError, match="unexpected keyword"):
        grounded.permutation_curves(coding, book, n_permutation=5)


def test_permutation_band_quantiles_match_numpy_on_hand_built_orders(book):
    """Independent check: with two documents there are two orders; the band is their quantiles."""
    coding = segments([("D0", 0, 5, "BE_HOME"), ("D1", 0, 5, "BE_HOME"), ("D1", 6, 9, "CL_TRUST")])
    band = grounded.permutation_curves(coding, book, n_reps=400, seed=0, band_level=0.5)
    # position 1 holds 1 code (D0 first) or 2 codes (D1 first), each with probability 1/2
    assert band["min"].tolist() == [1.0, 2.0] and band["max"].tolist() == [2.0, 2.0]
    assert 1.4 < band["mean"].iloc[0] < 1.6
    assert band["low"].iloc[0] == 1.0 and band["high"].iloc[0] == 2.0


def test_permutation_curves_old_keywords_still_work_with_a_deprecation_warning(book):
    from chaoyang.errors import ChaoyangDeprecationWarning

    coding = saturation_toy()
    with pytest.warns(ChaoyangDeprecationWarning, match=r"n_permutations=\.\.\.\) is renamed n_reps="):
        old = grounded.permutation_curves(coding, book, n_permutations=30, seed=4)
    with pytest.warns(ChaoyangDeprecationWarning, match=r"band=\.\.\.\) is renamed band_level="):
        grounded.permutation_curves(coding, book, n_reps=30, seed=4, band=0.8)
    pd.testing.assert_frame_equal(old, grounded.permutation_curves(coding, book, n_reps=30, seed=4))
    with pytest.raises(ArgumentError, match="got both n_permutations= .* and n_reps="):
        grounded.permutation_curves(coding, book, n_permutations=30, n_reps=40)


def test_unseeded_permutation_curves_differ_between_calls(book):
    coding = saturation_toy()
    runs = [grounded.permutation_curves(coding, book, n_reps=5)["mean"].tolist() for _ in range(4)]
    assert len({tuple(r) for r in runs}) > 1  # seed=None: fresh entropy each call (documented)


def test_holdout_check_on_gold_and_on_a_toy(project, book):
    check = grounded.holdout_check(project.coding, project.corpus, project.codebook)
    assert check.holdout_documents == [d["id"] for d in project.corpus if d["holdout"]]
    assert check.adds_nothing and check.new_nodes == []
    corpus = grounded.Corpus.from_records([{"id": "D1", "holdout": False, "text": "A: x"},
                                           {"id": "D2", "holdout": True, "text": "A: x"}])
    toy = segments([("D1", 0, 1, "BE_HOME"), ("D2", 0, 1, "BI_PRIDE"), ("D2", 0, 1, "CT_MATERIAL")])
    found = grounded.holdout_check(toy, corpus, book)
    assert found.new_nodes == ["BRAND_IDENTITY"]  # counter-evidence is not a model category
    assert grounded.holdout_check(toy, corpus, book, main_only=False).new_nodes == ["BRAND_IDENTITY", "COUNTER"]
    with pytest.raises(GroundedError, match="code them first"):
        grounded.holdout_check(toy.iloc[:1], corpus, book)
    with pytest.raises(GroundedError, match="hold-out"):
        grounded.holdout_check(toy, [{"id": "D1", "text": "A: x"}], book)


def test_plot_saturation(book):
    coding = saturation_toy()
    figure = plot_saturation(grounded.new_codes_curve(coding, book),
                                      grounded.permutation_curves(coding, book, n_reps=10, seed=0))
    assert figure.axes[0].get_ylabel() == "codes found"
    with pytest.raises(GroundedError, match="new_codes_curve"):
        plot_saturation(pd.DataFrame({"x": [1]}))


# ---------------------------------------------------------------- computational grounded theory

def test_log_odds_dirichlet_against_a_hand_computation():
    group_i = pd.Series({"armband": 6, "home": 2, "police": 2})
    group_j = pd.Series({"armband": 1, "home": 7, "police": 2})
    prior = pd.Series({"armband": 0.5, "home": 1.0, "police": 1.5})  # a_0 = 3
    table = grounded.log_odds_dirichlet(group_i, group_j, prior)
    n_i, n_j, a0 = 10, 10, 3.0
    # Monroe, Colaresi & Quinn (2008), eq. 16 and the variance below it, written out for "armband"
    delta = math.log((6 + 0.5) / (n_i + a0 - 6 - 0.5)) - math.log((1 + 0.5) / (n_j + a0 - 1 - 0.5))
    variance = 1 / (6 + 0.5) + 1 / (1 + 0.5)
    assert table.loc["armband", "delta"] == pytest.approx(delta, abs=1e-12)
    assert table.loc["armband", "z"] == pytest.approx(delta / math.sqrt(variance), abs=1e-12)
    delta_home = math.log(3 / 10) - math.log(8 / 5)
    assert table.loc["home", "delta"] == pytest.approx(delta_home, abs=1e-12)
    assert table.index.tolist() == ["armband", "police", "home"]  # sorted by z
    with pytest.raises(ValueError, match="prior"):
        grounded.log_odds_dirichlet(group_i, group_j, prior.drop("home"))
    with pytest.raises(TypeError):
        grounded.log_odds_dirichlet({"a": 1}, group_j, prior)


def test_word_counts_and_distinctive_words_on_a_toy_corpus():
    assert grounded.word_counts("I don't know, the armband!").to_dict() == {"armband": 1}
    groups = {"police": ["the officer walks the courtyard"] * 4 + ["we chat"],
              "party": ["the festival and the dumplings"] * 4 + ["we chat"]}
    table = grounded.distinctive_words(groups, top=2, min_count=2)
    top = table.groupby("group")["word"].first().to_dict()
    assert top["police"] in {"officer", "walks", "courtyard"} and top["party"] in {"festival", "dumplings"}
    assert (table["z"] > 0).all() and "chat" not in set(table["word"])
    with pytest.raises(ValueError, match="two groups"):
        grounded.distinctive_words({"only": ["x"]})
    with pytest.raises(ValueError, match="prior_size"):
        grounded.distinctive_words(groups, prior_size=0)


def test_distinctive_words_of_categories_point_at_their_codes(project):
    groups = grounded.group_texts(project.corpus, by="category", coding=project.coding, codebook=project.codebook)
    table = grounded.distinctive_words(groups, top=15)
    words = table.groupby("group")["word"].apply(set).to_dict()
    assert "armband" in words["BRAND_SPREAD"]
    assert words["SCENARIOS"] & {"festival", "autumn", "dumplings", "party"}
    roles = grounded.group_texts(project.corpus, by="role")
    assert set(roles) == {d["role"] for d in project.corpus}
    with pytest.raises(KeyError, match="fields"):
        grounded.group_texts(project.corpus, by="height")
    with pytest.raises(ValueError, match="coding"):
        grounded.group_texts(project.corpus, by="category")


def test_topic_model_is_seeded_and_checked_against_the_coding(project):
    first = grounded.topic_model(project.corpus, n_topics=6, seed=1)
    assert "NMF topic model: 6 topics" in first.summary() and list(first.to_frame().columns) == ["topic", "words"]
    again = grounded.topic_model(project.corpus, n_topics=6, seed=1)
    pd.testing.assert_frame_equal(first.terms, again.terms)
    assert first.n_topics == 6 and len(first.top_words(5)) == 6
    assert len(first.weights) == len(project.corpus.answers())
    reading = first.reading_list(0, n=3)
    assert len(reading) == 3 and reading["weight"].is_monotonic_decreasing
    table = grounded.topics_vs_categories(first, project.coding, project.codebook)
    assert table["answers"].sum() == (first.weights["dominant"] >= 0).sum()
    shares = table[project.codebook.category_ids].to_numpy()
    assert ((0 <= shares) & (shares <= 1)).all()
    assert table["lift"].max() > 1.5  # at least one topic concentrates on a category the coders found
    with pytest.raises(KeyError, match="topic"):
        first.reading_list(99)
    with pytest.raises(ValueError, match="method"):
        grounded.topic_model(project.corpus, method="bert")
    with pytest.raises(ValueError, match="n_topics"):
        grounded.topic_model(project.corpus, n_topics=1)
    lda = grounded.topic_model(project.corpus, n_topics=4, method="lda", seed=0)
    assert np.allclose(lda.weights[[0, 1, 2, 3]].sum(axis=1), 1.0)


def test_grounded_results_have_summary_to_frame_and_html(project, book):
    from chaoyang.grounded.model import load_codebook

    analysis = [d["id"] for d in project.corpus if not d["holdout"]]
    coding = project.coding.loc[project.coding["document"].isin(analysis)]
    saturation = grounded.guest_saturation(coding, book, base_size=4, run_length=2)
    check = grounded.holdout_check(project.coding, project.corpus, project.codebook)
    recovery = grounded.recover_model(coding, load_codebook(), min_documents=5)
    for obj in (saturation, check, recovery):
        text = obj.summary()
        assert str(obj) == text and "<table" in obj._repr_html_()
        assert isinstance(obj.to_frame(), pd.DataFrame) and len(obj.to_frame())
    assert saturation.summary().splitlines()[0] == saturation.report()
    pd.testing.assert_frame_equal(saturation.to_frame(), saturation.runs)
    assert check.summary().startswith(f"{len(check.holdout_documents)} hold-out transcript(s)")
    assert ("no new node" in check.summary()) == check.adds_nothing
    n_found = int(recovery.categories["found"].sum())
    assert f"{n_found} of {len(recovery.categories)} categories" in recovery.summary()
