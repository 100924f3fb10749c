"""The qualitative datasets: interview transcripts, the codebook and two codings.

The transcripts and codings are authored text kept in ``chaoyang/authored/`` (so the package
carries them to Colab). Codings are authored as exact quotes; this module turns each quote into
character offsets in its transcript, so the offsets can never drift from the text.
"""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd

from chaoyang.errors import ChaoyangError

#: Header keys of an authored transcript, in order.
TRANSCRIPT_KEYS = ("id", "role", "community_type", "street", "community", "pseudonym", "gender", "age_band",
                   "date", "interviewer", "holdout", "summary")
ROLES = ("resident", "police_officer", "party_secretary", "volunteer", "property_manager", "grid_worker")
COMMUNITY_TYPES = ("danwei", "commercial", "resettlement", "rental")


class AuthoredTextError(ChaoyangError, ValueError):
    """An authored transcript or coding file breaks the format; the message names file and line."""


def _authored_dir():
    return resources.files("chaoyang") / "authored"


def _interview_files():
    folder = _authored_dir() / "interviews"
    return sorted((p for p in folder.iterdir() if p.name.endswith(".txt")), key=lambda p: p.name)


def parse_transcript(raw: str, filename: str = "<string>") -> dict:
    """Parse one authored transcript.

    Parameters
    ----------
    raw : str
        File content: header lines ``key: value``, a line ``===``, then alternating ``Q: ``/``A: ``
        lines, one turn per line.
    filename : str
        Used in error messages.

    Returns
    -------
    dict
        Metadata (``holdout`` as bool), ``text`` (the body, turns joined by newlines) and
        ``turns``: list of dicts with ``index``, ``speaker`` (``"interviewer"`` or
        ``"interviewee"``), ``start``, ``end`` (offsets of the turn's words in ``text``, without
        the ``Q: ``/``A: `` prefix) and ``answer`` (answer number for interviewee turns, else -1).

    Raises
    ------
    AuthoredTextError
        On a missing header key, unknown role or community type, or a turn out of order.

    Examples
    --------
    >>> doc = parse_transcript("id: T99\\nrole: resident\\ncommunity_type: rental\\nstreet: Jinsong\\n"
    ...     "community: X\\npseudonym: Mr A\\ngender: male\\nage_band: 30-39\\ndate: 2023-05-01\\n"
    ...     "interviewer: INT-A\\nholdout: no\\nsummary: s\\n===\\nQ: Hello?\\nA: Hi.\\n")
    >>> doc["text"][doc["turns"][1]["start"]:doc["turns"][1]["end"]]
    'Hi.'
    """
    head, sep, body = raw.partition("\n===\n")
    if not sep:
        raise AuthoredTextError(f"{filename}: no '===' line between header and interview")
    meta = {}
    for number, line in enumerate(head.strip().splitlines(), 1):
        key, colon, value = line.partition(": ")
        if not colon:
            raise AuthoredTextError(f"{filename} line {number}: expected 'key: value', got {line!r}")
        meta[key.strip()] = value.strip()
    if tuple(meta) != TRANSCRIPT_KEYS:
        raise AuthoredTextError(f"{filename}: header keys {tuple(meta)} must be exactly {TRANSCRIPT_KEYS}")
    if meta["role"] not in ROLES:
        raise AuthoredTextError(f"{filename}: role {meta['role']!r} is not one of {ROLES}")
    if meta["community_type"] not in COMMUNITY_TYPES:
        raise AuthoredTextError(f"{filename}: community_type {meta['community_type']!r} is not one of {COMMUNITY_TYPES}")
    if meta["holdout"] not in ("yes", "no"):
        raise AuthoredTextError(f"{filename}: holdout must be 'yes' or 'no', got {meta['holdout']!r}")
    meta["holdout"] = meta["holdout"] == "yes"
    lines = body.strip("\n").split("\n")
    turns, offset, answer = [], 0, 0
    for index, line in enumerate(lines):
        expected = "Q: " if index % 2 == 0 else "A: "
        if not line.startswith(expected):
            raise AuthoredTextError(f"{filename}: turn {index + 1} should start with {expected!r}: {line[:50]!r}")
        speaker = "interviewer" if expected == "Q: " else "interviewee"
        turns.append({"index": index, "speaker": speaker, "start": offset + 3, "end": offset + len(line),
                      "answer": answer if speaker == "interviewee" else -1})
        answer += speaker == "interviewee"
        offset += len(line) + 1
    if len(lines) % 2:
        raise AuthoredTextError(f"{filename}: the interview must end with an answer (A: line)")
    return {**meta, "text": "\n".join(lines), "turns": turns}


def load_transcripts() -> list[dict]:
    """Every authored transcript, parsed, in id order (see :func:`parse_transcript`)."""
    return [parse_transcript(p.read_text(encoding="utf-8"), p.name) for p in _interview_files()]


def _coding_rows(doc: dict, kind: str) -> list[dict]:
    folder = _authored_dir() / "interviews"
    path = folder / f"{doc['id']}.{kind}.tsv"
    if not path.is_file():
        return []
    rows = []
    text = doc["text"]
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise AuthoredTextError(f"{path.name} line {number}: need CODE<TAB>quote<TAB>memo")
        code, quote, memo = (p.strip() for p in parts)
        start = text.find(quote)
        if not quote or start < 0:
            raise AuthoredTextError(f"{path.name} line {number}: quote not found in {doc['id']}: {quote[:60]!r}")
        if text.find(quote, start + 1) >= 0:
            raise AuthoredTextError(f"{path.name} line {number}: quote occurs more than once; lengthen it")
        turn = next((t for t in doc["turns"] if t["start"] <= start and start + len(quote) <= t["end"]), None)
        if turn is None or turn["speaker"] != "interviewee":
            raise AuthoredTextError(f"{path.name} line {number}: quote must lie inside one answer")
        rows.append({"document": doc["id"], "start": start, "end": start + len(quote), "code": code,
                     "coder": kind, "answer": turn["answer"], "memo": memo, "text": quote})
    return rows


def build_codings(transcripts: list[dict]) -> dict[str, pd.DataFrame]:
    """Gold and second codings as segment tables with character offsets.

    Returns
    -------
    dict
        ``{"coding_gold": DataFrame, "coding_second": DataFrame}``; columns ``segment_id,
        document, start, end, code, coder, answer, memo, text``; sorted by document and start.
    """
    out = {}
    for kind in ("gold", "second"):
        rows = [row for doc in transcripts for row in _coding_rows(doc, kind)]
        frame = pd.DataFrame(rows, columns=["document", "start", "end", "code", "coder", "answer", "memo", "text"])
        frame = frame.sort_values(["document", "start", "end", "code"], kind="stable").reset_index(drop=True)
        frame.insert(0, "segment_id", [f"{kind[0].upper()}{i + 1:04d}" for i in range(len(frame))])
        out[f"coding_{kind}"] = frame
    return out


def build_codebook(gold: pd.DataFrame) -> dict:
    """The authored codebook with an example quote for each code taken from the gold coding.

    The example is the shortest gold segment of the code of at least 40 characters (the shortest
    of any length if none is that long), so the example always exists in the data.

    Raises
    ------
    AuthoredTextError
        If a code of the codebook has no gold segment, or the gold coding uses an unknown code.
    """
    codebook = json.loads((_authored_dir() / "codebook.json").read_text(encoding="utf-8"))
    known = {c["id"] for c in codebook["codes"]}
    unknown = sorted(set(gold["code"]) - known) if len(gold) else []
    if unknown:
        raise AuthoredTextError(f"gold coding uses codes not in the codebook: {unknown}")
    for code in codebook["codes"]:
        segments = gold.loc[gold["code"] == code["id"]] if len(gold) else gold
        if len(segments) == 0:
            code["example"] = None
            continue
        lengths = segments["text"].str.len()
        pool = segments.loc[lengths >= 40] if (lengths >= 40).any() else segments
        best = pool.loc[pool["text"].str.len().idxmin()]
        code["example"] = {"document": best["document"], "quote": best["text"]}
    return codebook


def interviews_table(transcripts: list[dict]) -> list[dict]:
    """The transcripts in the published JSON structure (metadata, text, turns)."""
    return [{k: doc[k] for k in (*TRANSCRIPT_KEYS, "text", "turns")} | {"words": _word_count(doc)}
            for doc in transcripts]


def _word_count(doc: dict) -> int:
    return sum(len(doc["text"][t["start"]:t["end"]].split()) for t in doc["turns"])
