"""Find, load and validate the kit's datasets from anywhere.

Every load of a kit dataset is checked three ways before you see it:

1. **Structure**: the file is UTF-8, not empty, has data rows after its header, and every CSV
   row has as many fields as the header (a file cut short mid-line fails here, naming the line).
2. **Values** (``validate=True``): columns, types and ranges (the message names file, column and
   CSV line, counting the header as line 1).
3. **Integrity** (``verify=True``): the row count equals the registry's
   (:data:`chaoyang.data.DATASETS`) and the file's SHA-256 equals the line in the folder's
   ``SHA256SUMS``. A file cut short at a line end, or hand-edited, cannot pass for the kit's data.
   Regenerate the kit's data with ``make data``; for your own, edited data pass ``verify=False``
   or load it with ``path=``.

Examples
--------
>>> from chaoyang.data import load
>>> survey = load("survey")
>>> len(survey)
1200
>>> bool(survey["BEL1"].dropna().between(1, 5).all())
True
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from chaoyang.errors import ChaoyangError
from chaoyang.i18n import t
from chaoyang.data.registry import DATASETS, generate_all, serialize
from chaoyang.world import CONSTRUCTS, ITEMS

ENV_VARIABLE = "CHAOYANG_DATA"
CHECKSUM_FILE = "SHA256SUMS"
_REGENERATE = "regenerate the kit's data with `make data` (or `python -m chaoyang.data`)"
_OWN_DATA = "to load your own, edited copy pass verify=False or path=..."


class DatasetError(ChaoyangError, ValueError):
    """A dataset file is missing pieces or holds values out of range; the message names the
    file, column and row (CSV line number, counting the header as line 1)."""


class ChecksumError(DatasetError):
    """A kit dataset differs from its ``SHA256SUMS`` line or row count (edited or cut short)."""


class DatasetNameError(ChaoyangError, KeyError, TypeError):
    """``name`` is not one dataset name (unknown, or not a string); the message lists the names."""

    def __str__(self) -> str:  # KeyError would otherwise print the message inside quotes
        return str(self.args[0]) if self.args else ""


def datasets_dir() -> Path | None:
    """The folder holding the committed datasets, or None if there is none.

    Looked for, in order: the folder named by the ``CHAOYANG_DATA`` environment variable; a
    ``datasets/`` folder with a ``SHA256SUMS`` file in the current folder or any parent (nbmake
    runs each notebook in its own folder); the same next to the installed package (an editable
    install in a checkout).
    """
    override = os.environ.get(ENV_VARIABLE)
    if override:
        path = Path(override)
        if not path.is_dir():
            raise DatasetError(f"{ENV_VARIABLE}={override!r} is not a folder; unset it or point it at datasets/")
        return path
    starts = [Path.cwd(), Path(__file__).resolve()]
    for start in starts:
        for parent in [start, *start.parents]:
            candidate = parent / "datasets"
            if (candidate / CHECKSUM_FILE).is_file():
                return candidate
    return None


@lru_cache(maxsize=1)
def _regenerated() -> dict[str, bytes]:
    print("chaoyang: datasets/ not found; regenerating the datasets from the planted truth (a few seconds).")
    data = generate_all()
    return {name: serialize(name, data[name]) for name in DATASETS}


def _raw_bytes(name: str) -> tuple[bytes, str, Path | None]:
    """Bytes of a dataset, a label for messages, and the file's path (None when regenerated)."""
    folder = datasets_dir()
    spec = DATASETS[name]
    if folder is not None and (folder / spec.filename).is_file():
        path = folder / spec.filename
        return path.read_bytes(), str(path), path
    return _regenerated()[name], f"<regenerated {spec.filename}>", None


def _check_name(name) -> str:
    if not isinstance(name, str):
        shown = repr(name) if len(repr(name)) < 80 else repr(name)[:77] + "..."
        hint = (" - load them one at a time, e.g. {n: load(n) for n in names}"
                if isinstance(name, (list, tuple, set)) else "")
        raise DatasetNameError(f"name must be one dataset name (a str), got {type(name).__name__} {shown}{hint}; "
                               f"available datasets: {', '.join(DATASETS)}")
    if name not in DATASETS:
        raise DatasetNameError(t("unknown dataset {name!r}; available datasets: {known}", name=name,
                                 known=", ".join(DATASETS)))
    return name


def _decode(raw: bytes, source: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise DatasetError(f"{source}: line {line}: byte {raw[error.start:error.start + 1]!r} is not UTF-8 "
                           f"(the kit's files are UTF-8); save the file as UTF-8 or {_REGENERATE}") from None
    if not text.strip():
        raise DatasetError(f"{source}: line 1: the file is empty; {_REGENERATE}")
    return text.removeprefix("\ufeff")


def _check_csv_structure(text: str, source: str) -> None:
    """Refuse a header-only file, duplicated header names and rows with the wrong number of fields."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        dupes = sorted({column for column in header if header.count(column) > 1})
        if dupes:
            raise DatasetError(f"{source}: line 1: duplicated column name(s) {dupes} in the header; "
                               f"rename them or {_REGENERATE}")
        n_rows = 0
        for record in reader:
            if not record:  # a blank line
                continue
            n_rows += 1
            if len(record) != len(header):
                raise DatasetError(f"{source}: line {reader.line_num}: {len(record)} field(s) where the header has "
                                   f"{len(header)} - the file looks cut short or hand-edited; {_REGENERATE}")
    except csv.Error as error:
        raise DatasetError(f"{source}: line {reader.line_num}: not valid CSV ({error}); {_REGENERATE}") from None
    if n_rows == 0:
        raise DatasetError(f"{source}: line 2: the file has a header but no data rows; {_REGENERATE}")


def _expected_digest(path: Path, source: str) -> str:
    sums = path.parent / CHECKSUM_FILE
    if not sums.is_file():
        raise ChecksumError(f"{source}: no {CHECKSUM_FILE} next to it to verify the file against; "
                            f"{_REGENERATE}, or {_OWN_DATA}")
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        digest, _, filename = line.partition("  ")
        if filename.strip() == path.name:
            return digest.strip()
    raise ChecksumError(f"{source}: not listed in {sums}; {_REGENERATE}, or {_OWN_DATA}")


def _verify(name: str, raw: bytes, count: int, source: str, path: Path | None) -> None:
    """Row count against the registry, then SHA-256 against ``SHA256SUMS`` (kit files only)."""
    expected_rows = DATASETS[name].rows
    if expected_rows is not None and count != expected_rows:
        unit = "data rows" if DATASETS[name].kind == "csv" else "entries"
        raise ChecksumError(f"{source}: {count:,} {unit} where the kit's {name} has {expected_rows:,} "
                            f"(datasets/{name}.md) - the file is cut short or edited; {_REGENERATE}, or {_OWN_DATA}")
    if path is None:  # regenerated in memory: nothing on disk to verify
        return
    expected = _expected_digest(path, source)
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected:
        raise ChecksumError(f"{source}: SHA-256 {actual[:12]}... differs from {CHECKSUM_FILE} ({expected[:12]}...) - "
                            f"the file was edited or cut short; {_REGENERATE}, or {_OWN_DATA}")


def load(name: str, *, validate: bool = True, verify: bool = True, path=None):
    """Load one of the kit's datasets (or your own file in the same format).

    Parameters
    ----------
    name : str
        One of ``survey``, ``communities``, ``items``, ``interviews``, ``codebook``,
        ``coding_gold``, ``coding_second``, ``simulation_defaults``.
    validate : bool, default True
        Check columns, types and ranges; a problem raises :class:`DatasetError`.
    verify : bool, default True
        Check that the file is the kit's: its row count equals the registry's and its SHA-256
        equals the line in ``SHA256SUMS`` next to it. Pass ``False`` to load an edited copy.
    path : str or pathlib.Path, optional
        Read this file instead of the kit's (your own data in the dataset's format); it is
        validated (``validate``) but not verified against the kit's checksums.

    Returns
    -------
    pandas.DataFrame or list or dict
        CSV datasets as DataFrames (item answers as nullable integers 1–5, missing as <NA>);
        ``interviews`` as a list of transcript dicts; ``codebook`` and ``simulation_defaults``
        as dicts. A fresh object on every call: changing it never changes the next load.

    Raises
    ------
    DatasetNameError
        (a ``KeyError`` and ``TypeError``) ``name`` is not a dataset name or not a string; the
        message lists the available names.
    DatasetError
        The file is empty, header-only, not UTF-8, has rows with the wrong number of fields, or
        values out of range; the message names the file, column and line.
    ChecksumError
        (a ``DatasetError``) The kit's file has the wrong number of rows or differs from
        ``SHA256SUMS``: regenerate it with ``make data``.
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> from chaoyang.data import load
    >>> survey = load("survey")
    >>> bool(survey["BEL1"].dropna().between(1, 5).all())  # answers are 1-5 where given
    True
    >>> load(["survey"])
    Traceback (most recent call last):
    ...
    chaoyang.data.loader.DatasetNameError: name must be one dataset name (a str), got list ['survey'] - load them one at a time, e.g. {n: load(n) for n in names}; available datasets: survey, communities, items, interviews, codebook, coding_gold, coding_second, simulation_defaults
    """
    name = _check_name(name)
    spec = DATASETS[name]
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise FileNotFoundError(f"no file at {file} (path= of load({name!r}))")
        raw, source, on_disk, verify = file.read_bytes(), str(file), None, False
    else:
        raw, source, on_disk = _raw_bytes(name)
    text = _decode(raw, source)
    if spec.kind == "json":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise DatasetError(f"{source}: line {error.lineno}, column {error.colno}: not valid JSON ({error.msg}); "
                               f"{_REGENERATE}") from None
        _check_json_shape(name, value, source)
        if validate:
            _validate_json(name, value, source)
        if verify:
            _verify(name, raw, len(value) if isinstance(value, list) else 0, source, on_disk)
        return value
    _check_csv_structure(text, source)
    try:
        frame = pd.read_csv(io.StringIO(text), keep_default_na=True, dtype_backend="numpy_nullable")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise DatasetError(f"{source}: cannot be read as CSV ({error}); {_REGENERATE}") from error
    if validate:
        VALIDATORS[name](frame, source)
    if verify:
        _verify(name, raw, len(frame), source, on_disk)
    return frame


def _fail(source: str, column: str, rows, problem: str, fix: str = "regenerate it with `make data`"):
    rows = list(rows)
    where = ", ".join(str(r + 2) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
    raise DatasetError(f"{source}: column {column!r}, line(s) {where}: {problem}; {fix}")


def _require_columns(frame: pd.DataFrame, columns, source: str):
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DatasetError(f"{source}: missing column(s) {missing}; found {list(frame.columns)[:12]}…; "
                           "regenerate it with `make data`")
    extra = [c for c in frame.columns if c not in columns]
    if extra:
        raise DatasetError(f"{source}: unexpected column(s) {extra}; regenerate it with `make data`")


def _integer_range(frame, column, low, high, source, *, allow_missing):
    values = pd.to_numeric(frame[column], errors="coerce")
    bad_type = frame[column].notna() & values.isna()
    if bad_type.any():
        _fail(source, column, frame.index[bad_type], f"non-numeric value {frame[column][bad_type].iloc[0]!r}")
    if not allow_missing and values.isna().any():
        _fail(source, column, frame.index[values.isna()], "missing value")
    present = values.dropna()
    not_whole = present != present.round()
    if not_whole.any():
        _fail(source, column, present.index[not_whole], f"value {present[not_whole].iloc[0]} is not a whole number")
    out = (present < low) | (present > high)
    if out.any():
        _fail(source, column, present.index[out], f"value {present[out].iloc[0]} outside {low}–{high}")


def _validate_survey(frame, source):
    from chaoyang.data.survey import DEMOGRAPHIC_COLUMNS

    _require_columns(frame, [*DEMOGRAPHIC_COLUMNS, *(i.column for i in ITEMS)], source)
    for item in ITEMS:
        _integer_range(frame, item.column, 1, 5, source, allow_missing=True)
    _integer_range(frame, "age", 18, 100, source, allow_missing=False)
    _integer_range(frame, "years_in_community", 0, 90, source, allow_missing=False)
    _integer_range(frame, "party_member", 0, 1, source, allow_missing=False)
    for column, allowed in (("gender", {"female", "male"}), ("hukou", {"local", "non-local"}),
                            ("community_type", {"danwei", "commercial", "resettlement", "rental"})):
        bad = ~frame[column].isin(allowed)
        if bad.any():
            _fail(source, column, frame.index[bad], f"value {frame[column][bad].iloc[0]!r} not in {sorted(allowed)}")
    dup = frame["resident_id"].duplicated()
    if dup.any():
        _fail(source, "resident_id", frame.index[dup], "duplicate resident_id")
    for column in [i.column for i in ITEMS]:
        frame[column] = frame[column].astype("Int64")


def _validate_communities(frame, source):
    required = ["community_id", "community_name", "street", "community_type", "households", "share_renters",
                "community_police", "party_activities_per_year", "police_visits_per_month", "brand_events_per_year",
                "n_surveyed", *[f"mean_{c}" for c in CONSTRUCTS if c not in ("PAR",)], "share_participating_often"]
    _require_columns(frame, required, source)
    for column in [c for c in required if c.startswith("mean_")]:
        values = pd.to_numeric(frame[column], errors="coerce")
        out = values.isna() | (values < 1) | (values > 5)
        if out.any():
            _fail(source, column, frame.index[out], "community means must lie in 1–5")
    for column in ("share_renters", "share_participating_often"):
        values = pd.to_numeric(frame[column], errors="coerce")
        out = values.isna() | (values < 0) | (values > 1)
        if out.any():
            _fail(source, column, frame.index[out], "shares must lie in 0–1")


def _validate_items(frame, source):
    _require_columns(frame, ["column", "construct", "reverse", "text_en", "text_zh", "source"], source)
    unknown = ~frame["construct"].isin(list(CONSTRUCTS))
    if unknown.any():
        _fail(source, "construct", frame.index[unknown], f"unknown construct {frame['construct'][unknown].iloc[0]!r}")


def _validate_coding(frame, source):
    _require_columns(frame, ["segment_id", "document", "start", "end", "code", "coder", "answer", "memo", "text"],
                     source)
    bad = (frame["start"] < 0) | (frame["end"] <= frame["start"])
    if bad.any():
        _fail(source, "start", frame.index[bad], "segments need 0 <= start < end")
    frame["memo"] = frame["memo"].fillna("")


def _check_json_shape(name, value, source):
    """The top-level type of a JSON dataset (a file holding ``null`` or a number is refused)."""
    expected = list if name == "interviews" else dict
    if not isinstance(value, expected) or not value:
        what = "a non-empty list of transcripts" if expected is list else "a non-empty JSON object"
        raise DatasetError(f"{source}: line 1: expected {what}, found {json.dumps(value)[:40]}; {_REGENERATE}")


def _validate_json(name, value, source):
    if name == "interviews":
        for number, doc in enumerate(value):
            if not isinstance(doc, dict):
                raise DatasetError(f"{source}: transcript {number} is not a JSON object; {_REGENERATE}")
            for key in ("id", "role", "community_type", "text", "turns", "holdout"):
                if key not in doc:
                    raise DatasetError(f"{source}: transcript {number} lacks key {key!r}; regenerate it with `make data`")
    elif name == "codebook":
        for key in ("core", "pathways", "categories", "codes"):
            if key not in value:
                raise DatasetError(f"{source}: codebook lacks key {key!r}; regenerate it with `make data`")
    elif name == "simulation_defaults":
        for key in ("paths", "pathway_truth", "community_types"):
            if key not in value:
                raise DatasetError(f"{source}: lacks key {key!r}; regenerate it with `make data`")


VALIDATORS = {"survey": _validate_survey, "communities": _validate_communities, "items": _validate_items,
              "coding_gold": _validate_coding, "coding_second": _validate_coding}
