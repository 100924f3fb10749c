"""Agent-based simulation of resident mobilization in Chaoyang (mesa 3).

The model follows the planted truth of :mod:`chaoyang.world`: residents carry the constructs of the
interaction-willingness framework and their willingness follows the planted paths. Three
pathways (party organization rituals, community police, the 'Chaoyang Residents' brand) raise the
drivers; a traditional economic-subsidy regime pays for participation instead, and hybrid regimes
add the paid components documented for Chaoyang (activists' allowances, full-time patrol teams,
tip rewards) to the pathways. The per-step stakeholder ledger -- government, police, residents who
participate, residents reported, the public -- lets regimes be compared with confidence intervals
over replicates.

Each agent's rule is a method to read in :mod:`chaoyang.sim.agents` (``Resident.perceive`` and
``Resident.act``, ...). ``engine="agents"`` runs those methods through mesa AgentSets with
synchronous activation; the default ``engine="vectorized"`` runs the same rules on arrays and gives
the same ledger to the bit.

Main entry points
-----------------
run(regime, *, n_residents=2000, steps=365, seed=None, progress=None, engine="vectorized", **params)
    One run; returns a :class:`SimResult` with the per-step ledger (``.ledger``) and the run
    manifest (``.manifest``); sizes, seed, parameters and memory are checked before any work
    (:mod:`chaoyang.sim.limits`).
replicate(regime, *, n_reps=30, seed=None, level=0.95, ...)
    Replicates with their own spawned seeds and confidence intervals.
compare_regimes, sweep, ofat, sobol, hysteresis
    Comparisons, parameter sweeps, sensitivity analysis, the withdrawal shock; ``n_jobs=`` and
    ``backend=`` send the runs to local processes or a Dask cluster (:mod:`chaoyang.sim.parallel`).
run_district(regime, *, scale=1.0, steps=365, seed=None, ...)
    All of Chaoyang at 1:1 (3.45 million residents) with a lean engine (:mod:`chaoyang.sim.district`).
granovetter_cascade, granovetter_equilibrium
    Docking with Granovetter's (1978) threshold model.
parameter_table()
    Every parameter with its default, range and unit.

The evolutionary game lives in :mod:`chaoyang.sim.game`, the interactive explorer in
:mod:`chaoyang.widgets.sim_explorer` (imported on demand: it needs ipywidgets).

Examples
--------
>>> from chaoyang import sim
>>> result = sim.run("emotional", n_residents=200, steps=5, seed=1)
>>> len(result.ledger), result.manifest["seed"]["entropy"]
(5, 1)
"""

from chaoyang.sim.agents import BrandChannel, PartyOrganization, PoliceOfficer, Resident
from chaoyang.sim.analysis import (METRICS, compare_regimes, confidence_interval,
                                   granovetter_equilibrium, granovetter_equilibrium_cdf, hysteresis, ofat, replicate,
                                   sobol, summarize_run, sweep)
from chaoyang.sim.model import ENGINES, LEDGER_COLUMNS, ChaoyangModel, GranovetterModel
from chaoyang.sim.parameters import PARAMETERS, REGIMES, ParameterError, parameter_table
from chaoyang.sim.limits import MAX_STEPS, MIN_RESIDENTS, estimate_bytes
from chaoyang.sim.district import DistrictModel, DistrictResult, run_district, subdistricts
from chaoyang.sim.parallel import BACKENDS, run_jobs
from chaoyang.sim.results import (ComparisonResult, HysteresisResult, OfatResult, ReplicateResult, SimResult,
                                  SobolResult, SweepResult)
from chaoyang.sim.scenarios import (LEVERS, ScenarioError, granovetter_cascade, make_manifest, run, run_pair,
                                    transfer_scenarios)

__all__ = ["LEVERS", "run_pair", "BrandChannel", "PartyOrganization", "PoliceOfficer", "Resident", "METRICS", "ReplicateResult",
           "compare_regimes", "confidence_interval", "granovetter_equilibrium", "granovetter_equilibrium_cdf",
           "hysteresis", "ofat", "replicate", "sobol", "summarize_run", "sweep", "ENGINES", "LEDGER_COLUMNS", "ChaoyangModel",
           "GranovetterModel", "PARAMETERS", "REGIMES", "ParameterError", "parameter_table", "granovetter_cascade",
           "make_manifest", "run", "transfer_scenarios", "MAX_STEPS", "MIN_RESIDENTS", "estimate_bytes", "SimResult",
           "ComparisonResult", "HysteresisResult", "OfatResult", "SobolResult", "SweepResult", "ScenarioError",
           "DistrictModel", "DistrictResult", "run_district", "subdistricts", "BACKENDS", "run_jobs"]
