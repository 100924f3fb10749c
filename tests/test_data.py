"""Datasets: committed files equal the generator, values in range, truth recoverable, errors clear."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest

from chaoyang.data import DATASETS, DatasetError, composite_scores, generate_all, generate_survey, load, serialize
from chaoyang.data import loader as loader_module
from chaoyang.world import DEFAULT_WORLD, ITEMS, LATENT_ORDER, PATHWAYS, items_of
from conftest import ROOT

DATASETS_DIR = ROOT / "datasets"


@pytest.fixture(scope="module")
def generated():
    return generate_all()


@pytest.mark.parametrize("name", list(DATASETS))
def test_committed_file_equals_the_generator_output_byte_for_byte(generated, name):
    committed = (DATASETS_DIR / DATASETS[name].filename).read_bytes()
    assert committed == serialize(name, generated[name]), (
        f"datasets/{DATASETS[name].filename} differs from the generator: run `make data` and commit")


def test_checksums_match_the_committed_files():
    for line in (DATASETS_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, filename = line.split("  ")
        assert hashlib.sha256((DATASETS_DIR / filename).read_bytes()).hexdigest() == digest, filename


def test_every_dataset_has_a_datasheet_in_sync_with_the_data(generated):
    from chaoyang.data.datasheets import render_datasheet

    for name in DATASETS:
        sheet = DATASETS_DIR / f"{name}.md"
        assert sheet.is_file(), f"datasets/{name}.md is missing"
        text = sheet.read_text(encoding="utf-8")
        assert text == render_datasheet(name, generated), f"datasets/{name}.md is stale: run `make data`"
        for needed in ("Purpose", "Generation", "Seed", "CC BY 4.0", "Regenerate"):
            assert needed in text, f"datasets/{name}.md lacks a {needed} section"


def test_survey_size_and_communities():
    survey = load("survey")
    assert len(survey) == DATASETS["survey"].rows == 1200
    assert survey["community_id"].nunique() == DATASETS["communities"].rows == 40
    assert set(survey["community_type"]) == {"danwei", "commercial", "resettlement", "rental"}


def test_likert_answers_lie_in_1_to_5_or_are_missing():
    survey = load("survey")
    for item in ITEMS:
        values = survey[item.column].dropna()
        assert values.between(1, 5).all() and (values == values.round()).all(), item.column
    share_missing = survey[[i.column for i in ITEMS]].isna().mean().mean()
    assert 0.003 < share_missing < 0.03, "a small share of answers is missing by design"


def test_missingness_is_higher_among_older_residents():
    survey = load("survey")
    missing = survey[[i.column for i in ITEMS]].isna().mean(axis=1)
    assert missing[survey["age"] >= 70].mean() > 1.4 * missing[survey["age"] < 70].mean()


def test_reversed_items_are_really_reversed():
    survey = load("survey")
    for item in (i for i in ITEMS if i.reverse):
        others = [i.column for i in items_of(item.construct) if not i.reverse]
        rest = survey[others].astype(float).mean(axis=1)
        r = survey[item.column].astype(float).corr(rest)
        assert r < -0.3, f"{item.column} should correlate negatively with the other {item.construct} items, r={r:.2f}"


@pytest.fixture(scope="module")
def large_sample():
    survey, _, latent = generate_survey(20_000, 400, seed=7, return_latent=True)
    return survey, latent


@pytest.mark.parametrize("pathway", list(PATHWAYS))
def test_latent_regressions_recover_the_planted_single_pathway_paths(large_sample, pathway):
    """OLS on the latent scores of 20,000 residents recovers a, b and c' of each pathway model.

    Tolerance 0.025: the standard error of a standardized coefficient at N = 20,000 is about
    0.007 (less with 400 communities' clustering taken as small), so 0.025 is about 3.5 SE, and
    a planted value off by 0.03 or more would be caught.
    """
    _, latent = large_sample
    truth = DEFAULT_WORLD.pathway_truth(pathway)
    x = PATHWAYS[pathway]["driver"]
    mediators = PATHWAYS[pathway]["mediators"]
    z = (latent - latent.mean(numeric_only=True)) / latent.std(numeric_only=True)
    for j, m in enumerate(mediators, 1):
        a = np.polyfit(z[x], z[m], 1)[0]
        assert a == pytest.approx(truth[f"a{j}"], abs=0.025), f"a{j} ({x}->{m})"
    design = np.column_stack([np.ones(len(z)), z[x], *(z[m] for m in mediators)])
    coef = np.linalg.lstsq(design, z["WIL"], rcond=None)[0]
    assert coef[1] == pytest.approx(truth["c_prime"], abs=0.025)
    for j in range(3):
        assert coef[2 + j] == pytest.approx(truth[f"b{j + 1}"], abs=0.025), f"b{j + 1}"


def test_item_latent_correlations_match_the_planted_loadings(large_sample):
    """corr(item, latent) = loading x polyserial factor (closed form); reversed items negative."""
    survey, latent = large_sample
    factor = DEFAULT_WORLD.likert_attenuation()
    for item in ITEMS:
        if item.construct in ("PAR",):
            continue
        answers = survey[item.column].astype(float)
        keep = answers.notna()
        r = np.corrcoef(answers[keep], latent.loc[keep, item.construct])[0, 1]
        expected = (-1 if item.reverse else 1) * DEFAULT_WORLD.loadings[item.column] * factor
        assert r == pytest.approx(expected, abs=0.025), item.column


def test_planted_configurations_are_sufficient_for_high_willingness(large_sample):
    """Crisp check on latent scores: each planted configuration is ≥ 85 % consistent with high
    willingness (latent > 0.5), while residents in none of them are rarely high (≤ 10 %)."""
    _, latent = large_sample
    high_wil = latent["WIL"] > 0.5
    for term in DEFAULT_WORLD.configuration_terms():
        members = np.all([latent[m] > DEFAULT_WORLD.high_cut for m in term], axis=0)
        assert members.sum() > 500
        assert high_wil[members].mean() >= 0.85, "*".join(term)
    outside = latent["S"] == 0
    assert high_wil[outside].mean() <= 0.10


def test_single_high_conditions_alone_are_not_sufficient(large_sample):
    """Equifinality has limits: one high mediator outside the configurations does not suffice."""
    _, latent = large_sample
    high_wil = latent["WIL"] > 0.5
    for m in ("BEL", "CLO", "BID", "EE", "RES"):
        alone = (latent[m] > DEFAULT_WORLD.high_cut) & (latent["S"] == 0)
        assert high_wil[alone].mean() < 0.4, m


def test_configurations_show_in_the_observed_composites(large_sample):
    """On the observed items (not latent scores), residents in a planted configuration, defined
    from composite scores, have clearly higher willingness than those in none."""
    survey, latent = large_sample
    scores = composite_scores(survey)
    high = scores.rank(pct=True) > 0.69  # about a latent score above 0.5
    high_wil = high["WIL"]
    any_config = np.zeros(len(scores), dtype=bool)
    for term in DEFAULT_WORLD.configuration_terms():
        members = high[term].all(axis=1).to_numpy()
        any_config |= members
        assert high_wil[members].mean() > 0.55, "*".join(term)
    assert high_wil[~any_config].mean() < 0.25


def test_participation_follows_willingness_and_party_membership(large_sample):
    survey, latent = large_sample
    for form in [i.column for i in ITEMS if i.construct == "PAR"]:
        answers = survey[form].astype(float)
        keep = answers.notna()
        assert np.corrcoef(answers[keep], latent.loc[keep, "WIL"])[0, 1] > 0.3, form
        assert answers[survey["party_member"] == 1].mean() > answers[survey["party_member"] == 0].mean(), form


def test_community_types_shift_the_drivers_as_planted(large_sample):
    survey, latent = large_sample
    means = latent.assign(type=survey["community_type"]).groupby("type")["COH"].mean()
    assert means["danwei"] > means["resettlement"] > means["commercial"] > means["rental"]


# ---------------------------------------------------------------- qualitative data
def test_interviews_metadata_and_lengths():
    interviews = load("interviews")
    assert len(interviews) >= 24
    assert sum(doc["holdout"] for doc in interviews) >= 4
    roles = {doc["role"] for doc in interviews}
    assert {"resident", "police_officer", "party_secretary", "volunteer", "property_manager"} <= roles
    for doc in interviews:
        assert 1200 <= doc["words"] <= 2500, f"{doc['id']} has {doc['words']} words"


def test_gold_segments_lie_inside_their_transcripts_and_use_codebook_codes():
    interviews = {doc["id"]: doc for doc in load("interviews")}
    codes = {c["id"] for c in load("codebook")["codes"]}
    for name in ("coding_gold", "coding_second"):
        coding = load(name)
        for row in coding.itertuples():
            text = interviews[row.document]["text"]
            assert 0 <= row.start < row.end <= len(text), row.segment_id
            assert text[row.start:row.end] == row.text, row.segment_id
            assert row.code in codes, row.code


def test_every_gold_transcript_is_coded():
    gold = load("coding_gold")
    assert set(gold["document"]) == {doc["id"] for doc in load("interviews")}


def test_every_category_has_segments_in_at_least_five_transcripts():
    codebook = load("codebook")
    category_of = {c["id"]: c["category"] for c in codebook["codes"]}
    gold = load("coding_gold").assign(category=lambda d: d["code"].map(category_of))
    per_category = gold.groupby("category")["document"].nunique()
    main = [c["id"] for c in codebook["categories"] if c["kind"] != "other"]
    assert len(main) == 8
    for category in main:
        assert per_category.get(category, 0) >= 5, f"{category} appears in {per_category.get(category, 0)} transcripts"


def test_every_code_has_an_example_quote_from_the_gold_coding():
    for code in load("codebook")["codes"]:
        assert code["example"] and code["example"]["quote"], code["id"]


def test_second_coding_covers_at_least_eight_transcripts_with_real_disagreement():
    second, gold = load("coding_second"), load("coding_gold")
    docs = sorted(set(second["document"]))
    assert len(docs) >= 8
    gold_pairs = set(zip(gold["document"], gold["start"], gold["end"], gold["code"]))
    second_pairs = set(zip(second["document"], second["start"], second["end"], second["code"]))
    exact = len(gold_pairs & second_pairs) / len(second_pairs)
    assert 0.3 < exact < 0.95, f"second coder matches gold exactly on {exact:.0%} of segments"


# ---------------------------------------------------------------- loading and errors
def test_unknown_dataset_name_lists_the_available_ones():
    with pytest.raises(KeyError, match="available datasets: survey, communities"):
        load("surveys")


def test_load_works_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(load("survey")) == 1200


def test_load_returns_a_fresh_object_each_time():
    first = load("survey")
    first.loc[0, "BEL1"] = 99  # impossible on the 1-5 scale, so any leak shows
    first["extra"] = 1
    second = load("survey")
    assert "extra" not in second.columns
    assert second is not first and not (second["BEL1"] == 99).any()


def test_missing_files_are_regenerated_from_the_seed(monkeypatch):
    committed = load("survey")  # from datasets/, verified against SHA256SUMS
    monkeypatch.setattr(loader_module, "datasets_dir", lambda: None)
    loader_module._regenerated.cache_clear()
    try:
        regenerated = load("survey")
    finally:
        loader_module._regenerated.cache_clear()
    # (before, both sides of this comparison were regenerated: the patch was still active)
    pd.testing.assert_frame_equal(regenerated, committed)
    pd.testing.assert_frame_equal(regenerated, load("survey", path=DATASETS_DIR / "survey.csv"))


def _corrupt(tmp_path, monkeypatch, filename, edit):
    folder = tmp_path / "datasets"
    shutil.copytree(DATASETS_DIR, folder)
    path = folder / filename
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setenv("CHAOYANG_DATA", str(folder))
    return path


def _set_cell(line: int, column: str, value: str):
    """An edit that puts ``value`` in ``column`` on CSV line ``line`` (the header is line 1)."""

    def edit(text):
        lines = text.splitlines()
        header = lines[0].split(",")
        row = lines[line - 1].split(",")
        row[header.index(column)] = value
        lines[line - 1] = ",".join(row)
        return "\n".join(lines) + "\n"

    return edit


def test_out_of_range_answer_is_reported_with_file_column_and_line(tmp_path, monkeypatch):
    path = _corrupt(tmp_path, monkeypatch, "survey.csv", _set_cell(4, "BEL2", "7"))
    with pytest.raises(DatasetError, match=r"survey\.csv: column 'BEL2', line\(s\) 4: value 7 outside 1–5"):
        load("survey")
    assert path.exists()


def test_a_renamed_column_is_reported(tmp_path, monkeypatch):
    _corrupt(tmp_path, monkeypatch, "survey.csv", lambda t: t.replace(",WIL3,", ",WIL_3,", 1))
    with pytest.raises(DatasetError, match=r"missing column\(s\) \['WIL3'\]"):
        load("survey")


def test_a_text_answer_is_reported(tmp_path, monkeypatch):
    _corrupt(tmp_path, monkeypatch, "survey.csv", _set_cell(2, "COH1", "agree"))
    with pytest.raises(DatasetError, match=r"column 'COH1', line\(s\) 2: non-numeric value 'agree'"):
        load("survey")


def test_broken_json_is_reported(tmp_path, monkeypatch):
    _corrupt(tmp_path, monkeypatch, "codebook.json", lambda t: t[: len(t) // 2])
    with pytest.raises(DatasetError, match=r"codebook\.json: line \d+, column \d+: not valid JSON"):
        load("codebook")


# ---------------------------------------------------------------- integrity: checksums, truncation, shapes
def test_registry_row_counts_equal_the_generator_output(generated):
    for name, spec in DATASETS.items():
        if spec.rows is not None:
            assert len(generated[name]) == spec.rows, name


def test_a_survey_cut_in_half_mid_line_is_refused_naming_the_line(tmp_path, monkeypatch):
    _corrupt(tmp_path, monkeypatch, "survey.csv", lambda t: t[: len(t) // 2])
    with pytest.raises(DatasetError, match=r"survey\.csv: line 60\d: \d+ field\(s\) where the header has \d+ "
                                           r".*cut short.*make data"):
        load("survey")


def test_a_survey_cut_in_half_at_a_line_end_is_refused_by_the_row_count(tmp_path, monkeypatch):
    def half(text):
        lines = text.splitlines(keepends=True)
        return "".join(lines[: len(lines) // 2])

    _corrupt(tmp_path, monkeypatch, "survey.csv", half)
    with pytest.raises(loader_module.ChecksumError, match=r"survey\.csv: 599 data rows where the kit's survey has "
                                                          r"1,200 .*make data.*verify=False"):
        load("survey")
    assert len(load("survey", verify=False)) == 599  # the opt-out for one's own, edited copy


def test_an_edited_value_in_range_is_caught_by_the_checksum(tmp_path, monkeypatch):
    lines = (DATASETS_DIR / "survey.csv").read_text(encoding="utf-8").splitlines()
    age = int(lines[4].split(",")[lines[0].split(",").index("age")])
    _corrupt(tmp_path, monkeypatch, "survey.csv", _set_cell(5, "age", str(age + 1)))  # still a valid age
    with pytest.raises(loader_module.ChecksumError, match=r"survey\.csv: SHA-256 [0-9a-f]{12}\.\.\. differs from "
                                                          r"SHA256SUMS .*make data"):
        load("survey")
    assert load("survey", verify=False)["age"].iloc[3] == age + 1


def test_a_folder_without_checksums_needs_the_opt_out(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(DATASETS_DIR / "items.csv", folder / "items.csv")
    monkeypatch.setenv("CHAOYANG_DATA", str(folder))
    with pytest.raises(loader_module.ChecksumError, match="no SHA256SUMS next to it.*verify=False"):
        load("items")
    assert len(load("items", verify=False)) == 45


def test_path_loads_own_data_validated_but_not_verified(tmp_path):
    mine = tmp_path / "my_survey.csv"
    lines = (DATASETS_DIR / "survey.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    mine.write_text("".join(lines[:101]), encoding="utf-8")
    assert len(load("survey", path=mine)) == 100
    mine.write_text("".join(lines[:3]).replace(",", ";"), encoding="utf-8")
    with pytest.raises(DatasetError, match="my_survey.csv"):
        load("survey", path=mine)
    with pytest.raises(FileNotFoundError, match="nothing.csv"):
        load("survey", path=tmp_path / "nothing.csv")


@pytest.mark.parametrize("content, message", [
    ("", r"items\.csv: line 1: the file is empty"),
    ("   \n", r"items\.csv: line 1: the file is empty"),
    ("column,construct,reverse,text_en,text_zh,source\n", r"items\.csv: line 2: the file has a header but no data"),
    ("column,column,reverse\nA,B,0\n", r"items\.csv: line 1: duplicated column name\(s\) \['column'\]"),
])
def test_empty_header_only_and_duplicated_header_files_are_refused_with_file_and_line(tmp_path, monkeypatch,
                                                                                       content, message):
    _corrupt(tmp_path, monkeypatch, "items.csv", lambda t: content)
    with pytest.raises(DatasetError, match=message):
        load("items")
    with pytest.raises(DatasetError, match=message):
        load("items", verify=False, validate=False)


def test_non_utf8_file_is_refused_naming_file_and_line(tmp_path, monkeypatch):
    path = _corrupt(tmp_path, monkeypatch, "items.csv", lambda t: t)
    data = path.read_bytes().split(b"\n")
    data[3] = data[3] + "café".encode("latin-1")  # é in Latin-1 is not UTF-8
    path.write_bytes(b"\n".join(data))
    with pytest.raises(DatasetError, match=r"items\.csv: line 4: byte .* is not UTF-8"):
        load("items")


@pytest.mark.parametrize("name, content", [("codebook", "null\n"), ("interviews", "null\n"), ("interviews", "{}\n"),
                                           ("simulation_defaults", "[1, 2]\n"), ("interviews", "[1]\n")])
def test_json_of_the_wrong_shape_is_a_named_error(tmp_path, monkeypatch, name, content):
    _corrupt(tmp_path, monkeypatch, DATASETS[name].filename, lambda t: content)
    with pytest.raises(DatasetError, match=DATASETS[name].filename.replace(".", r"\.")):
        load(name)


@pytest.mark.parametrize("bad", [["survey"], ("survey",), None, 3, {"survey"}])
def test_a_name_that_is_not_a_string_is_a_named_error(bad):
    with pytest.raises(loader_module.DatasetNameError, match="must be one dataset name .*available datasets: survey"):
        load(bad)
    with pytest.raises(KeyError):  # backwards compatible with `except KeyError`
        load(bad)


def test_generator_rejects_impossible_sizes():
    with pytest.raises(ValueError, match="n_communities"):
        generate_survey(100, 2)
    with pytest.raises(ValueError, match="n \\(residents\\)"):
        generate_survey(10, 40)


def test_generator_is_deterministic_and_seed_sensitive():
    a, _ = generate_survey(300, 8, seed=3)
    b, _ = generate_survey(300, 8, seed=3)
    c, _ = generate_survey(300, 8, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_composite_scores_reverse_keyed_items_and_leave_input_alone():
    survey = pd.DataFrame({"BEL1": [5, 1], "BEL2": [5, 1], "BEL3": [5, 1], "BEL4": [1, 5]}, dtype="Int64")
    before = survey.copy()
    scores = composite_scores(survey, ["BEL"])
    assert scores["BEL"].tolist() == [5.0, 1.0]
    pd.testing.assert_frame_equal(survey, before)


def test_answers_off_the_1_to_5_scale_are_refused_not_scored():
    from chaoyang.errors import ArgumentError

    survey = pd.DataFrame({"BEL1": [5, 0], "BEL2": [5, 1], "BEL3": [5, 1], "BEL4": [1, 3]})
    with pytest.raises(ArgumentError, match=r"item 'BEL1' holds 0\.0 \(row 1\), off the 1-5 answer scale"):
        composite_scores(survey, ["BEL"])
    with pytest.raises(ArgumentError, match="BEL4"):
        composite_scores(survey.assign(BEL1=5, BEL4=2.5), ["BEL"])


def test_every_error_of_data_grounded_qca_describe_is_a_chaoyang_error_and_a_builtin():
    import builtins
    import importlib
    import inspect
    import pkgutil

    import chaoyang.data
    import chaoyang.describe
    import chaoyang.grounded
    import chaoyang.qca
    from chaoyang.errors import ChaoyangError, ChaoyangWarning

    builtin_errors = {v for v in vars(builtins).values() if isinstance(v, type) and issubclass(v, Exception)} - {
        Exception}
    found = 0
    for package in (chaoyang.data, chaoyang.describe, chaoyang.grounded, chaoyang.qca):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__ or not issubclass(cls, Exception):
                    continue
                found += 1
                if issubclass(cls, Warning):
                    assert issubclass(cls, ChaoyangWarning), name
                else:
                    assert issubclass(cls, ChaoyangError), name
                    assert any(issubclass(cls, b) for b in builtin_errors - {Warning}), name
    assert found >= 15


# ---------------------------------------------------------------- the planted non-invariance
def test_item_bias_shifts_only_the_planted_item_of_the_planted_group():
    """Same seed with and without the bias: only BEL3 of non-local residents differs, and only downwards.

    The shift is added to y* after every random draw, so removing it must leave every other answer
    byte-identical; the shifted answers can only move down (intercept -0.30).
    """
    biased, _ = generate_survey(3000, 40, seed=11)
    clean, _ = generate_survey(3000, 40, seed=11, world=DEFAULT_WORLD.replace(item_bias=()))
    changed = [c for c in biased.columns if not biased[c].equals(clean[c])]
    assert changed == ["BEL3"]
    moved = biased["BEL3"].astype(float).ne(clean["BEL3"].astype(float)) & biased["BEL3"].notna()
    assert moved.any()
    assert set(biased.loc[moved, "hukou"]) == {"non-local"}
    assert (biased.loc[moved, "BEL3"].astype(float) < clean.loc[moved, "BEL3"].astype(float)).all()


def test_bel3_drops_by_the_closed_form_amount_for_the_planted_group():
    """Paired draws (same seed, with and without the bias): the mean drop of BEL3 among non-local
    residents equals the expected number of cut points that a shift of y* by 0.30 crosses.

    With y* ~ N(agreement_shift, 1) and cuts c_k, a shift d < 0 lowers the answer by one step for
    each cut with y* in (c_k, c_k - d], so the expected drop is sum_k [Phi(c_k - s - d) - Phi(c_k - s)]
    (about 0.29). It ignores that non-local residents' y* mean is a little lower (they belong a little
    less), an error of about 0.01 here; the paired drop's standard error at 5,000 non-local residents is
    about 0.006, so a tolerance of 0.025 still catches a planted shift off by 0.03 response SD.
    """
    from scipy.stats import norm

    bias = DEFAULT_WORLD.item_bias[0]
    biased, _ = generate_survey(20_000, 400, seed=7)
    clean, _ = generate_survey(20_000, 400, seed=7, world=DEFAULT_WORLD.replace(item_bias=()))
    group = (biased[bias.column] == bias.level) & biased[bias.item].notna()
    drop = (clean[bias.item].astype(float) - biased[bias.item].astype(float))[group].mean()
    cuts = np.asarray(DEFAULT_WORLD.likert_cuts) - DEFAULT_WORLD.agreement_shift
    expected = (norm.cdf(cuts - bias.intercept) - norm.cdf(cuts)).sum()
    assert drop == pytest.approx(expected, abs=0.025)
