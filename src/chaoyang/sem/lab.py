"""Monte Carlo lab: power and confidence-interval coverage of bootstrapped indirect effects.

Draw many samples from the planted world, fit each pathway's parallel triple mediation with
:func:`chaoyang.sem.fit` and a bootstrap, and count

* **power**: the share of samples whose interval excludes 0 (every planted indirect effect is
  non-zero, so each exclusion is a correct detection);
* **coverage**: the share of samples whose interval contains the true value (nominal: the
  confidence level, e.g. 95 %),

for percentile and bias-corrected (BC) intervals side by side. Each share comes with its Monte
Carlo standard error ``sqrt(p (1 - p) / R)`` for R replications.

Three data sources, from cleanest to most realistic:

``"latent"``
    The five latent scores of the pathway, observed without error (a path model). The truth
    is :meth:`chaoyang.world.World.pathway_truth` exactly (latent variances are 1).
``"items"``
    Four continuous items per construct with the planted loadings (``y = λ η + √(1 - λ²) ε``),
    fitted as a full SEM. With the first loading of each factor fixed to 1 the unstandardized
    effects are the standardized truth times ``λ(WIL1) / λ(first item of the driver)``
    (:func:`lab_truth`).
``"survey"``
    :func:`chaoyang.data.generate_survey`: 5-point items with a method factor, reverse keying
    and missing answers. Power only: the estimates' scale depends on how 5-point answers
    attenuate covariances, so no exact truth exists on that scale and coverage is not reported.

Examples
--------
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")        # 50 draws: the library warns that intervals are unstable
...     lab = run_lab("party", n=200, n_reps=3, n_boot=50, seed=1)
>>> sorted(lab.effects.columns)[:3]
['bias', 'coverage_bc', 'coverage_perc']
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chaoyang import sem
from chaoyang._results import ResultMixin
from chaoyang._validate import check_count, check_level, check_n_boot, check_seed, reject_unknown, renamed
from chaoyang.errors import ArgumentError, ChaoyangWarning, SeedError
from chaoyang.sem.errors import SEMLabelError
from chaoyang.sem.mediation import parallel_mediation_syntax
from chaoyang.data.survey import scored_items
from chaoyang.world import DEFAULT_WORLD, ITEMS, PATHWAYS, World, items_of

SOURCES = ("latent", "items", "survey")
#: Effects the lab reports by default (labels of :func:`parallel_mediation_syntax`).
DEFAULT_LABELS = ("ind1", "ind2", "ind3", "indirect")


# ----------------------------------------------------------------------------- model and truth
def _check_pathway(pathway: str) -> dict:
    if not isinstance(pathway, str) or pathway not in PATHWAYS:
        raise SEMLabelError(f"unknown pathway {pathway!r}; choose one of {', '.join(PATHWAYS)}")
    return PATHWAYS[pathway]


def _check_source(source: str) -> None:
    if not isinstance(source, str) or source not in SOURCES:
        raise ArgumentError(f"source must be one of {SOURCES}, got {source!r}")


def lab_syntax(pathway: str, source: str = "latent") -> str:
    """lavaan syntax of the pathway's parallel triple mediation for a data source.

    ``"latent"``: a path model on the construct columns; ``"items"`` and ``"survey"``: the
    measurement model on the four items of each construct plus the same structural part.
    Labels as in :func:`chaoyang.sem.mediation.parallel_mediation_syntax`.

    Examples
    --------
    >>> print(lab_syntax("police").splitlines()[1])
    CLO ~ a1*PCR
    """
    spec = _check_pathway(pathway)
    _check_source(source)
    constructs = [spec["driver"], *spec["mediators"], "WIL"]
    measurement = None if source == "latent" else {c: [i.column for i in items_of(c)] for c in constructs}
    return parallel_mediation_syntax(spec["driver"], list(spec["mediators"]), "WIL", measurement=measurement)


def lab_truth(pathway: str, source: str = "latent", world: World = DEFAULT_WORLD) -> dict | None:
    """True values of the lab's effects on the scale of the fitted estimates.

    Parameters
    ----------
    pathway : {"party", "police", "brand"}
    source : {"latent", "items", "survey"}
    world : World, default DEFAULT_WORLD

    Returns
    -------
    dict or None
        Label -> value for ``a1..a3, b1..b3, c, ind1..ind3, indirect, total, diffi_j``;
        ``None`` for ``"survey"`` (no exact truth on the estimates' scale).

    Examples
    --------
    >>> t = lab_truth("party")
    >>> round(t["indirect"], 6) == round(DEFAULT_WORLD.pathway_truth("party")["total_indirect"], 6)
    True
    """
    spec = _check_pathway(pathway)
    _check_source(source)
    if source == "survey":
        return None
    std = world.pathway_truth(pathway)
    if source == "latent":
        x_scale = y_scale = 1.0
    else:
        # Marker scaling: a latent variable takes the units of its first item, lambda_1 * eta.
        x_scale = world.loadings[items_of(spec["driver"])[0].column]
        y_scale = world.loadings[items_of("WIL")[0].column]
    m_scale = {j: (world.loadings[items_of(m)[0].column] if source == "items" else 1.0)
               for j, m in enumerate(spec["mediators"], start=1)}
    truth = {"c": std["c_prime"] * y_scale / x_scale}
    for j in (1, 2, 3):
        truth[f"a{j}"] = std[f"a{j}"] * m_scale[j] / x_scale
        truth[f"b{j}"] = std[f"b{j}"] * y_scale / m_scale[j]
        truth[f"ind{j}"] = std[f"ind{j}"] * y_scale / x_scale
    truth["indirect"] = std["total_indirect"] * y_scale / x_scale
    truth["total"] = std["total"] * y_scale / x_scale
    for i in (1, 2, 3):
        for j in range(i + 1, 4):
            truth[f"diff{i}_{j}"] = truth[f"ind{i}"] - truth[f"ind{j}"]
    return truth


def simulate_pathway_sample(pathway: str, n: int, *, seed: int, source: str = "latent",
                            world: World = DEFAULT_WORLD) -> pd.DataFrame:
    """One sample of ``n`` residents for the pathway's model.

    Parameters
    ----------
    pathway : {"party", "police", "brand"}
    n : int
        Residents, >= 30 (>= 40 for ``"survey"``, one per community).
    seed : int
        Seed of the draw (non-negative).
    source : {"latent", "items", "survey"}
        See the module docstring.
    world : World, default DEFAULT_WORLD

    Returns
    -------
    pandas.DataFrame
        ``"latent"``: columns driver, mediators, ``WIL``; otherwise the items (floats,
        reverse-keyed items already reversed, missing answers as NaN for ``"survey"``).

    Examples
    --------
    >>> simulate_pathway_sample("brand", 50, seed=1).columns.tolist()
    ['BRP', 'BID', 'EE', 'RES', 'WIL']
    """
    spec = _check_pathway(pathway)
    _check_source(source)
    n = check_count(n, "n", minimum=40 if source == "survey" else 30)
    seed = check_seed(seed)
    if seed is None or isinstance(seed, np.random.SeedSequence):
        raise SeedError(f"seed={seed!r}: simulate_pathway_sample needs a non-negative integer seed (e.g. seed=1)")
    constructs = [spec["driver"], *spec["mediators"], "WIL"]
    if source == "survey":
        from chaoyang.data import generate_survey

        survey, _ = generate_survey(int(n), n_communities=int(max(4, min(40, n // 30))), seed=int(seed), world=world)
        columns = [i.column for c in constructs for i in items_of(c)]
        return scored_items(survey)[columns]
    rng = np.random.default_rng(seed)
    latent = world.draw_latent(rng, int(n))
    if source == "latent":
        return pd.DataFrame({c: latent[c] for c in constructs})
    items = {}
    for construct in constructs:
        for item in items_of(construct):
            loading = world.loadings[item.column]
            items[item.column] = loading * latent[construct] + np.sqrt(1 - loading**2) * rng.normal(size=int(n))
    return pd.DataFrame(items)


# ----------------------------------------------------------------------------- the lab
@dataclass
class LabResult(ResultMixin):
    """Outcome of :func:`run_lab`.

    Attributes
    ----------
    replications : pandas.DataFrame
        One row per replication and effect: ``replication, data_seed, boot_seed, label, est,
        perc.lower, perc.upper, bc.lower, bc.upper, truth`` (``truth`` NaN-free; absent for
        ``"survey"``) and ``n_used`` (cases after listwise deletion).
    effects : pandas.DataFrame
        One row per effect: ``truth, mean_est, bias, power_perc, power_bc, coverage_perc,
        coverage_bc`` (coverage and bias only when a truth exists), ``mc_se`` (largest Monte
        Carlo SE of the shares in the row) and ``replications``. (Called ``summary`` before
        chaoyang 1.0; :meth:`summary` is now the text report.)
    settings : dict
        The arguments of the run (``seed_entropy`` repeats a run made with ``seed=None``).
    failed : int
        Replications whose fit raised a :class:`chaoyang.sem.SEMError` (left out and counted).
    """

    replications: pd.DataFrame
    effects: pd.DataFrame
    settings: dict = field(default_factory=dict)
    failed: int = 0

    def summary(self) -> str:
        """Plain text: the settings, then power and coverage per effect."""
        s = self.settings
        head = (f"SEM Monte Carlo lab: pathway {s.get('pathway')}, source {s.get('source')}, n = {s.get('n')}, "
                f"{s.get('n_reps')} replications x {s.get('n_boot')} bootstrap draws, level {s.get('level')}"
                + (f"; {self.failed} replications failed" if self.failed else ""))
        return head + "\n\n" + self.effects.round(3).to_string()

    def to_frame(self) -> pd.DataFrame:
        """Power and coverage per effect, the label as a column ``effect``."""
        return self.effects.rename_axis("effect").reset_index()


def _seeds(root: np.random.SeedSequence, count: int) -> list[tuple[int, int]]:
    """Independent (data, bootstrap) seed pairs per replication from one root SeedSequence."""
    children = root.spawn(count)
    return [tuple(int(v) for v in child.generate_state(2, dtype=np.uint32)) for child in children]


def summarize(replications: pd.DataFrame) -> pd.DataFrame:
    """Power, coverage, bias and Monte Carlo SE per effect from a replication table.

    Parameters
    ----------
    replications : pandas.DataFrame
        As :attr:`LabResult.replications` (column ``truth`` optional).

    Returns
    -------
    pandas.DataFrame
        Indexed by effect label (see :attr:`LabResult.effects`).

    Examples
    --------
    >>> reps = pd.DataFrame({"label": ["ind1"] * 2, "est": [0.1, 0.3], "truth": [0.2, 0.2],
    ...                      "perc.lower": [0.05, -0.1], "perc.upper": [0.15, 0.5],
    ...                      "bc.lower": [0.01, 0.1], "bc.upper": [0.3, 0.4]})
    >>> summarize(reps).loc["ind1", ["power_perc", "coverage_perc", "coverage_bc"]].tolist()
    [0.5, 0.5, 1.0]
    """
    rows = {}
    has_truth = "truth" in replications.columns
    for label, group in replications.groupby("label", sort=False):
        r = len(group)
        row = {"replications": r, "mean_est": float(group["est"].mean())}
        shares = []
        for kind in ("perc", "bc"):
            lo, hi = group[f"{kind}.lower"], group[f"{kind}.upper"]
            row[f"power_{kind}"] = float(((lo > 0) | (hi < 0)).mean())
            shares.append(row[f"power_{kind}"])
            if has_truth:
                row[f"coverage_{kind}"] = float(((lo <= group["truth"]) & (group["truth"] <= hi)).mean())
                shares.append(row[f"coverage_{kind}"])
        if has_truth:
            row["truth"] = float(group["truth"].iloc[0])
            row["bias"] = row["mean_est"] - row["truth"]
        row["mc_se"] = float(max(np.sqrt(p * (1 - p) / r) for p in shares))
        rows[label] = row
    order = ["truth", "mean_est", "bias", "power_perc", "power_bc", "coverage_perc", "coverage_bc", "mc_se",
             "replications"]
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table[[c for c in order if c in table.columns]]


def run_lab(pathway: str = "party", *, n: int = 300, n_reps: int = 50, n_boot: int = 200, seed=None,
            source: str = "latent", level: float = 0.95, labels=DEFAULT_LABELS,
            world: World = DEFAULT_WORLD, **kwargs) -> LabResult:
    """Monte Carlo power and coverage of bootstrapped effects of one pathway.

    Parameters
    ----------
    pathway : {"party", "police", "brand"}, default "party"
    n : int, default 300
        Residents per sample (>= 30; >= 40 for ``"survey"``).
    n_reps : int, default 50
        Samples drawn (>= 2). Shares have Monte Carlo SE up to 0.5 / sqrt(n_reps).
    n_boot : int, default 200
        Bootstrap draws per sample (>= 20; a warning under 200). A real analysis uses 5,000 or more.
    seed : None, int >= 0 or numpy.random.SeedSequence, default None
        Root seed; replication ``r`` uses its own spawned (data, bootstrap) seeds, listed in
        the result, so any replication can be repeated alone. ``None``: fresh entropy (not
        reproducible; recorded as ``settings["seed_entropy"]``).
    source : {"latent", "items", "survey"}, default "latent"
    level : float, default 0.95
        Confidence level of the intervals.
    labels : sequence of str, default ("ind1", "ind2", "ind3", "indirect")
        Effects to report (any ``:=`` label of :func:`lab_syntax`).
    world : World, default DEFAULT_WORLD
    **kwargs
        ``replications=`` and ``draws=`` (names before chaoyang 1.0) still work with a
        :class:`~chaoyang.errors.ChaoyangDeprecationWarning`.

    Returns
    -------
    LabResult

    Raises
    ------
    chaoyang.sem.errors.SEMLabelError
        Unknown pathway or effect label (a ``KeyError``).
    chaoyang.errors.ArgumentError, chaoyang.errors.SeedError
        Bad ``source``, ``n``, ``n_reps``, ``n_boot``, ``seed`` or ``level``.
    ValueError
        Every replication failed.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")          # 30 draws: a warning about unstable interval ends
    ...     lab = run_lab("police", n=150, n_reps=2, n_boot=30, seed=3)
    >>> lab.effects.index.tolist()
    ['ind1', 'ind2', 'ind3', 'indirect']
    """
    n_reps = renamed(kwargs, "replications", "n_reps", n_reps, 50, "run_lab")
    n_boot = renamed(kwargs, "draws", "n_boot", n_boot, 200, "run_lab")
    reject_unknown(kwargs, "run_lab")
    _check_pathway(pathway)
    _check_source(source)
    n = check_count(n, "n", minimum=40 if source == "survey" else 30)
    n_reps = check_count(n_reps, "n_reps", minimum=2)
    n_boot = check_n_boot(n_boot, allow_zero=False)
    seed = check_seed(seed)
    level = check_level(level)
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    labels = [labels] if isinstance(labels, str) else labels
    if not isinstance(labels, (list, tuple)) or not labels or not all(isinstance(x, str) for x in labels):
        raise ArgumentError(f"labels={labels!r} must be a non-empty list of effect labels such as ['ind1', 'indirect']")
    labels = list(labels)
    syntax = lab_syntax(pathway, source)
    truth = lab_truth(pathway, source, world)
    known = [line.split(":=")[0].strip() for line in syntax.splitlines() if ":=" in line]
    unknown = [lab for lab in labels if lab not in known]
    if unknown:
        raise SEMLabelError(f"effect {unknown[0]!r} is not defined in the lab model; choose from {known}")
    records = []
    failed = 0
    for r, (data_seed, boot_seed) in enumerate(_seeds(root, n_reps)):
        data = simulate_pathway_sample(pathway, n, seed=data_seed, source=source, world=world)
        try:
            with warnings.catch_warnings():
                # Listwise deletion is expected with the survey source; n_used records it.
                warnings.filterwarnings("ignore", message="Listwise deletion", category=sem.SEMWarning)
                # n_boot < 200 was already warned about once, not once per replication
                warnings.filterwarnings("ignore", message="n_boot=", category=ChaoyangWarning)
                result = sem.fit(syntax, data, n_boot=n_boot, seed=boot_seed, level=level)
        except sem.SEMError:
            failed += 1
            continue
        intervals = result.bootstrap.intervals.set_index("label")
        for label in labels:
            row = intervals.loc[label]
            record = {"replication": r, "data_seed": data_seed, "boot_seed": boot_seed, "label": label,
                      "est": float(row["est"]), "perc.lower": float(row["perc.lower"]),
                      "perc.upper": float(row["perc.upper"]), "bc.lower": float(row["bc.lower"]),
                      "bc.upper": float(row["bc.upper"]), "n_used": result.n}
            if truth is not None:
                record["truth"] = truth[label]
            records.append(record)
    if not records:
        raise ArgumentError(f"all {n_reps} replications failed to fit; increase n (now {n})")
    if failed:
        warnings.warn(f"{failed} of {n_reps} replications failed to fit and were left out", sem.SEMWarning,
                      stacklevel=2)
    table = pd.DataFrame(records)
    settings = {"pathway": pathway, "n": n, "n_reps": n_reps, "n_boot": n_boot, "seed": seed,
                "seed_entropy": int(root.entropy), "source": source, "level": level}
    return LabResult(table, summarize(table), settings, failed)


def power_curve(pathway: str = "party", *, sizes=(100, 200, 400), n_reps: int = 30, n_boot: int = 100,
                seed=None, source: str = "latent", level: float = 0.95, labels=DEFAULT_LABELS,
                world: World = DEFAULT_WORLD, **kwargs) -> pd.DataFrame:
    """:func:`run_lab` at several sample sizes; one table with a column ``n``.

    Each size gets its own root seed spawned from ``seed`` (``None``: fresh entropy).
    ``replications=``/``draws=`` still work with a deprecation warning.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     curve = power_curve("party", sizes=(60, 120), n_reps=2, n_boot=25, seed=2)
    >>> sorted(curve["n"].unique().tolist())
    [60, 120]
    """
    n_reps = renamed(kwargs, "replications", "n_reps", n_reps, 30, "power_curve")
    n_boot = renamed(kwargs, "draws", "n_boot", n_boot, 100, "power_curve")
    reject_unknown(kwargs, "power_curve")
    seed = check_seed(seed)
    sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
    if not sizes:
        raise ArgumentError("sizes must list at least one sample size")
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    parts = []
    for size, child in zip(sizes, root.spawn(len(sizes))):
        effects = run_lab(pathway, n=size, n_reps=n_reps, n_boot=n_boot, seed=child, source=source, level=level,
                          labels=labels, world=world).effects
        parts.append(effects.rename_axis("effect").reset_index().assign(n=int(size)))
    return pd.concat(parts, ignore_index=True)


__all__ = ["SOURCES", "DEFAULT_LABELS", "lab_syntax", "lab_truth", "simulate_pathway_sample", "LabResult",
           "summarize", "run_lab", "power_curve"]
