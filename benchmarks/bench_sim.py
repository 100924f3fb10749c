"""Benchmark of the Chaoyang agent-based model (chaoyang.sim) against the model a mesa user would write.

Baselines, both run in this process, one after the other, single core (BLAS limited to one thread):

1. **Plain mesa agent stepping** (the honest baseline: what a user would otherwise write with mesa
   3.3): every resident is a ``mesa.Agent`` holding its own state in Python attributes and its
   neighbours as a list of agents; each day the model calls ``residents.do("fade")``, the party
   organizations' and officers' ``shuffle_do("step")``, then ``residents.do(...)`` for brand
   exposure, the construct update (the planted paths, one resident at a time), the participation
   decision from the neighbours' choices of the previous day, the forms and tips, and commits the
   decisions; incidents are drawn per community. Same rules and same parameters as
   ``ChaoyangModel.step``; only the bookkeeping ledger is reduced to the participation rate.
   Both models start from the same residents (the baseline copies the initial state of a
   ``ChaoyangModel`` built with the same seed), so only the daily stepping is timed on both sides.
2. A vectorised NumPy version of the same rules (no mesa at all), for reference: the cost of
   chaoyang's mesa structure over bare arrays.

Run: ``.venv/bin/python benchmarks/bench_sim.py`` (a few minutes). Not a test: nothing here fails.
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

import mesa  # noqa: E402

from chaoyang import sim  # noqa: E402
from chaoyang.sim.model import ChaoyangModel  # noqa: E402
from chaoyang.sim.parameters import OPPORTUNITY_BY_TYPE, resolve  # noqa: E402
from chaoyang.world import DEFAULT_WORLD, DRIVERS, LATENT_ORDER, PARTICIPATION_FORMS  # noqa: E402

PROMOTION = PARTICIPATION_FORMS.index("PAR_PROMOTION")
INFO = PARTICIPATION_FORMS.index("PAR_INFO")


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class PlainResident(mesa.Agent):
    """A resident with its own state, stepped one at a time (the usual mesa style)."""

    def __init__(self, model, index: int, source: ChaoyangModel):
        super().__init__(model)
        self.community = int(source.community[index])
        self.drivers0 = [float(v) for v in source.drivers0[index]]
        self.boost = [0.0, 0.0, 0.0]
        self.ee_ritual = 0.0
        self.disturbance = {k: float(v[index]) for k, v in source.disturbance.items()}
        self.threshold = float(source.thresholds[index])
        self.form_base = [float(v) for v in source._form_base[index]]
        self.participating = bool(source.participating[index])
        self.forms = [bool(v) for v in source.forms[index]]
        self.crowding = 0.0
        self.latent: dict[str, float] = {}
        self.neighbours: list[PlainResident] = []
        self.update_constructs()

    def fade(self):
        p = self.model.p
        self.ee_ritual *= 1.0 - p["ee_decay"]
        for j, key in enumerate(("solidarity_decay", "police_decay", "brand_decay")):
            self.boost[j] *= 1.0 - p[key]

    def hear_brand(self):
        p, rng = self.model.p, self.random
        if not p["brand"]:
            return
        m = sum(1 for other in self.neighbours if other.participating and other.forms[PROMOTION])
        if rng.random() < p["brand_media_reach"] or rng.random() < 1.0 - (1.0 - p["brand_wom_rate"]) ** m:
            self.boost[2] += p["brand_gain"]

    def update_constructs(self):
        model = self.model
        latent = {d: self.drivers0[j] + self.boost[j] for j, d in enumerate(DRIVERS)}
        for target, sources in model.equations.items():
            value = self.disturbance[target] + sum(coef * latent[src] for src, coef in sources)
            if target == "EE":
                value += self.ee_ritual
            latent[target] = value
        if model.p["configurations"]:
            latent["WIL"] += model.world.config_boost * model.configuration_term(latent)
        self.latent = latent

    def decide(self):
        model, p = self.model, self.model.p
        share = (sum(other.participating for other in self.neighbours) / len(self.neighbours)
                 if self.neighbours else 0.0)
        intrinsic = p["intrinsic_weight"] * self.latent["WIL"] - p["crowding_out"] * self.crowding
        utility = intrinsic + p["pay_sensitivity"] * model.expected_pay + p["social_weight"] * share
        self.next_participating = utility >= self.threshold
        self.intrinsic = intrinsic
        propensity = [b + utility * w for b, w in zip(self.form_base, model.loading)]
        best = max(range(len(propensity)), key=propensity.__getitem__)
        self.next_forms = [self.next_participating and (v > 0.0 or j == best) for j, v in enumerate(propensity)]

    def commit(self):
        model, p = self.model, self.model.p
        self.participating, self.forms = self.next_participating, self.next_forms
        hours = p["hours_per_participant"] if self.participating else 0.0
        tips = int(model.rng.poisson(p["tip_rate"])) if self.forms[INFO] else 0
        if model.active:
            if self.participating:
                self.crowding += p["crowding_rate"] * (1.0 - self.crowding)
            else:
                self.crowding *= 1.0 - p["crowding_recovery"]
        else:
            self.crowding *= 1.0 - p["crowding_recovery"]
        effort = p["effort_floor"] + (1.0 - p["effort_floor"]) * logistic(self.intrinsic)
        model.guard[self.community] += hours * effort + p["tip_weight"] * tips


class PlainParty(mesa.Agent):
    def __init__(self, model, members):
        super().__init__(model)
        self.members = members

    def step(self):
        p, rng = self.model.p, self.random
        if not p["rituals"] or rng.random() >= p["ritual_rate"]:
            return
        attendees = [r for r in self.members if rng.random() < p["ritual_invite_share"]
                     and rng.random() < logistic(p["attendance_intercept"] + p["attendance_belonging"] * r.latent["BEL"])]
        if not attendees:
            return
        mood = sum(logistic(r.latent["EE"]) for r in attendees) / len(attendees)
        score = min(1.0, len(attendees) / p["ritual_target_size"]) * p["ritual_barrier"] * p["ritual_focus"] * mood
        for r in attendees:
            r.ee_ritual += p["ee_gain"] * score
            r.boost[0] += p["solidarity_gain"] * score


class PlainOfficer(mesa.Agent):
    def __init__(self, model, members):
        super().__init__(model)
        self.members = members

    def step(self):
        p = self.model.p
        if not p["police_engagement"]:
            return
        for _ in range(int(self.model.rng.poisson(p["police_patrol_hours"] * p["police_contacts_per_hour"]))):
            self.random.choice(self.members).boost[1] += p["police_gain"]


class PlainMesaModel(mesa.Model):
    """The same rules as ChaoyangModel.step, every resident stepped as its own agent."""

    def __init__(self, source: ChaoyangModel, seed: int):
        super().__init__(rng=np.random.default_rng(seed))
        self.p, self.world = source.p, source.world
        self.equations = {t: s for t, s in source._equations.items()}
        proj = source.world._configuration_projection
        self._intercept, self._coef = float(proj["intercept"]), [float(c) for c in proj["coef"]]
        self._terms, self._cut = source.world.configuration_terms(), source.world.high_cut
        self.loading = [float(v) for v in source._form_loading]
        self.residents = [PlainResident(self, i, source) for i in range(source.n_residents)]
        indptr, indices = source.adjacency.indptr, source.adjacency.indices
        for i, resident in enumerate(self.residents):
            resident.neighbours = [self.residents[j] for j in indices[indptr[i]:indptr[i + 1]]]
        self.resident_set = self.agents_by_type[PlainResident]
        for members in source.members:
            group = [self.residents[i] for i in members]
            PlainParty(self, group)
            for _ in range(self.p["officers_per_community"]):
                PlainOfficer(self, group)
        self.sizes = source.community_sizes
        self.counterfactual = source._counterfactual_rate()
        self.rates: list[float] = []

    def configuration_term(self, latent: dict) -> float:
        s = float(any(all(latent[m] > self._cut for m in term) for term in self._terms))
        return s - self._intercept - sum(c * latent[k] for c, k in zip(self._coef, LATENT_ORDER[:-1]))

    def step(self):
        p, day = self.p, self.steps
        self.resident_set.do("fade")
        self.agents_by_type[PlainParty].shuffle_do("step")
        if PlainOfficer in self.agents_by_type:
            self.agents_by_type[PlainOfficer].shuffle_do("step")
        self.resident_set.do("hear_brand")
        self.resident_set.do("update_constructs")
        self.active = ((p["pay_per_hour"] > 0 or p["pay_per_tip"] > 0) and day > p["subsidy_start_step"]
                       and (p["subsidy_stop_step"] is None or day <= p["subsidy_stop_step"]))
        self.expected_pay = (p["pay_per_hour"] * p["hours_per_participant"] + p["pay_per_tip"] * p["tip_rate"]
                             if self.active else 0.0)
        self.resident_set.do("decide")
        self.guard = np.zeros(len(self.sizes))
        self.resident_set.do("commit")
        expected = self.counterfactual * np.exp(-p["resident_guardianship_efficacy"] * self.guard / self.sizes)
        self.rng.poisson(expected)
        self.rates.append(sum(r.participating for r in self.residents) / len(self.residents))


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
    import datetime
    import platform

    print(f"python {sys.version.split()[0]}; numpy {np.__version__}; mesa {mesa.__version__}; "
          f"{platform.machine()}, {os.cpu_count()} cores visible, one used; "
          f"{datetime.date.today().isoformat()}")
    print("chaoyang  = chaoyang.sim.ChaoyangModel.run (mesa agents for organizations, resident state in arrays)")
    print("plain mesa = every resident a mesa.Agent with its own attributes, stepped with AgentSet.do/shuffle_do")
    print("Both start from the same residents (same seed); only the daily steps are timed.\n")
    regime = "emotional"
    for n, steps, repeats in ((500, 365, 3), (2000, 120, 2)):
        # best of several repeats on both sides (timeit's advice: the minimum is the least disturbed
        # by other processes); the fast side is repeated more, as it is cheap
        chaoyang_times, plain_times, plain_rates, chaoyang_rates = [], [], [], []
        for r in range(3 * repeats):
            model = ChaoyangModel(regime, n, seed=r % repeats + 1)
            start = time.perf_counter()
            ledger = model.run(steps)
            chaoyang_times.append(time.perf_counter() - start)
            chaoyang_rates.append(ledger["participation_rate"].mean())
        for r in range(repeats):
            plain = PlainMesaModel(ChaoyangModel(regime, n, seed=r + 1), seed=r + 1)
            start = time.perf_counter()
            for _ in range(steps):
                plain.step()
            plain_times.append(time.perf_counter() - start)
            plain_rates.append(np.mean(plain.rates))
        t_c, t_p = min(chaoyang_times), min(plain_times)
        print(f"{n:,} residents x {steps} days ({regime}), best of {3 * repeats} (chaoyang) and {repeats} (plain):")
        print(f"  chaoyang   : {t_c:7.2f} s  ({n * steps / t_c:12,.0f} resident-days/s)")
        print(f"  plain mesa : {t_p:7.2f} s  ({n * steps / t_p:12,.0f} resident-days/s)")
        print(f"  ratio plain mesa / chaoyang = {t_p / t_c:.1f}x")
        print(f"  mean participation: chaoyang {np.mean(chaoyang_rates):.3f}, plain mesa {np.mean(plain_rates):.3f} "
              f"(same rules, different random streams)")
    print()
    for n, steps, repeats in ((2000, 365, 3),):
        mesa_time, result = timed(lambda: sim.run(regime, n_residents=n, steps=steps, seed=1), repeats)
        numpy_time, rates = timed(lambda: numpy_model(regime, n, steps, seed=1), repeats)
        print(f"reference, {n:,} residents x {steps} days incl. set-up: sim.run {mesa_time:.2f} s, vectorised NumPy "
              f"{numpy_time:.2f} s, ratio sim.run / NumPy = {mesa_time / numpy_time:.2f}x")
    tracemalloc.start()
    sim.run("emotional", n_residents=10_000, steps=365, seed=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    estimate = sim.estimate_bytes(10_000, 365)
    print(f"\nmemory, 10,000 x 365: peak traced allocations {peak / 1e6:.0f} MB (sim.estimate_bytes: "
          f"{estimate / 1e6:.0f} MB); process max RSS {max_rss:.0f} MiB")


if __name__ == "__main__":
    main()
