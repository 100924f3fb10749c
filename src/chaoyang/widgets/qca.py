"""Truth-table explorer widget for the fsQCA chapter: sliders for the cut-offs, solutions that follow.

Each move calls :func:`chaoyang.qca.grid.solve`; the book shows the static twin
:func:`chaoyang.plots.qca_grid.plot_solution_grid` beside it (widgets need a live kernel).
"""

from __future__ import annotations

import html

import pandas as pd

from chaoyang.errors import ChaoyangError
from chaoyang.qca._checks import QCAError
from chaoyang.qca.grid import MIN_INCL_CUT, SOLUTION_KINDS, NoSolutionError, QCAResult, check_thresholds, compare_with_planted, solve


def _render_html(result: QCAResult | None, error: str = "", planted=None, *, label: str = "No solution") -> str:
    if result is None:
        return f"<p style='color:#b00'><b>{label}:</b> {html.escape(error)}</p>"
    s = result.settings
    parts = [f"<p><b>incl_cut</b> {s['incl_cut']:.2f} &nbsp; <b>n_cut</b> {s['n_cut']} &nbsp; "
             f"<b>pri_cut</b> {s['pri_cut']:.2f}</p>"]
    table = result.truth_table.table.drop(columns=["cases"]).sort_values("incl", ascending=False)
    parts.append(table.to_html(float_format=lambda v: f"{v:.3f}", border=0))
    for kind in SOLUTION_KINDS:
        sol = getattr(result, kind)
        if sol is None:
            continue
        model = sol.models[0]
        more = f" (+{len(sol.models) - 1} more models)" if len(sol.models) > 1 else ""
        parts.append(f"<p><b>{kind.capitalize()}</b>: {html.escape(model.expression)}{more} &mdash; "
                     f"consistency {model.fit['inclS']:.3f}, coverage {model.fit['covS']:.3f}</p>")
    if planted is not None:
        final = (result.intermediate or result.parsimonious).models[0].terms
        parts.append(compare_with_planted(final, planted).to_html(border=0))
    return "\n".join(parts)


def truth_table_widget(data: pd.DataFrame, outcome: str, conditions, *, incl_cut=0.8, n_cut=1, pri_cut=0.0,
                       dir_exp=None, planted=None, max_n_cut: int | None = None):
    """Sliders for ``incl_cut``, ``n_cut`` and ``pri_cut``; truth table and solutions update on each move.

    Each change calls :func:`solve` and shows the truth table, the first model of each solution with
    its consistency and coverage, and (with ``planted``) :func:`compare_with_planted`. A setting
    with no solution shows the reason instead. Needs a running Jupyter kernel to be interactive; in
    the book use :func:`plot_solution_grid` beside it.

    Parameters
    ----------
    data, outcome, conditions, dir_exp
        As in :func:`solve`.
    incl_cut, n_cut, pri_cut
        Initial slider values (validated by :func:`check_thresholds`).
    planted : iterable of str, optional
        Planted configurations to compare with.
    max_n_cut : int, optional
        Upper end of the ``n_cut`` slider; default the larger of 50 and ``n_cut``, capped at the
        number of cases.

    Returns
    -------
    ipywidgets.VBox
        Children: the three sliders in a ``HBox`` and an ``HTML`` output. Its ``sliders`` attribute
        maps ``"incl_cut"``, ``"n_cut"``, ``"pri_cut"`` to the slider widgets and ``output`` is the
        ``HTML`` widget.

    Raises
    ------
    TypeError, ValueError
        Bad initial cut-offs; bad data are reported when first solved.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0]})
    >>> box = truth_table_widget(df, "Y", ["A", "B"])
    >>> box.sliders["incl_cut"].value
    0.8
    """
    import ipywidgets as widgets

    incl_cut, n_cut, pri_cut = check_thresholds(incl_cut, n_cut, pri_cut, n_cases=len(data))
    top = max(50, n_cut) if max_n_cut is None else int(max_n_cut)
    top = min(top, len(data))
    if n_cut > top:
        raise QCAError(f"n_cut={n_cut} is above the slider's maximum max_n_cut={top}")
    style = {"description_width": "initial"}
    sliders = {
        "incl_cut": widgets.FloatSlider(value=incl_cut, min=MIN_INCL_CUT, max=1.0, step=0.01,
                                        description="incl_cut", continuous_update=False, style=style),
        "n_cut": widgets.IntSlider(value=n_cut, min=1, max=top, step=1, description="n_cut",
                                   continuous_update=False, style=style),
        "pri_cut": widgets.FloatSlider(value=pri_cut, min=0.0, max=1.0, step=0.05, description="pri_cut",
                                       continuous_update=False, style=style),
    }
    output = widgets.HTML()

    def update(_change=None):
        try:
            result = solve(data, outcome, conditions, incl_cut=sliders["incl_cut"].value,
                           n_cut=sliders["n_cut"].value, pri_cut=sliders["pri_cut"].value, dir_exp=dir_exp)
        except NoSolutionError as err:
            output.value = _render_html(None, str(err))
            return
        except ChaoyangError as err:  # bad data or settings are shown, not raised, as the sliders move
            output.value = _render_html(None, str(err), label="Cannot analyse these data")
            return
        output.value = _render_html(result, planted=planted)

    for slider in sliders.values():
        slider.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox(list(sliders.values())), output])
    box.sliders = sliders
    box.output = output
    return box


__all__ = ["truth_table_widget"]
