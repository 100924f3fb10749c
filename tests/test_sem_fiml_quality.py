"""Reliability and latent correlations of fits by the kit's own engine (FIML, means, groups).

The latent correlation of a FIML fit must equal the ``std.all`` of its factor covariance, which
tests/test_sem_extended_live.py checks against lavaan; omega must follow its closed form from the
FIML estimates; a multigroup fit is refused with a named error instead of an AttributeError.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from chaoyang import sem
from chaoyang.sem.errors import SEMDataError


def _data(n=400, seed=3):
    rng = np.random.default_rng(seed)
    f, g = rng.normal(size=n), rng.normal(size=n)
    frame = pd.DataFrame({f"x{i}": f + rng.normal(size=n) for i in range(1, 4)}
                         | {f"y{i}": 0.5 * f + g + rng.normal(size=n) for i in range(1, 4)})
    frame.loc[frame["y1"] > 1.0, "x1"] = np.nan  # missing at random given y1
    frame["school"] = np.where(np.arange(n) % 2 == 0, "a", "b")
    return frame


def _fit(frame, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem.fit("F =~ x1 + x2 + x3\nG =~ y1 + y2 + y3", frame, **options)


def test_latent_correlation_of_a_fiml_fit_equals_its_std_all():
    result = _fit(_data(), missing="ml")
    est = result.estimates
    row = est[(est["op"] == "~~") & (est["lhs"] == "F") & (est["rhs"] == "G")].iloc[0]
    assert sem.latent_correlations(result).loc["F", "G"] == pytest.approx(row["std.all"], abs=1e-10)


def test_omega_of_a_fiml_fit_follows_its_closed_form():
    result = _fit(_data(), missing="ml")
    est = result.estimates
    loads = est[(est["op"] == "=~") & (est["lhs"] == "F")]["est"].sum()
    theta = est[(est["op"] == "~~") & est["lhs"].isin(["x1", "x2", "x3"]) & (est["lhs"] == est["rhs"])]["est"].sum()
    var_f = est[(est["op"] == "~~") & (est["lhs"] == "F") & (est["rhs"] == "F")]["est"].iloc[0]
    expected = loads**2 * var_f / (loads**2 * var_f + theta)
    assert sem.omega_from_result(result)["F"] == pytest.approx(expected, rel=1e-10)


def test_fiml_uses_the_incomplete_cases_that_listwise_drops():
    frame = _data()
    fiml, listwise = _fit(frame, missing="ml"), _fit(frame)
    assert fiml.n == len(frame) > listwise.n
    assert not np.isclose(sem.omega_from_result(fiml)["F"], sem.omega_from_result(listwise)["F"])


def test_multigroup_fit_is_refused_with_a_named_error():
    result = _fit(_data(), group="school")
    with pytest.raises(SEMDataError, match="multigroup"):
        sem.latent_correlations(result)
    with pytest.raises(SEMDataError, match="multigroup"):
        sem.omega_from_result(result)
