"""Axial and selective coding: roll-ups, matrices, co-occurrence, the paradigm model, the model figure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chaoyang._validate import check_frame
from chaoyang._results import ResultMixin
from chaoyang.grounded.model import Codebook, Corpus, GroundedError
from chaoyang.grounded.model import GroundedKeyError, GroundedTypeError

LEVELS = ("code", "category", "pathway", "core")

#: Strauss & Corbin's paradigm model filled from the kit's categories. The mapping is a teaching
#: choice made explicit, not something the coding decides:
#:
#: * ``conditions`` (causal conditions): what sets mobilization in motion, the three drivers the
#:   community party organization, the community police and the brand's dissemination supply;
#: * ``phenomenon``: the core category, emotional commitment arousal;
#: * ``context`` (context and intervening conditions): what widens or narrows the effect, the
#:   counter-evidence codes (material motives, privacy unease, fatigue, distance);
#: * ``actions/interactions``: how residents take up the interaction, the pathway-specific
#:   emotional ties formed with community, police and brand (belonging, closeness, identity);
#: * ``consequences``: what the ties leave behind and carry into participation, emotional
#:   energy and a sense of responsibility (shared by all three pathways).
PARADIGM_MAPPING: dict[str, tuple[str, ...]] = {
    "conditions": ("SCENARIOS", "POLICE_ACTION", "BRAND_SPREAD"),
    "context": ("COUNTER",),
    "actions/interactions": ("BELONGING", "CLOSENESS", "BRAND_IDENTITY"),
    "consequences": ("EMOTIONAL_ENERGY", "RESPONSIBILITY"),
}


def _check_coding(coding) -> pd.DataFrame:
    if not isinstance(coding, pd.DataFrame):
        raise GroundedTypeError(f"coding must be a DataFrame of segments, got {type(coding).__name__}")
    check_frame(coding, "coding")
    missing = [c for c in ("document", "start", "end", "code") if c not in coding.columns]
    if missing:
        raise GroundedError(f"coding lacks column(s) {missing}; validate it with validate_coding()")
    return coding


def _check_level(level: str):
    if level not in LEVELS:
        raise GroundedError(f"level must be one of {LEVELS}, got {level!r}")


def roll_up(coding: pd.DataFrame, codebook, level: str = "category") -> pd.DataFrame:
    """Move each coded segment up the codebook tree.

    Parameters
    ----------
    coding : pandas.DataFrame
        Segments with a ``code`` column.
    codebook : Codebook or dict
    level : {"code", "category", "pathway", "core"}
        ``category`` adds the category of each segment; ``pathway`` repeats a segment once per
        pathway its category sits under (shared categories count under every pathway) and drops
        segments of categories outside the model (kind ``other``); ``core`` keeps the segments
        of the model's categories and labels them with the core category.

    Returns
    -------
    pandas.DataFrame
        A copy of the coding with a ``category`` column and, for ``pathway``/``core``, a column
        of that name; column ``node`` holds the id at the requested level.

    Raises
    ------
    ValueError
        On an unknown level.
    KeyError
        If a code is not in the codebook.

    Examples
    --------
    >>> from chaoyang.grounded.model import load_codebook
    >>> seg = pd.DataFrame({"document": ["T01"], "start": [0], "end": [5], "code": ["EE_UPLIFT"]})
    >>> roll_up(seg, load_codebook(), "pathway")["node"].tolist()
    ['PARTY', 'POLICE', 'BRAND']
    """
    _check_level(level)
    book = Codebook.from_dict(codebook)
    frame = _check_coding(coding).copy()
    frame["category"] = [book.category_of(c) for c in frame["code"]]
    if level == "code":
        frame["node"] = frame["code"]
    elif level == "category":
        frame["node"] = frame["category"]
    elif level == "pathway":
        frame["pathway"] = [book.pathways_of(c) for c in frame["category"]]
        frame = frame.explode("pathway")
        frame = frame.loc[frame["pathway"].notna()].copy()
        frame["node"] = frame["pathway"]
    else:
        frame = frame.loc[frame["category"].isin(book.main_categories)].copy()
        frame["core"] = book.core["id"]
        frame["node"] = frame["core"]
    return frame.reset_index(drop=True)


def _nodes(book: Codebook, level: str) -> list[str]:
    return {"code": book.code_ids, "category": book.category_ids, "pathway": book.pathway_ids,
            "core": [book.core["id"]]}[level]


def code_document_matrix(coding: pd.DataFrame, codebook, *, level: str = "code", value: str = "count",
                         documents=None) -> pd.DataFrame:
    """Codes (or categories, pathways) by documents.

    Parameters
    ----------
    coding : pandas.DataFrame
    codebook : Codebook or dict
    level : {"code", "category", "pathway", "core"}
    value : {"count", "presence"}
        Number of segments, or 1 if the node occurs in the document at all.
    documents : list of str, optional
        Columns to show (in this order; documents without segments get zeros). Default: the
        coded documents, sorted.

    Returns
    -------
    pandas.DataFrame
        Rows: every node of the level in codebook order (zero rows included); columns: documents.

    Raises
    ------
    ValueError
        On an unknown level or value.
    """
    if value not in ("count", "presence"):
        raise GroundedError(f"value must be 'count' or 'presence', got {value!r}")
    book = Codebook.from_dict(codebook)
    rolled = roll_up(coding, book, level)
    columns = sorted(set(rolled["document"])) if documents is None else list(documents)
    table = pd.crosstab(rolled["node"], rolled["document"]).reindex(index=_nodes(book, level), columns=columns,
                                                                     fill_value=0)
    table = table.fillna(0).astype("int64")
    table.index.name, table.columns.name = level, "document"
    return (table > 0).astype("int64") if value == "presence" else table


def code_role_matrix(coding: pd.DataFrame, corpus, codebook, *, level: str = "code", value: str = "documents",
                     by: str = "role") -> pd.DataFrame:
    """Codes (or categories, pathways) by interviewee role (or another metadata field).

    Parameters
    ----------
    coding : pandas.DataFrame
    corpus : Corpus or list of dict
    codebook : Codebook or dict
    level : {"code", "category", "pathway", "core"}
    value : {"documents", "segments", "share"}
        Number of documents of the role in which the node occurs; number of segments; or the
        share (0–1) of the role's documents in which it occurs.
    by : str, default "role"
        Metadata field to group documents by (e.g. ``community_type``).

    Returns
    -------
    pandas.DataFrame
        Rows: nodes in codebook order; columns: the field's values (sorted). ``attrs["n"]``
        holds the number of documents per column.

    Raises
    ------
    KeyError
        If the corpus has no such metadata field.
    ValueError
        On an unknown level or value.
    """
    if value not in ("documents", "segments", "share"):
        raise GroundedError(f"value must be 'documents', 'segments' or 'share', got {value!r}")
    corpus = Corpus.from_records(corpus)
    meta = corpus.metadata()
    if by not in meta.columns:
        raise GroundedKeyError(f"the corpus has no metadata field {by!r}; fields: {list(meta.columns)}")
    book = Codebook.from_dict(codebook)
    rolled = roll_up(coding, book, level)
    unknown = sorted(set(rolled["document"]) - set(meta.index))
    if unknown:
        raise GroundedKeyError(f"coded documents {unknown} are not in the corpus")
    rolled["group"] = meta.loc[rolled["document"], by].astype(str).to_numpy()
    groups = sorted(meta[by].astype(str).unique())
    if value == "segments":
        table = pd.crosstab(rolled["node"], rolled["group"])
    else:
        table = rolled.drop_duplicates(["node", "document"]).pipe(lambda f: pd.crosstab(f["node"], f["group"]))
    table = table.reindex(index=_nodes(book, level), columns=groups, fill_value=0).fillna(0).astype("int64")
    n = meta[by].astype(str).value_counts().reindex(groups)
    if value == "share":
        table = table / n.to_numpy()
    table.index.name, table.columns.name = level, by
    table.attrs["n"] = n.to_dict()
    return table


def cooccurrence(coding: pd.DataFrame, codebook, *, level: str = "code", unit: str = "answer") -> pd.DataFrame:
    """How often two codes (categories, pathways) are applied together.

    Parameters
    ----------
    coding : pandas.DataFrame
        One coder's segments (with an ``answer`` column for ``unit="answer"``).
    codebook : Codebook or dict
    level : {"code", "category", "pathway", "core"}
    unit : {"answer", "overlap"}
        ``answer``: cell (a, b) counts the answers (document, answer number) carrying both a and
        b; the diagonal counts the answers carrying a. ``overlap``: cell (a, b) counts the pairs
        of segments, one with a and one with b, whose character spans overlap; the diagonal
        counts the segments carrying a.

    Returns
    -------
    pandas.DataFrame
        A symmetric square table of counts over the nodes of the level (codebook order).

    Raises
    ------
    GroundedError
        If the table mixes several coders (co-occurrence is a property of one coding) or
        ``unit="answer"`` is asked for without an ``answer`` column.
    ValueError
        On an unknown level or unit.
    """
    if unit not in ("answer", "overlap"):
        raise GroundedError(f"unit must be 'answer' or 'overlap', got {unit!r}")
    _check_coding(coding)
    if "coder" in coding.columns and coding["coder"].nunique() > 1:
        raise GroundedError(f"the coding mixes coders {sorted(set(coding['coder']))}; pass one coder's segments")
    book = Codebook.from_dict(codebook)
    nodes = _nodes(book, level)
    rolled = roll_up(coding.assign(_segment=np.arange(len(coding))), book, level)
    index = {n: i for i, n in enumerate(nodes)}
    counts = np.zeros((len(nodes), len(nodes)), dtype=np.int64)
    if unit == "answer":
        if "answer" not in rolled.columns:
            raise GroundedError("unit='answer' needs an 'answer' column; validate the coding with validate_coding()")
        rolled = rolled.loc[rolled["answer"] >= 0]
        units = rolled.groupby(["document", "answer"])["node"].agg(lambda s: sorted(set(s), key=index.get))
        for present in units:
            positions = [index[n] for n in present]
            counts[np.ix_(positions, positions)] += 1
    else:
        for node in rolled["node"]:
            counts[index[node], index[node]] += 1
        for _, segments in rolled.groupby("document"):
            rows = list(segments[["_segment", "start", "end", "node"]].itertuples(index=False, name=None))
            for i, (g1, s1, e1, n1) in enumerate(rows):
                for g2, s2, e2, n2 in rows[i + 1:]:
                    if g1 != g2 and n1 != n2 and s1 < e2 and s2 < e1:
                        counts[index[n1], index[n2]] += 1
                        counts[index[n2], index[n1]] += 1
    return pd.DataFrame(counts, index=pd.Index(nodes, name=level), columns=pd.Index(nodes, name=level))


def paradigm_model(coding: pd.DataFrame, codebook, *, mapping: dict | None = None) -> pd.DataFrame:
    """Fill Strauss & Corbin's paradigm model from a coding.

    Parameters
    ----------
    coding : pandas.DataFrame
        Validated segments (``document``, ``code``, ``text``).
    codebook : Codebook or dict
    mapping : dict, optional
        Slot -> category ids; default :data:`PARADIGM_MAPPING` (its comment explains the choice).
        The core category always fills the ``phenomenon`` slot.

    Returns
    -------
    pandas.DataFrame
        One row per slot and category: ``slot, category, label, segments, documents, example``
        (the example is the first segment in document order of 60–250 characters, else the
        first segment; empty when the category was never coded). Slot order: conditions,
        phenomenon, context, actions/interactions, consequences.

    Raises
    ------
    KeyError
        If the mapping names a category not in the codebook.
    GroundedError
        If a category is mapped to two slots.
    """
    book = Codebook.from_dict(codebook)
    mapping = PARADIGM_MAPPING if mapping is None else mapping
    seen = {}
    for slot, categories in mapping.items():
        for category in categories:
            book.category(category)
            if category in seen:
                raise GroundedError(f"category {category!r} is mapped to two slots ({seen[category]!r}, {slot!r})")
            seen[category] = slot
    rolled = roll_up(coding, book, "category")
    rows = []

    def example_of(frame):
        if not len(frame):
            return ""
        frame = frame.sort_values(["document", "start"])
        lengths = frame["text"].str.len()
        pool = frame.loc[(lengths >= 60) & (lengths <= 250)]
        return str((pool if len(pool) else frame)["text"].iloc[0])

    core_segments = rolled.loc[rolled["category"].isin(book.main_categories)]
    order = ["conditions", "phenomenon", *[s for s in mapping if s != "conditions"]]
    for slot in order:
        if slot == "phenomenon":
            rows.append({"slot": "phenomenon", "category": book.core["id"], "label": book.core["label"],
                         "segments": len(core_segments), "documents": core_segments["document"].nunique(),
                         "example": ""})
            continue
        for category in mapping.get(slot, ()):
            segments = rolled.loc[rolled["category"] == category]
            rows.append({"slot": slot, "category": category, "label": book.label(category),
                         "segments": len(segments), "documents": segments["document"].nunique(),
                         "example": example_of(segments)})
    return pd.DataFrame(rows, columns=["slot", "category", "label", "segments", "documents", "example"])


@dataclass
class ModelRecovery(ResultMixin):
    """What the coding recovered of the planted model (see :func:`recover_model`).

    Attributes
    ----------
    categories : pandas.DataFrame
        ``category, label, documents, segments, found`` for the model's categories.
    pathways : pandas.DataFrame
        ``pathway, label, categories, found``: a pathway is found when all its categories are.
    core_found : bool
        True when every pathway is found.
    """

    categories: pd.DataFrame
    pathways: pd.DataFrame
    core_found: bool

    @property
    def all_categories_found(self) -> bool:
        """True when every model category reaches the document threshold."""
        return bool(self.categories["found"].all())

    def summary(self) -> str:
        """Found categories and pathways, and whether the core category holds them together."""
        n_cat, n_path = int(self.categories["found"].sum()), int(self.pathways["found"].sum())
        lines = [f"Model recovery: {n_cat} of {len(self.categories)} categories and {n_path} of "
                 f"{len(self.pathways)} pathways found; core category "
                 f"{'recovered' if self.core_found else 'not recovered'}."]
        missing = self.categories.loc[~self.categories["found"], "category"].tolist()
        if missing:
            lines.append(f"Not found: {', '.join(missing)}.")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per model category: ``category, label, documents, segments, found``."""
        return self.categories.copy()


def recover_model(coding: pd.DataFrame, codebook, *, min_documents: int = 3) -> ModelRecovery:
    """Check whether a coding recovers the model's categories, pathways and core category.

    Parameters
    ----------
    coding : pandas.DataFrame
    codebook : Codebook or dict
    min_documents : int, default 3
        A category counts as found when it is coded in at least this many documents (>= 1).

    Returns
    -------
    ModelRecovery

    Raises
    ------
    ValueError
        If ``min_documents`` < 1.
    """
    if not isinstance(min_documents, int) or min_documents < 1:
        raise GroundedError(f"min_documents must be a positive integer, got {min_documents!r}")
    book = Codebook.from_dict(codebook)
    rolled = roll_up(coding, book, "category")
    rows = []
    for category in book.main_categories:
        segments = rolled.loc[rolled["category"] == category]
        documents = segments["document"].nunique()
        rows.append({"category": category, "label": book.label(category), "documents": documents,
                     "segments": len(segments), "found": documents >= min_documents})
    categories = pd.DataFrame(rows)
    found = dict(zip(categories["category"], categories["found"]))
    pathways = pd.DataFrame([{"pathway": p, "label": book.label(p),
                              "categories": [c for c in book.main_categories if p in book.pathways_of(c)],
                              } for p in book.pathway_ids])
    pathways["found"] = [all(found[c] for c in cats) and bool(cats) for cats in pathways["categories"]]
    return ModelRecovery(categories, pathways, bool(pathways["found"].all()) and len(pathways) > 0)


