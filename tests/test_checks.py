"""Points that mean something: alternative solutions keep full marks, wrong answers of the right shape earn 0.

The tests grade answers dicts directly (what the sandbox exports), on the practice variant and on
secret-derived variants; the expected values come from the checks' own reference computations in
the grader, and the alternative solutions in tests/fixtures/alt_solutions compute them another way.
"""

from __future__ import annotations

import copy
import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang.teaching import checks, variants
from chaoyang.teaching.answers import encode
from chaoyang.teaching.variants import VariantError, derive, write_files

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))

SECRET = b"test secret of the check tests 01234"
ASSIGNMENTS = list(variants.ASSIGNMENTS)


def _alt(assignment):
    return importlib.import_module("alt_solutions." + assignment.split("_")[0])


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """assignment -> kind -> (variant, encoded answers of the alternative solution)."""
    out = {}
    for assignment in ASSIGNMENTS:
        for kind, secret in (("practice", None), ("course", SECRET)):
            v = derive(assignment, "s1", secret)
            data = tmp_path_factory.mktemp(f"{assignment}-{kind}")
            write_files(v, data)
            answers = _alt(assignment).solve(data)
            out.setdefault(assignment, {})[kind] = (v, {k: encode(x) for k, x in answers.items()})
    return out


def _total(grades):
    return sum(g.points for g in grades), sum(g.possible for g in grades)


@pytest.mark.parametrize("kind", ["practice", "course"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_alternative_solution_keeps_full_marks(assignment, kind, solved):
    variant, answers = solved[assignment][kind]
    grades = checks.grade_variant(assignment, answers, variant)
    failed = [(c.name, c.message) for g in grades for c in g.checks if not c.passed]
    assert failed == []
    points, possible = _total(grades)
    assert points == possible > 0


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answer_names_cover_every_question(assignment):
    names = checks.answer_names(assignment)
    assert len(names) == len(set(names)) >= 4
    assert {n for q in checks.questions(assignment) for n in q.answers} == set(names)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_public_checks_are_worth_nothing_and_hidden_checks_carry_the_points(assignment):
    for q in checks.questions(assignment):
        assert q.public and q.hidden, f"{assignment} {q.name} needs public and hidden checks"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_empty_submission_scores_zero_and_says_what_is_missing(assignment):
    grades = checks.grade_answers(assignment, {}, student_id="s", secret=SECRET)
    assert _total(grades)[0] == 0
    assert all("define" in c.message or c.hidden for g in grades for c in g.checks)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_practice_answers_on_a_variant_score_under_half(assignment, solved):
    """Copying the public worked example (the practice variant's answers) onto a variant earns < 50 %."""
    _, practice_answers = solved[assignment]["practice"]
    variant, _ = solved[assignment]["course"]
    points, possible = _total(checks.grade_variant(assignment, practice_answers, variant))
    assert points < 0.5 * possible, f"{assignment}: practice answers score {points}/{possible} on a variant"


def test_default_world_truth_earns_nothing_on_a_variant(solved):
    """The planted truth of DEFAULT_WORLD is not the variant's: a3 paths copied from it score 0."""
    from chaoyang.world import DEFAULT_WORLD

    variant, answers = solved["a3_mediation"]["course"]
    truth = DEFAULT_WORLD.pathway_truth(variant.params["pathway"])
    copied = dict(answers, std_paths={**{k: truth[k] for k in ("a1", "a2", "a3", "b1", "b2", "b3")}, "c": truth["c_prime"]})
    grades = {g.question: g for g in checks.grade_variant("a3_mediation", copied, variant)}
    assert grades["q2"].points == 0


def test_a3_nonequivalent_model_fails(solved):
    variant, answers = solved["a3_mediation"]["course"]
    syntax = "\n".join(line for line in answers["syntax"].splitlines() if "~~" not in line)
    grades = {g.question: g for g in checks.grade_variant("a3_mediation", dict(answers, syntax=syntax), variant)}
    assert grades["q1"].points == 0 and grades["q2"].points == grades["q2"].possible


def test_wrong_values_of_the_right_shape_earn_nothing(solved):
    variant, answers = solved["a4_participation"]["course"]
    decoded = {k: checks._decode_all({k: v})[k] for k, v in answers.items()}
    wrong = copy.deepcopy(decoded)
    wrong["share_often"] = decoded["share_often"] * 0 + 0.5
    wrong["frequency_table"] = decoded["frequency_table"] * 0 + 0.2
    grades = {g.question: g for g in checks.grade_variant("a4_participation", wrong, variant)}
    assert grades["q1"].points == 0 and grades["q2"].points == 0
    assert all(c.passed for c in grades["q1"].checks if not c.hidden), "the shape is right"


def test_hidden_messages_are_hints_without_expected_values(solved):
    variant, answers = solved["a5_fsqca"]["course"]
    bad = {name: encode(0.123456) for name in answers}
    grades = checks.grade_variant("a5_fsqca", bad, variant)
    hidden_messages = [c.message for g in grades for c in g.checks if c.hidden]
    hints = {c.hint for q in checks.questions("a5_fsqca") for c in q.hidden}
    assert hidden_messages and set(hidden_messages) <= hints
    for message in hidden_messages:
        for number in (variant.params["pri_cut"], variant.params["anchors"]["crossover"]):
            assert str(number) not in message


def test_grading_without_a_secret_is_refused():
    with pytest.raises(VariantError, match="secret"):
        checks.grade_answers("a4_participation", {}, student_id="s", secret=b"")


def test_unsupported_answer_is_a_clear_failure(solved):
    variant, answers = solved["a4_participation"]["course"]
    grades = checks.grade_variant("a4_participation", dict(answers, share_often={"__unsupported__": "Axes"}), variant)
    q2 = [g for g in grades if g.question == "q2"][0]
    assert q2.points == 0 and "could not be read" in q2.checks[0].message


def test_describe_axes_reads_bars_lines_and_labels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.barh(["a", "b"], [0.1, 0.4])
    ax.plot([1, 2, 3], [0.5, 0.6, 0.7], label="run")
    ax.legend()
    ax.set_title("T")
    s = checks.describe_axes(ax)
    plt.close(fig)
    assert [b["width"] for b in s["bars"]] == [0.1, 0.4]
    assert s["lines"][0]["y"] == [0.5, 0.6, 0.7] and s["legend"] == ["run"] and s["title"] == "T"


def test_student_checks_use_the_notebooks_variant_without_a_secret(solved, tmp_path, monkeypatch):
    """grader.check in a student's notebook: public checks from data/variant.json, no truth, no secret needed."""
    monkeypatch.delenv("CHAOYANG_COURSE_SECRET", raising=False)
    variant, answers = solved["a2_measurement"]["course"]
    write_files(variant, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    namespace = {k: checks._decode_all({k: v})[k] for k, v in answers.items()}
    grader = checks.StudentChecks("a2_measurement")
    assert all(grader.check(q.name, namespace).passed for q in checks.questions("a2_measurement"))
    practice_alphas = solved["a2_measurement"]["practice"][1]["alphas"]
    report = grader.check("q2", dict(namespace, alphas=checks._decode_all({"a": practice_alphas})["a"]))
    assert not report.passed and "constructs" in repr(report)
    with pytest.raises(AssertionError, match="when your teacher grades"):
        checks.otter_check("a2_measurement", "q2", namespace, hidden=True)


def test_a5_practice_loses_bel_res():
    """The master's Question 7 says that in the practice variant BEL*RES is lost at PRI 0.70 (against 0.68)."""
    ref = checks.a5.ref(checks.common.Context(derive("a5_fsqca", "s", None)))
    assert ref["lost"] == ["BEL*RES"] and "BEL*RES" in ref["terms"]
