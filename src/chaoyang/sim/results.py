"""Result objects of the simulation: one run, replicates, comparisons, sweeps and sensitivity analyses.

Every object follows :class:`chaoyang._results.ResultMixin`: ``.summary()`` is plain text,
``.to_frame()`` a tidy :class:`pandas.DataFrame` (a copy: changing it leaves the result intact), and
the notebook shows the summary's first line over the table. The manifest of a run (resolved
parameters, seed, versions) is an attribute of the result, not of the DataFrame, so that pandas
operations cannot drop it.

Examples
--------
>>> from chaoyang import sim
>>> result = sim.run("emotional", n_residents=200, steps=5, seed=1)
>>> type(result).__name__, len(result.ledger), result.manifest["steps"]
('SimResult', 5, 5)
>>> print(result.summary().splitlines()[0])
Chaoyang model, regime 'emotional': 200 residents x 5 days
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin

__all__ = ["ComparisonResult", "HysteresisResult", "OfatResult", "ReplicateResult", "SimResult", "SobolResult",
           "SweepResult"]


def _fmt(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "undefined"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


@dataclass(repr=False, eq=False)
class SimResult(ResultMixin):
    """One run of the Chaoyang model (returned by :func:`chaoyang.sim.run`).

    Attributes
    ----------
    ledger : pandas.DataFrame
        One row per day, columns :data:`chaoyang.sim.LEDGER_COLUMNS`.
    manifest : dict
        JSON-serializable: regime, sizes, every resolved parameter, the seed (entropy and spawn
        key, enough to repeat the run), package versions, creation time.
    """

    ledger: pd.DataFrame
    manifest: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The ledger (a copy)."""
        return self.ledger.copy()

    def metrics(self) -> dict[str, float]:
        """The run's outcome metrics (:func:`chaoyang.sim.summarize_run`)."""
        from chaoyang.sim.analysis import summarize_run

        return summarize_run(self.ledger)

    def summary(self) -> str:
        """Plain text: the run's size and seed, then each outcome metric with its unit.

        ``cost_per_prevented_incident`` reads "undefined" when no incident was prevented.
        """
        from chaoyang.sim.analysis import METRICS

        m = self.manifest
        lines = [f"Chaoyang model, regime {m.get('regime')!r}: {m.get('n_residents', 0):,} residents x "
                 f"{m.get('steps', len(self.ledger)):,} days",
                 f"seed entropy {m.get('seed', {}).get('entropy')}, spawn key {m.get('seed', {}).get('spawn_key')}"]
        for name, value in self.metrics().items():
            lines.append(f"  {name:<30} {_fmt(value):>14}   {METRICS[name][2]}")
        return "\n".join(lines)

    def save(self, folder) -> Path:
        """Write ``ledger.csv`` and ``manifest.json`` into ``folder`` (created if missing)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.ledger.to_csv(folder / "ledger.csv", index=False)
        (folder / "manifest.json").write_text(json.dumps(self.manifest, indent=2), encoding="utf-8")
        return folder

    def __repr__(self) -> str:
        m = self.manifest
        return (f"SimResult(regime={m.get('regime')!r}, n_residents={m.get('n_residents')}, "
                f"steps={len(self.ledger)})")

    def __getitem__(self, key):
        # sim.run returned the ledger itself before chaoyang 1.0; say how to update old code.
        raise TypeError(f"sim.run() returns a SimResult since chaoyang 1.0; index its ledger instead: "
                        f"result.ledger[{key!r}]")


@dataclass(repr=False, eq=False)
class _TableResult(ResultMixin):
    """A result whose tidy table is ``table``; ``to_frame()`` returns a copy of it."""

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The result table (a copy)."""
        return self.table.copy()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.table)} rows)"


@dataclass(repr=False, eq=False)
class ReplicateResult(_TableResult):
    """Replicates of one scenario (returned by :func:`chaoyang.sim.replicate`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per metric: ``metric``, ``stakeholder``, ``mean``, ``sd``, ``ci_low``, ``ci_high``
        (Student-t interval at ``level``), ``n_reps``.
    ledgers : pandas.DataFrame
        Every replicate's ledger stacked, with a ``replicate`` column.
    runs : pandas.DataFrame
        One row per replicate: ``replicate`` and the metrics of :data:`chaoyang.sim.METRICS`.
    manifest : dict
        Regime, parameters, master seed, each replicate's seed, ``n_reps``, ``level``, versions.
    """

    ledgers: pd.DataFrame = None
    runs: pd.DataFrame = None
    manifest: dict = field(default_factory=dict)

    def summary(self) -> str:
        """Plain text: scenario, replicates, and each metric's mean with its interval."""
        m = self.manifest
        level = m.get("level", 0.95)
        lines = [f"Replicates of regime {m.get('regime')!r}: {m.get('n_reps')} x {m.get('n_residents', 0):,} "
                 f"residents x {m.get('steps')} days; mean and {level:.0%} Student-t interval"]
        for row in self.table.itertuples():
            lines.append(f"  {row.metric:<30} {_fmt(row.mean):>14}  [{_fmt(row.ci_low)}, {_fmt(row.ci_high)}]")
        return "\n".join(lines)

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
        self.table.to_csv(folder / "summary.csv", index=False)
        (folder / "manifest.json").write_text(json.dumps(self.manifest, indent=2), encoding="utf-8")
        return folder


@dataclass(repr=False, eq=False)
class ComparisonResult(_TableResult):
    """Two regimes over paired replicates (returned by :func:`chaoyang.sim.compare_regimes`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per metric (see :func:`chaoyang.sim.compare_regimes`).
    results : dict of str -> ReplicateResult
        Each regime's replicates.
    regimes : tuple of str
    level : float
    """

    results: dict = field(default_factory=dict)
    regimes: tuple = ()
    level: float = 0.95

    def summary(self) -> str:
        """Plain text: which regime each metric favours, with the paired difference and its interval."""
        a, b = self.regimes
        n_reps = self.results[a].manifest.get("n_reps") if a in self.results else None
        lines = [f"{a} vs {b}: paired difference ({a} - {b}) over {n_reps} replicates, {self.level:.0%} interval"]
        for row in self.table.itertuples():
            lines.append(f"  {row.metric:<30} {_fmt(row.difference):>14}  [{_fmt(row.diff_ci_low)}, "
                         f"{_fmt(row.diff_ci_high)}]  favours {row.favours}")
        return "\n".join(lines)


@dataclass(repr=False, eq=False)
class SweepResult(_TableResult):
    """Replicated runs over one parameter's values (returned by :func:`chaoyang.sim.sweep`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (value, replicate): the parameter's value, ``replicate`` and every metric.
    parameter : str
    """

    parameter: str = ""

    def summary(self) -> str:
        """Plain text: mean participation and cost per prevented incident at each value."""
        means = self.table.groupby(self.parameter)[["participation_mean", "cost_per_prevented_incident"]].mean()
        lines = [f"Sweep of {self.parameter}: {self.table['replicate'].nunique()} replicates per value (means)"]
        for value, row in means.iterrows():
            lines.append(f"  {self.parameter} = {value:<10g} participation {row['participation_mean']:.3f}, "
                         f"cost per prevented incident {_fmt(row['cost_per_prevented_incident'])} yuan")
        return "\n".join(lines)


@dataclass(repr=False, eq=False)
class OfatResult(_TableResult):
    """One-factor-at-a-time sensitivity (returned by :func:`chaoyang.sim.ofat`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (parameter, value): ``mean``, ``ci_low``, ``ci_high`` of the outcome.
    importance : pandas.Series
        Each parameter's range of the mean outcome (max - min), largest first.
    outcome : str
    """

    importance: pd.Series = None
    outcome: str = ""

    def summary(self) -> str:
        """Plain text: the parameters ranked by the range of the mean outcome."""
        lines = [f"One-factor-at-a-time sensitivity of {self.outcome}: range of the mean outcome"]
        lines += [f"  {name:<30} {_fmt(value)}" for name, value in self.importance.items()]
        return "\n".join(lines)


@dataclass(repr=False, eq=False)
class SobolResult(_TableResult):
    """Sobol indices (returned by :func:`chaoyang.sim.sobol`).

    Attributes
    ----------
    table : pandas.DataFrame
        Index = parameter; ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (half-widths of the bootstrap
        intervals at ``level``).
    samples : pandas.DataFrame
        The sampled parameter values and the outcome at each.
    outcome : str
    n_base : int
        Saltelli's base sample size N.
    level : float
    seed_entropy : int
        Entropy of the master seed (repeat with ``seed=numpy.random.SeedSequence(seed_entropy)``).
    """

    samples: pd.DataFrame = None
    outcome: str = ""
    n_base: int = 0
    level: float = 0.95
    seed_entropy: object = None

    def summary(self) -> str:
        """Plain text: first-order and total indices with their interval half-widths."""
        lines = [f"Sobol indices of {self.outcome}: base sample {self.n_base}, {len(self.samples)} model "
                 f"evaluations; +/- {self.level:.0%} bootstrap half-width"]
        for name, row in self.table.iterrows():
            lines.append(f"  {name:<30} S1 {row['S1']:.3f} +/- {row['S1_conf']:.3f}   ST {row['ST']:.3f} "
                         f"+/- {row['ST_conf']:.3f}")
        return "\n".join(lines)


@dataclass(repr=False, eq=False)
class HysteresisResult(_TableResult):
    """The withdrawal shock (returned by :func:`chaoyang.sim.hysteresis`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per crowding-out value: participation before, during, after, and ``hysteresis``
        (after - before), each with its interval.
    ledgers : dict of float -> pandas.DataFrame
        Each crowding-out value's replicates' stacked ledgers.
    stop_step : int
    """

    ledgers: dict = field(default_factory=dict)
    stop_step: int = 0

    def summary(self) -> str:
        """Plain text: hysteresis (after - before) with its interval at each crowding-out value."""
        lines = [f"Withdrawal shock after day {self.stop_step}: participation after minus before the subsidy"]
        for row in self.table.itertuples():
            lines.append(f"  crowding_out = {row.crowding_out:<6g} {row.hysteresis:+.3f}  "
                         f"[{row.hysteresis_ci_low:+.3f}, {row.hysteresis_ci_high:+.3f}]")
        return "\n".join(lines)
