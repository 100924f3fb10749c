"""The contributor guide and the reader-facing templates exist and cover what the kit promises.

``_config.yml`` names CONTRIBUTING.md; the "How to cite" and accessibility pages link to the erratum form
with ``{kit-repo}`issues/new?template=erratum.md```, so that template must exist under that name.
"""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

GUIDE = ROOT / "CONTRIBUTING.md"
TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"

#: Topic -> a phrase the guide must contain (each is a section or command readers look for).
TOPICS = {
    "set-up": "## Set-up and the two commands",
    "make book": "make book",
    "make test": "make test",
    "one test file": "pytest tests/",
    "one notebook": "--nbmake notebooks/",
    "a chapter": "## Adding a chapter",
    "a dataset": "## Adding a dataset",
    "an assignment": "## Adding an assignment",
    "a translation": "## Adding a translation",
    "house style": "## House style",
    "MyST": "MyST",
    "provenance": "**Provenance**",
    "glued numbers": "**Glued numbers**",
    "alt text": "**Alt text**",
    "review checklist": "## Review checklist",
    "release procedure": "## Releases",
    "make release": "make release",
    "PDF and EPUB": "make pdf",
    "quizzes": "book/_ext/quiz.py",
}


def test_the_guide_covers_every_topic():
    text = GUIDE.read_text(encoding="utf-8")
    missing = [topic for topic, phrase in TOPICS.items() if phrase not in text]
    assert not missing, f"CONTRIBUTING.md does not cover: {missing}"
    assert "make epub" in text


def test_the_book_config_excludes_the_guide_and_names_existing_files():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "CONTRIBUTING.md" in config["exclude_patterns"]
    for name in ("CONTRIBUTING.md", "CHANGELOG.md", "CITATION.cff"):
        assert (ROOT / name).is_file(), name


def _front_matter(path):
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.DOTALL)
    assert match, f"{path.name} has no YAML front matter"
    return yaml.safe_load(match.group(1)), text[match.end():]


def test_the_erratum_template_linked_from_the_book_exists_and_asks_for_page_version_and_source():
    linked = set()
    for page in (ROOT / "book").rglob("*.md"):
        linked.update(re.findall(r"issues/new\?template=([\w.-]+)", page.read_text(encoding="utf-8")))
    assert "erratum.md" in linked, "no page links to the erratum form"
    for name in linked:
        assert (TEMPLATES / name).is_file(), f"a page links to .github/ISSUE_TEMPLATE/{name}, which does not exist"
    meta, body = _front_matter(TEMPLATES / "erratum.md")
    assert {"name", "about", "title", "labels"} <= set(meta), meta
    for asked in ("**Version**", "**Where**", "**What is wrong**", "your source", "accessibility"):
        assert asked in body, f"the erratum template does not ask for {asked!r}"


def test_the_pull_request_template_repeats_the_review_checklist():
    guide = GUIDE.read_text(encoding="utf-8")
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    checklist = guide.split("## Review checklist", 1)[1].split("\n## ", 1)[0]
    assert checklist.count("- [ ]") >= 6
    for item in ("make test", "glue", "alt text", "CHANGELOG.md", "without outputs"):
        assert item.lower() in template.lower(), f"the PR template lacks {item!r}"
