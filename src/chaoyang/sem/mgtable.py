"""lavaan's parameter table for mean structures, several groups and constraints.

:func:`build_model_table` starts from the single-group table of
:func:`chaoyang.sem.partable.build_parameter_table` (lavaan's ``auto.*`` defaults,
``fixed.x``) and adds what lavaan adds for ``meanstructure = TRUE`` and ``group =``
(lavaan 0.6-14, checked against its ``parameterEstimates()`` in
tests/test_sem_extended_live.py):

* intercepts ``y ~1`` free for every observed variable that is not a fixed.x
  predictor; the means of fixed.x predictors fixed at their sample means;
* latent means ``f ~1`` fixed at 0, except that with ``"intercepts"`` in
  ``group_equal`` they are free in groups 2..G (lavaan's default);
* one copy of every row per group; a plain label (``a*x``) names the same
  parameter in every group (equal across groups); ``c(a1, a2)*x`` gives each group
  its own label or fixed value;
* ``group_equal`` categories as lavaan defines them (``loadings``: ``=~``;
  ``intercepts``: ``~1`` of observed variables; ``means``: ``~1`` of latent variables;
  ``regressions``: ``~``; ``residuals``: ``~~`` of an observed variable with itself;
  ``residual.covariances``: ``~~`` between two observed variables; ``lv.variances``,
  ``lv.covariances``), each free row shared across groups under lavaan's
  ``.pK.`` label unless listed in ``group_partial`` (``"f =~ x2"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .errors import SEMSyntaxError
from .partable import build_parameter_table
from .syntax import DefinedParameter, ParsedModel, SpecifiedParameter, suggest

GROUP_EQUAL = ("loadings", "intercepts", "means", "regressions", "residuals", "residual.covariances",
               "lv.variances", "lv.covariances")


@dataclass
class Row:
    """One parameter of one group.

    ``exo`` marks fixed.x moments (value taken from the group's sample); ``par`` is the
    position in the free-parameter vector (``-1`` for fixed rows), set by :func:`build_model_table`.
    """

    lhs: str
    op: str
    rhs: str
    group: int
    label: str = ""
    fixed: float | None = None
    user: bool = False
    exo: bool = False
    par: int = -1
    plabel: str = ""


@dataclass
class ModelTable:
    """All rows of all groups, with the variable lists and the free-parameter map.

    Attributes
    ----------
    rows : list of Row
        Group 1's rows first, then group 2's, ... (lavaan's order within a group).
    observed, latent, exogenous_x : list of str
        Variables (the same in every group).
    n_groups : int
    n_free : int
        Length of the free-parameter vector (labels shared by several rows count once).
    defined : list of DefinedParameter
    constraints : list of (str, str, str)
        ``(left, op, right)`` with op ``==``, ``<`` or ``>``.
    meanstructure : bool
        Whether means are modelled (False: intercepts saturated and not reported).
    """

    rows: list[Row]
    observed: list[str]
    latent: list[str]
    exogenous_x: list[str]
    n_groups: int
    n_free: int
    defined: list[DefinedParameter]
    constraints: list[tuple[str, str, str]]
    meanstructure: bool
    free_names: list[str] = field(default_factory=list)

    def label_rows(self) -> dict[str, int]:
        """First row index of every label (user labels and ``.pK.`` equality labels)."""
        out: dict[str, int] = {}
        for k, row in enumerate(self.rows):
            for name in (row.label, row.plabel):
                if name and name not in out:
                    out[name] = k
        return out


def _strip(parsed: ParsedModel) -> ParsedModel:
    """The covariance-structure part of a model (no ``~1`` rows, ``c()`` read for group 1) for the base table."""
    out = []
    for p in parsed.parameters:
        if p.op == "~1":
            continue
        q = replace(p, group_mods=None)
        if p.group_mods is not None:
            label, fixed, free = p.group_mods[0]
            q = replace(q, label="", fixed=fixed if fixed is not None else q.fixed, force_free=free or q.force_free)
        out.append(q)
    return ParsedModel(out, [], [])


def _category(row: Row, latent: set[str]) -> str | None:
    if row.op == "=~":
        return "loadings"
    if row.op == "~":
        return "regressions"
    if row.op == "~1":
        return "means" if row.lhs in latent else "intercepts"
    if row.op == "~~":
        both_latent = row.lhs in latent and row.rhs in latent
        both_observed = row.lhs not in latent and row.rhs not in latent
        if row.lhs == row.rhs:
            return "lv.variances" if both_latent else "residuals"
        if both_latent:
            return "lv.covariances"
        if both_observed:
            return "residual.covariances"
    return None


def _normalise_partial(entry: str) -> tuple[str, str, str]:
    text = entry.replace(" ", "")
    for op in ("=~", "~~", "~1", "~"):
        if op == "~1" and text.endswith("~1"):
            return (text[:-2], "~1", "")
        if op in text and op != "~1":
            left, right = text.split(op, 1)
            return (left, op, right)
    raise SEMSyntaxError(f"group_partial entry {entry!r} is not a parameter such as 'f =~ x2', 'x1 ~1' or 'y ~ x'.")


def build_model_table(parsed: ParsedModel, n_groups: int = 1, *, meanstructure: bool = True,
                      std_lv: bool = False, group_equal=(), group_partial=()) -> ModelTable:
    """Every parameter of every group, lavaan's defaults and equality labels included.

    Parameters
    ----------
    parsed : ParsedModel
        Output of :func:`chaoyang.sem.syntax.parse_model`.
    n_groups : int, default 1
        Number of groups (``c()`` modifiers must have this many entries).
    meanstructure : bool, default True
        Add intercepts and latent means (lavaan's ``meanstructure``).
    std_lv : bool, default False
        lavaan's ``std.lv``.
    group_equal : sequence of str
        Categories constrained equal across groups (see the module docstring).
    group_partial : sequence of str
        Parameters (``"f =~ x2"``, ``"x3 ~1"``) exempt from ``group_equal``.

    Returns
    -------
    ModelTable

    Raises
    ------
    SEMSyntaxError
        Unknown ``group_equal`` category, a ``c()`` modifier with the wrong number of
        entries, a ``group_partial`` entry that is not a parameter of the model.

    Examples
    --------
    >>> from chaoyang.sem.syntax import parse_model
    >>> t = build_model_table(parse_model("f =~ x1 + x2 + x3"), 2, group_equal=["loadings", "intercepts"])
    >>> [(r.lhs, r.op, r.rhs, r.group, r.fixed) for r in t.rows if r.op == "~1" and r.lhs == "f"]
    [('f', '~1', '', 1, 0.0), ('f', '~1', '', 2, None)]
    >>> t.n_free  # 2 loadings + 3 intercepts shared; 3 residuals + 1 factor variance per group; 1 mean
    14
    """
    group_equal = [group_equal] if isinstance(group_equal, str) else list(group_equal)
    group_partial = [group_partial] if isinstance(group_partial, str) else list(group_partial)
    for item in group_equal:
        if item not in GROUP_EQUAL:
            raise SEMSyntaxError(f"group_equal={item!r} is not a category lavaan knows here." + suggest(item, GROUP_EQUAL)
                                 + f" Use any of {', '.join(GROUP_EQUAL)}.")
    for p in parsed.parameters:
        if p.group_mods is not None and len(p.group_mods) != n_groups:
            raise SEMSyntaxError(
                f"The modifier of '{p.lhs} {p.op} {p.rhs}' has {len(p.group_mods)} entries but the data have "
                f"{n_groups} group(s); write one entry per group, e.g. c(a1, a2)*x for two groups.")
    base = build_parameter_table(_strip(parsed), std_lv=std_lv)
    latent = set(base.latent)
    user_spec = {(p.lhs, p.op, p.rhs): p for p in parsed.parameters}
    for p in parsed.parameters:
        if p.op == "~~":
            user_spec.setdefault((p.rhs, p.op, p.lhs), p)
    known = set(base.observed) | latent
    for p in parsed.parameters:
        if p.op == "~1" and p.lhs not in known:
            raise SEMSyntaxError(f"'{p.lhs} ~ 1': {p.lhs!r} is not measured or regressed anywhere in the model.")

    partial_keys = {_normalise_partial(e) for e in group_partial}

    def group_rows(g: int) -> list[Row]:
        rows: list[Row] = []
        for r in base.rows:
            if r.op == "fixed.x":
                rows.append(Row(r.lhs, "~~", r.rhs, g, exo=True))
                continue
            row = Row(r.lhs, r.op, r.rhs, g, label=r.label, fixed=r.fixed, user=r.user)
            spec = user_spec.get((r.lhs, r.op, r.rhs))
            if r.user and spec is not None:
                row.label = spec.label
                if spec.group_mods is not None:
                    label, fixed, free = spec.group_mods[g - 1]
                    auto_fixed = spec.fixed is None and not spec.force_free and r.fixed is not None
                    row.label = label
                    row.fixed = fixed if fixed is not None else (None if free else (r.fixed if auto_fixed else None))
            rows.append(row)
        if meanstructure:
            for v in base.observed + base.latent:
                spec = user_spec.get((v, "~1", ""))
                if spec is not None:
                    label, fixed = spec.label, spec.fixed
                    if spec.group_mods is not None:
                        label, fixed, _ = spec.group_mods[g - 1]
                    rows.append(Row(v, "~1", "", g, label=label, fixed=fixed, user=True))
                elif v in base.exogenous_x:
                    rows.append(Row(v, "~1", "", g, exo=True))
                elif v in latent:
                    # lavaan frees the latent means of groups 2..G when intercepts are equal, unless
                    # "means" is also equal: then they equal group 1's, which is fixed at 0.
                    means_equal = "means" in group_equal and (v, "~1", "") not in partial_keys
                    free = n_groups > 1 and g > 1 and "intercepts" in group_equal and not means_equal
                    rows.append(Row(v, "~1", "", g, fixed=None if free else 0.0))
                else:
                    rows.append(Row(v, "~1", "", g))
        return rows

    per_group = [group_rows(g) for g in range(1, n_groups + 1)]
    partial = {_normalise_partial(e) for e in group_partial}
    all_keys = {(r.lhs, r.op, r.rhs) for r in per_group[0]} | {(r.rhs, r.op, r.lhs) for r in per_group[0] if r.op == "~~"}
    for key in partial:
        if key not in all_keys:
            raise SEMSyntaxError(f"group_partial names '{' '.join(x for x in key if x)}', which is not a parameter "
                                 "of the model; write it as in the model, e.g. 'f =~ x2' or 'x3 ~1'.")
    if n_groups > 1 and group_equal:
        for k, first in enumerate(per_group[0]):
            category = _category(first, latent)
            if category not in group_equal or first.exo or (first.lhs, first.op, first.rhs) in partial \
                    or (first.rhs, first.op, first.lhs) in partial:
                continue
            plabel = f".p{k + 1}."
            for rows in per_group:
                row = rows[k]
                if row.fixed is None and not row.label:
                    row.plabel = plabel
    rows = [r for group in per_group for r in group]
    names: dict[str, int] = {}
    free_names: list[str] = []
    for r in rows:
        if r.fixed is not None or r.exo:
            continue
        key = r.label or r.plabel
        if key and key in names:
            r.par = names[key]
            continue
        r.par = len(free_names)
        shown = f"{r.lhs}{r.op}{r.rhs}" + (f".g{r.group}" if n_groups > 1 else "")
        free_names.append(key or shown)
        if key:
            names[key] = r.par
    fixed_labels = {r.label for r in rows if r.label and r.fixed is not None}
    clash = fixed_labels & set(names)
    if clash:
        raise SEMSyntaxError(f"Label {sorted(clash)[0]!r} is attached to both a fixed and a free parameter; "
                             "give them different labels.")
    return ModelTable(rows, list(base.observed), list(base.latent), list(base.exogenous_x), n_groups,
                      len(free_names), list(parsed.defined), list(parsed.constraints), meanstructure, free_names)
