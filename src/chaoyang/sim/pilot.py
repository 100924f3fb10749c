"""The capstone district's subsidy pilot: paired simulation runs, paid and unpaid.

Examples
--------
>>> pilot = subsidy_pilot(seed=3)  # 6 communities x 2 arms x 240 days
>>> pilot.groupby("arm").size().to_dict()
{'comparison': 1440, 'pilot': 1440}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chaoyang.sim.scenarios import run
from chaoyang.world.capstone import CAPSTONE_SIM_PARAMS, CAPSTONE_WORLD, PILOT_DESIGN
from chaoyang.world.truth import World


def subsidy_pilot(world: World = CAPSTONE_WORLD, sim_params=CAPSTONE_SIM_PARAMS, *, seed: int | None = None):
    """Simulate the capstone district's subsidy pilot and its paired comparison communities.

    Each pilot community is one run of :func:`chaoyang.sim.run` with the ``"subsidy"`` regime,
    paid from day 1 and withdrawn on ``PILOT_DESIGN["stop_day"]``; its comparison run uses the
    same seed with no mobilization at all (regime ``"none"``), so the two arms differ only by
    the subsidy.

    Parameters
    ----------
    world : World, default CAPSTONE_WORLD
    sim_params : mapping, default CAPSTONE_SIM_PARAMS
        Simulation parameter overrides for both arms.
    seed : int, optional
        Master seed; default ``world.seed + 7``.

    Returns
    -------
    pandas.DataFrame
        One row per arm, community and day: ``arm`` (``pilot`` / ``comparison``),
        ``community_id``, ``day`` (1..days), ``subsidy_active`` (0/1), ``participation_rate``
        (share of residents, 0-1, 4 decimals), ``tips`` (tips given that day), ``subsidy_paid``
        (yuan, 2 decimals).
    """
    design = PILOT_DESIGN
    master = np.random.SeedSequence(world.seed + 7 if seed is None else seed)
    frames = []
    for number, child in enumerate(master.spawn(design["communities"]), start=1):
        for arm, regime, extra in (("pilot", "subsidy", {"subsidy_stop_step": design["stop_day"],
                                                          "pay_per_hour": design["pay_per_hour"],
                                                          "pay_per_tip": design["pay_per_tip"]}),
                                   ("comparison", "none", {})):
            ledger = run(regime, n_residents=design["residents_per_community"], steps=design["days"],
                         seed=np.random.SeedSequence(child.entropy, spawn_key=child.spawn_key), world=world,
                         community_size=design["residents_per_community"], **dict(sim_params), **extra).ledger
            frames.append(pd.DataFrame({
                "arm": arm, "community_id": f"P{number:02d}", "day": ledger["step"].astype(int),
                "subsidy_active": ledger["subsidy_active"].astype(int),
                "participation_rate": ledger["participation_rate"].round(4),
                "tips": ledger["tips"].astype(int), "subsidy_paid": ledger["subsidy_paid"].round(2)}))
    return pd.concat(frames, ignore_index=True)


__all__ = ["subsidy_pilot"]
