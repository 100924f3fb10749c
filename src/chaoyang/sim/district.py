"""All of Chaoyang at 1:1: about 3.45 million residents in communities grouped into 43 subdistricts.

The district scenario runs the same rules as :class:`chaoyang.sim.ChaoyangModel` (one day per
step, the planted paths, Granovetter thresholds, the stakeholder ledger) on the district's real
population, with a lean engine: no per-resident mesa objects and no networkx graph of the whole
district, only NumPy arrays and the contact network as a SciPy CSR matrix.

What is sourced and what is assumed
-----------------------------------
* **Residents**: 3,452,460, the resident population of Chaoyang District in the seventh national
  census (1 November 2020), :data:`POPULATION_2020` (Chaoyang District's census communiqué, 2021).
* **Subdistricts**: 43 township-level units (24 subdistricts, *jiedao* 街道, and 19 areas, *diqu*
  地区); the communiqué counts 13 with more than 100,000 residents, 21 with 50,000-100,000 and 9
  with fewer than 50,000. The kit gives the 9 small ones 40,000 residents each, the 21 middle ones
  75,000 each and the 13 large ones the rest (about 116,700 each): an **assumption** that matches
  the communiqué's three counts, not the real populations (:func:`subdistricts`).
* **Communities** (*shequ* 社区): their number was not found in a citable source; the kit assumes
  :data:`COMMUNITY_SIZE` = 8,000 residents per community on average (**assumption**, range of the
  scenario: 2,000-20,000), which gives 432 communities. Each community has one party organization
  and ``officers_per_community`` community police officers (default 1, the model's default; also
  an assumption at this scale).
* **Brand**: the media reach is a district-wide daily probability per resident (as in the chapter's
  model); word of mouth travels through each community's network.

Memory and time
---------------
:mod:`tracemalloc` on the standard engine (50,000 residents, after set-up) counted about 2.6 kB
per resident, most of it in Python objects: the networkx graph of the whole population and the
Python integers of its edge list (about 0.85 kB), mesa's network cells and their weak references
(about 0.9 kB), one ``Resident`` agent each (0.1 kB). The lean engine keeps none of them: what
remains is the state arrays (float64) and the CSR adjacency with int32 indices, about
:data:`chaoyang.sim.limits.BYTES_PER_RESIDENT_LEAN` bytes per resident at the peak of a run
(:func:`chaoyang.sim.limits.check_district_size` estimates a request before any work and refuses
one that will not fit). Float64 is kept: with it the lean engine gives the same ledger as the
standard engine to the bit (``tests/test_sim_district.py``), and all of Chaoyang needs about
2.4 GB, a fifth of the 12 GB target, without float32.

Examples
--------
>>> table = subdistricts()
>>> len(table), int(table["population"].sum()), int(table["communities"].sum())
(43, 3452460, 432)
>>> result = run_district(scale=0.002, steps=5, seed=1)
>>> result.manifest["n_residents"], result.manifest["n_communities"]
(6905, 1)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from chaoyang._results import ResultMixin
from chaoyang._validate import check_seed
from chaoyang.sim.agents import BrandChannel, PartyOrganization, PoliceOfficer
from chaoyang.sim.limits import check_district_size, show_progress
from chaoyang.sim.model import ChaoyangModel
from chaoyang.sim.parameters import ParameterError, check_value
from chaoyang.sim.scenarios import check_regime, make_manifest

__all__ = ["COMMUNITY_SIZE", "POPULATION_2020", "SUBDISTRICT_BINS", "DistrictModel", "DistrictResult",
           "check_scale", "run_district", "subdistricts"]

#: Resident population of Chaoyang District, seventh national census, 1 November 2020.
POPULATION_2020 = 3_452_460
#: The census communiqué's counts of township-level units by size: (count, lower, upper residents).
SUBDISTRICT_BINS: tuple[tuple[int, int, float], ...] = ((9, 0, 50_000), (21, 50_000, 100_000),
                                                        (13, 100_000, math.inf))
#: Residents assumed in each small and middle subdistrict (the large ones take the rest); an assumption.
_ASSUMED_SIZES = (40_000, 75_000)
#: Mean residents per community: an assumption of the kit (no citable count of communities found).
COMMUNITY_SIZE = 8_000
#: Largest scale accepted (the memory estimate decides before that).
MAX_SCALE = 10.0


def check_scale(scale) -> float:
    """``scale`` as a float in (0, :data:`MAX_SCALE`]; raise ParameterError naming the range otherwise.

    Examples
    --------
    >>> check_scale(1)
    1.0
    """
    if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(scale)) or not 0 < float(scale) <= MAX_SCALE:
        raise ParameterError(f"scale={scale!r} must be a number greater than 0 and at most {MAX_SCALE:g} "
                             f"(1 = the whole district, {POPULATION_2020:,} residents)")
    return float(scale)


def subdistricts(scale: float = 1.0, *, community_size: int = COMMUNITY_SIZE) -> pd.DataFrame:
    """The 43 subdistricts of the scenario: assumed population and number of communities.

    Parameters
    ----------
    scale : float, default 1.0
        Share of the district's population, in (0, 10]; 1 = 1:1.
    community_size : int, default :data:`COMMUNITY_SIZE`
        Mean residents per community.

    Returns
    -------
    pandas.DataFrame
        One row per subdistrict (``S01`` .. ``S43``, smallest first): ``size_class`` (the census
        bin), ``population`` (at ``scale``, whole residents summing to ``round(scale * 3,452,460)``)
        and ``communities`` (the communities whose first resident falls in the subdistrict, so the
        column sums to the model's number of communities; a subdistrict can have none at small
        scales).

    Examples
    --------
    >>> subdistricts()["size_class"].value_counts().sort_index().to_dict()
    {'50,000-100,000': 21, 'over 100,000': 13, 'under 50,000': 9}
    """
    scale = check_scale(scale)
    community_size = check_value("community_size", community_size)
    small, middle = _ASSUMED_SIZES
    (n_small, *_), (n_middle, *_), (n_large, *_) = SUBDISTRICT_BINS
    large = (POPULATION_2020 - n_small * small - n_middle * middle) / n_large
    full = np.array([small] * n_small + [middle] * n_middle + [large] * n_large)
    n_residents = round(scale * POPULATION_2020)
    # whole residents by largest remainder, so that the column sums exactly
    exact = full / full.sum() * n_residents
    population = np.floor(exact).astype(np.int64)
    population[np.argsort(exact - population)[::-1][:n_residents - population.sum()]] += 1
    labels = ["under 50,000"] * n_small + ["50,000-100,000"] * n_middle + ["over 100,000"] * n_large
    first_resident = np.array([m[0] for m in np.array_split(np.arange(n_residents),
                                                           max(1, math.ceil(n_residents / community_size)))])
    owner = np.searchsorted(np.cumsum(population), first_resident, side="right")
    return pd.DataFrame({"subdistrict": [f"S{i + 1:02d}" for i in range(len(full))], "size_class": labels,
                         "population": population,
                         "communities": np.bincount(owner, minlength=len(full))})


class DistrictModel(ChaoyangModel):
    """The Chaoyang model with a lean set-up for district scale; same rules, same ledger.

    Differences from :class:`ChaoyangModel` are confined to the set-up: the contact network is
    built community by community (the same seeded Watts-Strogatz graphs, so the same random
    draws) straight into a CSR matrix with int32 indices, without a networkx graph of the whole
    population or mesa network cells; no ``Resident`` agents are created (``residents`` and
    ``space`` are None: resident state lives in the model's arrays, which the standard engine's
    residents only point into). Party organizations, police officers and the brand channel are
    the same mesa agents. ``tests/test_sim_district.py`` checks that both engines give identical
    ledgers for the same seed.

    Parameters
    ----------
    regime, n_residents, seed, world, **params
        As :class:`ChaoyangModel`.

    Examples
    --------
    >>> standard = ChaoyangModel("emotional", 600, seed=3).run(5)
    >>> DistrictModel("emotional", 600, seed=3).run(5).equals(standard)
    True
    """

    def _setup_network(self) -> None:
        p, n = self.p, self.n_residents
        rows, cols = [], []
        if p["network"] != "complete":
            for members in self.members:
                size = members.size
                if size < 2:
                    continue
                # the same graphs, drawn from the same seeds, as ChaoyangModel._setup_network
                if p["network"] == "small_world":
                    k = min(p["network_degree"], size - 1)
                    local = (nx.complete_graph(size) if k >= size - 1 else
                             nx.watts_strogatz_graph(size, k, p["rewiring"], seed=int(self.rng.integers(2**31))))
                else:
                    side = math.ceil(math.sqrt(size))
                    local = nx.convert_node_labels_to_integers(nx.grid_2d_graph(side, side), ordering="sorted")
                    local = local.subgraph(range(size))
                edges = np.array(local.edges(), dtype=np.int32).reshape(-1, 2) + np.int32(members[0])
                rows.append(edges[:, 0])
                cols.append(edges[:, 1])
        if rows:
            r, c = np.concatenate(rows), np.concatenate(cols)
            del rows, cols
            i, j = np.concatenate([r, c]), np.concatenate([c, r])
            del r, c
            self.adjacency = sparse.csr_matrix((np.ones(i.size), (i, j)), shape=(n, n))
            del i, j
        else:
            self.adjacency = sparse.csr_matrix((n, n))
        self.degree = np.asarray(self.adjacency.sum(axis=1)).ravel()
        self.space = None

    def _setup_agents(self) -> None:
        for c in range(self.n_communities):
            PartyOrganization(self, c)
            for _ in range(self.p["officers_per_community"]):
                PoliceOfficer(self, c)
        self.brand_channel = BrandChannel(self)
        self.residents = None
        self.party_organizations = self.agents_by_type[PartyOrganization]
        self.officers = self.agents_by_type.get(PoliceOfficer, mesa.agent.AgentSet([], random=self.random))

    def community_table(self) -> pd.DataFrame:
        """Each community's size, type and current participation share and mean willingness."""
        sizes = self.community_sizes
        share = np.bincount(self.community, weights=self.participating, minlength=self.n_communities) / sizes
        will = np.bincount(self.community, weights=self.latent["WIL"], minlength=self.n_communities) / sizes
        return pd.DataFrame({"community": np.arange(self.n_communities), "residents": sizes.astype(np.int64),
                             "community_type": self.community_types, "participation": share,
                             "willingness_mean": will})


class DistrictResult(ResultMixin):
    """One district run (returned by :func:`run_district`).

    Attributes
    ----------
    ledger : pandas.DataFrame
        District totals per day, columns :data:`chaoyang.sim.LEDGER_COLUMNS`.
    communities : pandas.DataFrame
        One row per community on the last day: ``community``, ``subdistrict``, ``residents``,
        ``community_type``, ``participation`` (share), ``willingness_mean``.
    subdistricts : pandas.DataFrame
        :func:`subdistricts` plus each subdistrict's participation share on the last day
        (resident-weighted; NaN for a subdistrict without communities at small scales).
    manifest : dict
        As :func:`chaoyang.sim.make_manifest`, plus ``scale``, ``n_communities``,
        ``memory_estimate_bytes``, ``seconds`` (wall clock) and ``cpu_seconds`` (CPU time of this
        process: on a machine shared with other work the wall clock grows, the CPU time does not).
    """

    def __init__(self, ledger, communities, subdistricts, manifest):
        self.ledger, self.communities, self.subdistricts, self.manifest = ledger, communities, subdistricts, manifest

    def metrics(self) -> dict[str, float]:
        """The outcome metrics of :func:`chaoyang.sim.summarize_run` for the district ledger."""
        from chaoyang.sim.analysis import summarize_run

        return summarize_run(self.ledger)

    def to_frame(self) -> pd.DataFrame:
        """The district ledger (a copy)."""
        return self.ledger.copy()

    def summary(self) -> str:
        """Plain text: size, then the participation spread over communities and the metrics."""
        m = self.manifest
        spread = self.communities["participation"].quantile([0.1, 0.5, 0.9]).to_numpy()
        lines = [f"Chaoyang district, regime {m['regime']!r}: {m['n_residents']:,} residents in "
                 f"{m['n_communities']:,} communities x {m['steps']:,} days (scale {m['scale']:g})",
                 f"participation on the last day across communities: 10th percentile {spread[0]:.3f}, "
                 f"median {spread[1]:.3f}, 90th percentile {spread[2]:.3f}"]
        lines += [f"  {name:<30} {value:>16,.4g}" for name, value in self.metrics().items()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"DistrictResult(regime={self.manifest['regime']!r}, n_residents={self.manifest['n_residents']:,}, "
                f"steps={len(self.ledger)})")


def run_district(regime: str = "emotional", *, scale: float = 1.0, steps: int = 365, seed=None, progress=None,
                 available: int | None = None, **params) -> DistrictResult:
    """Run the district scenario: all of Chaoyang (``scale=1``) or a proportional part of it.

    Every argument is checked and the memory is estimated before any work; a request that will
    not fit is refused with the estimate and the available memory.

    Parameters
    ----------
    regime : str, default "emotional"
        A regime of :data:`chaoyang.sim.REGIMES`.
    scale : float, default 1.0
        Share of the population, in (0, 10]: ``round(scale * 3,452,460)`` residents in communities
        of about ``community_size`` (default :data:`COMMUNITY_SIZE`).
    steps : int, default 365
        Days, 1 to :data:`chaoyang.sim.MAX_STEPS`.
    seed : None, int >= 0 or numpy.random.SeedSequence
        As :func:`chaoyang.sim.run`.
    progress : None, True or False
        Progress bar on stderr (tqdm); None shows it for long runs (every 1:1 run).
    available : int, optional
        Bytes of memory to assume available (default: what the operating system reports).
    **params
        Parameter overrides (:func:`chaoyang.sim.parameter_table`); ``community_size`` defaults
        to :data:`COMMUNITY_SIZE` here.

    Returns
    -------
    DistrictResult

    Raises
    ------
    ParameterError
        Unknown regime or parameter, a scale or size out of range.
    SeedError
        A seed that is a bool, float, string or negative.
    SizeError
        The estimated memory exceeds the available memory (the message gives both).

    Examples
    --------
    >>> result = run_district(scale=0.002, steps=3, seed=2)
    >>> len(result.ledger), len(result.communities)
    (3, 1)
    """
    check_regime(regime)
    seed = check_seed(seed)
    scale = check_scale(scale)
    params = {"community_size": COMMUNITY_SIZE, **params}
    for name, value in params.items():
        check_value(name, value)
    n_residents = round(scale * POPULATION_2020)
    n_residents, steps, estimate = check_district_size(n_residents, steps, where="sim.run_district",
                                                       available=available)
    start, cpu_start = time.perf_counter(), time.process_time()
    model = DistrictModel(regime, n_residents, seed=seed, **params)
    ledger = model.run(steps, progress=show_progress(progress, n_residents, steps))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    table = subdistricts(scale, community_size=params["community_size"])
    first = np.array([m[0] for m in model.members])
    owner = np.searchsorted(np.cumsum(table["population"].to_numpy()), first, side="right")
    communities = model.community_table()
    communities.insert(1, "subdistrict", table["subdistrict"].to_numpy()[owner])
    weighted = communities.assign(active=communities["participation"] * communities["residents"])
    grouped = weighted.groupby("subdistrict")[["active", "residents"]].sum()
    table["participation"] = table["subdistrict"].map(grouped["active"] / grouped["residents"])
    manifest = make_manifest(model, steps, scale=scale, n_communities=int(model.n_communities),
                             memory_estimate_bytes=float(estimate), seconds=round(seconds, 3),
                             cpu_seconds=round(cpu_seconds, 3))
    return DistrictResult(ledger, communities, table, manifest)


#: Metrics compared across scales; totals are divided by the residents (per 1,000 residents).
SCALE_METRICS = ("participation_mean", "participation_final", "willingness_final", "belonging_final",
                 "emotional_energy_mean", "safety_perceived_mean", "incidents_total", "prevented_total",
                 "government_cost_total", "police_hours_total", "resident_hours_total")
_TOTALS = {"incidents_total", "prevented_total", "government_cost_total", "police_hours_total",
           "resident_hours_total"}
#: Scale of the middle configuration: ten communities (as many as the chapter's sample) of exactly the
#: mean size they have at 1:1 (10 / 432 of the district: 79,918 residents).
SMALL_SCALE = 10 / math.ceil(POPULATION_2020 / COMMUNITY_SIZE)
#: Sanity run stored with the study and recomputed by the tests (a few seconds).
SANITY = {"scale": 0.002, "steps": 30}


def per_resident(metrics: dict, n_residents: int) -> dict[str, float]:
    """:data:`SCALE_METRICS` of one run, totals per 1,000 residents (so that sizes compare)."""
    return {k: float(metrics[k]) * (1000.0 / n_residents if k in _TOTALS else 1.0) for k in SCALE_METRICS}


def _interval(values: list[dict]) -> dict[str, dict[str, float]]:
    from chaoyang.sim.analysis import confidence_interval

    out = {}
    for k in SCALE_METRICS:
        mean, low, high = confidence_interval([v[k] for v in values])
        out[k] = {"mean": mean, "ci_low": low, "ci_high": high}
    return out


def scale_study(*, scale: float = 1.0, seed: int = 2024, n_reps: int = 10, progress=None) -> dict:
    """The 1:1 run compared with the chapter's 2,000-resident sample (what ``make district`` stores).

    Three configurations of regime ``"emotional"``, 365 days: (1) the chapter's sample, 2,000
    residents in ten communities of 200 (``n_reps`` replicates); (2) ten communities of the district
    (:data:`SMALL_SCALE`), exactly as large on average as at 1:1 (``n_reps`` replicates); (3) the
    district at ``scale`` (one run: at 1:1 the run-to-run spread of district means is tiny).
    (1) vs (2) isolates what the community size changes; (2) vs (3) what the number of residents
    changes. Totals are per 1,000 residents.

    Returns
    -------
    dict
        JSON-serializable: ``district`` (metrics, time, peak memory, community and subdistrict
        spread, daily participation), ``sample`` and ``small`` (mean and 95% interval per metric),
        ``sanity`` (metrics of a small district run that ``tests/test_sim_district.py`` recomputes)
        and ``provenance``.
    """
    import datetime
    import resource
    import subprocess

    from chaoyang.sim.analysis import replicate, spawn_seeds

    quantiles = [0.0, 0.1, 0.5, 0.9, 1.0]
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    big = run_district(scale=scale, seed=seed, progress=progress)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    n_big = big.manifest["n_residents"]
    district = {"scale": scale, "n_residents": n_big, "n_communities": big.manifest["n_communities"],
                "seconds": big.manifest["seconds"], "cpu_seconds": big.manifest["cpu_seconds"],
                "max_rss_mb": max_rss_mb,
                "memory_estimate_mb": big.manifest["memory_estimate_bytes"] / 1e6,
                # other work on the machine slows the run: the 1-minute load average before and after
                "load_average": [load_before, load_after], "cores": os.cpu_count(),
                "metrics": per_resident(big.metrics(), n_big),
                "community_participation": dict(zip(map(str, quantiles),
                                                    big.communities["participation"].quantile(quantiles).tolist())),
                "subdistrict_participation": dict(zip(map(str, quantiles),
                                                      big.subdistricts["participation"].quantile(quantiles).tolist())),
                "daily_participation": [round(v, 6) for v in big.ledger["participation_rate"].tolist()]}
    del big
    sample = replicate("emotional", n_reps=n_reps, seed=seed, n_residents=2000, steps=365)
    sample_values = [per_resident(row, 2000) for row in sample.runs.to_dict("records")]
    small_values, small_spread = [], []
    for child in spawn_seeds(seed, n_reps):
        run = run_district(scale=SMALL_SCALE, seed=child, progress=False)
        small_values.append(per_resident(run.metrics(), run.manifest["n_residents"]))
        small_spread.append(float(run.communities["participation"].std(ddof=1)))
    sanity = run_district(seed=seed, progress=False, **SANITY)
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {"district": district, "sample": {"n_residents": 2000, "community_size": 200, "n_reps": n_reps,
                                             "metrics": _interval(sample_values)},
            "small": {"scale": SMALL_SCALE, "n_residents": round(SMALL_SCALE * POPULATION_2020), "n_reps": n_reps,
                      "metrics": _interval(small_values),
                      "community_participation_sd": float(np.mean(small_spread))},
            "sanity": {**SANITY, "seed": seed, "metrics": sanity.metrics()},
            "provenance": {"command": "make district", "seed": seed, "commit_before_run": commit,
                           "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                           "versions": big_versions()}}


def big_versions() -> dict[str, str]:
    """Package versions recorded with the study (those of :func:`chaoyang.sim.make_manifest`)."""
    from chaoyang.sim.scenarios import _versions

    return _versions()


def main(argv=None) -> None:  # pragma: no cover - the make target's entry point, exercised by hand
    """``python -m chaoyang.sim.district --out FILE``: the 1:1 run and the comparison, into a JSON file."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    study = scale_study(scale=args.scale, seed=args.seed)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(study, handle, indent=1)
        handle.write("\n")
    print(f"wrote {args.out}: 1:1 run {study['district']['seconds']:.0f} s, peak RSS "
          f"{study['district']['max_rss_mb']:,.0f} MB")


if __name__ == "__main__":  # pragma: no cover
    main()
