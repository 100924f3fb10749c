"""The repository URL is written once (``_config.yml``, ``repository.url``) and every use reads it from there.

Uses: the theme's launch buttons (Colab, Binder), the Colab install line (``{kit-install}`` in
book/how-to-use.md), links to the erratum form (``{kit-repo}``) and the citation (book/appendix/cite.md).
A fork changes that one line. The scan below fails on a second copy of the URL anywhere in the repository
and on placeholder addresses such as ``git+<the kit's repository URL>``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import book_release  # noqa: E402

CONFIG = "_config.yml"
#: Placeholder addresses that must never reach readers. Written with character classes so that this file does
#: not match its own patterns.
PLACEHOLDERS = [
    re.compile(r"git\+[<]"),                                         # git+<...>
    re.compile(r"[<][^>\n]{0,40}repositor(?:y|ies)[^>\n]{0,20}[>]", re.IGNORECASE),  # <the kit's repository URL>
    re.compile(r"github\.com/(?:your|my|user|username|owner|org|example|someone)[-_\w]*/", re.IGNORECASE),
    re.compile(r"\bYOUR[-_ ](?:USER(?:NAME)?|ORG(?:ANI[SZ]ATION)?|REPO(?:SITORY)?)\b"),
]
#: Folders that hold generated or installed files, never the kit's sources.
SKIP_DIRS = {".git", ".venv", "_build", "node_modules", ".pytest_cache", ".hypothesis", ".jupyter_cache",
             ".mathjax_static", "__pycache__", "dist"}


def repository_files(root: Path) -> list[Path]:
    """Every file of the repository: ``git ls-files`` in a checkout, else a walk that skips build folders."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=root, capture_output=True, check=True, timeout=60).stdout
        return sorted({root / name for name in listed.decode("utf-8").split("\0") if name and (root / name).is_file()})
    except (OSError, subprocess.CalledProcessError):
        return sorted(p for p in root.rglob("*") if p.is_file() and not SKIP_DIRS & set(p.relative_to(root).parts))


#: This file spells the placeholders out to test the scan; it is the only file the placeholder scan skips.
SELF = Path(__file__).resolve()


def url_findings(files: list[Path], root: Path, url: str) -> tuple[list[str], list[str]]:
    """Return (files that hold ``url`` other than _config.yml or hold it twice, placeholder hits).

    ``url`` is matched without its scheme and trailing ``.git`` (``github.com/owner/name``), so ``http://``,
    ``git+https://`` or ``git@github.com:owner/name`` spellings of the same address are copies too.
    """
    bare = re.sub(r"^[a-z+]+://", "", url).removesuffix(".git").rstrip("/")
    host, _, path = bare.partition("/")
    copy = re.compile(re.escape(host) + r"[/:]" + re.escape(path) + r"(?![-\w])", re.IGNORECASE)
    copies, placeholders = [], []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files (images, zips) cannot hold a readable URL
        name = str(file.relative_to(root))
        found = len(copy.findall(text))
        if found and not (name == CONFIG and found == 1):
            copies.append(f"{name}: {found} cop{'y' if found == 1 else 'ies'}")
        for pattern in PLACEHOLDERS if file.resolve() != SELF else []:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                placeholders.append(f"{name}:{line}: {match.group(0)!r}")
    return copies, placeholders


def test_the_url_is_set_in_the_config():
    url = book_release.read_repository_url(ROOT)
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url


def test_no_second_copy_and_no_placeholder_anywhere():
    url = book_release.read_repository_url(ROOT)
    copies, placeholders = url_findings(repository_files(ROOT), ROOT, url)
    assert not copies, (f"the repository URL is written outside {CONFIG} (read it from repository.url instead: "
                        "{kit-install}, {kit-repo}, launch buttons):\n  " + "\n  ".join(copies))
    assert not placeholders, "placeholder addresses:\n  " + "\n  ".join(placeholders)


def test_the_scan_finds_planted_copies_and_placeholders(tmp_path):
    url = "https://github.com/acme/kit"
    (tmp_path / CONFIG).write_text(f"repository:\n  url: {url}\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("Clone git@github.com:acme/kit.git or https://github.com/acme/kit-two\n",
                                        encoding="utf-8")
    (tmp_path / "page.md").write_text("Run `pip install git+" + "<the kit's repository URL>`\n", encoding="utf-8")
    (tmp_path / "other.md").write_text("See github.com/" + "your-org/kit.\n", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    files = repository_files(tmp_path)
    copies, placeholders = url_findings(files, tmp_path, url)
    assert copies == ["README.md: 1 copy"], copies  # kit-two is another repository
    assert len([p for p in placeholders if p.startswith("page.md:1")]) == 2, placeholders
    assert any(p.startswith("other.md:1") for p in placeholders), placeholders
    (tmp_path / CONFIG).write_text(f"repository:\n  url: {url}\n# mirror: {url}\n", encoding="utf-8")
    assert f"{CONFIG}: 2 copies" in url_findings(files, tmp_path, url)[0]


def test_readme_says_where_the_url_lives():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "repository.url" in readme and CONFIG in readme and "fork" in readme.lower()


def test_the_install_line_uses_the_configured_url():
    url = book_release.read_repository_url(ROOT)
    assert book_release.install_line(url) == f'!pip install "chaoyang[full] @ git+{url}"'
    assert "```{kit-install}" in (ROOT / "book" / "how-to-use.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# In the built site (slow)
# --------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.xdist_group("book")
def test_built_pages_use_the_configured_url(built_book):
    url = book_release.read_repository_url(ROOT)
    how_to = (built_book / "book" / "how-to-use.html").read_text(encoding="utf-8")
    assert f"chaoyang[full] @ git+{url}" in how_to.replace("&quot;", '"'), "the Colab install line is missing"
    owner_repo = url.removeprefix("https://github.com/")
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    notebooks = re.findall(r"file:\s*(notebooks/\S+)", toc)
    assert notebooks
    for page in notebooks:
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        colab = f"https://colab.research.google.com/github/{owner_repo}/blob/main/{page}.ipynb"
        assert colab in html, f"{page}: no Colab launch button for {colab}"
    cite = (built_book / "book" / "appendix" / "cite.html").read_text(encoding="utf-8")
    assert f'href="{url}/issues/new?template=erratum.md"' in cite
