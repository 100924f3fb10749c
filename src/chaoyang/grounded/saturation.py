"""Saturation: new codes per additional transcript, Guest-Namey-Chen assessment, the hold-out check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang._validate import check_count, check_level, check_seed, reject_unknown, renamed
from chaoyang.grounded.axial import LEVELS, roll_up
from chaoyang.grounded.model import Codebook, Corpus, GroundedError


def _nodes_by_document(coding: pd.DataFrame, codebook, level: str) -> dict[str, set]:
    if level not in LEVELS:
        raise GroundedError(f"level must be one of {LEVELS}, got {level!r}")
    rolled = roll_up(coding, Codebook.from_dict(codebook), level)
    return {doc: set(frame["node"]) for doc, frame in rolled.groupby("document")}


def _order(order, nodes: dict) -> list[str]:
    if order is None:
        return sorted(nodes)
    order = list(order)
    if len(set(order)) != len(order):
        raise GroundedError("order lists a document twice")
    return order


def new_codes_curve(coding: pd.DataFrame, codebook, *, order=None, level: str = "code") -> pd.DataFrame:
    """New codes contributed by each additional transcript, in a given order.

    Parameters
    ----------
    coding : pandas.DataFrame
    codebook : Codebook or dict
    order : list of str, optional
        Document ids in the order they are added (default: coded documents sorted by id,
        i.e. interview order). A listed document without segments adds nothing.
    level : {"code", "category", "pathway", "core"}

    Returns
    -------
    pandas.DataFrame
        ``position`` (1, 2, ...), ``document``, ``new`` (number of nodes first seen here),
        ``new_nodes`` (their ids, comma-separated) and ``cumulative``.

    Raises
    ------
    ValueError
        If ``order`` repeats a document or ``level`` is unknown.

    Examples
    --------
    >>> from chaoyang.grounded.model import load_codebook
    >>> seg = pd.DataFrame({"document": ["A", "B", "B"], "start": [0, 0, 5], "end": [4, 4, 9],
    ...                     "code": ["BE_HOME", "BE_HOME", "CL_TRUST"]})
    >>> new_codes_curve(seg, load_codebook())["new"].tolist()
    [1, 1]
    """
    nodes = _nodes_by_document(coding, codebook, level)
    seen: set = set()
    rows = []
    for position, document in enumerate(_order(order, nodes), 1):
        fresh = sorted(nodes.get(document, set()) - seen)
        seen |= set(fresh)
        rows.append({"position": position, "document": document, "new": len(fresh), "new_nodes": ", ".join(fresh),
                     "cumulative": len(seen)})
    return pd.DataFrame(rows, columns=["position", "document", "new", "new_nodes", "cumulative"])


def permutation_curves(coding: pd.DataFrame, codebook, *, documents=None, n_reps: int = 200, seed=None,
                       level: str = "code", band_level: float = 0.9, **deprecated) -> pd.DataFrame:
    """Cumulative number of codes over random interview orders, with a central band.

    Parameters
    ----------
    coding : pandas.DataFrame
    codebook : Codebook or dict
    documents : list of str, optional
        Documents to permute (default: all coded documents).
    n_reps : int, default 200
        Random orders drawn (1 to 1,000,000). Formerly ``n_permutations`` (still accepted, with a
        deprecation warning).
    seed : None, int >= 0 or numpy.random.SeedSequence, default None
        Seed of ``numpy.random.default_rng``: ``None`` draws fresh entropy (not reproducible);
        the same integer gives the same band.
    level : {"code", "category", "pathway", "core"}
        Level of the codebook whose nodes are counted.
    band_level : float, default 0.9
        Share of the orders covered by the ``low``–``high`` band (0 < band_level < 1), e.g. 0.9
        for the 5 % and 95 % quantiles. Formerly ``band`` (still accepted, with a deprecation
        warning). Named ``band_level`` because ``level`` already names the codebook level here.

    Returns
    -------
    pandas.DataFrame
        ``position, mean, low, high, min, max`` of the cumulative count over permutations.

    Raises
    ------
    ArgumentError
        If ``n_reps`` is not a whole number in range or ``band_level`` is outside (0, 1).
    SeedError
        If ``seed`` is not None, a non-negative integer or a SeedSequence.
    GroundedError
        If there are no documents, or ``level`` is unknown.

    Examples
    --------
    >>> from chaoyang.grounded.model import load_codebook
    >>> seg = pd.DataFrame({"document": ["A", "B", "B"], "start": [0, 0, 5], "end": [4, 4, 9],
    ...                     "code": ["BE_HOME", "BE_HOME", "CL_TRUST"]})
    >>> permutation_curves(seg, load_codebook(), n_reps=20, seed=1)["max"].tolist()
    [2.0, 2.0]
    """
    n_reps = renamed(deprecated, "n_permutations", "n_reps", n_reps, 200, "permutation_curves")
    band_level = renamed(deprecated, "band", "band_level", band_level, 0.9, "permutation_curves")
    reject_unknown(deprecated, "permutation_curves")
    n_reps = check_count(n_reps, "n_reps", minimum=1, maximum=1_000_000)
    band_level = check_level(band_level, "band_level")
    seed = check_seed(seed)
    nodes = _nodes_by_document(coding, codebook, level)
    documents = sorted(nodes) if documents is None else list(documents)
    if not documents:
        raise GroundedError("no documents to permute")
    rng = np.random.default_rng(seed)
    curves = np.empty((n_reps, len(documents)))
    for p in range(n_reps):
        seen: set = set()
        for k, i in enumerate(rng.permutation(len(documents))):
            seen |= nodes.get(documents[i], set())
            curves[p, k] = len(seen)
    tail = (1 - band_level) / 2
    return pd.DataFrame({"position": np.arange(1, len(documents) + 1), "mean": curves.mean(axis=0),
                         "low": np.quantile(curves, tail, axis=0), "high": np.quantile(curves, 1 - tail, axis=0),
                         "min": curves.min(axis=0), "max": curves.max(axis=0)})


@dataclass
class SaturationAssessment(ResultMixin):
    """Result of :func:`guest_saturation`.

    Attributes
    ----------
    base_size, run_length : int
    threshold : float
        Largest accepted share of new information (0.05 = 5 %).
    base_count : int
        Unique codes in the first ``base_size`` interviews (the denominator).
    runs : pandas.DataFrame
        ``run, first, last`` (1-based interview positions), ``documents``, ``new`` (codes first
        seen in the run), ``proportion`` (new / base_count) and ``meets`` (proportion <= threshold).
    saturation_point : int or None
        Number of interviews up to the end of the first run that meets the threshold (None if
        none does).
    """

    base_size: int
    run_length: int
    threshold: float
    base_count: int
    runs: pd.DataFrame
    saturation_point: int | None

    def report(self) -> str:
        """One sentence in Guest, Namey & Chen's reporting style."""
        rule = f"base size {self.base_size}, run length {self.run_length}, new-information threshold " \
               f"<= {self.threshold:.0%}"
        if self.saturation_point is None:
            return f"Saturation was not reached ({rule})."
        return f"Saturation was reached at {self.saturation_point} interviews ({rule})."

    def summary(self) -> str:
        """The report sentence, the base, and one line per run."""
        lines = [self.report(), f"Base: {self.base_count} unique codes in the first {self.base_size} interviews."]
        lines += self.runs.to_string(index=False, float_format=lambda v: f"{v:.3f}").splitlines()
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per run: ``run, first, last, documents, new, proportion, meets`` (a copy of :attr:`runs`)."""
        return self.runs.copy()


def guest_saturation(coding: pd.DataFrame, codebook, *, order=None, base_size: int = 4, run_length: int = 2,
                     threshold: float = 0.05, level: str = "code") -> SaturationAssessment:
    """Guest, Namey & Chen's (2020) saturation assessment.

    Definitions (Guest, Namey & Chen 2020, PLoS ONE 15(5): e0232076): the *base size* is the
    number of initial interviews whose unique codes form the base (the denominator); the *run
    length* is the number of subsequent interviews within which new codes are counted (the
    numerator: codes not seen in any earlier interview); the *new-information threshold* is the
    largest ratio new / base accepted as saturation (e.g. <= 5 %). The run starts right after
    the base and moves forward one interview at a time until a run meets the threshold;
    saturation is reported at the last interview of that run.

    Parameters
    ----------
    coding : pandas.DataFrame
    codebook : Codebook or dict
    order : list of str, optional
        Interview order (default: coded documents sorted by id).
    base_size : int, default 4
    run_length : int, default 2
    threshold : float, default 0.05
        In [0, 1]; 0 means "no new code at all".
    level : {"code", "category", "pathway", "core"}

    Returns
    -------
    SaturationAssessment

    Raises
    ------
    ValueError
        If a size is < 1, the threshold is outside [0, 1], there are fewer interviews than
        ``base_size + run_length`` or the base holds no code.

    Examples
    --------
    >>> from chaoyang.grounded.model import default_project
    >>> project = default_project()
    >>> result = guest_saturation(project.coding, project.codebook, base_size=4, run_length=2)
    >>> result.report()
    'Saturation was reached at 6 interviews (base size 4, run length 2, new-information threshold <= 5%).'
    """
    for name, value in (("base_size", base_size), ("run_length", run_length)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise GroundedError(f"{name} must be a positive integer, got {value!r}")
    if not 0 <= threshold <= 1:
        raise GroundedError(f"threshold must lie in [0, 1] (0.05 = 5 %), got {threshold!r}")
    nodes = _nodes_by_document(coding, codebook, level)
    order = _order(order, nodes)
    if len(order) < base_size + run_length:
        raise GroundedError(f"{len(order)} interviews are fewer than base_size + run_length = {base_size + run_length}")
    sets = [nodes.get(d, set()) for d in order]
    base = set().union(*sets[:base_size])
    if not base:
        raise GroundedError("the base interviews hold no code; check the coding or the order")
    rows, point = [], None
    for run, first in enumerate(range(base_size, len(order) - run_length + 1), 1):
        before = set().union(*sets[:first])
        within = set().union(*sets[first:first + run_length])
        new = len(within - before)
        proportion = new / len(base)
        meets = proportion <= threshold
        rows.append({"run": run, "first": first + 1, "last": first + run_length,
                     "documents": ", ".join(order[first:first + run_length]), "new": new,
                     "proportion": proportion, "meets": meets})
        if meets and point is None:
            point = first + run_length
    return SaturationAssessment(int(base_size), int(run_length), float(threshold), len(base), pd.DataFrame(rows),
                                point)


@dataclass
class HoldoutCheck(ResultMixin):
    """Result of :func:`holdout_check`.

    Attributes
    ----------
    analysis_documents, holdout_documents : list of str
    analysis_nodes, holdout_nodes : set of str
        Nodes (codes, categories...) found in each part.
    new_nodes : list of str
        Nodes found in the hold-out transcripts only (sorted); empty means no new node.
    per_document : pandas.DataFrame
        ``document, nodes, new`` for each hold-out transcript.
    """

    analysis_documents: list
    holdout_documents: list
    analysis_nodes: set
    holdout_nodes: set
    new_nodes: list
    per_document: pd.DataFrame

    @property
    def adds_nothing(self) -> bool:
        """True when the hold-out transcripts add no new node."""
        return not self.new_nodes

    def summary(self) -> str:
        """Whether the hold-out transcripts add a node, and which."""
        head = (f"{len(self.holdout_documents)} hold-out transcript(s) against {len(self.analysis_documents)} "
                f"analysed: ")
        head += ("no new node." if self.adds_nothing else f"{len(self.new_nodes)} new node(s): "
                 f"{', '.join(self.new_nodes)}.")
        return "\n".join([head, *self.per_document.to_string(index=False).splitlines()])

    def to_frame(self) -> pd.DataFrame:
        """One row per hold-out transcript: ``document, nodes, new`` (a copy of :attr:`per_document`)."""
        return self.per_document.copy()


def holdout_check(coding: pd.DataFrame, corpus, codebook, *, level: str = "category",
                  main_only: bool = True) -> HoldoutCheck:
    """Do the hold-out transcripts (``holdout`` True) bring any new category?

    Parameters
    ----------
    coding : pandas.DataFrame
        A coding of every transcript, hold-outs included.
    corpus : Corpus or list of dict
        Supplies the ``holdout`` flag of each transcript.
    codebook : Codebook or dict
    level : {"code", "category", "pathway", "core"}, default "category"
    main_only : bool, default True
        At category level, count only the model's categories (not counter-evidence).

    Returns
    -------
    HoldoutCheck

    Raises
    ------
    GroundedError
        If the corpus has no hold-out transcript or no analysis transcript, or a hold-out
        transcript has no segment (it has not been coded yet).
    """
    corpus = Corpus.from_records(corpus)
    book = Codebook.from_dict(codebook)
    holdout = [d["id"] for d in corpus if bool(d.get("holdout", False))]
    analysis = [d["id"] for d in corpus if not bool(d.get("holdout", False))]
    if not holdout or not analysis:
        raise GroundedError("holdout_check needs both hold-out transcripts (holdout True) and analysis transcripts")
    nodes = _nodes_by_document(coding, book, level)
    uncoded = [d for d in holdout if d not in nodes]
    if uncoded:
        raise GroundedError(f"hold-out transcript(s) {uncoded} have no segment; code them first")
    keep = set(book.main_categories) if (main_only and level == "category") else None

    def select(values):
        return {v for v in values if keep is None or v in keep}

    before = select(set().union(*[nodes.get(d, set()) for d in analysis]))
    after = select(set().union(*[nodes[d] for d in holdout]))
    per_document = pd.DataFrame([{"document": d, "nodes": len(select(nodes[d])),
                                  "new": ", ".join(sorted(select(nodes[d]) - before))} for d in holdout])
    return HoldoutCheck(analysis, holdout, before, after, sorted(after - before), per_document)


