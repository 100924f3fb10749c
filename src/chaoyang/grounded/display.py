"""Reading helpers: a transcript with its coded segments highlighted, and keyword in context."""

from __future__ import annotations

import html
import re
import textwrap

import pandas as pd

from chaoyang.grounded.model import Corpus
from chaoyang.grounded.model import GroundedError, GroundedKeyError, GroundedTypeError

# One light colour per category (ColorBrewer Paired/Set3 hues), distinct enough to tell neighbours apart
# and pale enough to keep black text readable; grey is last, for the counter-evidence category.
_PALETTE = ("#fdd49e", "#a6cee3", "#b2df8a", "#fb9a99", "#cab2d6", "#ffff99", "#fdbf6f", "#8dd3c7", "#d9d9d9")


class TranscriptView:
    """A transcript with coded segments: HTML in Jupyter, plain text elsewhere.

    Build it with :func:`show_transcript`. In a notebook the last expression of a cell renders
    through ``_repr_html_`` (highlighted spans, code labels as superscripts); ``str(view)``
    gives plain text where each coded span is wrapped in ``[[...]]`` and followed by its codes.
    """

    def __init__(self, document: dict, segments: pd.DataFrame, category_of: dict, answers=None):
        self.document = document
        self.segments = segments
        self.category_of = category_of
        self.answers = answers

    def _turns(self):
        for turn in self.document["turns"]:
            if turn["speaker"] == "interviewee" and self.answers is not None and turn["answer"] not in self.answers:
                continue
            if turn["speaker"] == "interviewer" and self.answers is not None and turn["answer"] == -1:
                following = [t for t in self.document["turns"] if t["index"] == turn["index"] + 1]
                if not following or following[0]["answer"] not in self.answers:
                    continue
            yield turn

    def _pieces(self, turn):
        """Split a turn into (text, codes) pieces at every segment boundary."""
        start, end = turn["start"], turn["end"]
        inside = self.segments.loc[(self.segments["end"] > start) & (self.segments["start"] < end)]
        cuts = sorted({start, end, *[min(max(s, start), end) for s in inside["start"]],
                       *[min(max(e, start), end) for e in inside["end"]]})
        text = self.document["text"]
        for left, right in zip(cuts[:-1], cuts[1:]):
            covering = inside.loc[(inside["start"] <= left) & (inside["end"] >= right)]
            yield text[left:right], list(dict.fromkeys(covering["code"]))

    def _repr_html_(self) -> str:
        colours = {}
        for category in dict.fromkeys(self.category_of.values()):
            colours[category] = _PALETTE[len(colours) % len(_PALETTE)]
        meta = self.document
        title = html.escape(f"{meta['id']} · {meta.get('role', '')} · {meta.get('community_type', '')} · "
                            f"{meta.get('street', '')}")
        parts = [f"<div style='font-family:sans-serif;line-height:1.55;max-width:52em'><h4>{title}</h4>"]
        spans = [(t["start"], t["end"]) for t in self._turns()]
        visible = [row.code for row in self.segments.itertuples(index=False)
                   if any(row.start < e and s < row.end for s, e in spans)]
        shown = list(dict.fromkeys(self.category_of.get(c, c) for c in visible))
        if shown:
            legend = " ".join(f"<span style='background:{colours.get(c, _PALETTE[-1])};padding:0 .3em'>"
                              f"{html.escape(str(c))}</span>" for c in shown)
            parts.append(f"<p style='font-size:85%'>Highlight colours: {legend}</p>")
        for turn in self._turns():
            who = "Q" if turn["speaker"] == "interviewer" else "A"
            body = []
            for piece, codes in self._pieces(turn):
                escaped = html.escape(piece)
                if codes:
                    colour = colours.get(self.category_of.get(codes[0]), _PALETTE[-1])
                    body.append(f"<mark style='background:{colour}' title='{html.escape(', '.join(codes))}'>"
                                f"{escaped}</mark>")
                else:
                    body.append(escaped)
            ends_here = self.segments.loc[(self.segments["end"] > turn["start"]) &
                                          (self.segments["end"] <= turn["end"])]
            labels = " ".join(f"<sup style='color:#555'>[{html.escape(c)}]</sup>" for c in ends_here["code"])
            style = "color:#555;font-style:italic" if who == "Q" else ""
            parts.append(f"<p style='{style}'><b>{who}:</b> {''.join(body)} {labels}</p>")
        parts.append("</div>")
        return "".join(parts)

    def __str__(self) -> str:
        about = ", ".join(str(self.document[k]) for k in ("role", "community_type") if self.document.get(k))
        lines = [f"{self.document['id']} ({about})" if about else self.document["id"]]
        for turn in self._turns():
            who = "Q" if turn["speaker"] == "interviewer" else "A"
            body = "".join(f"[[{piece}]]{{{'+'.join(codes)}}}" if codes else piece
                           for piece, codes in self._pieces(turn))
            lines.append(textwrap.fill(f"{who}: {body}", width=100, subsequent_indent="   "))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def show_transcript(corpus, document: str, coding: pd.DataFrame | None = None, codebook=None, *,
                    coder: str | None = None, answers=None) -> TranscriptView:
    """Display a transcript with its coded segments highlighted.

    Parameters
    ----------
    corpus : Corpus or list of dict
    document : str
        Document id, e.g. ``"T01"``.
    coding : pandas.DataFrame, optional
        Segments (``document, start, end, code``); only this document's are shown.
    codebook : Codebook or dict, optional
        Used to colour segments by category (else by code).
    coder : str, optional
        Show only this coder's segments.
    answers : iterable of int, optional
        Show only these answers (0-based) and the questions just before them.

    Returns
    -------
    TranscriptView
        Renders as HTML in Jupyter; ``str()`` gives plain text with ``[[span]]{CODES}`` marks.

    Raises
    ------
    KeyError
        If the document is not in the corpus or ``coder`` has no segment.

    Examples
    --------
    >>> corpus = Corpus.from_records([{"id": "D1", "text": "Q: Hi?\\nA: Hello there."}])
    >>> seg = pd.DataFrame({"document": ["D1"], "start": [10], "end": [15], "code": ["GREET"]})
    >>> print(show_transcript(corpus, "D1", seg))
    D1
    Q: Hi?
    A: [[Hello]]{GREET} there.
    """
    from chaoyang.grounded.model import Codebook

    corpus = Corpus.from_records(corpus)
    doc = corpus[document]
    if coding is None:
        segments = pd.DataFrame(columns=["document", "start", "end", "code"])
    else:
        if not isinstance(coding, pd.DataFrame):
            raise GroundedTypeError(f"coding must be a DataFrame of segments, got {type(coding).__name__}")
        segments = coding.loc[coding["document"] == document].copy()
        if coder is not None:
            if "coder" not in segments.columns or coder not in set(segments["coder"]):
                raise GroundedKeyError(f"coder {coder!r} has no segments in {document}")
            segments = segments.loc[segments["coder"] == coder]
        segments = segments.astype({"start": "int64", "end": "int64"}).sort_values(["start", "end"])
    if codebook is not None:
        book = Codebook.from_dict(codebook)
        category_of = {c: book.category_of(c) for c in book.code_ids}
    else:
        category_of = {c: c for c in segments["code"]}
    return TranscriptView(doc, segments, category_of, None if answers is None else set(answers))


def kwic(corpus, pattern: str, *, width: int = 40, regex: bool = False, answers_only: bool = True,
         case: bool = False) -> pd.DataFrame:
    """Keyword in context: every match of a word or pattern with its left and right context.

    Parameters
    ----------
    corpus : Corpus or list of dict
    pattern : str
        A word or phrase (matched at word boundaries) or, with ``regex=True``, a regular expression.
    width : int, default 40
        Characters of context on each side (1–500).
    regex : bool, default False
    answers_only : bool, default True
        Search interviewee answers only (not the interviewer's questions).
    case : bool, default False
        Case-sensitive matching.

    Returns
    -------
    pandas.DataFrame
        ``document, answer, start, end, left, match, right``; ``start``/``end`` are offsets in
        the document text (so a hit can be coded directly); one row per match.

    Raises
    ------
    ValueError
        If ``pattern`` is empty, not a valid regular expression, or ``width`` is out of range.

    Examples
    --------
    >>> corpus = Corpus.from_records([{"id": "D1", "text": "Q: Armband?\\nA: I wear the red armband."}])
    >>> kwic(corpus, "armband", width=8)[["left", "match", "right"]].values.tolist()
    [['the red ', 'armband', '.']]
    """
    if not isinstance(pattern, str) or not pattern.strip():
        raise GroundedError("pattern must be a non-empty string")
    if not isinstance(width, int) or not 1 <= width <= 500:
        raise GroundedError(f"width must be an integer in 1–500, got {width!r}")
    corpus = Corpus.from_records(corpus)
    flags = 0 if case else re.IGNORECASE
    source = pattern if regex else r"\b" + re.escape(pattern.strip()) + r"\b"
    try:
        compiled = re.compile(source, flags)
    except re.error as error:
        raise GroundedError(f"pattern {pattern!r} is not a valid regular expression: {error}") from None
    rows = []
    for doc in corpus:
        text = doc["text"]
        for turn in doc["turns"]:
            if answers_only and turn["speaker"] != "interviewee":
                continue
            for match in compiled.finditer(text, turn["start"], turn["end"]):
                if match.end() == match.start():
                    continue
                rows.append({"document": doc["id"], "answer": turn["answer"], "start": match.start(),
                             "end": match.end(),
                             "left": text[max(turn["start"], match.start() - width):match.start()],
                             "match": match.group(0),
                             "right": text[match.end():min(turn["end"], match.end() + width)]})
    return pd.DataFrame(rows, columns=["document", "answer", "start", "end", "left", "match", "right"])
