"""chaoyang.sem: syntax, closed forms, delta method, missing data and bad input."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chaoyang import sem
from chaoyang.errors import ArgumentError, ChaoyangDeprecationWarning, ChaoyangError, ChaoyangWarning, SeedError
from chaoyang.sem.engine import SemopyEngine, FitOutcome
from chaoyang.sem.syntax import parse_model

FIXTURES = Path(__file__).parent / "fixtures" / "lavaan"
MEDIATION = "M ~ a*X\nY ~ b*M + c*X\nind := a*b"


@pytest.fixture(scope="module")
def observed_data():
    rng = np.random.default_rng(42)
    n = 400
    x = rng.normal(size=n)
    m = 0.5 * x + rng.normal(size=n)
    y = 0.3 * m + 0.2 * x + rng.normal(size=n)
    return pd.DataFrame({"X": x, "M": m, "Y": y})


@pytest.fixture(scope="module")
def holzinger():
    return pd.read_csv(FIXTURES / "HolzingerSwineford1939.csv")


def _ml_regression(data, y, xs):
    """OLS coefficients with ML (divisor N) standard errors, written out from the normal equations."""
    n = len(data)
    z = data[xs + [y]].to_numpy()
    s = np.cov(z, rowvar=False, bias=True)
    sxx, sxy = s[:-1, :-1], s[:-1, -1]
    beta = np.linalg.solve(sxx, sxy)
    resid_var = s[-1, -1] - beta @ sxy
    se = np.sqrt(np.diag(resid_var * np.linalg.inv(sxx) / n))
    return beta, se, resid_var


# ------------------------------------------------------------------ syntax
def test_parse_labels_fixed_values_and_continuations():
    m = parse_model("""
        f =~ NA*x1 + l2*x2 +
             0.5*x3   # comment
        y1 + y2 ~ b*f; f ~~ 1*f
        d := (l2 - 1) / 2
    """)
    got = [(p.lhs, p.op, p.rhs, p.label, p.fixed, p.force_free) for p in m.parameters]
    assert got == [
        ("f", "=~", "x1", "", None, True), ("f", "=~", "x2", "l2", None, False),
        ("f", "=~", "x3", "", 0.5, False), ("y1", "~", "f", "b", None, False),
        ("y2", "~", "f", "b", None, False), ("f", "~~", "f", "", 1.0, False),
    ]
    assert m.defined[0].evaluate({"l2": 3.0}) == 1.0


@pytest.mark.parametrize("text,fragment", [
    ("y ~ start(1)*x", "start"),
    ("u | t1", "threshold"),
    ("y ~ a*x\nd := a*bb", "'bb'"),
    ("y ~ a*x\na == b", "'b', which is not a label"),
    ("y ~ a*x\na == ", "both sides"),
    ("y ~ c(a, )*x", "Empty entry"),
    ("y x", "No lavaan operator"),
    ("y ~ x\ny ~ x", "written twice"),
])
def test_syntax_errors_are_clear(text, fragment):
    with pytest.raises(sem.SEMSyntaxError, match=fragment):
        parse_model(text)


def test_defined_parameter_suggests_close_label():
    with pytest.raises(sem.SEMSyntaxError, match="Did you mean 'a1'"):
        parse_model("y ~ a1*x\nd := a2*2")


def test_defined_expression_rejects_code():
    with pytest.raises(sem.SEMSyntaxError, match="not allowed"):
        parse_model("y ~ a*x\nd := a.__class__")


# ------------------------------------------------------------------ closed forms
def test_observed_path_model_matches_ml_regression(observed_data):
    res = sem.fit(MEDIATION, observed_data)
    (a,), (se_a,), var_m = _ml_regression(observed_data, "M", ["X"])
    (b, c), (se_b, se_c), var_y = _ml_regression(observed_data, "Y", ["M", "X"])
    est = res.estimates.set_index("label")
    assert est.loc["a", "est"] == pytest.approx(a, abs=1e-7)
    assert est.loc["b", "est"] == pytest.approx(b, abs=1e-7)
    assert est.loc["c", "est"] == pytest.approx(c, abs=1e-7)
    assert est.loc["a", "se"] == pytest.approx(se_a, rel=1e-6)
    assert est.loc["b", "se"] == pytest.approx(se_b, rel=1e-6)
    assert est.loc["c", "se"] == pytest.approx(se_c, rel=1e-6)
    residuals = res.estimates.loc[(res.estimates["op"] == "~~") & (res.estimates["lhs"] == res.estimates["rhs"])]
    assert residuals.set_index("lhs").loc["M", "est"] == pytest.approx(var_m, rel=1e-6)
    # lavaan's fixed.x: X's variance is not a parameter; saturated model
    assert res.fit_measures["npar"] == 5
    assert res.fit_measures["df"] == 0
    assert res.fit_measures["chisq"] == pytest.approx(0.0, abs=1e-8)
    assert res.fit_measures["cfi"] == 1.0


def test_delta_method_equals_sobel(observed_data):
    res = sem.fit(MEDIATION, observed_data)
    (a,), (se_a,), _ = _ml_regression(observed_data, "M", ["X"])
    (b, _c), (se_b, _), _ = _ml_regression(observed_data, "Y", ["M", "X"])
    sobel = np.sqrt(b**2 * se_a**2 + a**2 * se_b**2)
    ind = res.parameter("ind")
    assert ind["op"] == ":="
    assert ind["est"] == pytest.approx(a * b, rel=1e-7)
    assert ind["se"] == pytest.approx(sobel, rel=1e-6)
    # cov(a, b) = 0 in this model, which is what makes Sobel exact here
    assert abs(res.vcov.loc["a", "b"]) < 1e-12


def test_delta_method_linear_combination_uses_full_covariance(observed_data):
    res = sem.fit("M ~ a*X\nY ~ b*M + c*X\nlin := 2*a - (b + c)/2\nratio := a*b/(a*b + c)", observed_data)
    g = np.array([2.0, -0.5, -0.5])
    v = res.vcov.loc[["a", "b", "c"], ["a", "b", "c"]].to_numpy()
    assert res.parameter("lin")["se"] == pytest.approx(np.sqrt(g @ v @ g), rel=1e-6)
    a, b, c = (res.parameter(k)["est"] for k in "abc")
    assert res.parameter("ratio")["est"] == pytest.approx(a * b / (a * b + c), rel=1e-10)
    # analytic gradient of ab/(ab + c)
    den = (a * b + c) ** 2
    g2 = np.array([b * c / den, a * c / den, -a * b / den])
    assert res.parameter("ratio")["se"] == pytest.approx(np.sqrt(g2 @ v @ g2), rel=1e-5)


def test_std_all_of_defined_parameter_is_product_of_std_paths(observed_data):
    res = sem.fit(MEDIATION, observed_data)
    est = res.estimates.set_index("label")
    assert est.loc["ind", "std.all"] == pytest.approx(est.loc["a", "std.all"] * est.loc["b", "std.all"], rel=1e-10)
    corr = observed_data.corr()
    assert est.loc["a", "std.all"] == pytest.approx(corr.loc["X", "M"], abs=1e-8)


# ------------------------------------------------------------------ missing data
def test_listwise_deletion_reports_dropped_cases(observed_data):
    data = observed_data.copy()
    data.loc[[3, 10, 20], "M"] = np.nan
    data.loc[[10, 50], "Y"] = np.nan
    before = data.copy()
    with pytest.warns(sem.SEMWarning, match="dropped 4 of 400"):
        res = sem.fit(MEDIATION, data)
    assert res.n_dropped == 4 and res.n == 396
    pd.testing.assert_frame_equal(data, before)
    clean = sem.fit(MEDIATION, data.dropna().reset_index(drop=True))
    np.testing.assert_allclose(res.estimates["est"], clean.estimates["est"], rtol=1e-9)


def test_intercepts_groups_and_constraints_are_read():
    m = parse_model("y ~ c(a1, a2)*x + 1\nz ~ 0*1\na1 == a2\na1 > 0")
    assert [(p.lhs, p.op, p.rhs) for p in m.parameters] == [("y", "~", "x"), ("y", "~1", ""), ("z", "~1", "")]
    assert m.parameters[0].group_mods == (("a1", None, False), ("a2", None, False))
    assert m.parameters[2].fixed == 0.0
    assert m.constraints == [("a1", "==", "a2"), ("a1", ">", "0")]
    assert m.extended


@pytest.mark.parametrize("option", ["ml.x", "pairwise"])
def test_unknown_missing_options_are_refused_with_reason(observed_data, option):
    with pytest.raises(sem.SEMDataError, match="missing="):
        sem.fit(MEDIATION, observed_data, missing=option)


# ------------------------------------------------------------------ bad input
def test_misspelt_column_suggests_close_name(holzinger):
    with pytest.raises(sem.SEMColumnError, match="'x10'.*Did you mean") as info:
        sem.fit("visual =~ x1 + x2 + x10", holzinger)
    assert isinstance(info.value, KeyError)


def test_non_numeric_indicator(holzinger):
    with pytest.raises(sem.SEMTypeError, match="'school' is not numeric") as info:
        sem.fit("visual =~ x1 + x2 + school", holzinger)
    assert isinstance(info.value, TypeError)


def test_constant_indicator(holzinger):
    data = holzinger.assign(x3=2.0)
    with pytest.raises(sem.SEMDataError, match="'x3' is constant"):
        sem.fit("visual =~ x1 + x2 + x3", data)


def test_linearly_dependent_columns(observed_data):
    data = observed_data.assign(S=observed_data["X"] + observed_data["M"])
    with pytest.raises(sem.SEMDataError, match="linearly dependent"):
        sem.fit("Y ~ X + M + S", data)


def test_too_few_cases(holzinger):
    model = (FIXTURES / "holzinger_cfa.lav").read_text()
    with pytest.raises(sem.SEMDataError, match="Only 8 complete cases for 9 observed"):
        sem.fit(model, holzinger.head(8))
    with pytest.raises(sem.SEMDataError, match="Only 15 complete cases for 21 free parameters"):
        sem.fit(model, holzinger.head(15))


def test_negative_degrees_of_freedom(holzinger):
    with pytest.raises(sem.SEMIdentificationError, match="df = -1"):
        sem.fit("f =~ x1 + x2", holzinger)


def test_singular_information_names_parameters(holzinger):
    model = "f =~ x1 + x2\ng =~ x3 + x4 + x5 + x6\nf ~~ 0*g"
    with pytest.raises(sem.SEMIdentificationError, match="not identified") as info:
        sem.fit(model, holzinger)
    assert "x1" in str(info.value) or "x2" in str(info.value) or "f~~f" in str(info.value)


def test_non_convergence_raises(holzinger, monkeypatch):
    def broken(self, sample_cov, start=None, method="semopy", max_steps=50):
        return FitOutcome(np.array(self.start), 1.0, False, 10)

    monkeypatch.setattr(SemopyEngine, "fit", broken)
    with pytest.raises(sem.SEMConvergenceError, match="did not converge"):
        sem.fit((FIXTURES / "holzinger_cfa.lav").read_text(), holzinger)


@pytest.mark.parametrize("kwargs,error,fragment", [
    ({"n_boot": -5}, ArgumentError, "n_boot"), ({"n_boot": 2}, ArgumentError, "at least 20"),
    ({"n_boot": 19}, ArgumentError, "at least 20"), ({"n_boot": 100.0}, ArgumentError, "n_boot"),
    ({"n_boot": True}, ArgumentError, "n_boot"), ({"level": 1.5}, ArgumentError, "level"),
    ({"level": 0}, ArgumentError, "level"), ({"n_jobs": 0}, ArgumentError, "n_jobs"),
    ({"n_jobs": 1.5}, ArgumentError, "n_jobs"), ({"seed": "abc"}, SeedError, "seed"),
    ({"seed": 1.0}, SeedError, "seed"), ({"seed": True}, SeedError, "bool"), ({"seed": -1}, SeedError, "seed"),
    ({"missing": "pairwise"}, sem.SEMDataError, "listwise"), ({"std_lv": "yes"}, sem.SEMTypeError, "std_lv"),
])
def test_bad_options(observed_data, kwargs, error, fragment):
    with pytest.raises(error, match=fragment) as info:
        sem.fit(MEDIATION, observed_data, **kwargs)
    assert isinstance(info.value, ChaoyangError)


def test_few_bootstrap_draws_warn(observed_data):
    with pytest.warns(ChaoyangWarning, match="n_boot=20 bootstrap draws give unstable"):
        sem.fit(MEDIATION, observed_data, n_boot=20, seed=1)


def test_old_keyword_names_still_work_with_a_deprecation_warning(observed_data):
    with pytest.warns(ChaoyangDeprecationWarning, match="bootstrap"):
        old = sem.fit(MEDIATION, observed_data, bootstrap=200, seed=3, ci=0.9)
    new = sem.fit(MEDIATION, observed_data, n_boot=200, seed=3, level=0.9)
    pd.testing.assert_frame_equal(old.to_frame(), new.to_frame())
    assert old.level == old.ci_level == 0.9
    with pytest.raises(ArgumentError, match="only n_boot"):
        sem.fit(MEDIATION, observed_data, n_boot=200, bootstrap=300)
    with pytest.raises(TypeError, match="draws"):
        sem.fit(MEDIATION, observed_data, draws=200)


def test_result_summary_to_frame_and_html(observed_data):
    res = sem.fit(MEDIATION, observed_data, n_boot=200, seed=2)
    text = res.summary()
    assert text.startswith("ML estimation (lavaan-compatible), N = ") and str(res) == text
    frame = res.to_frame()
    assert list(frame.columns[:11]) == list(res.estimates.columns)
    ind = frame.set_index("label").loc["ind"]
    boot = res.bootstrap.intervals.set_index("label").loc["ind"]
    assert ind["perc.lower"] == boot["perc.lower"] and ind["bc.upper"] == boot["bc.upper"]
    assert frame.loc[frame["label"] != "ind", "perc.lower"].isna().all()
    frame.loc[0, "est"] = 99.0
    assert res.estimates.loc[0, "est"] != 99.0  # to_frame is a copy
    html = res._repr_html_()
    assert "<table" in html and "ML estimation" in html
    assert res.bootstrap.summary().startswith("Nonparametric bootstrap: 200 of 200 draws converged")
    assert "<table" in res.bootstrap._repr_html_()


def test_data_must_be_a_dataframe(observed_data):
    with pytest.raises(sem.SEMTypeError, match="DataFrame"):
        sem.fit(MEDIATION, observed_data.to_numpy())


def test_unknown_label_lookup(observed_data):
    res = sem.fit(MEDIATION, observed_data)
    with pytest.raises(KeyError, match="Did you mean 'ind'"):
        res.parameter("indd")


def test_no_nan_in_free_parameter_rows(holzinger):
    res = sem.fit((FIXTURES / "holzinger_cfa.lav").read_text(), holzinger)
    free = res.estimates.loc[res.estimates["se"] > 0]
    assert np.isfinite(free[["est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.all"]].to_numpy()).all()
    assert np.isfinite(list(res.fit_measures.values())).all()
