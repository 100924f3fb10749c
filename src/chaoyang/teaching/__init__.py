"""Course tooling: building assignments with otter-grader and grading submissions.

The top layer of the library: it may use everything below it and nothing imports it.
Submodules are imported on demand: ``from chaoyang.teaching import assignments, grading``.
"""

__all__ = ["assignments", "grading"]


def __getattr__(name):
    import importlib

    if name in __all__:
        return importlib.import_module(f"chaoyang.teaching.{name}")
    raise AttributeError(f"module 'chaoyang.teaching' has no attribute {name!r}")
