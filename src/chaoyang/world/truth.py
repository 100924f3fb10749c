"""The planted truth of the synthetic Chaoyang world.

Everything a generator draws from, and everything a chapter compares its estimates with, is
defined here once. A :class:`World` is immutable; :data:`DEFAULT_WORLD` is the world of the book.
Assignments and the capstone use :meth:`World.replace` to make variants.

The latent model (all latent variables standardized to variance 1 in the population)
------------------------------------------------------------------------------------
Drivers ``COH``, ``PCR``, ``BRP`` vary between community types (fixed shifts), between
communities (random shifts, SD :attr:`World.community_sd`) and between residents (correlated
normal parts). Then, with standardized residuals ``zeta``::

    BEL = a(COH->BEL) COH + zeta          CLO = a(PCR->CLO) PCR + zeta      BID = a(BRP->BID) BRP + zeta
    EE  = sum_d a(d->EE) d + zeta         RES = sum_d a(d->RES) d + zeta
    WIL = sum_m b(m->WIL) m + sum_d c'(d->WIL) d + gamma * S~ + zeta

``S`` is 1 when a resident is in at least one planted *configuration* (e.g. high belonging
and high responsibility; "high" means a latent score above :attr:`World.high_cut`) and 0 otherwise.
``S~`` is ``S`` minus its population linear projection on the eight other latent variables, so
the configurational boost is *orthogonal* to every linear path: it leaves every regression
coefficient — in the joint model and in each single-pathway model — exactly as planted, while
making the planted configurations sufficient for high willingness. This is how the SEM's net
effects and the fsQCA's configurations coexist in one data-generating process.

Planted measurement non-invariance
----------------------------------
Every item measures its construct the same way in every group of residents, with one planted
exception (:data:`DEFAULT_ITEM_BIAS`, the kit's invention for the measurement chapter's invariance
section, not a finding of the dissertation): residents **without a local (Beijing) household
registration** (``hukou == "non-local"``) answer ``BEL3`` ("I expect to be part of this community for
a long time") lower *at the same sense of belonging*: their latent response ``y*`` is shifted by
``ItemBias.intercept`` (-0.30 response SD). A registration elsewhere makes staying uncertain whatever
one feels about the community, so the item's intercept differs between the groups while its
loading does not: the survey has configural and metric (weak) invariance across hukou but not
full scalar (strong) invariance, and partial scalar invariance holds once ``BEL3``'s intercept is
freed. Comparing belonging across hukou groups on raw item means overstates the gap.

Single-pathway models
---------------------
The dissertation fits one parallel triple-mediation model per pathway (driver -> specific
mediator, EE, RES -> WIL). Because the three drivers are correlated and EE and RES depend on all
three, each single-pathway model's coefficients are the *population projections* of the joint
model, not the joint coefficients. :meth:`World.pathway_truth` computes them in closed form from
the latent covariance matrix: ``a = Cov(X, M) / Var(X)`` and ``(c', b) = Sigma_{(X,M)}^{-1}
Cov((X,M), Y)``. Those are the values an SEM on the latent variables should recover.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np

from chaoyang._validate import check_count, check_seed
from chaoyang.errors import ChaoyangError, SeedError, UnknownNameError
from chaoyang.i18n import N_, t
from chaoyang.world.items import CONSTRUCTS, ITEMS, LATENT_ORDER, PARTICIPATION_FORMS, PATHWAYS

DRIVERS = ("COH", "PCR", "BRP")
MEDIATORS = ("BEL", "CLO", "BID", "EE", "RES")



#: Most residents :meth:`World.draw_latent` draws at once (about 1.3 GB of float64 latent scores).
MAX_DRAW = 10_000_000


class WorldError(ChaoyangError, ValueError):
    """A planted world is inconsistent (a path out of range, shares not summing to 1, …) or asked for
    something it cannot give; the message names the attribute and its allowed range."""

def _frozen(mapping):
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class CommunityType:
    """A kind of Chaoyang community and its effect on the drivers.

    Attributes
    ----------
    key : str
        ``"danwei"``, ``"commercial"``, ``"resettlement"`` or ``"rental"``.
    name, chinese, pinyin : str
        English name, Chinese term and pinyin.
    share : float
        Share of communities of this type, in (0, 1); the shares sum to 1.
    driver_shift : mapping
        Shift of each driver's mean (latent SD units) for residents of this type.
    age_mean : float
        Mean age of adult residents, years.
    years_mean : float
        Mean years lived in the community.
    local_hukou : float
        Share of residents with a Beijing household registration (hukou), 0–1.
    party_share : float
        Share of Communist Party members, 0–1.
    """

    key: str
    name: str
    chinese: str
    pinyin: str
    share: float
    driver_shift: MappingProxyType
    age_mean: float
    years_mean: float
    local_hukou: float
    party_share: float


DEFAULT_COMMUNITY_TYPES: tuple[CommunityType, ...] = (
    CommunityType("danwei", "Old work-unit compound", "单位大院", "danwei dayuan", 0.25,
                  _frozen({"COH": 0.45, "PCR": 0.30, "BRP": 0.15}), 58.0, 24.0, 0.92, 0.24),
    CommunityType("commercial", "Commodity-housing estate", "商品房小区", "shangpinfang xiaoqu", 0.35,
                  _frozen({"COH": -0.20, "PCR": -0.10, "BRP": 0.05}), 42.0, 9.0, 0.70, 0.14),
    CommunityType("resettlement", "Resettlement community", "回迁安置小区", "huiqian anzhi xiaoqu", 0.20,
                  _frozen({"COH": 0.20, "PCR": 0.10, "BRP": -0.10}), 50.0, 14.0, 0.95, 0.12),
    CommunityType("rental", "Mixed, rental-heavy community", "混合型出租房集中社区", "hunhexing chuzufang jizhong shequ", 0.20,
                  _frozen({"COH": -0.45, "PCR": -0.30, "BRP": -0.20}), 36.0, 4.0, 0.35, 0.07),
)
#: The type keys as the chapters' prose uses them ("a rental community"); in the library catalog
#: each translates to its type's ``chinese`` name (a test checks they agree).
COMMUNITY_TYPE_WORDS: tuple[str, ...] = (N_("danwei"), N_("commercial"), N_("resettlement"), N_("rental"))

@dataclass(frozen=True)
class ItemBias:
    """A planted measurement non-invariance: one group answers one item differently at the same construct level.

    Attributes
    ----------
    item : str
        Agreement item column, e.g. ``"BEL3"``.
    column : str
        Survey column that defines the group: ``"hukou"``, ``"gender"`` or ``"community_type"``.
    level : str
        Value of ``column`` whose residents answer differently, e.g. ``"non-local"``.
    intercept : float
        Shift of the item's latent response ``y*`` for that group (response SD units, in [-1.5, 1.5]);
        negative = less agreement at equal construct level. Its loading is unchanged.
    """

    item: str
    column: str
    level: str
    intercept: float


#: The book's planted non-invariance: non-local-hukou residents agree less with BEL3 ("I expect to
#: be part of this community for a long time") at the same belonging. The kit's invention.
DEFAULT_ITEM_BIAS: tuple[ItemBias, ...] = (ItemBias("BEL3", "hukou", "non-local", -0.30),)

#: Group columns an :class:`ItemBias` may use, with their allowed values (``community_type``'s are the type keys).
# N_: chapters glue group sizes as "local: 800, non-local: 400" and translate the group names.
ITEM_BIAS_GROUPS = {"hukou": (N_("local"), N_("non-local")), "gender": (N_("female"), N_("male")),
                    "community_type": None}

#: Chaoyang subdistricts (jiedao) used as "streets"; community names in the data are fictional.
DEFAULT_STREETS: tuple[str, ...] = ("Jinsong", "Panjiayuan", "Maizidian", "Sanlitun", "Wangjing",
                                    "Jiuxianqiao", "Balizhuang", "Shuangjing")

#: Joint structural paths: (from, to) -> standardized coefficient.
DEFAULT_PATHS = _frozen({
    ("COH", "BEL"): 0.55, ("PCR", "CLO"): 0.60, ("BRP", "BID"): 0.50,
    ("COH", "EE"): 0.30, ("PCR", "EE"): 0.22, ("BRP", "EE"): 0.20,
    ("COH", "RES"): 0.25, ("PCR", "RES"): 0.20, ("BRP", "RES"): 0.15,
    ("BEL", "WIL"): 0.20, ("CLO", "WIL"): 0.16, ("BID", "WIL"): 0.14,
    ("EE", "WIL"): 0.18, ("RES", "WIL"): 0.22,
    ("COH", "WIL"): 0.06, ("PCR", "WIL"): 0.05, ("BRP", "WIL"): 0.04,
})

#: Planted configurations sufficient for high willingness (R QCA notation over the mediators).
DEFAULT_CONFIGURATIONS: tuple[str, ...] = ("BEL*RES", "CLO*RES", "BID*EE", "BEL*CLO*BID")

#: What each planted configuration means in the dissertation's terms.
CONFIGURATION_MEANING = _frozen({
    "BEL*RES": "community recognition alone: belonging plus responsibility",
    "CLO*RES": "police recognition alone: closeness plus responsibility",
    "BID*EE": "brand recognition alone: brand identity plus emotional energy",
    "BEL*CLO*BID": "combined identification with community, police and brand, without needing high EE or RES",
})

#: Standardized loadings of each item on its construct (the reverse-keyed item loads with the
#: same size; its answers are reversed in the data).
DEFAULT_LOADINGS = _frozen({
    "COH1": 0.80, "COH2": 0.82, "COH3": 0.76, "COH4": 0.66,
    "PCR1": 0.82, "PCR2": 0.78, "PCR3": 0.85, "PCR4": 0.65,
    "BRP1": 0.72, "BRP2": 0.82, "BRP3": 0.78, "BRP4": 0.62,
    "BEL1": 0.84, "BEL2": 0.82, "BEL3": 0.74, "BEL4": 0.64,
    "CLO1": 0.80, "CLO2": 0.78, "CLO3": 0.82, "CLO4": 0.74,
    "BID1": 0.76, "BID2": 0.84, "BID3": 0.80, "BID4": 0.82,
    "EE1": 0.82, "EE2": 0.80, "EE3": 0.78, "EE4": 0.62,
    "RES1": 0.84, "RES2": 0.80, "RES3": 0.76, "RES4": 0.64,
    "WIL1": 0.80, "WIL2": 0.78, "WIL3": 0.84, "WIL4": 0.80,
    "MRK1": 0.80, "MRK2": 0.76, "MRK3": 0.82,
})

#: Cut points on the standardized response scale y* that turn it into answers 1..5. Negative
#: shifts make agreement more common, as in Chaoyang's high-participation survey.
DEFAULT_LIKERT_CUTS = (-1.75, -0.95, -0.15, 0.80)
DEFAULT_AGREEMENT_SHIFT = 0.35

#: Participation frequency model for each form: y* = loading * WIL + party * party_member
#: + age * (age - 50)/15 + noise; cut into 1..5 (never .. very often) at the frequency cuts.
DEFAULT_PARTICIPATION = _frozen({
    "PAR_SAFETY": _frozen({"willingness": 0.60, "party": 0.35, "age": 0.20, "intercept": -0.10}),
    "PAR_ADVICE": _frozen({"willingness": 0.50, "party": 0.20, "age": 0.05, "intercept": -0.35}),
    "PAR_NEIGHBOUR": _frozen({"willingness": 0.45, "party": 0.10, "age": 0.15, "intercept": 0.25}),
    "PAR_PROMOTION": _frozen({"willingness": 0.55, "party": 0.30, "age": 0.00, "intercept": -0.20}),
    "PAR_VOLUNTEER": _frozen({"willingness": 0.60, "party": 0.40, "age": 0.10, "intercept": -0.30}),
    "PAR_INFO": _frozen({"willingness": 0.55, "party": 0.15, "age": -0.05, "intercept": 0.05}),
})
DEFAULT_FREQUENCY_CUTS = (-1.30, -0.45, 0.35, 1.20)


@dataclass(frozen=True, eq=False)
class World:
    """The planted truth. Immutable; make variants with :meth:`replace`.

    Attributes
    ----------
    paths : mapping
        ``(from, to) -> coefficient`` of the joint latent model (standardized units).
    driver_correlation : float
        Correlation of the residents' individual driver components, in [0, 1).
    community_sd : float
        SD of each driver's community random shift (latent SD units), >= 0.
    configurations : tuple of str
        Planted sufficient configurations over the mediators, R QCA notation.
    config_boost : float
        gamma: size of the configurational boost on willingness (latent SD units), >= 0.
    high_cut : float
        Latent score above which a resident is "high" on a mediator for the configurations.
    loadings : mapping
        Item column -> standardized loading (0, 1).
    method_loading : float
        Loading of every attitudinal item on the common-method factor (0 = none).
    likert_cuts, frequency_cuts : tuple of 4 floats
        Cut points of the 1–5 agreement and frequency scales.
    agreement_shift : float
        Shift of every agreement item's response scale (positive = more agreement).
    participation : mapping
        Form -> coefficients of the participation model.
    missing_rate : float
        Probability that an answer is missing for residents under 70; doubled at 70 and older
        (missing at random given age).
    item_bias : tuple of ItemBias
        Planted measurement non-invariances (default: ``BEL3`` answered 0.30 response SD lower by
        non-local-hukou residents at equal belonging; ``()`` for a fully invariant survey).
    community_types : tuple of CommunityType
    streets : tuple of str
    seed : int
        Master seed of the book's datasets.
    """

    paths: MappingProxyType = field(default_factory=lambda: DEFAULT_PATHS)
    driver_correlation: float = 0.30
    community_sd: float = 0.25
    configurations: tuple[str, ...] = DEFAULT_CONFIGURATIONS
    config_boost: float = 1.50
    high_cut: float = 0.50
    loadings: MappingProxyType = field(default_factory=lambda: DEFAULT_LOADINGS)
    method_loading: float = 0.15
    likert_cuts: tuple[float, ...] = DEFAULT_LIKERT_CUTS
    frequency_cuts: tuple[float, ...] = DEFAULT_FREQUENCY_CUTS
    agreement_shift: float = DEFAULT_AGREEMENT_SHIFT
    participation: MappingProxyType = field(default_factory=lambda: DEFAULT_PARTICIPATION)
    missing_rate: float = 0.006
    item_bias: tuple[ItemBias, ...] = DEFAULT_ITEM_BIAS
    community_types: tuple[CommunityType, ...] = DEFAULT_COMMUNITY_TYPES
    streets: tuple[str, ...] = DEFAULT_STREETS
    seed: int = 20240601
    name: str = "Chaoyang (the book's world)"

    def __post_init__(self):
        _validate_world(self)

    # ------------------------------------------------------------------ variants
    def replace(self, **changes) -> "World":
        """Return a copy of the world with some attributes changed.

        Examples
        --------
        >>> from chaoyang.world import DEFAULT_WORLD
        >>> weak_brand = DEFAULT_WORLD.replace(paths={**DEFAULT_WORLD.paths, ("BRP", "BID"): 0.1})
        >>> weak_brand.paths[("BRP", "BID")]
        0.1
        """
        known = [f.name for f in dataclasses.fields(self)]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise WorldError(f"World has no attribute(s) {unknown}; the attributes are {', '.join(known)}")
        if isinstance(changes.get("item_bias"), list):
            changes["item_bias"] = tuple(changes["item_bias"])
        for key in ("paths", "loadings", "participation"):
            if key in changes and not isinstance(changes[key], MappingProxyType):
                if not hasattr(changes[key], "items"):
                    raise WorldError(f"{key} must be a mapping (dict), got {type(changes[key]).__name__}")
                changes[key] = _frozen(changes[key])
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ structure
    def path(self, source: str, target: str) -> float:
        """Joint-model coefficient from ``source`` to ``target`` (0 if no planted path).

        Raises
        ------
        UnknownNameError
            ``source`` or ``target`` is not a latent variable of :data:`LATENT_ORDER`.
        """
        for end in (source, target):
            if not isinstance(end, str) or end not in LATENT_ORDER:
                raise UnknownNameError(f"{end!r} is not a latent variable; choose from {', '.join(LATENT_ORDER)}")
        return float(self.paths.get((source, target), 0.0))

    @cached_property
    def type_shares(self) -> np.ndarray:
        return np.array([t.share for t in self.community_types])

    @cached_property
    def type_shift_matrix(self) -> np.ndarray:
        """Community type x driver matrix of mean shifts."""
        return np.array([[t.driver_shift[d] for d in DRIVERS] for t in self.community_types])

    @cached_property
    def driver_components(self) -> dict[str, np.ndarray]:
        """Variance decomposition of the drivers: between types, between communities, individual.

        Returns a dict with ``"between_types"`` (3x3 covariance of the type shifts, weighted by
        type shares), ``"communities"`` (3x3 diagonal), ``"individual"`` (3x3) and ``"total"``
        (the sum, with unit diagonal by construction).
        """
        shares = self.type_shares
        shifts = self.type_shift_matrix
        mean = shares @ shifts
        centred = shifts - mean
        between = (centred * shares[:, None]).T @ centred
        communities = np.eye(3) * self.community_sd**2
        individual_var = 1.0 - np.diag(between) - self.community_sd**2
        sd = np.sqrt(individual_var)
        corr = np.full((3, 3), self.driver_correlation)
        np.fill_diagonal(corr, 1.0)
        individual = corr * np.outer(sd, sd)
        return {"between_types": between, "communities": communities, "individual": individual,
                "total": between + communities + individual, "mean": mean}

    @cached_property
    def coefficient_matrix(self) -> np.ndarray:
        """B with eta = B eta + zeta, rows/columns in :data:`LATENT_ORDER` (row = outcome)."""
        index = {name: i for i, name in enumerate(LATENT_ORDER)}
        B = np.zeros((len(LATENT_ORDER), len(LATENT_ORDER)))
        for (source, target), value in self.paths.items():
            B[index[target], index[source]] = value
        return B

    @cached_property
    def _linear_structure(self) -> dict:
        """Latent covariance of drivers and mediators and the mediators' disturbance variances.

        Each endogenous latent variable gets the disturbance variance that makes its total
        variance 1 (closed form, recursive model).
        """
        n = len(LATENT_ORDER)
        B = self.coefficient_matrix
        sigma = np.zeros((n, n))
        sigma[:3, :3] = self.driver_components["total"]
        psi = {}
        for i in range(3, n):
            row = B[i, :i]
            explained = row @ sigma[:i, :i] @ row
            psi[LATENT_ORDER[i]] = 1.0 - explained
            sigma[i, :i] = row @ sigma[:i, :i]
            sigma[:i, i] = sigma[i, :i]
            sigma[i, i] = 1.0
        return {"sigma": sigma, "psi": psi}

    @cached_property
    def _structure(self) -> dict:
        """Add WIL's disturbance: the orthogonal configurational term takes its share of the unit variance."""
        linear = self._linear_structure
        psi = dict(linear["psi"])
        psi["WIL"] -= self.config_boost**2 * self._configuration_residual_variance
        for name, value in psi.items():
            if value <= 0.05:
                raise WorldError(
                    f"the paths into {name} explain {1 - value:.2f} of its unit variance; lower the paths "
                    "(or config_boost for WIL) so that the residual variance stays above 0.05")
        return {"sigma": linear["sigma"], "psi": psi}

    @property
    def latent_covariance(self) -> np.ndarray:
        """Population covariance (= correlation) matrix of the latent variables, LATENT_ORDER."""
        return self._structure["sigma"].copy()

    @property
    def disturbance_variances(self) -> dict[str, float]:
        """Residual variance of each endogenous latent variable."""
        return dict(self._structure["psi"])

    # ------------------------------------------------------------------ configurations
    def configuration_terms(self) -> list[list[str]]:
        """The planted configurations as lists of mediator names."""
        return [term.split("*") for term in self.configurations]

    def configuration_indicator(self, latent: dict[str, np.ndarray]) -> np.ndarray:
        """S: 1.0 where a resident is high on every member of at least one configuration.

        Parameters
        ----------
        latent : dict of str -> ndarray
            Latent scores per construct (at least the mediators in the configurations).

        Returns
        -------
        ndarray of float (0.0 or 1.0)
        """
        n = len(next(iter(latent.values())))
        s = np.zeros(n, dtype=bool)
        for term in self.configuration_terms():
            s |= np.all([latent[m] > self.high_cut for m in term], axis=0)
        return s.astype(float)

    @cached_property
    def _configuration_projection(self) -> dict:
        """Population linear projection of S on the eight latent variables other than WIL.

        S is a non-linear function of Gaussian-mixture latent variables, so its projection is
        computed once by Monte Carlo on 400,000 draws with a fixed seed (standard error of each
        coefficient about 0.002). Deterministic: every generator uses the same numbers.
        """
        rng = np.random.default_rng(8_675_309)
        draws = self._draw_latent_linear(rng, 400_000)
        X = np.column_stack([draws[k] for k in LATENT_ORDER[:-1]])
        S = self.configuration_indicator(draws)
        design = np.column_stack([np.ones(len(S)), X])
        coef, *_ = np.linalg.lstsq(design, S, rcond=None)
        residual = S - design @ coef
        return {"intercept": float(coef[0]), "coef": coef[1:], "residual_variance": float(residual.var()),
                "prevalence": float(S.mean())}

    @property
    def _configuration_residual_variance(self) -> float:
        return self._configuration_projection["residual_variance"]

    @property
    def configuration_prevalence(self) -> float:
        """Population share of residents in at least one planted configuration."""
        return self._configuration_projection["prevalence"]

    def configuration_term(self, latent: dict[str, np.ndarray]) -> np.ndarray:
        """S~ = S minus its population linear projection: the orthogonal configurational term."""
        proj = self._configuration_projection
        X = np.column_stack([latent[k] for k in LATENT_ORDER[:-1]])
        return self.configuration_indicator(latent) - proj["intercept"] - X @ proj["coef"]

    # ------------------------------------------------------------------ drawing latent scores
    def _draw_latent_linear(self, rng: np.random.Generator, n: int, type_index=None, community_shift=None):
        """Draw drivers and mediators (not WIL) for ``n`` residents from the population."""
        comp = self.driver_components
        if type_index is None:
            type_index = rng.choice(len(self.community_types), size=n, p=self.type_shares)
        if community_shift is None:
            community_shift = rng.normal(0.0, self.community_sd, size=(n, 3))
        individual = rng.multivariate_normal(np.zeros(3), comp["individual"], size=n, method="cholesky")
        drivers = self.type_shift_matrix[type_index] - comp["mean"] + community_shift + individual
        latent = {d: drivers[:, j] for j, d in enumerate(DRIVERS)}
        psi = self._linear_structure["psi"]
        for target in ("BEL", "CLO", "BID", "EE", "RES"):
            value = sum(self.path(src, target) * latent[src] for src in latent)
            latent[target] = value + rng.normal(0.0, np.sqrt(psi[target]), size=n)
        return latent

    def draw_latent(self, rng: np.random.Generator, n: int, type_index=None, community_shift=None) -> dict[str, np.ndarray]:
        """Draw every latent variable for ``n`` residents.

        Parameters
        ----------
        rng : numpy.random.Generator
        n : int
            Number of residents, >= 1.
        type_index : ndarray of int, optional
            Community type of each resident (index into :attr:`community_types`); drawn from
            the type shares if omitted.
        community_shift : ndarray (n, 3), optional
            Each resident's community random shift of the three drivers; drawn if omitted.

        Returns
        -------
        dict of str -> ndarray
            Latent scores for every construct in LATENT_ORDER plus ``"S"`` (configuration
            membership, 0/1).

        Examples
        --------
        >>> import numpy as np
        >>> from chaoyang.world import DEFAULT_WORLD
        >>> latent = DEFAULT_WORLD.draw_latent(np.random.default_rng(1), 5)
        >>> sorted(latent)[:3]
        ['BEL', 'BID', 'BRP']
        """
        n = check_count(n, "n", minimum=1, maximum=MAX_DRAW)
        latent = self._draw_latent_linear(rng, n, type_index, community_shift)
        wil = sum(self.path(src, "WIL") * latent[src] for src in LATENT_ORDER[:-1])
        wil = wil + self.config_boost * self.configuration_term(latent)
        latent["WIL"] = wil + rng.normal(0.0, np.sqrt(self.disturbance_variances["WIL"]), size=n)
        latent["S"] = self.configuration_indicator(latent)
        return latent

    # ------------------------------------------------------------------ truths for the chapters
    def pathway_truth(self, pathway: str) -> dict[str, float]:
        """Population values of one single-pathway parallel triple-mediation model.

        Parameters
        ----------
        pathway : {"party", "police", "brand"}

        Returns
        -------
        dict
            ``a1, a2, a3`` (driver -> each mediator), ``b1, b2, b3`` (mediators -> WIL),
            ``c_prime`` (direct effect), ``ind1, ind2, ind3`` (a_j * b_j), ``total_indirect``,
            ``total`` (= c' + total indirect = Cov(X, WIL)). Standardized latent units.

        Examples
        --------
        >>> from chaoyang.world import DEFAULT_WORLD
        >>> t = DEFAULT_WORLD.pathway_truth("party")
        >>> round(t["total"] - t["c_prime"] - t["total_indirect"], 12)
        0.0
        """
        if not isinstance(pathway, str) or pathway not in PATHWAYS:
            raise UnknownNameError(t("unknown pathway {pathway!r}; choose one of {known}", pathway=pathway,
                                     known=", ".join(PATHWAYS)))
        spec = PATHWAYS[pathway]
        names = [spec["driver"], *spec["mediators"]]
        index = [LATENT_ORDER.index(v) for v in names]
        y = LATENT_ORDER.index("WIL")
        sigma = self.latent_covariance
        a = sigma[index[0], index[1:]] / sigma[index[0], index[0]]
        coef = np.linalg.solve(sigma[np.ix_(index, index)], sigma[index, y])
        out = {"c_prime": float(coef[0])}
        for j in range(3):
            out[f"a{j + 1}"] = float(a[j])
            out[f"b{j + 1}"] = float(coef[j + 1])
            out[f"ind{j + 1}"] = float(a[j] * coef[j + 1])
        out["total_indirect"] = out["ind1"] + out["ind2"] + out["ind3"]
        out["total"] = float(sigma[index[0], y] / sigma[index[0], index[0]])
        return out

    def pathway_truth_table(self):
        """All three pathways' population values as a DataFrame (rows = pathways)."""
        import pandas as pd

        return pd.DataFrame({p: self.pathway_truth(p) for p in PATHWAYS}).T

    def likert_attenuation(self, scale: str = "agreement") -> float:
        """Correlation between a 1–5 answer and its continuous response y* (closed form).

        An answer is ``L = 1 + sum_k 1[y* > c_k]`` with ``y* ~ N(shift, 1)``. Since
        ``E[Z 1(Z > a)] = phi(a)`` for a standard normal ``Z``, ``Cov(L, y*) = sum_k phi(c_k - shift)``,
        and ``Var(L)`` follows from the category probabilities. Multiplying an item's loading by
        this factor gives its expected correlation with the construct: the reason
        maximum-likelihood estimates on 1–5 answers understate loadings a little.

        Parameters
        ----------
        scale : {"agreement", "frequency"}
            The agreement items (cuts :attr:`likert_cuts`, shifted by :attr:`agreement_shift`) or
            the participation frequencies (cuts :attr:`frequency_cuts`, no shift).

        Returns
        -------
        float
            In (0, 1); about 0.93 for the book's agreement items.

        Examples
        --------
        >>> from chaoyang.world import DEFAULT_WORLD
        >>> 0.85 < DEFAULT_WORLD.likert_attenuation() < 1
        True
        """
        from scipy.stats import norm

        if scale == "agreement":
            cuts, shift = np.asarray(self.likert_cuts), self.agreement_shift
        elif scale == "frequency":
            cuts, shift = np.asarray(self.frequency_cuts), 0.0
        else:
            raise WorldError(f"scale must be 'agreement' or 'frequency', got {scale!r}")
        centred = cuts - shift
        covariance = norm.pdf(centred).sum()
        upper = np.concatenate([[1.0], norm.sf(centred)])
        probabilities = upper - np.concatenate([upper[1:], [0.0]])
        values = np.arange(1, len(probabilities) + 1)
        variance = (probabilities * values**2).sum() - (probabilities * values).sum() ** 2
        return float(covariance / np.sqrt(variance))


def _check_real(name: str, value, low: float, high: float, *, high_open: bool = True) -> None:
    """A finite real number in [low, high) (or [low, high]); raise WorldError naming the attribute."""
    upper = ")" if high_open else "]"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise WorldError(f"{name} must be a finite number in [{low}, {high}{upper}, got {value!r}")
    if value < low or (value >= high if high_open else value > high):
        raise WorldError(f"{name} must lie in [{low}, {high}{upper}, got {value}")


def _validate_world(world: World) -> None:
    if not isinstance(world.paths, MappingProxyType):
        raise WorldError(f"paths must be a mapping (from, to) -> value, got {type(world.paths).__name__}; "
                         f"use World.replace(paths={{...}})")
    for (source, target), value in world.paths.items():
        if source not in LATENT_ORDER or target not in LATENT_ORDER:
            raise WorldError(f"path {source}->{target}: both ends must be latent variables {LATENT_ORDER}")
        if LATENT_ORDER.index(source) >= LATENT_ORDER.index(target):
            raise WorldError(f"path {source}->{target} points backwards; the latent model must be recursive "
                             f"in the order {LATENT_ORDER}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not -1 < value < 1:
            raise WorldError(f"path {source}->{target} = {value!r}: standardized paths must be numbers in (-1, 1)")
    _check_real("driver_correlation", world.driver_correlation, 0, 1)
    # Upper ends of the unbounded scalars keep the generators' normal draws sensible (latent SD 1).
    _check_real("community_sd", world.community_sd, 0, 3, high_open=False)
    _check_real("config_boost", world.config_boost, 0, 10, high_open=False)
    _check_real("high_cut", world.high_cut, -3, 3, high_open=False)
    _check_real("agreement_shift", world.agreement_shift, -3, 3, high_open=False)
    _check_real("method_loading", world.method_loading, 0, 0.5)
    _check_real("missing_rate", world.missing_rate, 0, 0.25)
    try:
        check_seed(world.seed, "World.seed")
    except SeedError as err:
        raise WorldError(str(err)) from None
    if isinstance(world.seed, np.random.SeedSequence):
        raise WorldError("World.seed must be a non-negative integer (it is written into datasheets)")
    if isinstance(world.streets, str) or not world.streets or not all(isinstance(x, str) and x for x in world.streets):
        raise WorldError(f"streets must be a non-empty tuple of names, got {world.streets!r}")
    if isinstance(world.configurations, str):
        raise WorldError(f"configurations must be a tuple of terms such as ('BEL*CLO', 'BID*EE'), "
                         f"got the string {world.configurations!r}")
    shares = sum(t.share for t in world.community_types)
    if abs(shares - 1) > 1e-9:
        raise WorldError(f"community type shares must sum to 1, got {shares}")
    agreement_items = [i.column for i in ITEMS if i.construct != "PAR"]
    for column in agreement_items:
        loading = world.loadings.get(column)
        if not isinstance(loading, numbers.Real) or isinstance(loading, bool) or not 0 < loading < 1:
            raise WorldError(f"item {column} needs a loading in (0, 1), got {loading}")
        if loading**2 + world.method_loading**2 >= 1:
            raise WorldError(f"item {column}: loading^2 + method_loading^2 must stay below 1")
    for term in world.configurations:
        if not isinstance(term, str):
            raise WorldError(f"configuration {term!r} must be a string such as 'BEL*CLO'")
        for member in term.split("*"):
            if member not in MEDIATORS:
                raise WorldError(f"configuration {term!r}: {member!r} is not a mediator {MEDIATORS}")
    for cuts, name in ((world.likert_cuts, "likert_cuts"), (world.frequency_cuts, "frequency_cuts")):
        if (isinstance(cuts, str) or len(cuts) != 4
                or not all(isinstance(c, numbers.Real) and math.isfinite(c) for c in cuts) or list(cuts) != sorted(cuts)):
            raise WorldError(f"{name} must be 4 increasing cut points, got {cuts}")
    _validate_item_bias(world, agreement_items)
    if set(world.participation) != set(PARTICIPATION_FORMS):
        raise WorldError(f"participation must define exactly the six forms {PARTICIPATION_FORMS}")


def _validate_item_bias(world: World, agreement_items: list[str]) -> None:
    if isinstance(world.item_bias, ItemBias) or not isinstance(world.item_bias, tuple):
        raise WorldError(f"item_bias must be a tuple of ItemBias (possibly empty), got {world.item_bias!r}")
    seen = set()
    for bias in world.item_bias:
        if not isinstance(bias, ItemBias):
            raise WorldError(f"item_bias entries must be ItemBias(item, column, level, intercept), got {bias!r}")
        if bias.item not in agreement_items:
            raise WorldError(f"item_bias: {bias.item!r} is not an agreement item; choose from "
                             f"{', '.join(agreement_items)}")
        if bias.column not in ITEM_BIAS_GROUPS:
            raise WorldError(f"item_bias for {bias.item}: column {bias.column!r} cannot define groups; "
                             f"use one of {', '.join(ITEM_BIAS_GROUPS)}")
        levels = ITEM_BIAS_GROUPS[bias.column] or tuple(t.key for t in world.community_types)
        if bias.level not in levels:
            raise WorldError(f"item_bias for {bias.item}: {bias.column} has no level {bias.level!r}; "
                             f"use one of {', '.join(levels)}")
        _check_real(f"item_bias[{bias.item}].intercept", bias.intercept, -1.5, 1.5, high_open=False)
        key = (bias.item, bias.column, bias.level)
        if key in seen:
            raise WorldError(f"item_bias names {bias.item} for {bias.column} = {bias.level} twice; give one entry")
        seen.add(key)


DEFAULT_WORLD = World()
