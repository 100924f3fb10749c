"""Bad input for means, FIML, groups and constraints: named errors, lavaan's warnings, caller data untouched."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang import sem

FIXTURES = Path(__file__).parent / "fixtures" / "lavaan"
CFA = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"


@pytest.fixture(scope="module")
def holzinger() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")


def test_all_missing_rows_are_dropped_with_lavaans_warning(holzinger):
    data = holzinger.copy()
    data.loc[[3, 10], ["x1", "x2", "x3", "x4", "x5", "x6"]] = np.nan
    before = data.copy()
    with pytest.warns(sem.SEMWarning, match="2 of 301 cases have no observed value.*lavaan"):
        res = sem.fit(CFA, data, missing="ml")
    assert res.n == 299 and res.n_dropped == 2
    pd.testing.assert_frame_equal(data, before)  # the caller's frame is not modified
    clean = sem.fit(CFA, data.drop(index=[3, 10]).reset_index(drop=True), missing="ml")
    np.testing.assert_allclose(res.estimates["est"], clean.estimates["est"], rtol=1e-10)


def test_missing_exogenous_predictor_drops_cases_with_warning(holzinger):
    data = holzinger.copy()
    data.loc[:4, "x1"] = np.nan
    with pytest.warns(sem.SEMWarning, match="5 cases were deleted because they miss an exogenous predictor"):
        res = sem.fit("x5 ~ x1 + x2", data, missing="ml")
    assert res.n == 296


def test_group_column_unknown_or_with_missing_values(holzinger):
    with pytest.raises(sem.SEMColumnError, match="'schol' is not a column.*'school'"):
        sem.fit(CFA, holzinger, group="schol")
    data = holzinger.copy()
    data.loc[0, "school"] = None
    with pytest.raises(sem.SEMDataError, match="group column 'school' has 1 missing"):
        sem.fit(CFA, data, group="school")


def test_empty_group_is_refused(holzinger):
    data = holzinger.copy()
    data["school"] = pd.Categorical(data["school"], categories=["Pasteur", "Grant-White", "Nowhere"])
    with pytest.raises(sem.SEMDataError, match="Group 'Nowhere' of 'school' has no cases"):
        sem.fit(CFA, data, group="school")


def test_group_with_fewer_cases_than_variables_is_refused(holzinger):
    data = holzinger.copy()
    data.loc[:4, "school"] = "tiny"
    with pytest.raises(sem.SEMDataError, match="Only 5 cases in group 'tiny' of 'school' for 6 observed"):
        sem.fit(CFA, data, group="school")


def test_group_where_a_column_is_constant(holzinger):
    data = holzinger.copy()
    data.loc[data["school"] == "Pasteur", "x2"] = 3.0
    with pytest.raises(sem.SEMDataError, match="'x2' is constant.*group 'Pasteur'"):
        sem.fit(CFA, data, group="school")


def test_single_group_value_is_refused(holzinger):
    data = holzinger.assign(school="one")
    with pytest.raises(sem.SEMDataError, match="single value"):
        sem.fit(CFA, data, group="school")


def test_constraint_on_unknown_label_is_named():
    with pytest.raises(sem.SEMSyntaxError, match="'a3', which is not a label.*Did you mean"):
        sem.parse_model("y ~ a1*x + a2*z\na1 == a3")


def test_nonlinear_constraint_is_refused(holzinger):
    model = "visual =~ x1 + a*x2 + b*x3\na*b == 1"
    with pytest.raises(sem.SEMSyntaxError, match="not linear"):
        sem.fit(model, holzinger)


def test_contradictory_constraints_are_refused(holzinger):
    model = "visual =~ x1 + a*x2 + b*x3\na == b\na == 2\nb == 3"
    with pytest.raises(sem.SEMIdentificationError, match="contradict"):
        sem.fit(model, holzinger)


def test_wrong_number_of_group_modifiers(holzinger):
    with pytest.raises(sem.SEMSyntaxError, match="3 entries but the data have 2 group"):
        sem.fit("visual =~ x1 + c(a, b, c)*x2 + x3", holzinger, group="school")


def test_unknown_group_equal_category_suggests(holzinger):
    with pytest.raises(sem.SEMSyntaxError, match="'loading' is not a category.*'loadings'"):
        sem.fit(CFA, holzinger, group="school", group_equal=["loading"])


def test_group_partial_must_name_a_parameter(holzinger):
    with pytest.raises(sem.SEMSyntaxError, match="group_partial names 'visual =~ x9'"):
        sem.fit(CFA, holzinger, group="school", group_equal=["loadings"], group_partial=["visual =~ x9"])


def test_group_equal_without_group(holzinger):
    with pytest.raises(sem.SEMDataError, match="need group="):
        sem.fit(CFA, holzinger, group_equal=["loadings"])


def test_non_identified_groups_latent_means_free_everywhere(holzinger):
    # free latent means in both groups with free intercepts: lavaan only warns about a non-positive-definite
    # vcov; the kit refuses with the parameters involved
    model = CFA + "\nvisual ~ 1\ntextual ~ 1"
    with pytest.raises(sem.SEMIdentificationError, match="not identified.*~1.*fix the latent means at 0"):
        sem.fit(model, holzinger, group="school")


def test_fiml_without_means_is_refused(holzinger):
    with pytest.raises(sem.SEMDataError, match="meanstructure=False is not possible"):
        sem.fit(CFA, holzinger, missing="ml", meanstructure=False)


def test_intercepts_with_meanstructure_false(holzinger):
    with pytest.raises(sem.SEMSyntaxError, match="meanstructure=False"):
        sem.fit(CFA + "\nx1 ~ 1", holzinger, meanstructure=False)


def test_fiml_with_complete_data_equals_listwise_with_means(holzinger):
    # a property lavaan has too: with no missing value, FIML is ordinary ML with a mean structure
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fiml = sem.fit(CFA, holzinger, missing="ml")
    means = sem.fit(CFA, holzinger, meanstructure=True)
    np.testing.assert_allclose(fiml.estimates["est"], means.estimates["est"], atol=1e-8)
    assert fiml.fit_measures["chisq"] == pytest.approx(means.fit_measures["chisq"], abs=1e-7)
    # ... and the covariance part equals the semopy path's (means saturated)
    plain = sem.fit(CFA, holzinger)
    merged = means.estimates.merge(plain.estimates, on=["lhs", "op", "rhs"], suffixes=("", "_plain"))
    np.testing.assert_allclose(merged["est"], merged["est_plain"], atol=2e-6)
    assert means.fit_measures["chisq"] == pytest.approx(plain.fit_measures["chisq"], rel=1e-8)


def test_constraints_without_means_keep_the_covariance_fit(holzinger):
    # an equality constraint routes a complete-data model to the kit's engine with saturated means:
    # same chi-square and df as the same constraint written as a shared label on the semopy path
    constrained = sem.fit("visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\na == b", holzinger)
    shared = sem.fit("visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + x5 + x6", holzinger)
    assert not (constrained.estimates["op"] == "~1").any()
    assert constrained.fit_measures["df"] == shared.fit_measures["df"]
    assert constrained.fit_measures["chisq"] == pytest.approx(shared.fit_measures["chisq"], rel=1e-8)
    a = constrained.estimates.set_index("label").loc["a"]
    assert a["est"] == pytest.approx(shared.parameter("a")["est"], abs=1e-6)
    assert a["se"] == pytest.approx(shared.parameter("a")["se"], rel=1e-5)
