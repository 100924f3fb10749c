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
>>> list(result.summary.columns)
['metric', 'stakeholder', 'mean', 'sd', 'ci_low', 'ci_high', 'n_reps']
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from chaoyang.sim.model import ChaoyangModel
from chaoyang.sim.parameters import PARAMETERS, ParameterError, check_value
from chaoyang.sim.scenarios import make_manifest

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
}


def summarize_run(ledger: pd.DataFrame, tail: int = 30) -> dict[str, float]:
    """Reduce one ledger to the outcome metrics of :data:`METRICS`.

    Parameters
    ----------
    ledger : pandas.DataFrame
        A ledger from :func:`chaoyang.sim.run` (not modified).
    tail : int, default 30
        Days at the end averaged for the ``*_final`` participation metric.

    Returns
    -------
    dict
        Metric -> value. ``cost_per_prevented_incident`` is NaN when nothing was prevented.
    """
    if len(ledger) == 0:
        raise ValueError("the ledger is empty; run at least one step")
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
    }
    return out


def confidence_interval(values, level: float = 0.95) -> tuple[float, float, float]:
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
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
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
    seed : int, SeedSequence or None
    n : int
        Number of children, >= 1.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n_reps must be a whole number >= 1, got {n!r}")
    master = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return master.spawn(int(n))


def _one_run(regime, n_residents, steps, child, params):
    model = ChaoyangModel(regime, n_residents, seed=child, **params)
    ledger = model.run(steps)
    return ledger, make_manifest(model, steps)


def _run_many(jobs, n_jobs: int):
    """Run (regime, n_residents, steps, child, params) jobs, in parallel if n_jobs > 1."""
    if n_jobs == 1:
        return [_one_run(*job) for job in jobs]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(delayed(_one_run)(*job) for job in jobs)


def _check_sizes(n_residents, steps, n_jobs):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ParameterError(f"steps must be a whole number >= 1 (days), got {steps!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise ParameterError(f"n_jobs must be a non-zero whole number (joblib convention), got {n_jobs!r}")


@dataclass
class ReplicateResult:
    """Replicates of one scenario.

    Attributes
    ----------
    ledgers : pandas.DataFrame
        Every replicate's ledger stacked, with a ``replicate`` column.
    runs : pandas.DataFrame
        One row per replicate: the metrics of :data:`METRICS`.
    summary : pandas.DataFrame
        One row per metric: mean, SD and 95% confidence interval over replicates.
    manifest : dict
        Regime, parameters, master seed, each replicate's seed, versions.
    """

    ledgers: pd.DataFrame
    runs: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict = field(default_factory=dict)

    def save(self, folder) -> Path:
        """Write ``ledgers.csv``, ``runs.csv``, ``summary.csv`` and ``manifest.json`` into ``folder``.

        Returns
        -------
        pathlib.Path
            The folder (created if missing).
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.ledgers.to_csv(folder / "ledgers.csv", index=False)
        self.runs.to_csv(folder / "runs.csv", index=False)
        self.summary.to_csv(folder / "summary.csv", index=False)
        (folder / "manifest.json").write_text(json.dumps(self.manifest, indent=2), encoding="utf-8")
        return folder


def summarize_replicates(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean, SD and confidence interval of every metric over replicates (rows of ``runs``)."""
    rows = []
    for metric in METRICS:
        mean, low, high = confidence_interval(runs[metric], level)
        rows.append({"metric": metric, "stakeholder": METRICS[metric][0], "mean": mean,
                     "sd": float(runs[metric].std(ddof=1)) if len(runs) > 1 else 0.0,
                     "ci_low": low, "ci_high": high, "n_reps": int(runs[metric].notna().sum())})
    return pd.DataFrame(rows)


def replicate(regime: str = "emotional", *, n_reps: int = 30, seed=None, n_residents: int = 2000,
              steps: int = 365, n_jobs: int = 1, **params) -> ReplicateResult:
    """Run ``n_reps`` replicates, each with its own seed, and summarize with confidence intervals.

    Parameters
    ----------
    regime : {"emotional", "subsidy", "none"}
    n_reps : int, default 30
        Number of replicates, >= 1.
    seed : int, SeedSequence or None
        Master seed; replicate ``r`` uses ``SeedSequence(seed).spawn(n_reps)[r]``.
    n_residents, steps : int
        As in :func:`chaoyang.sim.run`.
    n_jobs : int, default 1
        Parallel processes (joblib); results do not depend on it.
    **params
        Parameter overrides.

    Returns
    -------
    ReplicateResult

    Examples
    --------
    >>> r = replicate("subsidy", n_reps=2, seed=3, n_residents=200, steps=10)
    >>> r.runs["replicate"].tolist()
    [0, 1]
    """
    _check_sizes(n_residents, steps, n_jobs)
    children = spawn_seeds(seed, n_reps)
    outputs = _run_many([(regime, n_residents, steps, child, params) for child in children], n_jobs)
    ledgers, runs, manifests = [], [], []
    for r, (ledger, manifest) in enumerate(outputs):
        ledgers.append(ledger.assign(replicate=r))
        runs.append({"replicate": r, **summarize_run(ledger)})
        manifests.append(manifest["seed"])
    runs_frame = pd.DataFrame(runs)
    manifest = dict(outputs[0][1])
    manifest["seed"] = {"master_entropy": children[0].entropy, "replicates": manifests}
    manifest["n_reps"] = int(n_reps)
    return ReplicateResult(pd.concat(ledgers, ignore_index=True), runs_frame, summarize_replicates(runs_frame),
                           manifest)


def compare_regimes(regimes=("emotional", "subsidy"), *, n_reps: int = 30, seed=None, n_residents: int = 2000,
                    steps: int = 365, n_jobs: int = 1, level: float = 0.95, regime_params: dict | None = None,
                    **params) -> pd.DataFrame:
    """Compare two regimes over paired replicates (same seeds for both).

    Parameters
    ----------
    regimes : pair of str, default ("emotional", "subsidy")
    n_reps, seed, n_residents, steps, n_jobs, level
        As in :func:`replicate`.
    regime_params : dict, optional
        Regime -> overrides applied to that regime only, e.g. ``{"subsidy": {"pay_per_hour": 8.0}}``
        (a plain ``pay_per_hour=8.0`` would make *both* regimes pay).
    **params
        Overrides applied to both regimes.

    Returns
    -------
    pandas.DataFrame
        One row per metric: stakeholder, direction (``better``), each regime's mean and CI, the
        paired difference (first minus second) with its CI, and ``favours``: the regime the metric
        favours when the difference's CI excludes 0, else ``"neither (CI includes 0)"``.
        ``attrs["results"]`` holds both :class:`ReplicateResult` objects.

    Examples
    --------
    >>> table = compare_regimes(n_reps=3, seed=2, n_residents=200, steps=30)
    >>> set(table["favours"]) <= {"emotional", "subsidy", "neither (CI includes 0)"}
    True
    """
    if len(regimes) != 2 or regimes[0] == regimes[1]:
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
    master = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    results = [replicate(regime, n_reps=n_reps, seed=master, n_residents=n_residents, steps=steps,
                         n_jobs=n_jobs, **params, **regime_params.get(regime, {})) for regime in regimes]
    a, b = (res.runs for res in results)
    rows = []
    for metric, (stakeholder, better, meaning) in METRICS.items():
        mean_a, low_a, high_a = confidence_interval(a[metric], level)
        mean_b, low_b, high_b = confidence_interval(b[metric], level)
        diff, low_d, high_d = confidence_interval(a[metric] - b[metric], level)
        if low_d > 0 or high_d < 0:
            first_better = (diff > 0) == (better == "higher")
            favours = regimes[0] if first_better else regimes[1]
        else:
            favours = "neither (CI includes 0)"
        rows.append({"metric": metric, "stakeholder": stakeholder, "better": better,
                     f"{regimes[0]}_mean": mean_a, f"{regimes[0]}_ci_low": low_a, f"{regimes[0]}_ci_high": high_a,
                     f"{regimes[1]}_mean": mean_b, f"{regimes[1]}_ci_low": low_b, f"{regimes[1]}_ci_high": high_b,
                     "difference": diff, "diff_ci_low": low_d, "diff_ci_high": high_d, "favours": favours,
                     "meaning": meaning})
    table = pd.DataFrame(rows)
    table.attrs["results"] = dict(zip(regimes, results))
    return table


def sweep(parameter: str, values, *, regime: str = "emotional", n_reps: int = 5, seed=None,
          n_residents: int = 2000, steps: int = 365, n_jobs: int = 1, **params) -> pd.DataFrame:
    """Replicated runs over the values of one parameter (the same replicate seeds at every value).

    Parameters
    ----------
    parameter : str
        A parameter name (see :func:`chaoyang.sim.parameter_table`).
    values : sequence
        Values to try; each is checked against the parameter's range.
    regime, n_reps, seed, n_residents, steps, n_jobs, **params
        As in :func:`replicate`.

    Returns
    -------
    pandas.DataFrame
        One row per (value, replicate): the parameter value, ``replicate`` and every metric.

    Examples
    --------
    >>> table = sweep("ritual_rate", [0.0, 0.5], n_reps=2, seed=1, n_residents=200, steps=20)
    >>> table.groupby("ritual_rate").size().tolist()
    [2, 2]
    """
    _check_sizes(n_residents, steps, n_jobs)
    values = [check_value(parameter, v) for v in values]
    if parameter in params:
        raise ParameterError(f"parameter {parameter!r} is swept; do not also pass it as a fixed override")
    children = spawn_seeds(seed, n_reps)
    jobs = [(regime, n_residents, steps, child, {**params, parameter: value})
            for value in values for child in children]
    outputs = _run_many(jobs, n_jobs)
    rows = []
    for (job, (ledger, _)) in zip(jobs, outputs):
        rows.append({parameter: job[4][parameter], "replicate": children.index(job[3]), **summarize_run(ledger)})
    return pd.DataFrame(rows)


def ofat(ranges: dict, *, outcome: str = "participation_mean", regime: str = "emotional", n_points: int = 5,
         n_reps: int = 5, seed=None, n_residents: int = 2000, steps: int = 365, n_jobs: int = 1,
         level: float = 0.95, **params) -> pd.DataFrame:
    """One-factor-at-a-time sensitivity: vary each parameter over its range, the others at default.

    Parameters
    ----------
    ranges : dict
        Parameter name -> (low, high); ``n_points`` evenly spaced values are run (rounded for whole-number parameters).
    outcome : str, default "participation_mean"
        A metric of :data:`METRICS`.
    n_points : int, default 5
        Values per parameter, >= 2.
    regime, n_reps, seed, n_residents, steps, n_jobs, level, **params
        As in :func:`replicate`.

    Returns
    -------
    pandas.DataFrame
        One row per (parameter, value): mean outcome and its CI over replicates; ``attrs["range"]``
        holds each parameter's outcome range (max - min of the means), the OFAT importance.

    Examples
    --------
    >>> table = ofat({"ritual_rate": (0.0, 0.5)}, n_points=2, n_reps=2, seed=1, n_residents=200, steps=20)
    >>> table["value"].tolist()
    [0.0, 0.5]
    """
    _check_outcome(outcome)
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 2:
        raise ParameterError(f"n_points must be a whole number >= 2, got {n_points!r}")
    rows = []
    for name, (low, high) in ranges.items():
        values = np.linspace(low, high, n_points)
        if PARAMETERS.get(name) is not None and PARAMETERS[name].kind == "int":
            values = np.unique(np.round(values).astype(int))
        table = sweep(name, values.tolist(), regime=regime, n_reps=n_reps, seed=seed, n_residents=n_residents,
                      steps=steps, n_jobs=n_jobs, **params)
        for value, group in table.groupby(name, sort=True):
            mean, ci_low, ci_high = confidence_interval(group[outcome], level)
            rows.append({"parameter": name, "value": float(value), "mean": mean, "ci_low": ci_low,
                         "ci_high": ci_high})
    frame = pd.DataFrame(rows)
    frame.attrs["range"] = frame.groupby("parameter")["mean"].agg(lambda s: s.max() - s.min()).sort_values(
        ascending=False).to_dict()
    return frame


def _check_outcome(outcome: str) -> None:
    if outcome not in METRICS:
        raise ParameterError(f"unknown outcome {outcome!r}; valid outcomes: {', '.join(METRICS)}")


def sobol(ranges: dict, *, outcome: str = "participation_mean", regime: str = "emotional", n_base: int = 16,
          seed: int = 0, n_reps: int = 1, n_residents: int = 500, steps: int = 120, n_jobs: int = 1) -> pd.DataFrame:
    """Sobol variance-based sensitivity indices (SALib: Saltelli sampling, Sobol analysis).

    First-order (S1) and total (ST) indices, without second-order terms. The cost is
    ``n_base * (k + 2) * n_reps`` runs for ``k`` parameters, so keep the model small.

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
        Base sample size; a power of 2 (Sobol sequence), >= 2.
    seed : int, default 0
        Seeds the Sobol sequence scrambling, the bootstrap of the confidence intervals, and the
        model runs (the ``n_reps`` seeds spawned from it, shared by every sample point).
    n_reps : int, default 1
        Seeds averaged per sample point.
    n_residents, steps : int
        Model size for each run (small by default).
    n_jobs : int, default 1

    Returns
    -------
    pandas.DataFrame
        Index = parameter; columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (95% bootstrap
        half-widths). ``attrs["samples"]`` holds the sampled parameter values and outcomes.

    Examples
    --------
    >>> table = sobol({"ritual_rate": (0.0, 0.5), "police_gain": (0.0, 0.5)}, n_base=4,
    ...               n_residents=100, steps=10)
    >>> list(table.columns)
    ['S1', 'S1_conf', 'ST', 'ST_conf']
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    _check_outcome(outcome)
    if isinstance(n_base, bool) or not isinstance(n_base, (int, np.integer)) or n_base < 2 or n_base & (n_base - 1):
        raise ParameterError(f"n_base must be a power of 2 >= 2, got {n_base!r}")
    names = list(ranges)
    for name in names:
        low, high = ranges[name]
        if name not in PARAMETERS or PARAMETERS[name].kind != "float":
            raise ParameterError(f"Sobol analysis needs float parameters; {name!r} is not one")
        check_value(name, low)
        check_value(name, high)
        if not low < high:
            raise ParameterError(f"range of {name!r} must have low < high, got ({low}, {high})")
    problem = {"num_vars": len(names), "names": names, "bounds": [list(ranges[n]) for n in names]}
    samples = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    children = spawn_seeds(seed, n_reps)
    jobs = [(regime, n_residents, steps, child, dict(zip(names, map(float, row))))
            for row in samples for child in children]
    outputs = _run_many(jobs, n_jobs)
    y = np.array([summarize_run(ledger)[outcome] for ledger, _ in outputs]).reshape(len(samples), n_reps).mean(axis=1)
    indices = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    table = pd.DataFrame({"S1": indices["S1"], "S1_conf": indices["S1_conf"], "ST": indices["ST"],
                          "ST_conf": indices["ST_conf"]}, index=pd.Index(names, name="parameter"))
    table.attrs["samples"] = pd.DataFrame(samples, columns=names).assign(**{outcome: y})
    return table


def hysteresis(crowding_values=(0.0, 0.5, 1.0), *, stop_step: int = 180, steps: int = 365, n_reps: int = 5,
               seed=None, n_residents: int = 2000, window: int = 30, n_jobs: int = 1, **params) -> pd.DataFrame:
    """Withdrawal shock: a subsidy stopped after day ``stop_step``, for several crowding-out strengths.

    Parameters
    ----------
    crowding_values : sequence of float
        Values of ``crowding_out``.
    stop_step : int, default 180
        Last paid day.
    steps, n_reps, seed, n_residents, n_jobs, **params
        As in :func:`replicate` (regime "subsidy").
    window : int, default 30
        Days averaged for each phase: before (the status quo, read from a "none" run with the same
        seeds, because the subsidy pays from day 1), during (the last ``window`` paid days) and
        after withdrawal (the last ``window`` days of the run).

    Returns
    -------
    pandas.DataFrame
        One row per crowding value: mean and CI of participation before (status quo), during and
        after the subsidy, and ``hysteresis`` = after - before (negative: the subsidy left
        participation lower than it found it). ``attrs["ledgers"]`` maps each crowding value to
        its replicates' stacked ledgers (for plotting the trajectories).
    """
    if stop_step + window > steps:
        raise ParameterError(f"stop_step + window = {stop_step + window} must not exceed steps = {steps}")
    before = replicate("none", n_reps=n_reps, seed=seed, n_residents=n_residents, steps=window, n_jobs=n_jobs,
                       **params).runs["participation_mean"].to_numpy()
    rows, ledgers = [], {}
    for value in crowding_values:
        result = replicate("subsidy", n_reps=n_reps, seed=seed, n_residents=n_residents, steps=steps, n_jobs=n_jobs,
                           crowding_out=value, subsidy_stop_step=stop_step, **params)
        led = ledgers[float(value)] = result.ledgers
        during = led[(led["step"] > stop_step - window) & (led["step"] <= stop_step)].groupby("replicate")[
            "participation_rate"].mean().to_numpy()
        after = led[led["step"] > steps - window].groupby("replicate")["participation_rate"].mean().to_numpy()
        row = {"crowding_out": float(value)}
        for label, values in (("before", before), ("during", during), ("after", after),
                              ("hysteresis", after - before)):
            mean, low, high = confidence_interval(values)
            row.update({label: mean, f"{label}_ci_low": low, f"{label}_ci_high": high})
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["ledgers"] = ledgers
    return table


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
