"""An instructor-private blind set: passages for a1's blind coding whose gold coding is not in the kit.

Assignment a1 asks students to code a passage blind and grades the coding by its agreement (kappa)
with a reference coding. The kit's own hold-out transcripts (T25-T28) are a fine exercise, but their
gold coding ships with the kit (``chaoyang.data.load("coding_gold")``): a student who looks can
copy it. An open kit cannot hide anything it contains, and a generator in the kit could be
inverted, so the only reference a student cannot copy is one the kit never holds. A **blind set**
is that: a folder the instructor keeps **outside the repository** (like the course secret) with

``passages.json``
    A JSON list of transcripts in the schema of ``chaoyang.data.load("interviews")``: ``id`` (not
    one of the kit's T01-T28), ``text``, and ``turns``, each ``{"speaker": "interviewer" or
    "interviewee", "answer": n, "start": s, "end": e}`` (character offsets into ``text``;
    interviewer turns have ``answer`` -1). Each passage needs at least :data:`MIN_ANSWERS`
    interviewee answers. Other keys (role, summary …) are kept and ignored.
``coding.csv``
    The reference coding: columns ``document, start, end, code`` (other columns are ignored);
    ``code`` is an open code of the kit's codebook (``chaoyang.data.load("codebook")["codes"]``).

It is given by ``CHAOYANG_BLIND_SET=<folder>`` or ``--blind-set <folder>`` when building
(``python -m chaoyang.teaching.assignments build``) and when grading
(``python -m chaoyang.teaching.grading``). With it, a1's course variant picks its blind passage from
the set (:func:`chaoyang.teaching.variants.derive`), students receive the passage's text and turns
in ``data/blind_passage.json`` and never its codes, and the grader reads the codes at grading time,
outside the sandbox. Without one, a1 still builds and grades on a kit transcript, and the console
and the gradebook's ``blind_gold`` column say that the passage's gold coding is public.

Command line::

    python -m chaoyang.teaching.blindset check <folder>      # validate; say what is wrong and where
    python -m chaoyang.teaching.blindset template <folder>   # write a small worked example to copy

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = write_template(Path(tempfile.mkdtemp()) / "blind")
>>> blind = load_blind_set(folder)
>>> blind.ids, len(blind.coding) > 0
(['X01'], True)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from chaoyang.errors import ChaoyangError
from chaoyang.teaching.variants import inside_repository

#: The assignment whose blind passage a blind set supplies.
ASSIGNMENT = "a1_grounded_coding"
#: Environment variable naming the blind set's folder.
BLIND_SET_ENV = "CHAOYANG_BLIND_SET"
#: Interviewee answers a passage needs: a1 codes 6 consecutive answers.
MIN_ANSWERS = 6
#: Answers at least this long that also occur in a kit transcript make the passage public.
MIN_SHARED_CHARS = 40
PASSAGES = "passages.json"
CODING = "coding.csv"
CODING_COLUMNS = ("document", "start", "end", "code")
#: What building and grading a1 without a blind set print (before and after a grading batch).
PUBLIC_GOLD = ("WARNING: a1_grounded_coding has no private blind set: the passage students code blind is a kit "
               "transcript whose gold coding is public (chaoyang.data.load('coding_gold')), so a student who looks "
               "can copy it and question 4's points reward copying as much as coding. For marks that count, give "
               f"a blind set outside the repository (--blind-set FOLDER or {BLIND_SET_ENV}=FOLDER; start from "
               "`python -m chaoyang.teaching.blindset template FOLDER`), the same when building and grading.")


class BlindSetError(ChaoyangError, ValueError):
    """A blind set is missing, malformed or would not be private; the message names the file, row and value."""


@dataclass(frozen=True, eq=False)
class BlindSet:
    """A validated blind set (read with :func:`load_blind_set`).

    Attributes
    ----------
    path : Path
        The folder (resolved).
    passages : dict
        Passage id -> transcript dict (``id``, ``text``, ``turns`` …).
    coding : pandas.DataFrame
        The reference coding, columns ``document, start, end, code`` (integers for the offsets).
    digest : str
        SHA-256 of both files: names this version of the set (it changes the variant's tag).
    """

    path: Path
    passages: dict = field(repr=False)
    coding: pd.DataFrame = field(repr=False)
    digest: str = ""

    @property
    def ids(self) -> list[str]:
        """Passage ids, sorted (the order variants draw from)."""
        return sorted(self.passages)

    def public_passage(self, passage_id: str) -> dict:
        """What a student receives (``data/blind_passage.json``): id, text and turns, no coding."""
        doc = self.passages[passage_id]
        return {"id": doc["id"], "text": doc["text"],
                "turns": [{"speaker": t["speaker"], "answer": int(t["answer"]), "start": int(t["start"]),
                           "end": int(t["end"])} for t in doc["turns"]]}


def _fail(message: str):
    raise BlindSetError(message)


def _int(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        _fail(f"{where} must be a whole number, got {value!r}")
    return int(value)


def _check_passage(doc, index: int, where: Path, kit_ids: set, kit_texts: dict) -> dict:
    label = f"{where}: passage {index + 1}"
    if not isinstance(doc, dict):
        _fail(f"{label} must be an object with id, text and turns, got {type(doc).__name__}")
    for key in ("id", "text", "turns"):
        if key not in doc:
            _fail(f"{label} has no {key!r} (each passage needs id, text and turns)")
    pid = doc["id"]
    if not isinstance(pid, str) or not pid.strip() or pid != pid.strip():
        _fail(f"{label}: id must be a non-empty string without surrounding spaces, got {pid!r}")
    label = f"{where}: passage {pid!r}"
    if pid in kit_ids:
        _fail(f"{label}: the id clashes with a transcript of the kit ({', '.join(sorted(kit_ids)[:2])} … "
              f"{sorted(kit_ids)[-1]}); give your passages other ids, e.g. X01")
    text = doc["text"]
    if not isinstance(text, str) or not text.strip():
        _fail(f"{label}: text must be a non-empty string")
    if not isinstance(doc["turns"], list) or not doc["turns"]:
        _fail(f"{label}: turns must be a non-empty list of {{speaker, answer, start, end}}")
    answers = []
    for k, turn in enumerate(doc["turns"]):
        tl = f"{label}, turn {k}"
        if not isinstance(turn, dict) or not {"speaker", "answer", "start", "end"} <= set(turn):
            _fail(f"{tl} must have speaker, answer, start and end")
        if turn["speaker"] not in ("interviewer", "interviewee"):
            _fail(f"{tl}: speaker must be 'interviewer' or 'interviewee', got {turn['speaker']!r}")
        start, end = _int(turn["start"], f"{tl}: start"), _int(turn["end"], f"{tl}: end")
        answer = _int(turn["answer"], f"{tl}: answer")
        if not 0 <= start < end <= len(text):
            _fail(f"{tl}: start {start}, end {end} lie outside the text (0 to {len(text)} characters) "
                  "or are not in order")
        if turn["speaker"] == "interviewee":
            if answer < 0:
                _fail(f"{tl}: an interviewee turn needs an answer number 0, 1, 2 …, got {answer}")
            answers.append(answer)
            said = text[start:end].strip()
            if len(said) >= MIN_SHARED_CHARS:
                for kit_id, kit_text in kit_texts.items():
                    if said in kit_text:
                        _fail(f"{label}, answer {answer}: this text also appears in the kit's transcript {kit_id}, "
                              "whose gold coding is public; a blind set must hold passages the kit does not")
    if len(answers) != len(set(answers)):
        _fail(f"{label}: answer numbers repeat ({sorted(answers)}); number the interviewee's answers 0, 1, 2 …")
    if len(answers) < MIN_ANSWERS:
        _fail(f"{label} has {len(answers)} interviewee answers; a1 codes {MIN_ANSWERS} consecutive answers, "
              f"so each passage needs at least {MIN_ANSWERS}")
    return doc


def load_blind_set(path) -> BlindSet:
    """Read and validate a blind set folder.

    Parameters
    ----------
    path : path-like
        The folder holding ``passages.json`` and ``coding.csv``; it must lie outside the repository.

    Returns
    -------
    BlindSet

    Raises
    ------
    BlindSetError
        Naming the file, the passage or CSV line and the value: the folder is missing or inside the
        repository; a file is missing or unreadable; the set is empty; an id is repeated or clashes
        with a kit transcript; a turn's offsets lie outside its text; a passage has fewer than
        :data:`MIN_ANSWERS` answers or repeats the kit's text; a coding row names an unknown
        passage or code, or offsets outside the text; a passage has no coded sentence.

    Examples
    --------
    >>> load_blind_set("/no/such/folder")
    Traceback (most recent call last):
    ...
    chaoyang.teaching.blindset.BlindSetError: no blind set folder at /no/such/folder; ...
    """
    from chaoyang.data import load
    from chaoyang.teaching.checks.a1 import reference_labels, sentence_units

    if path is None or str(path).strip() == "":
        _fail(f"no blind set folder given (set {BLIND_SET_ENV} or pass --blind-set FOLDER)")
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        _fail(f"no blind set folder at {folder}; write one with `python -m chaoyang.teaching.blindset template "
              f"FOLDER` (outside the repository) and replace its example")
    repo = inside_repository(folder)
    if repo is not None:
        _fail(f"the blind set {folder} lies inside the repository {repo}, which students can clone; keep it "
              "elsewhere (e.g. ~/.config/chaoyang/blind-set)")
    passages_file, coding_file = folder / PASSAGES, folder / CODING
    for file in (passages_file, coding_file):
        if not file.is_file():
            _fail(f"{file} is missing: a blind set holds {PASSAGES} and {CODING} "
                  "(see `python -m chaoyang.teaching.blindset template FOLDER`)")
    raw_passages, raw_coding = passages_file.read_bytes(), coding_file.read_bytes()
    try:
        docs = json.loads(raw_passages.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        _fail(f"{passages_file} is not UTF-8 JSON ({error})")
    if not isinstance(docs, list):
        _fail(f"{passages_file} must hold a JSON list of passages, got {type(docs).__name__}")
    if not docs:
        _fail(f"{passages_file} holds no passage: the blind set is empty")
    kit = load("interviews")
    kit_ids, kit_texts = {d["id"] for d in kit}, {d["id"]: d["text"] for d in kit}
    passages: dict = {}
    for index, doc in enumerate(docs):
        doc = _check_passage(doc, index, passages_file, kit_ids, kit_texts)
        if doc["id"] in passages:
            _fail(f"{passages_file}: the id {doc['id']!r} is used by two passages; ids must be unique")
        passages[doc["id"]] = doc

    try:
        coding = pd.read_csv(coding_file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError) as error:
        _fail(f"{coding_file} is not a UTF-8 CSV file ({error})")
    missing = [c for c in CODING_COLUMNS if c not in coding.columns]
    if missing:
        _fail(f"{coding_file} lacks the column(s) {', '.join(missing)}; it needs {', '.join(CODING_COLUMNS)}")
    if coding.empty:
        _fail(f"{coding_file} has no rows: the passages have no reference coding")
    known_codes = {c["id"] for c in load("codebook")["codes"]}
    rows = []
    for i, row in enumerate(coding.itertuples(index=False)):
        line = f"{coding_file}, line {i + 2}"  # line 1 is the header
        doc_id, code = row.document.strip(), row.code.strip()
        if doc_id not in passages:
            _fail(f"{line}: document {row.document!r} is not a passage of {PASSAGES} ({', '.join(sorted(passages))})")
        if code not in known_codes:
            _fail(f"{line}: code {row.code!r} is not an open code of the kit's codebook "
                  f"(e.g. {', '.join(sorted(known_codes)[:4])} …; see chaoyang.data.load('codebook')['codes'])")
        try:
            start, end = int(row.start), int(row.end)
        except ValueError:
            _fail(f"{line}: start {row.start!r} and end {row.end!r} must be whole numbers (character offsets)")
        size = len(passages[doc_id]["text"])
        if not 0 <= start < end <= size:
            _fail(f"{line}: start {start}, end {end} lie outside the text of {doc_id} (0 to {size} characters) "
                  "or are not in order")
        rows.append({"document": doc_id, "start": start, "end": end, "code": code})
    coding = pd.DataFrame(rows, columns=list(CODING_COLUMNS))
    category = {c["id"]: c["category"] for c in load("codebook")["codes"]}
    for pid, doc in passages.items():
        if all(label == "NONE" for label in reference_labels(sentence_units(doc), coding, category)):
            _fail(f"{coding_file}: passage {pid!r} has no coded sentence of the interviewee; code it, or drop it "
                  f"from {PASSAGES}")
    digest = hashlib.sha256(raw_passages + b"\0" + raw_coding).hexdigest()
    return BlindSet(folder, passages, coding, digest)


def resolve(blind_set=None) -> BlindSet | None:
    """The blind set to use: ``blind_set`` (a :class:`BlindSet` or a folder), else ``$CHAOYANG_BLIND_SET``, else None.

    Examples
    --------
    >>> import os
    >>> os.environ.pop(BLIND_SET_ENV, None) and None
    >>> resolve() is None
    True
    """
    if isinstance(blind_set, BlindSet):
        return blind_set
    if blind_set is None:
        blind_set = os.environ.get(BLIND_SET_ENV, "").strip() or None
        if blind_set is None:
            return None
    return load_blind_set(blind_set)


# ------------------------------------------------------------------------------------ the worked example
#: The worked example's passage: (question, answer) pairs; its reference coding marks whole sentences.
_EXAMPLE_TURNS = (
    ("How long have you lived in Tuanjiehu?",
     "Since 1998, when the printing works gave us this flat. I know every stairwell here."),
    ("How did you start as a volunteer?",
     "Officer Zhao came door to door after a burglary in building 4. He sat in my kitchen and asked about the "
     "neighbours. After that he called me by name whenever he passed."),
    ("What do you do on a normal day?",
     "I sit at the gate from eight to ten with my red armband. Mostly I watch for delivery carts blocking the "
     "fire lane. Sometimes I just chat with the other aunties."),
    ("Why keep doing it?",
     "When the district paper printed our photo, my grandson showed it to his whole class. I am proud to be one "
     "of the Chaoyang residents people talk about. It is our own block, so its safety is our own business."),
    ("Is there anything you dislike about it?",
     "Honestly, the grain-and-oil coupons at New Year help my pension. Some younger ones only come for those. "
     "And I will not photograph people's doors for the group chat."),
    ("Would you recommend it to others?",
     "Yes, if they have time. After a good patrol the whole group is laughing on the way home. That feeling "
     "keeps me going."),
)
#: (answer number, sentence, code) of the worked example's reference coding.
_EXAMPLE_CODING = (
    (0, "I know every stairwell here.", "BE_ROOTS"),
    (1, "Officer Zhao came door to door after a burglary in building 4.", "PA_VISIT"),
    (1, "After that he called me by name whenever he passed.", "CL_PERSONAL"),
    (2, "I sit at the gate from eight to ten with my red armband.", "BS_SYMBOL"),
    (3, "When the district paper printed our photo, my grandson showed it to his whole class.", "BS_MEDIA"),
    (3, "I am proud to be one of the Chaoyang residents people talk about.", "BI_PRIDE"),
    (3, "It is our own block, so its safety is our own business.", "RE_OWNERSHIP"),
    (4, "Honestly, the grain-and-oil coupons at New Year help my pension.", "CT_MATERIAL"),
    (4, "Some younger ones only come for those.", "CT_MATERIAL"),
    (4, "And I will not photograph people's doors for the group chat.", "CT_PRIVACY"),
    (5, "After a good patrol the whole group is laughing on the way home.", "EE_SHARED_MOOD"),
    (5, "That feeling keeps me going.", "EE_UPLIFT"),
)

_README = """# A blind set for assignment a1 (worked example)

**This folder is a public worked example** (`python -m chaoyang.teaching.blindset template`): its
passage and coding ship with the kit, so students can read them. Use it to see the format, then
replace its contents with passages of your own before you build or grade a course.

A blind set gives assignment a1 a passage to code blind whose reference (gold) coding is **not** in
the kit: students get the passage's text, never its codes, and the grader reads the codes when it
grades, outside the sandbox the notebooks run in.

Keep the folder **outside the repository** (students clone it), like the course secret.

## Files

- `passages.json` — a JSON list of transcripts, in the schema of `chaoyang.data.load("interviews")`:
  `id` (anything but the kit's T01–T28), `text` (the transcript, "Q: …" and "A: …" lines), and `turns`,
  one per question or answer: `speaker` (`interviewer` or `interviewee`), `answer` (the interviewee's
  answers numbered 0, 1, 2 …; -1 for the interviewer), `start` and `end` (character offsets into
  `text`, end exclusive). Each passage needs at least 6 interviewee answers: a1 codes 6 consecutive
  ones, chosen from the course secret.
- `coding.csv` — your reference coding: `document,start,end,code`, one coded segment per row, with
  offsets into the passage's `text` and an open code of the kit's codebook (`BS_MEDIA`, `CL_TRUST`, …;
  `chaoyang.data.load("codebook")["codes"]`). Code as the book's gold coder did; a sentence takes the
  category of the segment overlapping it most.

Write passages that are not in the kit (your own interviews, anonymised, or new ones you wrote):
a passage that repeats a kit transcript would make its gold public again, and `check` refuses it.

## Use

    python -m chaoyang.teaching.blindset check ~/course/blind-set
    make assignments BLIND_SET=~/course/blind-set          # or CHAOYANG_BLIND_SET=~/course/blind-set
    make grade ASSIGNMENT=a1_grounded_coding SUBMISSIONS=... BLIND_SET=~/course/blind-set

Build and grade with the same set and the same course secret. Without a set, a1 uses a kit
transcript whose gold coding is public, and the console and the gradebook say so.
"""


def passage_from_pairs(passage_id: str, pairs, coding=()) -> tuple[dict, pd.DataFrame]:
    """A passage in the kit's interview schema from (question, answer) pairs, and its coding from sentences.

    Helps an instructor turn an interview into ``passages.json`` and ``coding.csv`` without counting
    characters: the text is ``"Q: question\\nA: answer\\n"`` per pair, and each coded sentence is found
    in the answer it names.

    Parameters
    ----------
    passage_id : str
        The passage's id (not one of the kit's T01-T28).
    pairs : sequence of (str, str)
        The interviewer's questions and the interviewee's answers, in order (answers numbered 0, 1, …).
    coding : sequence of (int, str, str)
        ``(answer number, exact text of the coded segment, open code)``.

    Returns
    -------
    (dict, pandas.DataFrame)
        The transcript (``id``, ``text``, ``turns``) and its coding (``document, start, end, code``).

    Raises
    ------
    BlindSetError
        A coded segment's text is not in the answer it names.

    Examples
    --------
    >>> doc, coding = passage_from_pairs("X09", [("Why?", "Because. It is ours.")], [(0, "It is ours.", "RE_OWNERSHIP")])
    >>> doc["text"], [int(coding["start"][0]), int(coding["end"][0])]
    ('Q: Why?\\nA: Because. It is ours.\\n', [20, 31])
    """
    text, turns, span = "", [], {}
    for number, (question, answer) in enumerate(pairs):
        text += "Q: "
        turns.append({"speaker": "interviewer", "answer": -1, "start": len(text), "end": len(text) + len(question)})
        text += question + "\nA: "
        span[number] = (len(text), len(text) + len(answer))
        turns.append({"speaker": "interviewee", "answer": number, "start": len(text), "end": len(text) + len(answer)})
        text += answer + "\n"
    rows = []
    for number, segment, code in coding:
        start = text.find(segment, *span.get(number, (0, 0)))
        if number not in span or start < 0:
            _fail(f"coding of {passage_id}: {segment!r} is not in answer {number}")
        rows.append({"document": passage_id, "start": start, "end": start + len(segment), "code": code})
    return {"id": passage_id, "text": text, "turns": turns}, pd.DataFrame(rows, columns=list(CODING_COLUMNS))


def example_passage() -> tuple[dict, pd.DataFrame]:
    """The worked example's passage (id ``X01``) and its reference coding (public: it ships with the kit).

    Examples
    --------
    >>> doc, coding = example_passage()
    >>> doc["text"][coding["start"][0]:coding["end"][0]]
    'I know every stairwell here.'
    """
    doc, coding = passage_from_pairs("X01", _EXAMPLE_TURNS, _EXAMPLE_CODING)
    doc = {"id": "X01", "role": "volunteer", "summary": "Worked example (public): a retired printer who sits at the "
           "gate of her block in Tuanjiehu.", "text": doc["text"], "turns": doc["turns"]}
    return doc, coding


def write_template(folder) -> Path:
    """Write the worked example (``passages.json``, ``coding.csv``, ``README.md``) into a new or empty folder.

    Parameters
    ----------
    folder : path-like
        Where to write; refused if it holds files already or lies inside the repository.

    Returns
    -------
    Path
        The folder.
    """
    folder = Path(folder).expanduser().resolve()
    repo = inside_repository(folder)
    if repo is not None:
        _fail(f"{folder} lies inside the repository {repo}; write the blind set elsewhere (students clone the "
              "repository)")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        _fail(f"{folder} exists and is not an empty folder; choose a new one")
    folder.mkdir(parents=True, exist_ok=True)
    doc, coding = example_passage()
    (folder / PASSAGES).write_text(json.dumps([doc], indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    coding.to_csv(folder / CODING, index=False)
    (folder / "README.md").write_text(_README, encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching.blindset",
                                     description="Check or start an instructor-private blind set for assignment a1.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate a blind set folder").add_argument("folder", type=Path)
    sub.add_parser("template", help="write a worked example folder to copy").add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "template":
            folder = write_template(args.folder)
            print(f"wrote the worked example to {folder} (public: replace it with your own passages; see README.md)")
            return 0
        blind = load_blind_set(args.folder)
    except BlindSetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    segments = blind.coding.groupby("document").size()
    print(f"{blind.path}: {len(blind.ids)} passage(s), {len(blind.coding)} coded segment(s) — valid")
    for pid in blind.ids:
        print(f"  {pid}: {int(segments.get(pid, 0))} segment(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
