"""Entry points and named scenarios: one run, Granovetter docking, and the transfer study's scenarios.

Examples
--------
>>> from chaoyang import sim
>>> result = sim.run("emotional", n_residents=200, steps=10, seed=1)
>>> bool(result.ledger["participation_rate"].between(0, 1).all())
True
>>> sim.transfer_scenarios()["type: rental"]
{'community_type': 'rental'}
"""

from __future__ import annotations

import datetime
import importlib.metadata
import platform

import numpy as np
import pandas as pd

from chaoyang._validate import check_seed
from chaoyang.errors import ChaoyangError
from chaoyang.sim.limits import check_run_size, show_progress
from chaoyang.sim.model import ChaoyangModel, GranovetterModel, check_engine
from chaoyang.sim.parameters import REGIMES, ParameterError, check_value
from chaoyang.sim.results import SimResult


__all__ = ["run", "run_pair", "LEVERS", "make_manifest", "granovetter_cascade", "transfer_scenarios", "REGIMES",
           "ScenarioError", "check_regime"]


class ScenarioError(ChaoyangError, KeyError):
    """A scenario name that :func:`transfer_scenarios` does not define (the message lists them)."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class _Scenarios(dict):
    """The scenario dictionary: an unknown name raises ScenarioError listing the known ones."""

    def __missing__(self, name):
        raise ScenarioError(f"unknown scenario {name!r}; known scenarios: {', '.join(repr(k) for k in self)}")


def check_regime(regime) -> str:
    """Return ``regime`` if it is a key of :data:`REGIMES`; raise ParameterError listing them otherwise."""
    if not isinstance(regime, str) or regime not in REGIMES:
        raise ParameterError(f"unknown regime {regime!r}; valid regimes: {', '.join(repr(r) for r in REGIMES)}")
    return regime


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("chaoyang", "mesa", "numpy", "pandas", "scipy", "networkx"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def make_manifest(model: ChaoyangModel, steps: int, **extra) -> dict:
    """The run manifest: every resolved parameter, the seed, package versions, the time.

    Parameters
    ----------
    model : ChaoyangModel
        The model that was run.
    steps : int
        Number of days run.
    **extra
        Further JSON-serializable entries (e.g. ``replicate=3``).

    Returns
    -------
    dict
        JSON-serializable. ``seed.entropy`` and ``seed.spawn_key`` rebuild the exact
        :class:`numpy.random.SeedSequence` of the run: ``SeedSequence(entropy, spawn_key=spawn_key)``.
    """
    return {"regime": model.p["regime"], "engine": getattr(model, "engine", "vectorized"),
            "n_residents": model.n_residents, "steps": int(steps),
            "params": {k: _jsonable(v) for k, v in model.p.items()},
            "seed": {"entropy": _jsonable(model.seed_entropy), "spawn_key": list(model.seed_spawn_key)},
            "world": model.world.name, "versions": _versions(),
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), **extra}


def run(regime: str = "emotional", *, n_residents: int = 2000, steps: int = 365, seed=None, progress=None,
        engine: str = "vectorized", **params) -> SimResult:
    """Run the Chaoyang model once and return its ledger and manifest.

    Every argument is checked before any work: the regime, the sizes, the seed, every parameter,
    and the memory the run would need (:mod:`chaoyang.sim.limits`).

    Parameters
    ----------
    regime : str, default "emotional"
        A key of :data:`chaoyang.sim.REGIMES`. The two pure regimes: ``"emotional"``,
        emotional-commitment mobilization (rituals, police engagement, brand), no pay;
        ``"subsidy"``, traditional economic subsidy (pay per patrol hour and per tip), routine
        policing, no rituals, no brand campaign. The hybrids that exist in Chaoyang add paid
        components to the emotional pathways: ``"emotional+allowance"`` (activists'
        allowances), ``"emotional+patrols"`` (full-time paid patrol teams beside volunteers),
        ``"emotional+rewards"`` (pay per tip, which raises false reports), ``"mixed"`` (all
        three). ``"none"``: no mobilization.
    n_residents : int, default 2000
        Number of residents, at least :data:`chaoyang.sim.limits.MIN_RESIDENTS` (10); the upper
        limit is the memory estimate (about 2.7 kB per resident).
    steps : int, default 365
        Days to simulate, 1 to :data:`chaoyang.sim.limits.MAX_STEPS` (36,500).
    seed : None, int >= 0 or numpy.random.SeedSequence, default None
        Same seed, same ledger to the bit. None draws fresh entropy: not reproducible unless
        repeated from the entropy recorded in ``result.manifest["seed"]``.
    progress : None, True or False, default None
        Progress bar (tqdm, on stderr). None shows it for long runs only
        (``steps * (n_residents + 1,000) >= 10,000,000``, :data:`chaoyang.sim.limits.PROGRESS_WORK`).
    engine : {"vectorized", "agents"}, default "vectorized"
        ``"agents"``: the reference engine, each agent's methods run through mesa AgentSets with
        synchronous activation (slow: one Python call per resident and day); ``"vectorized"``: the same rules on
        arrays. The same seed gives the same ledger on both, to the bit.
    **params
        Overrides of any parameter in :func:`chaoyang.sim.parameter_table`, and ``world`` (a
        :class:`chaoyang.world.World`).

    Returns
    -------
    SimResult
        ``.ledger``: one row per day (columns: :data:`chaoyang.sim.LEDGER_COLUMNS`): participation
        rate and the six forms, mean constructs, incidents, each stakeholder's cost and benefit.
        ``.manifest``: the run manifest (:func:`make_manifest`). ``.summary()``: the outcome metrics
        as text; ``.to_frame()``: a copy of the ledger.

    Raises
    ------
    ParameterError
        Unknown regime, engine or parameter, a size or value out of its range (the message names
        it and gives the valid range).
    SeedError
        A seed that is a bool, float, string or negative.
    SizeError
        The run would need more memory than is available (the message gives both).

    Examples
    --------
    >>> result = run("subsidy", n_residents=300, steps=20, seed=7)
    >>> result.ledger.loc[result.ledger["step"] == 1, "subsidy_active"].item()
    1
    >>> result.ledger.equals(run("subsidy", n_residents=300, steps=20, seed=7).ledger)
    True
    >>> result.manifest["params"]["pay_per_hour"]
    20.0
    """
    check_regime(regime)
    check_engine(engine)
    seed = check_seed(seed)
    n_residents, steps = check_run_size(n_residents, steps)
    show = show_progress(progress, n_residents, steps)
    model = ChaoyangModel(regime, n_residents, seed=seed, engine=engine, **params)
    ledger = model.run(steps, progress=show)
    return SimResult(ledger, make_manifest(model, steps))


def granovetter_cascade(thresholds, *, max_steps: int | None = None) -> pd.Series:
    """Run Granovetter's threshold model (the Chaoyang model with every mechanism off) to rest.

    Parameters
    ----------
    thresholds : array-like of float
        Each agent's threshold as a share of the group, >= 0 (a threshold of k agents in a group
        of N is k / N).
    max_steps : int, optional
        Upper bound on days; default N + 1, enough for any cascade to settle.

    Returns
    -------
    pandas.Series
        Participation rate by step, index 0 (nobody acts) .. the first step at which the rate
        stops changing.

    Examples
    --------
    >>> n = 10
    >>> float(granovetter_cascade([k / n for k in range(n)]).iloc[-1])
    1.0
    >>> float(granovetter_cascade([0.0, 0.2] + [k / n for k in range(2, n)]).iloc[-1])
    0.1
    """
    model = GranovetterModel(thresholds, seed=0)
    limit = max_steps if max_steps is not None else model.n_residents + 1
    rates = [0.0]
    for _ in range(limit):
        model.step()
        rates.append(float(model.participating.mean()))
        if rates[-1] == rates[-2]:
            break
    return pd.Series(rates, index=pd.RangeIndex(len(rates), name="step"), name="participation_rate")


def transfer_scenarios() -> dict[str, dict[str, object]]:
    """Named scenarios for the question "what transfers to other districts?".

    Each scenario changes one context condition and keeps every mechanism's rule: the community
    type (the world's four types), police capacity (officers and hours), existing brand recognition,
    and existing solidarity.

    Returns
    -------
    dict
        Scenario name -> parameter overrides (to pass to :func:`run` or
        :func:`chaoyang.sim.analysis.compare_regimes`). An unknown name raises
        :class:`ScenarioError` (a ``KeyError``) listing the known names.

    Examples
    --------
    >>> scenarios = transfer_scenarios()
    >>> scenarios["type: rental"]
    {'community_type': 'rental'}
    """
    from chaoyang.sim.parameters import COMMUNITY_TYPE_KEYS

    scenarios: dict[str, dict[str, object]] = _Scenarios({"Chaoyang (baseline)": {}})
    for key in COMMUNITY_TYPE_KEYS:
        scenarios[f"type: {key}"] = {"community_type": key}
    scenarios["police: no community officer"] = {"officers_per_community": 0}
    scenarios["police: half the hours"] = {"police_patrol_hours": 2.0}
    scenarios["police: two officers"] = {"officers_per_community": 2}
    scenarios["brand: unknown (-1 SD)"] = {"brand_recognition_shift": -1.0}
    scenarios["brand: famous (+1 SD)"] = {"brand_recognition_shift": 1.0}
    scenarios["solidarity: low (-1 SD)"] = {"solidarity_shift": -1.0}
    scenarios["solidarity: high (+1 SD)"] = {"solidarity_shift": 1.0}
    return scenarios


#: The levers the simulation explorer (:mod:`chaoyang.widgets.sim_explorer`) offers: parameter -> (min, max, step) of its slider.
LEVERS: dict[str, tuple[float, float, float]] = {
    "ritual_rate": (0.0, 1.0, 0.05),
    "police_contacts_per_hour": (0.0, 4.0, 0.25),
    "brand_media_reach": (0.0, 0.05, 0.005),
    "pay_per_hour": (0.0, 60.0, 5.0),
    "crowding_out": (0.0, 2.0, 0.1),
}


def run_pair(*, n_residents: int = 2000, steps: int = 365, seed=1, progress=None, **levers) -> dict[str, SimResult]:
    """Run the emotional and the subsidy regime with the same seed and levers.

    ``pay_per_hour`` and ``pay_per_tip`` apply to the subsidy regime only (the emotional regime
    never pays).

    Parameters
    ----------
    n_residents, steps, seed, progress
        As in :func:`run` (``seed`` defaults to 1 here: the explorer shows one fixed pair of runs).
    **levers
        Parameter overrides, checked before either run.

    Returns
    -------
    dict
        Regime -> :class:`SimResult`.

    Examples
    --------
    >>> pair = run_pair(n_residents=100, steps=3, seed=2)
    >>> sorted(pair), float(pair["emotional"].ledger["subsidy_paid"].sum())
    (['emotional', 'subsidy'], 0.0)
    """
    for name, value in levers.items():
        check_value(name, value)
    emotional_levers = {k: v for k, v in levers.items() if k not in ("pay_per_hour", "pay_per_tip")}
    return {"emotional": run("emotional", n_residents=n_residents, steps=steps, seed=seed, progress=progress,
                             **emotional_levers),
            "subsidy": run("subsidy", n_residents=n_residents, steps=steps, seed=seed, progress=progress, **levers)}
