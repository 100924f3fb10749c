"""The agents of the Chaoyang mobilization model (mesa 3).

Residents hold an index into the state arrays that the model owns (one NumPy array per construct),
so the per-step arithmetic runs on whole arrays; the agents are the model's organizing structure:
each resident sits in a cell of a :class:`mesa.discrete_space.Network`, each community has one
party organization and its police officers, and one channel disseminates the brand.

Agents that act each step:

* :class:`PartyOrganization` organizes interaction rituals (Collins 2004) in its community;
* :class:`PoliceOfficer` is present in the community (guardianship) and, if engagement is on,
  contacts residents (police-community relations, then closeness);
* :class:`BrandChannel` spreads the 'Chaoyang Residents' brand through the media and by word of
  mouth of residents active in safety promotion.

Residents decide to participate in the vectorized update of :class:`chaoyang.sim.model.ChaoyangModel`.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent
from mesa.discrete_space import FixedAgent

DRIVER_COLUMN = {"COH": 0, "PCR": 1, "BRP": 2}


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), elementwise."""
    return 1.0 / (1.0 + np.exp(-x))


class Resident(FixedAgent):
    """A resident: a cell of the community network plus a row of the model's state arrays.

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


class PartyOrganization(Agent):
    """The community party organization: organizes interaction rituals.

    On a given day it holds a ritual with probability ``ritual_rate``. It invites a share of the
    community; an invited resident attends with probability
    ``sigmoid(attendance_intercept + attendance_belonging * BEL)``. The ritual's score is the
    product of Collins' four ingredients, each in [0, 1]:

    * co-presence = min(1, attendees / ritual_target_size);
    * barrier to outsiders = ``ritual_barrier``;
    * mutual focus of attention = ``ritual_focus``;
    * shared mood = mean over attendees of sigmoid(EE).

    A product because Collins' ritual fails when any ingredient is missing. Each attendee gains
    ``ee_gain * score`` of emotional energy and ``solidarity_gain * score`` of community cohesion
    (group solidarity). Because shared mood depends on the attendees' emotional energy, successful
    rituals make the next ones better: an interaction ritual chain.

    Parameters
    ----------
    model : ChaoyangModel
    community : int
        Index of the community it serves.
    """

    def __init__(self, model, community: int):
        super().__init__(model)
        self.community = community
        self.rituals_held = 0
        self.last_ritual: dict | None = None

    def step(self) -> None:
        model = self.model
        p = model.p
        if not p["rituals"] or model.rng.random() >= p["ritual_rate"]:
            return
        members = model.members[self.community]
        invited = members[model.rng.random(members.size) < p["ritual_invite_share"]]
        attend_probability = sigmoid(p["attendance_intercept"] + p["attendance_belonging"] * model.latent["BEL"][invited])
        attendees = invited[model.rng.random(invited.size) < attend_probability]
        ingredients = ritual_ingredients(attendees.size, model.latent["EE"][attendees], p)
        score = ingredients["score"]
        model.ee_ritual[attendees] += p["ee_gain"] * score
        model.driver_boost[attendees, DRIVER_COLUMN["COH"]] += p["solidarity_gain"] * score
        self.rituals_held += 1
        self.last_ritual = {"step": model.steps, "invited": int(invited.size), **ingredients}
        model.step_counts["rituals"] += 1
        model.step_counts["ritual_attendance"] += int(attendees.size)


def ritual_ingredients(n_attendees: int, attendee_ee: np.ndarray, p: dict) -> dict[str, float]:
    """Score one interaction ritual from Collins' ingredients.

    Parameters
    ----------
    n_attendees : int
        Number of residents present, >= 0.
    attendee_ee : ndarray
        Emotional energy (latent score) of each attendee.
    p : dict
        Model parameters (``ritual_target_size``, ``ritual_barrier``, ``ritual_focus``).

    Returns
    -------
    dict
        ``co_presence``, ``barrier``, ``focus``, ``shared_mood`` (each in [0, 1]) and ``score``,
        their product. No attendees gives score 0.

    Examples
    --------
    >>> import numpy as np
    >>> d = ritual_ingredients(10, np.zeros(10), {"ritual_target_size": 20, "ritual_barrier": 1.0,
    ...                                             "ritual_focus": 1.0})
    >>> d["co_presence"], d["shared_mood"], d["score"]
    (0.5, 0.5, 0.25)
    """
    co_presence = min(1.0, n_attendees / p["ritual_target_size"])
    shared_mood = float(sigmoid(attendee_ee).mean()) if n_attendees else 0.0
    score = co_presence * p["ritual_barrier"] * p["ritual_focus"] * shared_mood
    return {"attendees": int(n_attendees), "co_presence": co_presence, "barrier": p["ritual_barrier"],
            "focus": p["ritual_focus"], "shared_mood": shared_mood, "score": score}


class PoliceOfficer(Agent):
    """A community police officer (社区民警).

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
    """

    def __init__(self, model, community: int):
        super().__init__(model)
        self.community = community
        self.contacts_made = 0

    def step(self) -> None:
        model = self.model
        p = model.p
        model.police_presence_hours[self.community] += p["police_patrol_hours"]
        if not p["police_engagement"]:
            return
        members = model.members[self.community]
        n_contacts = model.rng.poisson(p["police_patrol_hours"] * p["police_contacts_per_hour"])
        contacted = members[model.rng.integers(0, members.size, size=n_contacts)]
        np.add.at(model.driver_boost[:, DRIVER_COLUMN["PCR"]], contacted, p["police_gain"])
        self.contacts_made += int(n_contacts)
        model.step_counts["police_contacts"] += int(n_contacts)


class BrandChannel(Agent):
    """The dissemination channel of the 'Chaoyang Residents' brand (media and word of mouth).

    Each day a resident is exposed through the media with probability ``brand_media_reach``, and by
    word of mouth with probability ``1 - (1 - brand_wom_rate) ** m``, where ``m`` is the number of
    network neighbours (in a complete network: other community members) active in safety
    promotion. An exposed resident's brand reputation (BRP) rises by ``brand_gain``; through the
    planted path BRP -> BID this raises brand identity.
    """

    def step(self) -> None:
        model = self.model
        p = model.p
        if not p["brand"]:
            return
        n = model.n_residents
        exposed = model.rng.random(n) < p["brand_media_reach"]
        promoters = model.participating & model.forms[:, model.form_index["PAR_PROMOTION"]]
        m = model.neighbour_count(promoters)
        word_of_mouth = model.rng.random(n) < 1.0 - (1.0 - p["brand_wom_rate"]) ** m
        exposed |= word_of_mouth
        model.driver_boost[exposed, DRIVER_COLUMN["BRP"]] += p["brand_gain"]
        model.step_counts["brand_exposures"] += int(exposed.sum())
