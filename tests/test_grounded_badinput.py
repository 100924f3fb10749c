"""Property-based bad input for chaoyang.grounded: agreement statistics and .qdpx import.

Hostile input must raise a ``ChaoyangError`` (the documented family; each is also the built-in it
is) quickly, or return a finite number in the documented range - never hang, never a raw
traceback from numpy/zipfile/XML, never NaN.
"""

from __future__ import annotations

import io
import math
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaoyang import grounded
from chaoyang.errors import ChaoyangError

FAST = settings(derandomize=True, max_examples=40, deadline=2000, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])

labels = st.one_of(st.integers(-3, 3), st.sampled_from(["x", "y", "z", ""]), st.none(), st.floats(allow_nan=True),
                   st.booleans())
sequences = st.one_of(st.lists(labels, max_size=12), st.text(max_size=5), st.integers(), st.none(),
                      st.lists(st.lists(labels, max_size=2), max_size=3))
weights = st.one_of(st.none(), st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), max_size=12))


def _refused_or_in_range(call, low: float, high: float):
    try:
        value = call()
    except ChaoyangError:
        return
    assert isinstance(value, float) and math.isfinite(value) and low - 1e-12 <= value <= high + 1e-12, value


@FAST
@given(a=sequences, b=sequences, w=weights)
def test_pairwise_agreement_refuses_or_returns_a_finite_value(a, b, w):
    _refused_or_in_range(lambda: grounded.percent_agreement(a, b, weights=w), 0, 1)
    _refused_or_in_range(lambda: grounded.cohen_kappa(a, b, weights=w), -1, 1)
    _refused_or_in_range(lambda: grounded.brennan_prediger_kappa(a, b, weights=w), -1, 1)


@FAST
@given(table=st.one_of(st.lists(st.lists(labels, max_size=6), max_size=4), st.none(), st.text(max_size=4),
                       st.integers()),
       level=st.sampled_from(["nominal", "interval", "ordinal", 3]))
def test_krippendorff_alpha_refuses_or_returns_a_finite_value(table, level):
    _refused_or_in_range(lambda: grounded.krippendorff_alpha(table, level=level), -1, 1)


# ---------------------------------------------------------------- hostile .qdpx archives
QDE_HEAD = b"<?xml version='1.0' encoding='utf-8'?>"
members = st.dictionaries(
    st.sampled_from(["project.qde", "sources/a.txt", "sources/b.txt", "x.qde", "readme"]),
    st.one_of(st.binary(max_size=200),
              st.sampled_from([QDE_HEAD + b"<Project xmlns='urn:QDA-XML:project:1.0'/>",
                               QDE_HEAD + b"<Project xmlns='urn:QDA-XML:project:1.0'><CodeBook><Codes/></CodeBook>"
                                          b"</Project>",
                               b"<Project xmlns='urn:QDA-XML:project:1.0'><Sources><TextSource name='a' "
                               b"plainTextPath='internal://a.txt'/></Sources></Project>",
                               b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]><x>&b;</x>",
                               b"\xff\xfe<\x00P\x00"])),
    max_size=4)


@FAST
@given(content=members, truncate=st.one_of(st.none(), st.integers(0, 400)))
def test_import_qdpx_of_hostile_archives_raises_a_named_error(tmp_path_factory, content, truncate):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in content.items():
            archive.writestr(name, data)
    raw = buffer.getvalue() if truncate is None else buffer.getvalue()[:truncate]
    path = tmp_path_factory.mktemp("hostile") / "hostile.qdpx"
    path.write_bytes(raw)
    with pytest.raises(ChaoyangError):
        grounded.import_qdpx(path)


@FAST
@given(data=st.binary(max_size=300))
def test_import_qdc_of_hostile_bytes_raises_a_named_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("hostile") / "hostile.qdc"
    path.write_bytes(data)
    with pytest.raises(ChaoyangError):
        grounded.import_qdc(path)


@FAST
@given(scale=st.integers(1, 64))
def test_declared_sizes_beyond_the_limit_are_refused_without_decompressing(tmp_path_factory, scale):
    """Archives whose directory declares more than the limit (ratio or total) are refused at once."""
    path = tmp_path_factory.mktemp("hostile") / "big.qdpx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", bytes(scale * 2**20 // 4 + 70 * 2**10))  # zeros: ratio ~1000:1
    with pytest.raises(grounded.QDPXSizeError):
        grounded.import_qdpx(path)
