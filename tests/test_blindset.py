"""An instructor-private blind set for a1 (issue #14): validation, variants, what students get, grading.

The blind set's worked example (``blindset.write_template``) is the fixture; its reference labels
are written out by hand below from the sentences of the passage and the codes of its coding (an
independent reference for the checks' overlap rule). The sandbox tests are in
``tests/test_blindset_grading.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from chaoyang.data import load
from chaoyang.teaching import blindset, checks, variants
from chaoyang.teaching.blindset import BlindSetError, load_blind_set, passage_from_pairs, write_template
from chaoyang.teaching.checks.a1 import sentence_units
from chaoyang.teaching.checks.common import Context
from chaoyang.teaching.variants import derive, student_files

SECRET = b"test secret of the blind set tests 0123"
SECRETS = [SECRET + bytes([i]) for i in range(25)]
A1 = "a1_grounded_coding"
REPO = Path(variants.__file__).resolve().parents[3]

#: The worked example's 17 sentences and, by hand, the category of the code marking each (NONE: not coded).
EXAMPLE_LABELS = ["NONE", "BELONGING", "POLICE_ACTION", "NONE", "CLOSENESS", "BRAND_SPREAD", "NONE", "NONE",
                  "BRAND_SPREAD", "BRAND_IDENTITY", "RESPONSIBILITY", "COUNTER", "COUNTER", "COUNTER", "NONE",
                  "EMOTIONAL_ENERGY", "EMOTIONAL_ENERGY"]
#: An honest coder: two sentences read differently (the officer's visit; chatting with the aunties).
HONEST = EXAMPLE_LABELS[:3] + ["POLICE_ACTION"] + EXAMPLE_LABELS[4:7] + ["BELONGING"] + EXAMPLE_LABELS[8:]


@pytest.fixture(autouse=True)
def _no_blind_set_in_the_environment(monkeypatch):
    monkeypatch.delenv(blindset.BLIND_SET_ENV, raising=False)


@pytest.fixture
def example(tmp_path):
    return write_template(tmp_path / "blind")


def _write(folder: Path, docs, coding: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "passages.json").write_text(json.dumps(docs), encoding="utf-8")
    coding.to_csv(folder / "coding.csv", index=False)
    return folder


def _two_passages(folder: Path) -> Path:
    """The worked example plus a second passage of nine answers (several 6-answer windows)."""
    docs = json.loads((write_template(folder / "tmpl") / "passages.json").read_text())
    coding = pd.read_csv(folder / "tmpl" / "coding.csv")
    pairs = [(f"Question {i}?", f"Answer number {i} is plain. Nothing else happened on day {i}.") for i in range(9)]
    pairs[1] = ("And the police?", "The officer knows my name. Nothing else happened on day 1.")
    pairs[7] = ("And the brand?", "I wear the vest with the logo. Nothing else happened on day 7.")
    doc, extra = passage_from_pairs("X02", pairs, [(1, "The officer knows my name.", "CL_PERSONAL"),
                                                   (7, "I wear the vest with the logo.", "BS_SYMBOL")])
    return _write(folder / "set", docs + [doc], pd.concat([coding, extra], ignore_index=True))


# ------------------------------------------------------------------------------------------ the worked example
def test_the_worked_example_is_valid_and_its_reference_is_the_hand_coding(example):
    blind = load_blind_set(example)
    assert blind.ids == ["X01"] and blind.path == example.resolve()
    doc = blind.passages["X01"]
    units = sentence_units(doc)
    assert len(units) == len(EXAMPLE_LABELS) == 17
    v = derive(A1, "s1", SECRET, blind_set=blind)
    assert v.params["blind_transcript"] == "X01" and v.params["blind_answers"] == [0, 1, 2, 3, 4, 5]
    assert checks.a1.ref(Context(v))["blind_gold"] == EXAMPLE_LABELS
    readme = (example / "README.md").read_text()
    assert "public worked example" in readme and "outside the repository" in readme


def test_template_refuses_a_used_folder_and_the_repository(example, tmp_path):
    with pytest.raises(BlindSetError, match="not an empty folder"):
        write_template(example)
    with pytest.raises(BlindSetError, match="inside the repository"):
        write_template(REPO / "_build" / "blind-set-here")
    assert not (REPO / "_build" / "blind-set-here").exists()


# ------------------------------------------------------------------------------------------ validation
def _edit_passages(edit):
    def apply(folder):
        docs = json.loads((folder / "passages.json").read_text())
        edit(docs)
        (folder / "passages.json").write_text(json.dumps(docs))
    return apply


def _edit_coding(edit):
    def apply(folder):
        rows = pd.read_csv(folder / "coding.csv", dtype=str)
        rows = edit(rows)
        rows.to_csv(folder / "coding.csv", index=False)
    return apply


def _write_text(name, text):
    return lambda folder: (folder / name).write_text(text)


def _kit_answer(docs):
    t27 = {d["id"]: d for d in load("interviews")}["T27"]
    turn = next(t for t in t27["turns"] if t["speaker"] == "interviewee")
    own = next(t for t in docs[0]["turns"] if t["speaker"] == "interviewee")
    copied = t27["text"][turn["start"]:turn["end"]]
    docs[0]["text"] = docs[0]["text"][:own["start"]] + copied + docs[0]["text"][own["end"]:]
    shift = len(copied) - (own["end"] - own["start"])
    for t in docs[0]["turns"]:
        if t["start"] > own["start"]:
            t["start"] += shift
        if t["end"] >= own["end"]:
            t["end"] += shift


BAD = {
    "passages.json missing": (lambda f: (f / "passages.json").unlink(), r"passages\.json is missing"),
    "coding.csv missing": (lambda f: (f / "coding.csv").unlink(), r"coding\.csv is missing"),
    "not JSON": (_write_text("passages.json", "[{'id': 'X01'"), r"passages\.json is not UTF-8 JSON"),
    "not a list": (_write_text("passages.json", '{"id": "X01"}'), r"must hold a JSON list of passages, got dict"),
    "empty set": (_write_text("passages.json", "[]"), r"holds no passage: the blind set is empty"),
    "no text": (_edit_passages(lambda d: d[0].pop("text")), r"passage 1 has no 'text'"),
    "id of the kit": (_edit_passages(lambda d: d[0].update(id="T05")), r"'T05': the id clashes with a transcript of the kit"),
    "repeated id": (_edit_passages(lambda d: d.append(dict(d[0]))), r"the id 'X01' is used by two passages"),
    "turn outside the text": (_edit_passages(lambda d: d[0]["turns"][-1].update(end=10**6)),
                              r"'X01', turn 11: start \d+, end 1000000 lie outside the text \(0 to \d+ characters\)"),
    "bad speaker": (_edit_passages(lambda d: d[0]["turns"][0].update(speaker="moderator")),
                    r"turn 0: speaker must be 'interviewer' or 'interviewee', got 'moderator'"),
    "too few answers": (_edit_passages(lambda d: d[0].update(turns=d[0]["turns"][:6])),
                        r"'X01' has 3 interviewee answers; .* at least 6"),
    "text of the kit": (_edit_passages(_kit_answer), r"'X01', answer 0: this text also appears in the kit's transcript T27"),
    "unknown code": (_edit_coding(lambda r: r.assign(code=r["code"].where(r.index != 2, "BRAND_LOVE"))),
                     r"coding\.csv, line 4: code 'BRAND_LOVE' is not an open code of the kit's codebook"),
    "unknown document": (_edit_coding(lambda r: r.assign(document=r["document"].where(r.index != 0, "X99"))),
                         r"coding\.csv, line 2: document 'X99' is not a passage of passages\.json \(X01\)"),
    "offsets outside the text": (_edit_coding(lambda r: r.assign(end=r["end"].where(r.index != 1, "99999"))),
                                 r"coding\.csv, line 3: start \d+, end 99999 lie outside the text of X01"),
    "offsets not numbers": (_edit_coding(lambda r: r.assign(start=r["start"].where(r.index != 0, "ten"))),
                            r"coding\.csv, line 2: start 'ten' and end '\d+' must be whole numbers"),
    "missing column": (_edit_coding(lambda r: r.drop(columns=["code"])), r"coding\.csv lacks the column\(s\) code"),
    "no rows": (_edit_coding(lambda r: r.iloc[:0]), r"coding\.csv has no rows"),
    "passage not coded": (_edit_coding(lambda r: r.assign(start="0", end="2")),
                          r"passage 'X01' has no coded sentence of the interviewee"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_input_is_a_clear_error_naming_file_row_and_value(case, example):
    edit, message = BAD[case]
    edit(example)
    with pytest.raises(BlindSetError, match=message) as caught:
        load_blind_set(example)
    assert str(example.resolve()) in str(caught.value)


def test_a_missing_folder_and_the_repository_are_refused(tmp_path):
    with pytest.raises(BlindSetError, match="no blind set folder at"):
        load_blind_set(tmp_path / "nothing")
    with pytest.raises(BlindSetError, match="lies inside the repository"):
        load_blind_set(REPO / "exercises")


def test_command_line_check_and_template(tmp_path, capsys):
    assert blindset.main(["template", str(tmp_path / "b")]) == 0
    assert blindset.main(["check", str(tmp_path / "b")]) == 0
    assert "1 passage(s), 12 coded segment(s)" in capsys.readouterr().out
    (tmp_path / "b" / "coding.csv").write_text("document,start,end,code\nX01,0,5,NOPE\n")
    assert blindset.main(["check", str(tmp_path / "b")]) == 2
    assert "code 'NOPE'" in capsys.readouterr().err


def test_the_environment_variable_names_the_set(example, monkeypatch):
    monkeypatch.setenv(blindset.BLIND_SET_ENV, str(example))
    assert derive(A1, "s1", SECRET).params["blind_transcript"] == "X01"
    assert derive(A1, "s1", None).params == variants.PRACTICE[A1]      # the practice variant never uses one
    monkeypatch.setenv(blindset.BLIND_SET_ENV, str(example / "missing"))
    with pytest.raises(BlindSetError, match="no blind set folder"):
        derive(A1, "s1", SECRET)


# ------------------------------------------------------------------------------------------ variants
def test_the_passage_is_secret_derived_deterministic_and_leaves_the_other_questions(tmp_path):
    from chaoyang.teaching.checks.a1 import reference_labels

    blind = load_blind_set(_two_passages(tmp_path))
    category = {c["id"]: c["category"] for c in load("codebook")["codes"]}
    chosen = []
    for secret in SECRETS:
        with_set = derive(A1, "s", secret, blind_set=blind)
        again = derive(A1, "s", secret, blind_set=_two_passages(tmp_path / str(secret[-1])))  # read afresh
        kit = derive(A1, "s", secret)
        assert with_set.params == again.params and with_set.tag == again.tag
        assert with_set.tag != kit.tag
        p = with_set.params
        assert {k: v for k, v in p.items() if not k.startswith("blind")} == \
               {k: v for k, v in kit.params.items() if not k.startswith("blind")}
        doc = blind.passages[p["blind_transcript"]]
        answers = sorted({t["answer"] for t in doc["turns"] if t["speaker"] == "interviewee"})
        start = answers.index(p["blind_answers"][0])
        assert p["blind_answers"] == answers[start:start + 6]
        # the window holds a coded sentence, so kappa is defined
        units = sentence_units(doc, answers=p["blind_answers"])
        assert set(reference_labels(units, blind.coding, category)) != {"NONE"}
        chosen.append((p["blind_transcript"], p["blind_answers"][0]))
    assert {c[0] for c in chosen} == {"X01", "X02"}
    assert len({c for c in chosen if c[0] == "X02"}) > 1


def test_the_student_folder_has_the_passage_text_and_none_of_its_codes(example, tmp_path):
    files = student_files(A1, "s1", SECRET, tmp_path / "data", blind_set=example)
    assert sorted(files) == ["blind_passage.json", "coding_gold.csv", "variant.json"]
    passage = json.loads(files["blind_passage.json"].read_text())
    blind = load_blind_set(example)
    assert set(passage) == {"id", "text", "turns"} and passage["text"] == blind.passages["X01"]["text"]
    assert all(set(t) == {"speaker", "answer", "start", "end"} for t in passage["turns"])
    gold = pd.read_csv(files["coding_gold.csv"])
    assert "X01" not in set(gold["document"])
    private_codes = set(blind.coding["code"])
    spans = {f"{s},{e}" for s, e in zip(blind.coding["start"], blind.coding["end"])}
    for name in ("blind_passage.json", "variant.json"):
        text = files[name].read_text()
        assert not any(code in text for code in private_codes), name
    for path in files.values():
        text = path.read_text()
        assert not any(span in text for span in spans), path.name
    assert "coding.csv" not in " ".join(p.name for p in (tmp_path / "data").iterdir())


def test_the_notebook_reads_the_passage_from_data(example, tmp_path, monkeypatch):
    """The master's code cells that set up the passage, run on a student folder with a blind-set passage."""
    student_files(A1, "s1", SECRET, tmp_path / "data", blind_set=example)
    nb = json.loads((REPO / "exercises" / A1 / f"{A1}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    setup = [c for c in code if "open_variant(" in c or "passage_units = " in c]
    assert len(setup) == 2
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for cell in setup:
        exec(compile(cell, "<cell>", "exec"), namespace)  # noqa: S102 - the kit's own master
    units = namespace["passage_units"]
    assert units["document"].unique().tolist() == ["X01"] and len(units) == 17
    assert units["text"].iloc[1] == "I know every stairwell here."
    # and without data/: the practice variant's kit transcript, as before
    monkeypatch.chdir(tmp_path / "data")
    namespace = {}
    for cell in setup:
        exec(compile(cell, "<cell>", "exec"), namespace)  # noqa: S102
    assert namespace["passage_units"]["document"].unique().tolist() == [variants.PRACTICE[A1]["blind_transcript"]]


# ------------------------------------------------------------------------------------------ grading
def _q4(grades):
    q4 = next(g for g in grades if g.question == "q4")
    return q4.points, [c for c in q4.checks if c.hidden][0].passed


def test_an_honest_coding_of_the_worked_example_scores_full_points(example):
    grades = checks.grade_answers(A1, {"my_labels": HONEST}, student_id="s1", secret=SECRET, blind_set=example)
    assert _q4(grades) == (4.0, True)
    grades = checks.grade_answers(A1, {"my_labels": ["NONE"] * 16 + ["COUNTER"]}, student_id="s1", secret=SECRET,
                                  blind_set=example)
    assert _q4(grades) == (0.0, False)


def test_copying_the_public_gold_earns_nothing_on_q4_with_a_private_set(example):
    """What a student can copy from the kit: the gold labels of the passage the course variant would name without
    a set, and of every hold-out transcript, cut or padded to the passage's 17 sentences."""
    from chaoyang.teaching.checks.a1 import reference_labels

    gold, codebook = load("coding_gold"), load("codebook")
    category = {c["id"]: c["category"] for c in codebook["codes"]}
    docs = {d["id"]: d for d in load("interviews")}
    kit = derive(A1, "s1", SECRET).params
    copies = [reference_labels(sentence_units(docs[kit["blind_transcript"]], answers=kit["blind_answers"]), gold,
                               category)]
    for holdout in ("T25", "T26", "T27", "T28"):
        copies.append(reference_labels(sentence_units(docs[holdout]), gold, category))
    for labels in copies:
        fitted = (labels * 17)[:17]
        grades = checks.grade_answers(A1, {"my_labels": fitted}, student_id="s1", secret=SECRET, blind_set=example)
        assert _q4(grades) == (0.0, False), labels[:17]
    # the same copy scores full points without the set: the private set is what makes it worthless
    grades = checks.grade_answers(A1, {"my_labels": copies[0]}, student_id="s1", secret=SECRET)
    assert _q4(grades) == (4.0, True)


def test_grading_without_a_set_marks_every_a1_row_public(tmp_path):
    from datetime import datetime, timezone

    from chaoyang.teaching.gradebook import read_gradebook, write_run
    from chaoyang.teaching.records import Submission, SubmissionGrade

    grades = [SubmissionGrade(Submission(sid, "", None), tuple(checks.grade_answers(
        A1, {}, student_id=sid, secret=SECRET)), None) for sid in ("1", "2")]
    now = datetime(2026, 12, 3, 12, tzinfo=timezone.utc)
    run = write_run(grades, tmp_path, assignment=A1, now=now, blind_gold="public")
    rows = read_gradebook(run / "gradebook.csv")
    assert len(rows) == 8 and {r["blind_gold"] for r in rows} == {"public"}
    assert json.loads((run / "run.json").read_text())["blind_gold"] == "public"
    other = write_run(grades, tmp_path, assignment="a2_measurement", now=now)
    assert {r["blind_gold"] for r in read_gradebook(other / "gradebook.csv")} == {""}
    with pytest.raises(Exception, match="blind_gold='secret'"):
        write_run(grades, tmp_path, assignment=A1, blind_gold="secret")


def test_the_messages_name_the_risk_and_the_remedy():
    assert re.search(r"gold coding is public", blindset.PUBLIC_GOLD)
    assert "blindset template" in blindset.PUBLIC_GOLD and blindset.BLIND_SET_ENV in blindset.PUBLIC_GOLD


# ------------------------------------------------------------------------------------------ building
def test_the_built_student_folder_and_lms_zip_carry_the_passage_and_no_coding(example, tmp_path):
    import zipfile

    from chaoyang.teaching import assignments

    folder = assignments.build_one(assignments.get(A1), tmp_path / "build", run_tests=False, secret=SECRET,
                                   blind_set=example)
    data = folder / "student" / "data"
    assert sorted(p.name for p in data.iterdir()) == ["blind_passage.json", "coding_gold.csv", "variant.json"]
    assert json.loads((data / "variant.json").read_text())["params"]["blind_transcript"] == "X01"
    codes = set(load_blind_set(example).coding["code"])
    with zipfile.ZipFile(tmp_path / "build" / f"{A1}.zip") as archive:
        names = archive.namelist()
        assert f"{A1}/data/blind_passage.json" in names
        passage = archive.read(f"{A1}/data/blind_passage.json").decode()
    assert "X01" in passage and not any(code in passage for code in codes)


def test_the_build_command_refuses_a_bad_set_before_building(tmp_path, monkeypatch, capsys):
    from chaoyang.teaching import assignments

    monkeypatch.setenv(variants.SECRET_ENV, SECRET.decode())
    monkeypatch.delenv(variants.SCOPE_ENV, raising=False)
    code = assignments.main(["build", "--only", A1, "--out", str(tmp_path / "out"), "--no-wheel",
                             "--blind-set", str(tmp_path / "missing")])
    assert code == 2 and "no blind set folder at" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_grader_check_in_the_students_notebook_needs_no_coding(example, tmp_path, monkeypatch):
    """grader.check("q4") with a blind-set passage: the shape check counts the passage's sentences from
    data/blind_passage.json; the correctness check waits for the instructor."""
    monkeypatch.delenv(variants.SECRET_ENV, raising=False)
    student_files(A1, "s1", SECRET, tmp_path / "data", blind_set=example)
    monkeypatch.chdir(tmp_path)
    grader = checks.StudentChecks(A1)
    assert grader.check("q4", {"my_labels": HONEST}).passed
    report = grader.check("q4", {"my_labels": HONEST[:-1]})
    assert not report.passed and "one label per unit" in repr(report)
    with pytest.raises(AssertionError, match="when your teacher grades"):
        checks.otter_check(A1, "q4", {"my_labels": HONEST}, hidden=True)
