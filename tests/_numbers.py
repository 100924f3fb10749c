"""Find decimal numbers typed by hand in the book's prose.

Every number that comes from a computation must be glued (myst-nb ``glue`` + ``{glue:text}``) or generated
by code, so that text and result cannot disagree. This module finds the decimal numbers that are neither:
in notebook markdown (chapters and exercise masters), exercise READMEs, the Part III pages and the ODD page.
A number is accepted when it sits inside a glue role, inline code, a code cell or a ``{code-cell}`` block,
or when an entry of :data:`ALLOWED` (a short, reviewed list: literature values, definitions, inputs a reader
sets) covers it. :data:`DEBT` lists the numbers not yet converted, file by file; it may only shrink.

It also finds solution code written in a Markdown fence inside a ``{solution}`` directive: such code never
runs, so its results cannot be checked. Solutions with code use the gated ``solution-start`` /
``solution-end`` directives around code cells instead.

Used by ``tests/test_no_typed_numbers.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: A decimal number: digits, a point, digits; not part of a word, a version or a longer number.
DECIMAL = re.compile(r"(?<![\w.\-−/])[−-]?\d+\.\d+(?![\w.]*\d)(?!\w)")
#: Spans whose numbers are not prose: glue roles, other roles' targets, inline code, links' addresses.
_NOT_PROSE = [
    re.compile(r"\{glue(?::text|:any|:figure|:math)?\}`[^`]*`"),
    re.compile(r"\{[a-z:]+\}`[^`]*`"),      # {cite:p}`key`, {doc}`path`, {ref}`label`, ...
    re.compile(r"``[^`]+``|`[^`\n]+`"),     # inline code: code, not prose
    re.compile(r"\]\([^)]*\)"),             # a link's address
    re.compile(r"https?://\S+"),
]
#: Fenced code inside Markdown (a ``python`` fence, or a ``{code-cell}`` of a MyST notebook page).
_FENCE = re.compile(r"^(?P<f>`{3,}|~{3,})(?:python|\{code-cell\}[^\n]*)\n.*?^(?P=f)\s*$", re.M | re.S)
_SOLUTION = re.compile(r"^(?P<f>`{3,}|:{3,})\{solution\}[^\n]*\n(?P<body>.*?)^(?P=f)\s*$", re.M | re.S)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


@dataclass(frozen=True)
class Allowed:
    """A typed decimal number that is not a computed result.

    Attributes
    ----------
    path : str
        File, relative to the repository root (a glob pattern, e.g. ``notebooks/*.ipynb``).
    number : str
        The number exactly as typed, e.g. ``"0.9"``.
    context : str
        Text that must occur on the same line, so the entry covers one use, not every ``0.9`` in the file.
    reason : str
        Why the number may be typed.
    """

    path: str
    number: str
    context: str
    reason: str


#: The reviewed allowlist. Keep it short; every entry says why the number is not a result.
ALLOWED = [
    # Inputs and settings typed where a reader sets or reads them (reviewed 2026-12-03): exercise settings,
    # the cut-off grids the chapters vary, planted-world inputs and hand derivations from stated payoffs.
    Allowed("notebooks/01_grounded_coding.ipynb", "2.0", "rerun", "a setting the exercise asks the reader to try"),
    Allowed("notebooks/05_fsqca.ipynb", "3.5", "such as the scale midpoint 3, or 3.5?", "a candidate crossover value the text rejects, an input"),
    Allowed("notebooks/05_fsqca.ipynb", "3.5", "crossover 3.5 instead of 3.9", "exercise setting: anchors to compare"),
    Allowed("notebooks/05_fsqca.ipynb", "3.9", "crossover 3.5 instead of 3.9", "the chapter's calibration anchor, an input"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "membership of exactly 0.5", "definition: the crossover membership"),
    Allowed("notebooks/05_fsqca.ipynb", "3.5", "two crossovers near 3.5", "exercise setting"),
    Allowed("notebooks/05_fsqca.ipynb", "3.5", "average exactly 3.5", "arithmetic of a mean of four 1-5 answers"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "with membership 0.5", "definition: the crossover membership"),
    Allowed("notebooks/05_fsqca.ipynb", "3.4", "off the grid of possible means", "arithmetic of means of four 1-5 answers"),
    Allowed("notebooks/05_fsqca.ipynb", "3.6", "off the grid of possible means", "arithmetic of means of four 1-5 answers"),
    Allowed("notebooks/05_fsqca.ipynb", "3.4", "counts \"two agrees", "arithmetic of means of four 1-5 answers"),
    Allowed("notebooks/05_fsqca.ipynb", "3.5", "neutral answers\" (3.5)", "arithmetic of a mean of four 1-5 answers"),
    Allowed("notebooks/05_fsqca.ipynb", "3.6", "neutral answers\" (3.5)", "arithmetic of means of four 1-5 answers"),
    Allowed("notebooks/05_fsqca.ipynb", "3.6", "easier to defend", "an anchor the solution proposes, an input"),
    Allowed("notebooks/05_fsqca.ipynb", "3.9", "easier to defend", "the chapter's calibration anchor, an input"),
    Allowed("notebooks/05_fsqca.ipynb", "0.75", "consistency cut-off (0.75", "the range of the cut-off grid, an input"),
    Allowed("notebooks/05_fsqca.ipynb", "0.90", "consistency cut-off (0.75", "the range of the cut-off grid, an input"),
    Allowed("notebooks/05_fsqca.ipynb", "3.65", "both off the grid", "anchors the exercise proposes, inputs"),
    Allowed("notebooks/05_fsqca.ipynb", "4.15", "both off the grid", "anchors the exercise proposes, inputs"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "latent score above 0.5", "the planted world's cut for 'high', an input"),
    Allowed("notebooks/05_fsqca.ipynb", "0.8", "loadings around 0.8", "the planted loadings (chaoyang.world), inputs"),
    Allowed("notebooks/05_fsqca.ipynb", "0.75", "0.75 to the test set", "exercise setting: the PRI cut-off to add, an input"),
    Allowed("notebooks/05_fsqca.ipynb", "0.75", "PRI cut-off of 0.75 in the test set", "exercise setting: the PRI cut-off added, an input"),
    Allowed("notebooks/06_simulation.ipynb", "0.25", "mean 0.25", "the docking test's threshold mean, an input"),
    Allowed("notebooks/07_effects_stakeholders.ipynb", "0.3", "out (0.3)", "a value of the run's crowding-out grid, an input"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "1.5", "both (S, N) and (E, P) are stable", "hand derivation from the stated payoffs"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "3.5", "c = s + r - k = 3.5", "hand derivation from the stated payoffs"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "0.5", "s < 2 + 0.5 - 1 = 1.5", "hand derivation from the stated payoffs"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "1.5", "s < 2 + 0.5 - 1 = 1.5", "hand derivation from the stated payoffs"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "0.3", "from the start $(0.3, 0.3)$", "the starting point, an input"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "0.6", "(x^*, y^*) = (0.6, 0.6)", "hand derivation from the stated payoffs"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "-2.5", "5 \\times (-2.5)", "hand derivation from the stated payoffs"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "1.5", "from 1.5 to 0", "a payoff the exercise changes, an input"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "2.5", "cost ( ) to 2.5", "a payoff the exercise sets, an input"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "2.5", "less than its cost 2.5", "the payoff the exercise set, an input"),
    Allowed("exercises/a1_grounded_coding/a1_grounded_coding.ipynb", "0.8", "usual benchmarks",
            "conventional benchmark for strong agreement (Landis and Koch 1977)"),
    Allowed("exercises/a2_measurement/a2_measurement.ipynb", "0.5", "the usual threshold",
            "literature value (Fornell and Larcker 1981)"),
    Allowed("exercises/a5_fsqca/a5_fsqca.ipynb", "0.7", "PRI ≥ 0.7", "a convention from the fsQCA literature"),
    Allowed("exercises/a6_simulation/a6_simulation.ipynb", "1.0", "crowding out 1.0", "the value the assignment sets, an input"),
    Allowed("exercises/a6_simulation/a6_simulation.ipynb", "0.3", "a default of 0.3", "the parameter's default, stated on the ODD page"),
    Allowed("book/effects/elsewhere.md", "2.8", "2.8 million members",
            "literature value: Japanese crime-prevention volunteer organizations, cited on the page"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "point of maximal", "definition of the fuzzy crossover"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "membership above", "definition of a truth-table corner"),
    Allowed("notebooks/05_fsqca.ipynb", "0.501", "nudge", "the name of a published recipe"),
    Allowed("notebooks/05_fsqca.ipynb", "0.9", "benchmark for a necessary condition",
            "literature value (Schneider and Wagemann 2012)"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "at exactly 0.5", "definition: the crossover membership"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "at 0.5 belongs", "definition: the crossover membership"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "left at 0.5", "definition: the crossover membership"),
    Allowed("notebooks/05_fsqca.ipynb", "0.5", "of exactly 0.5 to 0.501", "the published recipe"),
    Allowed("notebooks/05_fsqca.ipynb", "0.501", "of exactly 0.5 to 0.501", "the published recipe"),
    Allowed("notebooks/05_fsqca.ipynb", "0.25", "of 0.25, a crossover", "arithmetic of a mean of four 1-5 answers"),
    Allowed("notebooks/05_fsqca.ipynb", "3.75", "the fourth (3.75)", "arithmetic of a mean of four answers"),
    Allowed("exercises/a5_fsqca/a5_fsqca.ipynb", "0.9", "necessity threshold |   (0.9)",
            "the practice variant's necessity threshold, an input (literature value, Schneider and Wagemann 2012)"),
    Allowed("exercises/a5_fsqca/a5_fsqca.ipynb", "0.70", "0.70) the community pathway",
            "the practice variant's cut-off, an input; the lost term is enforced by test_checks.py::test_a5_practice_loses_bel_res"),
    Allowed("book/effects/replicability.md", "0.80", "usual 0.80 threshold", "literature value (fsQCA)"),
    Allowed("notebooks/08_evolutionary_game.ipynb", "0.5", "both shares 0.5", "the starting point, an input"),
    Allowed("notebooks/02_measurement.ipynb", "0.88", "HTMT were 0.88", "a hypothetical value the exercise sets"),
    Allowed("exercises/*/README.md", "2.5", "**Time.**", "a time estimate for students, not a result"),
    Allowed("exercises/*/README.md", "1.5", "**Time.**", "a time estimate for students, not a result"),
    Allowed("exercises/*/README.md", "0.005", "autograder", "grading tolerance, an input"),
    Allowed("exercises/a5_fsqca/*", "2.0", "4.5", "calibration anchors the assignment sets, inputs"),
    Allowed("exercises/a5_fsqca/*", "3.9", "4.5", "calibration anchors the assignment sets, inputs"),
    Allowed("exercises/a5_fsqca/*", "4.5", "3.9", "calibration anchors the assignment sets, inputs"),
    Allowed("exercises/a5_fsqca/*", "0.8", "0.68", "cut-offs the assignment sets, inputs"),
    Allowed("exercises/a5_fsqca/*", "0.8", "consistency cut-off", "cut-off the assignment sets, an input"),
    Allowed("exercises/a5_fsqca/*", "0.68", "PRI", "cut-offs the assignment sets, inputs"),
    Allowed("exercises/a5_fsqca/*", "0.68", "0.70", "cut-offs the assignment compares, inputs"),
    Allowed("exercises/a5_fsqca/*", "0.70", "0.68", "cut-offs the assignment compares, inputs"),
    Allowed("exercises/a5_fsqca/*", "0.68", "README", "cut-offs the assignment sets, inputs"),
]

#: Hand-typed numbers not yet converted to glue, per file: {path: [number, ...]} with repetitions.
#: The test fails when a listed number is no longer there, so this list can only shrink.
DEBT: dict[str, list[str]] = {}

#: Chapter solutions whose code still sits in a Markdown fence: (notebook, opening line). May only shrink.
FENCED_SOLUTION_DEBT: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Hit:
    """One typed decimal number: where it is and the line it is on."""

    path: str
    cell: int | None
    number: str
    line: str


def markdown_sources(path: Path) -> list[tuple[int | None, str]]:
    """The Markdown text of a file: (cell index, text) per markdown cell of a notebook, or (None, text)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
    return [(None, _FRONT_MATTER.sub("", text))]


def prose(markdown: str) -> str:
    """Markdown with code, glue and role targets blanked out (line structure kept)."""
    markdown = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), markdown)
    for pattern in _NOT_PROSE:
        markdown = pattern.sub(" ", markdown)
    return markdown


def typed_numbers(path: Path, root: Path = ROOT) -> list[Hit]:
    """Every decimal number typed in the prose of ``path``."""
    rel = path.relative_to(root).as_posix()
    hits = []
    for cell, text in markdown_sources(path):
        for line in prose(text).splitlines():
            for number in DECIMAL.findall(line):
                hits.append(Hit(rel, cell, number.replace("−", "-"), line.strip()))
    return hits


def is_allowed(hit: Hit, allowed: list[Allowed] = ALLOWED) -> bool:
    """Whether an allowlist entry covers the hit."""
    return any(Path(hit.path).match(a.path) and a.number == hit.number and a.context in hit.line for a in allowed)


def unexplained(paths: list[Path], root: Path = ROOT, allowed: list[Allowed] = ALLOWED,
                debt: dict[str, list[str]] | None = None) -> tuple[list[Hit], dict[str, list[str]]]:
    """The hits neither allowed nor in the debt list, and the debt entries no longer found.

    Returns
    -------
    (list of Hit, dict)
        Unexplained hits; and, per file, the debt numbers that were not found (the list must shrink).
    """
    debt = {k: list(v) for k, v in (DEBT if debt is None else debt).items()}
    remaining = {k: list(v) for k, v in debt.items()}
    bad = []
    for path in paths:
        for hit in typed_numbers(path, root):
            if is_allowed(hit, allowed):
                continue
            owed = remaining.get(hit.path, [])
            if hit.number in owed:
                owed.remove(hit.number)
                continue
            bad.append(hit)
    return bad, {k: v for k, v in remaining.items() if v}


def fenced_solution_code(path: Path) -> list[tuple[int | None, str]]:
    """Solutions whose code sits in a Markdown fence (it never runs): (cell, solution label) pairs."""
    found = []
    for cell, text in markdown_sources(path):
        for match in _SOLUTION.finditer(text):
            if re.search(r"^(`{3,}|~{3,})python", match.group("body"), re.M):
                found.append((cell, match.group(0).split("\n", 1)[0]))
    return found


def checked_files(root: Path = ROOT) -> list[Path]:
    """The files whose prose must hold no hand-typed result."""
    files = sorted((root / "notebooks").glob("*.ipynb"))
    files += sorted((root / "exercises").glob("*/*.ipynb"))
    files += sorted((root / "exercises").glob("*/README.md")) + [root / "exercises" / "README.md"]
    files += sorted((root / "book" / "effects").glob("*.md"))
    files += [root / "book" / "methods" / "odd.md", root / "book" / "methods" / "index.md"]
    return [f for f in files if f.is_file()]
