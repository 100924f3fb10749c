"""The agents of the Chaoyang mobilization model and their decision rules (mesa 3).

Read this module to see what each agent does in one day. The rules are written per agent, in
the style of the mesa examples:

* :class:`Resident` -- ``perceive`` (yesterday's participation of the neighbours), then ``act``:
  update her constructs (emotional energy among them) through the planted paths, decide whether
  to participate (Granovetter threshold), and act (forms, hours, tips and reports, pay received);
* :class:`PartyOrganization` -- holds interaction rituals (Collins 2004);
* :class:`PoliceOfficer` -- patrols (guardianship) and, when engaged, contacts residents;
* :class:`BrandChannel` -- spreads the 'Chaoyang Residents' brand through the media and by word
  of mouth.

Two engines run these rules (:class:`chaoyang.sim.model.ChaoyangModel`, ``engine=``):

``"agents"`` (the reference engine)
    calls the methods below through mesa's :class:`~mesa.agent.AgentSet` with **synchronous
    activation**: the organizations act on yesterday's state, then every resident perceives
    (``residents.shuffle_do("perceive")``) before any resident acts
    (``residents.shuffle_do("act")``), so no resident sees a neighbour's decision of the same day
    and the order of activation cannot matter.
``"vectorized"`` (the default, an optimization)
    implements the same rules on whole NumPy arrays, one operation for all residents.

Both engines take every random number from one set of per-day draws made by the model and
indexed by agent id (:meth:`chaoyang.sim.model.ChaoyangModel.draw_day`), and both use the shared
arithmetic of this module (:func:`decision_utility`, :func:`guardianship_effort`,
:func:`daily_pay`, ...), so for the same seed they produce **identical ledgers, bit for bit**
(``tests/test_sim_engines.py``). Resident state lives in NumPy arrays owned by the model (one
row per resident); a resident reads and writes its own row.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent
from mesa.discrete_space import FixedAgent

from chaoyang.world import DRIVERS, LATENT_ORDER, PARTICIPATION_FORMS

DRIVER_COLUMN = {"COH": 0, "PCR": 1, "BRP": 2}
SAFETY_FORM = PARTICIPATION_FORMS.index("PAR_SAFETY")
INFO_FORM = PARTICIPATION_FORMS.index("PAR_INFO")
PROMOTION_FORM = PARTICIPATION_FORMS.index("PAR_PROMOTION")


# ---------------------------------------------------------------------------- shared arithmetic
# Each function below is the one home of a formula. The agent engine calls it with one resident's
# numbers, the vectorized engine with arrays; NumPy's elementwise operations round exactly as the
# scalar ones do, which is why the two engines agree to the bit.
def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), elementwise (NumPy's exp for scalars and arrays alike)."""
    return 1.0 / (1.0 + np.exp(-x))


def decision_utility(willingness, crowding, expected_pay, share, p):
    """Participation utility and its intrinsic part (decision units).

    ``intrinsic = intrinsic_weight * willingness - crowding_out * crowding`` and
    ``utility = intrinsic + pay_sensitivity * expected_pay + social_weight * share``; a resident
    participates when ``utility >= threshold`` (Granovetter 1978).

    Parameters
    ----------
    willingness : float or ndarray
        Latent willingness (SD units).
    crowding : float or ndarray
        Crowding-out exposure, 0-1.
    expected_pay : float
        Yuan a volunteer expects for a day of participation (0 when no pay is active).
    share : float or ndarray
        Share of the reference group that participated yesterday, 0-1.
    p : dict
        Model parameters.

    Returns
    -------
    tuple
        ``(utility, intrinsic)``.

    Examples
    --------
    >>> p = {"intrinsic_weight": 1.0, "crowding_out": 0.5, "pay_sensitivity": 0.1, "social_weight": 2.0}
    >>> decision_utility(1.0, 0.5, 10.0, 0.25, p)
    (2.25, 0.75)
    """
    intrinsic = p["intrinsic_weight"] * willingness - p["crowding_out"] * crowding
    utility = intrinsic + p["pay_sensitivity"] * expected_pay + p["social_weight"] * share
    return utility, intrinsic


def guardianship_effort(intrinsic, p):
    """Effort of one participation hour, from ``effort_floor`` (no intrinsic motivation) up to 1.

    Examples
    --------
    >>> round(float(guardianship_effort(0.0, {"effort_floor": 0.2})), 12)
    0.6
    """
    return p["effort_floor"] + (1.0 - p["effort_floor"]) * sigmoid(intrinsic)


def daily_pay(hours, tips, volunteering, on_patrol, p):
    """Yuan a resident receives for one day while pay is active.

    A volunteer gets ``pay_per_hour`` per hour, ``pay_per_tip`` per true tip (rewards are paid
    for verified tips only) and, if participating, the activists' ``allowance_per_day``. A member
    of a full-time patrol team on duty gets ``patrol_wage`` plus the tip rewards.

    Examples
    --------
    >>> p = {"pay_per_hour": 20.0, "pay_per_tip": 50.0, "allowance_per_day": 10.0, "patrol_wage": 150.0}
    >>> float(daily_pay(0.5, 1, True, False, p)), float(daily_pay(8.0, 0, True, True, p))
    (70.0, 150.0)
    """
    volunteer_pay = hours * p["pay_per_hour"] + tips * p["pay_per_tip"] + np.where(volunteering, p["allowance_per_day"], 0.0)
    patrol_pay = p["patrol_wage"] + tips * p["pay_per_tip"]
    return np.where(on_patrol, patrol_pay, volunteer_pay)


def word_of_mouth_probability(promoters, p):
    """Probability of hearing about the brand from ``promoters`` neighbours active in safety promotion.

    ``1 - (1 - brand_wom_rate) ** promoters``: each promoter independently tells with
    probability ``brand_wom_rate``.

    Examples
    --------
    >>> float(word_of_mouth_probability(np.float64(2), {"brand_wom_rate": 0.5}))
    0.75
    """
    return 1.0 - (1.0 - p["brand_wom_rate"]) ** promoters


def attendance_probability(belonging, p):
    """Probability that an invited resident attends a ritual: ``sigmoid(a + b * BEL)``."""
    return sigmoid(p["attendance_intercept"] + p["attendance_belonging"] * belonging)


def configuration_term(world, latent):
    """The planted configurational term S~ of willingness, for one resident or for arrays.

    The same quantity as :meth:`chaoyang.world.World.configuration_term` (S minus its population
    linear projection), summed term by term in a fixed order instead of with a matrix product, so
    that one resident's value equals her element of the array computation to the bit.
    """
    indicator = False
    for term in world.configuration_terms():
        high = True
        for mediator in term:
            high = high & (latent[mediator] > world.high_cut)
        indicator = indicator | high
    proj = world._configuration_projection
    value = 1.0 * indicator - proj["intercept"]
    for k, name in enumerate(LATENT_ORDER[:-1]):
        value = value - latent[name] * proj["coef"][k]
    return value


def constructs_from_drivers(model, drivers, disturbance, ee_ritual):
    """Every construct from the drivers through the planted paths (one resident or arrays).

    ``drivers``: the three drivers (COH, PCR, BRP) as a sequence; ``disturbance``: construct ->
    the resident's own disturbance (fixed at the initial draw); ``ee_ritual``: ritual-made
    emotional energy. Each endogenous construct = its disturbance + planted path x cause, in
    causal order; emotional energy also carries the ritual-made energy, willingness the planted
    configurational boost (if ``configurations``).
    """
    latent = {d: drivers[j] for j, d in enumerate(DRIVERS)}
    for target, sources in model.equations.items():
        value = disturbance[target]
        for source, coef in sources:
            value = value + coef * latent[source]
        if target == "EE":
            value = value + ee_ritual
        if target == "WIL" and model.p["configurations"]:
            value = value + model.world.config_boost * configuration_term(model.world, latent)
        latent[target] = value
    return latent


# ---------------------------------------------------------------------------- residents
class Resident(FixedAgent):
    """A resident: a cell of the community network plus a row of the model's state arrays.

    One day of a resident (:meth:`step`, run in two phases by the reference engine):

    1. **perceive** -- the share of her reference group that participated yesterday (network
       neighbours; in a complete network the whole community, herself included);
    2. **update emotional energy** -- today's drivers (raised by rituals, police contacts and the
       brand, decayed otherwise) pass through the planted paths to belonging, closeness, brand
       identity, emotional energy, responsibility and willingness;
    3. **decide** -- participate if ``utility >= threshold`` (:func:`decision_utility`); a member
       of a full-time patrol team participates while the team is paid;
    4. **act** -- take up forms, give hours and tips (and false or mistaken reports), receive
       pay, and get used to pay (crowding out) or recover from it.

    Parameters
    ----------
    model : ChaoyangModel
    index : int
        Row of this resident in every state array of the model, 0 <= index < n_residents.
    cell : mesa.discrete_space.Cell
        The resident's node of the community network.

    Notes
    -----
    The attributes below are read from the model's arrays, so they always show the current state.
    Latent scores are in standardized units of the planted world.
    """

    def __init__(self, model, index: int, cell):
        super().__init__(model)
        self.index = index
        self.cell = cell
        self.perceived_share = 0.0
        self._neighbours = None

    # ------------------------------------------------------------------ one day
    def step(self) -> None:
        """One day: perceive, then act (update constructs, decide, act).

        The reference engine does not call this method: it runs ``perceive`` for every resident
        before ``act`` for any (synchronous activation). Called alone, it gives the same result
        only if no other resident acts in between.
        """
        self.perceive()
        self.act()

    def neighbours(self) -> np.ndarray:
        """Indices of the residents in this resident's reference group, herself excluded."""
        if self._neighbours is None:
            model = self.model
            if model.p["network"] == "complete":
                members = model.members[self.community]
                self._neighbours = members[members != self.index]
            else:
                self._neighbours = np.array(sorted(a.index for a in self.cell.neighborhood.agents), dtype=np.int64)
        return self._neighbours

    def perceive(self) -> None:
        """Phase 1: read yesterday's participation of the reference group (nothing is written).

        Small-world or grid network: share of network neighbours who participated (0 without
        neighbours). Complete network: share of the whole community, herself included, as in
        Granovetter (1978).
        """
        model = self.model
        yesterday = model.participating
        if model.p["network"] == "complete":
            members = model.members[self.community]
            self.perceived_share = int(yesterday[members].sum()) / members.size
        else:
            neighbours = self.neighbours()
            self.perceived_share = int(yesterday[neighbours].sum()) / neighbours.size if neighbours.size else 0.0

    def update_constructs(self) -> dict:
        """Recompute this resident's constructs from today's drivers (planted paths); return them."""
        model, i = self.model, self.index
        drivers = model.drivers0[i] + model.driver_boost[i]
        disturbance = {target: model.disturbance[target][i] for target in model.equations}
        latent = constructs_from_drivers(model, drivers, disturbance, model.ee_ritual[i])
        for name, value in latent.items():
            model.latent[name][i] = value
        return latent

    def act(self) -> None:
        """Phase 2: update emotional energy and the other constructs, decide, act."""
        model, p, i, day = self.model, self.model.p, self.index, self.model.today
        # update emotional energy (and every construct) through the planted paths
        latent = self.update_constructs()
        # decide
        utility, intrinsic = decision_utility(latent["WIL"], model.crowding[i], day.expected_pay,
                                              self.perceived_share, p)
        on_patrol = bool(model.patrol_member[i]) and day.pay_active
        participating = on_patrol or bool(utility >= model.thresholds[i])
        # act: the forms whose propensity is positive (at least the best one); patrols patrol
        propensity = model.form_base[i] + utility * model.form_loading
        forms = (propensity > 0.0) | (np.arange(propensity.size) == propensity.argmax())
        forms = forms & participating
        forms[SAFETY_FORM] |= on_patrol
        hours = p["patrol_hours"] if on_patrol else (p["hours_per_participant"] if participating else 0.0)
        informant = bool(forms[INFO_FORM])
        tips = day.tips[i] if informant else 0
        false_reports = day.false_reports[i] if informant else 0
        pay = daily_pay(hours, tips, participating, on_patrol, p) if day.pay_active else 0.0
        # getting used to pay (crowding out) or recovering from it
        if pay > 0.0:
            model.crowding[i] += p["crowding_rate"] * (1.0 - model.crowding[i])
        else:
            model.crowding[i] *= 1.0 - p["crowding_recovery"]
        # write today's row
        model.participating[i] = participating
        model.on_patrol[i] = on_patrol
        model.forms[i] = forms
        model.hours[i] = hours
        model.effort[i] = guardianship_effort(intrinsic, p)
        model.tips[i] = tips
        model.false_reports[i] = false_reports
        model.pay[i] = pay

    # ------------------------------------------------------------------ read-only views
    @property
    def community(self) -> int:
        """Index of the resident's community."""
        return int(self.model.community[self.index])

    def construct(self, name: str) -> float:
        """Current latent score of a construct (``"COH"``, ..., ``"WIL"``)."""
        return float(self.model.latent[name][self.index])

    @property
    def willingness(self) -> float:
        return self.construct("WIL")

    @property
    def emotional_energy(self) -> float:
        return self.construct("EE")

    @property
    def belonging(self) -> float:
        return self.construct("BEL")

    @property
    def closeness(self) -> float:
        return self.construct("CLO")

    @property
    def brand_identity(self) -> float:
        return self.construct("BID")

    @property
    def responsibility(self) -> float:
        return self.construct("RES")

    @property
    def threshold(self) -> float:
        """Personal participation threshold (decision units)."""
        return float(self.model.thresholds[self.index])

    @property
    def participating(self) -> bool:
        return bool(self.model.participating[self.index])


# ---------------------------------------------------------------------------- organizations
class PartyOrganization(Agent):
    """The community party organization: organizes interaction rituals.

    On a given day it holds a ritual with probability ``ritual_rate``. It invites a share
    (``ritual_invite_share``) of the community; an invited resident attends with probability
    :func:`attendance_probability` (belonging raises it). The ritual's score is the product of
    Collins' four ingredients (:func:`ritual_ingredients`). Each attendee gains
    ``ee_gain * score`` of emotional energy and ``solidarity_gain * score`` of community cohesion
    (group solidarity). Because shared mood depends on the attendees' emotional energy,
    successful rituals make the next ones better: an interaction ritual chain.

    Parameters
    ----------
    model : ChaoyangModel
    community : int
        Index of the community it serves.

    Attributes
    ----------
    rituals_held : int
    last_ritual : dict or None
        The last ritual's day and ingredients. Both are kept by the reference engine only (the
        vectorized engine counts rituals in the ledger).
    """

    def __init__(self, model, community: int):
        super().__init__(model)
        self.community = community
        self.rituals_held = 0
        self.last_ritual: dict | None = None

    def step(self) -> None:
        """Hold today's ritual, if any (reads yesterday's constructs, adds today's gains)."""
        model, p, day = self.model, self.model.p, self.model.today
        if not p["rituals"] or not day.ritual_held[self.community]:
            return
        attendees, mood_sum = [], 0.0
        for i in model.members[self.community]:  # in index order, as the vectorized sum runs
            if day.invite[i] < p["ritual_invite_share"] and day.attend[i] < attendance_probability(model.latent["BEL"][i], p):
                attendees.append(i)
                mood_sum += sigmoid(model.latent["EE"][i])
        ingredients = ritual_ingredients(len(attendees), mood_sum, p)
        for i in attendees:
            model.ee_ritual[i] += p["ee_gain"] * ingredients["score"]
            model.driver_boost[i, DRIVER_COLUMN["COH"]] += p["solidarity_gain"] * ingredients["score"]
        self.rituals_held += 1
        self.last_ritual = {"step": model.steps, **ingredients}
        model.step_counts["rituals"] += 1
        model.step_counts["ritual_attendance"] += len(attendees)


def ritual_ingredients(n_attendees: int, mood_sum: float, p: dict) -> dict[str, float]:
    """Score one interaction ritual from Collins' ingredients.

    Parameters
    ----------
    n_attendees : int
        Number of residents present, >= 0.
    mood_sum : float
        Sum over attendees of sigmoid(emotional energy), added in resident order.
    p : dict
        Model parameters (``ritual_target_size``, ``ritual_barrier``, ``ritual_focus``).

    Returns
    -------
    dict
        ``co_presence`` = min(1, attendees / ritual_target_size), ``barrier``, ``focus``,
        ``shared_mood`` = mood_sum / attendees (each in [0, 1]) and ``score``, their product (a
        product because Collins' ritual fails when any ingredient is missing). No attendees gives
        score 0.

    Examples
    --------
    >>> d = ritual_ingredients(10, 5.0, {"ritual_target_size": 20, "ritual_barrier": 1.0, "ritual_focus": 1.0})
    >>> d["co_presence"], d["shared_mood"], d["score"]
    (0.5, 0.5, 0.25)
    """
    co_presence = min(1.0, n_attendees / p["ritual_target_size"])
    shared_mood = float(mood_sum / n_attendees) if n_attendees else 0.0
    score = co_presence * p["ritual_barrier"] * p["ritual_focus"] * shared_mood
    return {"attendees": int(n_attendees), "co_presence": co_presence, "barrier": p["ritual_barrier"],
            "focus": p["ritual_focus"], "shared_mood": shared_mood, "score": score}


class PoliceOfficer(Agent):
    """A community police officer (社区民警, *shequ minjing*).

    Each day the officer is present ``police_patrol_hours`` in the community (capable
    guardianship, and police workload). With ``police_engagement`` on, presence is used for
    contacts: a Poisson number of contacts with mean ``police_patrol_hours *
    police_contacts_per_hour``, each with a resident drawn at random from the community, whose
    police-community relations (PCR) rise by ``police_gain``; through the planted path PCR -> CLO
    this raises police-resident closeness.

    Parameters
    ----------
    model : ChaoyangModel
    community : int

    Attributes
    ----------
    number : int
        The officer's position among all officers in order of creation (indexes the day's draws).
    """

    def __init__(self, model, community: int):
        super().__init__(model)
        self.community = community
        self.number = model.__dict__.get("_officers_created", 0)
        model._officers_created = self.number + 1
        self.contacts_made = 0

    def step(self) -> None:
        """Patrol, and contact residents if engaged."""
        model, p, day = self.model, self.model.p, self.model.today
        model.police_presence_hours[self.community] += p["police_patrol_hours"]
        if not p["police_engagement"]:
            return
        members = model.members[self.community]
        for u in day.contact_draws(self.number):
            resident = members[int(u * members.size)]
            model.driver_boost[resident, DRIVER_COLUMN["PCR"]] += p["police_gain"]
            self.contacts_made += 1
            model.step_counts["police_contacts"] += 1


class BrandChannel(Agent):
    """The dissemination channel of the 'Chaoyang Residents' brand (media and word of mouth).

    Each day a resident is exposed through the media with probability ``brand_media_reach``, and by
    word of mouth with :func:`word_of_mouth_probability` of the number of her network neighbours
    (in a complete network: other community members) who were active in safety promotion
    yesterday. An exposed resident's brand reputation (BRP) rises by ``brand_gain``; through the
    planted path BRP -> BID this raises brand identity.
    """

    def step(self) -> None:
        """Expose residents to the brand (reads yesterday's promoters, adds today's gains)."""
        model, p, day = self.model, self.model.p, self.model.today
        if not p["brand"]:
            return
        promoting = model.participating & model.forms[:, PROMOTION_FORM]
        for resident in model.residents:
            i = resident.index
            promoters = np.float64(promoting[resident.neighbours()].sum())
            if day.media[i] < p["brand_media_reach"] or day.word_of_mouth[i] < word_of_mouth_probability(promoters, p):
                model.driver_boost[i, DRIVER_COLUMN["BRP"]] += p["brand_gain"]
                model.step_counts["brand_exposures"] += 1
