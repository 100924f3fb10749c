"""Configuration charts in the notation of Ragin and Fiss (2008) and Fiss (2011).

Each column is a configuration (a term of the intermediate solution); each row a condition.
Core conditions are those the term shares with a parsimonious term it lies inside (they survive
every counterfactual); peripheral conditions appear only in the intermediate term.

Notation (cells of :func:`configuration_chart`):

========  ===========================================
``●``     core condition present (large filled circle)
``•``     peripheral condition present (small filled circle)
``⨂``     core condition absent (large crossed circle)
``⊗``     peripheral condition absent (small crossed circle)
blank     don't care (condition not in the configuration)
========  ===========================================

Configurations that share the same core are numbered ``1a``, ``1b``, ... (neutral permutations).
"""

from __future__ import annotations

import re

import pandas as pd

from chaoyang.i18n import N_
from chaoyang.qca.minimize import Model, Solution
from chaoyang.qca._checks import QCAError, QCATypeError

CORE_PRESENT, PERIPHERAL_PRESENT = "\u25cf", "\u2022"
CORE_ABSENT, PERIPHERAL_ABSENT = "\u2a02", "\u2297"
FIT_ROWS = [N_("Consistency"), N_("Raw coverage"), N_("Unique coverage"), N_("Solution consistency"),
            N_("Solution coverage")]


def _literal_sets(model: Model) -> list[set[str]]:
    return [set(term.split("*")) for term in model.terms]


def _matching_parsimonious(parsimonious: Solution, model: Model) -> Model:
    match = re.match(r"C\d+P(\d+)-", model.name)
    index = int(match.group(1)) - 1 if match else 0
    return parsimonious.models[index]


def configuration_chart(parsimonious: Solution, intermediate: Solution, *, model: int = 0) -> pd.DataFrame:
    """Fiss-style configuration chart of one intermediate model with its core conditions.

    Parameters
    ----------
    parsimonious : Solution
        The parsimonious solution (``minimize(tt, include="?")``).
    intermediate : Solution
        The intermediate solution (``minimize(tt, include="?", dir_exp=...)``); a complex solution
        also works (every condition in it is then core or peripheral by the same rule).
    model : int, default 0
        Which intermediate model to chart; it is paired with the parsimonious model it was derived
        from (``P`` in its name ``C1P2-M1``).

    Returns
    -------
    DataFrame
        Rows: the conditions, then ``Consistency``, ``Raw coverage``, ``Unique coverage``,
        ``Solution consistency``, ``Solution coverage``; columns: configurations (``1``, ``2a``,
        ``2b``...). Condition cells hold the symbols in the module docstring (blank = don't care);
        fit cells hold floats (solution rows only in the first column). ``attrs["terms"]`` maps
        columns to intermediate terms.

    Raises
    ------
    ValueError
        The two solutions come from different truth tables, or ``model`` is out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> from chaoyang.qca import truth_table, minimize
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "C": [1, 1, 1, 0, 0],
    ...                    "Y": [1, 1, 0, 0, 0]})
    >>> tt = truth_table(df, "Y", ["A", "B", "C"])
    >>> chart = configuration_chart(minimize(tt, include="?"), minimize(tt, include="?", dir_exp="A, B, C"))
    >>> chart.loc["A"].tolist()
    ['●']
    """
    if not isinstance(parsimonious, Solution) or not isinstance(intermediate, Solution):
        raise QCATypeError("configuration_chart() needs two Solution objects from minimize()")
    if parsimonious.truth_table.conditions != intermediate.truth_table.conditions or \
            parsimonious.truth_table.outcome != intermediate.truth_table.outcome:
        raise QCAError("the parsimonious and intermediate solutions come from different analyses")
    if not 0 <= model < len(intermediate.models):
        raise QCAError(f"model={model} out of range: the intermediate solution has {len(intermediate.models)} model(s)")
    chosen = intermediate.models[model]
    pars = _matching_parsimonious(parsimonious, chosen)
    pars_sets = _literal_sets(pars)
    conditions = intermediate.truth_table.conditions
    cores: list[frozenset[str]] = []
    for literals in _literal_sets(chosen):
        core = set()
        for p in pars_sets:
            if p <= literals:
                core |= p
        cores.append(frozenset(core))
    # label configurations: those sharing a core get 1a, 1b, ...
    groups: dict[frozenset, list[int]] = {}
    for i, core in enumerate(cores):
        groups.setdefault(core, []).append(i)
    labels = [""] * len(cores)
    for number, members in enumerate(groups.values(), start=1):
        for letter, i in enumerate(members):
            labels[i] = f"{number}{chr(ord('a') + letter)}" if len(members) > 1 else str(number)
    order = [i for members in groups.values() for i in members]
    columns = {}
    for i in order:
        literals = set(chosen.terms[i].split("*"))
        cells = []
        for c in conditions:
            if c in literals:
                cells.append(CORE_PRESENT if c in cores[i] else PERIPHERAL_PRESENT)
            elif "~" + c in literals:
                cells.append(CORE_ABSENT if "~" + c in cores[i] else PERIPHERAL_ABSENT)
            else:
                cells.append("")
        fit = chosen.term_fit.iloc[i]
        cells += [float(fit["inclS"]), float(fit["covS"]), float(fit["covU"]), "", ""]
        columns[labels[i]] = cells
    chart = pd.DataFrame(columns, index=pd.Index(conditions + FIT_ROWS, name="condition"), dtype=object)
    first = chart.columns[0]
    chart.loc["Solution consistency", first] = float(chosen.fit["inclS"])
    chart.loc["Solution coverage", first] = float(chosen.fit["covS"])
    chart.attrs["terms"] = {labels[i]: chosen.terms[i] for i in order}
    chart.attrs["model"] = chosen.name
    return chart


