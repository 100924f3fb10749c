"""Exceptions raised by :mod:`chaoyang.sem`.

Every error names the column, parameter or option at fault and says what to do.
They subclass the built-in exception a caller would expect (``ValueError``,
``KeyError``, ``TypeError``), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from chaoyang.errors import ChaoyangError


class SEMError(ChaoyangError):
    """Base class of every error raised by :mod:`chaoyang.sem`."""


class SEMSyntaxError(SEMError, ValueError):
    """The lavaan model syntax could not be parsed or uses an unsupported feature."""


class SEMDataError(SEMError, ValueError):
    """The data cannot be used as given (constant column, too few cases, missing values)."""


class SEMColumnError(SEMError, KeyError):
    """A variable named in the model is not a column of the data."""

    def __str__(self) -> str:  # KeyError would otherwise print the message with quotes
        return str(self.args[0]) if self.args else ""


class SEMLabelError(SEMError, KeyError):
    """A name the caller chose from a fixed list (pathway, effect label) is not in it."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class SEMTypeError(SEMError, TypeError):
    """A column or argument has the wrong type (e.g. text where numbers are needed)."""


class SEMIdentificationError(SEMError, ValueError):
    """The model is not identified (negative degrees of freedom or a singular information matrix)."""


class SEMDefinedError(SEMError, ArithmeticError):
    """A ``:=`` defined parameter has no finite value at the estimates (division by zero, overflow,
    a negative number to a fractional power). lavaan would print ``Inf`` or ``NaN`` there."""


class SEMInternalError(SEMError, RuntimeError):
    """chaoyang.sem and semopy disagree about a model (a bug: please report the model)."""


class SEMConvergenceError(SEMError, RuntimeError):
    """The optimiser did not reach a maximum of the likelihood."""


def suggest(name: str, candidates: Iterable[str], n: int = 3) -> str:
    """Return a ``" Did you mean ...?"`` hint built with :func:`difflib.get_close_matches`.

    Parameters
    ----------
    name : str
        The misspelt name.
    candidates : iterable of str
        The names that exist.
    n : int, default 3
        At most this many suggestions.

    Returns
    -------
    str
        ``" Did you mean 'x1', 'x2'?"`` or an empty string when nothing is close.

    Examples
    --------
    >>> suggest("cohesoin", ["cohesion", "belonging"])
    " Did you mean 'cohesion'?"
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=n, cutoff=0.5)
    if not close:
        return ""
    return " Did you mean " + ", ".join(repr(c) for c in close) + "?"
