"""Replicates with confidence intervals, regime comparisons, sweeps, sensitivity analysis, docking.

Every replicate gets its own seed, spawned from one master seed with
:meth:`numpy.random.SeedSequence.spawn` (mesa's ``batch_run`` with ``iterations`` once reused one
seed for all iterations, mesa issue 2841). Confidence intervals are Student-t intervals over
replicates. Comparisons of two regimes use the same replicate seeds for both (common random
numbers), so the difference's interval is a paired one.

Examples
--------
>>> from chaoyang.sim.analysis import replicate
>>> result = replicate("emotional", n_reps=3, seed=1, n_residents=200, steps=20)
>>> list(result.to_frame().columns)
['metric', 'stakeholder', 'mean', 'sd', 'ci_low', 'ci_high', 'n_reps']
>>> print(result.summary().splitlines()[0])
Replicates of regime 'emotional': 3 x 200 residents x 20 days; mean and 95% Student-t interval
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from chaoyang._validate import check_count, check_level, check_seed
from chaoyang.errors import ArgumentError
from chaoyang.i18n import N_
from chaoyang.sim.limits import check_run_size
from chaoyang.sim.model import ChaoyangModel
from chaoyang.sim.parallel import check_backend, check_n_jobs, run_jobs
from chaoyang.sim.parameters import PARAMETERS, ParameterError, check_value
from chaoyang.sim.results import (ComparisonResult, HysteresisResult, OfatResult, ReplicateResult, SobolResult,
                                  SweepResult)
from chaoyang.sim.scenarios import check_regime, make_manifest

#: Per-run outcome metrics: name -> (stakeholder, which direction is better, meaning).
METRICS: dict[str, tuple[str, str, str]] = {
    "participation_mean": ("residents", "higher", "mean share of residents participating over the run"),
    "participation_final": ("residents", "higher", "mean participation share over the last 30 days"),
    "willingness_final": ("residents", "higher", "mean willingness on the last day (latent SD units)"),
    "emotional_energy_mean": ("residents", "higher", "mean emotional energy over the run (latent SD units)"),
    "belonging_final": ("residents", "higher", "mean belonging on the last day (latent SD units)"),
    "safety_perceived_mean": ("residents", "higher", "mean perceived safety over the run (0-1)"),
    "resident_hours_total": ("residents", "lower", "hours residents gave"),
    "resident_pay_total": ("residents", "higher", "yuan paid to residents"),
    "resident_avoided_loss_total": ("residents", "higher", "yuan of residents' losses avoided"),
    "resident_net_benefit_total": ("residents", "higher",
                                   "yuan, monetary balance only: avoided loss + pay - time valued at value_of_time"),
    "incidents_total": ("public", "lower", "incidents over the run"),
    "prevented_total": ("public", "higher", "expected incidents prevented by residents' guardianship"),
    "government_cost_total": ("public", "lower", "yuan spent by the government"),
    "police_hours_total": ("public", "lower", "police workload, officer hours"),
    "public_cost_total": ("public", "lower", "yuan: government + police"),
    "cost_per_prevented_incident": ("public", "lower", "yuan of government cost per prevented incident"),
    "reports_true_total": ("public", "higher", "true tips over the run"),
    "reports_false_total": ("reported", "lower", "false or mistaken reports over the run"),
    "privacy_intrusions_total": ("reported", "lower", "police checks of residents who did nothing wrong"),
    "reported_cost_total": ("reported", "lower", "yuan borne by residents wrongly reported"),
}


def summarize_run(ledger: pd.DataFrame, tail: int = 30) -> dict[str, float]:
    """Reduce one ledger to the outcome metrics of :data:`METRICS`.

    Parameters
    ----------
    ledger : pandas.DataFrame
        A ledger (``result.ledger`` of :func:`chaoyang.sim.run`; not modified).
    tail : int, default 30
        Days at the end averaged for the ``*_final`` participation metric.

    Returns
    -------
    dict
        Metric -> value. ``cost_per_prevented_incident`` is NaN when nothing was prevented.
    """
    if len(ledger) == 0:
        raise ParameterError("the ledger is empty; run at least one step")
    total = ledger.sum(numeric_only=True)
    prevented = float(total["prevented_incidents"])
    out = {
        "participation_mean": float(ledger["participation_rate"].mean()),
        "participation_final": float(ledger["participation_rate"].iloc[-tail:].mean()),
        "willingness_final": float(ledger["willingness_mean"].iloc[-1]),
        "emotional_energy_mean": float(ledger["emotional_energy_mean"].mean()),
        "belonging_final": float(ledger["belonging_mean"].iloc[-1]),
        "safety_perceived_mean": float(ledger["safety_perceived"].mean()),
        "resident_hours_total": float(total["resident_hours"]),
        "resident_pay_total": float(total["subsidy_paid"]),
        "resident_avoided_loss_total": float(total["resident_avoided_loss"]),
        "resident_net_benefit_total": float(total["resident_net_benefit"]),
        "incidents_total": float(total["incidents"]),
        "prevented_total": prevented,
        "government_cost_total": float(total["government_cost"]),
        "police_hours_total": float(total["police_hours"]),
        "public_cost_total": float(total["public_cost"]),
        "cost_per_prevented_incident": float(total["government_cost"]) / prevented if prevented > 0 else float("nan"),
        "reports_true_total": float(total["reports_true"]),
        "reports_false_total": float(total["reports_false"]),
        "privacy_intrusions_total": float(total["privacy_intrusions"]),
        "reported_cost_total": float(total["reported_cost"]),
    }
    return out


def confidence_interval(values, *, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of replicate values.

    Parameters
    ----------
    values : array-like of float
        One value per replicate (NaN values are dropped).
    level : float, default 0.95
        Confidence level in (0, 1).

    Returns
    -------
    tuple of float
        ``(mean, low, high)``; with one value the interval is (mean, mean).

    Examples
    --------
    >>> confidence_interval([1.0, 2.0, 3.0])[0]
    2.0
    """
    level = check_level(level)
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return (float("nan"),) * 3
    mean = float(x.mean())
    if x.size == 1:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def spawn_seeds(seed, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child seeds of one master seed (SeedSequence.spawn).

    Parameters
    ----------
    seed : None, int >= 0 or SeedSequence
    n : int
        Number of children, >= 1.
    """
    seed = check_seed(seed)
    n = check_positive(n, "n_reps")
    master = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return master.spawn(int(n))


def _one_run(regime, n_residents, steps, child, params):
    model = ChaoyangModel(regime, n_residents, seed=child, **params)
    ledger = model.run(steps)
    return ledger, make_manifest(model, steps)


def _run_many(jobs, n_jobs: int, backend="loky"):
    """Run (regime, n_residents, steps, child, params) jobs through :func:`chaoyang.sim.parallel.run_jobs`."""
    return run_jobs(_one_run, jobs, n_jobs=n_jobs, backend=backend)


def check_positive(value, name: str) -> int:
    """A whole number >= 1 (replicates, points), else ParameterError."""
    try:
        return check_count(value, name, minimum=1)
    except ArgumentError as error:
        raise ParameterError(f"{name} must be a whole number >= 1, got {value!r}") from error


def _check_request(regime, n_residents, steps, n_reps, n_jobs, seed, where, *, n_runs=None, backend="loky"):
    """Every shared argument of the analyses, checked before any run; returns the checked values.

    ``n_runs`` is the number of ledgers held at once (default ``n_reps``), for the memory estimate;
    with the dask backend the runs happen on the workers, so this machine holds the ledgers only.
    """
    check_regime(regime)
    seed = check_seed(seed)
    n_reps = check_positive(n_reps, "n_reps")
    n_jobs = check_n_jobs(n_jobs)
    local_jobs = n_jobs if isinstance(check_backend(backend), str) and backend != "dask" else 1
    n_residents, steps = check_run_size(n_residents, steps, n_reps=n_runs or n_reps, n_jobs=local_jobs, where=where)
    return n_residents, steps, n_reps, int(n_jobs), seed


def _check_params(params: dict) -> None:
    for name, value in params.items():
        if name != "world":
            check_value(name, value)


def summarize_replicates(runs: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Mean, SD and confidence interval of every metric over replicates (rows of ``runs``)."""
    rows = []
    for metric in METRICS:
        mean, low, high = confidence_interval(runs[metric], level=level)
        rows.append({"metric": metric, "stakeholder": METRICS[metric][0], "mean": mean,
                     "sd": float(runs[metric].std(ddof=1)) if len(runs) > 1 else 0.0,
                     "ci_low": low, "ci_high": high, "n_reps": int(runs[metric].notna().sum())})
    return pd.DataFrame(rows)


def replicate(regime: str = "emotional", *, n_reps: int = 30, seed=None, n_residents: int = 2000,
              steps: int = 365, n_jobs: int = 1, level: float = 0.95, backend="loky", **params) -> ReplicateResult:
    """Run ``n_reps`` replicates, each with its own seed, and summarize with confidence intervals.

    Parameters
    ----------
    regime : {"emotional", "subsidy", "none"}
    n_reps : int, default 30
        Number of replicates, >= 1.
    seed : None, int >= 0 or SeedSequence, default None
        Master seed; replicate ``r`` uses ``SeedSequence(seed).spawn(n_reps)[r]``. None draws
        fresh entropy (recorded in the manifest, so the replicates can be repeated).
    n_residents, steps : int
        As in :func:`chaoyang.sim.run`.
    n_jobs : int, default 1
        Parallel processes (joblib; -1 = every core); results do not depend on it.
    backend : {"loky", "threading", "multiprocessing", "dask"} or dask.distributed.Client, default "loky"
        Where the runs go (:mod:`chaoyang.sim.parallel`): ``"dask"`` sends them to the workers of
        the running Dask client (a cluster); results do not depend on it either.
    level : float, default 0.95
        Confidence level of the Student-t intervals, strictly between 0 and 1.
    **params
        Parameter overrides.

    Returns
    -------
    ReplicateResult
        ``.table`` (= ``.to_frame()``): one row per metric with mean, SD and interval; ``.runs``,
        ``.ledgers``, ``.manifest``; ``.summary()`` as text.

    Raises
    ------
    ParameterError, SeedError, SizeError
        As :func:`chaoyang.sim.run`, before any run; the memory estimate counts every kept ledger.

    Examples
    --------
    >>> r = replicate("subsidy", n_reps=2, seed=3, n_residents=200, steps=10)
    >>> r.runs["replicate"].tolist()
    [0, 1]
    """
    n_residents, steps, n_reps, n_jobs, seed = _check_request(regime, n_residents, steps, n_reps, n_jobs, seed,
                                                               "sim.replicate", backend=backend)
    level = check_level(level)
    _check_params(params)
    children = spawn_seeds(seed, n_reps)
    outputs = _run_many([(regime, n_residents, steps, child, params) for child in children], n_jobs, backend)
    ledgers, runs, manifests = [], [], []
    for r, (ledger, manifest) in enumerate(outputs):
        ledgers.append(ledger.assign(replicate=r))
        runs.append({"replicate": r, **summarize_run(ledger)})
        manifests.append(manifest["seed"])
    runs_frame = pd.DataFrame(runs)
    manifest = dict(outputs[0][1])
    manifest["seed"] = {"master_entropy": children[0].entropy, "replicates": manifests}
    manifest["n_reps"] = int(n_reps)
    manifest["level"] = level
    return ReplicateResult(summarize_replicates(runs_frame, level=level), pd.concat(ledgers, ignore_index=True),
                           runs_frame, manifest)


def compare_regimes(regimes=("emotional", "subsidy"), *, n_reps: int = 30, seed=None, n_residents: int = 2000,
                    steps: int = 365, n_jobs: int = 1, level: float = 0.95, regime_params: dict | None = None, backend="loky",
                    **params) -> ComparisonResult:
    """Compare two regimes over paired replicates (same seeds for both).

    Parameters
    ----------
    regimes : pair of str, default ("emotional", "subsidy")
    n_reps, seed, n_residents, steps, n_jobs, level, backend
        As in :func:`replicate`.
    regime_params : dict, optional
        Regime -> overrides applied to that regime only, e.g. ``{"subsidy": {"pay_per_hour": 8.0}}``
        (a plain ``pay_per_hour=8.0`` would make *both* regimes pay).
    **params
        Overrides applied to both regimes.

    Returns
    -------
    ComparisonResult
        ``.table`` (= ``.to_frame()``): one row per metric: stakeholder, direction (``better``),
        each regime's mean and CI, the paired difference (first minus second) with its CI, and
        ``favours``: the regime the metric favours when the difference's CI excludes 0, else
        ``"neither (CI includes 0)"``. ``.results`` holds both :class:`ReplicateResult` objects.

    Examples
    --------
    >>> comparison = compare_regimes(n_reps=3, seed=2, n_residents=200, steps=30)
    >>> set(comparison.table["favours"]) <= {"emotional", "subsidy", "neither (CI includes 0)"}
    True
    """
    if isinstance(regimes, str) or len(regimes) != 2 or regimes[0] == regimes[1]:
        raise ParameterError(f"regimes must be two different regimes, got {regimes!r}")
    regime_params = dict(regime_params or {})
    unknown = set(regime_params) - set(regimes)
    if unknown:
        raise ParameterError(f"regime_params names {sorted(unknown)}, which are not among the compared regimes "
                             f"{list(regimes)}")
    for regime, overrides in regime_params.items():
        clash = set(overrides) & set(params)
        if clash:
            raise ParameterError(f"parameter(s) {sorted(clash)} given both for all regimes and for {regime!r}; "
                                 "give each parameter once")
    for regime in regimes:
        check_regime(regime)
    level = check_level(level)
    _check_request(regimes[0], n_residents, steps, n_reps, n_jobs, seed, "sim.compare_regimes", backend=backend,
                   n_runs=2 * n_reps if isinstance(n_reps, int) and not isinstance(n_reps, bool) else None)
    _check_params(params)
    for overrides in regime_params.values():
        _check_params(overrides)
    master = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    results = [replicate(regime, n_reps=n_reps, seed=master, n_residents=n_residents, steps=steps,
                         n_jobs=n_jobs, level=level, backend=backend, **params, **regime_params.get(regime, {}))
               for regime in regimes]
    a, b = (res.runs for res in results)
    rows = []
    for metric, (stakeholder, better, meaning) in METRICS.items():
        mean_a, low_a, high_a = confidence_interval(a[metric], level=level)
        mean_b, low_b, high_b = confidence_interval(b[metric], level=level)
        diff, low_d, high_d = confidence_interval(a[metric] - b[metric], level=level)
        if low_d > 0 or high_d < 0:
            first_better = (diff > 0) == (better == "higher")
            favours = regimes[0] if first_better else regimes[1]
        else:
            favours = N_("neither (CI includes 0)")
        rows.append({"metric": metric, "stakeholder": stakeholder, "better": better,
                     f"{regimes[0]}_mean": mean_a, f"{regimes[0]}_ci_low": low_a, f"{regimes[0]}_ci_high": high_a,
                     f"{regimes[1]}_mean": mean_b, f"{regimes[1]}_ci_low": low_b, f"{regimes[1]}_ci_high": high_b,
                     "difference": diff, "diff_ci_low": low_d, "diff_ci_high": high_d, "favours": favours,
                     "meaning": meaning})
    return ComparisonResult(pd.DataFrame(rows), dict(zip(regimes, results)), tuple(regimes), level)


def sweep(parameter: str, values, *, regime: str = "emotional", n_reps: int = 5, seed=None,
          n_residents: int = 2000, steps: int = 365, n_jobs: int = 1, backend="loky", **params) -> SweepResult:
    """Replicated runs over the values of one parameter (the same replicate seeds at every value).

    Parameters
    ----------
    parameter : str
        A parameter name (see :func:`chaoyang.sim.parameter_table`).
    values : sequence
        Values to try; each is checked against the parameter's range.
    regime, n_reps, seed, n_residents, steps, n_jobs, backend, **params
        As in :func:`replicate`.

    Returns
    -------
    SweepResult
        ``.table`` (= ``.to_frame()``): one row per (value, replicate): the parameter value,
        ``replicate`` and every metric.

    Examples
    --------
    >>> result = sweep("ritual_rate", [0.0, 0.5], n_reps=2, seed=1, n_residents=200, steps=20)
    >>> result.table.groupby("ritual_rate").size().tolist()
    [2, 2]
    """
    if not isinstance(parameter, str):
        raise ParameterError(f"parameter must be a parameter name (str), got {parameter!r}")
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise ParameterError(f"values must be a sequence of values of {parameter!r}, got {values!r}")
    values = [check_value(parameter, v) for v in values]
    if not values:
        raise ParameterError(f"values is empty; give at least one value of {parameter!r}")
    n_reps = check_positive(n_reps, "n_reps")
    n_residents, steps, n_reps, n_jobs, seed = _check_request(regime, n_residents, steps, n_reps, n_jobs, seed,
                                                               "sim.sweep", n_runs=len(values) * n_reps,
                                                               backend=backend)
    _check_params(params)
    if parameter in params:
        raise ParameterError(f"parameter {parameter!r} is swept; do not also pass it as a fixed override")
    children = spawn_seeds(seed, n_reps)
    jobs = [(regime, n_residents, steps, child, {**params, parameter: value})
            for value in values for child in children]
    outputs = _run_many(jobs, n_jobs, backend)
    rows = []
    for (job, (ledger, _)) in zip(jobs, outputs):
        rows.append({parameter: job[4][parameter], "replicate": children.index(job[3]), **summarize_run(ledger)})
    return SweepResult(pd.DataFrame(rows), parameter)


def ofat(ranges: dict, *, outcome: str = "participation_mean", regime: str = "emotional", n_points: int = 5,
         n_reps: int = 5, seed=None, n_residents: int = 2000, steps: int = 365, n_jobs: int = 1,
         level: float = 0.95, backend="loky", **params) -> OfatResult:
    """One-factor-at-a-time sensitivity: vary each parameter over its range, the others at default.

    Parameters
    ----------
    ranges : dict
        Parameter name -> (low, high); ``n_points`` evenly spaced values are run (rounded for whole-number parameters).
    outcome : str, default "participation_mean"
        A metric of :data:`METRICS`.
    n_points : int, default 5
        Values per parameter, >= 2.
    regime, n_reps, seed, n_residents, steps, n_jobs, level, backend, **params
        As in :func:`replicate`.

    Returns
    -------
    OfatResult
        ``.table`` (= ``.to_frame()``): one row per (parameter, value): mean outcome and its CI
        over replicates; ``.importance``: each parameter's outcome range (max - min of the means),
        the OFAT importance, largest first.

    Examples
    --------
    >>> result = ofat({"ritual_rate": (0.0, 0.5)}, n_points=2, n_reps=2, seed=1, n_residents=200, steps=20)
    >>> result.table["value"].tolist()
    [0.0, 0.5]
    """
    _check_outcome(outcome)
    level = check_level(level)
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 2:
        raise ParameterError(f"n_points must be a whole number >= 2, got {n_points!r}")
    ranges = _check_ranges(ranges, kinds=("float", "int"))
    _check_request(regime, n_residents, steps, n_reps, n_jobs, seed, "sim.ofat", backend=backend,
                   n_runs=n_points * n_reps if isinstance(n_reps, int) and not isinstance(n_reps, bool) else None)
    rows = []
    for name, (low, high) in ranges.items():
        values = np.linspace(low, high, n_points)
        if PARAMETERS.get(name) is not None and PARAMETERS[name].kind == "int":
            values = np.unique(np.round(values).astype(int))
        table = sweep(name, values.tolist(), regime=regime, n_reps=n_reps, seed=seed, n_residents=n_residents,
                      steps=steps, n_jobs=n_jobs, backend=backend, **params).table
        for value, group in table.groupby(name, sort=True):
            mean, ci_low, ci_high = confidence_interval(group[outcome], level=level)
            rows.append({"parameter": name, "value": float(value), "mean": mean, "ci_low": ci_low,
                         "ci_high": ci_high})
    frame = pd.DataFrame(rows)
    importance = frame.groupby("parameter")["mean"].agg(lambda s: s.max() - s.min()).sort_values(ascending=False)
    importance.name = f"OFAT range of mean {outcome}"
    return OfatResult(frame, importance, outcome)


def _check_ranges(ranges, kinds=("float",)) -> dict:
    """``ranges`` as {name: (low, high)} with low < high inside each parameter's range, else ParameterError."""
    if not isinstance(ranges, dict) or not ranges:
        raise ParameterError(f"ranges must be a non-empty dict parameter -> (low, high), got {ranges!r}")
    checked = {}
    for name, bounds in ranges.items():
        if not isinstance(name, str) or name not in PARAMETERS:
            check_value(str(name), None)  # raises the unknown-parameter error with suggestions
        if PARAMETERS[name].kind not in kinds:
            raise ParameterError(f"{name!r} is a {PARAMETERS[name].kind} parameter; this analysis varies "
                                 f"{' or '.join(kinds)} parameters only")
        try:
            low, high = bounds
        except (TypeError, ValueError):
            raise ParameterError(f"range of {name!r} must be a pair (low, high), got {bounds!r}") from None
        low, high = check_value(name, low), check_value(name, high)
        if not low < high:
            raise ParameterError(f"range of {name!r} must have low < high, got ({low}, {high})")
        checked[name] = (low, high)
    return checked


def _check_outcome(outcome: str) -> None:
    if not isinstance(outcome, str) or outcome not in METRICS:
        raise ParameterError(f"unknown outcome {outcome!r}; valid outcomes: {', '.join(METRICS)}")


def sobol(ranges: dict, *, outcome: str = "participation_mean", regime: str = "emotional", n_base: int = 16,
          seed=None, n_reps: int = 1, n_residents: int = 500, steps: int = 120, n_jobs: int = 1,
          level: float = 0.95, backend="loky") -> SobolResult:
    """Sobol variance-based sensitivity indices (SALib: Saltelli sampling, Sobol analysis).

    First-order (S1) and total (ST) indices, without second-order terms. ``n_base`` is Saltelli's
    base sample size N (SALib's ``N``): the sampler draws N points of a 2k-dimensional Sobol
    sequence and builds N (k + 2) parameter sets from them, so the cost is
    ``n_base * (k + 2) * n_reps`` runs for ``k`` parameters; keep the model small. (It is not a
    number of resamples: the bootstrap of the intervals is SALib's, with its default 100 draws.)

    Every sample point is run with the same ``n_reps`` seeds (common random numbers) and the outcome
    averaged over them: the model is then a deterministic function of the parameters, so the indices
    measure the parameters' effects and not the run-to-run noise (with a fresh seed per point, the
    noise would be attributed to the parameters and an inert parameter would get ST > 0).

    Parameters
    ----------
    ranges : dict
        Parameter name -> (low, high); float parameters only, each range inside the parameter's
        valid range.
    outcome : str, default "participation_mean"
        A metric of :data:`METRICS`.
    n_base : int, default 16
        Saltelli's base sample size N; a power of 2 (Sobol sequence), >= 2.
    seed : None, int >= 0 or SeedSequence, default None
        Master seed of the Sobol sequence scrambling, the bootstrap of the confidence intervals, and
        the model runs (the ``n_reps`` seeds spawned from it, shared by every sample point). None
        draws fresh entropy (recorded in the result's ``seed_entropy``, so the analysis can be repeated).
    n_reps : int, default 1
        Seeds averaged per sample point.
    n_residents, steps : int
        Model size for each run (small by default).
    n_jobs : int, default 1
    level : float, default 0.95
        Confidence level of the bootstrap intervals (SALib's ``conf_level``).
    backend : str or dask.distributed.Client, default "loky"
        As in :func:`replicate`.

    Returns
    -------
    SobolResult
        ``.table`` (= ``.to_frame()``): index = parameter; columns ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (bootstrap half-widths at ``level``). ``.samples``: the sampled parameter values
        and outcomes.

    Examples
    --------
    >>> result = sobol({"ritual_rate": (0.0, 0.5), "police_gain": (0.0, 0.5)}, n_base=4, seed=0,
    ...                n_residents=100, steps=10)
    >>> list(result.table.columns)
    ['S1', 'S1_conf', 'ST', 'ST_conf']
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    _check_outcome(outcome)
    if isinstance(n_base, bool) or not isinstance(n_base, (int, np.integer)) or n_base < 2 or n_base & (n_base - 1):
        raise ParameterError(f"n_base must be a power of 2 >= 2, got {n_base!r}")
    level = check_level(level)
    ranges = _check_ranges(ranges)
    names = list(ranges)
    n_points = n_base * (len(names) + 2)
    n_residents, steps, n_reps, n_jobs, seed = _check_request(
        regime, n_residents, steps, n_reps, n_jobs, seed, "sim.sobol", backend=backend,
        n_runs=n_points * n_reps if isinstance(n_reps, int) and not isinstance(n_reps, bool) else None)
    master = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    # SALib takes an int seed: derive one for the sampler and one for the bootstrap from the master.
    sample_seed, boot_seed = (int(x) for x in master.generate_state(2, dtype=np.uint32))
    problem = {"num_vars": len(names), "names": names, "bounds": [list(ranges[n]) for n in names]}
    samples = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=sample_seed)
    children = spawn_seeds(master, n_reps)
    jobs = [(regime, n_residents, steps, child, dict(zip(names, map(float, row))))
            for row in samples for child in children]
    outputs = _run_many(jobs, n_jobs, backend)
    y = np.array([summarize_run(ledger)[outcome] for ledger, _ in outputs]).reshape(len(samples), n_reps).mean(axis=1)
    indices = sobol_analyze.analyze(problem, y, calc_second_order=False, conf_level=level, seed=boot_seed)
    table = pd.DataFrame({"S1": indices["S1"], "S1_conf": indices["S1_conf"], "ST": indices["ST"],
                          "ST_conf": indices["ST_conf"]}, index=pd.Index(names, name="parameter"))
    return SobolResult(table, pd.DataFrame(samples, columns=names).assign(**{outcome: y}), outcome, int(n_base),
                       level, master.entropy)


def hysteresis(crowding_values=(0.0, 0.5, 1.0), *, stop_step: int = 180, steps: int = 365, n_reps: int = 5,
               seed=None, n_residents: int = 2000, window: int = 30, n_jobs: int = 1, level: float = 0.95,
               backend="loky", **params) -> HysteresisResult:
    """Withdrawal shock: a subsidy stopped after day ``stop_step``, for several crowding-out strengths.

    Parameters
    ----------
    crowding_values : sequence of float
        Values of ``crowding_out``.
    stop_step : int, default 180
        Last paid day.
    steps, n_reps, seed, n_residents, n_jobs, backend, **params
        As in :func:`replicate` (regime "subsidy").
    window : int, default 30
        Days averaged for each phase: before (the status quo, read from a "none" run with the same
        seeds, because the subsidy pays from day 1), during (the last ``window`` paid days) and
        after withdrawal (the last ``window`` days of the run).

    level : float, default 0.95
        Confidence level of the Student-t intervals.

    Returns
    -------
    HysteresisResult
        ``.table`` (= ``.to_frame()``): one row per crowding value: mean and CI of participation
        before (status quo), during and after the subsidy, and ``hysteresis`` = after - before
        (negative: the subsidy left participation lower than it found it). ``.ledgers`` maps each
        crowding value to its replicates' stacked ledgers (for plotting the trajectories).
    """
    level = check_level(level)
    if isinstance(crowding_values, (str, bytes, dict)) or not hasattr(crowding_values, "__iter__"):
        raise ParameterError(f"crowding_values must be a sequence of crowding_out values, got {crowding_values!r}")
    crowding_values = [check_value("crowding_out", v) for v in crowding_values]
    if not crowding_values:
        raise ParameterError("crowding_values is empty; give at least one crowding_out value")
    stop_step = check_positive(stop_step, "stop_step")
    window = check_positive(window, "window")
    n_residents, steps, n_reps, n_jobs, seed = _check_request(
        "subsidy", n_residents, steps, n_reps, n_jobs, seed, "sim.hysteresis", backend=backend,
        n_runs=(len(crowding_values) + 1) * n_reps if isinstance(n_reps, int) and not isinstance(n_reps, bool) else None)
    _check_params(params)
    if stop_step + window > steps:
        raise ParameterError(f"stop_step + window = {stop_step + window} must not exceed steps = {steps}")
    before = replicate("none", n_reps=n_reps, seed=seed, n_residents=n_residents, steps=window, n_jobs=n_jobs,
                       backend=backend, **params).runs["participation_mean"].to_numpy()
    rows, ledgers = [], {}
    for value in crowding_values:
        result = replicate("subsidy", n_reps=n_reps, seed=seed, n_residents=n_residents, steps=steps, n_jobs=n_jobs,
                           backend=backend, crowding_out=value, subsidy_stop_step=stop_step, **params)
        led = ledgers[float(value)] = result.ledgers
        during = led[(led["step"] > stop_step - window) & (led["step"] <= stop_step)].groupby("replicate")[
            "participation_rate"].mean().to_numpy()
        after = led[led["step"] > steps - window].groupby("replicate")["participation_rate"].mean().to_numpy()
        row = {"crowding_out": float(value)}
        for label, values in (("before", before), ("during", during), ("after", after),
                              ("hysteresis", after - before)):
            mean, low, high = confidence_interval(values, level=level)
            row.update({label: mean, f"{label}_ci_low": low, f"{label}_ci_high": high})
        rows.append(row)
    return HysteresisResult(pd.DataFrame(rows), ledgers, int(stop_step))


def granovetter_equilibrium(thresholds) -> float:
    """Closed-form equilibrium of Granovetter's model for a finite group.

    With thresholds as shares of a group of N, the cumulative distribution is
    F(r) = #{threshold <= r} / N, and the cascade that starts from nobody settles at the smallest
    fixed point r = F(r). Fixed points can only sit on the grid r = k / N, so the equilibrium is
    k* / N with k* the smallest k in 0..N such that #{threshold <= k / N} = k. Found by a direct
    search over k, not by running the cascade.

    Parameters
    ----------
    thresholds : array-like of float
        Thresholds as shares of the group, >= 0.

    Returns
    -------
    float
        The equilibrium participation rate.

    Examples
    --------
    >>> granovetter_equilibrium([k / 100 for k in range(100)])
    1.0
    >>> granovetter_equilibrium([0.0, 0.02] + [k / 100 for k in range(2, 100)])
    0.01
    """
    theta = np.sort(np.asarray(thresholds, dtype=float))
    if theta.ndim != 1 or theta.size == 0 or np.any(theta < 0) or not np.all(np.isfinite(theta)):
        raise ValueError("thresholds must be a non-empty 1-D array of finite shares >= 0")
    n = theta.size
    grid = np.arange(n + 1) / n
    counts = np.searchsorted(theta, grid, side="right")
    k_star = int(np.flatnonzero(counts == np.arange(n + 1))[0])
    return k_star / n


def granovetter_equilibrium_cdf(cdf, *, grid_size: int = 100_001) -> float:
    """Smallest fixed point r = F(r) on [0, 1] of a continuous threshold distribution F.

    Parameters
    ----------
    cdf : callable
        Vectorized cumulative distribution function of the thresholds (shares of the group).
    grid_size : int
        Points of the scan that brackets the first crossing, refined with Brent's method.

    Returns
    -------
    float

    Examples
    --------
    >>> from scipy import stats
    >>> round(granovetter_equilibrium_cdf(stats.uniform(0, 1).cdf), 6)  # F(r) = r: every r is a fixed point
    0.0
    """
    from scipy.optimize import brentq

    grid = np.linspace(0.0, 1.0, grid_size)
    gap = np.asarray(cdf(grid), dtype=float) - grid
    if gap[0] <= 0:
        return 0.0
    first = int(np.flatnonzero(gap <= 0)[0])
    if gap[first] == 0:
        return float(grid[first])
    return float(brentq(lambda r: float(cdf(r)) - r, grid[first - 1], grid[first], xtol=1e-12))
