"""The planted truth: internal consistency and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from chaoyang.world import CONSTRUCTS, DEFAULT_WORLD, ITEMS, LATENT_ORDER, PATHWAYS, items_of


def test_every_item_belongs_to_exactly_one_known_construct():
    columns = [i.column for i in ITEMS]
    assert len(columns) == len(set(columns)), "duplicate item columns"
    for item in ITEMS:
        assert item.construct in CONSTRUCTS
        assert item.column.startswith(item.construct if item.construct != "PAR" else "PAR_")


def test_attitudinal_constructs_have_three_to_five_items_and_participation_six():
    for key, construct in CONSTRUCTS.items():
        n = len(items_of(key))
        if construct.role == "participation":
            assert n == 6
        else:
            assert 3 <= n <= 5, f"{key} has {n} items"


def test_items_have_both_languages_and_a_cited_source():
    bib = (__import__("conftest").ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    for item in ITEMS:
        assert item.text_en and item.text_zh and any("\u4e00" <= ch <= "\u9fff" for ch in item.text_zh)
        assert f"{{{item.source}," in bib, f"{item.column}: source {item.source} not in references.bib"


def test_latent_covariance_is_a_correlation_matrix_and_positive_definite():
    sigma = DEFAULT_WORLD.latent_covariance
    assert np.allclose(np.diag(sigma), 1.0)
    assert np.all(np.linalg.eigvalsh(sigma) > 0)


def test_driver_variance_decomposition_matches_a_simulated_population():
    """Not a tautology (the individual part is defined as 1 minus the others): draw 20,000 residents in
    400 communities through the survey generator and compare the drivers' variances, correlations and
    between-type variance with the decomposition. Tolerances: 0.04 on variances (about 3 SE of a
    variance whose community and type parts rest on 400 communities and 4 types), 0.03 on
    correlations and between-type variances."""
    from chaoyang.data import generate_survey
    from chaoyang.world import DRIVERS

    survey, _, latent = generate_survey(20_000, 400, seed=11, return_latent=True)
    comp = DEFAULT_WORLD.driver_components
    drivers = latent[list(DRIVERS)]
    assert np.allclose(drivers.var(), np.diag(comp["total"]), atol=0.04)
    assert np.allclose(drivers.corr(), comp["total"], atol=0.03)
    type_means = drivers.groupby(survey["community_type"]).transform("mean")
    assert np.allclose(type_means.var(), np.diag(comp["between_types"]), atol=0.03)


@pytest.mark.parametrize("pathway", list(PATHWAYS))
def test_pathway_truth_decomposes_the_total_effect(pathway):
    truth = DEFAULT_WORLD.pathway_truth(pathway)
    assert truth["total"] == pytest.approx(truth["c_prime"] + truth["total_indirect"], abs=1e-12)
    # The specific a-path of a single-pathway model equals the planted joint path (the specific
    # mediator depends on its own driver only).
    driver, (specific, _, _) = PATHWAYS[pathway]["driver"], PATHWAYS[pathway]["mediators"]
    assert truth["a1"] == pytest.approx(DEFAULT_WORLD.path(driver, specific), abs=1e-12)


def test_pathway_truth_matches_a_hand_computed_projection():
    """Independent check: regress WIL on (COH, BEL, EE, RES) using the closed-form covariance."""
    sigma = DEFAULT_WORLD.latent_covariance
    idx = [LATENT_ORDER.index(v) for v in ("COH", "BEL", "EE", "RES")]
    y = LATENT_ORDER.index("WIL")
    beta = np.linalg.inv(sigma[np.ix_(idx, idx)]) @ sigma[idx, y]
    truth = DEFAULT_WORLD.pathway_truth("party")
    assert [truth["c_prime"], truth["b1"], truth["b2"], truth["b3"]] == pytest.approx(list(beta), abs=1e-12)


def test_configurational_term_is_orthogonal_to_the_linear_predictors():
    latent = DEFAULT_WORLD.draw_latent(np.random.default_rng(11), 200_000)
    term = DEFAULT_WORLD.configuration_term(latent)
    for name in LATENT_ORDER[:-1]:
        assert abs(np.corrcoef(term, latent[name])[0, 1]) < 0.01, name


@pytest.mark.parametrize("change, message", [
    ({"paths": {("WIL", "BEL"): 0.3}}, "backwards"),
    ({"paths": {("COH", "BEL"): 1.2}}, "(-1, 1)"),
    ({"driver_correlation": 1.0}, "driver_correlation"),
    ({"configurations": ("BEL*XYZ",)}, "XYZ"),
    ({"missing_rate": 0.5}, "missing_rate"),
    ({"likert_cuts": (1.0, 0.0, 2.0, 3.0)}, "likert_cuts"),
])
def test_invalid_worlds_are_rejected_with_a_named_reason(change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        DEFAULT_WORLD.replace(**change)


def test_unknown_construct_and_pathway_name_the_choices():
    with pytest.raises(KeyError, match="known constructs"):
        items_of("XYZ")
    with pytest.raises(KeyError, match="party"):
        DEFAULT_WORLD.pathway_truth("market")


def test_likert_attenuation_matches_a_monte_carlo_estimate():
    """Closed form against simulation: corr(answer, y*) for y* ~ N(shift, 1) cut at the cuts."""
    rng = np.random.default_rng(5)
    ystar = rng.normal(DEFAULT_WORLD.agreement_shift, 1.0, 400_000)
    answers = 1 + (ystar[:, None] > np.asarray(DEFAULT_WORLD.likert_cuts)).sum(axis=1)
    assert DEFAULT_WORLD.likert_attenuation() == pytest.approx(np.corrcoef(answers, ystar)[0, 1], abs=0.003)
    with pytest.raises(ValueError, match="scale"):
        DEFAULT_WORLD.likert_attenuation("ordinal")


# ---------------------------------------------------------------- the planted non-invariance
def test_the_book_world_plants_one_intercept_non_invariance_of_bel3_across_hukou():
    from chaoyang.world import ItemBias

    assert DEFAULT_WORLD.item_bias == (ItemBias("BEL3", "hukou", "non-local", -0.30),)
    assert DEFAULT_WORLD.replace(item_bias=[]).item_bias == ()


@pytest.mark.parametrize("bias, message", [
    (("BEL9", "hukou", "non-local", -0.3), "BEL9"),
    (("PAR_INFO", "hukou", "non-local", -0.3), "agreement item"),
    (("BEL3", "age", "70", -0.3), "cannot define groups"),
    (("BEL3", "hukou", "foreign", -0.3), "no level 'foreign'"),
    (("BEL3", "community_type", "villa", -0.3), "no level 'villa'"),
    (("BEL3", "hukou", "non-local", 2.0), r"intercept must lie in \[-1.5, 1.5\]"),
    (("BEL3", "hukou", "non-local", float("nan")), "finite"),
])
def test_bad_item_bias_is_refused_naming_the_problem(bias, message):
    from chaoyang.world import ItemBias, WorldError

    with pytest.raises(WorldError, match=message):
        DEFAULT_WORLD.replace(item_bias=(ItemBias(*bias),))


def test_item_bias_must_be_a_tuple_of_item_bias_without_duplicates():
    from chaoyang.world import ItemBias, WorldError

    with pytest.raises(WorldError, match="tuple of ItemBias"):
        DEFAULT_WORLD.replace(item_bias=ItemBias("BEL3", "hukou", "non-local", -0.3))
    with pytest.raises(WorldError, match="ItemBias"):
        DEFAULT_WORLD.replace(item_bias=(("BEL3", "hukou", "non-local", -0.3),))
    twice = (ItemBias("BEL3", "hukou", "non-local", -0.3), ItemBias("BEL3", "hukou", "non-local", -0.1))
    with pytest.raises(WorldError, match="twice"):
        DEFAULT_WORLD.replace(item_bias=twice)
