"""Descriptive statistics of the survey: participation levels, group differences, rank correlations.

A method layer beside :mod:`chaoyang.grounded`, :mod:`chaoyang.sem`, :mod:`chaoyang.qca` and
:mod:`chaoyang.sim`: it reads data frames and returns tables, never figures.

Examples
--------
>>> import pandas as pd
>>> from chaoyang.describe import participation
>>> float(participation.response_shares(pd.DataFrame({"PAR1": [1, 2, 2, 5]}), ["PAR1"]).loc["PAR1", 2])
0.5
"""

from chaoyang.describe import participation
from chaoyang.describe.participation import DescribeError, DescribeKeyError, DescribeTypeError

__all__ = ["participation", "DescribeError", "DescribeKeyError", "DescribeTypeError"]
