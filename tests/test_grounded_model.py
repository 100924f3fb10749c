"""chaoyang.grounded: data model, validation, display and the dictionary suggester."""

from __future__ import annotations

import pandas as pd
import pytest

from chaoyang import grounded
from chaoyang.grounded import CodebookError, CodingError, CorpusError

TOY_TEXT = "Q: Where do you live?\nA: I live in Building 4. I wear the red armband.\nQ: Why?\nA: It is my home."


@pytest.fixture(scope="module")
def project():
    return grounded.default_project(second=True)


@pytest.fixture()
def toy_corpus():
    return grounded.Corpus.from_records([{"id": "D1", "role": "resident", "community_type": "rental",
                                          "holdout": False, "text": TOY_TEXT}])


@pytest.fixture()
def toy_book():
    return grounded.Codebook.from_dict({
        "core": {"id": "CORE", "label": "Core", "definition": ""},
        "pathways": [{"id": "P1", "label": "One"}, {"id": "P2", "label": "Two"}],
        "categories": [{"id": "K1", "label": "K one", "pathways": ["P1"], "kind": "driver"},
                       {"id": "K2", "label": "K two", "pathways": ["P1", "P2"], "kind": "mediator"},
                       {"id": "KX", "label": "Other", "pathways": [], "kind": "other"}],
        "codes": [{"id": "A", "category": "K1"}, {"id": "B", "category": "K2"}, {"id": "X", "category": "KX"}]})


def toy_segments(**overrides):
    frame = pd.DataFrame({"segment_id": ["S1", "S2"], "document": ["D1", "D1"], "start": [25, 88],
                          "end": [45, 95], "code": ["A", "B"], "coder": ["c1", "c1"], "memo": ["m", None]})
    for column, value in overrides.items():
        frame[column] = value
    return frame


# ---------------------------------------------------------------- the kit's data

def test_default_project_holds_every_transcript_and_a_valid_gold_coding(project):
    assert len(project.corpus) == len(grounded.load_corpus())
    assert set(project.coding["coder"]) == {"gold", "second"}
    for row in project.coding.sample(40, random_state=1).itertuples():
        assert project.corpus[row.document]["text"][row.start:row.end] == row.text
    assert set(project.coding["code"]) <= set(project.codebook.code_ids)


def test_codebook_is_the_dissertations_tree(project):
    book = project.codebook
    assert book.core["label"].lower() == "emotional commitment arousal"
    assert len(book.pathway_ids) == 3
    assert len(book.main_categories) == 8
    shared = [c for c in book.main_categories if len(book.pathways_of(c)) > 1]
    assert sorted(shared) == ["EMOTIONAL_ENERGY", "RESPONSIBILITY"]
    tree = book.tree()
    # a code of a shared category appears once under each of the three pathways
    assert (tree["code"] == "EE_UPLIFT").sum() == 3
    assert tree.loc[tree["category"] == "COUNTER", "pathway"].isna().all()
    assert set(book.to_frame().columns) >= {"definition", "include", "exclude"}


# ---------------------------------------------------------------- validation

def test_validate_coding_fills_text_answer_and_memo(toy_corpus, toy_book):
    clean = grounded.validate_coding(toy_segments(), toy_corpus, toy_book)
    assert clean["text"].tolist() == ["I live in Building 4", "my home"]
    assert clean["answer"].tolist() == [0, 1]
    assert clean["memo"].tolist() == ["m", ""]


def test_validate_coding_does_not_modify_the_input(toy_corpus, toy_book):
    raw = toy_segments()
    before = raw.copy()
    grounded.validate_coding(raw, toy_corpus, toy_book)
    pd.testing.assert_frame_equal(raw, before)


@pytest.mark.parametrize("overrides, words", [
    ({"end": [45, 500]}, ["D1", "S2", "outside"]),
    ({"start": [-1, 88]}, ["D1", "S1", "outside"]),
    ({"end": [25, 95]}, ["S1", "empty segment"]),
    ({"start": [30, 88], "end": [20, 95]}, ["S1", "empty segment"]),
    ({"code": ["A", "NOPE"]}, ["S2", "NOPE", "not in the codebook"]),
    ({"document": ["D1", "D9"]}, ["D9", "not in the corpus"]),
    ({"segment_id": ["S1", "S1"]}, ["S1", "more than once"]),
    ({"start": [25.5, 88]}, ["S1", "whole number"]),
    ({"start": [None, 88]}, ["S1", "missing"]),
    ({"start": [21, 88], "end": [22, 95]}, ["S1", "white space"]),
])
def test_validate_coding_errors_name_document_segment_and_problem(toy_corpus, toy_book, overrides, words):
    with pytest.raises(CodingError) as error:
        grounded.validate_coding(toy_segments(**overrides), toy_corpus, toy_book)
    for word in words:
        assert word in str(error.value)


def test_validate_coding_rejects_missing_columns_and_non_frames(toy_corpus, toy_book):
    with pytest.raises(CodingError, match="missing column"):
        grounded.validate_coding(toy_segments().drop(columns="code"), toy_corpus, toy_book)
    with pytest.raises(TypeError, match="DataFrame"):
        grounded.validate_coding([{"document": "D1"}], toy_corpus, toy_book)


def test_codebook_validation_errors():
    base = {"core": {"id": "C", "label": "C"}, "pathways": [{"id": "P"}],
            "categories": [{"id": "K", "pathways": ["P"]}], "codes": [{"id": "A", "category": "K"}]}
    with pytest.raises(CodebookError, match="unknown category"):
        grounded.Codebook.from_dict({**base, "codes": [{"id": "A", "category": "Z"}]})
    with pytest.raises(CodebookError, match="unknown pathway"):
        grounded.Codebook.from_dict({**base, "categories": [{"id": "K", "pathways": ["Q"]}]})
    with pytest.raises(CodebookError, match="duplicate code"):
        grounded.Codebook.from_dict({**base, "codes": [{"id": "A", "category": "K"}] * 2})
    with pytest.raises(CodebookError, match="no 'codes'"):
        grounded.Codebook.from_dict({k: v for k, v in base.items() if k != "codes"})
    with pytest.raises(TypeError):
        grounded.Codebook.from_dict("codebook.json")
    book = grounded.Codebook.from_dict(base)
    with pytest.raises(KeyError, match="not in the codebook"):
        book.code("Z")


def test_corpus_validation_and_turns():
    with pytest.raises(CorpusError, match="twice"):
        grounded.Corpus.from_records([{"id": "D", "text": ""}, {"id": "D", "text": ""}])
    with pytest.raises(CorpusError, match="'text'"):
        grounded.Corpus.from_records([{"id": "D"}])
    with pytest.raises(TypeError):
        grounded.Corpus.from_records("T01")
    turns = grounded.turns_from_text(TOY_TEXT)
    assert [t["speaker"] for t in turns] == ["interviewer", "interviewee"] * 2
    assert TOY_TEXT[turns[3]["start"]:turns[3]["end"]] == "It is my home."
    assert [t["answer"] for t in turns] == [-1, 0, -1, 1]
    corpus = grounded.Corpus.from_records([{"id": "D1", "text": TOY_TEXT}])
    with pytest.raises(KeyError, match="D2"):
        corpus["D2"]
    assert corpus.answers()["text"].tolist() == ["I live in Building 4. I wear the red armband.", "It is my home."]


def test_load_coding_rejects_unknown_name():
    with pytest.raises(ValueError, match="gold"):
        grounded.load_coding("third")


def test_project_coder_lookup(project):
    assert set(project.coder("second")["coder"]) == {"second"}
    with pytest.raises(KeyError, match="coders"):
        project.coder("nobody")


# ---------------------------------------------------------------- display

def test_show_transcript_plain_text_marks_coded_spans(toy_corpus, toy_book):
    coding = grounded.validate_coding(toy_segments(), toy_corpus, toy_book)
    text = str(grounded.show_transcript(toy_corpus, "D1", coding, toy_book))
    assert "[[I live in Building 4]]{A}" in text
    assert "[[my home]]{B}" in text
    only_second = str(grounded.show_transcript(toy_corpus, "D1", coding, answers=[1]))
    assert "Building" not in only_second and "Why?" in only_second


def test_show_transcript_html_highlights_and_escapes():
    corpus = grounded.Corpus.from_records([{"id": "D1", "text": "Q: Hi?\nA: I said <b>no</b> & left."}])
    coding = pd.DataFrame({"document": ["D1"], "start": [10], "end": [16], "code": ["CT_DISTANCE"]})
    html = grounded.show_transcript(corpus, "D1", coding)._repr_html_()
    assert "<mark" in html and "&lt;b&gt;no&lt;/b&gt; &amp; left." in html
    assert "[CT_DISTANCE]" in html


def test_show_transcript_real_document_and_errors(project):
    view = grounded.show_transcript(project.corpus, "T01", project.coding, project.codebook, coder="gold")
    first = project.coder("gold").query("document == 'T01'").iloc[0]
    flat = " ".join(str(view).split())  # plain text is wrapped at 100 characters
    assert " ".join(f"[[{first['text']}]]".split()) in flat
    with pytest.raises(KeyError, match="T99"):
        grounded.show_transcript(project.corpus, "T99")
    with pytest.raises(KeyError, match="nobody"):
        grounded.show_transcript(project.corpus, "T01", project.coding, coder="nobody")


def test_kwic_offsets_boundaries_and_errors(toy_corpus):
    hits = grounded.kwic(toy_corpus, "ARMBAND", width=10)
    assert len(hits) == 1
    row = hits.iloc[0]
    assert TOY_TEXT[row["start"]:row["end"]] == "armband" and row["left"] == "r the red " and row["answer"] == 0
    assert grounded.kwic(toy_corpus, "arm").empty  # word boundaries: "arm" is not "armband"
    assert len(grounded.kwic(toy_corpus, r"\bli\w+", regex=True)) == 1
    assert grounded.kwic(toy_corpus, "Where").empty  # questions are not searched by default
    assert len(grounded.kwic(toy_corpus, "Where", answers_only=False)) == 1
    with pytest.raises(ValueError, match="non-empty"):
        grounded.kwic(toy_corpus, " ")
    with pytest.raises(ValueError, match="regular expression"):
        grounded.kwic(toy_corpus, "(", regex=True)
    with pytest.raises(ValueError, match="width"):
        grounded.kwic(toy_corpus, "home", width=0)


# ---------------------------------------------------------------- suggester

def test_dictionary_is_a_readable_table_from_codebook_and_hand_list(project):
    table = grounded.build_dictionary(project.codebook)
    assert list(table.columns) == ["code", "keyword", "source", "weight"]
    assert set(table["source"]) == {"hand", "definition", "example"}
    hand = table.loc[(table["code"] == "BS_SYMBOL") & (table["source"] == "hand"), "keyword"]
    assert "armband" in set(hand)
    assert (table.loc[table["source"] == "hand", "weight"] == 2.0).all()
    derived = table.loc[table["source"] != "hand"]
    assert derived.groupby("keyword")["code"].nunique().max() <= 2
    festival = table.loc[(table["code"] == "SC_FESTIVAL") & (table["source"] == "definition"), "keyword"]
    assert "festivals" in set(festival)  # from the definition text
    with pytest.raises(KeyError, match="NOPE"):
        grounded.build_dictionary(project.codebook, hand_keywords={"NOPE": ("x",)})


def test_suggester_reports_its_triggers_and_matching_rules():
    table = pd.DataFrame({"code": ["SC_FESTIVAL", "BS_MEDIA", "SC_VANGUARD", "BE_HOME"],
                          "keyword": ["festival", "app", "party member", "home"], "weight": [2.0, 2.0, 2.0, 1.0]})
    result = grounded.suggest_codes("Festivals bring party members out; an apple a day; my homes", table)
    assert result["code"].tolist() == ["SC_FESTIVAL", "SC_VANGUARD", "BE_HOME"]
    assert result.loc[0, "triggers"] == "festival"
    assert result.loc[2, "score"] == 1.0
    assert grounded.suggest_codes("nothing to see", table).empty
    assert grounded.suggest_codes("home", table, min_score=1.5).empty
    with pytest.raises(TypeError):
        grounded.suggest_codes(None, table)
    with pytest.raises(ValueError, match="weight"):
        grounded.suggest_codes("x", table.drop(columns="weight"))
    with pytest.raises(ValueError, match="top"):
        grounded.suggest_codes("x", table, top=0)


def test_evaluate_suggester_on_a_toy_coding_and_on_gold(project):
    table = pd.DataFrame({"code": ["BS_SYMBOL"], "keyword": ["armband"], "weight": [2.0]})
    toy = pd.DataFrame({"code": ["BS_SYMBOL", "BE_HOME"], "text": ["my red armband", "my home"]})
    result = grounded.evaluate_suggester(toy, table)
    assert dict(zip(result["code"], result["hit_rate"])) == {"BE_HOME": 0.0, "BS_SYMBOL": 1.0}
    assert result.attrs["overall"] == 0.5
    gold = project.coder("gold").head(60)
    rate = grounded.evaluate_suggester(gold, grounded.build_dictionary(project.codebook)).attrs["overall"]
    assert 0.2 < rate < 1.0  # useful, and visibly imperfect: the coder must decide
    with pytest.raises(ValueError, match="text"):
        grounded.evaluate_suggester(toy.drop(columns="text"), table)


def test_suggest_for_document_covers_answers(project):
    table = grounded.build_dictionary(project.codebook)
    result = grounded.suggest_for_document(project.corpus, "T01", table)
    assert set(result["document"]) == {"T01"}
    assert result["answer"].between(0, 100).all() and result.groupby("answer").size().max() <= 3


def test_tokenize_and_hand_keywords(project):
    assert grounded.tokenize("Don’t touch the RED armband (红袖标)") == ["don't", "touch", "the", "red", "armband", "红袖标"]
    with pytest.raises(TypeError):
        grounded.tokenize(42)
    # the hand-written list covers exactly the codebook's open codes
    assert set(grounded.HAND_KEYWORDS) == set(project.codebook.code_ids)
    assert all(len(words) >= 5 for words in grounded.HAND_KEYWORDS.values())


def test_paradigm_mapping_places_every_category_once(project):
    placed = [c for categories in grounded.PARADIGM_MAPPING.values() for c in categories]
    assert sorted(placed) == sorted(project.codebook.category_ids)


def test_segments_from_quotes(toy_corpus, toy_book):
    coding = grounded.segments_from_quotes(toy_corpus, "D1", [("A", "red armband", "memo"), ("B", "my home")],
                                           codebook=toy_book)
    assert coding[["start", "end", "code", "coder", "memo"]].values.tolist() == [
        [TOY_TEXT.index("red armband"), TOY_TEXT.index("red armband") + 11, "A", "student", "memo"],
        [TOY_TEXT.index("my home"), TOY_TEXT.index("my home") + 7, "B", "student", ""]]
    with pytest.raises(CodingError, match="not in the transcript"):
        grounded.segments_from_quotes(toy_corpus, "D1", [("A", "blue armband")], codebook=toy_book)
    with pytest.raises(CodingError, match="more than once"):
        grounded.segments_from_quotes(toy_corpus, "D1", [("A", "I ")], codebook=toy_book)
    with pytest.raises(CodingError, match="empty"):
        grounded.segments_from_quotes(toy_corpus, "D1", [("A", " ")], codebook=toy_book)
    with pytest.raises(CodingError, match="expected"):
        grounded.segments_from_quotes(toy_corpus, "D1", ["A"], codebook=toy_book)
    with pytest.raises(CodingError, match="not in the codebook"):
        grounded.segments_from_quotes(toy_corpus, "D1", [("Z", "my home")], codebook=toy_book)


def test_html_legend_lists_only_the_categories_shown(project):
    view = grounded.show_transcript(project.corpus, "T05", project.coder("gold"), project.codebook, answers=[2])
    legend = view._repr_html_().split("Highlight colours:")[1].split("</p>")[0]
    assert "POLICE_ACTION" in legend and "CLOSENESS" in legend and "BRAND_SPREAD" not in legend
