"""Generators of the resident survey and the community table from the planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang.world import DEFAULT_WORLD, DRIVERS, ITEMS, PARTICIPATION_FORMS, World, items_of
from chaoyang._validate import ArgumentTypeError, MissingColumnError, check_count, check_frame
from chaoyang.errors import ArgumentError
from chaoyang.i18n import t

#: Fictional community names (first part) combined with a suffix; real Chaoyang streets are used.
_NAME_STEMS = ("Hongxing", "Qingnian", "Jianguo", "Guanghua", "Hepingli", "Dongfeng", "Anhua", "Xinyuan",
               "Chunshu", "Liyuan", "Fangcao", "Mingde", "Huaxin", "Jinhui", "Yongan", "Shuguang",
               "Taoyuan", "Beihu", "Nanhu", "Xiangyang", "Fuli", "Kangle", "Changhong", "Tianshui")
_NAME_SUFFIXES = ("Lane", "Garden", "Court", "Estate", "Village", "Terrace")

#: Columns of the survey that describe the resident rather than answer an item.
DEMOGRAPHIC_COLUMNS = ("resident_id", "community_id", "street", "community_type", "age", "gender",
                       "years_in_community", "hukou", "party_member")

AGREEMENT_ITEMS = tuple(i.column for i in ITEMS if i.construct != "PAR")


def _community_frame(world: World, n_communities: int, rng: np.random.Generator) -> pd.DataFrame:
    """Communities with type, street, name and their random driver shifts (latent SD units)."""
    shares = world.type_shares
    counts = np.floor(shares * n_communities).astype(int)
    # Largest remainders get the leftover communities, so the counts sum to n_communities.
    for index in np.argsort(-(shares * n_communities - counts), kind="stable")[: n_communities - counts.sum()]:
        counts[index] += 1
    type_index = np.repeat(np.arange(len(shares)), counts)
    type_index = type_index[rng.permutation(n_communities)]
    streets = [world.streets[i % len(world.streets)] for i in range(n_communities)]
    names = []
    for i in range(n_communities):
        stem = _NAME_STEMS[i % len(_NAME_STEMS)]
        suffix = _NAME_SUFFIXES[(i // len(_NAME_STEMS) + i) % len(_NAME_SUFFIXES)]
        names.append(f"{stem} {suffix} Community" + ("" if i < len(_NAME_STEMS) * len(_NAME_SUFFIXES) else f" {i}"))
    shifts = rng.normal(0.0, world.community_sd, size=(n_communities, len(DRIVERS)))
    frame = pd.DataFrame({
        "community_id": [f"C{i + 1:03d}" for i in range(n_communities)],
        "community_name": names,
        "street": streets,
        "community_type": [world.community_types[t].key for t in type_index],
        "_type_index": type_index,
    })
    for j, driver in enumerate(DRIVERS):
        frame[f"_shift_{driver}"] = shifts[:, j]
    return frame


def _likert(ystar: np.ndarray, cuts) -> np.ndarray:
    return 1 + (ystar[:, None] > np.asarray(cuts)[None, :]).sum(axis=1)


def generate_survey(n: int = 1200, n_communities: int = 40, *, seed: int | None = None,
                    world: World = DEFAULT_WORLD, return_latent: bool = False):
    """Generate the resident survey from the planted truth.

    Parameters
    ----------
    n : int, default 1200
        Number of residents (>= n_communities; spread as evenly as possible over communities).
    n_communities : int, default 40
        Number of communities (>= 4, at least one of each type).
    seed : int, optional
        Seed of the draw; default ``world.seed`` (the book's data).
    world : World
        The planted truth to draw from.
    return_latent : bool, default False
        Also return the residents' latent scores (a DataFrame aligned with the survey), which the
        real survey could never show; used by the recovery tests.

    Returns
    -------
    survey : pandas.DataFrame
        One row per resident: demographics, every item (nullable integers 1–5, missing as <NA>).
    communities : pandas.DataFrame
        The communities drawn (id, name, street, type and the planted driver shifts).
    latent : pandas.DataFrame
        Only with ``return_latent=True``.

    Raises
    ------
    ValueError
        If ``n`` or ``n_communities`` is out of range.

    Examples
    --------
    >>> survey, communities = generate_survey(200, 8, seed=1)
    >>> survey.shape[0], communities.shape[0]
    (200, 8)
    """
    if not isinstance(n_communities, (int, np.integer)) or n_communities < len(world.community_types):
        raise ArgumentError(f"n_communities must be a whole number >= {len(world.community_types)} "
                         f"(one per community type), got {n_communities!r}")
    if not isinstance(n, (int, np.integer)) or n < n_communities:
        raise ArgumentError(f"n (residents) must be a whole number >= n_communities ({n_communities}), got {n!r}")
    rng = np.random.default_rng(world.seed if seed is None else seed)
    communities = _community_frame(world, int(n_communities), rng)

    community_of = np.sort(np.arange(n) % n_communities)
    type_index = communities["_type_index"].to_numpy()[community_of]
    shift = communities[[f"_shift_{d}" for d in DRIVERS]].to_numpy()[community_of]
    types = [world.community_types[t] for t in type_index]

    age = np.clip(np.round(rng.normal([t.age_mean for t in types], 14.0)), 18, 88).astype(int)
    gender = np.where(rng.random(n) < 0.52, "female", "male")
    years_mean = np.array([t.years_mean for t in types])
    years = np.round(rng.gamma(2.0, years_mean / 2.0))
    years = np.minimum(years, age - 18).astype(int)
    hukou = np.where(rng.random(n) < [t.local_hukou for t in types], "local", "non-local")
    party = (rng.random(n) < [t.party_share for t in types]).astype(int)

    latent = world.draw_latent(rng, n, type_index=type_index, community_shift=shift)
    latent["MRK"] = rng.normal(size=n)
    method = rng.normal(size=n)

    columns: dict[str, object] = {
        "resident_id": [f"R{i + 1:05d}" for i in range(n)],
        "community_id": communities["community_id"].to_numpy()[community_of],
        "street": communities["street"].to_numpy()[community_of],
        "community_type": communities["community_type"].to_numpy()[community_of],
        "age": age, "gender": gender, "years_in_community": years, "hukou": hukou, "party_member": party,
    }
    for item in ITEMS:
        if item.construct == "PAR":
            continue
        loading = world.loadings[item.column]
        sign = -1.0 if item.reverse else 1.0
        unique = np.sqrt(1.0 - loading**2 - world.method_loading**2)
        ystar = (sign * loading * latent[item.construct] + world.method_loading * method
                 + unique * rng.normal(size=n) + world.agreement_shift)
        # Planted non-invariance: a group's intercept shift, added after the draw so that every
        # other answer keeps its random numbers.
        for bias in world.item_bias:
            if bias.item == item.column:
                ystar = ystar + bias.intercept * (np.asarray(columns[bias.column]) == bias.level)
        columns[item.column] = _likert(ystar, world.likert_cuts)
    for form in PARTICIPATION_FORMS:
        coef = world.participation[form]
        mean = (coef["willingness"] * latent["WIL"] + coef["party"] * party + coef["age"] * (age - 50) / 15.0
                + coef["intercept"])
        ystar = mean + np.sqrt(max(1.0 - coef["willingness"] ** 2, 0.05)) * rng.normal(size=n)
        columns[form] = _likert(ystar, world.frequency_cuts)
    survey = pd.DataFrame(columns)

    # Missing at random given age: residents aged 70+ skip twice as often.
    answer_columns = [i.column for i in ITEMS]
    rate = np.where(age >= 70, 2.0, 1.0) * world.missing_rate
    missing = rng.random((n, len(answer_columns))) < rate[:, None]
    for j, column in enumerate(answer_columns):
        values = pd.array(survey[column].to_numpy(), dtype="Int64")
        values[missing[:, j]] = pd.NA
        survey[column] = values
    public_communities = communities.drop(columns=["_type_index"])
    if return_latent:
        latent_frame = pd.DataFrame({k: v for k, v in latent.items()})
        latent_frame.insert(0, "resident_id", survey["resident_id"])
        return survey, public_communities, latent_frame
    return survey, public_communities


def scored_items(survey: pd.DataFrame) -> pd.DataFrame:
    """The survey's agreement items as floats, reverse-keyed items reversed (6 - answer).

    Parameters
    ----------
    survey : pandas.DataFrame
        The resident survey (or a generated one). Not modified.

    Returns
    -------
    pandas.DataFrame
        One float column per agreement item present in ``survey`` (``COH1`` … ``MRK3``), missing
        answers as NaN; reverse-keyed items (``COH4``, ``PCR4``, ``BRP4``, ``BEL4``, ``EE4``,
        ``RES4``) reversed so that every item rises with its construct.

    Raises
    ------
    KeyError
        No agreement item column in ``survey``.
    TypeError
        An item column is not numeric.
    ValueError
        An answer is not a whole number from 1 to 5 (``ArgumentError``, naming the item and row).

    Examples
    --------
    >>> scored_items(pd.DataFrame({"BEL1": [4, 5], "BEL4": [2, 1]})).to_dict("list")
    {'BEL1': [4.0, 5.0], 'BEL4': [4.0, 5.0]}
    """
    if not isinstance(survey, pd.DataFrame):
        raise ArgumentTypeError(t("expected a pandas DataFrame, got {kind}", kind=type(survey).__name__))
    check_frame(survey, "survey")
    items = [i for i in ITEMS if i.construct != "PAR" and i.column in survey.columns]
    if not items:
        raise MissingColumnError(t("the data hold no survey item column (COH1 ... MRK3); pass the survey from "
                                   "chaoyang.data.load('survey')"))
    out = {}
    for item in items:
        column = survey[item.column]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            raise ArgumentTypeError(f"item {item.column!r} must hold answers 1-5 as numbers, but its dtype is {column.dtype}")
        values = column.to_numpy(dtype=float, na_value=np.nan)
        off_scale = ~np.isnan(values) & ~np.isin(values, (1.0, 2.0, 3.0, 4.0, 5.0))
        if off_scale.any():
            row = survey.index[np.flatnonzero(off_scale)[0]]
            raise ArgumentError(f"item {item.column!r} holds {float(values[off_scale][0])!r} (row {row!r}), off the 1-5 "
                                "answer scale; recode it (or set it missing) before scoring")
        out[item.column] = 6.0 - values if item.reverse else values
    return pd.DataFrame(out, index=survey.index)


def composite_scores(survey: pd.DataFrame, constructs=None, *, min_items: int = 2) -> pd.DataFrame:
    """Mean score of each construct's items, with reverse-keyed items reversed (6 - x).

    Parameters
    ----------
    survey : pandas.DataFrame
        The survey (not modified).
    constructs : iterable of str, optional
        Construct keys; default every attitudinal construct present in ``survey``.
    min_items : int, default 2
        Fewest answered items for a score; residents with fewer get <NA> for that construct
        (and the count is reported by :func:`pandas.DataFrame.isna`, never hidden).

    Returns
    -------
    pandas.DataFrame
        One float column per construct (scale 1–5), same index as ``survey``.

    Raises
    ------
    KeyError
        If an item column of a requested construct is missing from ``survey``.

    Examples
    --------
    >>> survey, _ = generate_survey(100, 4, seed=2)
    >>> composite_scores(survey, ["BEL"]).columns.tolist()
    ['BEL']
    """
    check_frame(survey, "survey")
    min_items = check_count(min_items, "min_items", minimum=1)
    if isinstance(constructs, str):
        constructs = [constructs]
    if constructs is None:
        constructs = [c for c in ("COH", "PCR", "BRP", "BEL", "CLO", "BID", "EE", "RES", "WIL", "MRK")
                      if all(i.column in survey.columns for i in items_of(c))]
    scores = {}
    for construct in constructs:
        try:
            items = items_of(construct)
        except (KeyError, TypeError):
            raise ArgumentError(f"constructs: {construct!r} is not a construct key; use keys such as 'BEL', "
                                "'COH' (chaoyang.world.CONSTRUCTS)") from None
        absent = [i.column for i in items if i.column not in survey.columns]
        if absent:
            raise MissingColumnError(t("construct {construct} needs columns {absent}, which the survey does not have",
                                       construct=construct, absent=absent))
        block = scored_items(survey[[i.column for i in items]]).astype("Float64")
        answered = block.notna().sum(axis=1)
        score = block.mean(axis=1, skipna=True)
        scores[construct] = score.where(answered >= min_items)
    return pd.DataFrame(scores, index=survey.index)


def generate_communities(survey: pd.DataFrame, communities: pd.DataFrame, *, seed: int | None = None,
                         world: World = DEFAULT_WORLD) -> pd.DataFrame:
    """Community-level attributes and survey aggregates for the configurational chapter.

    Attributes are generated from each community's planted driver shifts: party activities per
    year rise with the cohesion shift, police household visits per month with the
    police-relations shift, brand events per year with the brand shift (log-linear, Poisson).
    Aggregates are means of the residents' composite scores and participation.

    Parameters
    ----------
    survey, communities : pandas.DataFrame
        As returned by :func:`generate_survey` (not modified).
    seed : int, optional
        Default ``world.seed + 1``.

    Returns
    -------
    pandas.DataFrame
        One row per community.
    """
    rng = np.random.default_rng(world.seed + 1 if seed is None else seed)
    frame = communities[["community_id", "community_name", "street", "community_type"]].copy()
    share_renters = {"danwei": 0.12, "commercial": 0.30, "resettlement": 0.18, "rental": 0.65}
    n = len(frame)
    frame["households"] = rng.integers(900, 4200, size=n)
    frame["share_renters"] = np.round(np.clip(
        [share_renters.get(t, 0.3) for t in frame["community_type"]] + rng.normal(0, 0.05, n), 0.02, 0.95), 3)
    frame["community_police"] = 1 + (frame["households"] > 2500).astype(int)
    scale = 1.0 / max(world.community_sd, 1e-9)
    frame["party_activities_per_year"] = rng.poisson(14 * np.exp(0.35 * scale * communities["_shift_COH"]))
    frame["police_visits_per_month"] = rng.poisson(22 * np.exp(0.35 * scale * communities["_shift_PCR"]))
    frame["brand_events_per_year"] = rng.poisson(5 * np.exp(0.35 * scale * communities["_shift_BRP"]))
    scores = composite_scores(survey)
    scores["community_id"] = survey["community_id"]
    means = scores.groupby("community_id").mean().round(3)
    means.columns = [f"mean_{c}" for c in means.columns]
    often = (survey[list(PARTICIPATION_FORMS)] >= 4).fillna(False).any(axis=1)
    grouped = pd.DataFrame({"community_id": survey["community_id"], "often": often}).groupby("community_id")
    frame = frame.merge(grouped.size().rename("n_surveyed").reset_index(), on="community_id")
    frame = frame.merge(means.reset_index(), on="community_id")
    frame = frame.merge(grouped["often"].mean().round(3).rename("share_participating_often").reset_index(),
                        on="community_id")
    return frame
