"""Widget front end of the SEM Monte Carlo lab (:mod:`chaoyang.sem.lab`)."""

from __future__ import annotations

import numpy as np

from chaoyang.sem.lab import SOURCES, _check_pathway, _check_source, run_lab
from chaoyang.world import PATHWAYS


def lab_widget(pathway: str = "party", source: str = "latent"):
    """An ipywidgets front end to :func:`run_lab`: choose the pathway, data source, sample size,
    replications and bootstrap draws; press *Run* to draw the power and coverage bars.

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook. The book shows a static figure from :func:`power_curve`
        and :func:`plot_power_coverage` instead (widgets need a live kernel).

    Examples
    --------
    >>> box = lab_widget()
    >>> type(box).__name__
    'VBox'
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    _check_pathway(pathway)
    _check_source(source)
    pick_pathway = widgets.Dropdown(options=list(PATHWAYS), value=pathway, description="pathway")
    pick_source = widgets.Dropdown(options=list(SOURCES), value=source, description="data")
    pick_n = widgets.IntSlider(value=200, min=50, max=1200, step=50, description="n")
    pick_reps = widgets.IntSlider(value=30, min=5, max=200, step=5, description="n_reps")
    pick_draws = widgets.IntSlider(value=200, min=20, max=1000, step=20, description="n_boot")
    run = widgets.Button(description="Run", button_style="primary")
    output = widgets.Output()

    def on_click(_):
        output.clear_output(wait=True)
        with output:
            print("running ...")
            lab = run_lab(pick_pathway.value, n=pick_n.value, n_reps=pick_reps.value, n_boot=pick_draws.value,
                          seed=0, source=pick_source.value)
            output.clear_output(wait=True)
            display(lab.effects.round(3))
            summary = lab.effects
            fig, ax = plt.subplots(figsize=(7, 3))
            x = np.arange(len(summary))
            columns = [c for c in ("power_perc", "power_bc", "coverage_perc", "coverage_bc") if c in summary]
            for k, column in enumerate(columns):
                ax.bar(x + (k - len(columns) / 2 + 0.5) * 0.2, summary[column], width=0.2, label=column)
            ax.axhline(lab.settings["level"], color="black", lw=0.8)
            ax.set_xticks(x, summary.index)
            ax.set_ylim(0, 1.05)
            ax.legend(fontsize=7, ncol=4)
            plt.show()

    run.on_click(on_click)
    controls = widgets.HBox([widgets.VBox([pick_pathway, pick_source]), widgets.VBox([pick_n, pick_reps, pick_draws]),
                             run])
    return widgets.VBox([controls, output])


__all__ = ["lab_widget"]
