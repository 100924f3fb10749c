"""Datasets of the kit: generators from the planted truth, and one loader that works anywhere.

Examples
--------
>>> from chaoyang.data import load
>>> survey = load("survey")
>>> len(survey) >= 1200
True
"""

from chaoyang.data.loader import ChecksumError, DatasetError, DatasetNameError, datasets_dir, load
from chaoyang.data.registry import DATASETS, generate_all, items_table, serialize, write_all
from chaoyang.data.survey import composite_scores, generate_communities, generate_survey, scored_items

__all__ = ["ChecksumError", "DatasetError", "DatasetNameError", "datasets_dir", "load", "DATASETS", "generate_all", "items_table", "serialize",
           "write_all", "composite_scores", "scored_items", "generate_communities", "generate_survey", "available"]


def available() -> list[str]:
    """Names of the datasets :func:`load` accepts."""
    return list(DATASETS)
