"""Checks of the keyword arguments every package shares: seeds, counts, confidence levels, renames.

One home for the conventions of the library's API (scikit-learn style, keyword-only):

``seed=None``
    ``None`` (fresh entropy, not reproducible), a non-negative ``int``, or a
    :class:`numpy.random.SeedSequence`. ``True``/``False``, floats and strings are refused
    (``seed=True`` would otherwise silently mean 1).
``n_boot``
    Bootstrap resamples. Intervals from fewer than :data:`MIN_BOOT` draws are refused, and fewer
    than :data:`WARN_BOOT` draws give a :class:`~chaoyang.errors.ChaoyangWarning` (percentile
    intervals need a few hundred draws for their 2.5 % and 97.5 % points to be stable).
``n_reps``
    Independent replications, permutations or Monte Carlo repetitions.
``level=0.95``
    Confidence level of every interval, strictly between 0 and 1.
``n_jobs``
    Worker processes, ``>= 1``.

Messages are in the language of :mod:`chaoyang.i18n` (English by default, Chinese with
``CHAOYANG_LANG=zh_CN``); they always name the argument and the value.

Examples
--------
>>> check_seed(7)
7
>>> check_seed(True)
Traceback (most recent call last):
...
chaoyang.errors.SeedError: seed=True is a bool; pass None, a non-negative integer or a numpy SeedSequence
>>> check_level(0.9)
0.9
>>> check_count(3, "n_reps", minimum=1)
3
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

# The three column/type errors are defined with the rest of the family and re-exported here.
from chaoyang.errors import (ArgumentError, ArgumentTypeError, ChaoyangDeprecationWarning,  # noqa: F401
                             ChaoyangWarning, DuplicateColumnError, MissingColumnError, SeedError)
from chaoyang.i18n import t


#: Bootstrap draws below which an interval is refused.
MIN_BOOT = 20
#: Bootstrap draws below which an interval comes with a warning.
WARN_BOOT = 200


def check_seed(seed, name: str = "seed"):
    """Return ``seed`` if it is ``None``, a non-negative int or a SeedSequence; raise SeedError otherwise.

    Parameters
    ----------
    seed : None, int >= 0 or numpy.random.SeedSequence
    name : str, default "seed"
        Argument name used in the message.

    Returns
    -------
    None, int or numpy.random.SeedSequence
        ``seed`` unchanged (numpy integers become ``int``).
    """
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (bool, np.bool_)):
        raise SeedError(t("{name}={seed!r} is a bool; pass None, a non-negative integer or a numpy SeedSequence",
                          name=name, seed=seed))
    if isinstance(seed, numbers.Integral):
        if seed < 0:
            raise SeedError(t("{name}={seed} is negative; pass None, a non-negative integer or a numpy SeedSequence",
                              name=name, seed=seed))
        return int(seed)
    raise SeedError(t("{name}={seed!r} is a {kind}; pass None, a non-negative integer (e.g. {name}=1) or a numpy "
                      "SeedSequence", name=name, seed=seed, kind=type(seed).__name__))


def check_count(value, name: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an int if it is a whole number in ``[minimum, maximum]``; raise otherwise.

    Raises
    ------
    ArgumentError
        Not a whole number (bools, floats and strings included) or out of range; the message
        names the argument and the allowed range.
    """
    def upper():  # only when raising: check_count runs in loops
        return "" if maximum is None else t(" and at most {maximum:,}", maximum=maximum)

    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ArgumentError(t("{name}={value!r} must be a whole number of at least {minimum}{upper}",
                              name=name, value=value, minimum=minimum, upper=upper()))
    if value < minimum or (maximum is not None and value > maximum):
        raise ArgumentError(t("{name}={value:,} is out of range: use at least {minimum}{upper}",
                              name=name, value=value, minimum=minimum, upper=upper()))
    return int(value)


def check_level(level, name: str = "level") -> float:
    """Return ``level`` as a float if ``0 < level < 1``; raise ArgumentError otherwise."""
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, numbers.Real) or not 0 < float(level) < 1:
        raise ArgumentError(t("{name}={level!r} must be a confidence level strictly between 0 and 1, e.g. 0.95",
                              name=name, level=level))
    return float(level)


def check_n_boot(n_boot, name: str = "n_boot", *, allow_zero: bool = True) -> int:
    """Validate a number of bootstrap draws: 0 (no bootstrap, if allowed) or at least :data:`MIN_BOOT`.

    Warns with :class:`~chaoyang.errors.ChaoyangWarning` under :data:`WARN_BOOT` draws.
    """
    if allow_zero and not isinstance(n_boot, (bool, np.bool_)) and isinstance(n_boot, numbers.Integral) and n_boot == 0:
        return 0
    n_boot = check_count(n_boot, name, minimum=1)
    if n_boot < MIN_BOOT:
        raise ArgumentError(t("{name}={n_boot} is too few bootstrap draws for an interval: use at least {minimum} "
                              "(intervals are stable from a few hundred; 1,000 is usual)", name=name, n_boot=n_boot,
                              minimum=MIN_BOOT)
                            + (t(", or 0 for no bootstrap") if allow_zero else ""))
    if n_boot < WARN_BOOT:
        warnings.warn(t("{name}={n_boot} bootstrap draws give unstable interval ends; use {minimum} or more "
                        "(1,000 is usual) for anything you report", name=name, n_boot=n_boot, minimum=WARN_BOOT),
                      ChaoyangWarning, stacklevel=3)
    return n_boot


def check_frame(frame, name: str = "data", *, where: str = ""):
    """Return ``frame`` if it is a DataFrame with unique column names; raise a named error otherwise.

    The frame is never modified. ``where`` (a function name) prefixes the message.

    Raises
    ------
    ArgumentTypeError
        ``frame`` is not a :class:`pandas.DataFrame`.
    DuplicateColumnError
        Two or more columns share a name; the message lists them.

    Examples
    --------
    >>> import pandas as pd
    >>> check_frame(pd.DataFrame([[1, 2]], columns=["a", "a"]), where="f")
    Traceback (most recent call last):
    ...
    chaoyang.errors.DuplicateColumnError: f(): data has duplicated column name(s) ['a']; rename or drop the duplicates (e.g. data.loc[:, ~data.columns.duplicated()])
    """
    import pandas as pd

    prefix = f"{where}(): " if where else ""
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentTypeError(prefix + t("{name} must be a pandas DataFrame, got {kind}", name=name,
                                           kind=type(frame).__name__))
    if frame.columns.has_duplicates:
        dupes = sorted(map(str, set(frame.columns[frame.columns.duplicated()])))
        raise DuplicateColumnError(prefix + t("{name} has duplicated column name(s) {dupes}; rename or drop the "
                                              "duplicates (e.g. {name}.loc[:, ~{name}.columns.duplicated()])",
                                              name=name, dupes=dupes))
    return frame


def renamed(kwargs: dict, old: str, new: str, current, default, where: str):
    """Accept a deprecated keyword ``old`` for ``new`` with a ChaoyangDeprecationWarning.

    Parameters
    ----------
    kwargs : dict
        The function's ``**kwargs``; ``old`` is popped from it.
    old, new : str
        Old and new keyword names.
    current : object
        The value passed for ``new``.
    default : object
        The default of ``new`` (to detect that both were given).
    where : str
        Function name for the messages.

    Returns
    -------
    object
        The value to use for ``new``.
    """
    if old not in kwargs:
        return current
    value = kwargs.pop(old)
    if current is not default and current != default:
        raise ArgumentError(t("{where}() got both {old}= (old name) and {new}=; pass only {new}=",
                              where=where, old=old, new=new))
    warnings.warn(t("{where}({old}=...) is renamed {new}=; the old name will be removed in a future version",
                    where=where, old=old, new=new), ChaoyangDeprecationWarning, stacklevel=3)
    return value


def reject_unknown(kwargs: dict, where: str) -> None:
    """Raise TypeError naming any keyword left in ``kwargs`` (after :func:`renamed` popped the old ones)."""
    if kwargs:
        raise TypeError(t("{where}() got unexpected keyword argument(s) {names}", where=where, names=sorted(kwargs)))


__all__ = ["ArgumentTypeError", "DuplicateColumnError", "MissingColumnError", "check_frame", "MIN_BOOT", "WARN_BOOT", "check_count", "check_level", "check_n_boot", "check_seed", "renamed",
           "reject_unknown"]
