"""Measurement invariance across groups: configural → metric → scalar → strict, as lavaan users test it.

Before the means (or paths) of a construct are compared between groups of respondents, the
construct must be measured the same way in each group (Putnick & Bornstein 2016). The usual
test is a sequence of multigroup CFAs, each adding equality constraints to the previous one:

============  ==============================================  ==========================
step          constrained equal across groups                 lavaan ``group.equal``
============  ==============================================  ==========================
configural    nothing (same pattern of loadings only)         —
metric        loadings ("weak" invariance)                    ``"loadings"``
scalar        loadings and item intercepts ("strong")         ``+ "intercepts"``
strict        loadings, intercepts and residual variances     ``+ "residuals"``
means         (optional) also the latent means                ``+ "means"``
============  ==============================================  ==========================

:func:`measurement_invariance` fits the sequence with :func:`chaoyang.sem.fit` (``group=``,
``group_equal=``, ``group_partial=``, complete cases or FIML with ``missing="ml"``) and compares each
step with the one before by

* the **chi-square difference (likelihood-ratio) test**, as lavaan's ``lavTestLRT`` for ML: the
  difference of the two chi-squares on the difference of their degrees of freedom. With
  ``missing="ml"`` both chi-squares are measured against the same EM-estimated unrestricted model, so
  their difference is the difference of the two models' -2 log-likelihoods, again a likelihood-ratio
  test;
* the change in **CFI**: a drop of more than .010 signals non-invariance (Cheung & Rensvold 2002);
* **Chen's combined rule** (Chen 2007): non-invariance when CFI drops by at least .010
  *and* RMSEA rises by at least .015 or SRMR by at least .030 (testing loadings) or .010 (testing
  intercepts or residual variances). Chen derived these cut-offs for total samples above 300 with
  equal group sizes and suggested stricter ones for small or unequal groups; pass ``cutoffs`` to use
  others. Chen studied loadings, intercepts and residual variances only; the optional ``means`` step
  is judged by the intercept cut-offs, and its chi-square difference is the usual test of equal
  latent means.

The chi-square test grows with N and rejects trivial differences in large samples, the fit-index
rules are conventions from simulations: the result reports all three, and each verdict is computed.

When a step fails, :func:`locate_noninvariance` frees the step's constraints one parameter at a time
(lavaan's ``group.partial``) and reports how much each release improves the fit, the likelihood-ratio
counterpart of lavaan's univariate score tests (``lavTestScore``). A model with the offending
parameters freed tests *partial* invariance (Byrne, Shavelson & Muthén 1989); pass them as ``group_partial``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> n = 400
>>> group = np.repeat(["a", "b"], n // 2)
>>> f = rng.normal(size=n) + 0.3 * (group == "b")
>>> items = {f"x{i}": 0.8 * f + 0.6 * rng.normal(size=n) for i in (1, 2, 3, 4)}
>>> items["x4"] = items["x4"] + 0.8 * (group == "b")          # x4's intercept differs
>>> data = pd.DataFrame({**items, "g": group})
>>> res = measurement_invariance("f =~ x1 + x2 + x3 + x4", data, group="g")
>>> res.table["step"].tolist()
['configural', 'metric', 'scalar', 'strict']
>>> res.level_reached("chisq")
'metric'
>>> locate_noninvariance(res, "scalar").iloc[0]["parameter"]
'x4 ~1'
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import stats

from chaoyang._results import ResultMixin
from chaoyang.i18n import N_

from .errors import SEMDataError, SEMError, SEMTypeError

#: The constraint each step adds to the previous ones (lavaan ``group.equal`` names), in canonical order.
STEP_CONSTRAINTS = MappingProxyType({"configural": None, "metric": "loadings", "scalar": "intercepts",
                                     "strict": "residuals", "means": "means"})

#: Verdicts and step names as chapters glue them into prose (translated there with chaoyang.i18n.t).
_PROSE_WORDS = (N_("holds"), N_("fails"), N_("configural"), N_("metric"), N_("scalar"), N_("strict"), N_("means"))

#: The steps fitted by default.
DEFAULT_STEPS = ("configural", "metric", "scalar", "strict")

#: Chen's (2007) cut-offs: a drop in CFI of at least ``cfi``, with a rise in RMSEA of at least
#: ``rmsea`` or in SRMR of at least ``srmr_loadings`` (metric step) / ``srmr`` (later steps).
CHEN_CUTOFFS = MappingProxyType({"cfi": 0.010, "rmsea": 0.015, "srmr_loadings": 0.030, "srmr": 0.010})

#: The criteria :meth:`InvarianceResult.level_reached` understands.
CRITERIA = ("chisq", "cfi", "chen")

#: How each step's constrained parameters are named in ``group_partial`` (lavaan syntax).
_PARTIAL_OP = {"metric": "=~", "scalar": "~1", "strict": "~~", "means": "~1"}

_FIT_KEYS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl", "npar")


class InvarianceError(SEMError, ValueError):
    """A measurement-invariance request that cannot be run (unknown step, bad cut-off, one group, ...)."""


@dataclass
class InvarianceResult(ResultMixin):
    """The fitted invariance sequence and its step-by-step comparisons.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per step: ``step``, ``group_equal`` (the constraints, comma-separated), the step's fit
        (``chisq, df, pvalue, cfi, tli, rmsea, srmr, aic, bic``) and its comparison with the previous
        step (``delta_chisq, delta_df, delta_pvalue, delta_cfi, delta_rmsea, delta_srmr``; NaN for the
        first), with the verdict of each criterion: ``chisq_verdict`` (Δχ² p ≥ ``alpha``),
        ``cfi_verdict`` (ΔCFI > −.010, Cheung & Rensvold) and ``chen_verdict`` (Chen's combined rule),
        each ``"holds"`` or ``"fails"`` (``"—"`` for the first step).
    fits : dict of str -> SEMResult
        The fit of each step, for its estimates (e.g. latent means).
    group : str
        The grouping column.
    group_labels : list
        The groups in the order :func:`chaoyang.sem.fit` numbers them (1, 2, ...).
    group_sizes : dict
        Cases used per group.
    missing : str
        ``"listwise"`` or ``"ml"``.
    group_partial : tuple of str
        Parameters exempt from the equality constraints in every step.
    alpha : float
        Significance level of the chi-square difference tests.
    cutoffs : mapping
        The fit-index cut-offs used (see :data:`CHEN_CUTOFFS`).
    """

    table: pd.DataFrame
    fits: dict
    model: str
    group: str
    group_labels: list
    group_sizes: dict
    missing: str
    group_partial: tuple
    alpha: float
    cutoffs: MappingProxyType
    _options: dict = field(default_factory=dict, repr=False)
    _data: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def steps(self) -> list[str]:
        """The steps fitted, in order."""
        return self.table["step"].tolist()

    def verdict(self, step: str, criterion: str = "chen") -> str:
        """``"holds"`` or ``"fails"``: the named criterion's verdict on ``step`` against the step before.

        Parameters
        ----------
        step : str
            A fitted step other than the first.
        criterion : {"chen", "cfi", "chisq"}

        Raises
        ------
        InvarianceError
            Unknown criterion, a step not fitted, or the first step (which has nothing to compare with).
        """
        criterion = _check_criterion(criterion)
        if step not in self.steps:
            raise InvarianceError(f"step {step!r} was not fitted; the steps are {', '.join(self.steps)}")
        if step == self.steps[0]:
            raise InvarianceError(f"{step!r} is the first step: it is the baseline, with no verdict of its own")
        return str(self.table.set_index("step").loc[step, f"{criterion}_verdict"])

    def level_reached(self, criterion: str = "chen") -> str:
        """The last step of an unbroken run of steps that hold, by one criterion.

        Returns the first step's name when the second already fails.

        Parameters
        ----------
        criterion : {"chen", "cfi", "chisq"}
        """
        criterion = _check_criterion(criterion)
        reached = self.steps[0]
        for step in self.steps[1:]:
            if self.verdict(step, criterion) != "holds":
                break
            reached = step
        return reached

    def latent_means(self, step: str | None = None) -> pd.DataFrame:
        """Latent means per group in one step's fit (default: the last step that holds by Chen's rule).

        Latent means are only comparable across groups when intercepts are equal (scalar or
        partial scalar invariance); in earlier steps lavaan fixes them to 0 in every group.

        Returns
        -------
        pandas.DataFrame
            Columns ``factor, group, label (the group's value), est, se, pvalue, ci.lower, ci.upper``;
            group 1 is the reference (mean fixed to 0, se 0).
        """
        step = self.level_reached("chen") if step is None else step
        if step not in self.fits:
            raise InvarianceError(f"step {step!r} was not fitted; the steps are {', '.join(self.steps)}")
        est = self.fits[step].estimates
        factors = list(dict.fromkeys(est.loc[est["op"] == "=~", "lhs"]))
        rows = est.loc[(est["op"] == "~1") & est["lhs"].isin(factors)].copy()
        rows["label"] = [self.group_labels[int(g) - 1] for g in rows["group"]]
        out = rows[["lhs", "group", "label", "est", "se", "pvalue", "ci.lower", "ci.upper"]]
        return out.rename(columns={"lhs": "factor"}).reset_index(drop=True)

    def summary(self, digits: int = 3) -> str:
        """Plain-text report: one line per step with its fit, the differences and the three verdicts."""
        head = (f"Measurement invariance across {self.group} ("
                + ", ".join(f"{k}: n = {v}" for k, v in self.group_sizes.items())
                + f"); ML{', FIML' if self.missing == 'ml' else ', complete cases'}"
                + (f"; free in every step: {', '.join(self.group_partial)}" if self.group_partial else ""))
        cols = ["step", "chisq", "df", "cfi", "rmsea", "srmr", "delta_chisq", "delta_df", "delta_pvalue",
                "delta_cfi", "delta_rmsea", "delta_srmr", "chisq_verdict", "cfi_verdict", "chen_verdict"]
        body = self.table[cols].round(digits).to_string(index=False)
        tail = (f"Level reached: {self.level_reached('chen')} (Chen 2007), {self.level_reached('cfi')} "
                f"(ΔCFI, Cheung & Rensvold 2002), {self.level_reached('chisq')} (Δχ², alpha = {self.alpha}).")
        return head + "\n" + body + "\n" + tail

    def to_frame(self) -> pd.DataFrame:
        """The step table (a copy)."""
        return self.table.copy()


def _check_criterion(criterion) -> str:
    if criterion not in CRITERIA:
        raise InvarianceError(f"criterion must be one of {', '.join(CRITERIA)}, got {criterion!r}")
    return criterion


def _check_steps(steps) -> tuple[str, ...]:
    if isinstance(steps, str) or not hasattr(steps, "__iter__"):
        raise InvarianceError(f"steps must be a sequence of step names such as {DEFAULT_STEPS}, got {steps!r}")
    steps = tuple(steps)
    order = list(STEP_CONSTRAINTS)
    for step in steps:
        if step not in STEP_CONSTRAINTS:
            raise InvarianceError(f"unknown step {step!r}; the steps are {', '.join(order)}")
    if len(steps) < 2 or steps[0] != "configural":
        raise InvarianceError(f"steps must start with 'configural' and name at least one more step, got {steps}")
    if len(set(steps)) != len(steps) or [order.index(s) for s in steps] != sorted(order.index(s) for s in steps):
        raise InvarianceError(f"steps must be distinct and in the order {', '.join(order)}; got {', '.join(steps)}")
    return steps


def _check_cutoffs(cutoffs) -> MappingProxyType:
    if cutoffs is None:
        return CHEN_CUTOFFS
    if not hasattr(cutoffs, "items"):
        raise InvarianceError(f"cutoffs must be a mapping such as {dict(CHEN_CUTOFFS)}, got {cutoffs!r}")
    unknown = sorted(set(cutoffs) - set(CHEN_CUTOFFS))
    if unknown:
        raise InvarianceError(f"unknown cut-off(s) {unknown}; the cut-offs are {', '.join(CHEN_CUTOFFS)}")
    merged = dict(CHEN_CUTOFFS)
    for key, value in cutoffs.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
            raise InvarianceError(f"cut-off {key!r} must be a number in (0, 1), got {value!r}")
        merged[key] = float(value)
    return MappingProxyType(merged)


def _check_partial(group_partial) -> tuple[str, ...]:
    if isinstance(group_partial, str):
        group_partial = (group_partial,)
    if not hasattr(group_partial, "__iter__") or not all(isinstance(p, str) for p in group_partial):
        raise InvarianceError(f"group_partial must be a list of parameters such as ['x3 ~1', 'f =~ x2'], "
                              f"got {group_partial!r}")
    return tuple(group_partial)


def _fit_step(model, data, group, equal, partial, options, layout=None):
    """Fit one step. ``layout`` = (factors, number of groups), needed only for the ``means`` step."""
    from .fit import fit

    equal = list(equal)
    if "means" in equal:
        # Equal latent means = every group's mean at group 1's 0. Written as fixed means
        # ("f ~ c(0, 0)*1"), which is the same model as lavaan's group.equal = "means" and does not
        # depend on how the engine ties a free parameter to a fixed one.
        factors, n_groups = layout
        equal.remove("means")
        compact = [p.replace(" ", "") for p in partial]
        released = {p[:-2] for p in compact if p.endswith("~1") and p[:-2] in factors}
        fixed = [f"{f} ~ c({', '.join(['0'] * n_groups)})*1" for f in factors if f not in released]
        model = model + "\n" + "\n".join(fixed)
        partial = [p for p, c in zip(partial, compact) if not (c.endswith("~1") and c[:-2] in factors)]
    return fit(model, data, group=group, group_equal=equal, group_partial=list(partial), **options)


def _layout(result) -> tuple[list[str], int]:
    est = result.estimates
    factors = list(dict.fromkeys(est.loc[est["op"] == "=~", "lhs"]))
    return factors, len(result.group_labels)


def measurement_invariance(model: str, data: pd.DataFrame, group: str, *, steps=DEFAULT_STEPS,
                           missing: str = "listwise", group_partial=(), std_lv: bool = False,
                           alpha: float = 0.05, cutoffs=None) -> InvarianceResult:
    """Fit the configural → metric → scalar → strict sequence across groups and compare the steps.

    Parameters
    ----------
    model : str
        A measurement model in lavaan syntax (``f =~ x1 + x2 + x3``; several factors allowed).
    data : pandas.DataFrame
        One row per respondent with the items and the ``group`` column. Not modified.
    group : str
        Column whose values define the groups (at least two).
    steps : sequence of str, default ("configural", "metric", "scalar", "strict")
        Steps to fit, starting with ``"configural"``, in the canonical order; ``"means"`` adds equal
        latent means (a test of the latent mean difference given the constraints before it).
    missing : {"listwise", "ml"}, default "listwise"
        Complete cases, or full-information ML (lavaan's ``missing = "ml"``).
    group_partial : sequence of str, optional
        Parameters left free in every step (partial invariance), lavaan-style: ``"x3 ~1"``
        (an intercept), ``"f =~ x2"`` (a loading), ``"x3 ~~ x3"`` (a residual variance).
    std_lv : bool, default False
        Identify factors by their variance (lavaan's ``std.lv``) instead of the first loading.
    alpha : float, default 0.05
        Significance level of the chi-square difference tests, in (0, 1).
    cutoffs : mapping, optional
        Override any of :data:`CHEN_CUTOFFS` (``cfi``, ``rmsea``, ``srmr_loadings``, ``srmr``), e.g.
        Chen's stricter values for small or unequal groups.

    Returns
    -------
    InvarianceResult
        ``.table`` (one row per step with the differences and verdicts), ``.fits``, ``.level_reached()``,
        ``.latent_means()``, ``.summary()``.

    Raises
    ------
    InvarianceError
        Unknown or misordered steps, a bad ``alpha``, ``cutoffs`` or ``group_partial``, or a group
        column with fewer than two groups.
    chaoyang.sem.SEMError
        Whatever :func:`chaoyang.sem.fit` refuses (unknown columns, too few cases in a group, ...).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=600)
    >>> data = pd.DataFrame({f"y{i}": 0.7 * f + 0.7 * rng.normal(size=600) for i in (1, 2, 3)})
    >>> data["sex"] = rng.choice(["f", "m"], size=600)
    >>> res = measurement_invariance("f =~ y1 + y2 + y3", data, "sex", steps=("configural", "metric", "scalar"))
    >>> res.level_reached()
    'scalar'
    >>> int(res.table.loc[1, "delta_df"])
    2
    """
    steps = _check_steps(steps)
    cutoffs = _check_cutoffs(cutoffs)
    group_partial = _check_partial(group_partial)
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise InvarianceError(f"alpha must be a number in (0, 1), got {alpha!r}")
    if not isinstance(data, pd.DataFrame):
        raise SEMTypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if not isinstance(group, str) or group not in data.columns:
        raise InvarianceError(f"group must name a column of data; {group!r} is not one "
                              f"(columns: {', '.join(map(str, data.columns[:12]))}{', ...' if data.shape[1] > 12 else ''})")
    levels = data[group].dropna().unique()
    if len(levels) < 2:
        raise InvarianceError(f"column {group!r} holds {len(levels)} group(s); invariance needs at least two")
    options = {"missing": missing, "std_lv": std_lv}
    fits, equal = {}, []
    # Every step sees the same data, so each warning (e.g. cases dropped listwise) would repeat once
    # per step: collect them and say each once.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for step in steps:
            if STEP_CONSTRAINTS[step]:
                equal.append(STEP_CONSTRAINTS[step])
            layout = _layout(fits[steps[0]]) if fits else None
            fits[step] = _fit_step(model, data, group, equal, group_partial, options, layout)
    for message in {(str(w.message), w.category): None for w in caught}:
        warnings.warn(message[0], message[1], stacklevel=2)
    table = _step_table(fits, steps, alpha, cutoffs)
    first = fits[steps[0]]
    labels = list(first.group_labels)
    sizes = _group_sizes(first, data, group, labels)
    return InvarianceResult(table=table, fits=fits, model=model, group=group, group_labels=labels,
                            group_sizes=sizes, missing=first.missing, group_partial=group_partial, alpha=float(alpha),
                            cutoffs=cutoffs, _options=options, _data=data)


def _group_sizes(result, data: pd.DataFrame, group: str, labels) -> dict:
    """Cases used per group: complete rows (listwise) or rows with at least one answer (FIML)."""
    est = result.estimates
    items = [x for x in dict.fromkeys(est.loc[est["op"] == "=~", "rhs"]) if x in data.columns]
    answered = data[items].notna()
    used = answered.all(axis=1) if result.missing == "listwise" else answered.any(axis=1)
    return {str(label): int((used & (data[group] == label)).sum()) for label in labels}


def _compare(previous: dict, current: dict, step: str, alpha: float, cutoffs) -> dict:
    """Differences of one step from the previous one and the three verdicts."""
    d_chisq = current["chisq"] - previous["chisq"]
    d_df = current["df"] - previous["df"]
    if d_df <= 0:
        raise InvarianceError(f"step {step!r} adds no degrees of freedom to the step before (Δdf = {d_df}); "
                              "the constraints it adds are already implied (check group_partial)")
    p = float(stats.chi2.sf(max(d_chisq, 0.0), d_df))
    d_cfi = current["cfi"] - previous["cfi"]
    d_rmsea = current["rmsea"] - previous["rmsea"]
    d_srmr = current["srmr"] - previous["srmr"]
    srmr_cut = cutoffs["srmr_loadings"] if step == "metric" else cutoffs["srmr"]
    # A tiny tolerance keeps a change of exactly the cut-off (e.g. -0.010 printed) from flipping on rounding noise.
    cfi_fails = d_cfi <= -cutoffs["cfi"] + 1e-12
    chen_fails = cfi_fails and (d_rmsea >= cutoffs["rmsea"] - 1e-12 or d_srmr >= srmr_cut - 1e-12)
    return {"delta_chisq": d_chisq, "delta_df": int(d_df), "delta_pvalue": p, "delta_cfi": d_cfi,
            "delta_rmsea": d_rmsea, "delta_srmr": d_srmr,
            "chisq_verdict": "holds" if p >= alpha else "fails",
            "cfi_verdict": "fails" if cfi_fails else "holds",
            "chen_verdict": "fails" if chen_fails else "holds"}


def _step_table(fits: dict, steps, alpha: float, cutoffs) -> pd.DataFrame:
    rows, equal = [], []
    previous = None
    for step in steps:
        if STEP_CONSTRAINTS[step]:
            equal.append(STEP_CONSTRAINTS[step])
        fm = fits[step].fit_measures
        row = {"step": step, "group_equal": ", ".join(equal) or "—"}
        row.update({k: float(fm[k]) if k in fm and fm[k] is not None else math.nan for k in _FIT_KEYS})
        row["df"] = int(fm["df"])
        if previous is None:
            row.update({k: math.nan for k in ("delta_chisq", "delta_df", "delta_pvalue", "delta_cfi",
                                              "delta_rmsea", "delta_srmr")})
            row.update({"chisq_verdict": "—", "cfi_verdict": "—", "chen_verdict": "—"})
        else:
            row.update(_compare(previous, row, step, alpha, cutoffs))
        rows.append(row)
        previous = row
    table = pd.DataFrame(rows)
    table["delta_df"] = table["delta_df"].astype("Int64")
    return table


def _candidates(result: InvarianceResult, step: str) -> list[str]:
    """The parameters a step constrains, named as ``group_partial`` expects (excluding fixed ones)."""
    est = result.fits["configural"].estimates
    first = est.loc[est["group"] == 1]
    factors = list(dict.fromkeys(first.loc[first["op"] == "=~", "lhs"]))
    loadings = first.loc[first["op"] == "=~"]
    indicators = list(dict.fromkeys(loadings["rhs"]))
    if step == "metric":
        free = loadings.loc[loadings["se"] > 0]
        return [f"{r.lhs} =~ {r.rhs}" for r in free.itertuples()]
    if step == "scalar":
        return [f"{x} ~1" for x in indicators]
    if step == "strict":
        return [f"{x} ~~ {x}" for x in indicators]
    return [f"{f} ~1" for f in factors]


def locate_noninvariance(result: InvarianceResult, step: str = "scalar") -> pd.DataFrame:
    """Free one constrained parameter of a step at a time and measure how much the fit improves.

    For each parameter the step constrains (each free loading for ``"metric"``, each item intercept
    for ``"scalar"``, each residual variance for ``"strict"``), the step is refitted with that
    parameter added to ``group_partial``. The chi-square drop on 1 df per extra free parameter is a
    likelihood-ratio test of that parameter's equality: the largest drop points to the non-invariant
    item. Free the worst one, refit the sequence, and look again; stop when the step holds
    (Byrne, Shavelson & Muthén 1989).

    Parameters
    ----------
    result : InvarianceResult
        A sequence that includes ``step``.
    step : {"metric", "scalar", "strict", "means"}, default "scalar"

    Returns
    -------
    pandas.DataFrame
        One row per parameter, largest improvement first: ``parameter`` (ready for ``group_partial``),
        ``chisq`` and ``df`` of the released model, ``chisq_drop``, ``df_drop``, ``pvalue`` of the drop,
        ``cfi`` and ``cfi_gain`` (CFI of the released model minus the step's CFI).

    Raises
    ------
    InvarianceError
        ``step`` was not fitted or is the configural step.

    Examples
    --------
    See the module docstring.
    """
    if not isinstance(result, InvarianceResult):
        raise InvarianceError(f"result must be an InvarianceResult from measurement_invariance, got "
                              f"{type(result).__name__}")
    if step not in result.fits or step == "configural":
        raise InvarianceError(f"step must be a fitted step after 'configural' ({', '.join(result.steps[1:])}), "
                              f"got {step!r}")
    base = result.fits[step].fit_measures
    equal = [STEP_CONSTRAINTS[s] for s in result.steps[: result.steps.index(step) + 1] if STEP_CONSTRAINTS[s]]
    rows = []
    for parameter in _candidates(result, step):
        if parameter in result.group_partial:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            released = _fit_step(result.model, result._data, result.group, equal,
                                 (*result.group_partial, parameter), result._options,
                                 _layout(result.fits["configural"])).fit_measures
        drop = base["chisq"] - released["chisq"]
        df_drop = int(base["df"] - released["df"])
        rows.append({"parameter": parameter, "chisq": float(released["chisq"]), "df": int(released["df"]),
                     "chisq_drop": float(drop), "df_drop": df_drop,
                     "pvalue": float(stats.chi2.sf(max(drop, 0.0), df_drop)) if df_drop > 0 else math.nan,
                     "cfi": float(released["cfi"]), "cfi_gain": float(released["cfi"] - base["cfi"])})
    if not rows:
        raise SEMDataError(f"step {step!r} constrains no parameter that is not already in group_partial")
    return pd.DataFrame(rows).sort_values("chisq_drop", ascending=False, kind="stable").reset_index(drop=True)


__all__ = ["measurement_invariance", "locate_noninvariance", "InvarianceResult", "InvarianceError",
           "CHEN_CUTOFFS", "DEFAULT_STEPS", "STEP_CONSTRAINTS", "CRITERIA"]
