"""The Chaoyang mobilization model: residents, party organizations, police and the brand (mesa 3).

One step is one day. The order of a step (see also ``book/methods/odd.md``):

1. mechanism-made changes decay (emotional energy, solidarity, police relations, brand reputation);
2. party organizations hold rituals, officers patrol and make contacts, the brand channel
   disseminates (each agent set in random order, ``shuffle_do``);
3. every resident's constructs are recomputed from the drivers with the planted paths of
   :data:`chaoyang.world.DEFAULT_WORLD` (drivers -> mediators -> willingness);
4. residents decide to participate: ``intrinsic + pay + social >= threshold`` (Granovetter 1978),
   with the social term computed from the neighbours' participation of the previous step;
   participants take up some of the six forms, give time and tips, and may be paid;
5. incidents arise from opportunities and fall with guardianship (Cohen & Felson 1979);
6. the stakeholder ledger records the day.

Resident state lives in NumPy arrays owned by the model (one row per resident); the agents in
:mod:`chaoyang.sim.agents` act on those arrays.
"""

from __future__ import annotations

import math

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.discrete_space import Network
from scipy import sparse

from chaoyang._validate import check_seed
from chaoyang.sim.agents import BrandChannel, PartyOrganization, PoliceOfficer, Resident, sigmoid
from chaoyang.sim.parameters import OPPORTUNITY_BY_TYPE, resolve
from chaoyang.world import DEFAULT_WORLD, DRIVERS, LATENT_ORDER, PARTICIPATION_FORMS, World

#: Ledger columns and their meaning (units). Every per-step row of :meth:`ChaoyangModel.ledger` has them.
LEDGER_COLUMNS: dict[str, str] = {
    "step": "day, 1..steps",
    "subsidy_active": "1 if the subsidy was paid on that day, else 0",
    "participation_rate": "share of residents participating",
    **{f"rate_{form}": f"share of residents active in {form}" for form in PARTICIPATION_FORMS},
    "willingness_mean": "mean willingness (latent SD units)",
    "belonging_mean": "mean sense of community belonging, BEL (latent SD units)",
    "closeness_mean": "mean police-resident closeness, CLO (latent SD units)",
    "brand_identity_mean": "mean brand identity, BID (latent SD units)",
    "emotional_energy_mean": "mean emotional energy, EE (latent SD units)",
    "responsibility_mean": "mean sense of responsibility, RES (latent SD units)",
    "crowding_mean": "mean crowding-out exposure, 0-1",
    "rituals": "interaction rituals held",
    "ritual_attendance": "residents attending a ritual",
    "police_contacts": "officer-resident contacts",
    "brand_exposures": "residents exposed to the brand",
    "tips": "tips given to the police",
    "incidents": "incidents (Poisson draw)",
    "expected_incidents": "expected incidents given today's guardianship",
    "counterfactual_incidents": "expected incidents with police but without residents' guardianship",
    "prevented_incidents": "counterfactual minus expected incidents (prevented by residents)",
    "government_cost": "yuan: rituals + brand campaign + subsidy paid incl. administration",
    "subsidy_paid": "yuan paid to residents",
    "police_hours": "police workload, officer hours: presence + incident handling + tip processing",
    "police_cost": "yuan: police_hours x officer_hour_cost",
    "public_cost": "yuan: government_cost + police_cost",
    "resident_hours": "hours residents gave",
    "resident_time_cost": "yuan: resident_hours x value_of_time",
    "resident_avoided_loss": "yuan: prevented_incidents x loss_per_incident",
    "resident_net_benefit": "yuan: avoided loss + pay received - time cost",
    "safety_perceived": "mean perceived safety: smoothed share of recent days without an incident, 0-1",
    "cost_per_prevented_incident": "yuan: government_cost / prevented_incidents (NaN when nothing was prevented)",
}


class ChaoyangModel(mesa.Model):
    """Agent-based model of resident mobilization for mass prevention in Chaoyang.

    Parameters
    ----------
    regime : {"emotional", "subsidy", "none"}, default "emotional"
        Preset of the mobilization regime (see :data:`chaoyang.sim.parameters.REGIMES`); any
        parameter can still be overridden.
    n_residents : int, default 2000
        Number of residents, >= 1 (the model class accepts any size, for docking with Granovetter's
        model on a few agents; :func:`chaoyang.sim.run` asks for at least
        :data:`chaoyang.sim.limits.MIN_RESIDENTS` and checks memory first).
    seed : None, int >= 0 or numpy.random.SeedSequence, default None
        Seed of every random draw (numpy Generator and mesa's Python ``random``). None draws fresh
        entropy (not reproducible unless read back from :attr:`seed_entropy`, which records it).
        Bools, floats and strings raise :class:`chaoyang.errors.SeedError`.
    world : World, default DEFAULT_WORLD
        The planted truth whose paths and community types the residents follow.
    **params
        Any parameter of :func:`chaoyang.sim.parameter_table`.

    Attributes
    ----------
    p : dict
        Resolved parameters.
    latent : dict of str -> ndarray
        Current latent scores of every construct, one value per resident.
    participating : ndarray of bool
    forms : ndarray of bool, shape (n_residents, 6)
        Forms each resident is active in (columns in :data:`chaoyang.world.PARTICIPATION_FORMS`).
    residents, party_organizations, officers : mesa.AgentSet
    space : mesa.discrete_space.Network
        The residents' contact network (one component per community).

    Raises
    ------
    ParameterError
        For an unknown regime or parameter, or a value outside its range.

    Examples
    --------
    >>> model = ChaoyangModel("emotional", n_residents=200, seed=1)
    >>> ledger = model.run(5)
    >>> len(ledger)
    5
    """

    def __init__(self, regime: str = "emotional", n_residents: int = 2000, *, seed=None,
                 world: World = DEFAULT_WORLD, **params):
        seed = check_seed(seed)
        p = resolve(regime, n_residents, params)
        if not isinstance(world, World):
            raise TypeError(f"world must be a chaoyang.world.World, got {type(world).__name__}")
        seed_sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        super().__init__(rng=np.random.default_rng(seed_sequence))
        self.seed_entropy = seed_sequence.entropy
        self.seed_spawn_key = tuple(seed_sequence.spawn_key)
        self.p = p
        self.world = world
        self.n_residents = n = p["n_residents"]
        self.form_index = {form: j for j, form in enumerate(PARTICIPATION_FORMS)}
        self._setup_communities()
        self._setup_residents()
        self._setup_network()
        self._setup_agents()
        self._rows: list[dict] = []
        self.participating = np.zeros(n, dtype=bool)
        self.forms = np.zeros((n, len(PARTICIPATION_FORMS)), dtype=bool)
        self.crowding = np.zeros(n)
        self._update_constructs()
        if p["warm_start"]:
            self._warm_start()
        self.safety = np.exp(-self._counterfactual_rate())

    # ------------------------------------------------------------------ set-up
    def _setup_communities(self) -> None:
        p, n = self.p, self.n_residents
        n_communities = max(1, math.ceil(n / p["community_size"]))
        self.members = np.array_split(np.arange(n), n_communities)
        self.n_communities = n_communities
        self.community = np.repeat(np.arange(n_communities), [m.size for m in self.members])
        self.community_sizes = np.array([m.size for m in self.members], dtype=float)
        type_keys = [t.key for t in self.world.community_types]
        if p["community_type"] == "mixed":
            self.community_type_index = self.rng.choice(len(type_keys), size=n_communities, p=self.world.type_shares)
        else:
            self.community_type_index = np.full(n_communities, type_keys.index(p["community_type"]))
        self.community_types = [type_keys[i] for i in self.community_type_index]
        self.community_shift = self.rng.normal(0.0, self.world.community_sd, size=(n_communities, len(DRIVERS)))
        self.opportunity = np.array([OPPORTUNITY_BY_TYPE.get(k, 1.0) for k in self.community_types])

    def _setup_residents(self) -> None:
        """Draw every resident's latent scores from the planted world and keep the disturbances."""
        p, n, world = self.p, self.n_residents, self.world
        type_index = self.community_type_index[self.community]
        latent = world.draw_latent(self.rng, n, type_index=type_index,
                                   community_shift=self.community_shift[self.community])
        self.drivers0 = np.column_stack([latent[d] for d in DRIVERS])
        self.drivers0 += np.array([p["solidarity_shift"], p["police_relations_shift"], p["brand_recognition_shift"]])
        self.driver_boost = np.zeros_like(self.drivers0)
        self.ee_ritual = np.zeros(n)
        B = world.coefficient_matrix
        self._equations = {}
        self.disturbance = {}
        for j in range(len(DRIVERS), len(LATENT_ORDER)):
            target = LATENT_ORDER[j]
            sources = [(LATENT_ORDER[k], B[j, k]) for k in range(j) if B[j, k] != 0.0]
            self._equations[target] = sources
            explained = sum(coef * latent[src] for src, coef in sources)
            if target == "WIL":
                explained = explained + world.config_boost * world.configuration_term(latent)
            self.disturbance[target] = latent[target] - explained
        types = world.community_types
        party_share = np.array([types[i].party_share for i in type_index])
        age_mean = np.array([types[i].age_mean for i in type_index])
        self.party_member = self.rng.random(n) < party_share
        self.age = np.clip(self.rng.normal(age_mean, 15.0), 18.0, 95.0)
        self.form_noise = self.rng.normal(0.0, 1.0, size=(n, len(PARTICIPATION_FORMS)))
        if p["thresholds"] is not None:
            self.thresholds = p["thresholds"].copy()
        else:
            self.thresholds = self.rng.normal(p["threshold_mean"], p["threshold_sd"], size=n)
        coef = world.participation
        self._form_loading = np.array([coef[f]["willingness"] for f in PARTICIPATION_FORMS])
        self._form_base = (np.outer(self.party_member, [coef[f]["party"] for f in PARTICIPATION_FORMS])
                           + np.outer((self.age - 50.0) / 15.0, [coef[f]["age"] for f in PARTICIPATION_FORMS])
                           + np.array([coef[f]["intercept"] for f in PARTICIPATION_FORMS]) + self.form_noise)

    def _setup_network(self) -> None:
        p = self.p
        graph = nx.Graph()
        graph.add_nodes_from(range(self.n_residents))
        rows, cols = [], []
        for members in self.members:
            size = members.size
            if p["network"] == "complete" or size < 2:
                continue
            if p["network"] == "small_world":
                k = min(p["network_degree"], size - 1)
                local = (nx.complete_graph(size) if k >= size - 1 else
                         nx.watts_strogatz_graph(size, k, p["rewiring"], seed=int(self.rng.integers(2**31))))
            else:
                side = math.ceil(math.sqrt(size))
                grid = nx.grid_2d_graph(side, side)
                local = nx.convert_node_labels_to_integers(grid, ordering="sorted")
                local = local.subgraph(range(size))
            edges = np.array(local.edges(), dtype=np.int64).reshape(-1, 2) + members[0]
            rows.append(edges[:, 0])
            cols.append(edges[:, 1])
        if rows:
            r, c = np.concatenate(rows), np.concatenate(cols)
            graph.add_edges_from(zip(r.tolist(), c.tolist()))
            data = np.ones(2 * r.size)
            self.adjacency = sparse.csr_matrix((data, (np.concatenate([r, c]), np.concatenate([c, r]))),
                                               shape=(self.n_residents, self.n_residents))
        else:
            self.adjacency = sparse.csr_matrix((self.n_residents, self.n_residents))
        self.degree = np.asarray(self.adjacency.sum(axis=1)).ravel()
        self.space = Network(graph, random=self.random)

    def _setup_agents(self) -> None:
        for i in range(self.n_residents):
            Resident(self, i, self.space[i])
        for c in range(self.n_communities):
            PartyOrganization(self, c)
            for _ in range(self.p["officers_per_community"]):
                PoliceOfficer(self, c)
        self.brand_channel = BrandChannel(self)
        self.residents = self.agents_by_type[Resident]
        self.party_organizations = self.agents_by_type[PartyOrganization]
        self.officers = self.agents_by_type.get(PoliceOfficer, mesa.agent.AgentSet([], random=self.random))

    # ------------------------------------------------------------------ network helpers
    def neighbour_count(self, mask: np.ndarray) -> np.ndarray:
        """Number of each resident's network neighbours for which ``mask`` is True.

        In a complete network the neighbours are the other members of the community.
        """
        if self.p["network"] == "complete":
            per_community = np.bincount(self.community, weights=mask.astype(float), minlength=self.n_communities)
            return per_community[self.community] - mask
        return self.adjacency @ mask.astype(float)

    def neighbour_share(self, mask: np.ndarray) -> np.ndarray:
        """Share of each resident's reference group for which ``mask`` is True.

        Small-world or grid network: share of network neighbours (0 for a resident without
        neighbours). Complete network: share of the whole community, the resident included, as in
        Granovetter (1978), so that the participation rate follows r(t+1) = F(r(t)) exactly.
        """
        if self.p["network"] == "complete":
            per_community = np.bincount(self.community, weights=mask.astype(float), minlength=self.n_communities)
            return (per_community / self.community_sizes)[self.community]
        counts = self.adjacency @ mask.astype(float)
        return np.divide(counts, self.degree, out=np.zeros_like(counts), where=self.degree > 0)

    # ------------------------------------------------------------------ state update
    def _update_constructs(self) -> None:
        """Recompute every construct from the drivers with the planted paths.

        Drivers = initial draw + mechanism-made change. Each endogenous construct = planted paths
        x its causes + the resident's own disturbance (fixed at the initial draw); emotional energy
        also carries the ritual-made energy; willingness also carries the planted configurational
        boost (if ``configurations``).
        """
        drivers = self.drivers0 + self.driver_boost
        latent = {d: drivers[:, j] for j, d in enumerate(DRIVERS)}
        for target, sources in self._equations.items():
            if target == "WIL":
                break
            value = self.disturbance[target].copy()
            for source, coef in sources:
                value += coef * latent[source]
            if target == "EE":
                value += self.ee_ritual
            latent[target] = value
        willingness = self.disturbance["WIL"].copy()
        for source, coef in self._equations["WIL"]:
            willingness += coef * latent[source]
        if self.p["configurations"]:
            willingness += self.world.config_boost * self.world.configuration_term(latent)
        latent["WIL"] = willingness
        self.latent = latent

    def subsidy_active(self, step: int) -> bool:
        """Whether the subsidy is paid on day ``step`` (1-based): after the start, up to the stop."""
        p = self.p
        if p["pay_per_hour"] == 0.0 and p["pay_per_tip"] == 0.0:
            return False
        stop = p["subsidy_stop_step"]
        return step > p["subsidy_start_step"] and (stop is None or step <= stop)

    def _utility(self, share: np.ndarray, expected_pay: float) -> tuple[np.ndarray, np.ndarray]:
        p = self.p
        intrinsic = p["intrinsic_weight"] * self.latent["WIL"] - p["crowding_out"] * self.crowding
        utility = intrinsic + p["pay_sensitivity"] * expected_pay + p["social_weight"] * share
        return utility, intrinsic

    def _warm_start(self, max_rounds: int = 500) -> None:
        """Iterate the decision without pay to the status-quo equilibrium before day 1."""
        for _ in range(max_rounds):
            utility, _ = self._utility(self.neighbour_share(self.participating), 0.0)
            updated = utility >= self.thresholds
            if np.array_equal(updated, self.participating):
                break
            self.participating = updated
        self._choose_forms(utility)

    def _choose_forms(self, utility: np.ndarray) -> None:
        """Participants take up the forms whose propensity is positive (at least their best one)."""
        propensity = self._form_base + np.outer(utility, self._form_loading)
        forms = propensity > 0.0
        best = np.zeros_like(forms)
        best[np.arange(self.n_residents), propensity.argmax(axis=1)] = True
        forms |= best
        forms &= self.participating[:, None]
        self.forms = forms

    def _counterfactual_rate(self) -> np.ndarray:
        """Expected incidents per community with police but without residents' guardianship."""
        p = self.p
        base = p["incident_base_rate"] / 1000.0 * self.community_sizes * self.opportunity
        police_hours = p["officers_per_community"] * p["police_patrol_hours"]
        return base * np.exp(-p["police_guardianship_efficacy"] * police_hours / self.community_sizes)

    # ------------------------------------------------------------------ one day
    def step(self) -> None:
        p, rng = self.p, self.rng
        day = self.steps
        self.step_counts = {"rituals": 0, "ritual_attendance": 0, "police_contacts": 0, "brand_exposures": 0}
        self.police_presence_hours = np.zeros(self.n_communities)
        # 1. mechanism-made changes fade without renewal
        self.ee_ritual *= 1.0 - p["ee_decay"]
        self.driver_boost *= 1.0 - np.array([p["solidarity_decay"], p["police_decay"], p["brand_decay"]])
        # 2. the organizations act
        self.party_organizations.shuffle_do("step")
        self.officers.shuffle_do("step")
        self.brand_channel.step()
        # 3. constructs follow the drivers through the planted paths
        self._update_constructs()
        # 4. participation decisions (synchronous: neighbours' choices of the previous day)
        active = self.subsidy_active(day)
        expected_pay = (p["pay_per_hour"] * p["hours_per_participant"] + p["pay_per_tip"] * p["tip_rate"]
                        if active else 0.0)
        share = self.neighbour_share(self.participating)
        utility, intrinsic = self._utility(share, expected_pay)
        self.participating = utility >= self.thresholds
        self._choose_forms(utility)
        hours = np.where(self.participating, p["hours_per_participant"], 0.0)
        informants = self.forms[:, self.form_index["PAR_INFO"]]
        tips = np.zeros(self.n_residents)
        tips[informants] = rng.poisson(p["tip_rate"], size=int(informants.sum()))
        pay = hours * p["pay_per_hour"] + tips * p["pay_per_tip"] if active else np.zeros(self.n_residents)
        if active:
            paid = self.participating
            self.crowding[paid] += p["crowding_rate"] * (1.0 - self.crowding[paid])
            self.crowding[~paid] *= 1.0 - p["crowding_recovery"]
        else:
            self.crowding *= 1.0 - p["crowding_recovery"]
        # 5. routine activity: guardianship lowers incidents
        effort = p["effort_floor"] + (1.0 - p["effort_floor"]) * sigmoid(intrinsic)
        guard = np.bincount(self.community, weights=hours * effort + p["tip_weight"] * tips,
                            minlength=self.n_communities) / self.community_sizes
        counterfactual = self._counterfactual_rate()
        expected = counterfactual * np.exp(-p["resident_guardianship_efficacy"] * guard)
        incidents = rng.poisson(expected)
        self.safety = (1.0 - p["safety_smoothing"]) * self.safety + p["safety_smoothing"] * (incidents == 0)
        # 6. the ledger
        self._record(day, active, hours, tips, pay, incidents, expected, counterfactual)

    def _record(self, day, active, hours, tips, pay, incidents, expected, counterfactual) -> None:
        p = self.p
        n = self.n_residents
        prevented = float(counterfactual.sum() - expected.sum())
        paid = float(pay.sum())
        government = (self.step_counts["rituals"] * p["ritual_cost"]
                      + (self.n_communities * p["brand_cost_per_day"] if p["brand"] else 0.0)
                      + paid * (1.0 + p["subsidy_admin_share"]))
        n_tips = float(tips.sum())
        n_incidents = float(incidents.sum())
        police_hours = (float(self.police_presence_hours.sum()) + n_incidents * p["incident_handling_hours"]
                        + n_tips * p["tip_handling_hours"])
        resident_hours = float(hours.sum())
        row = {"step": day, "subsidy_active": int(active),
               "participation_rate": float(self.participating.mean())}
        form_rates = self.forms.mean(axis=0)
        for form, j in self.form_index.items():
            row[f"rate_{form}"] = float(form_rates[j])
        latent = self.latent
        row.update({
            "willingness_mean": float(latent["WIL"].mean()), "belonging_mean": float(latent["BEL"].mean()),
            "closeness_mean": float(latent["CLO"].mean()), "brand_identity_mean": float(latent["BID"].mean()),
            "emotional_energy_mean": float(latent["EE"].mean()), "responsibility_mean": float(latent["RES"].mean()),
            "crowding_mean": float(self.crowding.mean()),
            **{k: float(v) for k, v in self.step_counts.items()},
            "tips": n_tips, "incidents": n_incidents, "expected_incidents": float(expected.sum()),
            "counterfactual_incidents": float(counterfactual.sum()), "prevented_incidents": prevented,
            "government_cost": government, "subsidy_paid": paid, "police_hours": police_hours,
            "police_cost": police_hours * p["officer_hour_cost"],
        })
        row["public_cost"] = row["government_cost"] + row["police_cost"]
        row["resident_hours"] = resident_hours
        row["resident_time_cost"] = resident_hours * p["value_of_time"]
        row["resident_avoided_loss"] = prevented * p["loss_per_incident"]
        row["resident_net_benefit"] = row["resident_avoided_loss"] + paid - row["resident_time_cost"]
        row["safety_perceived"] = float(np.dot(self.safety, self.community_sizes) / n)
        row["cost_per_prevented_incident"] = government / prevented if prevented > 0 else float("nan")
        self._rows.append(row)

    # ------------------------------------------------------------------ running and results
    def run(self, steps: int, *, progress=False) -> pd.DataFrame:
        """Run ``steps`` days and return the whole ledger so far.

        Parameters
        ----------
        steps : int
            Number of days to run, 1 to :data:`chaoyang.sim.limits.MAX_STEPS`.
        progress : bool or None, default False
            Show a tqdm progress bar on stderr; None decides by size as :func:`chaoyang.sim.run` does.

        Returns
        -------
        pandas.DataFrame
            :meth:`ledger`.

        Raises
        ------
        ParameterError
            If ``steps`` is not a whole number in 1 .. MAX_STEPS.
        """
        from chaoyang.sim.limits import MAX_STEPS, check_size, show_progress

        steps = check_size(steps, "steps", minimum=1, maximum=MAX_STEPS, unit="days; a century")
        days = range(steps)
        if show_progress(progress, self.n_residents, steps):
            from tqdm import tqdm

            days = tqdm(days, desc=f"chaoyang.sim {self.p['regime']}", unit="day", leave=False)
        for _ in days:
            self.step()
        return self.ledger()

    def ledger(self) -> pd.DataFrame:
        """The per-step stakeholder ledger: one row per day, columns :data:`LEDGER_COLUMNS`."""
        frame = pd.DataFrame(self._rows, columns=list(LEDGER_COLUMNS))
        return frame.astype({"step": "int64", "subsidy_active": "int64"})

    def resident_table(self) -> pd.DataFrame:
        """Current state of every resident: community, type, constructs, threshold, participation."""
        frame = pd.DataFrame({"community": self.community,
                              "community_type": np.array(self.community_types, dtype=object)[self.community]})
        for name in LATENT_ORDER:
            frame[name] = self.latent[name]
        frame["threshold"] = self.thresholds
        frame["participating"] = self.participating
        frame["crowding"] = self.crowding
        return frame


class GranovetterModel(ChaoyangModel):
    """Granovetter's (1978) threshold model: the Chaoyang model with every mechanism switched off.

    One community, complete reference group, no willingness, no pay, no rituals, no police
    engagement, no brand: a resident participates on day t+1 if the share of the community that
    participated on day t is at least her threshold, so the participation rate follows
    r(t+1) = F(r(t)) from r(0) = 0 and settles at the smallest fixed point of r = F(r).

    Parameters
    ----------
    thresholds : array-like of float, optional
        Thresholds as shares of the group, in [0, inf). Default: Granovetter's uniform example with
        100 agents, thresholds 0, 1/100, ..., 99/100.
    seed : None, int >= 0 or numpy.random.SeedSequence, default None
        Only affects the (unused) latent draws; the cascade itself is deterministic.

    Examples
    --------
    >>> model = GranovetterModel([0.0, 0.5, 0.5, 0.9])
    >>> model.run(5)["participation_rate"].tolist()
    [0.25, 0.25, 0.25, 0.25, 0.25]
    """

    def __init__(self, thresholds=None, *, seed=None, **params):
        if thresholds is None:
            thresholds = np.arange(100) / 100
        thresholds = np.asarray(thresholds, dtype=float)
        docking = {"network": "complete", "community_size": max(2, thresholds.size), "intrinsic_weight": 0.0,
                   "social_weight": 1.0, "configurations": False, "warm_start": False, "crowding_out": 0.0}
        docking.update(params)
        super().__init__("none", thresholds.size, seed=seed, thresholds=thresholds, **docking)
