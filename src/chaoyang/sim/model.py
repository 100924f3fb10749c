"""The Chaoyang mobilization model: residents, party organizations, police and the brand (mesa 3).

One step is one day. The order of a step (see also ``book/methods/odd.md``):

0. the model draws every random number of the day, indexed by agent id (:meth:`ChaoyangModel.draw_day`);
1. mechanism-made changes decay (emotional energy, solidarity, police relations, brand reputation);
2. party organizations hold rituals, officers patrol and make contacts, the brand channel
   disseminates -- all reading yesterday's state;
3. every resident perceives yesterday's participation of her reference group, then every
   resident acts: her constructs follow the drivers through the planted paths of
   :data:`chaoyang.world.DEFAULT_WORLD`, she participates if ``intrinsic + pay + social >=
   threshold`` (Granovetter 1978), takes up some of the six forms, gives time, tips and
   (sometimes false or mistaken) reports, and may be paid (hourly pay, tip rewards, activists'
   allowance, or a patrol wage), which crowds out her intrinsic motivation;
4. incidents arise from opportunities and fall with guardianship (Cohen & Felson 1979);
5. the stakeholder ledger records the day, the reported among the stakeholders.

The rules of steps 2 and 3 are the agents' methods in :mod:`chaoyang.sim.agents`. Two engines run
them: ``engine="agents"`` calls the methods through mesa ``AgentSet`` objects with synchronous
activation (the reference), ``engine="vectorized"`` (default) implements the same rules on whole
arrays. Resident state lives in NumPy arrays owned by the model (one row per resident); for the
same seed both engines give the same ledger to the bit (``tests/test_sim_engines.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.discrete_space import Network
from scipy import sparse

from chaoyang._validate import check_seed
from chaoyang.sim.agents import (DRIVER_COLUMN, INFO_FORM, PROMOTION_FORM, SAFETY_FORM, BrandChannel,
                                  PartyOrganization, PoliceOfficer, Resident, attendance_probability,
                                  constructs_from_drivers, daily_pay, decision_utility, guardianship_effort,
                                  sigmoid, word_of_mouth_probability)
from chaoyang.sim.parameters import OPPORTUNITY_BY_TYPE, ParameterError, resolve
from chaoyang.world import DEFAULT_WORLD, DRIVERS, LATENT_ORDER, PARTICIPATION_FORMS, World

#: Ledger columns and their meaning (units). Every per-step row of :meth:`ChaoyangModel.ledger` has them.
LEDGER_COLUMNS: dict[str, str] = {
    "step": "day, 1..steps",
    "subsidy_active": "1 if pay of any kind (subsidy, rewards, allowance, patrol wages) was active that day, else 0",
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
    "tips": "true tips given to the police (= reports_true)",
    "incidents": "incidents (Poisson draw)",
    "expected_incidents": "expected incidents given today's guardianship",
    "counterfactual_incidents": "expected incidents with police but without residents' guardianship",
    "prevented_incidents": "counterfactual minus expected incidents (prevented by residents)",
    "government_cost": "yuan: rituals + brand campaign + subsidy paid incl. administration",
    "subsidy_paid": "yuan paid to residents, all paid components",
    "hourly_pay_paid": "yuan of hourly pay (subsidy per hour) paid to volunteers",
    "reward_paid": "yuan of rewards paid for true tips",
    "allowance_paid": "yuan of activists' allowances paid",
    "patrol_wages": "yuan of wages paid to full-time patrol members on duty",
    "patrol_on_duty": "full-time patrol members on duty",
    "reports_made": "reports to the police: true tips + false or mistaken reports",
    "reports_true": "true tips (reports that concern a real offence or hazard)",
    "reports_false": "false or mistaken reports",
    "residents_reported": "residents named in a report (one per report, an assumption)",
    "privacy_intrusions": "police checks of a resident who did nothing wrong (one per false or mistaken report)",
    "reported_cost": "yuan borne by residents wrongly reported: reports_false x false_report_cost",
    "report_hours": "officer hours spent checking reports (true and false)",
    "police_hours": "police workload, officer hours: presence + incident handling + report checking",
    "police_cost": "yuan: police_hours x officer_hour_cost",
    "public_cost": "yuan: government_cost + police_cost",
    "resident_hours": "hours residents gave",
    "resident_time_cost": "yuan: resident_hours x value_of_time",
    "resident_avoided_loss": "yuan: prevented_incidents x loss_per_incident",
    "resident_net_benefit": "yuan: avoided loss + pay received - time cost",
    "safety_perceived": "mean perceived safety: smoothed share of recent days without an incident, 0-1",
    "cost_per_prevented_incident": "yuan: government_cost / prevented_incidents (NaN when nothing was prevented)",
}


#: The two engines that run the agents' rules (:class:`ChaoyangModel`, ``engine=``).
ENGINES: tuple[str, ...] = ("vectorized", "agents")


@dataclass
class DayDraws:
    """Every random number of one day (:meth:`ChaoyangModel.draw_day`), indexed by agent id.

    Attributes
    ----------
    step : int
        The day, 1-based.
    pay_active : bool
        Whether pay of any kind is active today.
    expected_pay : float
        Yuan a volunteer expects for a day of participation.
    ritual_held : ndarray of bool, one per community
    invite, attend : ndarray of float in [0, 1), one per resident
        Uniforms compared with ``ritual_invite_share`` and the attendance probability.
    contacts : ndarray of int, one per officer
        Number of contacts each officer makes today; the contacts' uniforms are
        ``contact_u[contact_offsets[k]:contact_offsets[k + 1]]`` (:meth:`contact_draws`).
    media, word_of_mouth : ndarray of float in [0, 1), one per resident
    tips, false_reports : ndarray of int, one per resident
        Potential true tips and false or mistaken reports (Poisson), used if the resident is
        active in information provision.
    """

    step: int
    pay_active: bool
    expected_pay: float = 0.0
    ritual_held: np.ndarray | None = None
    invite: np.ndarray | None = None
    attend: np.ndarray | None = None
    contacts: np.ndarray | None = None
    contact_offsets: np.ndarray | None = None
    contact_u: np.ndarray | None = None
    media: np.ndarray | None = None
    word_of_mouth: np.ndarray | None = None
    tips: np.ndarray | None = None
    false_reports: np.ndarray | None = None

    def contact_draws(self, officer: int) -> np.ndarray:
        """The uniforms of officer number ``officer``'s contacts today (one per contact)."""
        return self.contact_u[self.contact_offsets[officer]:self.contact_offsets[officer + 1]]


def check_engine(engine) -> str:
    """Return ``engine`` if it is one of :data:`ENGINES`; raise ParameterError naming them otherwise."""
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}; valid engines: {', '.join(repr(e) for e in ENGINES)}")
    return engine


class ChaoyangModel(mesa.Model):
    """Agent-based model of resident mobilization for mass prevention in Chaoyang.

    Parameters
    ----------
    regime : str, default "emotional"
        Preset of the mobilization regime, a key of :data:`chaoyang.sim.parameters.REGIMES` (the
        two pure regimes ``"emotional"`` and ``"subsidy"``, the hybrids ``"emotional+allowance"``,
        ``"emotional+patrols"``, ``"emotional+rewards"`` and ``"mixed"``, and ``"none"``); any
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
    engine : {"vectorized", "agents"}, default "vectorized"
        ``"agents"`` runs each agent's own methods through mesa AgentSets (synchronous
        activation; the reference, slow); ``"vectorized"`` runs the same rules on arrays. Same
        seed, same ledger.
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
    >>> ChaoyangModel("emotional", 200, seed=1, engine="agents").run(5).equals(ledger)
    True
    """

    def __init__(self, regime: str = "emotional", n_residents: int = 2000, *, seed=None,
                 world: World = DEFAULT_WORLD, engine: str = "vectorized", **params):
        seed = check_seed(seed)
        self.engine = check_engine(engine)
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
        self.officer_community = np.repeat(np.arange(self.n_communities), p["officers_per_community"])
        self._setup_agents()
        if self.engine == "agents" and getattr(self, "residents", None) is None:
            raise ParameterError(f"engine 'agents' needs Resident agents, which {type(self).__name__} does not "
                                 f"create; use engine='vectorized'")
        self._rows: list[dict] = []
        self.participating = np.zeros(n, dtype=bool)
        self.forms = np.zeros((n, len(PARTICIPATION_FORMS)), dtype=bool)
        self.crowding = np.zeros(n)
        # today's actions, one row per resident (written by the residents or the vectorized engine)
        self.on_patrol = np.zeros(n, dtype=bool)
        self.hours, self.effort, self.pay = np.zeros(n), np.zeros(n), np.zeros(n)
        self.tips, self.false_reports = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        self.today: DayDraws | None = None
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
        self.community_count = np.array([m.size for m in self.members], dtype=np.int64)
        self.community_start = np.array([m[0] if m.size else 0 for m in self.members], dtype=np.int64)
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
        self.equations = self._equations = {}
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
        self.form_loading = self._form_loading = np.array([coef[f]["willingness"] for f in PARTICIPATION_FORMS])
        self.form_base = self._form_base = (np.outer(self.party_member, [coef[f]["party"] for f in PARTICIPATION_FORMS])
                           + np.outer((self.age - 50.0) / 15.0, [coef[f]["age"] for f in PARTICIPATION_FORMS])
                           + np.array([coef[f]["intercept"] for f in PARTICIPATION_FORMS]) + self.form_noise)
        # full-time patrol team members: drawn at random in each community (no draw without teams)
        self.patrol_member = np.zeros(n, dtype=bool)
        k = p["patrol_members_per_community"]
        if k:
            for members in self.members:
                self.patrol_member[self.rng.choice(members, size=min(k, members.size), replace=False)] = True

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
        """Recompute every resident's constructs from the drivers with the planted paths (arrays).

        Drivers = initial draw + mechanism-made change; the rule is
        :func:`chaoyang.sim.agents.constructs_from_drivers`, the one :meth:`Resident.update_constructs`
        applies to a single resident.
        """
        drivers = self.drivers0 + self.driver_boost
        self.latent = constructs_from_drivers(self, [drivers[:, j] for j in range(len(DRIVERS))],
                                              self.disturbance, self.ee_ritual)

    def pay_active(self, step: int) -> bool:
        """Whether pay of any kind is active on day ``step`` (1-based): after the start, up to the stop.

        Paid components: ``pay_per_hour``, ``pay_per_tip``, ``allowance_per_day`` and full-time
        patrol teams (``patrol_members_per_community``). All start at ``subsidy_start_step`` and
        are withdrawn together at ``subsidy_stop_step``.
        """
        p = self.p
        if (p["pay_per_hour"] == 0.0 and p["pay_per_tip"] == 0.0 and p["allowance_per_day"] == 0.0
                and p["patrol_members_per_community"] == 0):
            return False
        stop = p["subsidy_stop_step"]
        return step > p["subsidy_start_step"] and (stop is None or step <= stop)

    #: Older name of :meth:`pay_active`.
    subsidy_active = pay_active

    def expected_pay(self, active: bool) -> float:
        """Yuan a volunteer expects for a day of participation: hourly pay, tip rewards, allowance."""
        p = self.p
        if not active:
            return 0.0
        return p["pay_per_hour"] * p["hours_per_participant"] + p["pay_per_tip"] * p["tip_rate"] + p["allowance_per_day"]

    def false_report_rate(self, active: bool) -> float:
        """False or mistaken reports per informant per day: the base rate plus the reward's incentive."""
        p = self.p
        return p["false_report_rate"] + (p["over_report_per_yuan"] * p["pay_per_tip"] if active else 0.0)

    def _warm_start(self, max_rounds: int = 500) -> None:
        """Iterate the decision without pay to the status-quo equilibrium before day 1."""
        for _ in range(max_rounds):
            utility, _ = decision_utility(self.latent["WIL"], self.crowding, 0.0,
                                          self.neighbour_share(self.participating), self.p)
            updated = utility >= self.thresholds
            if np.array_equal(updated, self.participating):
                break
            self.participating = updated
        self.forms = self._choose_forms(utility, self.participating, np.zeros(self.n_residents, dtype=bool))

    def _choose_forms(self, utility, participating, on_patrol) -> np.ndarray:
        """Participants take up the forms whose propensity is positive (at least their best one)."""
        propensity = self.form_base + np.outer(utility, self.form_loading)
        forms = propensity > 0.0
        forms[np.arange(self.n_residents), propensity.argmax(axis=1)] = True
        forms &= participating[:, None]
        forms[:, SAFETY_FORM] |= on_patrol
        return forms

    def _counterfactual_rate(self) -> np.ndarray:
        """Expected incidents per community with police but without residents' guardianship."""
        p = self.p
        base = p["incident_base_rate"] / 1000.0 * self.community_sizes * self.opportunity
        police_hours = p["officers_per_community"] * p["police_patrol_hours"]
        return base * np.exp(-p["police_guardianship_efficacy"] * police_hours / self.community_sizes)

    # ------------------------------------------------------------------ one day
    def draw_day(self) -> DayDraws:
        """Every random number of today, drawn before anyone acts and indexed by agent id.

        In this order, each only when its mechanism is on: whether each community's party
        organization holds a ritual, each resident's invitation and attendance uniforms; each
        officer's number of contacts and one uniform per contact; each resident's media and
        word-of-mouth uniforms; each resident's potential true tips and false or mistaken reports
        (Poisson; used if she is active in information provision). Incidents are drawn after the
        residents have acted (:meth:`step`). Both engines read these arrays by agent id, so the
        order in which agents are activated cannot change what they draw.
        """
        p, rng, n = self.p, self.rng, self.n_residents
        day = DayDraws(step=self.steps, pay_active=self.pay_active(self.steps))
        day.expected_pay = self.expected_pay(day.pay_active)
        if p["rituals"]:
            day.ritual_held = rng.random(self.n_communities) < p["ritual_rate"]
            day.invite = rng.random(n)
            day.attend = rng.random(n)
        if p["police_engagement"] and self.officer_community.size:
            day.contacts = rng.poisson(p["police_patrol_hours"] * p["police_contacts_per_hour"],
                                       size=self.officer_community.size)
            day.contact_offsets = np.concatenate([[0], np.cumsum(day.contacts)])
            day.contact_u = rng.random(int(day.contact_offsets[-1]))
        if p["brand"]:
            day.media = rng.random(n)
            day.word_of_mouth = rng.random(n)
        day.tips = rng.poisson(p["tip_rate"], size=n)
        false_rate = self.false_report_rate(day.pay_active)
        day.false_reports = rng.poisson(false_rate, size=n) if false_rate > 0.0 else np.zeros(n, dtype=np.int64)
        return day

    def step(self) -> None:
        """One day: draw, decay, the engine runs the agents' rules, incidents, the ledger."""
        p = self.p
        self.today = self.draw_day()
        self.step_counts = {"rituals": 0, "ritual_attendance": 0, "police_contacts": 0, "brand_exposures": 0}
        self.police_presence_hours = np.zeros(self.n_communities)
        # mechanism-made changes fade without renewal
        self.ee_ritual *= 1.0 - p["ee_decay"]
        self.driver_boost *= 1.0 - np.array([p["solidarity_decay"], p["police_decay"], p["brand_decay"]])
        if self.engine == "agents":
            self._step_agents()
        else:
            self._step_vectorized()
        self._environment()

    def _step_agents(self) -> None:
        """The reference engine: the agents' own methods, synchronous activation through mesa AgentSets.

        The organizations act on yesterday's state (their effects are additive, so their order
        does not matter); then every resident perceives before any resident acts. The shuffles
        show that the order of activation is irrelevant: every draw is indexed by agent id.
        """
        self.latent = {name: values.copy() for name, values in self.latent.items()}  # today's, written row by row
        self.party_organizations.shuffle_do("step")
        self.officers.shuffle_do("step")
        self.brand_channel.step()
        self.residents.shuffle_do("perceive")
        self.residents.shuffle_do("act")

    def _step_vectorized(self) -> None:
        """The fast engine: the same rules as the agents' methods, on whole arrays (no loop over residents)."""
        p, day, n = self.p, self.today, self.n_residents
        # police officers: presence, then contacts (each adds police_gain to one resident's PCR)
        np.add.at(self.police_presence_hours, self.officer_community, p["police_patrol_hours"])
        if p["police_engagement"] and self.officer_community.size:
            owner = np.repeat(self.officer_community, day.contacts)
            contacted = self.community_start[owner] + (day.contact_u * self.community_count[owner]).astype(np.int64)
            np.add.at(self.driver_boost[:, DRIVER_COLUMN["PCR"]], contacted, p["police_gain"])
            self.step_counts["police_contacts"] = int(contacted.size)
        # party organizations: rituals
        if p["rituals"]:
            held = day.ritual_held[self.community]
            attend = held & (day.invite < p["ritual_invite_share"]) & (day.attend < attendance_probability(self.latent["BEL"], p))
            count = np.bincount(self.community, weights=attend, minlength=self.n_communities)
            mood_sum = np.bincount(self.community, weights=np.where(attend, sigmoid(self.latent["EE"]), 0.0),
                                   minlength=self.n_communities)
            co_presence = np.minimum(1.0, count / p["ritual_target_size"])
            shared_mood = np.divide(mood_sum, count, out=np.zeros_like(mood_sum), where=count > 0)
            score = (co_presence * p["ritual_barrier"] * p["ritual_focus"] * shared_mood)[self.community]
            self.ee_ritual[attend] += p["ee_gain"] * score[attend]
            self.driver_boost[attend, DRIVER_COLUMN["COH"]] += p["solidarity_gain"] * score[attend]
            self.step_counts["rituals"] = int(day.ritual_held.sum())
            self.step_counts["ritual_attendance"] = int(attend.sum())
        # brand channel: media and word of mouth from yesterday's promoters
        if p["brand"]:
            promoters = self.neighbour_count(self.participating & self.forms[:, PROMOTION_FORM])
            exposed = (day.media < p["brand_media_reach"]) | (day.word_of_mouth < word_of_mouth_probability(promoters, p))
            self.driver_boost[exposed, DRIVER_COLUMN["BRP"]] += p["brand_gain"]
            self.step_counts["brand_exposures"] = int(exposed.sum())
        # residents: perceive yesterday, update constructs, decide, act
        share = self.neighbour_share(self.participating)
        self._update_constructs()
        utility, intrinsic = decision_utility(self.latent["WIL"], self.crowding, day.expected_pay, share, p)
        on_patrol = self.patrol_member & day.pay_active
        participating = on_patrol | (utility >= self.thresholds)
        forms = self._choose_forms(utility, participating, on_patrol)
        hours = np.where(on_patrol, p["patrol_hours"], np.where(participating, p["hours_per_participant"], 0.0))
        informant = forms[:, INFO_FORM]
        tips = np.where(informant, day.tips, 0)
        false_reports = np.where(informant, day.false_reports, 0)
        pay = daily_pay(hours, tips, participating, on_patrol, p) if day.pay_active else np.zeros(n)
        paid = pay > 0.0
        self.crowding[paid] += p["crowding_rate"] * (1.0 - self.crowding[paid])
        self.crowding[~paid] *= 1.0 - p["crowding_recovery"]
        self.participating, self.on_patrol, self.forms = participating, on_patrol, forms
        self.hours, self.effort, self.tips, self.false_reports, self.pay = (
            hours, guardianship_effort(intrinsic, p), tips, false_reports, pay)

    def _environment(self) -> None:
        """After everyone acted: guardianship, incidents (Poisson), perceived safety, the ledger row."""
        p = self.p
        guard = np.bincount(self.community, weights=self.hours * self.effort + p["tip_weight"] * self.tips,
                            minlength=self.n_communities) / self.community_sizes
        counterfactual = self._counterfactual_rate()
        expected = counterfactual * np.exp(-p["resident_guardianship_efficacy"] * guard)
        incidents = self.rng.poisson(expected)
        self.safety = (1.0 - p["safety_smoothing"]) * self.safety + p["safety_smoothing"] * (incidents == 0)
        self._record(incidents, expected, counterfactual)

    def _record(self, incidents, expected, counterfactual) -> None:
        p, day = self.p, self.today
        n = self.n_residents
        active = day.pay_active
        prevented = float(counterfactual.sum() - expected.sum())
        paid = float(self.pay.sum())
        n_tips = float(self.tips.sum())
        n_false = float(self.false_reports.sum())
        n_patrol = float(self.on_patrol.sum())
        volunteers = float((self.participating & ~self.on_patrol).sum())
        government = (self.step_counts["rituals"] * p["ritual_cost"]
                      + (self.n_communities * p["brand_cost_per_day"] if p["brand"] else 0.0)
                      + paid * (1.0 + p["subsidy_admin_share"]))
        n_incidents = float(incidents.sum())
        report_hours = (n_tips + n_false) * p["tip_handling_hours"]
        police_hours = (float(self.police_presence_hours.sum()) + n_incidents * p["incident_handling_hours"]
                        + report_hours)
        resident_hours = float(self.hours.sum())
        row = {"step": day.step, "subsidy_active": int(active),
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
            "government_cost": government, "subsidy_paid": paid,
            "hourly_pay_paid": float((self.hours * ~self.on_patrol).sum()) * p["pay_per_hour"] if active else 0.0,
            "reward_paid": n_tips * p["pay_per_tip"] if active else 0.0,
            "allowance_paid": volunteers * p["allowance_per_day"] if active else 0.0,
            "patrol_wages": n_patrol * p["patrol_wage"] if active else 0.0,
            "patrol_on_duty": n_patrol,
            "reports_made": n_tips + n_false, "reports_true": n_tips, "reports_false": n_false,
            "residents_reported": n_tips + n_false, "privacy_intrusions": n_false,
            "reported_cost": n_false * p["false_report_cost"],
            "report_hours": report_hours,
            "police_hours": police_hours, "police_cost": police_hours * p["officer_hour_cost"],
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
        frame["patrol_member"] = self.patrol_member
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
