"""Property tests (hypothesis) of the minimization: covers, primality, coverage bounds, chart solving."""

import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaoyang.qca import QCAWarning, minimize, truth_table
from chaoyang.qca.cover import minimal_covers
from chaoyang.qca.terms import expand

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def crisp_tables(draw):
    """A crisp data set with one case per observed configuration and a 0/1 outcome per row."""
    k = draw(st.integers(min_value=2, max_value=5))
    rows = draw(st.lists(st.integers(0, 2**k - 1), min_size=2, max_size=2**k, unique=True))
    outs = draw(st.lists(st.integers(0, 1), min_size=len(rows), max_size=len(rows)))
    if all(outs) or not any(outs):
        outs[0] = 1 - outs[0]
    if not any(outs):
        outs[-1] = 1
    bits = [[(r >> (k - 1 - j)) & 1 for j in range(k)] for r in rows]
    names = [f"X{j}" for j in range(k)]
    df = pd.DataFrame(bits, columns=names)
    df["Y"] = outs
    return df, names


def _tt(df, names):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QCAWarning)
        return truth_table(df, "Y", names, incl_cut=1.0)


def _covered(model, k):
    out = set()
    for care, value in model.implicants:
        out.update(expand(care, value, k).tolist())
    return out


@SETTINGS
@given(crisp_tables())
def test_complex_models_cover_exactly_the_positive_rows(table):
    df, names = table
    tt = _tt(df, names)
    positives = set(tt.configs(1).tolist())
    if not positives:
        return
    sol = minimize(tt)
    assert sol.models
    for model in sol.models:
        assert _covered(model, tt.k) == positives  # no negative row, no remainder


@SETTINGS
@given(crisp_tables())
def test_parsimonious_terms_are_prime_implicants(table):
    df, names = table
    tt = _tt(df, names)
    positives, negatives = set(tt.configs(1).tolist()), set(tt.configs([0, "C"]).tolist())
    if not positives or not negatives:
        return
    sol = minimize(tt, include="?")
    for model in sol.models:
        assert positives <= _covered(model, tt.k)
        for care, value in model.implicants:
            assert not set(expand(care, value, tt.k).tolist()) & negatives
            rest = care
            while rest:  # dropping any literal must cover a negative row
                b = rest & -rest
                rest ^= b
                assert set(expand(care ^ b, value & ~b, tt.k).tolist()) & negatives


@SETTINGS
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=3, max_value=5))
def test_solution_coverage_never_exceeds_sum_of_term_coverages(seed, k):
    rng = np.random.default_rng(seed)
    names = [f"X{j}" for j in range(k)]
    x = rng.uniform(size=(40, k))
    x[np.isclose(x, 0.5)] = 0.6
    df = pd.DataFrame(x, columns=names)
    df["Y"] = np.clip(np.minimum(x[:, 0], x[:, 1]) + rng.normal(0, 0.2, 40), 0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QCAWarning)
        tt = truth_table(df, "Y", names, incl_cut=0.75)
    if not (tt.table["OUT"] == 1).any() or not (tt.table["OUT"] == 0).any():
        return
    for include in ("", "?"):
        for model in minimize(tt, include=include).models:
            assert model.fit["covS"] <= model.term_fit["covS"].sum() + 1e-12
            assert model.fit["covS"] >= model.term_fit["covS"].max() - 1e-12
            if len(model.terms) > 1:
                assert (model.term_fit["covU"] <= model.term_fit["covS"] + 1e-12).all()


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 7), st.integers(2, 9), st.data())
def test_minimal_covers_equal_brute_force_in_r_order(n_rows, n_primes, data):
    masks = data.draw(st.lists(st.integers(1, 2**n_rows - 1), min_size=n_primes, max_size=n_primes))
    full = 2**n_rows - 1
    union = 0
    for m in masks:
        union |= m
    if union != full:
        with pytest.raises(ValueError):
            minimal_covers(masks, n_rows)
        return
    brute = []
    for size in range(1, len(masks) + 1):
        for combo in combinations(range(len(masks)), size):  # R's find_models order
            acc = 0
            for j in combo:
                acc |= masks[j]
            if acc == full:
                brute.append(combo)
        if brute:
            break
    result = minimal_covers(masks, n_rows, max_models=10_000)
    assert result.covers == brute
    assert result.size == len(brute[0]) and not result.truncated
