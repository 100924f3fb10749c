"""Every Part I-III page and notebook opens with one provenance box of one form.

The box says what the dissertation states (from its abstract, the only part of it the kit has),
what the kit adds or assumes, and what is synthetic. It sits right after the page's title, so a
reader meets it before any claim. The form checked here::

    :::{admonition} Provenance
    :class: provenance

    **What the dissertation states.** ...

    **What this kit adds or assumes.** ...

    **What is synthetic.** ...
    :::
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("Part I:", "Part II:", "Part III:")
LABELS = ("What the dissertation states", "What this kit adds or assumes", "What is synthetic")
BOX = re.compile(r"^:::\{admonition\} Provenance\n:class: provenance\n(?P<body>.*?)^:::$", re.M | re.S)


def part_pages() -> list[Path]:
    """The source file of every chapter listed under Parts I-III of ``_toc.yml``."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = []
    for part in toc["parts"]:
        if part["caption"].startswith(PARTS):
            for chapter in part["chapters"]:
                stem = ROOT / chapter["file"]
                found = [p for p in (stem.with_suffix(".md"), stem.with_suffix(".ipynb")) if p.is_file()]
                assert len(found) == 1, f"{chapter['file']}: expected one .md or .ipynb, found {found}"
                pages.append(found[0])
    return pages


def page_markdown(path: Path) -> str:
    """The Markdown of a page: the whole file, or a notebook's markdown cells joined."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return text


def provenance_problems(markdown: str) -> list[str]:
    """What is wrong with a page's provenance box; an empty list when it is right.

    The box must exist once, come right after the H1 title (before any second-level heading or
    other directive), and hold the three labelled parts in order, each with some text.
    """
    boxes = list(BOX.finditer(markdown))
    if not boxes:
        return ["no provenance box"]
    if len(boxes) > 1:
        return [f"{len(boxes)} provenance boxes, expected one"]
    box = boxes[0]
    before = markdown[:box.start()]
    if "---\njupytext" in before:  # MyST-notebook pages carry a YAML header before the title
        before = before[before.index("\n---\n", 4) + 5:]
    problems = []
    headings = [line for line in before.splitlines() if line.strip()]
    if len(headings) != 1 or not headings[0].startswith("# "):
        problems.append("the box does not follow the H1 title directly")
    body, last = box["body"], -1
    for label in LABELS:
        match = re.search(rf"^\*\*{re.escape(label)}\.\*\* (\S.*)$", body, re.M)
        if not match:
            problems.append(f"no part **{label}.** with text")
        elif match.start() < last:
            problems.append(f"**{label}.** is out of order")
        else:
            last = match.start()
    return problems


def test_parts_list_the_expected_pages():
    pages = part_pages()
    names = {p.name for p in pages}
    # one page per Part and the notebooks, so that a broken _toc parse cannot pass with nothing to check
    assert {"framework.md", "index.md", "03_mediation.ipynb", "evidence.md", "odd.md"} <= names
    assert sum(p.suffix == ".ipynb" for p in pages) == len(list((ROOT / "notebooks").glob("*.ipynb")))


@pytest.mark.parametrize("page", part_pages(), ids=lambda p: p.name)
def test_page_has_a_provenance_box(page):
    assert provenance_problems(page_markdown(page)) == [], page.relative_to(ROOT)


def test_checker_fails_a_page_without_a_box(tmp_path):
    planted = tmp_path / "planted.md"
    planted.write_text("# A page\n\nThe dissertation found everything.\n\n## Section\n", encoding="utf-8")
    assert provenance_problems(page_markdown(planted)) == ["no provenance box"]


def test_checker_fails_a_misplaced_or_incomplete_box():
    good = (":::{admonition} Provenance\n:class: provenance\n\n**What the dissertation states.** a\n\n"
            "**What this kit adds or assumes.** b\n\n**What is synthetic.** c\n:::\n")
    assert provenance_problems("# Title\n\n" + good + "\n## Next\n") == []
    assert provenance_problems("# Title\n\nIntro first.\n\n" + good) == \
        ["the box does not follow the H1 title directly"]
    assert provenance_problems("# Title\n\n" + good.replace("**What is synthetic.** c\n", "")) == \
        ["no part **What is synthetic.** with text"]
    assert provenance_problems("# Title\n\n" + good + good) == ["2 provenance boxes, expected one"]


def test_boxes_quote_only_words_of_the_abstract():
    """A quotation in "What the dissertation states" must be a phrase of the abstract (modulo case,
    punctuation and spacing), so the box cannot put words in the dissertation's mouth."""
    abstract = (ROOT / "book" / "_data" / "seed_abstract.txt").read_text(encoding="utf-8")
    norm = lambda s: re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()  # noqa: E731
    source = norm(abstract)
    for page in part_pages():
        body = BOX.search(page_markdown(page))["body"]
        states = re.search(r"^\*\*What the dissertation states\.\*\* (.*)$", body, re.M)[1]
        for quote in re.findall(r'"([^"]+)"', states):
            for piece in re.split(r"\s*\.\.\.\s*|\s*-\s+", quote):  # an ellipsis or dash joins two phrases
                if len(norm(piece).split()) >= 2:
                    assert norm(piece) in source, f"{page.name}: {piece!r} is not in the abstract"
