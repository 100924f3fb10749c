"""Secret-derived assignment variants: a different world and different questions per course or student.

An instructor sets a **course secret** (the environment variable ``CHAOYANG_COURSE_SECRET`` or a
file outside the repository, :func:`load_secret`). Each assignment's variant is derived from
``HMAC-SHA256(secret, "<assignment>\\0<scope>")``, where the scope is ``"course"`` (one variant
for the whole course, the default) or the student's LMS identifier (one variant per student;
``CHAOYANG_VARIANT_SCOPE=student`` or ``per_student=True``). The digest seeds two things:

* the **world**: a copy of :data:`chaoyang.world.DEFAULT_WORLD` (never modified) whose loadings,
  joint paths and participation intercepts are moved within the ranges of :data:`RANGES`; the
  survey a student receives is drawn from it with a secret-derived seed;
* the **question parameters**: which transcript, pathway, constructs, thresholds, cut-offs,
  seeds and payoffs each question asks about (:data:`RANGES` again). Every variant asks
  something different from the practice variant, so the public master's worked example, run on
  a variant, answers the wrong question.

Without a secret the variant is the **practice variant**: the book's world and the questions of
the public master notebooks, for self-learners. Grading refuses it
(:func:`chaoyang.teaching.checks.grade_answers` needs a secret).

What a student's notebook reads is written by :func:`student_files` into ``data/``:
``variant.json`` (the question parameters only — never the planted truth, the world's loadings
or the secret) and the data files of the assignment (``survey.csv``; ``coding_gold.csv`` for
a1, without the hold-out transcripts coded blind, and, when the instructor gives a private blind
set, ``blind_passage.json``: the text of the passage coded blind, never its coding —
:mod:`chaoyang.teaching.blindset`).

Examples
--------
>>> v = derive("a3_mediation", "course", b"correct horse battery staple")
>>> v.params["pathway"] in ("party", "brand")
True
>>> derive("a3_mediation", "course", None).params["pathway"]
'police'
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chaoyang.errors import ChaoyangError, UnknownNameError
from chaoyang.world import DEFAULT_WORLD, ITEMS, items_of

#: Environment variable holding the course secret.
SECRET_ENV = "CHAOYANG_COURSE_SECRET"
#: Environment variable choosing one variant per course ("course", default) or per student ("student").
SCOPE_ENV = "CHAOYANG_VARIANT_SCOPE"
#: Shortest secret accepted (bytes): a guessable secret lets students derive the variant's truth.
MIN_SECRET_BYTES = 16

ASSIGNMENTS = ("a1_grounded_coding", "a2_measurement", "a3_mediation", "a4_participation", "a5_fsqca",
               "a6_simulation")

#: Size of every survey handed out (residents, communities), as in the book's chapters.
SURVEY_SIZE = (1200, 40)

#: The documented ranges within which a variant moves the world and the questions (also printed
#: in exercises/README.md; tests/test_variants.py checks many derived variants stay inside).
RANGES = {
    "world": {
        "loading shift": (-0.10, 0.10),      # added to each item's loading, result clipped to LOADING_CLIP
        "path factor": (0.80, 1.20),         # multiplies each joint structural path
        "participation intercept shift": (-0.30, 0.30),
        "participation party coefficient": (0.05, 0.45),
    },
    "a1_grounded_coding": {"blind_transcript": ("T25", "T26", "T28"), "blind_answers": "6 consecutive answers",
                           "label_transcript": "T01-T24 without second coding, not T03",
                           "kappa_transcript": "second-coded T01-T24, not T12"},
    "a2_measurement": {"constructs": "4 of COH PCR BRP BEL CLO BID EE RES, plus WIL; not the practice set"},
    "a3_mediation": {"pathway": ("party", "brand"), "seed": (1000, 99999)},
    "a4_participation": {"often_from": "3 or 5 (the practice variant: 4)", "group": ("hukou == 'local'", "gender == 'female'")},
    "a5_fsqca": {"exclusion": (1.6, 2.4), "crossover": (3.5, 4.1), "inclusion": (4.3, 4.8),
                 "incl_cut": (0.75, 0.85), "n_cut": (5, 15), "pri_cut": (0.55, 0.72),
                 "pri_cut_strict": "pri_cut + 0.02 to 0.06"},
    "a6_simulation": {"seed": (1000, 99999), "stop_day": (80, 160), "crowding_strong": (0.6, 1.6),
                      "subsidy": (0.5, 2.5), "value_emotional": (10.5, 14.0)},
}
LOADING_CLIP = (0.50, 0.90)

#: The questions of the public masters: the practice variant.
PRACTICE = {
    "a1_grounded_coding": {"label_transcript": "T03", "kappa_transcript": "T12", "blind_transcript": "T27",
                           "blind_answers": [4, 5, 6, 7, 8, 9], "kappa_min": 0.60},
    "a2_measurement": {"constructs": ["COH", "BEL", "EE", "RES", "WIL"], "ave_min": 0.5},
    "a3_mediation": {"pathway": "police", "driver": "PCR", "mediators": ["CLO", "EE", "RES"], "outcome": "WIL",
                     "n_boot": 200, "seed": 9103},
    "a4_participation": {"often_from": 4, "group": {"column": "party_member", "value": 1,
                                                    "label": "party members"}},
    "a5_fsqca": {"conditions": ["BEL", "CLO", "BID", "EE", "RES"], "outcome": "WIL",
                 "anchors": {"exclusion": 2.0, "crossover": 3.9, "inclusion": 4.5},
                 "incl_cut": 0.8, "n_cut": 10, "pri_cut": 0.68, "pri_cut_strict": 0.70,
                 "directions": "BEL, CLO, BID, EE, RES", "necessity_cut": 0.9},
    "a6_simulation": {"seed": 9106, "n_residents": 600, "steps": 240, "window": 30, "stop_day": 120,
                      "crowding_values": [0.0, 1.0], "game": {"subsidy": 1.0, "value_emotional": 12.0}},
}

#: Survey seeds of the practice variant (the masters' former fixed seeds; not the book's data seed).
PRACTICE_SEEDS = {"a2_measurement": 9102, "a3_mediation": 9103, "a4_participation": 9104, "a5_fsqca": 9105}

_SECOND_CODED = ("T01", "T05", "T09", "T12", "T17", "T19", "T22", "T24")
_ATTITUDES = ("COH", "PCR", "BRP", "BEL", "CLO", "BID", "EE", "RES")
_GROUPS = ({"column": "hukou", "value": "local", "label": "residents with a local hukou"},
           {"column": "gender", "value": "female", "label": "women"})


class VariantError(ChaoyangError, ValueError):
    """No usable course secret, or an unknown assignment/scope; the message says what to do."""


@dataclass(frozen=True, eq=False)
class Variant:
    """One assignment's variant.

    Attributes
    ----------
    assignment : str
    kind : {"practice", "course", "student"}
    params : dict
        The question parameters (what ``data/variant.json`` holds under ``"params"``).
    world : chaoyang.world.World
        The planted truth the variant's data are drawn from (never written for students).
    data_seed : int
        Seed of the variant's survey draw.
    tag : str
        Eight hex characters naming the variant (a hash of the digest; reveals nothing).
    blind : chaoyang.teaching.blindset.BlindSet or None
        a1 only: the instructor's private blind set its blind passage comes from (never written for
        students but the passage's text), or None when the passage is a kit transcript.
    """

    assignment: str
    kind: str
    params: dict
    world: object = field(repr=False)
    data_seed: int = 0
    tag: str = "practice"
    blind: object = field(default=None, repr=False)

    @property
    def is_practice(self) -> bool:
        return self.kind == "practice"

    def public(self) -> dict:
        """What ``variant.json`` holds: the question parameters, no truth, no secret."""
        return {"assignment": self.assignment, "variant": self.kind, "tag": self.tag, "params": self.params}


# ------------------------------------------------------------------------------------------ secret
def inside_repository(path) -> Path | None:
    """The repository ``path`` lies in (or is), else None: nothing private (the course secret, a blind set)
    belongs in the checkout students clone.

    Examples
    --------
    >>> inside_repository("/") is None
    True
    """
    repo = Path(__file__).resolve().parents[3]
    path = Path(path).expanduser().resolve()
    return repo if (repo / ".git").exists() and (path == repo or repo in path.parents) else None


def load_secret(secret_file=None) -> bytes:
    """The course secret, from ``secret_file`` or else the ``CHAOYANG_COURSE_SECRET`` variable.

    Parameters
    ----------
    secret_file : path-like, optional
        A file holding the secret (surrounding whitespace ignored). It must lie outside the
        repository (students clone the repository).

    Returns
    -------
    bytes
        At least :data:`MIN_SECRET_BYTES` bytes.

    Raises
    ------
    VariantError
        No secret is set, the file is missing or inside the repository, or the secret is too short.

    Examples
    --------
    >>> import os
    >>> os.environ["CHAOYANG_COURSE_SECRET"] = "a long course secret, not this one"
    >>> len(load_secret()) >= 16
    True
    >>> del os.environ["CHAOYANG_COURSE_SECRET"]
    """
    if secret_file is not None:
        path = Path(secret_file).expanduser().resolve()
        repo = inside_repository(path)
        if repo is not None:
            raise VariantError(f"the secret file {path} lies inside the repository {repo}, which students can "
                               "clone; keep it elsewhere (e.g. ~/.config/chaoyang/course-secret)")
        if not path.is_file():
            raise VariantError(f"no secret file at {path}; write a long random string into it "
                               "(python -c 'import secrets; print(secrets.token_hex(32))' > FILE)")
        secret = path.read_bytes().strip()
        where = str(path)
    else:
        secret = os.environ.get(SECRET_ENV, "").strip().encode("utf-8")
        where = SECRET_ENV
        if not secret:
            raise VariantError(f"no course secret: set {SECRET_ENV} or pass --secret-file PATH (a file outside "
                               "the repository). Without a secret only the public practice variant exists, "
                               "and it cannot be graded (its answers are public).")
    if len(secret) < MIN_SECRET_BYTES:
        raise VariantError(f"the course secret in {where} has {len(secret)} bytes; use at least "
                           f"{MIN_SECRET_BYTES} (python -c 'import secrets; print(secrets.token_hex(32))')")
    return secret


def _scope(student_id: str | None, per_student: bool | None) -> str:
    if per_student is None:
        value = os.environ.get(SCOPE_ENV, "course").strip().lower() or "course"
        if value not in ("course", "student"):
            raise VariantError(f"{SCOPE_ENV} must be 'course' or 'student', got {value!r}")
        per_student = value == "student"
    if not per_student:
        return "course"
    if not isinstance(student_id, str) or not student_id.strip():
        raise VariantError("per-student variants need the student's identifier (a non-empty string)")
    return "student:" + student_id.strip()


def _check_assignment(assignment: str) -> str:
    if assignment not in ASSIGNMENTS:
        raise UnknownNameError(f"unknown assignment {assignment!r}; known assignments: {', '.join(ASSIGNMENTS)}")
    return assignment


# ------------------------------------------------------------------------------------------ derive
def derive(assignment: str, student_id: str | None, secret: bytes | None, *, per_student: bool | None = None,
           blind_set=None) -> Variant:
    """The variant of ``assignment`` for a course (or one student), or the practice variant.

    Parameters
    ----------
    assignment : str
        One of :data:`ASSIGNMENTS`.
    student_id : str or None
        The student's LMS identifier; used only for per-student variants.
    secret : bytes or None
        The course secret (:func:`load_secret`); None or empty gives the practice variant.
    per_student : bool, optional
        One variant per student; default from ``CHAOYANG_VARIANT_SCOPE`` ("course").
    blind_set : BlindSet or path-like, optional
        a1 only: the instructor's private blind set (:mod:`chaoyang.teaching.blindset`); default
        ``$CHAOYANG_BLIND_SET``, else none (the blind passage is a kit transcript, whose gold
        coding is public). The practice variant never uses one.

    Returns
    -------
    Variant

    Examples
    --------
    >>> a = derive("a6_simulation", "s1", b"0123456789abcdef0123")
    >>> b = derive("a6_simulation", "s2", b"0123456789abcdef0123")
    >>> a.params == b.params            # one variant for the course by default
    True
    >>> derive("a6_simulation", "s1", b"0123456789abcdef0123", per_student=True).params == a.params
    False
    """
    _check_assignment(assignment)
    if not secret:
        return Variant(assignment, "practice", json.loads(json.dumps(PRACTICE[assignment])), DEFAULT_WORLD,
                       PRACTICE_SEEDS.get(assignment, 0), "practice")
    if not isinstance(secret, (bytes, bytearray)):
        raise VariantError(f"the secret must be bytes (load_secret() returns them), got {type(secret).__name__}")
    scope = _scope(student_id, per_student)
    digest = hmac.new(bytes(secret), f"{assignment}\0{scope}".encode("utf-8"), hashlib.sha256).digest()
    rng = np.random.default_rng(int.from_bytes(digest, "big"))
    blind = None
    if assignment == "a1_grounded_coding":
        from chaoyang.teaching.blindset import resolve

        blind = resolve(blind_set)
    # A variant built on a blind set gets its own tag: the graders' caches and the student's
    # variant.json then tell the two apart.
    tag = hashlib.sha256(b"tag" + digest + (blind.digest.encode() if blind else b"")).hexdigest()[:8]
    data_seed = int(rng.integers(100_000, 2**31 - 1))
    world = _variant_world(rng) if assignment != "a1_grounded_coding" else DEFAULT_WORLD
    if assignment == "a1_grounded_coding":
        # The blind-set passage is drawn from its own secret-derived stream, so that the other
        # questions of the course's variant are the same with and without a blind set.
        pick = np.random.default_rng(int.from_bytes(hashlib.sha256(b"blind" + digest).digest(), "big"))
        params = _a1(rng, blind, pick)
    else:
        params = _PARAMS[assignment](rng)
    return Variant(assignment, "student" if scope != "course" else "course", params, world, data_seed, tag, blind)


def _variant_world(rng: np.random.Generator):
    """A copy of the book's world with loadings, paths and participation moved within RANGES."""
    lo, hi = RANGES["world"]["loading shift"]
    loadings = {k: float(np.clip(round(v + rng.uniform(lo, hi), 3), *LOADING_CLIP))
                for k, v in DEFAULT_WORLD.loadings.items()}
    lo, hi = RANGES["world"]["path factor"]
    paths = {k: round(v * rng.uniform(lo, hi), 3) for k, v in DEFAULT_WORLD.paths.items()}
    lo, hi = RANGES["world"]["participation intercept shift"]
    plo, phi = RANGES["world"]["participation party coefficient"]
    participation = {form: {**coef, "intercept": round(coef["intercept"] + rng.uniform(lo, hi), 3),
                            "party": round(rng.uniform(plo, phi), 3)}
                     for form, coef in DEFAULT_WORLD.participation.items()}
    return DEFAULT_WORLD.replace(loadings=loadings, paths=paths, participation=participation,
                                 name="Chaoyang (an assignment variant)")


def _answers(doc) -> list[int]:
    return sorted({t["answer"] for t in doc["turns"] if t["speaker"] == "interviewee"})


def _coded_windows(doc, coding) -> list[int]:
    """Starts of the 6-answer windows of a blind-set passage holding at least one coded sentence."""
    from chaoyang.data import load
    from chaoyang.teaching.checks.a1 import reference_labels, sentence_units

    category = {c["id"]: c["category"] for c in load("codebook")["codes"]}
    answers = _answers(doc)
    units = sentence_units(doc)
    coded = {a for a, label in zip(units["answer"], reference_labels(units, coding, category)) if label != "NONE"}
    return [i for i in range(len(answers) - 6 + 1) if coded & set(answers[i:i + 6])]


def _a1(rng, blind_set=None, pick=None):
    from chaoyang.data import load

    answers = {doc["id"]: _answers(doc) for doc in load("interviews")}
    blind = str(rng.choice(RANGES["a1_grounded_coding"]["blind_transcript"]))
    start = int(rng.integers(0, len(answers[blind]) - 6 + 1))
    if blind_set is not None:
        # Only windows with a coded sentence, so that kappa is defined (load_blind_set ensures one).
        blind = str(blind_set.ids[int(pick.integers(0, len(blind_set.ids)))])
        doc = blind_set.passages[blind]
        answers = {blind: _answers(doc)}
        windows = _coded_windows(doc, blind_set.coding)
        start = windows[int(pick.integers(0, len(windows)))]
    label_pool = [f"T{i:02d}" for i in range(1, 25) if f"T{i:02d}" not in _SECOND_CODED and i != 3]
    kappa_pool = [t for t in _SECOND_CODED if t != "T12"]
    return {"label_transcript": str(rng.choice(label_pool)), "kappa_transcript": str(rng.choice(kappa_pool)),
            "blind_transcript": blind, "blind_answers": [int(a) for a in answers[blind][start:start + 6]],
            "kappa_min": 0.60}


def _reverse_set(constructs):
    return sorted(i.column for c in constructs for i in items_of(c) if i.reverse)


def _a2(rng):
    practice = PRACTICE["a2_measurement"]["constructs"]
    while True:
        chosen = sorted(rng.choice(len(_ATTITUDES), 4, replace=False))
        constructs = [_ATTITUDES[i] for i in chosen] + ["WIL"]
        # Different reverse-keyed items too, so that no answer of the practice set carries over.
        if constructs != practice and _reverse_set(constructs) != _reverse_set(practice):
            return {"constructs": constructs, "ave_min": 0.5}


def _a3(rng):
    from chaoyang.world import PATHWAYS

    pathway = str(rng.choice(RANGES["a3_mediation"]["pathway"]))
    spec = PATHWAYS[pathway]
    return {"pathway": pathway, "driver": spec["driver"], "mediators": list(spec["mediators"]), "outcome": "WIL",
            "n_boot": 200, "seed": int(rng.integers(*RANGES["a3_mediation"]["seed"]))}


def _a4(rng):
    return {"often_from": int(rng.choice([3, 5])), "group": dict(_GROUPS[int(rng.integers(len(_GROUPS)))])}


def _a5(rng):
    r = RANGES["a5_fsqca"]
    pri = round(float(rng.uniform(*r["pri_cut"])), 2)
    return {"conditions": ["BEL", "CLO", "BID", "EE", "RES"], "outcome": "WIL",
            "anchors": {"exclusion": round(float(rng.uniform(*r["exclusion"])), 2),
                        "crossover": round(float(rng.uniform(*r["crossover"])), 2),
                        "inclusion": round(float(rng.uniform(*r["inclusion"])), 2)},
            "incl_cut": round(float(rng.uniform(*r["incl_cut"])), 2), "n_cut": int(rng.integers(r["n_cut"][0], r["n_cut"][1] + 1)),
            "pri_cut": pri, "pri_cut_strict": round(pri + float(rng.uniform(0.02, 0.06)), 2),
            "directions": "BEL, CLO, BID, EE, RES", "necessity_cut": 0.9}


def _a6(rng):
    from chaoyang.sim.game import MobilizationGame

    r = RANGES["a6_simulation"]
    while True:
        game = {"subsidy": round(float(rng.uniform(*r["subsidy"])), 2),
                "value_emotional": round(float(rng.uniform(*r["value_emotional"])), 2)}
        if game == PRACTICE["a6_simulation"]["game"]:
            continue
        rest = MobilizationGame(**game).equilibria()
        inside = rest[rest["kind"] == "interior"]
        # The question asks for the interior rest point: keep payoffs that have one, safely inside.
        if len(inside) == 1 and all(0.05 < float(inside.iloc[0][k]) < 0.95 for k in ("x", "y")):
            break
    stop = int(rng.integers(r["stop_day"][0] // 10, r["stop_day"][1] // 10 + 1)) * 10
    strong = round(float(rng.choice(np.arange(6, 17) / 10)), 1)
    return {"seed": int(rng.integers(*r["seed"])), "n_residents": 600, "steps": 240, "window": 30,
            "stop_day": stop, "crowding_values": [0.0, strong], "game": game}


_PARAMS = {"a1_grounded_coding": _a1, "a2_measurement": _a2, "a3_mediation": _a3, "a4_participation": _a4,
           "a5_fsqca": _a5, "a6_simulation": _a6}


# ------------------------------------------------------------------------------------------ files
def survey_csv(variant: Variant) -> str:
    """The variant's survey as CSV text (what ``data/survey.csv`` holds)."""
    from chaoyang.data import generate_survey

    survey, _ = generate_survey(*SURVEY_SIZE, seed=variant.data_seed, world=variant.world)
    return survey.to_csv(index=False)


def read_survey(source):
    """Read ``data/survey.csv`` (a path or CSV text) exactly as the notebooks and the grader do."""
    import io

    import pandas as pd

    if isinstance(source, str) and "\n" in source:
        return pd.read_csv(io.StringIO(source))
    return pd.read_csv(source)


def gold_without_holdouts():
    """The gold coding minus the hold-out transcripts (T25-T28), which a1 asks students to code blind."""
    from chaoyang.data import load

    holdouts = {doc["id"] for doc in load("interviews") if doc.get("holdout")}
    gold = load("coding_gold")
    return gold[~gold["document"].isin(holdouts)].reset_index(drop=True)


def write_files(variant: Variant, dest) -> dict[str, Path]:
    """Write the variant's student files into ``dest`` (created); return relative name -> path.

    For a1 with a private blind set, ``blind_passage.json`` holds the passage's id, text and turns
    (:meth:`chaoyang.teaching.blindset.BlindSet.public_passage`), never its coding.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    files = {"variant.json": dest / "variant.json"}
    files["variant.json"].write_text(json.dumps(variant.public(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if variant.assignment in ("a2_measurement", "a3_mediation", "a4_participation", "a5_fsqca"):
        files["survey.csv"] = dest / "survey.csv"
        files["survey.csv"].write_text(survey_csv(variant), encoding="utf-8")
    if variant.assignment == "a1_grounded_coding":
        files["coding_gold.csv"] = dest / "coding_gold.csv"
        gold_without_holdouts().to_csv(files["coding_gold.csv"], index=False)
        if variant.blind is not None:
            files["blind_passage.json"] = dest / "blind_passage.json"
            passage = variant.blind.public_passage(variant.params["blind_transcript"])
            files["blind_passage.json"].write_text(json.dumps(passage, indent=1, ensure_ascii=False) + "\n",
                                                   encoding="utf-8")
    return files


def student_files(assignment: str, student_id: str, secret: bytes, dest: Path, *,
                  per_student: bool | None = None, blind_set=None) -> dict[str, Path]:
    """Write the files a student's notebook reads (``variant.json`` and data) into ``dest``.

    Parameters
    ----------
    assignment : str
    student_id : str
        The student's identifier (decides the variant only for per-student variants).
    secret : bytes or None
        The course secret; None gives the practice variant.
    dest : Path
        Folder to write into (the notebook's ``data/``); created if missing.
    per_student : bool, optional
        Default from ``CHAOYANG_VARIANT_SCOPE``.
    blind_set : BlindSet or path-like, optional
        a1's private blind set (default ``$CHAOYANG_BLIND_SET``); see :func:`derive`.

    Returns
    -------
    dict
        Relative file name -> written path.

    Examples
    --------
    >>> import tempfile, json
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = student_files("a6_simulation", "s1", None, Path(tmp))
    ...     json.loads(files["variant.json"].read_text())["params"]["seed"]
    9106
    """
    variant = derive(assignment, student_id, secret, per_student=per_student, blind_set=blind_set)
    return write_files(variant, dest)


def open_variant(assignment: str, folder="data"):
    """What a student's notebook calls first: its data folder and its question parameters.

    Parameters
    ----------
    assignment : str
    folder : path-like, default "data"
        The folder next to the notebook holding ``variant.json`` and the data files (the
        instructor's build and the grading sandbox put them there).

    Returns
    -------
    (Path, dict)
        The data folder and the question parameters. Without ``folder/variant.json`` the public
        practice variant's files are written to a fresh temporary folder (self-study; a note
        says so): a course's notebooks always come with their ``data/``.

    Examples
    --------
    >>> data, params = open_variant("a4_participation", "no-such-folder")  # doctest: +ELLIPSIS
    No no-such-folder/variant.json here: using the public practice variant...
    >>> params["often_from"], (data / "survey.csv").is_file()
    (4, True)
    """
    import tempfile

    folder = Path(folder)
    if (folder / "variant.json").is_file():
        payload = json.loads((folder / "variant.json").read_text(encoding="utf-8"))
        if payload.get("assignment") != assignment:
            raise VariantError(f"{folder / 'variant.json'} belongs to {payload.get('assignment')!r}, not {assignment!r}; "
                               "use the data folder that came with this assignment")
        return folder, payload["params"]
    target = Path(tempfile.mkdtemp(prefix=f"chaoyang-practice-{assignment}-"))
    write_files(derive(assignment, "practice", None), target)
    print(f"No {folder.as_posix()}/variant.json here: using the public practice variant (self-study; its worked "
          f"example is the public master). A course's assignment comes with its own data/ folder.")
    return target, json.loads((target / "variant.json").read_text(encoding="utf-8"))["params"]


def ranges_markdown() -> str:
    """The table of :data:`RANGES` as Markdown (the instructor guide prints it; a test keeps them equal).

    Examples
    --------
    >>> ranges_markdown().splitlines()[0]
    '| what | varies within |'
    """
    def show(value):
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
            return f"{value[0]} to {value[1]}"
        if isinstance(value, tuple):
            return ", ".join(str(v) for v in value)
        return str(value)

    rows = ["| what | varies within |", "|---|---|"]
    for key, value in RANGES["world"].items():
        rows.append(f"| world: {key} | {show(value)} |")
    rows.append(f"| world: loadings after the shift | {LOADING_CLIP[0]} to {LOADING_CLIP[1]} |")
    for assignment in ASSIGNMENTS:
        for key, value in RANGES[assignment].items():
            rows.append(f"| `{assignment}`: {key} | {show(value)} |")
    return "\n".join(rows)
