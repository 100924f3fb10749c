"""The one result style of the library: ``.summary()`` (text), ``.to_frame()`` (tidy table), HTML repr.

Every result object of the methods (SEM fits, truth tables and solutions, simulation runs,
agreement and saturation checks, ...) mixes in :class:`ResultMixin` and implements
:meth:`~ResultMixin.summary` and :meth:`~ResultMixin.to_frame`; the notebook display
(``_repr_html_``) then comes for free: the summary's first line as a caption over the table.

Examples
--------
>>> import pandas as pd
>>> class Toy(ResultMixin):
...     def summary(self):
...         return "Toy result\\nmean 1.5"
...     def to_frame(self):
...         return pd.DataFrame({"value": [1, 2]})
>>> "<table" in Toy()._repr_html_()
True
>>> print(Toy())
Toy result
mean 1.5
"""

from __future__ import annotations

import html


class ResultMixin:
    """Mixin: ``__str__`` is the summary, ``_repr_html_`` is a caption plus the table."""

    def summary(self) -> str:  # pragma: no cover - every subclass implements it
        """Plain-text report a student can paste into a write-up."""
        raise NotImplementedError

    def to_frame(self):  # pragma: no cover - every subclass implements it
        """The result as a tidy :class:`pandas.DataFrame`."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        caption = html.escape(self.summary().splitlines()[0]) if self.summary() else type(self).__name__
        table = self.to_frame().to_html(border=0, float_format=lambda v: f"{v:.4g}", max_rows=60)
        return f"<div class='chaoyang-result'><p><b>{caption}</b></p>{table}</div>"


__all__ = ["ResultMixin"]
