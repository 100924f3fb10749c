"""Read a batch of submissions as an LMS delivers it: a plain folder, a Canvas download or a Moodle download.

:func:`read_submissions` turns a folder (or a downloaded zip) into one :class:`~chaoyang.teaching.records.Submission`
per student, with a stable identifier, the student's name as the LMS gives it, the notebook to grade and,
when a submission cannot be graded, the reason in ``problem``. It never writes into the input: a zip is
read member by member and only the notebooks are extracted, into a separate folder.

Layouts
-------
``"folder"``
    Every ``*.ipynb`` at any depth; the student identifier is the file name without ``.ipynb``
    (``wang_li.ipynb`` -> ``wang_li``). Other files are reported only when a student has no notebook.
``"canvas"``
    Canvas's "Download Submissions" zip (or the folder it unpacks to). Canvas names each file
    ``<name>[_LATE]_<user id>_<attachment id>_<original file name>``, with ``<name>`` the student's
    sortable name lower-cased and stripped of everything but letters, digits and ``_``, ``LATE`` when
    the submission was late, and ``anon_<id>`` instead of the user id under anonymous grading. This is
    Canvas's own code, ``ContentZipper#get_filename`` and ``#add_upload_submission`` in
    ``lib/content_zipper.rb`` of instructure/canvas-lms (checked 2026-12-03); Canvas's user guides do not
    document the names. Text entries and URLs arrive as ``<name>_<user id>_text.html`` / ``_link.html``.
``"moodle"``
    Moodle's "Download all submissions" (assignment module), by default one folder per student and plugin:
    ``<Full Name>_<participant id>_assignsubmission_file_/`` (underscores in the name become spaces; with
    blind marking the name is ``Participant``); older Moodle and the "not in folders" option put the same
    prefix on each file instead. Source: ``mod/assign/locallib.php``, ``download_submissions`` (moodle/moodle,
    checked 2026-12-03). The identifier is Moodle's participant id, which its offline grading worksheet
    uses (see :mod:`chaoyang.teaching.gradebook`).

Neither download carries submission times, so ``submitted_at`` is ``None`` unless :func:`read_submission_times`
supplies them; Canvas's ``LATE`` marker is kept in the file name, and :func:`canvas_late` reads it.

Examples
--------
>>> import json, tempfile
>>> from pathlib import Path
>>> from chaoyang.teaching.lms import read_submissions
>>> folder = Path(tempfile.mkdtemp())
>>> notebook = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
>>> _ = (folder / "wangli_LATE_1234_99_a3_mediation.ipynb").write_text(notebook)
>>> _ = (folder / "zhaomin_5678_98_a3_mediation.ipynb").write_text(notebook)
>>> [(s.student_id, s.student_name, s.problem) for s in read_submissions(folder)]
[('1234', 'wangli', ''), ('5678', 'zhaomin', '')]
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path, PurePosixPath

from chaoyang.errors import ArgumentError, ChaoyangError
from chaoyang.teaching.records import Submission

__all__ = ["LAYOUTS", "SubmissionsError", "read_submissions", "detect_layout", "canvas_late", "read_submission_times",
           "MAX_NOTEBOOK_BYTES"]

LAYOUTS = ("auto", "folder", "canvas", "moodle")

#: A notebook larger than this (bytes) is not graded: ``problem`` says so. Submitted notebooks are stored
#: without heavy outputs; 20 MB leaves room for a few figures.
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

#: Files and folders every layout ignores (operating-system and Jupyter litter).
_IGNORED = re.compile(r"^(\.|__MACOSX$|Thumbs\.db$|desktop\.ini$)")

# Canvas: <name>_[LATE_]<user id | anon_id>_<attachment id>_<file>   (lib/content_zipper.rb); names are
# lower-cased there, so an upper-case LATE_ at the start is the marker of an anonymous submission, not a name
_CANVAS_FILE = re.compile(r"^(?:(?!LATE_)(?P<name>.*?)_)?(?P<late>LATE_)?(?P<uid>anon_[A-Za-z0-9]+|\d+)_(?P<att>\d+)_(?P<file>.+)$")
_CANVAS_TEXT = re.compile(r"^(?:(?!LATE_)(?P<name>.*?)_)?(?P<late>LATE_)?(?P<uid>anon_[A-Za-z0-9]+|\d+)_(?P<file>text\.html|link\.html)$")
# Moodle: <Full Name>_<participant id>_assignsubmission_<plugin>_[<file>]   (mod/assign/locallib.php)
_MOODLE_DIR = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")
_MOODLE_FILE = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$")


class SubmissionsError(ChaoyangError, ValueError):
    """The submissions cannot be read at all (missing path, unreadable zip); the message says what to do."""


def read_submissions(path: Path, layout: str = "auto", *, extract_to: Path | None = None,
                     times: dict | None = None) -> list[Submission]:
    """One :class:`~chaoyang.teaching.records.Submission` per student found under ``path``.

    Parameters
    ----------
    path : pathlib.Path
        A folder of submissions, or a zip downloaded from Canvas or Moodle. Never written to.
    layout : {"auto", "folder", "canvas", "moodle"}
        How the LMS named the files (see the module docstring). ``"auto"`` picks ``"moodle"`` when a name
        contains ``_assignsubmission_``, ``"canvas"`` when every notebook (and zip) is named like a Canvas download, else
        ``"folder"``.
    extract_to : pathlib.Path, optional
        Where notebooks taken out of zips are written (a new temporary folder by default; the caller may
        delete it after grading). Must not lie inside ``path``.
    times : dict of str -> datetime, optional
        Submission times by student identifier (e.g. from :func:`read_submission_times`); each must be
        timezone-aware.

    Returns
    -------
    list of Submission
        Sorted by student identifier. A student whose submission cannot be graded (no notebook, several
        notebooks, not a notebook, a corrupt zip or notebook, too large) has ``notebook=None`` and the reason
        in ``problem``. An empty folder gives an empty list.

    Raises
    ------
    SubmissionsError
        If ``path`` does not exist or is a file that is not a readable zip.
    chaoyang.errors.ArgumentError
        If ``layout`` is unknown or ``extract_to`` lies inside ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "Wang Li_100234_assignsubmission_file_").mkdir()
    >>> _ = (folder / "Wang Li_100234_assignsubmission_file_" / "essay.pdf").write_text("%PDF")
    >>> [(s.student_id, s.student_name, s.problem) for s in read_submissions(folder, layout="moodle")]
    [('100234', 'Wang Li', 'not a notebook: essay.pdf')]
    """
    if layout not in LAYOUTS:
        raise ArgumentError(f"layout={layout!r} is not one of {LAYOUTS}")
    path = Path(path)
    if not path.exists():
        raise SubmissionsError(f"submissions path {path} does not exist; give the folder or zip downloaded from the LMS")
    extract_root = Path(extract_to) if extract_to is not None else Path(tempfile.mkdtemp(prefix="chaoyang-submissions-"))
    if path.is_dir() and _inside(extract_root, path):
        raise ArgumentError(f"extract_to={extract_root} lies inside the submissions folder {path}; "
                            "choose a folder outside it (the submissions are never written to)")
    if path.is_file():
        entries = _zip_entries(path)
    else:
        entries = _folder_entries(path)
    if layout == "auto":
        layout = detect_layout([e.relative for e in entries])
    groups = {"folder": _group_folder, "canvas": _group_canvas, "moodle": _group_moodle}[layout](entries)
    submissions = []
    for key in sorted(groups, key=_natural_key):
        student_id, name, files = groups[key]
        notebook, problem = _resolve(student_id, files, extract_root)
        submitted = (times or {}).get(student_id)
        if submitted is not None and (not isinstance(submitted, datetime) or submitted.tzinfo is None):
            raise ArgumentError(f"times[{student_id!r}] = {submitted!r} is not a timezone-aware datetime")
        submissions.append(Submission(student_id=student_id, student_name=name, notebook=notebook,
                                      submitted_at=submitted, problem=problem))
    return submissions


def detect_layout(names) -> str:
    """The layout a list of relative file names looks like: ``"moodle"``, ``"canvas"`` or ``"folder"``.

    Parameters
    ----------
    names : iterable of str
        Relative paths (``/``-separated) of the files in the download.

    Returns
    -------
    str

    Examples
    --------
    >>> detect_layout(["Wang Li_1_assignsubmission_file_/a.ipynb"])
    'moodle'
    >>> detect_layout(["wangli_1234_99_a3.ipynb", "zhaomin_LATE_5678_98_a3.ipynb"])
    'canvas'
    >>> detect_layout(["wang_li.ipynb"])
    'folder'
    """
    names = [str(n) for n in names]
    if any("_assignsubmission_" in part for n in names for part in PurePosixPath(n).parts):
        return "moodle"
    # a stray README does not make a download a plain folder: look at the notebooks (and zips) only
    files = [PurePosixPath(n).name for n in names if PurePosixPath(n).suffix.lower() in (".ipynb", ".zip")]
    if files and all(_CANVAS_FILE.match(f) for f in files):
        return "canvas"
    return "folder"


def canvas_late(submission: Submission) -> bool | None:
    """Whether Canvas marked the submission late (``_LATE_`` in its file name); ``None`` if not a Canvas file.

    Examples
    --------
    >>> from pathlib import Path
    >>> from chaoyang.teaching.records import Submission
    >>> canvas_late(Submission("1234", "wangli", Path("wangli_LATE_1234_99_a3.ipynb")))
    True
    >>> canvas_late(Submission("wang_li", "", Path("wang_li.ipynb"))) is None
    True
    """
    if submission.notebook is None:
        return None
    match = _CANVAS_FILE.match(Path(submission.notebook).name)
    if not match:
        return None
    return bool(match["late"])


def read_submission_times(csv_path: Path, *, tz: str | None = None) -> dict:
    """Submission times by student identifier, from a CSV the LMS exports.

    Reads either a plain two-column file (``student_id``, ``submitted_at`` as ISO 8601 with a time zone) or
    Moodle's offline grading worksheet (``Identifier`` = ``Participant <id>``, ``Last modified (submission)``).
    Rows without a time are skipped. Moodle writes times in words in the user's time zone (English interface:
    ``Tuesday, 1 December 2026, 11:59 PM``); such times need ``tz``.

    Parameters
    ----------
    csv_path : pathlib.Path
    tz : str, optional
        IANA time zone of times written without one (e.g. ``"Asia/Shanghai"``, the Moodle user's zone).

    Returns
    -------
    dict of str -> datetime
        Timezone-aware times (a time without a zone is refused: a deadline comparison would be off by hours).

    Raises
    ------
    SubmissionsError
        If the columns are missing or a time cannot be read; the message names the row.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "times.csv"
    >>> _ = path.write_text("student_id,submitted_at\\n1234,2026-11-30T23:59:00+08:00\\n")
    >>> read_submission_times(path)["1234"].isoformat()
    '2026-11-30T23:59:00+08:00'
    """
    with Path(csv_path).open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}
    columns = set(rows[0])
    if {"student_id", "submitted_at"} <= columns:
        id_column, time_column = "student_id", "submitted_at"
    elif {"Identifier", "Last modified (submission)"} <= columns:
        id_column, time_column = "Identifier", "Last modified (submission)"
    else:
        raise SubmissionsError(f"{csv_path}: expected columns student_id,submitted_at (or Moodle's Identifier, "
                               f"Last modified (submission)); found {sorted(columns)}")
    times = {}
    for number, row in enumerate(rows, start=2):
        raw_id, raw_time = (row.get(id_column) or "").strip(), (row.get(time_column) or "").strip()
        if not raw_id or not raw_time or raw_time == "-":
            continue
        student_id = re.sub(r"^Participant\s*", "", raw_id)
        when = _parse_time(raw_time)
        if when is None:
            raise SubmissionsError(f"{csv_path} line {number}: cannot read the time {raw_time!r}; "
                                   "write it as ISO 8601 with a zone, e.g. 2026-11-30T23:59:00+08:00") from None
        if when.tzinfo is None:
            if tz is None:
                raise SubmissionsError(f"{csv_path} line {number}: the time {raw_time!r} has no time zone; add one "
                                       "(e.g. +08:00 or Z) or pass tz= (e.g. tz='Asia/Shanghai')")
            from zoneinfo import ZoneInfo

            when = when.replace(tzinfo=ZoneInfo(tz))
        times[student_id] = when
    return times


#: Moodle's English date formats (langconfig ``strftimedaydatetime``, ``strftimedatetime``), tried after ISO 8601.
_MOODLE_TIME_FORMATS = ("%A, %d %B %Y, %I:%M %p", "%d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M", "%d %B %Y, %H:%M")


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _MOODLE_TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


# -- reading the input -------------------------------------------------------------------------------------------

class _Entry:
    """One file of the download: its relative path, and how to get its bytes (a file or a zip member)."""

    __slots__ = ("relative", "size", "source", "member")

    def __init__(self, relative: str, size: int, source: Path, member: str | None = None):
        self.relative, self.size, self.source, self.member = relative, size, source, member

    @property
    def name(self) -> str:
        return PurePosixPath(self.relative).name

    def read(self, limit: int) -> bytes:
        if self.member is None:
            with open(self.source, "rb") as handle:
                return handle.read(limit + 1)
        with zipfile.ZipFile(self.source) as archive, archive.open(self.member) as handle:
            return handle.read(limit + 1)


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def _ignored(relative: str) -> bool:
    return any(_IGNORED.match(part) or part == ".ipynb_checkpoints" for part in PurePosixPath(relative).parts)


def _folder_entries(folder: Path) -> list[_Entry]:
    entries = []
    for file in sorted(folder.rglob("*")):
        relative = file.relative_to(folder).as_posix()
        if file.is_file() and not file.is_symlink() and not _ignored(relative):
            entries.append(_Entry(relative, file.stat().st_size, file))
    return entries


def _zip_entries(archive_path: Path) -> list[_Entry]:
    try:
        with zipfile.ZipFile(archive_path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionsError(f"{archive_path} is not a readable zip ({error}); download it again from the LMS, "
                               "or give the folder it unpacks to") from None
    entries = []
    for info in infos:
        relative = info.filename.replace("\\", "/").lstrip("/")
        if info.is_dir() or _ignored(relative) or ".." in PurePosixPath(relative).parts:
            continue  # a member named ../x would escape any folder it is extracted to: never extracted
        entries.append(_Entry(relative, info.file_size, archive_path, info.filename))
    return entries


# -- grouping the files by student -------------------------------------------------------------------------------

def _group_folder(entries):
    groups = defaultdict(list)
    for entry in entries:
        groups[PurePosixPath(entry.name).stem].append(entry)
    # a student is a notebook's stem; other files only matter when they are all a stem has
    return {stem: (stem, "", files) for stem, files in groups.items()}


def _group_canvas(entries):
    groups: dict = {}
    for entry in entries:
        match = _CANVAS_FILE.match(entry.name) or _CANVAS_TEXT.match(entry.name)
        if not match:
            stem = PurePosixPath(entry.name).stem
            groups.setdefault(stem, (stem, "", []))[2].append(entry)
            continue
        uid = match["uid"]
        groups.setdefault(uid, (uid, match["name"] or "", []))[2].append(entry)
    return groups


def _group_moodle(entries):
    groups: dict = {}
    for entry in entries:
        parts = PurePosixPath(entry.relative).parts
        match = None
        for part in parts[:-1]:
            match = _MOODLE_DIR.match(part)
            if match:
                break
        if match is None:
            match = _MOODLE_FILE.match(entry.name)
        if match is None:
            stem = PurePosixPath(entry.name).stem
            groups.setdefault(stem, (stem, "", []))[2].append(entry)
            continue
        uid = match["uid"]
        groups.setdefault(uid, (uid, match["name"].strip(), []))[2].append(entry)
    return groups


# -- one student's files -> notebook or problem ------------------------------------------------------------------

def _resolve(student_id: str, entries: list[_Entry], extract_root: Path) -> tuple[Path | None, str]:
    notebooks: list[tuple[str, object]] = []   # (display name, _Entry or (zip entry, member name))
    others, problems = [], []
    for entry in entries:
        suffix = PurePosixPath(entry.name).suffix.lower()
        if suffix == ".ipynb":
            notebooks.append((entry.name, entry))
        elif suffix == ".zip":
            # students often zip their notebook: look inside (never extracting anything but the notebook)
            inner, problem = _notebooks_in_student_zip(entry)
            if problem:
                problems.append(problem)
            notebooks += inner
            if not inner and not problem:
                others.append(entry.name)
        elif entry.name not in ("onlinetext.html",):
            others.append(entry.name)
    if len(notebooks) > 1:
        return None, f"{len(notebooks)} notebooks: {', '.join(sorted(n for n, _ in notebooks))} (submit exactly one)"
    if not notebooks:
        if problems:
            return None, "; ".join(problems)
        if others:
            return None, "not a notebook: " + ", ".join(sorted(others))
        return None, "no notebook"
    name, source = notebooks[0]
    data, problem = _read_notebook(name, source)
    if problem:
        return None, problem
    if isinstance(source, _Entry) and source.member is None:
        return source.source, ""  # a plain file: graded from where it is (the grader copies it first)
    target_dir = extract_root / _safe(student_id)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / _safe(PurePosixPath(name).name)
    target.write_bytes(data)
    return target, ""


def _notebooks_in_student_zip(entry: _Entry):
    if entry.size > 5 * MAX_NOTEBOOK_BYTES:
        return [], f"zip too large: {entry.name} ({entry.size / 2**20:.0f} MB)"
    import io

    data = entry.read(5 * MAX_NOTEBOOK_BYTES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".ipynb")
                   and not _ignored(i.filename)]
    except zipfile.BadZipFile as error:
        return [], f"corrupt zip: {entry.name} ({error})"
    return [(f"{entry.name}:{m.filename}", (archive, m)) for m in members], ""


def _read_notebook(name: str, source) -> tuple[bytes, str]:
    if isinstance(source, _Entry):
        if source.size > MAX_NOTEBOOK_BYTES:
            return b"", f"notebook too large: {name} ({source.size / 2**20:.1f} MB > {MAX_NOTEBOOK_BYTES / 2**20:.0f} MB)"
        data = source.read(MAX_NOTEBOOK_BYTES)
    else:
        archive, info = source
        if info.file_size > MAX_NOTEBOOK_BYTES:
            return b"", f"notebook too large: {name} ({info.file_size / 2**20:.1f} MB > {MAX_NOTEBOOK_BYTES / 2**20:.0f} MB)"
        try:
            with archive.open(info) as handle:
                data = handle.read(MAX_NOTEBOOK_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError) as error:
            return b"", f"corrupt zip member: {name} ({error})"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return b"", f"notebook too large: {name} (> {MAX_NOTEBOOK_BYTES / 2**20:.0f} MB)"
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return b"", f"not a valid notebook: {name} ({type(error).__name__}: {str(error)[:80]})"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return b"", f"not a valid notebook: {name} (no list of cells)"
    return data, ""


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^\w.\-]+", "_", name).strip("._")
    return cleaned or "unnamed"


def _natural_key(name: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name))]
