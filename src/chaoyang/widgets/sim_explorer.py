"""Interactive explorer (ipywidgets) of the simulation: sliders for the levers, both regimes redrawn.

The book shows the static twin :func:`chaoyang.plots.sim_explorer.explorer_figure` instead.
"""

from __future__ import annotations

from chaoyang.plots.sim_explorer import draw
from chaoyang.sim.scenarios import LEVERS, run_pair

def explorer(*, n_residents: int = 2000, steps: int = 365, seed: int = 1):
    """Sliders for the main levers; both regimes re-run and redraw when a slider is released.

    Parameters
    ----------
    n_residents, steps, seed : int
        Model size and seed of every re-run.

    Returns
    -------
    ipywidgets.VBox
        Display it in a notebook cell.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from chaoyang.sim.parameters import PARAMETERS

    sliders = {}
    for name, (low, high, step) in LEVERS.items():
        default = PARAMETERS[name].default
        if name == "pay_per_hour":
            default = 20.0
        sliders[name] = widgets.FloatSlider(value=default, min=low, max=high, step=step, description=name,
                                            continuous_update=False, readout_format=".3g",
                                            style={"description_width": "180px"},
                                            layout=widgets.Layout(width="480px"))
    output = widgets.Output()

    def redraw(_change=None):
        with output:
            output.clear_output(wait=True)
            fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), constrained_layout=True)
            draw(run_pair(n_residents=n_residents, steps=steps, seed=seed,
                          **{k: s.value for k, s in sliders.items()}), axes.ravel())
            plt.show()

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([*sliders.values(), output])


__all__ = ["explorer"]
