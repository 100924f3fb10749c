"""Every parameter of the simulation: default, valid range, unit and meaning, in one table.

:data:`PARAMETERS` is the single source of truth for defaults and ranges. :func:`resolve` merges a
regime's preset (:data:`REGIMES`) with the caller's overrides and checks every value, so that a
bad value fails early with a message naming the parameter and its valid range.

Units: time step = one day; money in yuan; latent scores (drivers, mediators, willingness) in
standardized units of the planted world (population SD 1).
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

import numpy as np

from chaoyang.errors import ChaoyangError
from chaoyang.world import DEFAULT_WORLD

COMMUNITY_TYPE_KEYS: tuple[str, ...] = tuple(t.key for t in DEFAULT_WORLD.community_types)

#: Relative number of crime opportunities per resident by community type (routine activity theory:
#: suitable targets and motivated offenders are more common where population turnover is high).
#: A modelling assumption of the kit, not an estimate; documented in book/methods/odd.md.
OPPORTUNITY_BY_TYPE: dict[str, float] = {"danwei": 0.8, "commercial": 1.0, "resettlement": 1.0, "rental": 1.5}


class ParameterError(ChaoyangError, ValueError):
    """A simulation parameter is unknown or outside its valid range (the message says which)."""


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes
    ----------
    name : str
    default : object
        Value used when neither the regime nor the caller sets it.
    kind : str
        ``"float"``, ``"int"``, ``"bool"``, ``"choice"``, ``"optional_int"`` (an int or None) or
        ``"array"`` (a 1-D array of floats, one per resident).
    low, high : float
        Inclusive valid range (numbers only).
    choices : tuple of str
        Valid values of a ``"choice"`` parameter.
    unit : str
    group : str
        Which mechanism the parameter belongs to.
    doc : str
        One-line meaning.
    """

    name: str
    default: object
    kind: str
    low: float = -math.inf
    high: float = math.inf
    choices: tuple = ()
    unit: str = ""
    group: str = ""
    doc: str = ""

    def range_text(self) -> str:
        if self.kind == "bool":
            return "True or False"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "array":
            return "a 1-D array of n_residents values in [0, inf)"
        text = f"[{self.low:g}, {self.high:g}]"
        if self.kind in ("int", "optional_int"):
            text = "a whole number in " + text
        if self.kind == "optional_int":
            text += " or None"
        return text


def _p(name, default, kind, low=-math.inf, high=math.inf, *, unit="", group="", doc="", choices=()):
    return Parameter(name, default, kind, low, high, tuple(choices), unit, group, doc)


_TABLE = [
    # ---------------------------------------------------------------- population and space
    _p("community_size", 200, "int", 2, 100_000, unit="residents", group="population",
       doc="Target residents per community: residents are split into ceil(n_residents / community_size) "
           "communities of nearly equal size."),
    _p("network", "small_world", "choice", choices=("small_world", "grid", "complete"), group="population",
       doc="Contact network inside each community; 'complete' = the whole community is each resident's "
           "reference group, as in Granovetter (1978)."),
    _p("network_degree", 6, "int", 2, 50, unit="neighbours", group="population",
       doc="Mean number of neighbours in the small-world network (Watts-Strogatz k)."),
    _p("rewiring", 0.1, "float", 0, 1, unit="probability", group="population",
       doc="Rewiring probability of the small-world network."),
    _p("community_type", "mixed", "choice", choices=("mixed", *COMMUNITY_TYPE_KEYS), group="population",
       doc="'mixed' draws each community's type from the world's shares; a type key makes every community that type."),
    _p("solidarity_shift", 0.0, "float", -2, 2, unit="latent SD", group="population",
       doc="Existing solidarity: shift of every resident's community cohesion (COH)."),
    _p("police_relations_shift", 0.0, "float", -2, 2, unit="latent SD", group="population",
       doc="Existing police-community relations: shift of every resident's PCR."),
    _p("brand_recognition_shift", 0.0, "float", -2, 2, unit="latent SD", group="population",
       doc="Existing brand recognition: shift of every resident's brand reputation (BRP)."),
    _p("configurations", True, "bool", group="population",
       doc="Include the world's planted configurational boost in willingness."),
    _p("warm_start", True, "bool", group="population",
       doc="Start from the status-quo participation equilibrium (no mobilization, no pay) instead of nobody participating."),
    # ---------------------------------------------------------------- interaction rituals (party organization)
    _p("rituals", True, "bool", group="rituals", doc="Party organization holds interaction rituals."),
    _p("ritual_rate", 2 / 7, "float", 0, 1, unit="per community per day", group="rituals",
       doc="Probability that a community's party organization holds a ritual on a given day."),
    _p("ritual_invite_share", 0.25, "float", 0, 1, unit="share of residents", group="rituals",
       doc="Share of the community invited to each ritual."),
    _p("attendance_intercept", 0.0, "float", -10, 10, unit="logit", group="rituals",
       doc="Logit of attending an invitation for a resident of average belonging."),
    _p("attendance_belonging", 1.0, "float", 0, 10, unit="logit per latent SD", group="rituals",
       doc="How much belonging (BEL) raises the logit of attending."),
    _p("ritual_target_size", 30, "int", 1, 10_000, unit="attendees", group="rituals",
       doc="Attendance at which co-presence is complete (co-presence = min(1, attendees / target))."),
    _p("ritual_barrier", 0.7, "float", 0, 1, unit="score 0-1", group="rituals",
       doc="Collins' barrier to outsiders: how clearly the ritual marks who belongs."),
    _p("ritual_focus", 0.8, "float", 0, 1, unit="score 0-1", group="rituals",
       doc="Collins' mutual focus of attention, set by the organizer's skill."),
    _p("ee_gain", 1.0, "float", 0, 10, unit="latent SD per unit ritual score", group="rituals",
       doc="Emotional-energy gain of an attendee from a ritual of score 1."),
    _p("ee_decay", 0.05, "float", 0, 1, unit="per day", group="rituals",
       doc="Share of ritual-made emotional energy lost each day without new rituals."),
    _p("solidarity_gain", 0.6, "float", 0, 10, unit="latent SD per unit ritual score", group="rituals",
       doc="Gain in community cohesion (group solidarity, COH) of an attendee from a ritual of score 1."),
    _p("solidarity_decay", 0.01, "float", 0, 1, unit="per day", group="rituals",
       doc="Share of ritual-made solidarity lost each day."),
    _p("ritual_cost", 600.0, "float", 0, 1e7, unit="yuan per ritual", group="rituals",
       doc="Government cost of one ritual (venue, materials, organizers' time)."),
    # ---------------------------------------------------------------- police
    _p("officers_per_community", 1, "int", 0, 100, unit="officers", group="police",
       doc="Community police officers per community."),
    _p("police_patrol_hours", 4.0, "float", 0, 24, unit="hours per officer per day", group="police",
       doc="Hours each officer is present in the community each day (capable guardianship)."),
    _p("police_engagement", True, "bool", group="police",
       doc="Officers use their presence for community contacts (visits, help) that build closeness."),
    _p("police_contacts_per_hour", 1.0, "float", 0, 100, unit="contacts per hour", group="police",
       doc="Resident contacts per hour of presence when engagement is on."),
    _p("police_gain", 0.25, "float", 0, 10, unit="latent SD per contact", group="police",
       doc="Rise in police-community relations (PCR) of a contacted resident."),
    _p("police_decay", 0.01, "float", 0, 1, unit="per day", group="police",
       doc="Share of contact-made PCR lost each day."),
    _p("officer_hour_cost", 120.0, "float", 0, 1e5, unit="yuan per hour", group="police",
       doc="Cost of one officer hour."),
    _p("incident_handling_hours", 3.0, "float", 0, 1000, unit="officer hours per incident", group="police",
       doc="Police time needed to handle one incident."),
    _p("tip_handling_hours", 0.25, "float", 0, 1000, unit="officer hours per tip", group="police",
       doc="Police time needed to process one tip."),
    # ---------------------------------------------------------------- brand
    _p("brand", True, "bool", group="brand", doc="The 'Chaoyang Residents' brand is disseminated."),
    _p("brand_media_reach", 0.01, "float", 0, 1, unit="probability per resident per day", group="brand",
       doc="Daily probability that a resident meets the brand in the media."),
    _p("brand_wom_rate", 0.05, "float", 0, 1, unit="probability per promoter per day", group="brand",
       doc="Daily probability that a neighbour active in safety promotion tells a resident about the brand."),
    _p("brand_gain", 0.1, "float", 0, 10, unit="latent SD per exposure", group="brand",
       doc="Rise in brand reputation (BRP) from one day with an exposure."),
    _p("brand_decay", 0.01, "float", 0, 1, unit="per day", group="brand",
       doc="Share of exposure-made BRP lost each day."),
    _p("brand_cost_per_day", 30.0, "float", 0, 1e7, unit="yuan per community per day", group="brand",
       doc="Cost of the brand campaign."),
    # ---------------------------------------------------------------- participation
    _p("intrinsic_weight", 1.0, "float", 0, 10, unit="per latent SD", group="participation",
       doc="Weight of willingness in the participation decision (0 = willingness ignored)."),
    _p("social_weight", 1.0, "float", 0, 10, unit="per unit share", group="participation",
       doc="Weight of the share of neighbours participating (Granovetter term)."),
    _p("threshold_mean", 1.2, "float", -10, 10, unit="decision units", group="participation",
       doc="Mean personal threshold."),
    _p("threshold_sd", 0.5, "float", 0, 10, unit="decision units", group="participation",
       doc="SD of personal thresholds across residents."),
    _p("thresholds", None, "array", group="participation",
       doc="Explicit personal thresholds (overrides threshold_mean/sd); used for docking with Granovetter."),
    _p("hours_per_participant", 0.5, "float", 0, 24, unit="hours per day", group="participation",
       doc="Time each participant gives to mass prevention per day."),
    _p("tip_rate", 0.02, "float", 0, 10, unit="tips per day", group="participation",
       doc="Tips to the police per resident active in information provision."),
    _p("effort_floor", 0.3, "float", 0, 1, unit="share", group="participation",
       doc="Guardianship effort of a participant with no intrinsic motivation; effort rises to 1 with it."),
    # ---------------------------------------------------------------- subsidy
    _p("pay_per_hour", 0.0, "float", 0, 1e4, unit="yuan per hour", group="subsidy",
       doc="Subsidy per hour of participation."),
    _p("pay_per_tip", 0.0, "float", 0, 1e5, unit="yuan per tip", group="subsidy",
       doc="Subsidy per tip."),
    _p("pay_sensitivity", 0.05, "float", 0, 10, unit="decision units per yuan per day", group="subsidy",
       doc="How much expected daily pay raises the participation decision."),
    _p("subsidy_admin_share", 0.1, "float", 0, 1, unit="share of payments", group="subsidy",
       doc="Administrative overhead of running the subsidy."),
    _p("subsidy_start_step", 0, "int", 0, 100_000, unit="day", group="subsidy",
       doc="Day the subsidy starts."),
    _p("subsidy_stop_step", None, "optional_int", 0, 100_000, unit="day", group="subsidy",
       doc="Day the subsidy is withdrawn (None = never): the withdrawal shock."),
    _p("crowding_out", 0.3, "float", 0, 10, unit="latent SD", group="subsidy",
       doc="Loss of intrinsic motivation of a resident fully used to being paid (0 = no crowding out)."),
    _p("crowding_rate", 0.02, "float", 0, 1, unit="per day", group="subsidy",
       doc="Speed at which a paid participant gets used to pay."),
    _p("crowding_recovery", 0.002, "float", 0, 1, unit="per day", group="subsidy",
       doc="Speed at which crowding out fades once a resident is no longer paid."),
    _p("allowance_per_day", 0.0, "float", 0, 1e4, unit="yuan per day on duty", group="subsidy",
       doc="Allowance (补贴) for security activists, paid for each day a volunteer participates. Assumption: "
           "no checked source gives an amount; the hybrid regimes use 10 (300 yuan a month)."),
    _p("patrol_members_per_community", 0, "int", 0, 1000, unit="residents", group="subsidy",
       doc="Members of a full-time paid patrol team (专职巡防队) per community, residents drawn at random; "
           "on duty every day while pay is active. Assumption: team sizes are not reported."),
    _p("patrol_hours", 8.0, "float", 0, 24, unit="hours per day", group="subsidy",
       doc="Daily hours of a patrol member on duty (a full-time working day)."),
    _p("patrol_wage", 150.0, "float", 0, 1e5, unit="yuan per day", group="subsidy",
       doc="Daily wage of a patrol member on duty. Assumption (about a low urban wage)."),
    # ---------------------------------------------------------------- incidents and safety
    _p("incident_base_rate", 0.4, "float", 0, 1000, unit="incidents per 1,000 residents per day", group="incidents",
       doc="Expected incidents without any guardianship (opportunities x offenders), before type factors."),
    _p("resident_guardianship_efficacy", 8.0, "float", 0, 1000, unit="per effort-hour per resident", group="incidents",
       doc="How strongly residents' guardianship lowers incidents (exponential)."),
    _p("police_guardianship_efficacy", 8.0, "float", 0, 1000, unit="per officer hour per resident", group="incidents",
       doc="How strongly police presence lowers incidents (exponential)."),
    _p("tip_weight", 2.0, "float", 0, 1000, unit="effort-hours per tip", group="incidents",
       doc="Guardianship value of one tip."),
    _p("loss_per_incident", 2000.0, "float", 0, 1e7, unit="yuan", group="incidents",
       doc="Residents' loss from one incident."),
    _p("value_of_time", 20.0, "float", 0, 1e4, unit="yuan per hour", group="incidents",
       doc="Value of residents' time."),
    _p("safety_smoothing", 0.05, "float", 0, 1, unit="per day", group="incidents",
       doc="Weight of today in residents' perceived safety (exponential smoothing)."),
    # ---------------------------------------------------------------- reports and the reported
    _p("false_report_rate", 0.005, "float", 0, 10, unit="reports per informant per day", group="reports",
       doc="False or mistaken reports of a resident active in information provision, without rewards. "
           "Assumption: press figures say only that about 2% of clues were classed as valuable."),
    _p("over_report_per_yuan", 0.0002, "float", 0, 0.01, unit="reports per informant per day per yuan", group="reports",
       doc="Extra false or mistaken reports per yuan of reward per tip (the incentive to over-report). Assumption."),
    _p("false_report_cost", 200.0, "float", 0, 1e6, unit="yuan per report", group="reports",
       doc="Cost borne by a resident wrongly reported (time at the police check, distress, reputation). Assumption."),
]

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _TABLE}

#: Presets of the mobilization regimes. The two pure regimes are reference points: ``"emotional"``,
#: the three emotional-commitment pathways (rituals, police engagement, brand) and no pay;
#: ``"subsidy"``, traditional economic subsidy paid per patrol hour and per tip, officers on
#: routine patrol, no rituals, no brand campaign. The hybrids add one documented paid component to
#: the emotional pathways: ``"emotional+allowance"`` (activists' allowances), ``"emotional+patrols"``
#: (full-time paid patrol teams beside the volunteers), ``"emotional+rewards"`` (pay per tip, with
#: the incentive to over-report); ``"mixed"`` has all three. ``"none"``: no mobilization at all (the
#: counterfactual baseline). Amounts are the kit's assumptions (see :func:`parameter_table`).
_NO_PAY = {"pay_per_hour": 0.0, "pay_per_tip": 0.0, "allowance_per_day": 0.0, "patrol_members_per_community": 0}
_EMOTIONAL = {"rituals": True, "police_engagement": True, "brand": True}
_NO_MOBILIZATION = {"rituals": False, "police_engagement": False, "brand": False}
REGIMES: dict[str, dict[str, object]] = {
    "emotional": {**_EMOTIONAL, **_NO_PAY},
    "subsidy": {**_NO_MOBILIZATION, **_NO_PAY, "pay_per_hour": 20.0, "pay_per_tip": 50.0},
    "none": {**_NO_MOBILIZATION, **_NO_PAY},
    "emotional+allowance": {**_EMOTIONAL, **_NO_PAY, "allowance_per_day": 10.0},
    "emotional+patrols": {**_EMOTIONAL, **_NO_PAY, "patrol_members_per_community": 2},
    "emotional+rewards": {**_EMOTIONAL, **_NO_PAY, "pay_per_tip": 100.0},
    "mixed": {**_EMOTIONAL, **_NO_PAY, "allowance_per_day": 10.0, "patrol_members_per_community": 2,
              "pay_per_tip": 100.0},
}


def _check_number(param: Parameter, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"parameter {param.name!r} must be a number, got {value!r} "
                             f"({type(value).__name__}); valid range: {param.range_text()}")
    if not math.isfinite(float(value)) or not param.low <= value <= param.high:
        unit = f" ({param.unit})" if param.unit else ""
        raise ParameterError(f"parameter {param.name!r} = {value!r} is out of range; valid range: "
                             f"{param.range_text()}{unit}")
    if param.kind in ("int", "optional_int"):
        if float(value) != int(value):
            raise ParameterError(f"parameter {param.name!r} = {value!r} must be a whole number; "
                                 f"valid range: {param.range_text()}")
        return int(value)
    return float(value)


def check_value(name: str, value):
    """Check one parameter value and return it in canonical type.

    Parameters
    ----------
    name : str
        A key of :data:`PARAMETERS`.
    value : object

    Returns
    -------
    object
        ``float``, ``int``, ``bool``, ``str``, ``None`` or a float ndarray, by the parameter's kind.

    Raises
    ------
    ParameterError
        If the name is unknown (the message suggests close names) or the value is out of range.

    Examples
    --------
    >>> check_value("ritual_rate", 0.5)
    0.5
    >>> check_value("ritual_rate", 1.5)
    Traceback (most recent call last):
    ...
    chaoyang.sim.parameters.ParameterError: parameter 'ritual_rate' = 1.5 is out of range; valid range: [0, 1] (per community per day)
    """
    if name not in PARAMETERS:
        close = difflib.get_close_matches(name, PARAMETERS, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ParameterError(f"unknown parameter {name!r}{hint} Known parameters: see "
                             f"chaoyang.sim.parameter_table() ({len(PARAMETERS)} names)")
    param = PARAMETERS[name]
    if param.kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise ParameterError(f"parameter {name!r} must be True or False, got {value!r}")
        return bool(value)
    if param.kind == "choice":
        if value not in param.choices:
            raise ParameterError(f"parameter {name!r} = {value!r} is not valid; valid values: {param.range_text()}")
        return value
    if param.kind == "optional_int" and value is None:
        return None
    if param.kind == "array":
        if value is None:
            return None
        array = np.asarray(value, dtype=float)
        if array.ndim != 1 or not np.all(np.isfinite(array)) or np.any(array < 0):
            raise ParameterError(f"parameter {name!r} must be {param.range_text()}")
        return array.copy()
    return _check_number(param, value)


def resolve(regime: str, n_residents: int, params: dict) -> dict:
    """Merge defaults, the regime's preset and ``params``; check everything.

    Parameters
    ----------
    regime : {"emotional", "subsidy", "none"}
    n_residents : int
        Number of residents, >= 1.
    params : dict
        Caller's overrides; keys must be in :data:`PARAMETERS`.

    Returns
    -------
    dict
        Every parameter with a checked value, plus ``"regime"`` and ``"n_residents"``.

    Raises
    ------
    ParameterError
        Unknown regime or parameter, value out of range, or inconsistent values (thresholds of the
        wrong length, subsidy stopping before it starts).
    """
    if regime not in REGIMES:
        raise ParameterError(f"unknown regime {regime!r}; valid regimes: {', '.join(repr(r) for r in REGIMES)}")
    if isinstance(n_residents, bool) or not isinstance(n_residents, (int, np.integer)) or n_residents < 1:
        raise ParameterError(f"n_residents must be a whole number >= 1 (residents), got {n_residents!r}")
    resolved = {name: p.default for name, p in PARAMETERS.items()}
    resolved.update(REGIMES[regime])
    for name, value in params.items():
        resolved[name] = value
    for name in list(resolved):
        resolved[name] = check_value(name, resolved[name])
    thresholds = resolved["thresholds"]
    if thresholds is not None and len(thresholds) != n_residents:
        raise ParameterError(f"parameter 'thresholds' has {len(thresholds)} values; it needs one per resident "
                             f"(n_residents = {n_residents})")
    stop = resolved["subsidy_stop_step"]
    if stop is not None and stop < resolved["subsidy_start_step"]:
        raise ParameterError(f"parameter 'subsidy_stop_step' = {stop} is before subsidy_start_step = "
                             f"{resolved['subsidy_start_step']}; valid range: [subsidy_start_step, inf) or None")
    resolved["regime"] = regime
    resolved["n_residents"] = int(n_residents)
    return resolved


def parameter_table():
    """All parameters as a DataFrame: name, group, default (as text), valid range, unit, meaning.

    Examples
    --------
    >>> table = parameter_table()
    >>> table.loc["ritual_rate", "range"]
    '[0, 1]'
    """
    import pandas as pd

    rows = [{"name": p.name, "group": p.group, "default": repr(p.default), "range": p.range_text(), "unit": p.unit,
             "meaning": p.doc} for p in PARAMETERS.values()]
    return pd.DataFrame(rows).set_index("name")


_GROUP_TITLES = {"population": "Population and space", "rituals": "Interaction rituals (party organization)",
                 "police": "Community police", "brand": "The brand", "participation": "Participation",
                 "subsidy": "Pay: subsidy, allowances, patrol wages, rewards", "incidents": "Incidents and safety",
                 "reports": "Reports and the reported"}


def _default_text(param: Parameter) -> str:
    value = param.default
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return f"`{value!r}`"
    if param.kind == "int":
        return f"{value:,}"
    return f"{value:.4g}"


def odd_parameter_markdown() -> str:
    """The ODD page's parameter tables (``book/methods/odd_parameters.md``), generated from :data:`PARAMETERS`.

    One table per mechanism (name, default, valid range, unit, meaning) and one for the regime
    presets. Floats are shown with 4 significant digits. Regenerate the page's file with
    ``python -c "from chaoyang.sim.parameters import odd_parameter_markdown as f; print(f(), end='')"
    > book/methods/odd_parameters.md``; ``tests/test_sim_odd.py`` fails when the file and the code differ.

    Examples
    --------
    >>> text = odd_parameter_markdown()
    >>> "| `ritual_rate` | 0.2857 | [0, 1] | per community per day |" in text
    True
    """
    lines = ["% Generated from chaoyang.sim.parameters.PARAMETERS by odd_parameter_markdown(); do not edit by hand",
             "% (tests/test_sim_odd.py compares this file with the code).", ""]
    for group, title in _GROUP_TITLES.items():
        lines += [f"**{title}**", "", "| parameter | default | valid range | unit | meaning |", "|---|---|---|---|---|"]
        for param in PARAMETERS.values():
            if param.group == group:
                meaning = param.doc.replace("|", "\\|")
                lines.append(f"| `{param.name}` | {_default_text(param)} | {param.range_text()} | {param.unit} | "
                             f"{meaning} |")
        lines.append("")
    names = sorted({k for preset in REGIMES.values() for k in preset})
    lines += ["**Regime presets** (they override the defaults above)", "",
              "| regime | " + " | ".join(f"`{n}`" for n in names) + " |", "|---" * (len(names) + 1) + "|"]
    for regime, preset in REGIMES.items():
        cells = [f"`{preset[n]!r}`" if isinstance(preset[n], bool) else f"{preset[n]:.4g}" for n in names]
        lines.append(f"| `{regime}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"

