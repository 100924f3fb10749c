"""Notebook widgets (ipywidgets): the SEM lab, the fsQCA truth-table explorer, the simulation explorer.

Each widget only calls the methods (:mod:`chaoyang.sem.lab`, :mod:`chaoyang.qca.grid`,
:func:`chaoyang.sim.run_pair`) and the figures of :mod:`chaoyang.plots`; the book shows the static
figure beside each widget, because a widget needs a live kernel. Submodules are imported on
demand (they need ipywidgets): ``from chaoyang.widgets.qca import truth_table_widget``.
"""

__all__ = ["qca", "sem_lab", "sim_explorer"]


def __getattr__(name):
    import importlib

    if name in __all__:
        return importlib.import_module(f"chaoyang.widgets.{name}")
    raise AttributeError(f"module 'chaoyang.widgets' has no attribute {name!r}")
