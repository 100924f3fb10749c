"""Parallel mediation: lavaan syntax writer, effect table, Zhao-Lynch-Chen typology, APA table."""
from __future__ import annotations


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
        raise ValueError("Give at least one mediator.")
    names = [x, *mediators, y]
    if len(set(names)) != len(names):
        raise ValueError(f"x, mediators and y must be different variables, got {names}.")
    lines: list[str] = []
    if measurement:
        unknown = [k for k in measurement if k not in names]
        if unknown:
            raise ValueError(f"measurement names {unknown}, which are not among x, mediators, y ({names}).")
        lines.append("# measurement model")
        for construct in names:
            if construct in measurement:
                items = list(measurement[construct])
                if len(items) < 2:
                    raise ValueError(f"Construct {construct!r} needs at least two items, got {items}.")
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
