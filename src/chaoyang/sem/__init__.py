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

Two engines behind the one entry point. Plain complete-data covariance models go through
semopy 2.3.11 (objective ``MLW`` = lavaan's ML, tight tolerance, then Fisher scoring). Models that
need more go through the kit's own small engine (:mod:`chaoyang.sem.extended`: RAM matrices,
analytic derivatives, numpy/scipy):

* **mean structures**: ``y ~ 1``, ``f ~ 0*1``, ``meanstructure=True`` (rows with ``op == "~1"``);
* **FIML**: ``missing="ml"`` as lavaan's ``missing = "ml"``: likelihood by missing-data pattern,
  H1 by EM, standard errors from the observed information, CFI/TLI against the FIML baseline;
  cases with no observed value and cases missing a fixed.x predictor are dropped with a warning;
* **multiple groups**: ``group="col"``, shared labels, ``c(a1, a2)*x`` modifiers, ``group_equal``
  (loadings, intercepts, means, regressions, residuals, residual.covariances, lv.variances,
  lv.covariances) and ``group_partial``, with lavaan's default latent means;
* **constraints**: linear equality and inequality lines (``a1 == a2``, ``a1 + a2 == 1``,
  ``b < 1``, ``a > 0``) and ``:=`` over constrained labels; active inequalities count as
  equalities in the standard errors, as in lavaan;
* the bootstrap for all of these (``n_boot``; resampling within groups).

On top of both, this package adds what semopy lacks: lavaan's defaults and parameter table,
``:=`` defined parameters with delta-method SEs, lavaan's ``std.all`` (residual correlations),
lavaan's fit measures (SRMR, capped CFI, log-likelihood based AIC/BIC, RMSEA interval), a
reproducible parallel bootstrap (percentile and BC intervals), measurement quality (alpha, omega,
CR, AVE, Fornell-Larcker, HTMT), common-method-bias checks and mediation reports (path diagrams are
drawn by :mod:`chaoyang.plots.sem_diagram`).

Results agree with lavaan 0.6-14 on its tutorial models, the book's triple mediations (with ``:=``
effects), ``NA*``/``std_lv`` factors and pure-outcome residual covariances: estimates within 1e-5,
standard errors within 6e-6, ``std.all`` within 3e-6, CFI/TLI/RMSEA/SRMR within 1e-7
(tests/test_sem_lavaan.py, tests/test_sem_lavaan_live.py); and, for the kit's own engine, on the
book's model by FIML and with intercepts, MAR data by FIML, two groups with equal loadings and
intercepts (also partial, also by FIML), ``c()`` modifiers, explicit intercepts and seeded random
models: estimates within 1e-5, standard errors within 5e-6, ``std.all`` within 1e-5, chi-square
within 5e-7, CFI/TLI/RMSEA/SRMR within 5e-7; with inequality constraints lavaan's optimiser stops
earlier (chi-square 2e-6 above the kit's) and estimates agree within 1e-3; percentile bootstrap
intervals within Monte Carlo error (tests/test_sem_extended_live.py).

lavaan features NOT supported, and why
--------------------------------------
* **Ordinal indicators (WLSMV, thresholds ``|``)**: no polychoric-based DWLS with lavaan's robust
  (mean- and variance-adjusted) test statistic and sandwich SEs here, so results could not be
  made to agree with lavaan. Treat 5+ point Likert items as continuous (ML) and say so.
* **Robust estimators and corrections** (MLR, MLM, ``se = "robust"``, scaled tests, lavaan's
  ``rmsea.robust``/``cfi.robust`` for FIML): not implemented; the kit reports the normal-theory ML
  statistics only.
* **``missing = "ml.x"``** (predictors with missing values modelled): refused; cases missing a
  fixed.x predictor are dropped, as lavaan's ``missing = "ml"`` does.
* **Nonlinear constraints** (``a*b == 1``) and more than 8 inequality constraints: refused with a
  named error (inequalities are solved exactly by trying each set of active constraints).
* ``start()``/``equal()``/``label()``/``lower()``/``upper()`` modifiers: use labels and constraint lines.
* **Information options**: the kit uses lavaan's defaults (expected information for complete data,
  observed for FIML) and offers no switch.
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
