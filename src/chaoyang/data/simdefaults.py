"""Parameters the simulation chapter starts from, derived from the planted truth."""

from __future__ import annotations

from chaoyang.world import DEFAULT_WORLD, DRIVERS, LATENT_ORDER, PATHWAYS, World


def simulation_defaults(world: World = DEFAULT_WORLD) -> dict:
    """Starting parameters for :mod:`chaoyang.sim`, derived from ``world``.

    Returns
    -------
    dict
        JSON-serializable: the joint latent paths, disturbance variances, driver covariance,
        community-type driver shifts and shares, the planted configurations and their boost, the
        single-pathway truths, and the participation model. Units: standardized latent scores.

    Examples
    --------
    >>> d = simulation_defaults()
    >>> d["paths"]["COH->BEL"]
    0.55
    """
    comp = world.driver_components
    return {
        "_about": ("Derived from chaoyang.world.DEFAULT_WORLD by chaoyang.data.simdefaults.simulation_defaults; "
                   "regenerate with `python -m chaoyang.data`. Latent scores are standardized (mean 0, SD 1)."),
        "latent_order": list(LATENT_ORDER),
        "paths": {f"{a}->{b}": round(v, 6) for (a, b), v in sorted(world.paths.items())},
        "disturbance_variances": {k: round(v, 6) for k, v in world.disturbance_variances.items()},
        "driver_covariance": [[round(x, 6) for x in row] for row in comp["total"]],
        "driver_individual_covariance": [[round(x, 6) for x in row] for row in comp["individual"]],
        "community_sd": world.community_sd,
        "community_types": {t.key: {"share": t.share, "driver_shift": dict(t.driver_shift),
                                    "age_mean": t.age_mean, "local_hukou": t.local_hukou,
                                    "party_share": t.party_share} for t in world.community_types},
        "drivers": list(DRIVERS),
        "configurations": list(world.configurations),
        "config_boost": world.config_boost,
        "high_cut": world.high_cut,
        "configuration_prevalence": round(world.configuration_prevalence, 4),
        "pathway_truth": {p: {k: round(v, 6) for k, v in world.pathway_truth(p).items()} for p in PATHWAYS},
        "participation": {form: dict(coef) for form, coef in world.participation.items()},
        "frequency_cuts": list(world.frequency_cuts),
        "high_willingness_cut": 0.5,
    }
