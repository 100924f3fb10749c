"""Benchmark of the Chaoyang agent-based model (chaoyang.sim): speed, memory, cost of the mesa structure.

Targets (from the issue): default scenario (2,000 residents, 365 daily steps) under 5 s; 10,000
residents x 365 steps under 30 s and under 1 GB; mesa model no more than 5x slower than a
vectorised NumPy version of the same update rule, which is kept here as the baseline (no mesa
agents, no AgentSet, no network space: every community's rituals and police contacts are done at
once on arrays). Both are run in this process, one after the other, so the ratio is fair.

Run: ``.venv/bin/python benchmarks/bench_sim.py`` (about a minute). Not a test: nothing here fails.
"""

from __future__ import annotations

import math
import os
import resource
import statistics
import sys
import time
import tracemalloc

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402

from chaoyang import sim  # noqa: E402
from chaoyang.sim.parameters import OPPORTUNITY_BY_TYPE, resolve  # noqa: E402
from chaoyang.world import DEFAULT_WORLD, DRIVERS, LATENT_ORDER, PARTICIPATION_FORMS  # noqa: E402


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_model(regime: str, n: int, steps: int, seed: int) -> np.ndarray:
    """The same update rule as ChaoyangModel.step, in plain vectorised NumPy.

    Returns the participation rate of every step (to check that both give the same picture).
    """
    p = resolve(regime, n, {})
    world = DEFAULT_WORLD
    rng = np.random.default_rng(seed)
    # --- communities
    n_comm = max(1, math.ceil(n / p["community_size"]))
    members = np.array_split(np.arange(n), n_comm)
    community = np.repeat(np.arange(n_comm), [m.size for m in members])
    sizes = np.array([m.size for m in members], dtype=float)
    first = np.array([m[0] for m in members])
    keys = [t.key for t in world.community_types]
    type_index = rng.choice(len(keys), size=n_comm, p=world.type_shares)
    shift = rng.normal(0.0, world.community_sd, size=(n_comm, 3))
    opportunity = np.array([OPPORTUNITY_BY_TYPE[keys[i]] for i in type_index])
    # --- residents
    latent = world.draw_latent(rng, n, type_index=type_index[community], community_shift=shift[community])
    drivers0 = np.column_stack([latent[d] for d in DRIVERS])
    boost = np.zeros_like(drivers0)
    ee_ritual = np.zeros(n)
    B = world.coefficient_matrix
    equations, disturbance = {}, {}
    for j in range(3, len(LATENT_ORDER)):
        target = LATENT_ORDER[j]
        equations[target] = [(LATENT_ORDER[k], B[j, k]) for k in range(j) if B[j, k] != 0]
        explained = sum(c * latent[s] for s, c in equations[target])
        if target == "WIL":
            explained = explained + world.config_boost * world.configuration_term(latent)
        disturbance[target] = latent[target] - explained
    types = world.community_types
    resident_type = type_index[community]
    party = rng.random(n) < np.array([types[i].party_share for i in resident_type])
    age = np.clip(rng.normal(np.array([types[i].age_mean for i in resident_type]), 15.0), 18, 95)
    noise = rng.normal(size=(n, 6))
    thresholds = rng.normal(p["threshold_mean"], p["threshold_sd"], size=n)
    coef = world.participation
    loading = np.array([coef[f]["willingness"] for f in PARTICIPATION_FORMS])
    form_base = (np.outer(party, [coef[f]["party"] for f in PARTICIPATION_FORMS])
                 + np.outer((age - 50) / 15, [coef[f]["age"] for f in PARTICIPATION_FORMS])
                 + np.array([coef[f]["intercept"] for f in PARTICIPATION_FORMS]) + noise)
    # --- network (block-diagonal small worlds)
    rows, cols = [], []
    for m in members:
        g = nx.watts_strogatz_graph(m.size, min(p["network_degree"], m.size - 1), p["rewiring"],
                                    seed=int(rng.integers(2**31)))
        e = np.array(g.edges(), dtype=np.int64).reshape(-1, 2) + m[0]
        rows.append(e[:, 0])
        cols.append(e[:, 1])
    r, c = np.concatenate(rows), np.concatenate(cols)
    A = sparse.csr_matrix((np.ones(2 * r.size), (np.r_[r, c], np.r_[c, r])), shape=(n, n))
    degree = np.asarray(A.sum(axis=1)).ravel()

    def constructs():
        d = drivers0 + boost
        lat = {name: d[:, j] for j, name in enumerate(DRIVERS)}
        for target, sources in equations.items():
            if target == "WIL":
                break
            v = disturbance[target] + sum(cf * lat[s] for s, cf in sources)
            lat[target] = v + ee_ritual if target == "EE" else v
        w = disturbance["WIL"] + sum(cf * lat[s] for s, cf in equations["WIL"])
        lat["WIL"] = w + world.config_boost * world.configuration_term(lat)
        return lat

    def share_of(mask):
        counts = A @ mask.astype(float)
        return np.divide(counts, degree, out=np.zeros_like(counts), where=degree > 0)

    lat = constructs()
    participating = np.zeros(n, dtype=bool)
    for _ in range(500):  # warm start
        updated = lat["WIL"] + p["social_weight"] * share_of(participating) >= thresholds
        if np.array_equal(updated, participating):
            break
        participating = updated
    forms = np.zeros((n, 6), dtype=bool)
    crowding = np.zeros(n)
    police_hours = p["officers_per_community"] * p["police_patrol_hours"]
    counterfactual = (p["incident_base_rate"] / 1000 * sizes * opportunity
                      * np.exp(-p["police_guardianship_efficacy"] * police_hours / sizes))
    safety = np.exp(-counterfactual)
    decay = 1.0 - np.array([p["solidarity_decay"], p["police_decay"], p["brand_decay"]])
    rates = np.empty(steps)
    for day in range(1, steps + 1):
        ee_ritual *= 1 - p["ee_decay"]
        boost *= decay
        if p["rituals"]:  # every community's ritual at once
            held = rng.random(n_comm) < p["ritual_rate"]
            invited = held[community] & (rng.random(n) < p["ritual_invite_share"])
            attend = invited & (rng.random(n) < sigmoid(p["attendance_intercept"]
                                                         + p["attendance_belonging"] * lat["BEL"]))
            n_att = np.bincount(community, weights=attend, minlength=n_comm)
            mood = np.divide(np.bincount(community, weights=attend * sigmoid(lat["EE"]), minlength=n_comm), n_att,
                             out=np.zeros(n_comm), where=n_att > 0)
            score = np.minimum(1, n_att / p["ritual_target_size"]) * p["ritual_barrier"] * p["ritual_focus"] * mood
            ee_ritual[attend] += p["ee_gain"] * score[community[attend]]
            boost[attend, 0] += p["solidarity_gain"] * score[community[attend]]
        if p["police_engagement"]:  # every officer's contacts at once
            k = rng.poisson(police_hours / max(p["officers_per_community"], 1) * p["police_contacts_per_hour"],
                            size=(n_comm, p["officers_per_community"])).sum(axis=1)
            who = first.repeat(k) + (rng.random(k.sum()) * sizes.repeat(k)).astype(np.int64)
            np.add.at(boost[:, 1], who, p["police_gain"])
        if p["brand"]:
            promoters = participating & forms[:, 3]
            m = A @ promoters.astype(float)
            exposed = (rng.random(n) < p["brand_media_reach"]) | (rng.random(n) < 1 - (1 - p["brand_wom_rate"]) ** m)
            boost[exposed, 2] += p["brand_gain"]
        lat = constructs()
        active = (p["pay_per_hour"] > 0 or p["pay_per_tip"] > 0) and day > p["subsidy_start_step"] and (
            p["subsidy_stop_step"] is None or day <= p["subsidy_stop_step"])
        pay_expected = p["pay_per_hour"] * p["hours_per_participant"] + p["pay_per_tip"] * p["tip_rate"] if active else 0
        intrinsic = p["intrinsic_weight"] * lat["WIL"] - p["crowding_out"] * crowding
        utility = intrinsic + p["pay_sensitivity"] * pay_expected + p["social_weight"] * share_of(participating)
        participating = utility >= thresholds
        propensity = form_base + np.outer(utility, loading)
        forms = propensity > 0
        forms[np.arange(n), propensity.argmax(axis=1)] = True
        forms &= participating[:, None]
        hours = np.where(participating, p["hours_per_participant"], 0.0)
        tips = np.zeros(n)
        tips[forms[:, 5]] = rng.poisson(p["tip_rate"], size=int(forms[:, 5].sum()))
        if active:
            crowding[participating] += p["crowding_rate"] * (1 - crowding[participating])
            crowding[~participating] *= 1 - p["crowding_recovery"]
        else:
            crowding *= 1 - p["crowding_recovery"]
        effort = p["effort_floor"] + (1 - p["effort_floor"]) * sigmoid(intrinsic)
        guard = np.bincount(community, weights=hours * effort + p["tip_weight"] * tips, minlength=n_comm) / sizes
        expected = counterfactual * np.exp(-p["resident_guardianship_efficacy"] * guard)
        incidents = rng.poisson(expected)
        safety = (1 - p["safety_smoothing"]) * safety + p["safety_smoothing"] * (incidents == 0)
        rates[day - 1] = participating.mean()
    return rates


def timed(function, repeats: int = 1):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    print(f"python {sys.version.split()[0]}; numpy {np.__version__}; mesa model chaoyang.sim.ChaoyangModel")
    steps = 365
    for n, repeats in ((2000, 3), (10_000, 1)):
        regime = "emotional"
        mesa_time, ledger = timed(lambda: sim.run(regime, n_residents=n, steps=steps, seed=1), repeats)
        numpy_time, rates = timed(lambda: numpy_model(regime, n, steps, seed=1), repeats)
        agent_steps = n * steps
        print(f"\n{n:,} residents x {steps} steps ({regime}):")
        print(f"  mesa model : {mesa_time:6.2f} s  ({agent_steps / mesa_time:12,.0f} agent-steps/s)")
        print(f"  NumPy only : {numpy_time:6.2f} s  ({agent_steps / numpy_time:12,.0f} agent-steps/s)")
        print(f"  ratio mesa / NumPy = {mesa_time / numpy_time:.2f}x (target < 5x)")
        print(f"  mean participation: mesa {ledger['participation_rate'].mean():.3f}, "
              f"NumPy {rates.mean():.3f} (same rule, different random streams)")
        target = 5.0 if n == 2000 else 30.0
        print(f"  target {target:g} s: {'met' if mesa_time < target else 'MISSED'}")
    tracemalloc.start()
    sim.run("emotional", n_residents=10_000, steps=steps, seed=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\nmemory, 10,000 x {steps}: peak traced Python allocations {peak / 2**20:.0f} MiB; "
          f"process max RSS {max_rss:.0f} MiB (target < 1 GB: {'met' if max_rss < 1024 else 'MISSED'})")


if __name__ == "__main__":
    main()
