"""Cluster diagnostics: does a set relation hold in every cluster, or only when the clusters are pooled?

García-Castro and Ariño (2016) decompose the consistency and coverage of a set relation in
clustered (panel) data into

* **pooled** consistency/coverage - the ordinary measure over all observations;
* **between** consistency/coverage - one value per cluster (e.g. per year, or here per
  community), over the observations of that cluster;
* **within** consistency/coverage - one value per unit (e.g. per country observed in several
  years), over that unit's observations across clusters;

and measure how far the between (within) consistencies lie from the pooled one with a distance:
the Euclidean distance between the vector of between consistencies, normalised to sum to one,
and the uniform vector ``1/J`` (``dBP``; ``dWP`` likewise over the ``N`` units). A distance near
0 means the pooled value speaks for every cluster. SetMethods 4.0's ``cluster()`` computes all
of these; this module reproduces its ``cluster.diagnostics`` helper, including its smoothing
``(numerator + 1e-10) / (denominator + 1e-10)``, so a cluster where the condition is absent
(denominator 0) gets a consistency of 1 - this module warns when that happens.

For necessity (``necessity=True``) consistency and coverage swap roles, as in SetMethods, and the
distances are computed on the between/within *coverages of sufficiency*, i.e. the necessity
consistencies.

Survey data such as the kit's residents are nested, not a panel: each resident (unit) belongs
to one community (cluster) only, so a resident's "within" consistency is just the case's own
``min(x, y) / x``. The between consistencies per community are the informative part there.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chaoyang._results import ResultMixin
from chaoyang.qca._checks import QCAError, QCATypeError, QCAWarning, check_columns_exist
from chaoyang.qca.terms import expression_membership

#: SetMethods' smoothing constant (``helper_cluster.R``).
SMOOTH = 1e-10


def _labels(values, name: str, n: int) -> np.ndarray:
    series = pd.Series(values) if not isinstance(values, pd.Series) else values.reset_index(drop=True)
    if len(series) != n:
        raise QCAError(f"{name} has {len(series)} value(s) but there are {n} case(s); give one id per case")
    missing = series.isna()
    if missing.any():
        where = series.index[missing][:5].tolist()
        raise QCAError(f"{name} has {int(missing.sum())} missing id(s) (case positions {where}...): every case "
                       "needs a cluster/unit id - drop those cases or fill the ids")
    return series.astype(str).to_numpy()


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return (num + SMOOTH) / (den + SMOOTH)


def _distance(values: np.ndarray) -> float:
    """SetMethods' dBP/dWP: Euclidean distance of the normalised vector from the uniform one."""
    normalised = (values + SMOOTH) / (values.sum() + SMOOTH)
    return float(np.sqrt(((normalised - 1.0 / len(values)) ** 2).sum()))


@dataclass(repr=False)
class ClusterDiagnostics(ResultMixin):
    """Pooled, between and within consistency and coverage of one set relation.

    Attributes
    ----------
    label : str
        What was diagnosed (a term, a solution, ``"x"``).
    relation : str
        ``"sufficiency"`` or ``"necessity"``.
    pooled : dict
        ``consistency`` and ``coverage`` over all cases.
    between : DataFrame
        Indexed by cluster (sorted as strings, as R's ``table`` sorts them): ``n`` cases,
        ``consistency``, ``coverage``.
    within : DataFrame
        Indexed by unit: ``n``, ``consistency``, ``coverage``.
    dBP, dWP : float
        Distances of the between and within consistencies from the pooled one (0 = no difference).
    """

    label: str
    relation: str
    pooled: dict
    between: pd.DataFrame
    within: pd.DataFrame
    dBP: float
    dWP: float

    def __repr__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """One row per cluster plus a ``pooled`` row: ``n, consistency, coverage``."""
        pooled = pd.DataFrame([{"n": int(self.between["n"].sum()), **self.pooled}], index=["pooled"])
        return pd.concat([pooled, self.between])

    def summary(self) -> str:
        """Pooled values, the range of the between values, and the two distances."""
        b = self.between["consistency"]
        return "\n".join([
            f"Cluster diagnostics of {self.label} ({self.relation}); {len(self.between)} clusters, "
            f"{len(self.within)} units",
            f"  pooled consistency {self.pooled['consistency']:.3f}, coverage {self.pooled['coverage']:.3f}",
            f"  between consistency from {b.min():.3f} ({b.idxmin()}) to {b.max():.3f} ({b.idxmax()})",
            f"  distance between-pooled dBP {self.dBP:.3f}; within-pooled dWP {self.dWP:.3f}",
        ])


def cluster_diagnostics(x, y, cluster, unit=None, *, necessity: bool = False, label: str = "x") -> ClusterDiagnostics:
    """Pooled, between-cluster and within-unit consistency and coverage (SetMethods' ``cluster.diagnostics``).

    Parameters
    ----------
    x, y : array-like of float
        Memberships of the condition (or solution) and of the outcome, one per observation, in [0, 1].
    cluster : array-like
        Cluster id of each observation (e.g. community; years in panel data). No missing ids.
    unit : array-like, optional
        Unit id of each observation (e.g. country in panel data). Default: every observation is its
        own unit (nested data such as residents in communities).
    necessity : bool, default False
        Diagnose ``x`` as necessary (instead of sufficient) for ``y``.
    label : str
        Name shown in the summary.

    Returns
    -------
    ClusterDiagnostics

    Raises
    ------
    ValueError
        Lengths differ, memberships outside [0, 1] or missing, missing ids, fewer than two clusters.

    Warns
    -----
    QCAWarning
        Clusters whose denominator is 0 (the condition absent throughout for sufficiency): their
        value is 1 by SetMethods' smoothing, not evidence.

    Examples
    --------
    Two clusters of two cases; by hand, cluster a: min sums 0.6 + 0.2 over x = 0.8 + 0.2 -> 0.8,
    cluster b: (0.3 + 0.9) / (0.3 + 0.9) = 1, pooled 2.0 / 2.2:

    >>> d = cluster_diagnostics([0.8, 0.2, 0.3, 0.9], [0.6, 0.4, 0.7, 1.0], ["a", "a", "b", "b"])
    >>> round(d.pooled["consistency"], 4), d.between["consistency"].round(4).tolist()
    (0.9091, [0.8, 1.0])
    >>> round(d.dBP, 4)  # |(0.8/1.8, 1/1.8) - (0.5, 0.5)|
    0.0786
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or y.shape != x.shape:
        raise QCAError(f"x and y must be one membership per case and of equal length, got {x.shape} and {y.shape}")
    for name, v in (("x", x), ("y", y)):
        if np.isnan(v).any():
            raise QCAError(f"{name} has missing memberships; drop or impute those cases first")
        if ((v < 0) | (v > 1)).any():
            raise QCAError(f"{name} has memberships outside [0, 1]; calibrate first (chaoyang.qca.calibrate)")
    if len(x) == 0:
        raise QCAError("no cases: cluster diagnostics need at least one case per cluster")
    clusters = _labels(cluster, "cluster", len(x))
    units = np.array([f"case {i}" for i in range(len(x))]) if unit is None else _labels(unit, "unit", len(x))
    if len(set(clusters)) < 2:
        raise QCAError(f"only one cluster ({clusters[0]!r}): between-cluster diagnostics need at least two clusters")
    overlap = np.minimum(x, y)
    frame = pd.DataFrame({"cluster": clusters, "unit": units, "x": x, "y": y, "xy": overlap})

    def table(by: str) -> pd.DataFrame:
        sums = frame.groupby(by, sort=True)[["x", "y", "xy"]].sum()  # R's xtabs sums duplicates
        counts = frame.groupby(by, sort=True).size()
        cons, cov = _ratio(sums["xy"], sums["x"]), _ratio(sums["xy"], sums["y"])
        if necessity:
            cons, cov = cov, cons
        out = pd.DataFrame({"n": counts.astype(int), "consistency": cons, "coverage": cov})
        out.index.name = by
        return out, sums

    between, sums = table("cluster")
    within, _ = table("unit")
    denominator = sums["y"] if necessity else sums["x"]
    empty = denominator.index[denominator == 0].tolist()
    if empty:
        warnings.warn(f"{len(empty)} cluster(s) {empty[:5]} have no membership in the "
                      f"{'outcome' if necessity else 'condition'} at all: their consistency is set to 1 by "
                      "SetMethods' smoothing and carries no evidence", QCAWarning, stacklevel=2)
    cons_p, cov_p = float(_ratio(overlap.sum(), x.sum())), float(_ratio(overlap.sum(), y.sum()))
    pooled = {"consistency": cov_p, "coverage": cons_p} if necessity else {"consistency": cons_p, "coverage": cov_p}
    # SetMethods' distances use the between/within consistencies of sufficiency, or for necessity the
    # sufficiency coverages - which are the necessity consistencies: the same column either way
    return ClusterDiagnostics(label, "necessity" if necessity else "sufficiency", pooled, between, within,
                              _distance(between["consistency"].to_numpy()),
                              _distance(within["consistency"].to_numpy()))


def cluster_solution(solution, data: pd.DataFrame, cluster: str, unit: str | None = None, *,
                     model: int = 0) -> pd.DataFrame:
    """Cluster diagnostics of every term of a solution model and of the whole model.

    Parameters
    ----------
    solution : Solution
        From :func:`chaoyang.qca.minimize`; memberships come from its truth table.
    data : DataFrame
        The cases of the solution, in the same order, with the id column(s).
    cluster : str
        Column of ``data`` holding the cluster id (e.g. ``"community_id"``).
    unit : str, optional
        Column holding the unit id (panel data); default: each case is its own unit.
    model : int, default 0
        Which model of the solution.

    Returns
    -------
    DataFrame
        One row per term and one for the model (``expression``): ``pooled_cons``, ``pooled_cov``,
        ``dBP``, ``dWP``, ``min_between_cons``, ``n_clusters_below`` (clusters whose between
        consistency is below the truth table's consistency cut-off) and ``diagnostics`` (the
        :class:`ClusterDiagnostics` object).

    Examples
    --------
    >>> import pandas as pd
    >>> from chaoyang.qca import minimize, truth_table
    >>> df = pd.DataFrame({"A": [0.9, 0.8, 0.2, 0.7, 0.1, 0.6], "B": [0.8, 0.3, 0.9, 0.6, 0.2, 0.1],
    ...                    "Y": [0.9, 0.7, 0.6, 0.8, 0.1, 0.2], "site": list("aabbcc")})
    >>> sol = minimize(truth_table(df, "Y", ["A", "B"]), include="?")
    >>> table = cluster_solution(sol, df, "site")
    >>> table.index.tolist(), int(table.loc["A", "n_clusters_below"])
    (['A', 'B', 'A + B (model M1)'], 1)
    """
    from chaoyang.qca.minimize import Solution
    from chaoyang.qca.robustness import solution_membership

    if not isinstance(solution, Solution):
        raise QCATypeError(f"expected a Solution from chaoyang.qca.minimize, got {type(solution).__name__}")
    if not isinstance(data, pd.DataFrame):
        raise QCATypeError(f"data must be a DataFrame holding the id column(s), got {type(data).__name__}")
    check_columns_exist(data, [cluster] + ([unit] if unit else []), what="id column")
    tt = solution.truth_table
    if len(data) != len(tt.y):
        raise QCAError(f"data has {len(data)} rows but the solution analysed {len(tt.y)} cases; pass the same cases")
    chosen = solution.models[model] if 0 <= model < len(solution.models) else None
    if chosen is None:
        raise QCAError(f"model={model}: the solution has {len(solution.models)} model(s)")
    members = pd.DataFrame(tt.literals[:, :tt.k], columns=tt.conditions)
    units = data[unit] if unit else None
    rows, objects = {}, {}
    targets = [(t, expression_membership(members, t)) for t in chosen.terms]
    targets.append((f"{chosen.expression} (model {chosen.name})", solution_membership(solution, model)))
    cut = tt.incl_cut[0]
    for name, x in targets:
        d = cluster_diagnostics(x, tt.y, data[cluster], units, label=name)
        objects[name] = d
        rows[name] = {"pooled_cons": d.pooled["consistency"], "pooled_cov": d.pooled["coverage"], "dBP": d.dBP,
                      "dWP": d.dWP, "min_between_cons": float(d.between["consistency"].min()),
                      "n_clusters_below": int((d.between["consistency"] < cut).sum())}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["diagnostics"] = pd.Series(objects)
    return out


__all__ = ["ClusterDiagnostics", "cluster_diagnostics", "cluster_solution"]
