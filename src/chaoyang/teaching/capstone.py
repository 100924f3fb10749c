"""The capstone bundle: every capstone file, its datasheet and checksums, written byte for byte.

Course tooling on top of the library: it combines the generated data (:mod:`chaoyang.data.capstone`)
with the simulated subsidy pilot (:mod:`chaoyang.sim.pilot`). Regenerate the committed files with
``python -m chaoyang.teaching.capstone [FOLDER]`` (default ``datasets/capstone/``).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

from chaoyang.errors import UnknownNameError
from chaoyang.data.capstone import authored_capstone_folder, generate_capstone
from chaoyang.sim.pilot import subsidy_pilot
from chaoyang.world.capstone import CAPSTONE_WORLD, PILOT_DESIGN
from chaoyang.world.truth import World

#: Files written by :func:`write_capstone`, in the order of SHA256SUMS.
CAPSTONE_FILES = ("survey.csv", "communities.csv", "interviews.json", "subsidy_pilot.csv", "README.md")


def _csv_bytes(frame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def render_capstone_datasheet(data: dict) -> str:
    """Fill the capstone datasheet template with counts from ``data`` (never with the truth)."""
    template = (authored_capstone_folder() / "README.template.md").read_text(encoding="utf-8")
    survey, pilot = data["survey"], data["subsidy_pilot"]
    values = {
        "n_rows": len(survey), "n_communities": survey["community_id"].nunique(),
        "streets": ", ".join(sorted(survey["street"].unique())),
        "types": ", ".join(f"{k} ({v})" for k, v in
                           data["communities"]["community_type"].value_counts().sort_index().items()),
        "n_transcripts": len(data["interviews"]),
        "transcripts": "\n".join(f"| {d['id']} | {d['role']} | {d['community_type']} | {d['words']} |"
                                 for d in data["interviews"]),
        "pilot_communities": PILOT_DESIGN["communities"], "pilot_residents": PILOT_DESIGN["residents_per_community"],
        "pilot_days": PILOT_DESIGN["days"], "pilot_stop": PILOT_DESIGN["stop_day"],
        "pay_per_hour": f"{PILOT_DESIGN['pay_per_hour']:.0f}", "pay_per_tip": f"{PILOT_DESIGN['pay_per_tip']:.0f}",
        "pilot_rows": len(pilot),
    }
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", str(value))
    if "{{" in template:
        start = template.index("{{")
        raise UnknownNameError(f"capstone datasheet template uses an unknown placeholder {template[start:start + 30]!r}")
    return template


def capstone_bytes(world: World = CAPSTONE_WORLD) -> dict[str, bytes]:
    """File name -> exact bytes of every capstone file, SHA256SUMS included."""
    data = {**generate_capstone(world), "subsidy_pilot": subsidy_pilot(world)}
    files = {"survey.csv": _csv_bytes(data["survey"]), "communities.csv": _csv_bytes(data["communities"]),
             "interviews.json": (json.dumps(data["interviews"], ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
             "subsidy_pilot.csv": _csv_bytes(data["subsidy_pilot"]),
             "README.md": render_capstone_datasheet(data).encode("utf-8")}
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n"
                                  for name in CAPSTONE_FILES).encode("utf-8")
    return files


def write_capstone(folder) -> dict[str, str]:
    """Write the capstone datasets, datasheet and checksums into ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        Created if missing; existing capstone files are overwritten.

    Returns
    -------
    dict
        File name -> SHA-256 hex digest (every file except SHA256SUMS itself).

    Examples
    --------
    >>> import tempfile
    >>> sums = write_capstone(tempfile.mkdtemp())  # doctest: +SKIP
    >>> sorted(sums)  # doctest: +SKIP
    ['README.md', 'communities.csv', 'interviews.json', 'subsidy_pilot.csv', 'survey.csv']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = capstone_bytes()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: hashlib.sha256(files[name]).hexdigest() for name in CAPSTONE_FILES}


def main(argv=None) -> int:
    """``python -m chaoyang.teaching.capstone [FOLDER]``: regenerate datasets/capstone/ (default)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        folder = Path(argv[0])
    else:
        root = next((p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file()), Path.cwd())
        folder = root / "datasets" / "capstone"
    for name, digest in write_capstone(folder).items():
        print(f"{digest[:12]}  {folder / name}")
    return 0


__all__ = ["CAPSTONE_FILES", "capstone_bytes", "render_capstone_datasheet", "write_capstone"]


if __name__ == "__main__":
    raise SystemExit(main())
