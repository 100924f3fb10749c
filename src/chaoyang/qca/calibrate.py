"""Direct calibration of raw scores into fuzzy-set membership (Ragin's log-odds method).

``calibrate`` reproduces R QCA 3.25's ``calibrate(x, type = "fuzzy", thresholds = "e=.., c=.., i=..",
logistic = TRUE, idm = ..)``, including R's rounding of scores below 0.0001 to 0 and above 0.9999 to 1.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from chaoyang.qca._checks import QCAWarning
from chaoyang.qca._checks import QCAError, QCATypeError


def _as_float_array(x, name: str = "x") -> np.ndarray:
    if isinstance(x, pd.DataFrame):
        raise QCATypeError(f"{name} must be one column (a Series or 1-D array), got a DataFrame")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise QCATypeError(f"{name} must be numeric raw scores: {err}") from None
    if arr.ndim != 1:
        raise QCAError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.isinf(arr).any():
        where = np.flatnonzero(np.isinf(arr))[:5].tolist()
        raise QCAError(f"{name} has infinite value(s) at positions {where}; raw scores must be finite numbers")
    if np.isnan(arr).any():
        where = np.flatnonzero(np.isnan(arr))[:5].tolist()
        raise QCAError(f"{name} has {int(np.isnan(arr).sum())} missing value(s) at positions {where}; "
                         "drop or impute them before calibrating")
    return arr


def calibrate(x, exclusion: float, crossover: float, inclusion: float, *, idm: float = 0.95):
    """Direct-method (log-odds) calibration of raw scores into fuzzy membership in [0, 1].

    Scores at the ``inclusion`` anchor get membership ``idm``, at the ``crossover`` 0.5, at the
    ``exclusion`` anchor ``1 - idm``; in between and beyond, membership follows a logistic curve
    whose slope differs on each side of the crossover. The set is decreasing (higher raw scores,
    lower membership) when ``exclusion > inclusion``, as in R. Like R QCA, memberships below
    0.0001 become 0 and above 0.9999 become 1.

    Parameters
    ----------
    x : array-like or Series of float
        Raw scores (any unit). A Series keeps its index in the result.
    exclusion, crossover, inclusion : float
        Anchors in the unit of ``x``; ``crossover`` must lie strictly between the other two.
    idm : float, default 0.95
        Inclusion degree of membership at the inclusion anchor, in (0.5, 1). Ragin's published
        calibrations use log-odds of 3, i.e. ``idm = 1 / (1 + exp(-3)) = 0.952574...``.

    Returns
    -------
    ndarray or Series
        Membership scores in [0, 1], same length (and index) as ``x``.

    Raises
    ------
    ValueError
        Anchors equal or out of order, ``idm`` outside (0.5, 1), missing values in ``x``.
    TypeError
        Non-numeric ``x``.

    Examples
    --------
    >>> calibrate([400, 550, 900], exclusion=400, crossover=550, inclusion=900).round(3).tolist()
    [0.05, 0.5, 0.95]
    >>> calibrate([5, 15], exclusion=15, crossover=9.5, inclusion=5).round(3).tolist()  # decreasing
    [0.95, 0.05]
    """
    values = _as_float_array(x)
    for label, anchor in (("exclusion", exclusion), ("crossover", crossover), ("inclusion", inclusion)):
        if (isinstance(anchor, (bool, np.bool_)) or not isinstance(anchor, (int, float, np.integer, np.floating))
                or not math.isfinite(anchor)):
            raise QCAError(f"anchor {label}={anchor!r} must be a finite number")
    if not (min(exclusion, inclusion) < crossover < max(exclusion, inclusion)):
        raise QCAError(
            f"anchors out of order: crossover={crossover} must lie strictly between exclusion={exclusion} "
            f"and inclusion={inclusion} (exclusion < crossover < inclusion for an increasing set, "
            "exclusion > crossover > inclusion for a decreasing one)"
        )
    if isinstance(idm, (bool, np.bool_)) or not isinstance(idm, (int, float, np.integer, np.floating)) \
            or not 0.5 < idm < 1:
        raise QCAError(f"idm={idm} must be strictly between 0.5 and 1 (membership at the inclusion anchor)")
    decreasing = exclusion > inclusion
    low, high = (inclusion, exclusion) if decreasing else (exclusion, inclusion)
    log_odds = math.log(idm / (1 - idm))
    below = values < crossover
    # Separate slopes on each side of the crossover, as R's logistic branch computes them.
    scale = np.where(below, log_odds / (crossover - low), log_odds / (high - crossover))
    with np.errstate(over="ignore"):
        membership = 1.0 / (1.0 + np.exp(-(values - crossover) * scale))
    if decreasing:
        membership = 1.0 - membership
    membership = np.where(membership < 0.0001, 0.0, np.where(membership > 0.9999, 1.0, membership))
    if isinstance(x, pd.Series):
        return pd.Series(membership, index=x.index, name=x.name)
    return membership


def calibrate_percentiles(x, *, upper: float = 95, cross: float = 50, lower: float = 5, nudge: bool = True):
    """Calibrate with sample percentiles as anchors (a common but criticised recipe).

    The anchors are the ``lower``, ``cross`` and ``upper`` percentiles of ``x`` (linear
    interpolation, as ``numpy.percentile``), used with :func:`calibrate` at ``idm = 0.95``. With
    ``nudge=True`` memberships of exactly 0.5 become 0.501 so that every case can be placed in a
    truth-table row (R's ``truthTable`` cannot place cases at 0.5).

    Critique, to read before using this: anchors should be *substantive* - set from theory and
    case knowledge about what counts as fully in or fully out of the set - not sample percentiles,
    which make membership relative to whoever happens to be in the sample (a rich country is "out"
    of the set of rich countries if the sample is richer still) and change when cases are added.
    And the 0.5 -> 0.501 nudge hides cases that really are maximally ambiguous: they are pushed into
    the "more in than out" row without evidence; better revise the crossover or report those cases.

    Parameters
    ----------
    x : array-like or Series of float
        Raw scores.
    upper, cross, lower : float
        Percentiles (0-100) used as inclusion, crossover and exclusion anchors; ``lower < cross < upper``.
    nudge : bool, default True
        Replace memberships of exactly 0.5 by 0.501.

    Returns
    -------
    ndarray or Series
        Membership scores in [0, 1].

    Raises
    ------
    ValueError
        Percentiles out of order or outside [0, 100], or percentile anchors that coincide
        (too few distinct values).

    Examples
    --------
    >>> m = calibrate_percentiles([1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> float(m[4])  # the median case, nudged from 0.5
    0.501
    """
    values = _as_float_array(x)
    if values.size < 3:
        raise QCAError(f"x has {values.size} value(s); percentile anchors need at least 3 distinct raw scores")
    for label, value in (("upper", upper), ("cross", cross), ("lower", lower)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise QCATypeError(f"{label}={value!r} must be a percentile (a number from 0 to 100)")
    if not 0 <= lower < cross < upper <= 100:
        raise QCAError(f"percentiles must satisfy 0 <= lower < cross < upper <= 100, got "
                         f"lower={lower}, cross={cross}, upper={upper}")
    ex, cr, inc = np.percentile(values, [lower, cross, upper])
    if not ex < cr < inc:
        raise QCAError(
            f"percentile anchors coincide (exclusion={ex}, crossover={cr}, inclusion={inc}): the variable has "
            "too few distinct values for percentile anchors - set substantive anchors with calibrate()"
        )
    membership = np.asarray(calibrate(values, ex, cr, inc, idm=0.95))
    if nudge:
        at_half = np.isclose(membership, 0.5, rtol=0, atol=1e-12)
        if at_half.any():
            warnings.warn(
                f"{int(at_half.sum())} case(s) at the crossover set from 0.5 to 0.501; they are truly ambiguous",
                QCAWarning,
                stacklevel=2,
            )
        membership = np.where(at_half, 0.501, membership)
    if isinstance(x, pd.Series):
        return pd.Series(membership, index=x.index, name=x.name)
    return membership
