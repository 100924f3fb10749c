"""The data model of grounded-theory coding: corpus, codebook tree, coding table, project.

* A :class:`Corpus` holds transcripts (metadata, full text, turns).
* A :class:`Codebook` is a tree: open code -> category -> pathway(s) -> core category. A
  category can sit under several pathways (the kit's *emotional energy* and *sense of
  responsibility* are shared by all three), so the level above categories is a set, not a parent.
* A coding is a DataFrame of segments ``document, start, end, code, coder, memo`` (character
  offsets, ``end`` exclusive, Python string positions = Unicode code points).
* A :class:`Project` bundles the three, as a QDA program does.

Everything that enters goes through :func:`validate_coding` / :meth:`Codebook.from_dict` /
:meth:`Corpus.from_records`; an error names the document, the segment and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from chaoyang._validate import check_frame
from chaoyang.errors import ChaoyangError

#: Columns every coding table has, in this order (extra columns are kept after them).
CODING_COLUMNS = ("segment_id", "document", "start", "end", "code", "coder", "memo")

#: Transcript metadata keys the kit uses (a corpus may carry fewer).
METADATA_KEYS = ("id", "role", "community_type", "street", "community", "pseudonym", "gender", "age_band",
                 "date", "interviewer", "holdout", "summary")


class GroundedError(ChaoyangError, ValueError):
    """Base class of the errors raised by :mod:`chaoyang.grounded`."""


class GroundedTypeError(ChaoyangError, TypeError):
    """An argument of the wrong type (e.g. a list where a coding DataFrame is expected)."""


class GroundedKeyError(ChaoyangError, KeyError):
    """An unknown document, code, category, coder or field; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError would otherwise print the message inside quotes
        return str(self.args[0]) if self.args else ""


class CorpusError(GroundedError):
    """A transcript is malformed (missing id or text, duplicate id)."""


class CodebookError(GroundedError):
    """The codebook is not a valid tree (unknown category or pathway, duplicate id)."""


class CodingError(GroundedError):
    """A coded segment is invalid; the message names document, segment and problem."""


def turns_from_text(text: str) -> list[dict]:
    """Split an interview body of ``Q: ``/``A: `` lines into turns with offsets.

    Parameters
    ----------
    text : str
        Lines starting with ``Q: `` (interviewer) or ``A: `` (interviewee), one turn per line.

    Returns
    -------
    list of dict
        ``index``, ``speaker`` (``"interviewer"``/``"interviewee"``), ``start``, ``end`` (offsets
        of the words without the 3-character prefix) and ``answer`` (0, 1, ... for answers, -1
        for questions). Lines with neither prefix are skipped.

    Examples
    --------
    >>> turns_from_text("Q: Hi?\\nA: Hello.")[1]
    {'index': 1, 'speaker': 'interviewee', 'start': 10, 'end': 16, 'answer': 0}
    """
    if not isinstance(text, str):
        raise GroundedTypeError(f"text must be a str, got {type(text).__name__}")
    turns, offset, answer = [], 0, 0
    for line in text.split("\n"):
        if line.startswith(("Q: ", "A: ")):
            speaker = "interviewer" if line.startswith("Q: ") else "interviewee"
            turns.append({"index": len(turns), "speaker": speaker, "start": offset + 3,
                          "end": offset + len(line), "answer": answer if speaker == "interviewee" else -1})
            answer += speaker == "interviewee"
        offset += len(line) + 1
    return turns


@dataclass
class Corpus:
    """Transcripts with metadata.

    Parameters
    ----------
    documents : list of dict
        Each with at least ``id`` (str) and ``text`` (str); ``turns`` are derived from the
        text when missing; other keys (role, community_type, holdout, ...) are metadata.

    Examples
    --------
    >>> corpus = Corpus.from_records([{"id": "D1", "role": "resident", "text": "Q: Hi?\\nA: Hello."}])
    >>> corpus.ids, corpus["D1"]["turns"][1]["answer"]
    (['D1'], 0)
    """

    documents: list[dict]

    @classmethod
    def from_records(cls, records) -> "Corpus":
        """Validate and copy a list of transcript dicts (e.g. ``chaoyang.data.load("interviews")``).

        Raises
        ------
        TypeError
            If ``records`` is not a list of dicts.
        CorpusError
            If a record lacks ``id`` or ``text``, or an id repeats.
        """
        if isinstance(records, Corpus):
            return records
        if not isinstance(records, (list, tuple)) or not all(isinstance(r, dict) for r in records):
            raise GroundedTypeError("records must be a list of transcript dicts (chaoyang.data.load('interviews'))")
        documents, seen = [], set()
        for number, record in enumerate(records):
            doc_id = record.get("id")
            if not isinstance(doc_id, str) or not doc_id:
                raise CorpusError(f"transcript number {number} has no 'id' (a non-empty string)")
            if doc_id in seen:
                raise CorpusError(f"transcript id {doc_id!r} occurs twice; ids must be unique")
            if not isinstance(record.get("text"), str):
                raise CorpusError(f"transcript {doc_id}: 'text' must be a string")
            seen.add(doc_id)
            doc = dict(record)
            doc["turns"] = [dict(t) for t in record.get("turns") or turns_from_text(record["text"])]
            documents.append(doc)
        return cls(documents)

    @property
    def ids(self) -> list[str]:
        """Document ids in corpus order."""
        return [d["id"] for d in self.documents]

    def __getitem__(self, doc_id: str) -> dict:
        for doc in self.documents:
            if doc["id"] == doc_id:
                return doc
        raise GroundedKeyError(f"document {doc_id!r} is not in the corpus; documents: {', '.join(self.ids)}")

    def __contains__(self, doc_id) -> bool:
        return doc_id in self.ids

    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self):
        return iter(self.documents)

    def metadata(self) -> pd.DataFrame:
        """One row per document: every key except ``text`` and ``turns``, indexed by id."""
        rows = [{k: v for k, v in d.items() if k not in ("text", "turns")} for d in self.documents]
        return pd.DataFrame(rows).set_index("id")

    def answers(self) -> pd.DataFrame:
        """Every interviewee answer as a row: ``document, answer, start, end, text``."""
        rows = [{"document": d["id"], "answer": t["answer"], "start": t["start"], "end": t["end"],
                 "text": d["text"][t["start"]:t["end"]]}
                for d in self.documents for t in d["turns"] if t["speaker"] == "interviewee"]
        return pd.DataFrame(rows, columns=["document", "answer", "start", "end", "text"])

    def subset(self, ids) -> "Corpus":
        """A corpus with the given documents, in the given order (KeyError names a missing id)."""
        return Corpus([self[i] for i in ids])


@dataclass
class Codebook:
    """The codebook tree: core category, pathways, categories, open codes.

    Use :meth:`from_dict` to build one from ``chaoyang.data.load("codebook")``.

    Attributes
    ----------
    core : dict
        ``id``, ``label``, ``definition`` (and optional ``chinese``, ``pinyin``).
    pathways, categories, codes : list of dict
        Categories carry ``pathways`` (list of pathway ids, possibly empty) and ``kind``
        (``driver``, ``mediator`` or ``other``); codes carry ``category``, ``label``,
        ``definition``, ``include``, ``exclude`` and optionally ``example``.

    Examples
    --------
    >>> book = Codebook.from_dict({"core": {"id": "C", "label": "Core", "definition": ""},
    ...     "pathways": [{"id": "P", "label": "Path", "definition": ""}],
    ...     "categories": [{"id": "K", "label": "Cat", "pathways": ["P"], "kind": "driver", "definition": ""}],
    ...     "codes": [{"id": "K_A", "category": "K", "label": "A", "definition": "a",
    ...                "include": "", "exclude": ""}]})
    >>> book.category_of("K_A"), book.pathways_of("K")
    ('K', ['P'])
    """

    core: dict
    pathways: list[dict]
    categories: list[dict]
    codes: list[dict]
    _code_index: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, book: dict) -> "Codebook":
        """Validate and copy a codebook dict.

        Raises
        ------
        TypeError
            If ``book`` is not a dict.
        CodebookError
            On a missing section, duplicate id, a code whose category does not exist or a
            category naming an unknown pathway.
        """
        if isinstance(book, Codebook):
            return book
        if not isinstance(book, dict):
            raise GroundedTypeError(f"codebook must be a dict (chaoyang.data.load('codebook')), got {type(book).__name__}")
        for section in ("core", "pathways", "categories", "codes"):
            if section not in book:
                raise CodebookError(f"codebook has no {section!r} section")
        pathways = [dict(p) for p in book["pathways"]]
        categories = [dict(c, pathways=list(c.get("pathways", []))) for c in book["categories"]]
        codes = [dict(c) for c in book["codes"]]
        for kind, items in (("pathway", pathways), ("category", categories), ("code", codes)):
            ids = [item.get("id") for item in items]
            if any(not isinstance(i, str) or not i for i in ids):
                raise CodebookError(f"every {kind} needs a non-empty string 'id'")
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise CodebookError(f"duplicate {kind} id(s) {duplicates}")
        pathway_ids = {p["id"] for p in pathways}
        category_ids = {c["id"] for c in categories}
        for category in categories:
            unknown = [p for p in category["pathways"] if p not in pathway_ids]
            if unknown:
                raise CodebookError(f"category {category['id']!r} names unknown pathway(s) {unknown}")
            category.setdefault("kind", "driver" if category["pathways"] else "other")
        for code in codes:
            if code.get("category") not in category_ids:
                raise CodebookError(f"code {code['id']!r} has unknown category {code.get('category')!r}; "
                                    f"categories: {sorted(category_ids)}")
            for key in ("label", "definition", "include", "exclude"):
                code.setdefault(key, "")
        return cls(dict(book["core"]), pathways, categories, codes)

    def __post_init__(self):
        self._code_index = {c["id"]: c for c in self.codes}

    @property
    def code_ids(self) -> list[str]:
        """Open-code ids in codebook order."""
        return [c["id"] for c in self.codes]

    @property
    def category_ids(self) -> list[str]:
        """Category ids in codebook order (including ``kind == "other"``)."""
        return [c["id"] for c in self.categories]

    @property
    def main_categories(self) -> list[str]:
        """The model's categories: those whose ``kind`` is not ``"other"`` (eight in the kit)."""
        return [c["id"] for c in self.categories if c.get("kind") != "other"]

    @property
    def pathway_ids(self) -> list[str]:
        """Pathway ids in codebook order."""
        return [p["id"] for p in self.pathways]

    def code(self, code_id: str) -> dict:
        """The code's dict; KeyError lists the known codes."""
        try:
            return self._code_index[code_id]
        except KeyError:
            raise GroundedKeyError(f"code {code_id!r} is not in the codebook; codes: {', '.join(self.code_ids)}") from None

    def category(self, category_id: str) -> dict:
        """The category's dict; KeyError lists the known categories."""
        for category in self.categories:
            if category["id"] == category_id:
                return category
        raise GroundedKeyError(f"category {category_id!r} is not in the codebook; categories: {', '.join(self.category_ids)}")

    def category_of(self, code_id: str) -> str:
        """The category id of an open code."""
        return self.code(code_id)["category"]

    def pathways_of(self, category_id: str) -> list[str]:
        """The pathways a category sits under (several for shared categories, none for 'other')."""
        return list(self.category(category_id)["pathways"])

    def label(self, node_id: str) -> str:
        """The label of a code, category, pathway or the core category."""
        if node_id == self.core["id"]:
            return self.core["label"]
        for item in (*self.codes, *self.categories, *self.pathways):
            if item["id"] == node_id:
                return item.get("label", node_id)
        raise GroundedKeyError(f"{node_id!r} is neither a code, a category, a pathway nor the core category")

    def tree(self) -> pd.DataFrame:
        """The tree as a table, one row per (code, pathway) link.

        Returns
        -------
        pandas.DataFrame
            ``code, code_label, category, category_label, kind, pathway, core``; a code of a
            shared category appears once per pathway; codes of 'other' categories have
            ``pathway`` and ``core`` missing (they are outside the model).
        """
        rows = []
        for code in self.codes:
            category = self.category(code["category"])
            pathways = category["pathways"] or [None]
            for pathway in pathways:
                rows.append({"code": code["id"], "code_label": code.get("label", ""), "category": category["id"],
                             "category_label": category.get("label", ""), "kind": category.get("kind"),
                             "pathway": pathway, "core": self.core["id"] if pathway else None})
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per open code with its definition and criteria (the readable codebook)."""
        return pd.DataFrame([{"code": c["id"], "category": c["category"], "label": c.get("label", ""),
                              "definition": c.get("definition", ""), "include": c.get("include", ""),
                              "exclude": c.get("exclude", "")} for c in self.codes])

    def to_dict(self) -> dict:
        """The codebook as a plain dict (the inverse of :meth:`from_dict`)."""
        return {"core": dict(self.core), "pathways": [dict(p) for p in self.pathways],
                "categories": [dict(c) for c in self.categories], "codes": [dict(c) for c in self.codes]}


def validate_coding(coding: pd.DataFrame, corpus, codebook, *, name: str = "coding") -> pd.DataFrame:
    """Check a coding table against its corpus and codebook and return a clean copy.

    Parameters
    ----------
    coding : pandas.DataFrame
        Columns ``document, start, end, code`` are required; ``coder`` (default ``"coder"``),
        ``memo`` (default ``""``) and ``segment_id`` (default ``S0001``...) are filled in when
        missing. Other columns (``answer``, ``text``) are kept.
    corpus : Corpus or list of dict
    codebook : Codebook or dict
    name : str
        How the table is called in error messages.

    Returns
    -------
    pandas.DataFrame
        A new table (the input is never modified) with integer ``start``/``end``, string
        ``memo`` (never missing), a ``text`` column equal to the quoted characters and an
        ``answer`` column (answer number, -1 if the segment lies outside a single answer).

    Raises
    ------
    TypeError
        If ``coding`` is not a DataFrame.
    CodingError
        If a column is missing, an offset is missing or not a whole number, a segment is empty
        or reversed (``end <= start``), lies outside its document, its document is not in the
        corpus, its code is not in the codebook, or a ``segment_id`` repeats. The message names
        the document, the segment and the problem.

    Examples
    --------
    >>> corpus = Corpus.from_records([{"id": "D1", "text": "Q: Hi?\\nA: Hello there."}])
    >>> book = Codebook.from_dict({"core": {"id": "C", "label": "C"}, "pathways": [],
    ...     "categories": [{"id": "K", "label": "K", "pathways": []}],
    ...     "codes": [{"id": "K_A", "category": "K"}]})
    >>> seg = pd.DataFrame({"document": ["D1"], "start": [10], "end": [15], "code": ["K_A"]})
    >>> validate_coding(seg, corpus, book)["text"].tolist()
    ['Hello']
    """
    if not isinstance(coding, pd.DataFrame):
        raise GroundedTypeError(f"{name} must be a pandas DataFrame of segments, got {type(coding).__name__}")
    check_frame(coding, "coding")
    corpus = Corpus.from_records(corpus)
    codebook = Codebook.from_dict(codebook)
    missing = [c for c in ("document", "start", "end", "code") if c not in coding.columns]
    if missing:
        raise CodingError(f"{name}: missing column(s) {missing}; a coding needs document, start, end, code "
                          "(and optionally coder, memo, segment_id)")
    frame = coding.copy()
    if "segment_id" not in frame.columns:
        frame.insert(0, "segment_id", [f"S{i + 1:04d}" for i in range(len(frame))])
    if "coder" not in frame.columns:
        frame["coder"] = "coder"
    if "memo" not in frame.columns:
        frame["memo"] = ""
    frame["memo"] = frame["memo"].astype("object").where(frame["memo"].notna(), "").astype(str)
    ids = frame["segment_id"].astype(str)
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise CodingError(f"{name}: segment_id {duplicated.iloc[0]!r} occurs more than once; ids must be unique")
    known_codes = set(codebook.code_ids)
    starts, ends, texts, answers = [], [], [], []
    for position, row in enumerate(frame.itertuples(index=False)):
        segment, document = str(row.segment_id), row.document
        where = f"{name}: document {document!r}, segment {segment} (row {position})"
        if document not in corpus:
            raise CodingError(f"{where}: document is not in the corpus; documents: {', '.join(corpus.ids)}")
        start, end = _offset(row.start, where, "start"), _offset(row.end, where, "end")
        text = corpus[document]["text"]
        if start < 0 or end > len(text):
            raise CodingError(f"{where}: offsets {start}-{end} lie outside the document (length {len(text)})")
        if end <= start:
            raise CodingError(f"{where}: empty segment (start {start}, end {end}); end must exceed start")
        if not text[start:end].strip():
            raise CodingError(f"{where}: the segment {start}-{end} holds only white space")
        if row.code not in known_codes:
            raise CodingError(f"{where}: code {row.code!r} is not in the codebook; check its spelling against "
                              "codebook.code_ids")
        starts.append(start)
        ends.append(end)
        texts.append(text[start:end])
        turn = next((t for t in corpus[document]["turns"] if t["start"] <= start and end <= t["end"]), None)
        answers.append(turn["answer"] if turn is not None else -1)
    frame["segment_id"] = ids
    frame["start"] = pd.Series(starts, index=frame.index, dtype="int64")
    frame["end"] = pd.Series(ends, index=frame.index, dtype="int64")
    frame["text"] = pd.Series(texts, index=frame.index, dtype=object)
    frame["answer"] = pd.Series(answers, index=frame.index, dtype="int64")
    for column in ("document", "code", "coder"):
        frame[column] = frame[column].astype(str)
    fixed = (*CODING_COLUMNS, "answer", "text")
    ordered = [*fixed, *[c for c in frame.columns if c not in fixed]]
    return frame[ordered].reset_index(drop=True)


def _offset(value, where: str, column: str) -> int:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        raise CodingError(f"{where}: {column} is missing")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CodingError(f"{where}: {column} {value!r} is not a number") from None
    if number != int(number):
        raise CodingError(f"{where}: {column} {value!r} is not a whole number of characters")
    return int(number)


def segments_from_quotes(corpus, document: str, quotes, *, coder: str = "student", codebook=None) -> pd.DataFrame:
    """Turn (code, quote) pairs into a validated coding: the way to code by copying text.

    Parameters
    ----------
    corpus : Corpus or list of dict
    document : str
        The transcript the quotes come from.
    quotes : list of (code, quote) or (code, quote, memo)
        Each quote must occur exactly once in the transcript (lengthen it if it repeats).
    coder : str, default "student"
    codebook : Codebook or dict, optional
        Default: the kit's codebook.

    Returns
    -------
    pandas.DataFrame
        A validated coding (see :func:`validate_coding`), one row per quote.

    Raises
    ------
    CodingError
        If a quote is empty, not found, or found more than once (the message shows the quote).

    Examples
    --------
    >>> corpus = Corpus.from_records([{"id": "D1", "text": "Q: Hi?\\nA: I love this place."}])
    >>> segments_from_quotes(corpus, "D1", [("BE_ROOTS", "love this place")])[["start", "end"]].values.tolist()
    [[12, 27]]
    """
    corpus = Corpus.from_records(corpus)
    codebook = load_codebook() if codebook is None else Codebook.from_dict(codebook)
    text = corpus[document]["text"]
    rows = []
    for number, item in enumerate(quotes):
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            raise CodingError(f"quote {number}: expected (code, quote) or (code, quote, memo), got {item!r}")
        code, quote = item[0], item[1]
        memo = item[2] if len(item) == 3 else ""
        if not isinstance(quote, str) or not quote.strip():
            raise CodingError(f"{document}, quote {number}: the quote is empty")
        start = text.find(quote)
        if start < 0:
            raise CodingError(f"{document}, quote {number}: {quote[:60]!r} is not in the transcript; copy it exactly")
        if text.find(quote, start + 1) >= 0:
            raise CodingError(f"{document}, quote {number}: {quote[:60]!r} occurs more than once; lengthen it")
        rows.append({"segment_id": f"{coder[:1].upper()}{number + 1:04d}", "document": document, "start": start,
                     "end": start + len(quote), "code": code, "coder": coder, "memo": memo})
    frame = pd.DataFrame(rows, columns=["segment_id", "document", "start", "end", "code", "coder", "memo"])
    return validate_coding(frame, corpus, codebook, name=f"{coder}'s coding")


@dataclass
class Project:
    """A coding project: corpus, codebook and one coding table (several coders allowed).

    Attributes
    ----------
    corpus : Corpus
    codebook : Codebook
    coding : pandas.DataFrame
        Validated segments; the ``coder`` column tells coders apart.
    name : str
        Project name (used in REFI-QDA exports).
    """

    corpus: Corpus
    codebook: Codebook
    coding: pd.DataFrame
    name: str = "Chaoyang interviews"

    @classmethod
    def build(cls, corpus, codebook, coding, name: str = "Chaoyang interviews") -> "Project":
        """Validate the three parts and bundle them (see :func:`validate_coding`)."""
        corpus = Corpus.from_records(corpus)
        codebook = Codebook.from_dict(codebook)
        return cls(corpus, codebook, validate_coding(coding, corpus, codebook), name)

    def coder(self, coder: str) -> pd.DataFrame:
        """The segments of one coder (KeyError lists the coders)."""
        if coder not in set(self.coding["coder"]):
            raise GroundedKeyError(f"coder {coder!r} has no segments; coders: {sorted(set(self.coding['coder']))}")
        return self.coding.loc[self.coding["coder"] == coder].reset_index(drop=True)


def load_corpus() -> Corpus:
    """The kit's interview transcripts (``chaoyang.data.load("interviews")``) as a :class:`Corpus`."""
    from chaoyang.data import load

    return Corpus.from_records(load("interviews"))


def load_codebook() -> Codebook:
    """The kit's reference codebook as a :class:`Codebook`."""
    from chaoyang.data import load

    return Codebook.from_dict(load("codebook"))


def load_coding(which: str = "gold", corpus: Corpus | None = None, codebook: Codebook | None = None) -> pd.DataFrame:
    """The kit's gold or second coding, validated against the corpus and codebook.

    Parameters
    ----------
    which : {"gold", "second"}

    Raises
    ------
    ValueError
        If ``which`` is neither ``"gold"`` nor ``"second"``.
    """
    if which not in ("gold", "second"):
        raise GroundedError(f"which must be 'gold' or 'second', got {which!r}")
    from chaoyang.data import load

    corpus = corpus or load_corpus()
    codebook = codebook or load_codebook()
    return validate_coding(load(f"coding_{which}"), corpus, codebook, name=f"coding_{which}")


def default_project(*, second: bool = False) -> Project:
    """The kit's interviews, codebook and gold coding as a :class:`Project`.

    Parameters
    ----------
    second : bool, default False
        Also include the second coder's segments (coder ``"second"``).

    Examples
    --------
    >>> project = default_project()
    >>> sorted(set(project.coding["coder"]))
    ['gold']
    """
    corpus, codebook = load_corpus(), load_codebook()
    coding = load_coding("gold", corpus, codebook)
    if second:
        coding = pd.concat([coding, load_coding("second", corpus, codebook)], ignore_index=True)
    return Project(corpus, codebook, coding)
