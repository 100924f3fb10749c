"""Property-based bad input for chaoyang.qca: calibrate, truth_table, minimize, necessity.

Hostile input must raise a ``ChaoyangError`` (each is also the built-in it is) quickly, or give a
result whose numbers are finite and in range - never a raw numpy/pandas traceback, never NaN
silently, never a changed caller DataFrame.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaoyang.errors import ChaoyangError
from chaoyang.qca import QCAWarning, calibrate, calibrate_percentiles, minimize, necessity, truth_table

FAST = settings(derandomize=True, max_examples=40, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10), st.booleans(),
                    st.none(), st.text(max_size=2))
memberships = st.one_of(st.floats(0, 1), st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.5, 0, 1]),
                        st.none(), st.sampled_from(["0.7", "x"]))
names = st.sampled_from(["A", "B", "C", "Y", "A*B", "~A", "A B", "(C)", "", "B+C", "A"])


@FAST
@given(x=st.one_of(st.lists(numbers, max_size=8), st.none(), st.text(max_size=3)),
       anchors=st.tuples(numbers, numbers, numbers), idm=numbers)
def test_calibrate_refuses_or_returns_memberships(x, anchors, idm):
    try:
        out = calibrate(x, *anchors, idm=idm)
    except ChaoyangError:
        return
    out = np.asarray(out, dtype=float)
    assert np.isfinite(out).all() and ((out >= 0) & (out <= 1)).all()


@FAST
@given(x=st.one_of(st.lists(numbers, max_size=8), st.none()),
       cuts=st.tuples(numbers, numbers, numbers))
def test_calibrate_percentiles_refuses_or_returns_memberships(x, cuts):
    try:
        out = calibrate_percentiles(x, upper=cuts[0], cross=cuts[1], lower=cuts[2])
    except ChaoyangError:
        return
    out = np.asarray(out, dtype=float)
    assert np.isfinite(out).all() and ((out >= 0) & (out <= 1)).all()


@st.composite
def hostile_frames(draw):
    n = draw(st.integers(0, 7))
    columns = draw(st.lists(names, min_size=1, max_size=5))
    return pd.DataFrame({i: [draw(memberships) for _ in range(n)] for i in range(len(columns))}).set_axis(
        columns, axis=1)


@FAST
@given(frame=hostile_frames(), outcome=names, conditions=st.one_of(st.lists(names, max_size=4), names, st.none()),
       incl_cut=st.one_of(st.floats(allow_nan=True), st.tuples(st.floats(0, 1), st.floats(0, 1)), st.none()),
       n_cut=st.one_of(st.integers(-1, 3), st.floats(), st.booleans()), pri_cut=numbers,
       max_models=st.one_of(st.integers(-1, 3), st.floats(), st.none()),
       dir_exp=st.one_of(st.none(), st.text(max_size=6), st.dictionaries(names, st.integers(-1, 2), max_size=2)))
def test_truth_table_minimize_and_necessity_refuse_or_answer_finitely(frame, outcome, conditions, incl_cut, n_cut,
                                                                       pri_cut, max_models, dir_exp):
    before = frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QCAWarning)
        try:
            tt = truth_table(frame, outcome, conditions, incl_cut=incl_cut, n_cut=n_cut,
                             pri_cut=0.0 if isinstance(pri_cut, str) and pri_cut == "" else pri_cut)
        except ChaoyangError:
            tt = None
        if tt is not None:
            assert np.isfinite(tt.table["n"]).all()
            for include, knobs in (("", {}), ("?", {}), ("?", {"max_models": max_models, "dir_exp": dir_exp})):
                try:
                    solution = minimize(tt, include=include, **knobs)
                except ChaoyangError:
                    continue
                for model in solution.models:
                    assert all(np.isfinite(v) and 0 <= v <= 1 for v in model.fit.values())
        try:
            table = necessity(frame, outcome, conditions)
        except ChaoyangError:
            pass
        else:
            # inclN and RoN are defined once the outcome has some membership; covN is NaN only for a
            # condition (or negation) absent from every case, which warns (QCAWarning, constant)
            assert np.isfinite(table[["inclN", "RoN"]].to_numpy(dtype=float)).all()
    pd.testing.assert_frame_equal(frame, before)


VALID = pd.DataFrame({"A": [0.9, 0.8, 0.2, 0.1, 0.7, 0.3], "B": [0.8, 0.3, 0.9, 0.2, 0.6, 0.1],
                      "Y": [0.9, 0.7, 0.3, 0.1, 0.8, 0.2]})


@FAST
@given(incl_cut=st.one_of(numbers, st.tuples(numbers, numbers)), n_cut=numbers, pri_cut=numbers,
       include=st.one_of(st.sampled_from(["", "?", "1", "x"]), st.none(), st.integers()),
       max_models=numbers, node_budget=numbers,
       dir_exp=st.one_of(st.none(), st.text(max_size=6), st.sampled_from(["A, B", "~A", "A*B", "A, C"]),
                         st.dictionaries(st.sampled_from(["A", "B", "C"]), numbers, max_size=2)))
def test_knobs_on_valid_data_are_refused_or_give_a_finite_solution(incl_cut, n_cut, pri_cut, include, max_models,
                                                                   node_budget, dir_exp):
    before = VALID.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QCAWarning)
        try:
            tt = truth_table(VALID, "Y", ["A", "B"], incl_cut=incl_cut, n_cut=n_cut, pri_cut=pri_cut)
            solution = minimize(tt, include=include, dir_exp=dir_exp, max_models=max_models,
                                node_budget=node_budget)
        except ChaoyangError:
            return
    for model in solution.models:
        assert all(np.isfinite(v) and 0 <= v <= 1 for v in model.fit.values())
    pd.testing.assert_frame_equal(VALID, before)
