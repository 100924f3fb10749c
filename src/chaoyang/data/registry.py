"""What datasets exist, how each is generated, written and validated."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chaoyang.world import DEFAULT_WORLD, ITEMS, World


@dataclass(frozen=True)
class DatasetSpec:
    """One published dataset."""

    name: str
    filename: str
    kind: str  # "csv" or "json"
    description: str
    #: Data rows (CSV) or list entries (JSON list) of the kit's committed file; ``None`` when the
    #: file is a dict. :func:`chaoyang.data.load` checks it, so a file cut short at a line end
    #: cannot pass for the kit's data.
    rows: int | None = None


DATASETS: dict[str, DatasetSpec] = {s.name: s for s in [
    DatasetSpec("survey", "survey.csv", "csv", "Resident survey: demographics, 39 attitude items, 6 participation forms.", 1200),
    DatasetSpec("communities", "communities.csv", "csv", "Community attributes and survey aggregates.", 40),
    DatasetSpec("items", "items.csv", "csv", "The survey's item bank: wording (English, Chinese), construct, reverse keying, source.", 45),
    DatasetSpec("interviews", "interviews.json", "json", "Semi-structured interview transcripts with metadata.", 28),
    DatasetSpec("codebook", "codebook.json", "json", "Reference codebook: open codes -> categories -> pathways -> core category."),
    DatasetSpec("coding_gold", "coding_gold.csv", "csv", "Reference (gold) coding of every transcript, character offsets.", 974),
    DatasetSpec("coding_second", "coding_second.csv", "csv", "A second coder's coding of 8 transcripts, for the agreement lesson.", 277),
    DatasetSpec("simulation_defaults", "simulation_defaults.json", "json", "Starting parameters of the simulation, from the planted truth."),
]}


def items_table() -> pd.DataFrame:
    """The item bank as a table (one row per survey item)."""
    return pd.DataFrame([{"column": i.column, "construct": i.construct, "reverse": int(i.reverse),
                          "text_en": i.text_en, "text_zh": i.text_zh, "source": i.source} for i in ITEMS])


def generate_all(world: World = DEFAULT_WORLD, *, seed: int | None = None, n: int = 1200,
                 n_communities: int = 40) -> dict[str, object]:
    """Generate every dataset in memory.

    Parameters
    ----------
    world : World
        The planted truth; default the book's.
    seed : int, optional
        Seed of the survey draw; default ``world.seed``.
    n, n_communities : int
        Survey size (defaults: 1,200 residents in 40 communities).

    Returns
    -------
    dict
        Dataset name -> DataFrame (CSV datasets) or JSON-serializable object.
    """
    from chaoyang.data.simdefaults import simulation_defaults
    from chaoyang.data.survey import generate_communities, generate_survey
    from chaoyang.data.text import build_codebook, build_codings, interviews_table, load_transcripts

    survey, communities = generate_survey(n, n_communities, seed=seed, world=world)
    transcripts = load_transcripts()
    codings = build_codings(transcripts)
    return {
        "survey": survey,
        "communities": generate_communities(survey, communities, world=world,
                                            seed=None if seed is None else seed + 1),
        "items": items_table(),
        "interviews": interviews_table(transcripts),
        "codebook": build_codebook(codings["coding_gold"]),
        "coding_gold": codings["coding_gold"],
        "coding_second": codings["coding_second"],
        "simulation_defaults": simulation_defaults(world),
    }


def serialize(name: str, value) -> bytes:
    """Bytes of a dataset file exactly as committed (UTF-8, LF line ends, stable formatting)."""
    spec = DATASETS[name]
    if spec.kind == "csv":
        buffer = io.StringIO()
        value.to_csv(buffer, index=False, lineterminator="\n")
        return buffer.getvalue().encode("utf-8")
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def write_all(folder: Path, datasets: dict[str, object] | None = None) -> dict[str, str]:
    """Write every dataset into ``folder`` with a ``SHA256SUMS`` file; return name -> sha256."""
    datasets = generate_all() if datasets is None else datasets
    folder.mkdir(parents=True, exist_ok=True)
    sums = {}
    for name, spec in DATASETS.items():
        data = serialize(name, datasets[name])
        (folder / spec.filename).write_bytes(data)
        sums[spec.filename] = hashlib.sha256(data).hexdigest()
    (folder / "SHA256SUMS").write_text("".join(f"{h}  {f}\n" for f, h in sums.items()), encoding="utf-8")
    from chaoyang.data.datasheets import render_datasheet

    for name in DATASETS:
        (folder / f"{name}.md").write_text(render_datasheet(name, datasets), encoding="utf-8")
    return sums
