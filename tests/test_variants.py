"""Secret-derived variants: secrets, scopes, ranges, what students receive (and what they never do)."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from chaoyang.teaching import variants
from chaoyang.teaching.variants import PRACTICE, RANGES, VariantError, derive, load_secret, student_files
from chaoyang.world import DEFAULT_WORLD

SECRET = b"test secret of the variant tests 0123"
SECRETS = [SECRET + bytes([i]) for i in range(25)]


def test_load_secret_from_env_and_file(tmp_path, monkeypatch):
    monkeypatch.delenv(variants.SECRET_ENV, raising=False)
    with pytest.raises(VariantError, match="no course secret"):
        load_secret()
    monkeypatch.setenv(variants.SECRET_ENV, "short")
    with pytest.raises(VariantError, match="at least 16"):
        load_secret()
    monkeypatch.setenv(variants.SECRET_ENV, "x" * 40)
    assert load_secret() == b"x" * 40
    path = tmp_path / "secret"
    path.write_text("  " + "y" * 32 + "\n")
    assert load_secret(path) == b"y" * 32
    with pytest.raises(VariantError, match="no secret file"):
        load_secret(tmp_path / "missing")


def test_secret_file_inside_the_repository_is_refused():
    repo = variants.Path(variants.__file__).resolve().parents[3]
    if not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    with pytest.raises(VariantError, match="inside the repository"):
        load_secret(repo / "README.md")


def test_practice_variant_is_the_masters_questions_and_the_books_world():
    for assignment in variants.ASSIGNMENTS:
        v = derive(assignment, "anyone", None)
        assert v.kind == "practice" and v.params == PRACTICE[assignment] and v.world is DEFAULT_WORLD


def test_variants_are_deterministic_per_course_and_per_student():
    a = derive("a5_fsqca", "s1", SECRET)
    assert derive("a5_fsqca", "s2", SECRET).params == a.params, "course scope: one variant for everyone"
    assert derive("a5_fsqca", "s1", SECRET).tag == a.tag
    s1 = derive("a5_fsqca", "s1", SECRET, per_student=True)
    s2 = derive("a5_fsqca", "s2", SECRET, per_student=True)
    assert s1.params != s2.params and s1.data_seed != s2.data_seed
    assert derive("a5_fsqca", "s1", SECRET + b"!").params != a.params, "another secret, another variant"


def test_scope_from_environment(monkeypatch):
    monkeypatch.setenv(variants.SCOPE_ENV, "student")
    assert derive("a6_simulation", "s1", SECRET).kind == "student"
    monkeypatch.setenv(variants.SCOPE_ENV, "class")
    with pytest.raises(VariantError, match="course' or 'student"):
        derive("a6_simulation", "s1", SECRET)


def test_unknown_assignment_and_bad_secret_type():
    with pytest.raises(KeyError, match="known assignments"):
        derive("a9_nothing", "s", SECRET)
    with pytest.raises(VariantError, match="bytes"):
        derive("a6_simulation", "s", "a str secret of sufficient length")


@pytest.mark.parametrize("assignment", variants.ASSIGNMENTS)
def test_every_variant_asks_something_else_than_the_practice(assignment):
    practice = PRACTICE[assignment]
    for secret in SECRETS:
        p = derive(assignment, "s", secret).params
        if assignment == "a1_grounded_coding":
            assert p["blind_transcript"] in RANGES[assignment]["blind_transcript"]
            assert p["label_transcript"] != practice["label_transcript"]
            assert p["kappa_transcript"] != practice["kappa_transcript"]
            assert len(p["blind_answers"]) == 6
        elif assignment == "a2_measurement":
            assert p["constructs"] != practice["constructs"] and p["constructs"][-1] == "WIL"
        elif assignment == "a3_mediation":
            assert p["pathway"] in ("party", "brand")
            assert RANGES[assignment]["seed"][0] <= p["seed"] < RANGES[assignment]["seed"][1]
        elif assignment == "a4_participation":
            assert p["often_from"] in (3, 5) and p["group"]["column"] in ("hukou", "gender")
        elif assignment == "a5_fsqca":
            r = RANGES[assignment]
            for key in ("exclusion", "crossover", "inclusion"):
                assert r[key][0] <= p["anchors"][key] <= r[key][1]
            assert r["pri_cut"][0] <= p["pri_cut"] <= r["pri_cut"][1] and p["pri_cut"] < p["pri_cut_strict"]
            assert p["anchors"] != practice["anchors"]
        else:
            r = RANGES[assignment]
            assert p["seed"] != practice["seed"] and r["stop_day"][0] <= p["stop_day"] <= r["stop_day"][1]
            assert r["subsidy"][0] <= p["game"]["subsidy"] <= r["subsidy"][1]


def test_variant_worlds_stay_in_the_documented_ranges_and_leave_default_world_alone():
    before = (dict(DEFAULT_WORLD.loadings), dict(DEFAULT_WORLD.paths))
    for secret in SECRETS[:10]:
        w = derive("a3_mediation", "s", secret).world
        assert w is not DEFAULT_WORLD
        for item, value in w.loadings.items():
            assert variants.LOADING_CLIP[0] <= value <= variants.LOADING_CLIP[1]
            assert abs(value - DEFAULT_WORLD.loadings[item]) <= 0.10 + 1e-9 or value in variants.LOADING_CLIP
        for key, value in w.paths.items():
            assert 0.8 - 1e-3 <= value / DEFAULT_WORLD.paths[key] <= 1.2 + 1e-3
        assert w.pathway_truth("police") != DEFAULT_WORLD.pathway_truth("police")
    assert (dict(DEFAULT_WORLD.loadings), dict(DEFAULT_WORLD.paths)) == before


def test_student_files_hold_parameters_and_data_but_no_truth(tmp_path):
    files = student_files("a3_mediation", "s1", SECRET, tmp_path / "data")
    assert sorted(files) == ["survey.csv", "variant.json"]
    text = files["variant.json"].read_text()
    payload = json.loads(text)
    assert set(payload) == {"assignment", "variant", "tag", "params"}
    world = derive("a3_mediation", "s1", SECRET).world
    for secretish in [SECRET.decode(), "loadings", "paths", str(world.loadings["PCR1"]), "data_seed"]:
        assert secretish not in text
    survey = pd.read_csv(files["survey.csv"])
    assert survey.shape[0] == variants.SURVEY_SIZE[0]
    practice = pd.read_csv(student_files("a3_mediation", "s1", None, tmp_path / "p")["survey.csv"])
    assert not survey.equals(practice)


def test_a1_data_withholds_the_gold_coding_of_the_blind_transcripts(tmp_path):
    files = student_files("a1_grounded_coding", "s1", SECRET, tmp_path)
    gold = pd.read_csv(files["coding_gold.csv"])
    for transcript in ("T25", "T26", "T27", "T28"):
        assert transcript not in set(gold["document"])
    assert {"T01", "T12"} <= set(gold["document"])


def test_instructor_guide_prints_the_ranges_the_code_uses():
    guide = (variants.Path(variants.__file__).resolve().parents[3] / "book" / "appendix" / "instructor-guide.md")
    assert variants.ranges_markdown() in guide.read_text(encoding="utf-8")
