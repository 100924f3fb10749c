"""Autograded assignments: solutions score full marks, stubs score zero, nothing leaks, grading is safe.

Each assignment is built once per session with ``otter assign`` into a temporary folder (never the
repository's ``_build``), then graded with ``otter run`` through :mod:`chaoyang.teaching.grading`. The
master's worked example (its solution cells) is also executed directly on the practice variant's
data (full marks from :func:`chaoyang.teaching.checks.grade_variant`) and on a secret variant's data
(under half the points: the public master is a worked example, not an answer key). The tests run in
one xdist worker (group "otter") because each runs notebooks in child processes.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from chaoyang.teaching import assignments, checks, grading, variants

pytestmark = pytest.mark.xdist_group("otter")

ASSIGNMENTS = assignments.discover()
NAMES = [a.name for a in ASSIGNMENTS]
REPO = assignments.REPO_ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every assignment built into a temporary folder: name -> folder."""
    out = tmp_path_factory.mktemp("assignments")
    return {a.name: assignments.build_one(a, out, run_tests=False) for a in ASSIGNMENTS}


def _grade(notebooks: dict[str, nbformat.NotebookNode], zip_path: Path, folder: Path, timeout=300):
    folder.mkdir(parents=True, exist_ok=True)
    for student, nb in notebooks.items():
        nbformat.write(nb, folder / f"{student}.ipynb")
    rows = grading.grade_folder("x", folder, folder.parent / f"{folder.name}.csv", timeout=timeout,
                                zip_path=zip_path, progress=None)
    return rows


def test_there_are_six_assignments():
    assert len(NAMES) >= 6, f"expected at least six assignments, found {NAMES}"
    assert {"a5_fsqca", "a6_simulation"} <= set(NAMES), "the fsQCA and simulation assignments are missing"


def test_every_assignment_has_a_readme():
    for a in ASSIGNMENTS:
        text = a.readme.read_text(encoding="utf-8")
        for heading in ("Learning objectives", "Prerequisites", "Time", "Points", "rubric"):
            assert heading.lower() in text.lower(), f"{a.readme} lacks a section on {heading!r}"


@pytest.mark.parametrize("name", NAMES)
def test_master_is_stored_clean_and_starts_with_check_env(name):
    nb = nbformat.read(assignments.get(name).master, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.strip() == "import chaoyang; chaoyang.check_env()"
    assert all(c.outputs == [] and c.execution_count is None for c in code), "store the master without outputs"
    questions = [c for c in nb.cells if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
    manual = [q for q in questions if "manual: true" in q.source]
    assert len(questions) >= 5, f"{name} has {len(questions)} questions; at least 5 needed"
    assert manual and len(manual) < len(questions), f"{name} must mix autograded and rubric questions"


@pytest.mark.parametrize("name", NAMES)
def test_solution_full_marks_and_student_stub_zero(name, built, tmp_path):
    folder = built[name]
    zip_path = folder / "autograder" / "autograder.zip"
    questions = grading.autograded_questions(zip_path)
    assert len(questions) >= 3
    solution = nbformat.read(folder / "autograder" / f"{name}.ipynb", as_version=4)
    student = nbformat.read(folder / "student" / f"{name}.ipynb", as_version=4)
    rows = _grade({"solution": solution, "stub": student}, zip_path, tmp_path / "subs")
    by_student = {}
    for row in rows:
        by_student.setdefault(row["student"], {})[row["question"]] = (row["points"], row["possible"], row["error"])
    for question, (points, possible, error) in by_student["solution"].items():
        assert error == "" and points == possible, f"{name} solution scores {points}/{possible} on {question}"
    for question, (points, possible, error) in by_student["stub"].items():
        assert points == 0, f"{name}: the untouched student notebook gets {points} free point(s) on {question}"


@pytest.mark.parametrize("name", NAMES)
def test_student_build_has_no_solution(name, built):
    secrets = assignments.secret_lines(assignments.get(name).master)
    assert len(secrets) >= 5, "the scanner found almost no solution lines; is the master marked up?"
    folder = built[name]
    leaks = assignments.find_leaks([folder / "student", folder.parent / f"{name}.zip"], secrets)
    assert leaks == []
    # The scanner must be able to find a leak: the solution notebook is full of them.
    assert assignments.find_leaks([folder / "autograder" / f"{name}.ipynb"], secrets)


def test_book_sources_and_site_have_no_solution():
    leaks = assignments.scan_publication([REPO / "book", REPO / "notebooks", REPO / "_build" / "html"])
    assert leaks == [], f"solution lines in the book: {leaks[:5]}"


def test_leak_scanner_sees_through_html_and_notebook_json(tmp_path):
    master = assignments.get(NAMES[0]).master
    secret = sorted(assignments.secret_lines(master), key=len)[-1]
    (tmp_path / "page.html").write_text("<p>" + secret.replace('"', "&quot;").replace(" ", "\n ") + "</p>")
    assert assignments.find_leaks([tmp_path], {secret})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(secret)])
    nbformat.write(nb, tmp_path / "copy.ipynb")
    assert len(assignments.find_leaks([tmp_path], {secret})) == 2


def test_batch_grading_survives_crash_loop_and_deletion_and_leaves_folder_untouched(built, tmp_path):
    name = "a4_participation" if "a4_participation" in NAMES else NAMES[0]
    folder = built[name]
    zip_path = folder / "autograder" / "autograder.zip"
    solution = nbformat.read(folder / "autograder" / f"{name}.ipynb", as_version=4)
    blank = nbformat.read(folder / "student" / f"{name}.ipynb", as_version=4)
    crashing = copy.deepcopy(solution)
    crashing.cells.insert(2, nbformat.v4.new_code_cell(
        "import os, shutil\nfor f in os.listdir('.'):\n"
        "    shutil.rmtree(f, ignore_errors=True) if os.path.isdir(f) else os.remove(f)\n"
        "raise RuntimeError('student code crashed')"))
    looping = copy.deepcopy(solution)
    looping.cells.insert(2, nbformat.v4.new_code_cell("while True:\n    pass"))
    subs = tmp_path / "submissions"
    subs.mkdir()
    for student, nb in {"correct": solution, "blank": blank, "crash": crashing, "loop": looping}.items():
        nbformat.write(nb, subs / f"{student}.ipynb")
    (subs / "notes.txt").write_text("not a notebook; must be ignored and kept")
    before = grading.folder_digest(subs)
    out_csv = tmp_path / "gradebook.csv"
    done = subprocess.run([sys.executable, "-m", "chaoyang.teaching.grading", name, str(subs), "--out", str(out_csv),
                           "--timeout", "45", "--autograder", str(zip_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert grading.folder_digest(subs) == before, "the submissions folder changed during grading"
    import csv

    rows = list(csv.DictReader(out_csv.open()))
    questions = grading.autograded_questions(zip_path)
    full = sum(questions.values())
    assert len(rows) == 4 * len(questions)
    totals = {r["student"]: float(r["total"]) for r in rows}
    errors = {r["student"]: r["error"] for r in rows}
    assert totals == {"blank": 0.0, "correct": full, "crash": 0.0, "loop": 0.0}
    assert errors["correct"] == "" and errors["blank"] == ""
    assert "timeout" in errors["loop"]
    assert [r["student"] for r in rows] == sorted(r["student"] for r in rows)


def test_grading_reports_missing_autograder_and_empty_folder(tmp_path):
    with pytest.raises(grading.GradingError, match="make assignments"):
        grading.autograder_zip("no_such_assignment", build_dir=tmp_path)
    with pytest.raises(grading.GradingError, match="no .ipynb"):
        grading.grade_folder("x", tmp_path, zip_path=tmp_path / "a.zip")
    with pytest.raises(KeyError, match="known assignments"):
        assignments.get("no_such_assignment")


def test_autograded_questions_reads_points(tmp_path):
    archive = tmp_path / "ag.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("tests/q10.py", "OK_FORMAT = True\ntest = {'name': 'q10', 'points': 3, 'suites': []}\n")
        z.writestr("tests/q2.py", "OK_FORMAT = True\ntest = {'name': 'q2', 'points': 1.5, 'suites': []}\n")
    assert list(grading.autograded_questions(archive).items()) == [("q2", 1.5), ("q10", 3.0)]


# ------------------------------------------------------------------ the master's worked example on variants
SECRET = b"course secret of test_assignments 0123"


def _solution_only(master: Path) -> nbformat.NotebookNode:
    """The master's code cells minus its test cells: what a student copying the worked example would run."""
    nb = nbformat.read(master, as_version=4)
    kept, in_tests = [], False
    for cell in nb.cells:
        head = cell.source.strip().upper()
        if cell.cell_type == "raw":
            in_tests = head.startswith("# BEGIN TESTS") or (in_tests and not head.startswith("# END TESTS"))
            continue
        if cell.cell_type == "code" and not in_tests:
            kept.append(nbformat.v4.new_code_cell(cell.source))
    nb.cells = kept
    return nb


def _run_and_export(nb: nbformat.NotebookNode, folder: Path, names: list[str], *, allow_errors=False) -> dict:
    """Execute a notebook in ``folder`` and return its answers as the sandbox exports them (JSON values).

    With ``allow_errors`` every cell runs even after one fails (kinder to a copied worked example
    than a real run, which stops at the first error: a stronger test of "under half")."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json as _json\nfrom chaoyang.teaching.answers import encode_answers as _encode\n"
        f"print('ANSWERS=' + _json.dumps(_encode(globals(), {names!r})))"))
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(folder)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    return json.loads(text.split("ANSWERS=", 1)[1])


@pytest.mark.parametrize("name", NAMES)
def test_worked_example_full_marks_on_practice_and_under_half_on_a_variant(name, tmp_path):
    nb = _solution_only(assignments.get(name).master)
    names = checks.answer_names(name)
    results = {}
    for kind, secret in (("practice", None), ("variant", SECRET)):
        folder = tmp_path / kind
        files = variants.student_files(name, "student-1", secret, folder / "data")
        assert (folder / "data" / "variant.json").is_file() and files
        answers = _run_and_export(nb, folder, names, allow_errors=secret is not None)
        if secret is None:
            assert set(answers) == set(names), f"{name}: the worked example leaves {set(names) - set(answers)} undefined"
        grades = checks.grade_variant(name, answers, variants.derive(name, "student-1", secret))
        results[kind] = (sum(g.points for g in grades), sum(g.possible for g in grades))
    points, possible = results["practice"]
    assert points == possible > 0, f"{name}: the worked example scores {points}/{possible} on its own practice variant"
    points, possible = results["variant"]
    assert points < 0.5 * possible, f"{name}: the public worked example scores {points}/{possible} on a secret variant"


# ------------------------------------------------------------------ Colab, renamed copies, otter's artefacts
FAKE_COLAB = "google/colab/__init__.py"


def test_student_notebook_has_the_kits_install_line_and_no_otter_notebook(built):
    for name in NAMES:
        nb = nbformat.read(built[name] / "student" / f"{name}.ipynb", as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert assignments.colab_install_line() in code[0], "the first cell installs the kit (Colab)"
        assert f'grader = StudentChecks("{name}")' in code[1]
        assert not any("otter.Notebook(" in c for c in code), "otter.Notebook needs tests/ and the file name"


def test_student_notebook_runs_renamed_on_simulated_colab_with_its_variant(built, tmp_path):
    """Colab as otter detects it (``google.colab`` imported in the kernel), no tests/ folder, a renamed file."""
    name = "a4_participation" if "a4_participation" in NAMES else NAMES[0]
    folder = tmp_path / "content"  # Colab's working folder holds only what the student uploads
    variants.student_files(name, "student-1", SECRET, folder / "data")
    fake = tmp_path / "fake-site" / FAKE_COLAB
    fake.parent.mkdir(parents=True)
    fake.write_text("# stands in for Colab's module: otter and the kit's notebooks test for it\n")
    nb = nbformat.read(built[name] / "student" / f"{name}.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        f"import sys, os\nsys.path.insert(0, {str(fake.parents[2])!r})\nimport google.colab\n"
        "os.environ['COLAB_RELEASE_TAG'] = 'simulated'"))
    renamed = folder / f"Copy of {name}.ipynb"
    nbformat.write(nb, renamed)
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    checks_run = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
    assert len(checks_run) == len(checks.questions(name))
    shown = ["".join(o.get("data", {}).get("text/plain", "") for o in c.outputs) for c in checks_run]
    assert all(text.startswith("'q") or text.startswith("q") for text in shown), shown
    assert not (folder / "tests").exists()


@pytest.mark.slow
def test_otter_run_in_a_clean_virtualenv_from_the_zip_gives_the_solution_full_marks(tmp_path):
    """The autograder zip carries the kit's wheel and pinned requirements: a fresh venv built from it grades."""
    import os

    name = "a4_participation" if "a4_participation" in NAMES else NAMES[0]
    wheel = assignments.build_wheel(tmp_path / "wheel")
    folder = assignments.build_one(assignments.get(name), tmp_path / "build", run_tests=False, wheel=wheel)
    source = tmp_path / "source"
    with zipfile.ZipFile(folder / "autograder" / "autograder.zip") as archive:
        archive.extractall(source)
        names = archive.namelist()
    assert wheel.name in names and "requirements.txt" in names and "constraints.txt" in names
    import yaml

    environment = yaml.safe_load((source / "environment.yml").read_text())
    pip = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)][0]
    assert f"{assignments.GRADESCOPE_SOURCE}/{wheel.name}[full]" in pip
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "CHAOYANG_DATA", "MPLBACKEND",
                                                           "CHAOYANG_COURSE_SECRET"}}
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")  # no user kernelspec can point at another Python
    # environment.yml's pip list with Gradescope's /autograder/source replaced by the unpacked zip
    requirements = [line.replace(assignments.GRADESCOPE_SOURCE, str(source)) for line in pip]
    (tmp_path / "from-zip.txt").write_text("\n".join(requirements) + "\n")
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(tmp_path / "from-zip.txt")],
                             capture_output=True, text=True, env=env, timeout=2400, cwd=source)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / f"{name}.ipynb").write_bytes((folder / "autograder" / f"{name}.ipynb").read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    run = subprocess.run([str(venv / "bin" / "otter"), "run", "-a", str(folder / "autograder" / "autograder.zip"),
                          "-o", str(out), str(submission / f"{name}.ipynb")],
                         capture_output=True, text=True, env=env, timeout=1800, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    graded = [t for t in results["tests"] if "score" in t]  # otter adds a scoreless "Public Tests" summary
    score, possible = sum(t["score"] for t in graded), sum(t["max_score"] for t in graded)
    assert score == possible == sum(q.points for q in checks.questions(name)), json.dumps(results)[:3000]
    where = subprocess.run([str(python), "-c", "import chaoyang; print(chaoyang.__file__)"], capture_output=True,
                           text=True, env=env, cwd=tmp_path).stdout
    assert str(venv) in where and "site-packages" in where
