"""Agreement between two coders.

Statistics (all nominal): percent agreement, Cohen's (1960) kappa, Brennan & Prediger's (1981)
kappa (chance = 1 / number of categories) and Krippendorff's (2004/2018) alpha. They take plain
label sequences, so they can be checked against ``sklearn.metrics.cohen_kappa_score`` and the
``krippendorff`` package; optional ``weights`` count a unit several times (exactly as if it were
repeated), which keeps character-level comparisons small.

Units of comparison (:func:`agreement_units`), each a yes/no question per code:

* ``character``: every character of an interviewee answer in a document both coders coded:
  "does coder A / B apply code c to this character?". Runs of characters whose status is the
  same for every code and both coders are stored once with ``weight`` = their length.
* ``answer``: every answer: "does a segment with code c overlap this answer?".
* ``document``: every document: "is code c present anywhere in it?" (document x code presence).

Overall agreement pools the (unit, code) decisions over the codes that at least one coder used
(codes neither coder used would add trivial "no/no" agreement); per-code agreement keeps one
code at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang._validate import check_frame
from chaoyang.grounded.axial import roll_up
from chaoyang.grounded.model import Codebook, Corpus, GroundedError


class AgreementError(GroundedError):
    """An agreement statistic is undefined for the given data (the message says why)."""


def _pair(a, b, weights=None):
    try:
        a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    except ValueError:  # ragged nesting numpy cannot hold
        raise GroundedError("a and b must be one-dimensional sequences of labels") from None
    if a.ndim != 1 or b.ndim != 1:
        raise GroundedError("a and b must be one-dimensional sequences of labels")
    if len(a) != len(b):
        raise GroundedError(f"a and b must have the same length (got {len(a)} and {len(b)})")
    if len(a) == 0:
        raise GroundedError("a and b are empty; agreement needs at least one unit")
    if any(not np.isscalar(x) and x is not None for x in (*a, *b)):
        raise GroundedError("a and b must hold one label (a string or number) per unit, not lists or arrays")
    if any(pd.isna(x) for x in a) or any(pd.isna(x) for x in b):
        raise GroundedError("a and b must not contain missing labels; drop the unit or use krippendorff_alpha")
    if weights is None:
        w = np.ones(len(a))
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != a.shape or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise GroundedError("weights must be non-negative finite numbers, one per unit, with a positive sum")
    return a, b, w


def percent_agreement(a, b, *, weights=None) -> float:
    """Share of units on which the two coders chose the same label (0–1).

    Examples
    --------
    >>> percent_agreement(["x", "y", "y", "x"], ["x", "y", "x", "x"])
    0.75
    """
    a, b, w = _pair(a, b, weights)
    return float(np.sum(w * (a == b)) / np.sum(w))


def cohen_kappa(a, b, *, weights=None) -> float:
    """Cohen's (1960) kappa for two coders and nominal labels.

    kappa = (p_o - p_e) / (1 - p_e), with p_e the agreement expected from each coder's own
    label distribution. Equals ``sklearn.metrics.cohen_kappa_score(a, b, sample_weight=weights)``.

    Parameters
    ----------
    a, b : sequence
        Labels given by coder A and coder B to the same units, in the same order.
    weights : sequence of float, optional
        Unit multiplicities (a unit of weight 3 counts as three identical units).

    Returns
    -------
    float
        In [-1, 1]; 1 is perfect agreement, 0 chance-level agreement.

    Raises
    ------
    ValueError
        On sequences of different length, empty input or missing labels.
    AgreementError
        When kappa is undefined (both coders used one and the same label throughout: p_e = 1).

    Examples
    --------
    >>> round(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]), 4)
    0.5
    """
    a, b, w = _pair(a, b, weights)
    labels = sorted(set(a) | set(b), key=str)
    total = w.sum()
    p_o = np.sum(w * (a == b)) / total
    p_e = sum((np.sum(w * (a == c)) / total) * (np.sum(w * (b == c)) / total) for c in labels)
    if np.isclose(p_e, 1.0):
        raise AgreementError("Cohen's kappa is undefined: both coders used the same single label for every unit")
    return float((p_o - p_e) / (1 - p_e))


def brennan_prediger_kappa(a, b, *, n_categories: int | None = None, weights=None) -> float:
    """Brennan & Prediger's (1981) kappa: chance agreement fixed at 1 / q.

    kappa_BP = (p_o - 1/q) / (1 - 1/q), where q is the number of categories the coders could
    choose from. Unlike Cohen's kappa it does not depend on how often each label was used, so it
    stays defined (and does not collapse) when one label dominates, as "absent" does for a code.

    Parameters
    ----------
    a, b : sequence
    n_categories : int, optional
        q, the number of possible labels (default: the labels observed in a or b, at least 2).
    weights : sequence of float, optional

    Raises
    ------
    ValueError
        If ``n_categories`` < 2 or smaller than the number of observed labels.

    Examples
    --------
    >>> brennan_prediger_kappa([1, 1, 0, 0], [1, 0, 0, 0])
    0.5
    """
    a, b, w = _pair(a, b, weights)
    observed = len(set(a) | set(b))
    q = max(observed, 2) if n_categories is None else n_categories
    if not isinstance(q, (int, np.integer)) or q < 2 or q < observed:
        raise GroundedError(f"n_categories must be an integer >= 2 and >= the {observed} observed labels, got {q!r}")
    p_o = np.sum(w * (a == b)) / w.sum()
    return float((p_o - 1 / q) / (1 - 1 / q))


def krippendorff_alpha(table, *, level: str = "nominal", weights=None) -> float:
    """Krippendorff's alpha for nominal data (any number of coders, missing values allowed).

    Parameters
    ----------
    table : array-like or pandas.DataFrame
        Reliability data: one row per coder, one column per unit (the layout of the
        ``krippendorff`` package's ``reliability_data``); missing values as NaN or None.
        Labels may be numbers or strings.
    level : {"nominal"}
        Only the nominal metric is implemented (codes are unordered categories).
    weights : sequence of float, optional
        Unit multiplicities, one per column.

    Returns
    -------
    float
        alpha = 1 - D_o / D_e from the coincidence matrix; 1 perfect, 0 chance level.
        Equals ``krippendorff.alpha(reliability_data=table, level_of_measurement="nominal")``.

    Raises
    ------
    ValueError
        If ``level`` is not nominal, the table is not two-dimensional, or weights do not fit.
    AgreementError
        If fewer than two values are pairable or only one label occurs (alpha undefined).

    Examples
    --------
    >>> round(krippendorff_alpha([[1, 1, 0, 0], [1, 0, 0, 0]]), 4)
    0.5333
    """
    if level != "nominal":
        raise GroundedError(f"only level='nominal' is implemented, got {level!r}")
    values = np.asarray(table.to_numpy() if isinstance(table, pd.DataFrame) else table, dtype=object)
    if values.ndim != 2:
        raise GroundedError("table must be two-dimensional: coders as rows, units as columns")
    missing = np.vectorize(lambda x: x is None or (isinstance(x, float) and np.isnan(x)), otypes=[bool])(values)
    labels = sorted({v for v in values[~missing]}, key=lambda v: (str(type(v)), v))
    position = {v: i for i, v in enumerate(labels)}
    counts = np.zeros((values.shape[1], len(labels)))
    for (coder, unit), value in np.ndenumerate(values):
        if not missing[coder, unit]:
            counts[unit, position[value]] += 1
    w = np.ones(values.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (values.shape[1],) or (w < 0).any():
        raise GroundedError("weights must be non-negative, one per unit (column)")
    pairable = counts.sum(axis=1)
    keep = pairable >= 2
    counts, m, w = counts[keep], pairable[keep], w[keep]
    if counts.size == 0 or (w * m).sum() < 2:
        raise AgreementError("Krippendorff's alpha needs at least one unit coded by two coders")
    scaled = counts * (w / (m - 1))[:, None]
    coincidence = counts.T @ scaled - np.diag(scaled.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    disagreement_observed = coincidence.sum() - np.trace(coincidence)
    disagreement_expected = (n_c.sum() ** 2 - (n_c ** 2).sum()) / (n - 1)
    if disagreement_expected <= 0:
        raise AgreementError("Krippendorff's alpha is undefined: only one label occurs among pairable values")
    return float(1 - disagreement_observed / disagreement_expected)


def _spans(coding: pd.DataFrame, document: str, node: str):
    rows = coding.loc[(coding["document"] == document) & (coding["node"] == node), ["start", "end"]]
    return list(rows.itertuples(index=False, name=None))


def agreement_units(coding_a: pd.DataFrame, coding_b: pd.DataFrame, corpus, codebook, *, unit: str = "character",
                    level: str = "code", documents=None) -> pd.DataFrame:
    """Put two codings on common units, one yes/no decision per unit and code.

    Parameters
    ----------
    coding_a, coding_b : pandas.DataFrame
        Segments of coder A and coder B.
    corpus : Corpus or list of dict
    codebook : Codebook or dict
    unit : {"character", "answer", "document"}
        See the module docstring for the exact definition of each unit.
    level : {"code", "category"}
        Compare open codes, or categories (segments rolled up first).
    documents : list of str, optional
        Documents to compare (default: documents that both coders coded).

    Returns
    -------
    pandas.DataFrame
        ``document, unit_start, unit_end, node, a, b, weight``: ``a``/``b`` are 1 if the coder
        applied the node to the unit; ``weight`` is the number of characters for ``character``
        units and 1 otherwise. Nodes: every code (category) of the codebook.

    Raises
    ------
    ValueError
        On an unknown unit or level, or when no document was coded by both coders.
    """
    if unit not in ("character", "answer", "document"):
        raise GroundedError(f"unit must be 'character', 'answer' or 'document', got {unit!r}")
    if level not in ("code", "category"):
        raise GroundedError(f"level must be 'code' or 'category', got {level!r}")
    corpus = Corpus.from_records(corpus)
    book = Codebook.from_dict(codebook)
    a, b = roll_up(coding_a, book, level), roll_up(coding_b, book, level)
    if documents is None:
        documents = sorted(set(a["document"]) & set(b["document"]))
    documents = list(documents)
    if not documents:
        raise GroundedError("no document was coded by both coders; pass documents= explicitly")
    nodes = book.code_ids if level == "code" else book.category_ids
    rows = []
    for document in documents:
        doc = corpus[document]
        answers = [(t["start"], t["end"]) for t in doc["turns"] if t["speaker"] == "interviewee"]
        if unit == "document":
            pieces = [(0, len(doc["text"]))]
        elif unit == "answer":
            pieces = answers
        else:
            cuts = {p for span in answers for p in span}
            for frame in (a, b):
                mine = frame.loc[frame["document"] == document]
                cuts |= set(mine["start"].astype(int)) | set(mine["end"].astype(int))
            cuts = sorted(cuts)
            pieces = [(s, e) for s, e in zip(cuts[:-1], cuts[1:])
                      if any(as_ <= s and e <= ae for as_, ae in answers)]
        for node in nodes:
            spans_a, spans_b = _spans(a, document, node), _spans(b, document, node)
            for s, e in pieces:
                if unit == "character":
                    in_a = any(x <= s and e <= y for x, y in spans_a)
                    in_b = any(x <= s and e <= y for x, y in spans_b)
                else:
                    in_a = any(x < e and s < y for x, y in spans_a)
                    in_b = any(x < e and s < y for x, y in spans_b)
                rows.append((document, s, e, node, int(in_a), int(in_b), e - s if unit == "character" else 1))
    return pd.DataFrame(rows, columns=["document", "unit_start", "unit_end", "node", "a", "b", "weight"])


def _statistics(a, b, w) -> dict:
    result = {"units": float(np.sum(w)), "percent": percent_agreement(a, b, weights=w),
              "brennan_prediger": brennan_prediger_kappa(a, b, n_categories=2, weights=w)}
    for name, function in (("cohen_kappa", lambda: cohen_kappa(a, b, weights=w)),
                           ("krippendorff_alpha", lambda: krippendorff_alpha(np.vstack([a, b]), weights=w))):
        try:
            result[name] = function()
        except AgreementError:
            result[name] = float("nan")
    return result


def agreement_summary(units: pd.DataFrame) -> pd.Series:
    """Overall agreement on units from :func:`agreement_units`.

    Pools the (unit, node) decisions over the nodes that at least one coder used.

    Returns
    -------
    pandas.Series
        ``units`` (weighted count), ``percent``, ``cohen_kappa``, ``brennan_prediger`` (q = 2),
        ``krippendorff_alpha``, ``nodes`` (number of nodes pooled).

    Raises
    ------
    ValueError
        If ``units`` lacks a column of :func:`agreement_units` or no coder used any node.
    """
    _check_units(units)
    used = units.groupby("node")[["a", "b"]].max().max(axis=1)
    used = list(used.index[used > 0])
    if not used:
        raise GroundedError("neither coder applied any code to these units")
    pool = units.loc[units["node"].isin(used)]
    stats = _statistics(pool["a"].to_numpy(), pool["b"].to_numpy(), pool["weight"].to_numpy(dtype=float))
    stats["nodes"] = len(used)
    return pd.Series(stats)


def per_code_agreement(units: pd.DataFrame) -> pd.DataFrame:
    """Agreement for each code (or category) separately.

    Returns
    -------
    pandas.DataFrame
        ``node, both, only_a, only_b, neither`` (weighted counts of units), ``percent``,
        ``cohen_kappa``, ``brennan_prediger``, ``krippendorff_alpha`` and ``note``; kappa and
        alpha are NaN when undefined, and ``note`` then says why (e.g. "neither coder used it").
        Sorted by Cohen's kappa, lowest first (the codes to discuss).
    """
    _check_units(units)
    rows = []
    for node, frame in units.groupby("node", sort=False):
        a, b, w = frame["a"].to_numpy(), frame["b"].to_numpy(), frame["weight"].to_numpy(dtype=float)
        row = {"node": node, "both": w[(a == 1) & (b == 1)].sum(), "only_a": w[(a == 1) & (b == 0)].sum(),
               "only_b": w[(a == 0) & (b == 1)].sum(), "neither": w[(a == 0) & (b == 0)].sum()}
        row.update(_statistics(a, b, w))
        row.pop("units")
        row["note"] = ("neither coder used it" if row["both"] + row["only_a"] + row["only_b"] == 0
                       else "" if np.isfinite(row["cohen_kappa"]) else "kappa undefined: no variation")
        rows.append(row)
    table = pd.DataFrame(rows)
    return table.sort_values(["cohen_kappa", "node"], na_position="last", kind="stable").reset_index(drop=True)


def _check_units(units):
    if isinstance(units, pd.DataFrame):
        check_frame(units, "units")
    if not isinstance(units, pd.DataFrame) or not {"node", "a", "b", "weight"} <= set(units.columns):
        raise GroundedError("units must come from agreement_units() (columns node, a, b, weight)")


def coder_agreement(coding_a: pd.DataFrame, coding_b: pd.DataFrame, corpus, codebook, *,
                    level: str = "code") -> pd.DataFrame:
    """Overall agreement at the three unit levels in one table.

    Returns
    -------
    pandas.DataFrame
        Index ``character``, ``answer``, ``document``; columns as :func:`agreement_summary`.
    """
    rows = {unit: agreement_summary(agreement_units(coding_a, coding_b, corpus, codebook, unit=unit, level=level))
            for unit in ("character", "answer", "document")}
    return pd.DataFrame(rows).T


def disagreements(coding_a: pd.DataFrame, coding_b: pd.DataFrame, *, include_agreements: bool = False,
                  boundary_tolerance: int = 20) -> pd.DataFrame:
    """A table of the two coders' disagreements, segment by segment, for discussion.

    Each segment of coder A is compared with coder B's segments in the same document:

    * ``agree``: B has an overlapping segment with the same code and both ends within
      ``boundary_tolerance`` characters (shown only with ``include_agreements``);
    * ``boundary``: same code, overlapping, but an end differs by more than the tolerance;
    * ``different code``: B coded overlapping text, but never with A's code;
    * ``only A``: B coded nothing that overlaps.

    Segments of B that overlap no segment of A at all are listed as ``only B``; a segment of B
    overlapping A's segments with none of them sharing its code is covered by the ``different
    code`` rows.

    Parameters
    ----------
    coding_a, coding_b : pandas.DataFrame
        Validated codings (with ``text`` and ``answer``), restricted to the documents both coded
        if you do not want every other document listed as ``only A``.
    include_agreements : bool, default False
    boundary_tolerance : int, default 20
        Characters (>= 0).

    Returns
    -------
    pandas.DataFrame
        ``document, answer, kind, code_a, code_b, start, end, text_a, text_b`` sorted by
        document and position.

    Raises
    ------
    ValueError
        If a coding lacks a required column or the tolerance is negative.
    """
    for name, frame in (("coding_a", coding_a), ("coding_b", coding_b)):
        if not isinstance(frame, pd.DataFrame) or not {"document", "start", "end", "code", "text"} <= set(frame.columns):
            raise GroundedError(f"{name} must be a validated coding (columns document, start, end, code, text)")
        check_frame(frame, name)
    if not isinstance(boundary_tolerance, int) or boundary_tolerance < 0:
        raise GroundedError(f"boundary_tolerance must be a non-negative integer, got {boundary_tolerance!r}")
    rows = []
    for seg in coding_a.itertuples(index=False):
        others = coding_b.loc[(coding_b["document"] == seg.document) & (coding_b["start"] < seg.end) &
                              (coding_b["end"] > seg.start)]
        same = others.loc[others["code"] == seg.code]
        if len(same):
            best = same.iloc[0]
            close = (abs(int(best["start"]) - seg.start) <= boundary_tolerance and
                     abs(int(best["end"]) - seg.end) <= boundary_tolerance)
            kind, code_b, text_b = ("agree" if close else "boundary"), seg.code, str(best["text"])
        elif len(others):
            kind, code_b, text_b = "different code", ", ".join(dict.fromkeys(others["code"])), str(others["text"].iloc[0])
        else:
            kind, code_b, text_b = "only A", "", ""
        if kind != "agree" or include_agreements:
            rows.append({"document": seg.document, "answer": getattr(seg, "answer", -1), "kind": kind,
                         "code_a": seg.code, "code_b": code_b, "start": int(seg.start), "end": int(seg.end),
                         "text_a": str(seg.text), "text_b": text_b})
    for seg in coding_b.itertuples(index=False):
        overlapping = coding_a.loc[(coding_a["document"] == seg.document) & (coding_a["start"] < seg.end) &
                                   (coding_a["end"] > seg.start)]
        if not len(overlapping):
            rows.append({"document": seg.document, "answer": getattr(seg, "answer", -1), "kind": "only B",
                         "code_a": "", "code_b": seg.code, "start": int(seg.start), "end": int(seg.end),
                         "text_a": "", "text_b": str(seg.text)})
    table = pd.DataFrame(rows, columns=["document", "answer", "kind", "code_a", "code_b", "start", "end", "text_a",
                                        "text_b"])
    return table.sort_values(["document", "start", "kind"], kind="stable").reset_index(drop=True)
