"""Build the autograded assignments in ``exercises/`` and check that no solution leaks.

Each assignment is a folder ``exercises/<name>/`` holding an otter-grader master notebook
``<name>.ipynb`` (solutions and tests inside) and a ``README.md``. :func:`build` runs
``otter assign`` on every master and writes::

    _build/assignments/<name>/student/<name>.ipynb      what students get (no solutions, public tests)
    _build/assignments/<name>/student/README.md
    _build/assignments/<name>/autograder/<name>.ipynb   the solution notebook
    _build/assignments/<name>/autograder/autograder.zip what ``otter run`` / :mod:`chaoyang.teaching.grading` needs
    _build/assignments/<name>.zip                       the student folder zipped, for an LMS

The autograder zip carries a working environment (:func:`add_environment`): the kit as a wheel
(``chaoyang-<version>-py3-none-any.whl``), ``constraints.txt`` (every ``==`` pin of the repository's
``requirements.txt``) and ``requirements.txt`` (the wheel with its ``full`` extra, under those
constraints); its ``environment.yml`` installs them, so ``otter run`` in a clean virtual environment
built from the zip, and Gradescope, grade with the same kit and stack as the tests.

With a course secret (``CHAOYANG_COURSE_SECRET`` or ``--secret-file``) the student folder and zip
also hold ``data/``: the course variant's ``variant.json`` and data files
(:mod:`chaoyang.teaching.variants`); without one, students' notebooks use the public practice variant.
With an instructor-private blind set as well (``CHAOYANG_BLIND_SET`` or ``--blind-set``,
:mod:`chaoyang.teaching.blindset`), a1's ``data/`` holds the passage students code blind
(``blind_passage.json``: its text, never its coding); without one, a1's blind passage is a kit
transcript whose gold coding is public, and the build says so.

Nothing generated is committed (``_build/`` is ignored).

``--lang zh_CN`` builds the Chinese edition into ``_build/assignments_zh_CN/``: every markdown cell students
get (instructions and questions; :func:`exercise_messages`) is replaced by its translation from the catalog
``locale/zh_CN/LC_MESSAGES/exercises/<name>.po`` before ``otter assign`` runs, so otter's raw-cell markers and
configuration and every code cell are those of the English build; the notebook's ``grader`` shows the check
messages in Chinese (``StudentChecks(name, lang="zh_CN")``). A markdown cell without a translation stops the
build with the cell's number.

The leak scanner (:func:`secret_lines`, :func:`find_leaks`) collects every line of a master that
students must not see — lines ending in ``# SOLUTION``, code between ``# BEGIN SOLUTION`` and
``# END SOLUTION``, model answers in solution blocks, and the bodies of hidden tests — and looks
for them in any text: student notebooks, the student zip, the book's sources or the built site.

Command line (what ``make assignments`` calls)::

    python -m chaoyang.teaching.assignments build [--only NAME ...] [--out DIR] [--no-run-tests] [--blind-set DIR] [--lang zh_CN]
    python -m chaoyang.teaching.assignments scan [PATH ...]

Examples
--------
>>> from chaoyang.teaching.assignments import discover
>>> [a.name for a in discover()][:1]  # doctest: +SKIP
['a1_grounded_coding']
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from chaoyang.errors import ChaoyangError, UnknownNameError
from chaoyang.teaching.catalogs import N_

#: Repository root: the folder holding ``exercises/`` next to ``src/``.
REPO_ROOT = Path(__file__).resolve().parents[3]
EXERCISES_DIR = REPO_ROOT / "exercises"
BUILD_DIR = REPO_ROOT / "_build" / "assignments"


def build_dir(lang: str = "en") -> Path:
    """Default output folder of a language: ``_build/assignments`` (English), ``_build/assignments_zh_CN``.

    Examples
    --------
    >>> build_dir("zh_CN").name
    'assignments_zh_CN'
    """
    from chaoyang.teaching.catalogs import check_language

    lang = check_language(lang)
    return BUILD_DIR if lang == "en" else BUILD_DIR.with_name(f"assignments_{lang}")

#: Lines shorter than this (after stripping) are too generic to count as a leak (``else:``, ``)``).
MIN_SECRET_LENGTH = 24

#: Text files the scanner reads when given a folder.
SCANNED_SUFFIXES = {".ipynb", ".md", ".py", ".html", ".txt", ".json", ".js", ".tex"}


class AssignmentError(ChaoyangError, RuntimeError):
    """An assignment folder is malformed or ``otter assign`` failed; the message says which and why."""


@dataclass(frozen=True)
class Assignment:
    """One assignment folder.

    Attributes
    ----------
    name : str
        Folder name, e.g. ``"a4_participation"``; also the master notebook's stem.
    folder : Path
        ``exercises/<name>``.
    """

    name: str
    folder: Path

    @property
    def master(self) -> Path:
        """The otter master notebook ``exercises/<name>/<name>.ipynb``."""
        return self.folder / f"{self.name}.ipynb"

    @property
    def readme(self) -> Path:
        return self.folder / "README.md"


def discover(exercises_dir: Path = EXERCISES_DIR) -> list[Assignment]:
    """Every assignment folder (one holding ``<folder name>.ipynb``), sorted by name.

    Raises
    ------
    AssignmentError
        If ``exercises_dir`` does not exist.
    """
    exercises_dir = Path(exercises_dir)
    if not exercises_dir.is_dir():
        raise AssignmentError(f"no exercises folder at {exercises_dir}")
    found = [Assignment(p.name, p) for p in sorted(exercises_dir.iterdir())
             if p.is_dir() and (p / f"{p.name}.ipynb").is_file()]
    return found


def get(name: str, exercises_dir: Path = EXERCISES_DIR) -> Assignment:
    """The assignment called ``name``.

    Raises
    ------
    KeyError
        If there is no such assignment; the message lists the known names.
    """
    known = {a.name: a for a in discover(exercises_dir)}
    if name not in known:
        raise UnknownNameError(f"unknown assignment {name!r}; known assignments: {', '.join(known) or '(none)'}")
    return known[name]


# ---------------------------------------------------------------------------------------------- build
def build_one(assignment: Assignment, out_dir: Path = BUILD_DIR, *, run_tests: bool = True,
              python: str = sys.executable, wheel: Path | None = None, secret: bytes | None = None,
              blind_set=None, lang: str = "en") -> Path:
    """Run ``otter assign`` on one master notebook and lay out the result.

    Parameters
    ----------
    assignment : Assignment
    out_dir : Path
        Parent folder; the assignment goes into ``out_dir/<name>/`` (replaced if present) and the
        LMS zip into ``out_dir/<name>.zip``.
    run_tests : bool, default True
        Let ``otter assign`` execute the solution notebook against its tests (a few seconds more;
        fails the build if a solution does not pass its own tests).
    python : str
        Interpreter whose ``otter`` to use (default: this one).
    wheel : Path, optional
        The kit's wheel to put into the autograder zip (default: none added; :func:`build` builds
        one with :func:`build_wheel`).
    secret : bytes, optional
        Course secret: the student folder gets ``data/`` with the course variant.
    blind_set : BlindSet or path-like, optional
        a1 with a secret: the private blind set its blind passage comes from (default
        ``$CHAOYANG_BLIND_SET``; :mod:`chaoyang.teaching.blindset`).
    lang : str, default "en"
        ``"zh_CN"``: the student notebook's markdown from the catalog ``exercises/<name>`` (every cell must be
        translated: :class:`chaoyang.teaching.catalogs.CatalogError` otherwise), its checks' messages in Chinese.

    Returns
    -------
    Path
        ``out_dir/<name>``.

    Raises
    ------
    AssignmentError
        If ``otter assign`` fails, produces no autograder zip, or the student notebook leaks a
        solution line.
    """
    out_dir = Path(out_dir)
    target = out_dir / assignment.name
    from chaoyang.teaching.catalogs import check_language

    lang = check_language(lang)
    with tempfile.TemporaryDirectory(prefix=f"otter-assign-{assignment.name}-") as tmp:
        dist = Path(tmp) / "dist"
        source = assignment.folder
        if lang != "en":
            # otter assigns a copy of the folder whose master has translated markdown (code and markers untouched)
            source = Path(tmp) / "source"
            shutil.copytree(assignment.folder, source)
            translate_master(assignment.master, source / assignment.master.name, lang)
        command = [python, "-m", "otter", "assign", assignment.master.name, str(dist)]
        if not run_tests:
            command.append("--no-run-tests")
        done = subprocess.run(command, cwd=source, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssignmentError(f"otter assign failed for {assignment.name} (exit {done.returncode}):\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        zips = sorted((dist / "autograder").glob("*.zip"))
        if len(zips) != 1:
            raise AssignmentError(f"otter assign made {len(zips)} autograder zips for {assignment.name}; "
                                  "expected exactly one (is `generate: true` in the ASSIGNMENT CONFIG?)")
        zips[0].rename(dist / "autograder" / "autograder.zip")
        if wheel is not None:
            add_environment(dist / "autograder" / "autograder.zip", wheel)
        portable_student_notebook(dist / "student" / assignment.master.name, assignment.name, lang)
        if assignment.readme.is_file():
            (dist / "student" / "README.md").write_text(translated_readme(assignment.readme, lang), encoding="utf-8")
        if secret:
            from chaoyang.teaching.variants import student_files

            student_files(assignment.name, "course", secret, dist / "student" / "data", per_student=False,
                          blind_set=blind_set)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(dist, target)
    lms_zip = out_dir / f"{assignment.name}.zip"
    with zipfile.ZipFile(lms_zip, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((target / "student").rglob("*")):
            if path.is_file():
                archive.write(path, Path(assignment.name) / path.relative_to(target / "student"))
    leaks = find_leaks([target / "student", lms_zip], secret_lines(assignment.master))
    if leaks:
        shown = "\n".join(f"  {where}: {line}" for where, line in leaks[:10])
        raise AssignmentError(f"the student build of {assignment.name} contains solution lines:\n{shown}")
    return target


def build(names: list[str] | None = None, out_dir: Path | None = None, *, run_tests: bool = True,
          with_wheel: bool = True, secret: bytes | None = None, blind_set=None, lang: str = "en") -> list[Path]:
    """Build every assignment (or those in ``names``); see :func:`build_one`.

    Parameters
    ----------
    with_wheel : bool, default True
        Build the kit's wheel once (:func:`build_wheel`) and put it into every autograder zip.
    secret : bytes, optional
        Course secret: every student folder gets the course variant's ``data/``.
    blind_set : BlindSet or path-like, optional
        a1's private blind set (see :func:`build_one`).
    lang : str, default "en"
        Language of the student notebooks (see :func:`build_one`); ``out_dir`` defaults to :func:`build_dir`.

    Returns
    -------
    list of Path
        The assignment folders written.
    """
    chosen = discover() if not names else [get(n) for n in names]
    out_dir = build_dir(lang) if out_dir is None else Path(out_dir)
    for assignment in chosen:  # an untranslated cell or README block fails before any slow otter run
        translated_cells(assignment.master, lang)
        if assignment.readme.is_file():
            translated_readme(assignment.readme, lang)
    wheel = build_wheel(Path(out_dir) / "_wheel") if with_wheel else None
    return [build_one(a, out_dir, run_tests=run_tests, wheel=wheel, secret=secret, blind_set=blind_set, lang=lang)
            for a in chosen]



def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def student_markdown(master: Path) -> list[int]:
    """Indices of the master's markdown cells that students get: those outside raw ``# BEGIN SOLUTION`` …
    ``# END SOLUTION`` blocks (model answers inside them go to the solution notebook only)."""
    cells = json.loads(Path(master).read_text(encoding="utf-8"))["cells"]
    found, in_solution = [], False
    for index, cell in enumerate(cells):
        head = _source(cell).strip().upper()
        if cell["cell_type"] == "raw":
            in_solution = head.startswith("# BEGIN SOLUTION") or (in_solution and not head.startswith("# END SOLUTION"))
        elif cell["cell_type"] == "markdown" and not in_solution and _source(cell).strip():
            found.append(index)
    return found


def readme_blocks(readme: Path) -> list[str]:
    """The blocks of an assignment's README (paragraphs, headings, a table), split at blank lines ([] if none).

    Examples
    --------
    >>> readme_blocks(get("a1_grounded_coding").readme)[0]
    '# Assignment 1 — Coding an interview with the reference codebook'
    """
    if not Path(readme).is_file():
        return []
    return [block.strip() for block in re.split(r"\n\s*\n", Path(readme).read_text(encoding="utf-8")) if block.strip()]


def exercise_messages(master: Path) -> list[tuple[str, str]]:
    """The catalog messages of an assignment: each student markdown cell's text, whole, with its cell number, then
    each block of the README.md that goes into the student folder.

    Examples
    --------
    >>> messages = exercise_messages(get("a6_simulation").master)
    >>> messages[0][0].startswith("# Assignment 6"), messages[0][1]
    (True, 'markdown cell 1')
    >>> messages[-1][1].startswith("README.md block")
    True
    """
    cells = json.loads(Path(master).read_text(encoding="utf-8"))["cells"]
    return [(_source(cells[i]), f"markdown cell {i}") for i in student_markdown(master)] + \
        [(block, f"README.md block {n}") for n, block in enumerate(readme_blocks(Path(master).parent / "README.md"), 1)]


def translated_readme(readme: Path, lang: str) -> str:
    """The README in ``lang``, block by block from the catalog ``exercises/<folder name>``.

    Raises
    ------
    chaoyang.teaching.catalogs.CatalogError
        A block without a translation (``lang`` other than English).
    """
    from chaoyang.teaching.catalogs import check_language, translator

    lang = check_language(lang)
    text = Path(readme).read_text(encoding="utf-8")
    if lang == "en":
        return text
    translate = translator(f"exercises/{Path(readme).parent.name}", lang, strict=True)
    return "\n\n".join(translate(block) for block in readme_blocks(readme)) + "\n"


def translated_cells(master: Path, lang: str) -> dict[int, str]:
    """``{cell index: translated markdown}`` for every student markdown cell ({} for English).

    Raises
    ------
    chaoyang.teaching.catalogs.CatalogError
        A cell without a translation; the message names the assignment, the cell and the catalog.
    """
    from chaoyang.teaching.catalogs import CatalogError, catalog_path, check_language, translator

    lang = check_language(lang)
    if lang == "en":
        return {}
    name = Path(master).stem
    translate = translator(f"exercises/{name}", lang)
    cells = json.loads(Path(master).read_text(encoding="utf-8"))["cells"]
    out = {}
    for index in student_markdown(master):
        text = _source(cells[index])
        out[index] = translate(text)
        if out[index] == text:
            raise CatalogError(f"{name}: markdown cell {index} ({text.strip()[:60]!r}) has no {lang} translation in "
                               f"{catalog_path(f'exercises/{name}', lang)}; translate it (after `python -m "
                               "chaoyang.teaching.catalogs update` if the catalog lacks it) or build with --lang en")
    return out


def translate_master(master: Path, dest: Path, lang: str) -> Path:
    """Write ``master`` to ``dest`` with its student markdown cells in ``lang`` (every other cell as it was)."""
    notebook = json.loads(Path(master).read_text(encoding="utf-8"))
    for index, text in translated_cells(master, lang).items():
        notebook["cells"][index]["source"] = text
    Path(dest).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return Path(dest)


def colab_install_line() -> str:
    """The install line of the kit from the ONE repository URL in ``_config.yml`` (book/_ext/book_release.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_release", REPO_ROOT / "book" / "_ext" / "book_release.py")
    book_release = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(book_release)
    return book_release.install_line(book_release.read_repository_url(REPO_ROOT))


#: What replaces otter's ``grader = otter.Notebook("<name>.ipynb")`` in student notebooks.
GRADER_CELL = """# Initialize the checks: grader.check("q1") runs a question's shape checks (no tests/ folder needed)
from chaoyang.teaching.checks import StudentChecks
grader = StudentChecks("{name}"{lang})"""

INSTALL_CELL = """# On Google Colab (or anywhere the kit is missing) this installs it; elsewhere it does nothing
import importlib.util
if importlib.util.find_spec("chaoyang") is None:
    {install}"""


#: The markdown otter puts where a written answer's model answer was (translated in other languages).
OTTER_ANSWER_PLACEHOLDER = N_("_Type your answer here, replacing this text._")


def portable_student_notebook(path: Path, name: str, lang: str = "en") -> None:
    """Make a student notebook work on Google Colab and under any file name.

    otter's ``grader = otter.Notebook("<name>.ipynb")`` reads the tests from the notebook file of that
    name (a renamed "Copy of ..." breaks it) and refuses metadata tests on Colab; the public checks
    live in the kit, so the notebook's ``grader`` becomes :class:`chaoyang.teaching.checks.StudentChecks`
    (same ``grader.check("q1")`` cells, same messages as the kit's grader). A first cell installs the
    kit where it is missing (Colab), with the install line of the configured repository URL. In another
    ``lang`` the grader reports in that language and otter's answer placeholder is translated.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = nb["cells"]

    def source(cell):
        return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])

    init = [i for i, cell in enumerate(cells) if cell["cell_type"] == "code" and "otter.Notebook(" in source(cell)]
    if len(init) != 1:
        raise AssignmentError(f"{path}: expected one otter initialisation cell, found {len(init)}")
    cells[init[0]]["source"] = GRADER_CELL.format(name=name, lang="" if lang == "en" else f', lang="{lang}"')
    if lang != "en":  # otter's placeholder for written answers, in the notebook's language
        from chaoyang.teaching.catalogs import translator

        placeholder = translator("teaching", lang, strict=True)(OTTER_ANSWER_PLACEHOLDER)
        for cell in cells:
            if cell["cell_type"] == "markdown" and source(cell).strip() == OTTER_ANSWER_PLACEHOLDER:
                cell["source"] = placeholder
    install = {"cell_type": "code", "execution_count": None, "metadata": dict(cells[init[0]].get("metadata", {})),
               "outputs": [], "source": INSTALL_CELL.format(install=colab_install_line())}
    if "id" in cells[init[0]]:  # nbformat 4.5 cells carry ids; otter's 4.4 notebooks do not
        install["id"] = "kit-install"
    cells.insert(init[0], install)
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def build_wheel(dest: Path, python: str = sys.executable) -> Path:
    """Build the kit's wheel from the repository into ``dest`` (``pip wheel --no-deps``) and return it.

    Raises
    ------
    AssignmentError
        If pip fails or makes no single ``chaoyang-*.whl``.
    """
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    # setuptools builds in the source tree (build/): remove what this build leaves behind.
    leftovers = [path for path in (REPO_ROOT / "build",) if not path.exists()]
    try:
        done = subprocess.run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dest),
                               str(REPO_ROOT)], capture_output=True, text=True, timeout=1200)
    finally:
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)
    wheels = sorted(dest.glob("chaoyang-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise AssignmentError(f"building the kit's wheel failed (exit {done.returncode}, {len(wheels)} wheels):\n"
                              f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return wheels[0]


def pinned_constraints(requirements: Path = REPO_ROOT / "requirements.txt") -> list[str]:
    """Every ``name==version`` pin of the repository's requirements file (comments dropped)."""
    pins = []
    for line in Path(requirements).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            # pip accepts only "name==version" in a constraints file (extras such as dask[distributed] are
            # deprecated there and refused by newer pips), so the extras are dropped; the pin stays.
            name, version = line.split("==", 1)
            pins.append(f"{name.split('[', 1)[0].strip()}=={version.strip()}")
    return pins


#: Where Gradescope unpacks the autograder zip (otter's setup.sh and run_autograder use it too).
GRADESCOPE_SOURCE = "/autograder/source"


def add_environment(zip_path: Path, wheel: Path) -> None:
    """Put the kit's wheel and the pinned requirements into an otter autograder zip.

    Adds ``<wheel name>``, ``constraints.txt`` and ``requirements.txt`` (``-c constraints.txt`` and
    ``./<wheel>[full]``: install it from the unpacked zip with ``pip install -r requirements.txt``)
    and appends the same two lines, with Gradescope's absolute paths, to the pip section of
    ``environment.yml``, which otter's ``setup.sh`` installs.
    """
    zip_path, wheel = Path(zip_path), Path(wheel)
    with zipfile.ZipFile(zip_path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    # otter writes environment.yml with one pip list (``  - pip:`` then ``      - otter-grader...``); append to it.
    lines = members["environment.yml"].decode("utf-8").splitlines()
    otter_line = [i for i, line in enumerate(lines) if line.strip().startswith("- otter-grader")]
    if len(otter_line) != 1:
        raise AssignmentError(f"{zip_path}: environment.yml has no single otter-grader pip line to extend")
    indent = lines[otter_line[0]][: len(lines[otter_line[0]]) - len(lines[otter_line[0]].lstrip())]
    lines[otter_line[0] + 1:otter_line[0] + 1] = [f"{indent}- -c {GRADESCOPE_SOURCE}/constraints.txt",
                                                   f"{indent}- {GRADESCOPE_SOURCE}/{wheel.name}[full]"]
    members["environment.yml"] = ("\n".join(lines) + "\n").encode("utf-8")
    members["constraints.txt"] = ("\n".join(pinned_constraints()) + "\n").encode("utf-8")
    members["requirements.txt"] = f"-c constraints.txt\n./{wheel.name}[full]\n".encode("utf-8")
    members[wheel.name] = wheel.read_bytes()
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


# ---------------------------------------------------------------------------------------- leak scan
def _cell_lines(cell: dict) -> list[str]:
    source = cell.get("source", "")
    return (source if isinstance(source, str) else "".join(source)).split("\n")


def _normalise(line: str) -> str:
    line = re.sub(r"\s*#\s*SOLUTION\s*$", "", line)
    return re.sub(r"\s+", " ", line).strip()


def secret_lines(master: Path) -> set[str]:
    """Lines of a master notebook that students must never see (normalised whitespace).

    Collected: lines ending in ``# SOLUTION``; lines inside ``# BEGIN SOLUTION`` … ``# END
    SOLUTION`` in a code cell; every line of cells inside a raw ``# BEGIN SOLUTION`` … ``# END
    SOLUTION`` block except lines that themselves end in ``# SOLUTION``-free scaffolding kept for
    students (none in our masters); and every line of hidden tests. Lines shorter than
    :data:`MIN_SECRET_LENGTH` characters, markup-only lines and lines that also occur in the
    public part of the master (prompts, set-up code, public tests) are dropped: they cannot leak
    anything.

    Parameters
    ----------
    master : Path
        An otter-grader master notebook.

    Returns
    -------
    set of str
    """
    notebook = json.loads(Path(master).read_text(encoding="utf-8"))
    secret: list[str] = []
    public: set[str] = set()
    in_solution_block = in_tests = False
    for cell in notebook["cells"]:
        lines = _cell_lines(cell)
        head = lines[0].strip() if lines else ""
        if cell["cell_type"] == "raw":
            upper = head.upper()
            if upper.startswith("# BEGIN SOLUTION"):
                in_solution_block = True
            elif upper.startswith("# END SOLUTION"):
                in_solution_block = False
            elif upper.startswith("# BEGIN TESTS"):
                in_tests = True
            elif upper.startswith("# END TESTS"):
                in_tests = False
            continue
        if cell["cell_type"] == "code" and not in_tests and not in_solution_block:
            # A "# SOLUTION" line outside a solution block is not stripped by otter: still a secret.
            marked = [line for line in lines if re.search(r"#\s*SOLUTION\s*$", line)]
            secret.extend(marked)
            lines = [line for line in lines if line not in marked]
        if in_tests:
            source = "\n".join(lines)
            hidden = bool(re.search(r"\bhidden\s*:\s*true\b", source, re.IGNORECASE)) or \
                bool(re.match(r"\s*#.*\bhidden\b", head, re.IGNORECASE))
            body = [line for line in lines if "TEST CONFIG" not in line]
            (secret.extend if hidden else public.update)(body)
            continue
        if in_solution_block:
            inline = False
            for line in lines:
                stripped = line.strip()
                if stripped.startswith("# BEGIN SOLUTION"):
                    inline = True
                    continue
                if stripped.startswith("# END SOLUTION"):
                    inline = False
                    continue
                if cell["cell_type"] == "markdown" or inline or re.search(r"#\s*SOLUTION\s*$", line):
                    secret.append(line)
                else:
                    public.add(line)
            continue
        public.update(lines)
    public_norm = {_normalise(line) for line in public}
    kept = set()
    for line in secret:
        norm = _normalise(line)
        if len(norm) < MIN_SECRET_LENGTH or norm in public_norm or not re.search(r"[A-Za-z0-9]", norm):
            continue
        if re.fullmatch(r"(import \S+( as \S+)?|from \S+ import .+)", norm):
            continue
        kept.add(norm)
    return kept


def _texts(path: Path):
    """Yield (label, text) for a file, a folder (recursively) or a zip archive."""
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and (child.suffix in SCANNED_SUFFIXES or child.suffix == ".zip"):
                yield from _texts(child)
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if Path(member).suffix in SCANNED_SUFFIXES:
                    yield f"{path}!{member}", archive.read(member).decode("utf-8", errors="replace")
    elif path.is_file():
        yield str(path), path.read_text(encoding="utf-8", errors="replace")


def _searchable(label: str, text: str) -> str:
    """Text with notebook JSON decoded, HTML tags removed and entities unescaped, whitespace collapsed."""
    if label.endswith(".ipynb"):
        try:
            notebook = json.loads(text)
            parts = []
            for cell in notebook.get("cells", []):
                parts.append("\n".join(_cell_lines(cell)))
                for output in cell.get("outputs", []):
                    parts.append(json.dumps(output))
            text = "\n".join(parts) + "\n" + json.dumps(notebook.get("metadata", {}))
        except json.JSONDecodeError:
            pass
    elif label.endswith(".html"):
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\s+", " ", text)


def find_leaks(paths, secrets: set[str]) -> list[tuple[str, str]]:
    """Where any secret line occurs in the given files, folders or zips.

    Parameters
    ----------
    paths : iterable of Path
        Files, folders (searched recursively for text files) or zip archives. Missing paths are
        skipped.
    secrets : set of str
        Normalised lines, e.g. from :func:`secret_lines`.

    Returns
    -------
    list of (location, secret line)
        Empty when nothing leaks.

    Examples
    --------
    >>> find_leaks([], {"x = 42"})
    []
    """
    leaks = []
    for path in paths:
        if not Path(path).exists():
            continue
        for label, text in _texts(Path(path)):
            searchable = _searchable(label, text)
            # Notebook metadata holds tests as escaped JSON strings: search the unescaped form too.
            unescaped = searchable.replace('\\"', '"').replace("\\n", " ").replace("\\'", "'")
            for secret in secrets:
                if secret in searchable or secret in unescaped:
                    leaks.append((label, secret))
    return leaks


def all_secrets(exercises_dir: Path = EXERCISES_DIR) -> set[str]:
    """The secret lines of every assignment."""
    secrets: set[str] = set()
    for assignment in discover(exercises_dir):
        secrets |= secret_lines(assignment.master)
    return secrets


def scan_publication(paths=None) -> list[tuple[str, str]]:
    """Scan what readers see — the book's sources and, if built, the site — for solution lines.

    Parameters
    ----------
    paths : iterable of Path, optional
        Default: ``book/``, ``notebooks/``, ``_build/html`` (when it exists) and the student
        builds under ``_build/assignments/*/student`` and ``_build/assignments_zh_CN/*/student``.

    Returns
    -------
    list of (location, secret line)
    """
    if paths is not None:
        return find_leaks(paths, all_secrets())
    leaks = find_leaks([REPO_ROOT / "book", REPO_ROOT / "notebooks", REPO_ROOT / "_build" / "html"], all_secrets())
    # Each student build is checked against its own master: set-up code of one assignment may be
    # the solution of another.
    for assignment in discover():
        for folder in (BUILD_DIR, build_dir("zh_CN")):
            student = folder / assignment.name / "student"
            leaks += find_leaks([student, folder / f"{assignment.name}.zip"], secret_lines(assignment.master))
    return leaks


# ------------------------------------------------------------------------------------------------ CLI
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaoyang.teaching.assignments",
                                     description="Build the autograded assignments and check for solution leaks.")
    sub = parser.add_subparsers(dest="command", required=True)
    build_parser = sub.add_parser("build", help="otter assign every master into _build/assignments/")
    build_parser.add_argument("--only", nargs="*", default=None, metavar="NAME", help="assignment names")
    build_parser.add_argument("--out", type=Path, default=None,
                              help="output folder (default _build/assignments, or _build/assignments_<lang>)")
    build_parser.add_argument("--lang", default="en", help="language of the student notebooks: en (default) or zh_CN")
    build_parser.add_argument("--no-run-tests", action="store_true", help="skip running solutions against tests")
    build_parser.add_argument("--no-wheel", action="store_true", help="do not put the kit's wheel into the autograder zips")
    build_parser.add_argument("--secret-file", type=Path, default=None,
                              help="course secret file (else CHAOYANG_COURSE_SECRET; none: practice variant)")
    build_parser.add_argument("--blind-set", type=Path, default=None,
                              help="a1: private blind set folder, outside the repository (else CHAOYANG_BLIND_SET)")
    scan_parser = sub.add_parser("scan", help="look for solution lines in the book, the site and student builds")
    scan_parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.command == "build":
        import os

        from chaoyang.teaching.variants import SCOPE_ENV, SECRET_ENV, load_secret

        secret = load_secret(args.secret_file) if args.secret_file or os.environ.get(SECRET_ENV) else None
        if secret and os.environ.get(SCOPE_ENV, "course").strip().lower() == "student":
            print(f"{SCOPE_ENV}=student: every student needs their own data/ folder "
                  "(chaoyang.teaching.variants.student_files); the student folders get none")
            secret = None
        else:
            print("student data: the course variant (secret set)" if secret else
                  "student data: none (no course secret): students' notebooks use the public practice variant")
        from chaoyang.teaching.blindset import ASSIGNMENT as BLIND_ASSIGNMENT, PUBLIC_GOLD, BlindSetError, resolve

        blind = None
        if secret and (not args.only or BLIND_ASSIGNMENT in args.only):
            try:
                blind = resolve(args.blind_set)
            except BlindSetError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            print(f"{BLIND_ASSIGNMENT}: blind passage from the private blind set {blind.path}" if blind
                  else PUBLIC_GOLD)
        for folder in build(args.only, args.out, run_tests=not args.no_run_tests, with_wheel=not args.no_wheel,
                            secret=secret, blind_set=blind, lang=args.lang):
            print(f"built {folder} (+ {folder.name}.zip)")
        leaks = scan_publication()
    else:
        leaks = scan_publication(args.paths or None)
    for where, line in leaks:
        print(f"LEAK {where}: {line}", file=sys.stderr)
    if leaks:
        print(f"{len(leaks)} solution line(s) found where students can see them", file=sys.stderr)
        return 1
    print("no solution lines found in the book, the site or the student builds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
