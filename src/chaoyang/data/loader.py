"""Find, load and validate the kit's datasets from anywhere."""

from __future__ import annotations

import io
import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from chaoyang.errors import ChaoyangError
from chaoyang.data.registry import DATASETS, generate_all, serialize
from chaoyang.world import CONSTRUCTS, ITEMS

ENV_VARIABLE = "CHAOYANG_DATA"


class DatasetError(ChaoyangError, ValueError):
    """A dataset file is missing pieces or holds values out of range; the message names the
    file, column and row (CSV line number, counting the header as line 1)."""


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
            if (candidate / "SHA256SUMS").is_file():
                return candidate
    return None


@lru_cache(maxsize=1)
def _regenerated() -> dict[str, bytes]:
    print("chaoyang: datasets/ not found; regenerating the datasets from the planted truth (a few seconds).")
    data = generate_all()
    return {name: serialize(name, data[name]) for name in DATASETS}


def _raw_bytes(name: str) -> tuple[bytes, str]:
    folder = datasets_dir()
    spec = DATASETS[name]
    if folder is not None and (folder / spec.filename).is_file():
        return (folder / spec.filename).read_bytes(), str(folder / spec.filename)
    return _regenerated()[name], f"<regenerated {spec.filename}>"


def load(name: str, *, validate: bool = True):
    """Load one of the kit's datasets.

    Parameters
    ----------
    name : str
        One of ``survey``, ``communities``, ``items``, ``interviews``, ``codebook``,
        ``coding_gold``, ``coding_second``, ``simulation_defaults``.
    validate : bool, default True
        Check columns, types and ranges; a problem raises :class:`DatasetError`.

    Returns
    -------
    pandas.DataFrame or list or dict
        CSV datasets as DataFrames (item answers as nullable integers 1–5, missing as <NA>);
        ``interviews`` as a list of transcript dicts; ``codebook`` and ``simulation_defaults``
        as dicts. A fresh object on every call: changing it never changes the next load.

    Raises
    ------
    KeyError
        If ``name`` is not a dataset; the message lists the available names.
    DatasetError
        If the file is corrupted or hand-edited (wrong columns, values out of range).

    Examples
    --------
    >>> from chaoyang.data import load
    >>> survey = load("survey")
    >>> bool(survey["BEL1"].dropna().between(1, 5).all())  # answers are 1-5 where given
    True
    """
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; available datasets: {', '.join(DATASETS)}")
    raw, source = _raw_bytes(name)
    spec = DATASETS[name]
    if spec.kind == "json":
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DatasetError(f"{source}: not valid UTF-8 JSON ({error}); regenerate it with `make data`") from error
        if validate:
            _validate_json(name, value, source)
        return value
    try:
        frame = pd.read_csv(io.BytesIO(raw), keep_default_na=True, dtype_backend="numpy_nullable")
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DatasetError(f"{source}: cannot be read as CSV ({error}); regenerate it with `make data`") from error
    if validate:
        VALIDATORS[name](frame, source)
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


def _validate_json(name, value, source):
    if name == "interviews":
        if not isinstance(value, list) or not value:
            raise DatasetError(f"{source}: expected a non-empty list of transcripts; regenerate it with `make data`")
        for number, doc in enumerate(value):
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
