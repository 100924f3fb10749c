"""Generators of the capstone district's survey, communities and interview transcripts.

The capstone's truth is declared in :mod:`chaoyang.world.capstone`; its subsidy pilot is simulated by
:mod:`chaoyang.sim.pilot`; :mod:`chaoyang.teaching.capstone` writes all of them as one bundle.

Examples
--------
>>> [t["id"] for t in capstone_transcripts()]
['C01', 'C02', 'C03']
"""

from __future__ import annotations

from importlib import resources

from chaoyang.data.survey import generate_communities, generate_survey
from chaoyang.data.text import interviews_table, parse_transcript
from chaoyang.world.capstone import CAPSTONE_SURVEY_SIZE, CAPSTONE_WORLD
from chaoyang.world.truth import World


def authored_capstone_folder():
    return resources.files("chaoyang") / "authored" / "capstone"


def capstone_transcripts() -> list[dict]:
    """The capstone district's authored interview transcripts, parsed, in id order.

    Returns
    -------
    list of dict
        As :func:`chaoyang.data.text.parse_transcript` returns them.
    """
    files = sorted((p for p in authored_capstone_folder().iterdir() if p.name.endswith(".txt")), key=lambda p: p.name)
    return [parse_transcript(p.read_text(encoding="utf-8"), p.name) for p in files]


def generate_capstone(world: World = CAPSTONE_WORLD) -> dict[str, object]:
    """Generate the capstone's survey, communities and interviews in memory.

    The subsidy pilot is a simulation run, made by :func:`chaoyang.sim.pilot.subsidy_pilot`.

    Parameters
    ----------
    world : World, default CAPSTONE_WORLD

    Returns
    -------
    dict
        ``survey`` and ``communities`` (DataFrames, same columns as the book's) and ``interviews``
        (list of transcript dicts).
    """

    n, n_communities = CAPSTONE_SURVEY_SIZE
    survey, communities = generate_survey(n, n_communities, seed=world.seed, world=world)
    return {"survey": survey,
            "communities": generate_communities(survey, communities, world=world, seed=world.seed + 1),
            "interviews": interviews_table(capstone_transcripts())}


__all__ = ["authored_capstone_folder", "capstone_transcripts", "generate_capstone"]
