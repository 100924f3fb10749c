"""Hostile input to the planted world: every bad value is a named ChaoyangError, at once.

Property-based (hypothesis): any attribute set to a value of the wrong type or out of its range
makes :meth:`World.replace` raise :class:`chaoyang.world.WorldError`, naming the attribute; the
default world is never changed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chaoyang
from chaoyang.world import DEFAULT_WORLD, LATENT_ORDER, PATHWAYS, WorldError, items_of

FAST = settings(max_examples=60, deadline=2000)

#: Scalar attributes and the range each must lie in (as documented in ``_validate_world``).
SCALAR_RANGES = {"driver_correlation": (0, 1), "community_sd": (0, 3), "config_boost": (0, 10),
                 "method_loading": (0, 0.5), "missing_rate": (0, 0.25), "high_cut": (-3, 3),
                 "agreement_shift": (-3, 3)}

junk = st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.lists(st.integers(), max_size=2),
                 st.just(float("nan")), st.just(float("inf")), st.just(-float("inf")))


@FAST
@given(name=st.sampled_from(sorted(SCALAR_RANGES)), value=junk)
def test_scalar_attributes_refuse_values_of_the_wrong_kind(name, value):
    with pytest.raises(WorldError, match=name):
        DEFAULT_WORLD.replace(**{name: value})


@FAST
@given(name=st.sampled_from(sorted(SCALAR_RANGES)), value=st.floats(allow_nan=False, allow_infinity=False))
def test_scalar_attributes_accept_exactly_their_range(name, value):
    low, high = SCALAR_RANGES[name]
    inside = low <= value < high or (name in {"community_sd", "config_boost", "high_cut", "agreement_shift"}
                                     and value == high)
    if inside:
        assert getattr(DEFAULT_WORLD.replace(**{name: value}), name) == value
    else:
        with pytest.raises(WorldError, match=name):
            DEFAULT_WORLD.replace(**{name: value})


@FAST
@given(value=st.one_of(junk, st.floats(min_value=1, max_value=1e6), st.floats(max_value=-1, min_value=-1e6)))
def test_paths_refuse_values_outside_the_open_unit_interval(value):
    before = dict(DEFAULT_WORLD.paths)
    with pytest.raises(WorldError, match="PCR->CLO"):
        DEFAULT_WORLD.replace(paths={**DEFAULT_WORLD.paths, ("PCR", "CLO"): value})
    assert dict(DEFAULT_WORLD.paths) == before


@FAST
@given(seed=st.one_of(st.booleans(), st.floats(), st.text(max_size=3), st.integers(max_value=-1)))
def test_seeds_of_the_wrong_type_are_refused(seed):
    with pytest.raises(WorldError, match="seed"):
        DEFAULT_WORLD.replace(seed=seed)


@pytest.mark.parametrize("changes, match", [
    ({"colour": 3}, "no attribute"),
    ({"streets": ()}, "streets"),
    ({"streets": "Jinsong"}, "streets"),
    ({"configurations": "BEL*CLO"}, "tuple of terms"),
    ({"configurations": ("BEL*XYZ",)}, "not a mediator"),
    ({"paths": [("PCR", "CLO", 0.3)]}, "mapping"),
    ({"likert_cuts": (1, 0, 2, 3)}, "likert_cuts"),
    ({"likert_cuts": "abcd"}, "likert_cuts"),
])
def test_structured_attributes_are_checked(changes, match):
    with pytest.raises(WorldError, match=match):
        DEFAULT_WORLD.replace(**changes)


@FAST
@given(name=st.one_of(st.text(max_size=6), st.integers(), st.none(), st.lists(st.text(max_size=2), max_size=2)))
def test_unknown_pathways_constructs_and_latents_name_the_known_ones(name):
    if isinstance(name, str) and name in PATHWAYS:
        return
    with pytest.raises(chaoyang.ChaoyangError, match="party"):
        DEFAULT_WORLD.pathway_truth(name)
    with pytest.raises(KeyError):  # the old except clause still works
        DEFAULT_WORLD.pathway_truth(name)
    if name not in LATENT_ORDER:
        with pytest.raises(chaoyang.ChaoyangError, match="latent variable"):
            DEFAULT_WORLD.path(name, "WIL")
    if not isinstance(name, str):
        return
    try:
        items_of(name)
    except chaoyang.ChaoyangError as err:
        assert "known constructs" in str(err)


@pytest.mark.parametrize("n, match", [(0, "at least 1"), (2.5, "whole number"), (True, "whole number"),
                                      ("10", "whole number"), (10**12, "at most")])
def test_draw_latent_refuses_bad_sizes_before_allocating(n, match):
    with pytest.raises(chaoyang.ChaoyangError, match=match):
        DEFAULT_WORLD.draw_latent(np.random.default_rng(0), n)


def test_the_default_world_is_valid_and_finite():
    assert all(math.isfinite(v) for v in DEFAULT_WORLD.paths.values())
    assert dict(DEFAULT_WORLD.replace().paths) == dict(DEFAULT_WORLD.paths)
