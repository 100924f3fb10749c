"""Structural equation modelling with lavaan-grade results, on top of semopy 2.3.11.

One entry point a lavaan user recognises::

    from chaoyang import sem
    res = sem.fit('''
        cohesion  =~ coh1 + coh2 + coh3
        belonging =~ bel1 + bel2 + bel3
        willing   =~ wil1 + wil2 + wil3
        belonging ~ a1*cohesion
        willing   ~ b1*belonging + c*cohesion
        ind1 := a1*b1
    ''', data, n_boot=1000, seed=1)
    res.estimates      # lavaan's parameterEstimates() + std.all
    res.fit_measures   # lavaan's fitMeasures() names

Factors are scaled as in lavaan: first loading fixed to 1, or ``NA*x1`` with
``f ~~ 1*f``, or ``std_lv=True`` (lavaan's ``std.lv``); a factor with neither a fixed
loading nor a fixed variance is refused at once (:class:`SEMIdentificationError`):

>>> import numpy as np, pandas as pd
>>> items = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 3)), columns=["x1", "x2", "x3"])
>>> fit("f =~ NA*x1 + x2 + x3", items)
Traceback (most recent call last):
...
chaoyang.sem.errors.SEMIdentificationError: Factor 'f' has no scale: ...

semopy fits the model (objective ``MLW`` = lavaan's ML, tight tolerance, then
Fisher scoring); this package adds what semopy lacks: lavaan's defaults and
parameter table, ``:=`` defined parameters with delta-method SEs, lavaan's
``std.all`` (residual correlations), lavaan's fit measures (SRMR, capped CFI,
log-likelihood based AIC/BIC, RMSEA interval), a reproducible parallel
bootstrap (percentile and BC intervals), measurement quality (alpha, omega,
CR, AVE, Fornell-Larcker, HTMT), common-method-bias checks and mediation reports
(path diagrams are drawn by :mod:`chaoyang.plots.sem_diagram`). Results agree with lavaan 0.6-14
on its tutorial models, the book's triple mediations (with ``:=`` effects), ``NA*``/``std_lv``
factors and pure-outcome residual covariances: estimates within 1e-5, standard errors within
6e-6, ``std.all`` within 3e-6, CFI/TLI/RMSEA/SRMR within 1e-7 (measured, mostly lavaan's own
stopping tolerance; tests/test_sem_lavaan.py and tests/test_sem_lavaan_live.py).

lavaan features NOT supported, and why
--------------------------------------
* **Ordinal indicators (WLSMV, thresholds ``|``)**: semopy 2.3.11 has no
  polychoric-based DWLS with lavaan's robust (mean- and variance-adjusted) test
  statistic and sandwich SEs, so results could not be made to agree with lavaan.
  Treat 5+ point Likert items as continuous (ML) and say so.
* **Multiple groups** (``group=``, ``c(a, b)*x``): semopy's multigroup support
  does not reproduce lavaan's measurement-invariance workflow; fit groups separately.
* **FIML / ``missing="ml"``**: semopy's FIML objective has no mean structure, so its
  estimates differ from lavaan's ``missing="ml"`` (measured); listwise deletion is
  used and the number of dropped cases is reported (``n_dropped``) with a warning.
* **Mean structures / intercepts (``~ 1``)**, constraints ``==``, ``<``, ``>``,
  ``start()``/``equal()`` modifiers, robust estimators (MLR, MLM), observed
  information: not implemented (equality constraints: use shared labels).
"""

from .bootstrap import BootstrapResult, bias_corrected_interval, percentile_interval
from .cmb import harman_single_factor, marker_variable_adjustment, single_factor_cfa_test
from .errors import (
    SEMDefinedError,
    SEMInternalError,
    SEMLabelError,
    SEMColumnError,
    SEMConvergenceError,
    SEMDataError,
    SEMError,
    SEMIdentificationError,
    SEMSyntaxError,
    SEMTypeError,
)
from .fit import SEMResult, fit
from .fitmeasures import rmsea_interval, srmr_bentler
from .inputs import SEMWarning
from .mediation import MediationReport, mediation_report, parallel_mediation_syntax, zhao_mediation_type
from .reliability import (
    average_variance_extracted,
    composite_reliability,
    cronbach_alpha,
    fornell_larcker,
    htmt,
    htmt_verdict,
    latent_correlations,
    mcdonald_omega,
    measurement_quality,
    omega_from_result,
)
from .simulate import simulate_parallel_mediation
from .syntax import parse_model

__all__ = [
    "fit", "SEMResult", "BootstrapResult", "parse_model", "percentile_interval", "bias_corrected_interval",
    "rmsea_interval", "srmr_bentler", "SEMWarning", "SEMError", "SEMSyntaxError", "SEMDataError",
    "SEMColumnError", "SEMTypeError", "SEMIdentificationError", "SEMConvergenceError", "SEMDefinedError",
    "SEMLabelError", "SEMInternalError",
    "parallel_mediation_syntax", "mediation_report", "MediationReport", "zhao_mediation_type",
    "cronbach_alpha", "mcdonald_omega", "omega_from_result", "composite_reliability", "average_variance_extracted",
    "fornell_larcker", "htmt", "htmt_verdict", "latent_correlations", "measurement_quality",
    "harman_single_factor", "single_factor_cfa_test", "marker_variable_adjustment", "simulate_parallel_mediation",
]
