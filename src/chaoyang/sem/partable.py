"""Complete a parsed model with lavaan's ``sem()`` defaults and translate it to semopy.

lavaan defaults reproduced (lavaan 0.6, ``sem()``/``cfa()``):

* ``auto.fix.first``: the first loading of each factor is fixed to 1 (a label
  does not free it; ``NA*x`` does); with ``std_lv=True`` (lavaan's ``std.lv``)
  first loadings stay free and every latent (residual) variance is fixed to 1;
* ``auto.var``: free residual variances for every endogenous observed variable
  and every latent variable;
* ``auto.cov.lv.x``: exogenous latent variables covary;
* ``auto.cov.y``: variables that are only outcomes (left of ``~``, never right)
  have covarying residuals;
* ``fixed.x``: variances and covariances of exogenous *observed* predictors are
  fixed at their sample values and are not counted as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from itertools import combinations

from .errors import SEMIdentificationError, SEMSyntaxError
from .syntax import DefinedParameter, ParsedModel, SpecifiedParameter


@dataclass
class ParameterTable:
    """The full parameter list of a model, in lavaan's order.

    Attributes
    ----------
    rows : list of SpecifiedParameter
        Every parameter (user-written first, then defaults); ``fixed.x`` rows last.
    defined : list of DefinedParameter
        ``:=`` lines.
    latent : list of str
        Latent variables in order of appearance.
    observed : list of str
        Observed variables in order of appearance (the data columns needed).
    exogenous_x : list of str
        Observed exogenous predictors handled with ``fixed.x``.
    """

    rows: list[SpecifiedParameter]
    defined: list[DefinedParameter]
    latent: list[str]
    observed: list[str]
    exogenous_x: list[str]
    semopy_names: list[str] = field(default_factory=list)

    def semopy_description(self) -> str:
        """semopy syntax with one named parameter per lavaan free parameter."""
        lines = []
        for row, name in zip(self.rows, self.semopy_names):
            if row.op == "fixed.x":
                continue
            # positional notation: semopy's parser splits "1e+30" at the "+"
            mult = np.format_float_positional(float(row.fixed), trim="0") if row.fixed is not None else name
            lines.append(f"{row.lhs} {row.op} {mult}*{row.rhs}")
        return "\n".join(lines)


def _ordered_unique(items):
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _check_factor_scales(rows: list[SpecifiedParameter], latent: list[str]) -> None:
    """Refuse a factor whose scale is set by nothing (all loadings and its variance free)."""
    for v in latent:
        loadings = [r for r in rows if r.op == "=~" and r.lhs == v]
        fixed_loading = any(r.fixed is not None and r.fixed != 0 for r in loadings)
        fixed_variance = any(r.op == "~~" and r.lhs == r.rhs == v and r.fixed is not None and r.fixed > 0
                             for r in rows)
        if not fixed_loading and not fixed_variance:
            raise SEMIdentificationError(
                f"Factor {v!r} has no scale: all its loadings ({', '.join(r.rhs for r in loadings)}) and its "
                f"variance are free, so the model is not identified. Fix one loading (drop 'NA*' to let the "
                f"first loading be 1, or write '1*{loadings[0].rhs}'), or fix the variance ('{v} ~~ 1*{v}'), "
                "or pass std_lv=True.")


def build_parameter_table(parsed: ParsedModel, std_lv: bool = False) -> ParameterTable:
    """Add lavaan's default parameters to a parsed model.

    Parameters
    ----------
    parsed : ParsedModel
        Output of :func:`chaoyang.sem.syntax.parse_model`.
    std_lv : bool, default False
        lavaan's ``std.lv``: free the first loadings and fix the (residual) variance of every
        latent variable the syntax does not give a variance to at 1.

    Returns
    -------
    ParameterTable
        All parameters, with semopy parameter names assigned
        (the user label, or ``_p<k>`` for an unlabelled free parameter).

    Raises
    ------
    SEMSyntaxError
        If a latent variable is also measured by itself, or the model has no parameter.
    SEMIdentificationError
        A factor has neither a fixed (non-zero) loading nor a fixed variance, so its scale is
        not identified (semopy 2.3.11 would otherwise search its starting values forever).

    Examples
    --------
    >>> from chaoyang.sem.syntax import parse_model
    >>> table = build_parameter_table(parse_model("f =~ x1 + x2 + x3"))
    >>> [(r.lhs, r.op, r.rhs, r.fixed) for r in table.rows][:2]
    [('f', '=~', 'x1', 1.0), ('f', '=~', 'x2', None)]
    """
    user = [SpecifiedParameter(**vars(p)) for p in parsed.parameters]
    if not user:
        raise SEMSyntaxError("The model has no parameters: write at least one '=~', '~' or '~~' line.")
    latent = _ordered_unique(p.lhs for p in user if p.op == "=~")
    names_in_order = _ordered_unique(n for p in user for n in (p.lhs, p.rhs))
    observed = [n for n in names_in_order if n not in latent]
    indicators = {p.rhs for p in user if p.op == "=~"}
    dependents = {p.lhs for p in user if p.op == "~"}
    predictors = {p.rhs for p in user if p.op == "~"}
    structural = {n for p in user if p.op in ("=~", "~") for n in (p.lhs, p.rhs)}
    only_cov = [n for n in names_in_order if n not in structural]
    if only_cov:
        raise SEMSyntaxError(
            f"{only_cov[0]!r} appears only in '~~' lines. chaoyang.sem (through semopy 2.3.11) models variables "
            "that are measured ('=~') or regressed ('~'); for plain variances and covariances of observed "
            "columns use DataFrame.cov(), or add the variable to a regression.")
    for p in user:
        if p.op == "=~" and p.rhs == p.lhs:
            raise SEMSyntaxError(f"{p.lhs} cannot be measured by itself ({p.lhs} =~ {p.rhs}).")

    # auto.fix.first: the first indicator of each factor gets loading 1 unless given a value or NA.
    first_done: set[str] = set()
    for p in user:
        if p.op == "=~" and p.lhs not in first_done:
            first_done.add(p.lhs)
            if p.fixed is None and not p.force_free and not std_lv:
                p.fixed = 1.0

    def has_cov(a: str, b: str) -> bool:
        return any(r.op == "~~" and {r.lhs, r.rhs} == {a, b} and (a != b or r.lhs == r.rhs) for r in rows)

    rows = list(user)
    exogenous_x = [v for v in observed if v in predictors and v not in dependents and v not in indicators]
    # A user-specified (co)variance of an x variable makes it a modelled variable (lavaan then frees it too).
    exogenous_x = [v for v in exogenous_x if not any(r.op == "~~" and v in (r.lhs, r.rhs) for r in user)]
    # auto.var
    for v in observed:
        if v not in exogenous_x and not has_cov(v, v):
            rows.append(SpecifiedParameter(v, "~~", v, user=False))
    for v in latent:
        if not has_cov(v, v):
            rows.append(SpecifiedParameter(v, "~~", v, fixed=1.0 if std_lv else None, user=False))
    _check_factor_scales(rows, latent)
    # auto.cov.lv.x
    exo_latent = [v for v in latent if v not in dependents]
    for a, b in combinations(exo_latent, 2):
        if not has_cov(a, b):
            rows.append(SpecifiedParameter(a, "~~", b, user=False))
    # auto.cov.y: pure outcomes covary
    pure_outcomes = [v for v in names_in_order if v in dependents and v not in predictors and v not in indicators]
    for a, b in combinations(pure_outcomes, 2):
        if not has_cov(a, b):
            rows.append(SpecifiedParameter(a, "~~", b, user=False))
    # fixed.x (estimated by semopy as fixed sample moments; reported with se = 0)
    for i, a in enumerate(exogenous_x):
        for b in exogenous_x[i:]:
            rows.append(SpecifiedParameter(a, "fixed.x", b, user=False))

    names: list[str] = []
    counter = 0
    for r in rows:
        if r.op == "fixed.x":
            names.append("")
        elif r.fixed is None and r.label:
            names.append(r.label)
        elif r.fixed is None:
            counter += 1
            names.append(f"_p{counter}")
        else:
            names.append("")
    # A label attached to a fixed parameter names a constant; free ones with the same label share a value.
    fixed_labels = {r.label for r in rows if r.label and r.fixed is not None}
    free_labels = {r.label for r in rows if r.label and r.fixed is None}
    clash = fixed_labels & free_labels
    if clash:
        label = sorted(clash)[0]
        raise SEMSyntaxError(
            f"Label {label!r} is attached to both a fixed and a free parameter; give them different labels."
        )
    return ParameterTable(rows, list(parsed.defined), latent, observed, exogenous_x, names)
