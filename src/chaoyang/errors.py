"""The error family of the library: one base for every error and warning ``chaoyang`` raises.

Every package's errors derive from :class:`ChaoyangError` *and* from the built-in exception they
have always been (``ValueError``, ``KeyError``, ``TypeError``, ``RuntimeError``), so both
``except chaoyang.ChaoyangError`` and an older ``except ValueError`` catch them. Every warning
derives from :class:`ChaoyangWarning` (a ``UserWarning``), so one filter silences or escalates all
of them.

This module imports nothing from the library: it sits below :mod:`chaoyang.world`.

Examples
--------
>>> from chaoyang.errors import ChaoyangError
>>> from chaoyang.sem import SEMSyntaxError
>>> issubclass(SEMSyntaxError, ChaoyangError), issubclass(SEMSyntaxError, ValueError)
(True, True)
>>> import warnings, chaoyang
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warnings.warn("an example", chaoyang.ChaoyangWarning)
>>> caught[0].category.__name__
'ChaoyangWarning'
"""

from __future__ import annotations

__all__ = ["ChaoyangDeprecationWarning", "ChaoyangError", "ChaoyangWarning", "ArgumentError", "SizeError", "SeedError",
           "UnknownNameError", "ArgumentTypeError", "MissingColumnError", "DuplicateColumnError"]


class ChaoyangError(Exception):
    """Base of every error raised by the ``chaoyang`` library.

    Catch this to handle any library error at once; each concrete error also subclasses the
    matching built-in (for example :class:`chaoyang.data.DatasetError` is a ``ValueError``).
    """


class ChaoyangWarning(UserWarning):
    """Base of every warning issued by the ``chaoyang`` library."""


class ChaoyangDeprecationWarning(ChaoyangWarning, DeprecationWarning):
    """A keyword or function of the library was renamed; the old name still works for now."""


class ArgumentError(ChaoyangError, ValueError):
    """A keyword argument has a value outside its documented range (the message gives the range)."""


class SeedError(ChaoyangError, TypeError):
    """A seed is not ``None``, a non-negative integer or a :class:`numpy.random.SeedSequence`."""


class SizeError(ChaoyangError, MemoryError):
    """A request would not fit in memory or time on this machine; the message gives the estimate."""


class UnknownNameError(ChaoyangError, KeyError):
    """A name (pathway, construct, dataset, assignment, column …) is not known; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError would otherwise print the message in quotes
        return str(self.args[0]) if self.args else ""


class ArgumentTypeError(ChaoyangError, TypeError):
    """An argument has the wrong type (e.g. a list where a DataFrame is expected); the message names it."""


class MissingColumnError(ChaoyangError, KeyError):
    """A column the function needs is not in the DataFrame; the message names it."""

    def __str__(self) -> str:  # KeyError would otherwise print the message inside quotes
        return str(self.args[0]) if self.args else ""


class DuplicateColumnError(ArgumentError):
    """A DataFrame passed to the library has two columns of the same name (ambiguous: which one is meant?)."""
