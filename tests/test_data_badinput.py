"""Property-based bad input for chaoyang.data: load() on hostile files, composite scores on hostile frames.

Every hostile input must raise a ``ChaoyangError`` quickly (or, where documented, load as valid
data), never hang, never leave the caller's DataFrame changed.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaoyang.data import DATASETS, composite_scores, load, scored_items
from chaoyang.errors import ChaoyangError
from conftest import ROOT

DATASETS_DIR = ROOT / "datasets"
FAST = settings(derandomize=True, max_examples=30, deadline=5000,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SURVEY = (DATASETS_DIR / "survey.csv").read_bytes()
ITEMS = (DATASETS_DIR / "items.csv").read_bytes()


@pytest.fixture(scope="module")
def kit_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kit") / "datasets"
    shutil.copytree(DATASETS_DIR, folder)
    return folder


def _with_file(monkeypatch, folder, filename, data: bytes):
    (folder / filename).write_bytes(data)
    monkeypatch.setenv("CHAOYANG_DATA", str(folder))


@FAST
@given(cut=st.integers(0, len(SURVEY) - 1))
def test_a_survey_cut_anywhere_never_loads_as_the_kits_survey(monkeypatch, kit_copy, cut):
    _with_file(monkeypatch, kit_copy, "survey.csv", SURVEY[:cut])
    try:
        with pytest.raises(ChaoyangError, match="survey.csv"):
            load("survey")
    finally:
        (kit_copy / "survey.csv").write_bytes(SURVEY)


@FAST
@given(data=st.one_of(st.binary(max_size=400),
                      st.text(alphabet=st.sampled_from(list(",\n\"'\r;ab1 5-\u00e9\u540c")), max_size=300).map(
                          lambda t: t.encode("utf-8")),
                      st.integers(0, len(ITEMS)).map(lambda n: ITEMS[:n] + b",,,\n")))
def test_hostile_bytes_in_a_dataset_file_raise_a_named_error(monkeypatch, kit_copy, data):
    _with_file(monkeypatch, kit_copy, "items.csv", data)
    try:
        with pytest.raises(ChaoyangError, match="items.csv"):
            load("items")
    finally:
        (kit_copy / "items.csv").write_bytes(ITEMS)


@FAST
@given(name=st.one_of(st.text(max_size=12), st.none(), st.integers(), st.lists(st.sampled_from(list(DATASETS)),
                                                                                 max_size=2),
                      st.binary(max_size=5)))
def test_any_name_that_is_not_a_dataset_raises_a_named_key_error(name):
    if isinstance(name, str) and name in DATASETS:
        return
    with pytest.raises(ChaoyangError) as caught:
        load(name)
    assert isinstance(caught.value, KeyError) and "available datasets" in str(caught.value)


@FAST
@given(value=st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                           max_size=2)))
def test_json_holding_any_wrong_value_raises_a_named_error(monkeypatch, kit_copy, value):
    import json

    original = (DATASETS_DIR / "codebook.json").read_bytes()
    _with_file(monkeypatch, kit_copy, "codebook.json", json.dumps(value).encode())
    try:
        with pytest.raises(ChaoyangError, match="codebook.json"):
            load("codebook")
    finally:
        (kit_copy / "codebook.json").write_bytes(original)


item_values = st.one_of(st.integers(-5, 12), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                        st.sampled_from(["agree", "", "3"]))


@FAST
@given(rows=st.lists(st.tuples(item_values, item_values, item_values, item_values), max_size=6),
       duplicate=st.booleans(), min_items=st.one_of(st.integers(-1, 5), st.floats(), st.none()))
def test_composite_scores_refuse_or_score_without_touching_the_input(rows, duplicate, min_items):
    frame = pd.DataFrame(rows, columns=["BEL1", "BEL2", "BEL3", "BEL4"])
    if duplicate:
        frame = pd.concat([frame, frame[["BEL2"]]], axis=1)
    before = frame.copy()
    try:
        scores = composite_scores(frame, ["BEL"], min_items=min_items)
    except ChaoyangError:
        pass
    else:
        values = scores["BEL"].dropna().astype(float)
        assert values.between(1, 5).all() or values.empty
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("bad", [None, [[1, 2]], "survey", np.ones((2, 2))])
def test_scored_items_and_composite_scores_refuse_non_frames(bad):
    for call in (lambda: scored_items(bad), lambda: composite_scores(bad)):
        with pytest.raises(ChaoyangError, match="DataFrame"):
            call()
