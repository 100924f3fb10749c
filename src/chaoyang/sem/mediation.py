"""Parallel mediation: lavaan syntax writer, effect table, Zhao-Lynch-Chen typology, APA table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from chaoyang._results import ResultMixin
from chaoyang._validate import check_level, reject_unknown, renamed
from chaoyang.errors import ArgumentError
from chaoyang.i18n import N_

from .bootstrap import bias_corrected_interval, percentile_interval
from .errors import SEMColumnError, SEMTypeError


def parallel_mediation_syntax(x: str, mediators, y: str, measurement: dict | None = None) -> str:
    """Write lavaan syntax for Hayes' PROCESS model 4 (X -> M1..Mk -> Y, parallel mediators).

    Labels: ``a1..ak`` (X -> Mj), ``b1..bk`` (Mj -> Y), ``c`` (direct X -> Y).
    Defined: ``ind1..indk`` (aj*bj), ``indirect`` (sum), ``total`` (c + indirect) and
    pairwise contrasts ``diff1_2 := a1*b1 - a2*b2`` ... The mediators' residuals covary
    freely, as in PROCESS model 4.

    Parameters
    ----------
    x, y : str
        Predictor and outcome (construct or column names).
    mediators : sequence of str
        Parallel mediators (at least one).
    measurement : dict, optional
        ``{construct: [items]}`` for constructs that are latent; the others are observed columns.

    Returns
    -------
    str
        lavaan syntax for :func:`chaoyang.sem.fit`.

    Raises
    ------
    ValueError
        No mediator, repeated names, or a construct measured by fewer than two items.

    Examples
    --------
    >>> print(parallel_mediation_syntax("X", ["M1", "M2"], "Y"))
    # structural model (parallel mediation, PROCESS model 4)
    M1 ~ a1*X
    M2 ~ a2*X
    Y ~ c*X + b1*M1 + b2*M2
    # residual covariances between the parallel mediators
    M1 ~~ M2
    # effects
    ind1 := a1*b1
    ind2 := a2*b2
    indirect := a1*b1 + a2*b2
    total := c + a1*b1 + a2*b2
    diff1_2 := a1*b1 - a2*b2
    """
    mediators = list(mediators) if not isinstance(mediators, str) else [mediators]
    if not mediators:
        raise ArgumentError("Give at least one mediator.")
    names = [x, *mediators, y]
    if len(set(names)) != len(names):
        raise ArgumentError(f"x, mediators and y must be different variables, got {names}.")
    lines: list[str] = []
    if measurement:
        unknown = [k for k in measurement if k not in names]
        if unknown:
            raise ArgumentError(f"measurement names {unknown}, which are not among x, mediators, y ({names}).")
        lines.append("# measurement model")
        for construct in names:
            if construct in measurement:
                items = list(measurement[construct])
                if len(items) < 2:
                    raise ArgumentError(f"Construct {construct!r} needs at least two items, got {items}.")
                lines.append(f"{construct} =~ " + " + ".join(items))
    lines.append("# structural model (parallel mediation, PROCESS model 4)")
    for j, m in enumerate(mediators, start=1):
        lines.append(f"{m} ~ a{j}*{x}")
    lines.append(f"{y} ~ c*{x} + " + " + ".join(f"b{j}*{m}" for j, m in enumerate(mediators, start=1)))
    if len(mediators) > 1:
        lines.append("# residual covariances between the parallel mediators")
        for i in range(len(mediators)):
            for j in range(i + 1, len(mediators)):
                lines.append(f"{mediators[i]} ~~ {mediators[j]}")
    lines.append("# effects")
    k = len(mediators)
    products = [f"a{j}*b{j}" for j in range(1, k + 1)]
    for j in range(1, k + 1):
        lines.append(f"ind{j} := a{j}*b{j}")
    lines.append("indirect := " + " + ".join(products))
    lines.append("total := c + " + " + ".join(products))
    for i in range(1, k + 1):
        for j in range(i + 1, k + 1):
            lines.append(f"diff{i}_{j} := a{i}*b{i} - a{j}*b{j}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- reporting


# N_: the labels stay English in results; chapters translate them with chaoyang.i18n.t when glued.
ZHAO_TYPES = (N_("complementary"), N_("competitive"), N_("indirect-only"), N_("direct-only"), N_("no-effect"))


def zhao_mediation_type(indirect: float, indirect_significant: bool, direct: float, direct_significant: bool) -> str:
    """Zhao, Lynch & Chen (2010) mediation type from a*b and c'.

    * a*b significant and c' significant, same sign (a*b*c' > 0): ``"complementary"``;
    * a*b significant and c' significant, opposite signs: ``"competitive"``;
    * a*b significant, c' not: ``"indirect-only"``;
    * a*b not significant, c' significant: ``"direct-only"`` (no mediation);
    * neither: ``"no-effect"`` (no mediation).

    Examples
    --------
    >>> zhao_mediation_type(0.2, True, -0.1, True)
    'competitive'
    >>> zhao_mediation_type(0.02, False, 0.3, True)
    'direct-only'
    """
    if indirect_significant and direct_significant:
        return "complementary" if indirect * direct > 0 else "competitive"
    if indirect_significant:
        return "indirect-only"
    return "direct-only" if direct_significant else "no-effect"


@dataclass
class MediationReport(ResultMixin):
    """Effects of a parallel mediation, their Zhao-Lynch-Chen types and an APA-style table.

    Attributes
    ----------
    effects : pandas.DataFrame
        One row per effect: ``effect, label, est, se, pvalue, ci.lower, ci.upper, ci.method, std.all``.
    types : dict
        Mediation type per mediator and for the total indirect effect (key ``"total indirect"``).
    level : float
        Confidence level.
    """

    effects: pd.DataFrame
    types: dict
    level: float
    x: str = ""
    y: str = ""
    mediators: list = field(default_factory=list)

    def apa_table(self, digits: int = 3) -> pd.DataFrame:
        """Publication-ready table: Effect, b, SE, CI, beta, p (APA style: no leading zero for p and beta)."""
        pct = int(round(self.level * 100))
        rows = []
        for _, r in self.effects.iterrows():
            rows.append({
                "Effect": r["effect"],
                "b": f"{r['est']:.{digits}f}",
                "SE": f"{r['se']:.{digits}f}",
                f"{pct}% CI": f"[{r['ci.lower']:.{digits}f}, {r['ci.upper']:.{digits}f}]",
                "β": _no_leading_zero(f"{r['std.all']:.{digits}f}"),
                "p": _format_p(r["pvalue"]),
            })
        return pd.DataFrame(rows)

    def note(self) -> str:
        """Table note: CI method and mediation types."""
        method = self.effects["ci.method"].iloc[0]
        kinds = "; ".join(f"{k}: {v}" for k, v in self.types.items())
        return (f"Note. b = unstandardized estimate; β = completely standardized (std.all); CI = {method}. "
                f"Mediation types (Zhao, Lynch & Chen, 2010): {kinds}.")

    def to_string(self) -> str:
        """Plain-text table with title and note."""
        title = f"Table. Direct and indirect effects of {self.x} on {self.y}"
        return title + "\n" + self.apa_table().to_string(index=False) + "\n" + self.note()

    def to_html(self) -> str:
        """HTML table with caption and note (for notebooks and the book)."""
        title = f"Direct and indirect effects of {self.x} on {self.y}"
        body = self.apa_table().to_html(index=False, border=0, escape=True)
        return f"<figure><figcaption>{title}</figcaption>{body}<p><em>{self.note()}</em></p></figure>"

    def summary(self) -> str:
        """Plain-text APA table with title and note (same as :meth:`to_string`)."""
        return self.to_string()

    def to_frame(self) -> pd.DataFrame:
        """The numeric effect table (a copy of :attr:`effects`)."""
        return self.effects.copy()

    def _repr_html_(self) -> str:
        return self.to_html()


def _no_leading_zero(text: str) -> str:
    return text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text


def _format_p(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "< .001" if p < 0.001 else _no_leading_zero(f"{p:.3f}")


def mediation_report(result, x: str, mediators, y: str, *, level: float = 0.95, interval: str = "percentile",
                     **kwargs) -> MediationReport:
    """Specific, total indirect, direct and total effects, contrasts and mediation types.

    Works on a result fitted from :func:`parallel_mediation_syntax` (labels ``a1.., b1.., c,
    ind1.., indirect, total, diffi_j``). Intervals are bootstrap (``interval="percentile"``
    or ``"bc"``, recomputed at ``level`` from the stored draws) when the fit was bootstrapped,
    otherwise Wald (delta method) at ``level``. An effect is significant when its interval
    excludes 0.

    Parameters
    ----------
    result : SEMResult
        Fitted model.
    x, y : str
        Predictor and outcome.
    mediators : sequence of str
        Mediators in the order used to write the syntax.
    level : float, default 0.95
        Confidence level of the intervals (the old ``alpha=0.05`` means ``level=0.95`` and still
        works with a deprecation warning).
    interval : {"percentile", "bc"}
        Which bootstrap interval to report.

    Returns
    -------
    MediationReport

    Raises
    ------
    KeyError
        A required label is missing (fit the model written by ``parallel_mediation_syntax``).
    chaoyang.errors.ArgumentError
        Bad ``level`` or ``interval``.

    Examples
    --------
    >>> from chaoyang.sem import fit
    >>> from chaoyang.sem.simulate import simulate_parallel_mediation
    >>> df = simulate_parallel_mediation(n=400, a=(0.5, 0.4), b=(0.4, 0.0), c=0.2, latent=False, seed=1)
    >>> res = fit(parallel_mediation_syntax("X", ["M1", "M2"], "Y"), df)
    >>> mediation_report(res, "X", ["M1", "M2"], "Y").types["M1"]
    'complementary'
    """
    if "alpha" in kwargs:
        alpha = renamed(kwargs, "alpha", "level", level, 0.95, "mediation_report")
        if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or not 0 < alpha < 1:
            raise ArgumentError(f"alpha={alpha!r} must be strictly between 0 and 1; pass level=0.95 instead")
        level = 1 - alpha
    reject_unknown(kwargs, "mediation_report")
    level = check_level(level)
    from .fit import SEMResult

    if not isinstance(result, SEMResult):
        raise SEMTypeError(f"mediation_report needs the result of chaoyang.sem.fit, not {type(result).__name__}.")
    if not isinstance(interval, str) or interval not in ("percentile", "bc"):
        raise ArgumentError(f"interval must be 'percentile' or 'bc', not {interval!r}.")
    mediators = [mediators] if isinstance(mediators, str) else list(mediators)
    k = len(mediators)
    est = result.estimates
    labels = set(est["label"])
    wanted = ["c", "indirect", "total"] + [f"ind{j}" for j in range(1, k + 1)]
    missing = [w for w in wanted if w not in labels]
    if missing:
        raise SEMColumnError(
            f"The fitted model has no parameter labelled {missing[0]!r}; fit the syntax written by "
            "parallel_mediation_syntax(x, mediators, y) so that effects can be found by label.")
    boot = result.bootstrap.intervals.set_index("label") if result.bootstrap is not None else None
    pct = round(level * 100, 1)
    pct = int(pct) if pct == int(pct) else pct
    crit = stats.norm.ppf(0.5 + level / 2)
    if boot is not None:
        method = f"{pct}% {'percentile' if interval == 'percentile' else 'bias-corrected'} bootstrap CI " \
                 f"({result.bootstrap.n_converged} draws)"
    else:
        method = f"{pct}% Wald CI (delta method)"
    rows = []
    wald_rows_in_boot_table = []  # the direct path c is bootstrapped only with boot_all=True

    def add(effect: str, label: str) -> None:
        r = result.parameter(label)
        lo, hi = float(r["est"] - crit * r["se"]), float(r["est"] + crit * r["se"])
        if boot is not None and label in boot.index:
            j = list(boot.index).index(label)
            draws = result.bootstrap.draws[result.bootstrap.converged, j]
            if interval == "percentile":
                lo, hi = percentile_interval(draws, level)
            else:
                lo, hi = bias_corrected_interval(draws, float(r["est"]), level)
        elif boot is not None:
            wald_rows_in_boot_table.append(label)
        rows.append({"effect": effect, "label": label, "est": float(r["est"]), "se": float(r["se"]),
                     "pvalue": float(r["pvalue"]), "ci.lower": lo, "ci.upper": hi, "std.all": float(r["std.all"])})

    for j, m in enumerate(mediators, start=1):
        add(f"{x} → {m} → {y}", f"ind{j}")
    add("Total indirect", "indirect")
    add(f"Direct ({x} → {y})", "c")
    add("Total effect", "total")
    for i in range(1, k + 1):
        for j in range(i + 1, k + 1):
            if f"diff{i}_{j}" in labels:
                add(f"Contrast {mediators[i - 1]} − {mediators[j - 1]}", f"diff{i}_{j}")
    effects = pd.DataFrame(rows)
    if wald_rows_in_boot_table:
        method += f"; Wald (delta method) for {', '.join(wald_rows_in_boot_table)}"
    effects["ci.method"] = method

    def significant(label: str) -> bool:
        r = effects.loc[effects["label"] == label].iloc[0]
        return bool(r["ci.lower"] > 0 or r["ci.upper"] < 0)

    c_row = effects.loc[effects["label"] == "c"].iloc[0]
    c_sig = significant("c")
    types = {}
    for j, m in enumerate(mediators, start=1):
        r = effects.loc[effects["label"] == f"ind{j}"].iloc[0]
        types[m] = zhao_mediation_type(r["est"], significant(f"ind{j}"), c_row["est"], c_sig)
    tot = effects.loc[effects["label"] == "indirect"].iloc[0]
    types["total indirect"] = zhao_mediation_type(tot["est"], significant("indirect"), c_row["est"], c_sig)
    return MediationReport(effects, types, level, x, y, mediators)
