"""Hostile input to chaoyang.sem.fit: named errors at once, never a hang, a raw traceback or silent NaN.

Every call runs under a SIGALRM guard (``_bounded``): a hang (semopy 2.3.11 looped forever in its
starting values on ``NA*`` factors) fails the test with "hang" instead of stalling the suite.
"""

from __future__ import annotations

import signal
import time
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaoyang import sem
from chaoyang.errors import ChaoyangError

SECONDS = 20  # far above any fit below (< 1 s each); only a hang reaches it


@contextmanager
def _bounded(seconds: int = SECONDS):
    def handler(signum, frame):
        raise TimeoutError(f"hang: sem.fit did not return within {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _items(n: int = 300, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f, g = rng.normal(size=n), rng.normal(size=n)
    cols = {f"COH{i}": lam * f + np.sqrt(1 - lam**2) * rng.normal(size=n) for i, lam in zip((1, 2, 3), (.8, .7, .6))}
    cols |= {f"BEL{i}": 0.5 * g + 0.3 * f + 0.7 * rng.normal(size=n) for i in (1, 2, 3)}
    return pd.DataFrame(cols)


DATA = _items()


def _fit(model, data=DATA, **kwargs):
    with _bounded(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sem.fit(model, data, **kwargs)
    result.caught = [str(w.message) for w in caught]
    return result


def _assert_no_silent_nan(result) -> None:
    est = result.estimates
    assert np.isfinite(est["est"].to_numpy(float)).all()
    free = est.loc[est["se"] > 0, ["se", "z", "pvalue", "ci.lower", "ci.upper"]]
    assert np.isfinite(free.to_numpy(float)).all()
    undefined = est.loc[~np.isfinite(est["std.all"].to_numpy(float))]
    for row in undefined.itertuples():  # lavaan's NA std.all: allowed only with a warning naming the row
        assert any("std.all is undefined" in m and f"{row.lhs} {row.op} {row.rhs}" in m for m in result.caught), row


# ----------------------------------------------------------------------------- factor scaling
def test_na_first_loading_with_unit_variance_fits_at_once():
    start = time.perf_counter()
    res = _fit("f =~ NA*COH1 + COH2 + COH3\nf ~~ 1*f")
    assert time.perf_counter() - start < SECONDS
    est = res.estimates.set_index(["lhs", "op", "rhs"])
    assert est.loc[("f", "~~", "f"), "est"] == 1.0 and est.loc[("f", "~~", "f"), "se"] == 0.0
    assert est.loc[("f", "=~", "COH1"), "se"] > 0  # the first loading is free
    # the unit-variance loading equals the marker-scaled loading times the factor SD
    marker = _fit("f =~ COH1 + COH2 + COH3").estimates.set_index(["lhs", "op", "rhs"])["est"]
    sd = np.sqrt(marker[("f", "~~", "f")])
    assert est.loc[("f", "=~", "COH2"), "est"] == pytest.approx(marker[("f", "=~", "COH2")] * sd, rel=1e-6)
    assert res.fit_measures["df"] == 0 and res.fit_measures["npar"] == 6
    _assert_no_silent_nan(res)


def test_std_lv_equals_na_with_unit_variance():
    a = _fit("f =~ NA*COH1 + COH2 + COH3\ng =~ NA*BEL1 + BEL2 + BEL3\nf ~~ 1*f\ng ~~ 1*g")
    b = _fit("f =~ COH1 + COH2 + COH3\ng =~ BEL1 + BEL2 + BEL3", std_lv=True)
    ea, eb = (r.estimates.set_index(["lhs", "op", "rhs"])["est"] for r in (a, b))
    assert set(ea.index) == set(eb.index)
    np.testing.assert_allclose(ea, eb.loc[ea.index], atol=1e-7)
    assert a.fit_measures["chisq"] == pytest.approx(b.fit_measures["chisq"], abs=1e-8)


def test_std_lv_fixes_the_residual_variance_of_an_endogenous_factor():
    res = _fit("f =~ COH1 + COH2 + COH3\ng =~ BEL1 + BEL2 + BEL3\ng ~ f", std_lv=True)
    est = res.estimates.set_index(["lhs", "op", "rhs"])
    assert est.loc[("g", "~~", "g"), "est"] == 1.0 and est.loc[("g", "~~", "g"), "se"] == 0.0
    assert est.loc[("g", "=~", "BEL1"), "se"] > 0


@pytest.mark.parametrize("model", [
    "f =~ NA*COH1 + COH2 + COH3",                       # all loadings free, variance free
    "f =~ NA*COH1",                                     # one indicator, free loading and variance
    "f =~ 0*COH1 + COH2 + COH3",                        # a loading fixed at 0 sets no scale
    "f =~ NA*COH1 + COH2 + COH3\nf ~~ 0*f",             # nor does a variance fixed at 0
    "f =~ COH1 + COH2 + COH3\ng =~ NA*f",               # second-order factor without a scale
])
def test_factor_without_a_scale_is_refused_before_semopy_runs(model, monkeypatch):
    import semopy

    def never(*args, **kwargs):
        raise AssertionError("semopy.Model must not be built for an unscaled factor")

    monkeypatch.setattr(semopy, "Model", never)
    with pytest.raises(sem.SEMIdentificationError, match="no scale") as info:
        _fit(model)
    assert "std_lv=True" in str(info.value)


@pytest.mark.parametrize("model, error", [
    ("f =~ COH1", sem.SEMIdentificationError),                         # df < 0
    ("f =~ COH1 + COH2", sem.SEMIdentificationError),
    ("f =~ COH1 + COH2 + COH3\ng =~ f", sem.SEMIdentificationError),
    ("f =~ COH1 + COH2 + COH3\ng =~ BEL1 + BEL2 + BEL3\ng ~ f\nf ~ g", sem.SEMIdentificationError),
    ("COH1 ~ COH2\nCOH1 ~~ 0*COH1", sem.SEMConvergenceError),           # singular implied covariance
    ("COH1 ~~ COH2", sem.SEMSyntaxError),                              # semopy cannot build it
    ("f =~ COH1 + 1e300*COH2 + COH3", sem.SEMSyntaxError),
    ("f =~ COH1 + nan*COH2 + COH3", sem.SEMSyntaxError),
    ("f =~ COH1 + inf*COH2 + COH3", sem.SEMSyntaxError),
])
def test_other_unidentified_or_degenerate_models_get_named_errors(model, error):
    with pytest.raises(error):
        _fit(model)


# ----------------------------------------------------------------------------- defined parameters
@pytest.mark.parametrize("expression", ["a/0", "a/(b-b)", "(-1)^0.5*a", "10^1000*a", "a^-1000"])
def test_defined_parameter_without_finite_value_is_a_named_error(expression):
    # lavaan 0.6-14 prints Inf (se NA) for a/(b-b) without a message; we refuse instead of returning it
    with pytest.raises(sem.SEMDefinedError, match="no finite value") as info:
        _fit(f"COH2 ~ a*COH1\nCOH3 ~ b*COH1\nd := {expression}")
    assert isinstance(info.value, ArithmeticError) and "'d'" in str(info.value)


# ----------------------------------------------------------------------------- names and frames
def test_latent_named_like_a_data_column_is_refused_as_in_lavaan():
    data = DATA.assign(f=np.arange(len(DATA), dtype=float))
    before = data.copy()
    with pytest.raises(sem.SEMColumnError, match="'f' has the name of a data column"):
        _fit("f =~ COH1 + COH2 + COH3", data)
    pd.testing.assert_frame_equal(data, before)


def test_duplicated_column_names_are_a_named_error():
    data = pd.concat([DATA, DATA[["COH2"]]], axis=1)
    with pytest.raises(sem.SEMDataError, match="2 columns named 'COH2'"):
        _fit("f =~ COH1 + COH2 + COH3", data)
    # a duplicated column the model does not use is harmless
    other = pd.concat([DATA, DATA[["BEL1"]]], axis=1)
    _assert_no_silent_nan(_fit("f =~ COH1 + COH2 + COH3", other))


def test_multiindex_columns_are_a_named_error():
    data = DATA.set_axis(pd.MultiIndex.from_tuples([(c, "a") for c in DATA.columns]), axis=1)
    with pytest.raises(sem.SEMTypeError, match="MultiIndex"):
        _fit("f =~ COH1 + COH2 + COH3", data)


@pytest.mark.parametrize("model", ["f*g =~ COH1 + COH2 + COH3", "f =~ COH1 + COH-2 + COH3", "y~x =~ COH1",
                                   "f =~ COH1 + COH2 + (COH3)", "f =~ COH1 + COH2 + COH3\nd := f^"])
def test_names_with_operators_are_refused(model):
    with pytest.raises(sem.SEMSyntaxError):
        _fit(model)


@pytest.mark.parametrize("seed", [1.0, 1.5, "1", True, False, -3, np.float64(2.0)])
def test_seeds_must_be_none_or_whole_numbers(seed):
    from chaoyang.errors import SeedError

    with pytest.raises(SeedError):
        _fit("COH2 ~ a*COH1\nCOH3 ~ b*COH2\nab := a*b", n_boot=200, seed=seed)


# ----------------------------------------------------------------------------- hypothesis suites
TOKENS = ["f", "g", "COH1", "COH2", "COH3", "BEL1", "BEL2", "x", "a", "b", "NA", "1", "0", "0.5", "-1", "1e9",
          "nan", "=~", "~", "~~", ":=", "+", "*", "/", "^", "(", ")", "|", "==", "<", "\n", ";", "#", " ", "1*",
          "a*", "NA*", "c(1,2)*", "start(1)*", "f ~~ 1*f", "f =~ NA*COH1", "ab := a*b", "é", "\t", "'"]


def _check_outcome(model, data) -> None:
    try:
        result = _fit(model, data)
    except ChaoyangError:
        return
    _assert_no_silent_nan(result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), min_size=0, max_size=14).map("".join))
def test_random_syntax_fragments_raise_named_errors_or_fit(model):
    before = DATA.copy()
    _check_outcome(model, DATA)
    pd.testing.assert_frame_equal(DATA, before)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["f =~ COH1 + COH2 + COH3", "f =~ NA*COH1 + COH2 + COH3", "f ~~ 1*f",
                                 "g =~ BEL1 + BEL2 + BEL3", "g ~ b*f", "COH1 ~~ COH2", "BEL3 ~ f",
                                 "g ~~ 1*g", "f ~ g", "d := b/2", "e := b^2", "f ~~ g", "COH1 ~~ 0*COH1",
                                 "g =~ NA*BEL1 + BEL2 + BEL3", "BEL1 ~ COH1"]),
                min_size=1, max_size=5, unique=True).map("\n".join), st.booleans())
def test_random_line_combinations_never_hang(model, std_lv):
    # found by this test: 'COH1 ~~ 0*COH1' with 'COH1 ~~ COH2' makes the residual correlation undefined
    try:
        result = _fit(model, DATA, std_lv=std_lv)
    except ChaoyangError:
        return
    _assert_no_silent_nan(result)


def _column(kind: str, n: int, rng) -> pd.Series:
    base = rng.normal(size=n)
    return {
        "float": pd.Series(base),
        "int": pd.Series(rng.integers(1, 6, size=n)),
        "bool": pd.Series(base > 0),
        "text": pd.Series(base.astype(str)),
        "likert_text": pd.Series(rng.choice(["agree", "neutral", "disagree"], size=n)),
        "nan": pd.Series(np.full(n, np.nan)),
        "some_nan": pd.Series(np.where(rng.random(n) < 0.3, np.nan, base)),
        "inf": pd.Series(np.where(rng.random(n) < 0.1, np.inf, base)),
        "constant": pd.Series(np.full(n, 3.0)),
        "huge": pd.Series(base * 1e200),
        "tiny": pd.Series(base * 1e-200),
        "nullable": pd.Series(base).astype("Float64"),
        "category": pd.Series(base).astype("category"),
        "object_numbers": pd.Series(base, dtype=object),
        "datetime": pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(np.arange(n), "D")),
    }[kind]


KINDS = ["float", "int", "bool", "text", "likert_text", "nan", "some_nan", "inf", "constant", "huge", "tiny",
         "nullable", "category", "object_numbers", "datetime"]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=3, max_size=3), n=st.sampled_from([0, 1, 3, 5, 40, 200]),
       duplicate=st.booleans(), seed=st.integers(0, 2**16))
def test_bad_frames_raise_named_errors_and_are_not_modified(kinds, n, duplicate, seed):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({f"COH{i}": _column(kind, n, rng) for i, kind in zip((1, 2, 3), kinds)})
    if duplicate:
        data = pd.concat([data, data[["COH2"]]], axis=1)
    before = data.copy()
    _check_outcome("f =~ COH1 + COH2 + COH3", data)
    pd.testing.assert_frame_equal(data, before)


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.none(), st.integers(-5, 10**6), st.floats(allow_nan=True), st.text(max_size=5), st.booleans()),
       st.one_of(st.integers(-5, 60), st.floats(allow_nan=True), st.booleans(), st.text(max_size=3)),
       st.one_of(st.floats(allow_nan=True), st.integers(-2, 2), st.booleans()))
def test_bad_options_raise_named_errors(seed, n_boot, level):
    try:
        _fit("COH2 ~ a*COH1\nCOH3 ~ b*COH2\nab := a*b", DATA.iloc[:80], seed=seed, n_boot=n_boot, level=level)
    except ChaoyangError:
        pass


# ----------------------------------------------------------------------------- the other entry points
ANY = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**7), st.floats(allow_nan=True, allow_infinity=True),
                st.text(max_size=4), st.lists(st.integers(), max_size=2))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["pathway", "n", "n_reps", "n_boot", "seed", "source", "level", "labels"]), ANY)
def test_run_lab_bad_arguments_raise_named_errors_quickly(name, value):
    from chaoyang.sem import lab

    args = {"pathway": "party", "n": 60, "n_reps": 2, "n_boot": 20, "seed": 0, "labels": ["ind1"], name: value}
    largest = {"n": 100, "n_reps": 3, "n_boot": 40}
    if name in largest and isinstance(value, int) and not isinstance(value, bool) and value > largest[name]:
        return  # a valid (larger) run, not hostile input; its cost is the caller's choice
    start = time.perf_counter()
    try:
        with _bounded(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = lab.run_lab(**args)
    except ChaoyangError:
        assert time.perf_counter() - start < 5  # refused before any replication runs
        return
    assert np.isfinite(result.effects["mean_est"]).all()


@pytest.fixture(scope="module")
def mediation_result():
    df = sem.simulate_parallel_mediation(n=200, a=(0.5, 0.4), b=(0.4, 0.2), latent=False, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem.fit(sem.parallel_mediation_syntax("X", ["M1", "M2"], "Y"), df, n_boot=40, seed=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=ANY, interval=st.one_of(st.sampled_from(["percentile", "bc"]), ANY),
       mediators=st.one_of(st.just(["M1", "M2"]), st.lists(st.sampled_from(["M1", "M2", "M3", "X"]), max_size=3)))
def test_mediation_report_bad_arguments_raise_named_errors(mediation_result, level, interval, mediators):
    try:
        report = sem.mediation_report(mediation_result, "X", mediators, "Y", level=level, interval=interval)
    except ChaoyangError:
        return
    numbers = report.effects[["est", "se", "ci.lower", "ci.upper"]].to_numpy(float)
    assert np.isfinite(numbers).all()


@settings(max_examples=40, deadline=None)
@given(n=ANY, loading=ANY, seed=ANY)
def test_simulate_bad_arguments_raise_named_errors(n, loading, seed):
    if isinstance(n, int) and not isinstance(n, bool) and n > 100_000:
        return
    try:
        data = sem.simulate_parallel_mediation(n=n, loading=loading, seed=seed)
    except ChaoyangError:
        return
    assert np.isfinite(data.to_numpy()).all()


@pytest.mark.parametrize("result", [None, "res", pd.DataFrame({"est": [1.0]}), 3])
def test_report_and_diagram_need_a_fit_result(result):
    from chaoyang.plots.sem_diagram import path_diagram

    with pytest.raises(sem.SEMTypeError, match="chaoyang.sem.fit"):
        sem.mediation_report(result, "X", ["M1"], "Y")
    with pytest.raises(sem.SEMTypeError, match="chaoyang.sem.fit"):
        path_diagram(result)
