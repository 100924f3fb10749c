"""Hostile input to the simulation's public entry points (hypothesis): a named error, at once.

For ``sim.run``, ``sim.replicate``, ``sim.sweep`` and ``MobilizationGame``: any value of the wrong
type or out of range raises a :class:`chaoyang.ChaoyangError` (or ``TypeError`` for an unknown
keyword) before any simulation work, never returns NaN silently, never hangs (each example has a
deadline), and never modifies the caller's objects.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaoyang import sim
from chaoyang.errors import ChaoyangError
from chaoyang.sim.game import MobilizationGame, sweep_game

FAST = settings(max_examples=40, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

junk = st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.floats(allow_nan=True, allow_infinity=True),
                 st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
bad_size = st.one_of(st.integers(max_value=sim.MIN_RESIDENTS - 1), st.integers(min_value=10**12),
                     st.floats(allow_nan=True), st.booleans(), st.text(max_size=3), st.none())
bad_steps = st.one_of(st.integers(max_value=0), st.integers(min_value=sim.MAX_STEPS + 1), st.floats(allow_nan=True),
                      st.booleans(), st.text(max_size=3), st.none())
bad_seed = st.one_of(st.booleans(), st.floats(allow_nan=True), st.text(max_size=3), st.integers(max_value=-1),
                     st.lists(st.integers(), min_size=1, max_size=2))
bad_regime = st.text(max_size=8).filter(lambda r: r not in sim.REGIMES) | st.integers() | st.none()


def _raises_named(call):
    with pytest.raises(ChaoyangError):
        call()


@FAST
@given(n_residents=bad_size)
def test_run_refuses_bad_sizes(n_residents):
    _raises_named(lambda: sim.run(n_residents=n_residents, steps=2, seed=1))


@FAST
@given(steps=bad_steps)
def test_run_refuses_bad_steps(steps):
    _raises_named(lambda: sim.run(n_residents=20, steps=steps, seed=1))


@FAST
@given(seed=bad_seed)
def test_run_refuses_bad_seeds(seed):
    _raises_named(lambda: sim.run(n_residents=20, steps=2, seed=seed))


@FAST
@given(regime=bad_regime)
def test_run_refuses_unknown_regimes(regime):
    _raises_named(lambda: sim.run(regime, n_residents=20, steps=2, seed=1))


float_parameters = sorted(name for name, p in sim.PARAMETERS.items() if p.kind == "float")


@FAST
@given(name=st.sampled_from(float_parameters),
       value=st.one_of(st.just(math.nan), st.just(math.inf), st.just(-math.inf), st.floats(min_value=1e8),
                       st.floats(max_value=-1e-9, allow_infinity=False, allow_nan=False) , junk))
def test_run_refuses_bad_parameter_values(name, value):
    param = sim.PARAMETERS[name]
    if isinstance(value, float) and math.isfinite(value) and param.low <= value <= param.high:
        return  # in range after all (e.g. a shift of -1e-9): nothing to refuse
    _raises_named(lambda: sim.run(n_residents=20, steps=2, seed=1, **{name: value}))


@FAST
@given(n_reps=st.one_of(st.integers(max_value=0), st.floats(allow_nan=True), st.booleans(), st.text(max_size=2)),
       level=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), st.just(math.nan), st.booleans()))
def test_replicate_refuses_bad_counts_and_levels(n_reps, level):
    _raises_named(lambda: sim.replicate(n_reps=n_reps, n_residents=20, steps=2, seed=1))
    _raises_named(lambda: sim.replicate(n_reps=2, n_residents=20, steps=2, seed=1, level=level))


@FAST
@given(n_jobs=st.one_of(st.just(0), st.integers(max_value=-2), st.floats(), st.booleans(), st.text(max_size=2)),
       seed=bad_seed)
def test_replicate_refuses_bad_jobs_and_seeds(n_jobs, seed):
    _raises_named(lambda: sim.replicate(n_reps=2, n_residents=20, steps=2, seed=1, n_jobs=n_jobs))
    _raises_named(lambda: sim.replicate(n_reps=2, n_residents=20, steps=2, seed=seed))


@FAST
@given(values=st.one_of(st.lists(st.floats(min_value=1.0001, max_value=1e9), min_size=1, max_size=3),
                        st.lists(st.just(math.nan), min_size=1, max_size=2), st.just([]), st.text(max_size=3),
                        st.none(), st.integers()))
def test_sweep_refuses_bad_values_and_keeps_the_caller_list(values):
    before = list(values) if isinstance(values, list) else values
    _raises_named(lambda: sim.sweep("ritual_rate", values, n_reps=1, n_residents=20, steps=2, seed=1))
    if isinstance(values, list):
        assert values == before or all(map(math.isnan, values))


@FAST
@given(parameter=st.text(max_size=10).filter(lambda p: p not in sim.PARAMETERS) | st.integers() | st.none())
def test_sweep_refuses_unknown_parameters(parameter):
    _raises_named(lambda: sim.sweep(parameter, [0.1], n_reps=1, n_residents=20, steps=2, seed=1))


game_fields = ["value_emotional", "value_subsidy", "mobilization_cost", "subsidy_scheme_cost", "subsidy",
               "participation_cost", "safety_benefit", "ee_gain", "crowding"]


@FAST
@given(field=st.sampled_from(game_fields),
       value=st.one_of(st.floats(max_value=-1e-12), st.floats(min_value=1e6 + 1), st.just(math.nan),
                       st.just(math.inf), st.booleans(), st.text(max_size=2), st.none()))
def test_game_refuses_bad_payoffs(field, value):
    if isinstance(value, float) and math.isfinite(value) and 0 <= value <= 1e6:
        return
    _raises_named(lambda: MobilizationGame(**{field: value}))


@FAST
@given(state=st.one_of(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4), st.text(max_size=3),
                       st.none()),
       t_max=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1e4 + 1), st.just(math.nan), st.booleans()))
def test_game_refuses_bad_states_and_times_without_nan(state, t_max):
    game = MobilizationGame()
    valid = (isinstance(state, list) and len(state) == 2
             and all(isinstance(v, float) and math.isfinite(v) and 0 <= v <= 1 for v in state))
    if valid:
        velocity = game.velocity(state)
        assert np.all(np.isfinite(velocity))
    else:
        _raises_named(lambda: game.velocity(state))
    _raises_named(lambda: game.simulate([0.5, 0.5], t_max=t_max))


def test_game_sweep_refuses_unknown_parameters():
    _raises_named(lambda: sweep_game(MobilizationGame(), "subsidies", [1.0]))


# ---------------------------------------------------------------------------- issue #20: every analysis, backends, district
from chaoyang.errors import SeedError, SizeError  # noqa: E402
from chaoyang.sim import limits  # noqa: E402

bad_backend = st.one_of(st.text(max_size=8).filter(lambda b: b not in sim.BACKENDS), st.integers(), st.none(),
                        st.booleans(), st.floats(allow_nan=True))
wrong_type_seed = st.one_of(st.just(True), st.just(False), st.floats(allow_nan=True, allow_infinity=True),
                            st.text(max_size=3))


@FAST
@given(backend=bad_backend)
def test_every_analysis_refuses_an_unknown_backend(backend):
    small = {"n_residents": 20, "steps": 2, "seed": 1}
    _raises_named(lambda: sim.replicate(n_reps=2, backend=backend, **small))
    _raises_named(lambda: sim.sweep("ritual_rate", [0.1], n_reps=1, backend=backend, **small))
    _raises_named(lambda: sim.ofat({"ritual_rate": (0.0, 0.5)}, n_points=2, n_reps=1, backend=backend, **small))
    _raises_named(lambda: sim.sobol({"ritual_rate": (0.0, 0.5)}, n_base=2, backend=backend, **small))
    _raises_named(lambda: sim.compare_regimes(n_reps=2, backend=backend, **small))


@FAST
@given(seed=wrong_type_seed)
def test_every_analysis_refuses_seeds_of_the_wrong_type(seed):
    small = {"n_residents": 20, "steps": 2, "seed": seed}
    for call in (lambda: sim.sweep("ritual_rate", [0.1], n_reps=1, **small),
                 lambda: sim.ofat({"ritual_rate": (0.0, 0.5)}, n_points=2, n_reps=1, **small),
                 lambda: sim.sobol({"ritual_rate": (0.0, 0.5)}, n_base=2, **small),
                 lambda: sim.compare_regimes(n_reps=2, **small),
                 lambda: sim.run_district(scale=0.002, steps=2, seed=seed)):
        with pytest.raises(SeedError):
            call()


@FAST
@given(low=st.one_of(st.just(math.nan), st.just(-math.inf), st.floats(max_value=-1e-9, allow_nan=False)),
       outcome=st.text(max_size=6).filter(lambda o: o not in sim.METRICS))
def test_ofat_and_sobol_refuse_nan_ranges_and_unknown_outcomes(low, outcome):
    small = {"n_residents": 20, "steps": 2, "seed": 1}
    _raises_named(lambda: sim.ofat({"ritual_rate": (low, 0.5)}, n_points=2, n_reps=1, **small))
    _raises_named(lambda: sim.sobol({"ritual_rate": (low, 0.5)}, n_base=2, **small))
    _raises_named(lambda: sim.ofat({"ritual_rate": (0.0, 0.5)}, outcome=outcome, n_points=2, n_reps=1, **small))


@FAST
@given(scale=st.one_of(st.floats(max_value=0.0), st.floats(min_value=10.0001), st.just(math.nan), st.booleans(),
                       st.text(max_size=3), st.none()),
       regime=bad_regime)
def test_district_refuses_bad_scales_and_regimes(scale, regime):
    _raises_named(lambda: sim.run_district(scale=scale, steps=2, seed=1))
    _raises_named(lambda: sim.run_district(regime, scale=0.002, steps=2, seed=1))


@pytest.mark.parametrize("where", ["run", "replicate", "district"])
def test_sizes_that_cannot_fit_are_refused_with_estimate_and_available_memory(where, monkeypatch):
    """A machine with 1 GB free: the estimate and the available memory are named, before any run."""
    import chaoyang._resources as resources

    monkeypatch.setattr(resources, "available_memory", lambda: 10**9)
    calls = {"run": lambda: sim.run(n_residents=2_000_000, steps=365, seed=1),
             "replicate": lambda: sim.replicate(n_reps=4, n_residents=500_000, steps=365, seed=1),
             "district": lambda: sim.run_district(scale=1.0, seed=1)}
    with pytest.raises(SizeError, match=r"needs about [\d,]+ MB of memory, but only 1,000 MB is available"):
        calls[where]()


@pytest.mark.parametrize("n_residents", [-5, 0, 9, 2.5, 100.0, "100", True, None])
def test_negative_or_non_integer_sizes_name_the_allowed_range(n_residents):
    with pytest.raises(sim.ParameterError, match=rf"n_residents=.* at least {limits.MIN_RESIDENTS}\b"):
        sim.run(n_residents=n_residents, steps=2, seed=1)


def test_unknown_scenarios_list_the_known_ones():
    with pytest.raises(sim.ScenarioError, match="known scenarios: 'Chaoyang \\(baseline\\)'"):
        sim.transfer_scenarios()["Haidian"]
