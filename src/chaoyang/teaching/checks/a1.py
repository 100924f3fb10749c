"""Checks of assignment a1 (grounded coding): sentence units, gold labels, kappa, a blind coding.

Each question lists the answers it grades, its points (all on the hidden checks) and its checks.

Examples
--------
>>> [(q.name, q.points, len(q.public), len(q.hidden)) for q in QUESTIONS][0]
('q1', 2, 1, 1)
"""

from __future__ import annotations

import re

import pandas as pd

from chaoyang.teaching.checks.common import Check, Question, need

ASSIGNMENT = "a1_grounded_coding"


def sentence_units(doc: dict, answers=None) -> pd.DataFrame:
    """Sentence units of the interviewee's answers of one transcript (all, or those numbered in ``answers``).

    Parameters
    ----------
    doc : dict
        A transcript of ``chaoyang.data.load("interviews")``.
    answers : iterable of int, optional
        Answer numbers to keep (default: all).

    Returns
    -------
    pandas.DataFrame
        Columns ``document, answer, start, end, text``; offsets are characters of ``doc["text"]``.

    Examples
    --------
    >>> doc = {"id": "X", "text": "Q? Yes. No!", "turns": [{"speaker": "interviewee", "answer": 0, "start": 3, "end": 11}]}
    >>> sentence_units(doc)["text"].tolist()
    ['Yes.', 'No!']
    """
    rows = []
    for turn in doc["turns"]:
        if turn["speaker"] != "interviewee" or (answers is not None and turn["answer"] not in answers):
            continue
        answer_text = doc["text"][turn["start"]:turn["end"]]
        for match in re.finditer(r"\S[^.!?]*(?:[.!?]+[\"')]*|$)", answer_text):
            rows.append({"document": doc["id"], "answer": turn["answer"], "start": turn["start"] + match.start(),
                         "end": turn["start"] + match.end(), "text": match.group()})
    return pd.DataFrame(rows, columns=["document", "answer", "start", "end", "text"])


def reference_labels(units: pd.DataFrame, segments: pd.DataFrame, code_category: dict) -> list[str]:
    """Category of the most-overlapping segment per unit (first on ties), "NONE" without overlap."""
    labels = []
    for unit in units.itertuples():
        best, best_overlap = "NONE", 0
        for seg in segments[segments["document"] == unit.document].itertuples():
            overlap = max(0, min(unit.end, seg.end) - max(unit.start, seg.start))
            if overlap > best_overlap:
                best, best_overlap = code_category[seg.code], overlap
        labels.append(best)
    return labels


def _corpus(ctx):
    from chaoyang.data import load

    codebook = load("codebook")
    return {"codebook": codebook, "docs": {d["id"]: d for d in load("interviews")},
            "gold": load("coding_gold"), "second": load("coding_second"),
            "category": {c["id"]: c["category"] for c in codebook["codes"]}}


def _blind(ctx, docs, gold):
    """The blind passage and its reference coding (None where it is not known).

    Grader with a private blind set: both from the set (read outside the sandbox). Student's
    notebook with ``data/blind_passage.json``: the passage only (its coding stays with the
    instructor). Otherwise a kit transcript and the kit's public gold coding.
    """
    p = ctx.params
    variant = ctx.variant
    if getattr(variant, "blind", None) is not None:
        return variant.blind.passages[p["blind_transcript"]], variant.blind.coding
    if ctx.data_dir is not None and (ctx.data_dir / "blind_passage.json").is_file():
        import json

        return json.loads((ctx.data_dir / "blind_passage.json").read_text(encoding="utf-8")), None
    return docs[p["blind_transcript"]], gold


def _ref(ctx):
    c = ctx.get("corpus", _corpus)
    p = ctx.params
    from sklearn.metrics import cohen_kappa_score

    label_units = sentence_units(c["docs"][p["label_transcript"]])
    kappa_units = sentence_units(c["docs"][p["kappa_transcript"]])
    blind_doc, blind_coding = _blind(ctx, c["docs"], c["gold"])
    blind_units = sentence_units(blind_doc, answers=p["blind_answers"])
    return {"gold_labels": reference_labels(label_units, c["gold"], c["category"]),
            "kappa": float(cohen_kappa_score(reference_labels(kappa_units, c["gold"], c["category"]),
                                             reference_labels(kappa_units, c["second"], c["category"]))),
            "blind_units": len(blind_units),
            "blind_gold": None if blind_coding is None else reference_labels(blind_units, blind_coding, c["category"]),
            "categories": [x["id"] for x in c["codebook"]["categories"]],
            "labels": {x["id"]: x["label"] for x in c["codebook"]["categories"]},
            "n_codes": {x["id"]: sum(code["category"] == x["id"] for code in c["codebook"]["codes"])
                        for x in c["codebook"]["categories"]}}


def ref(ctx):
    return ctx.get("ref", _ref)


def _q1_public(a, ctx):
    t = a["category_table"]
    need(isinstance(t, pd.DataFrame), "category_table must be a pandas DataFrame")
    need([str(c) for c in t.columns] == ["label", "n_codes"], "columns must be exactly label, n_codes")


def _q1_hidden(a, ctx):
    t, r = a["category_table"], ref(ctx)
    need([str(i) for i in t.index] == r["categories"], "index")
    need([str(x) for x in t["label"]] == [r["labels"][c] for c in r["categories"]], "labels")
    need([int(n) for n in t["n_codes"]] == [r["n_codes"][c] for c in r["categories"]], "counts")


def _q2_public(a, ctx):
    need(isinstance(a["gold_labels"], list), "gold_labels must be a list of category ids (or 'NONE')")
    need(all(isinstance(x, str) for x in a["gold_labels"]), "each label is a string")


def _q2_hidden(a, ctx):
    need(list(a["gold_labels"]) == ref(ctx)["gold_labels"], "labels")


def _q3_public(a, ctx):
    k = a["kappa_second"]
    need(isinstance(k, float), "kappa_second must be a float")
    need(-1 <= k <= 1, "kappa lies between -1 and 1")


def _q3_hidden(a, ctx):
    # Same units, same labels, same sklearn formula: only float rounding can differ.
    need(abs(float(a["kappa_second"]) - ref(ctx)["kappa"]) < 1e-9, "kappa")


def _q4_public(a, ctx):
    m = a["my_labels"]
    need(isinstance(m, list), "my_labels must be the list built from my_coding (run the cell after your coding)")
    need(len(m) == ref(ctx)["blind_units"], "my_labels needs one label per unit of the passage")
    need(any(x != "NONE" for x in m), "code at least one sentence")
    need(set(m) <= set(ref(ctx)["categories"]) | {"NONE"}, "labels must be category ids of the codebook")


def _q4_hidden(a, ctx):
    from sklearn.metrics import cohen_kappa_score

    gold = ref(ctx)["blind_gold"]
    need(gold is not None, "the reference coding of this passage is the instructor's")
    need(cohen_kappa_score(gold, list(a["my_labels"])) >= ctx.params["kappa_min"], "kappa")


QUESTIONS = (
    Question("q1", 2, ("category_table",), (
        Check("a DataFrame with columns label, n_codes", _q1_public),
        Check("categories, labels and open-code counts as in the codebook", _q1_hidden, hidden=True,
              hint="category_table does not match the codebook: index = category ids in the codebook's order, "
                   "label = the category's label, n_codes = open codes per category."))),
    Question("q2", 3, ("gold_labels",), (
        Check("a list of strings", _q2_public),
        Check("gold labels of the transcript", _q2_hidden, hidden=True,
              hint="gold_labels is not the most-overlapping gold category of every sentence of the transcript your "
                   "variant names (variant['label_transcript']); check ties, 'NONE' and the document filter."))),
    Question("q3", 2, ("kappa_second",), (
        Check("a float in [-1, 1]", _q3_public),
        Check("sentence-level kappa of gold and second coding", _q3_hidden, hidden=True,
              hint="kappa_second is not the sentence-level Cohen's kappa between the gold and the second coding of "
                   "variant['kappa_transcript'] (all of its answers)."))),
    Question("q4", 4, ("my_labels",), (
        Check("one category id or NONE per unit", _q4_public),
        Check("agreement with the reference coding", _q4_hidden, hidden=True,
              hint="Your coding agrees with the reference coding of the passage with a kappa below the threshold the "
                   "assignment states. Re-read the category definitions (especially COUNTER and the brand categories)."))),
)
