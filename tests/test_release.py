"""Release checks: the version, the changelog, the citation and the site agree; CITATION.cff is valid.

The version is written once, in ``pyproject.toml``. ``chaoyang.__version__``, the newest dated section of
``CHANGELOG.md`` (Keep a Changelog 1.1.0), ``CITATION.cff`` (Citation File Format 1.2.0) and the footer of
every built page must say the same. ``make release`` runs this file after building the wheel, the sdist and
the site, with ``CHAOYANG_BUILT_SITE=_build/html`` and ``CHAOYANG_DIST=dist`` so nothing is built twice.

CITATION.cff is validated with ``jsonschema`` against the CFF 1.2.0 schema shipped inside the pinned
``cffconvert`` wheel (the reference validator of the format). cffconvert itself is not installed: version
2.0.0 requires ``jsonschema<4``, which would break nbformat; its wheel is downloaded with ``--no-deps`` and
only the schema is read from it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile

import pytest
import yaml

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import book_release  # noqa: E402

import chaoyang  # noqa: E402
from chaoyang import _version  # noqa: E402

#: The reference CFF validator; only its bundled schema is used (see the module docstring).
CFFCONVERT_PIN = "cffconvert==2.0.0"
CFF_SCHEMA_IN_WHEEL = "cffconvert/schemas/1.2.0/schema.json"

#: Semantic Versioning 2.0.0, core and optional pre-release (https://semver.org/spec/v2.0.0.html).
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$")
#: A release heading of Keep a Changelog: "## [1.0.0] - 2026-12-03".
RELEASE_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})\s*$")
#: The change types Keep a Changelog 1.1.0 allows under a release.
CHANGE_TYPES = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}

DIST_ENV = "CHAOYANG_DIST"


def pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def changelog_releases(text: str) -> list[tuple[str, str]]:
    """Return (version, date) of every dated release heading, in file order."""
    return [(m["version"], m["date"]) for line in text.splitlines() if (m := RELEASE_HEADING.match(line))]


def changelog_problems(text: str) -> list[str]:
    """Return what keeps ``text`` from being a Keep a Changelog 1.1.0 file with releases newest first."""
    problems = []
    lines = text.splitlines()
    if not lines or lines[0].strip() != "# Changelog":
        problems.append("the first line must be '# Changelog'")
    second_level = [line for line in lines if line.startswith("## ")]
    if not second_level or second_level[0].strip() != "## [Unreleased]":
        problems.append("the first section must be '## [Unreleased]'")
    for line in second_level[1:]:
        if not RELEASE_HEADING.match(line):
            problems.append(f"not a release heading '## [X.Y.Z] - YYYY-MM-DD': {line!r}")
    for line in lines:
        if line.startswith("### ") and line[4:].strip() not in CHANGE_TYPES:
            problems.append(f"unknown change type {line!r}; use one of {sorted(CHANGE_TYPES)}")
    releases = changelog_releases(text)
    for version, date in releases:
        if not SEMVER.match(version):
            problems.append(f"{version!r} is not a semantic version")
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            problems.append(f"{date!r} is not a date")
    keys = [tuple(int(p) for p in v.split("-")[0].split(".")) for v, _ in releases if SEMVER.match(v)]
    if keys != sorted(keys, reverse=True) or len(set(keys)) != len(keys):
        problems.append(f"releases are not newest first without repeats: {[v for v, _ in releases]}")
    dates = [d for _, d in releases]
    if dates != sorted(dates, reverse=True):
        problems.append(f"release dates are not newest first: {dates}")
    return problems


# --------------------------------------------------------------------------------------------------
# The version
# --------------------------------------------------------------------------------------------------
def test_version_is_semantic():
    assert SEMVER.match(pyproject_version()), pyproject_version()


def test_the_library_reports_the_pyproject_version():
    assert chaoyang.__version__ == pyproject_version()


def test_version_reader_ignores_another_projects_pyproject(tmp_path):
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "not-chaoyang"\nversion = "9.9.9"\n', encoding="utf-8")
    assert _version.version_from_pyproject(other) is None
    assert _version.version_from_pyproject(tmp_path / "missing.toml") is None


def test_outside_a_checkout_the_version_comes_from_the_installed_metadata(monkeypatch, tmp_path):
    import importlib.metadata

    monkeypatch.setattr(_version, "PYPROJECT", tmp_path / "absent.toml")
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "7.7.7" if name == "chaoyang" else "0")
    assert _version.kit_version() == "7.7.7"

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert _version.kit_version() == "0+unknown"


# --------------------------------------------------------------------------------------------------
# The changelog
# --------------------------------------------------------------------------------------------------
def test_changelog_follows_keep_a_changelog():
    problems = changelog_problems((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert not problems, "CHANGELOG.md:\n  " + "\n  ".join(problems)


def test_changelog_checker_catches_planted_mistakes():
    good = "# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2026-02-01\n\n### Fixed\n\n- x\n\n## [1.0.0] - 2026-01-01\n"
    assert changelog_problems(good) == []
    assert changelog_releases(good) == [("1.1.0", "2026-02-01"), ("1.0.0", "2026-01-01")]
    swapped = good.replace("1.1.0", "0.9.0")
    assert any("newest first" in p for p in changelog_problems(swapped))
    assert any("change type" in p for p in changelog_problems(good.replace("### Fixed", "### Misc")))
    assert any("Unreleased" in p for p in changelog_problems(good.replace("## [Unreleased]\n", "")))
    assert any("release heading" in p for p in changelog_problems(good.replace("## [1.0.0] - 2026-01-01", "## 1.0.0")))


def test_newest_release_in_the_changelog_is_the_pyproject_version():
    releases = changelog_releases((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert releases, "CHANGELOG.md has no dated release"
    assert releases[0][0] == pyproject_version(), (
        f"pyproject.toml says {pyproject_version()}, the newest changelog release is {releases[0][0]}: "
        "add a '## [X.Y.Z] - YYYY-MM-DD' section for the new version")


# --------------------------------------------------------------------------------------------------
# The citation
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def citation() -> dict:
    return book_release.read_citation(ROOT)


@pytest.fixture(scope="module")
def cff_schema(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("cffconvert")
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder),
                             CFFCONVERT_PIN], capture_output=True, text=True, timeout=300)
    wheels = sorted(folder.glob("cffconvert-*.whl"))
    if result.returncode != 0 or not wheels:
        pytest.fail(f"could not download {CFFCONVERT_PIN} (needs the package index pip is configured with):\n"
                    f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        return json.loads(wheel.read(CFF_SCHEMA_IN_WHEEL))


def cff_errors(schema: dict, data: dict) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(data)]


def test_citation_is_valid_cff_1_2_0(citation, cff_schema):
    assert citation["cff-version"] == "1.2.0"
    assert "1.2.0" in cff_schema.get("$id", "") or "1.2.0" in json.dumps(cff_schema)[:2000]
    errors = cff_errors(cff_schema, citation)
    assert not errors, "CITATION.cff:\n  " + "\n  ".join(errors)


def test_the_schema_rejects_broken_citations(citation, cff_schema):
    no_authors = {k: v for k, v in citation.items() if k != "authors"}
    assert any("authors" in e for e in cff_errors(cff_schema, no_authors))
    bad_date = dict(citation, **{"date-released": "3 December 2026"})
    assert any("date-released" in e for e in cff_errors(cff_schema, bad_date))
    bad_licence = dict(citation, license="MIT-ish")
    assert cff_errors(cff_schema, bad_licence)


def test_citation_agrees_with_pyproject_changelog_and_book(citation):
    releases = changelog_releases((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert citation["version"] == pyproject_version()
    assert (citation["version"], citation["date-released"]) == releases[0], (
        "CITATION.cff version/date-released must match the newest CHANGELOG.md release")
    assert citation["title"] == config["title"], "CITATION.cff title differs from _config.yml title"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert set(citation["license"]) == set(pyproject["license"].split(" AND ")), "licences differ from pyproject"


def test_citation_formats_from_a_hand_written_record():
    # Expected strings written by hand from APA 7 (reference list, software/book with version) and BibTeX rules.
    record = {"title": "A Kit", "type": "software", "version": "2.1.0", "date-released": "2025-03-09",
              "authors": [{"family-names": "Tian", "given-names": "Yi Xin"}, {"name": "The Team"},
                          {"family-names": "Li", "given-names": "M."}]}
    url = "https://example.org/kit"
    assert book_release.apa_text(record, url) == (
        "Tian, Y. X., The Team, & Li, M. (2025). *A Kit* (Version 2.1.0) [Open textbook and computer software]. "
        "https://example.org/kit")
    assert book_release.bibtex(record, url) == (
        "@misc{chaoyang_kit_2025,\n"
        "  author = {Tian, Yi Xin and {The Team} and Li, M.},\n"
        "  title = {{A Kit}},\n"
        "  year = {2025},\n"
        "  month = mar,\n"
        "  version = {2.1.0},\n"
        "  note = {Version 2.1.0, released 2025-03-09},\n"
        "  url = {https://example.org/kit}\n"
        "}\n")


def test_cite_page_is_generated_from_the_citation_file():
    page = (ROOT / "book" / "appendix" / "cite.md").read_text(encoding="utf-8")
    for style in ("apa", "bibtex", "summary"):
        assert f"```{{kit-citation}} {style}" in page, f"cite.md does not render the {style} form"
    # A typed version or title would drift from CITATION.cff at the next release.
    assert pyproject_version() not in page and "@misc{" not in page
    assert "book/appendix/cite" in (ROOT / "_toc.yml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# The built site and the release files (slow: they need the book build or `python -m build`)
# --------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.xdist_group("book")
def test_every_page_shows_the_version(built_book):
    expected = f'Version <span class="kit-version-number">{pyproject_version()}</span>'
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = ["book/index"] + re.findall(r"file:\s*(\S+)", toc)
    missing = [p for p in pages if expected not in (built_book / f"{p}.html").read_text(encoding="utf-8")]
    assert not missing, f"pages whose footer does not show version {pyproject_version()}: {missing}"


@pytest.mark.slow
@pytest.mark.xdist_group("book")
def test_cite_page_shows_the_citation_with_the_repository_url(built_book, citation):
    import html as html_module

    page = (built_book / "book" / "appendix" / "cite.html").read_text(encoding="utf-8")
    text = html_module.unescape(re.sub(r"<[^>]+>", "", page))  # the BibTeX block is split into highlighted spans
    url = book_release.read_repository_url(ROOT)
    assert book_release.bibtex(citation, url) in text
    assert book_release.apa_text(citation, url).replace("*", "") in text
    assert f"<em>{citation['title']}</em>" in page, "the APA title is not in italics"
    assert f'href="{url}"' in page, "the URL in the APA reference is not a link"
    assert f"Version {citation['version']}, released {citation['date-released']}" in text


@pytest.mark.slow
def test_wheel_and_sdist_carry_the_version(tmp_path_factory):
    from _dist import built_dist

    dist = built_dist(tmp_path_factory, os.environ.get(DIST_ENV))
    version = pyproject_version()
    wheels = sorted(p.name for p in dist.glob("chaoyang-*.whl"))
    sdists = sorted(p.name for p in dist.glob("chaoyang-*.tar.gz"))
    assert wheels == [f"chaoyang-{version}-py3-none-any.whl"], wheels
    assert sdists == [f"chaoyang-{version}.tar.gz"], sdists
    with zipfile.ZipFile(dist / wheels[0]) as wheel:
        metadata = wheel.read(f"chaoyang-{version}.dist-info/METADATA").decode("utf-8")
    assert f"\nVersion: {version}\n" in metadata


def test_docstring_examples_run():
    import doctest

    for module in (_version, book_release):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, (module.__name__, result)
