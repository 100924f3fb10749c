"""Plain-JSON encoding of a student's answers, so they can leave the grading sandbox as data.

The sandbox (:mod:`chaoyang.teaching.sandbox`) runs the student's notebook and then writes the
variables named by the assignment's checks into a JSON file with :func:`encode_answers`; the
grader, outside the sandbox, reads that file and turns it back into Python values with
:func:`decode`. Nothing a student's notebook produces is ever unpickled or executed by the
grader: the file is JSON, and the only objects :func:`decode` builds are the plain types below.

Encoding (``encode(value)`` -> JSON-able):

==============================  ==========================================================
value                           JSON
==============================  ==========================================================
None, bool, int, str            themselves
float                           itself; NaN/inf/-inf as ``{"__float__": "nan" | "inf" | "-inf"}``
list                            a list of encoded items
tuple                           ``{"__tuple__": [...]}``
dict with str keys              a dict of encoded values (``{"__dict__": {...}}`` if a key
                                looks like a marker, ``"__name__"``)
numpy scalar                    the Python scalar (``numpy.float64(0.5)`` -> ``0.5``)
numpy array                     ``{"__ndarray__": nested lists, "dtype": "float64"}``
pandas DataFrame                ``{"__frame__": {"columns": [...], "index": [...], "data": [[...]], "dtypes": [...]}}``
pandas Series                   ``{"__series__": {"name": ..., "index": [...], "data": [...], "dtype": ...}}``
``pandas.NA``, ``pandas.NaT``   ``None``
anything else                   ``{"__unsupported__": "<type name>"}``
==============================  ==========================================================

Limits: nesting deeper than :data:`MAX_DEPTH` (20) levels, or more than :data:`MAX_BYTES`
(5 MB) of JSON for one submission, turns that answer into ``{"__unsupported__": "too large"}``.
"""

from __future__ import annotations

import json
import math
import sys

from chaoyang.errors import ChaoyangError

MAX_DEPTH = 20
MAX_BYTES = 5 * 1024 * 1024
TOO_LARGE = {"__unsupported__": "too large"}
_MARKERS = ("__float__", "__tuple__", "__dict__", "__ndarray__", "__frame__", "__series__", "__unsupported__")


class AnswerFormatError(ChaoyangError, ValueError):
    """An answers file or encoded value is not in the format :func:`encode` writes."""


class _TooLarge(AnswerFormatError):
    """Internal: an answer crosses a size or depth limit (caught by :func:`encode`)."""


def _float(value: float):
    if math.isnan(value):
        return {"__float__": "nan"}
    if math.isinf(value):
        return {"__float__": "inf" if value > 0 else "-inf"}
    return value


def encode(value, *, max_depth: int = MAX_DEPTH, max_bytes: int = MAX_BYTES):
    """Encode one answer as a JSON-able value (see the module docstring for the table).

    Parameters
    ----------
    value : object
        The student's answer: a number, string, list, dict, numpy array, pandas frame, ...
    max_depth : int
        Deepest nesting of lists/dicts/tuples accepted (default 20).
    max_bytes : int
        Rough size limit in bytes for this answer (default 5 MB); arrays and frames larger than
        this are not converted at all.

    Returns
    -------
    JSON-able value
        ``{"__unsupported__": "too large"}`` when a limit is exceeded.

    Examples
    --------
    >>> encode((1, float("nan"), "a"))
    {'__tuple__': [1, {'__float__': 'nan'}, 'a']}
    >>> import numpy as np
    >>> encode(np.array([[1.5, 2.0]]))
    {'__ndarray__': [[1.5, 2.0]], 'dtype': 'float64'}
    >>> encode(object())
    {'__unsupported__': 'object'}
    """
    try:
        return _encode(value, 0, max_depth, max_bytes)
    except (_TooLarge, RecursionError, MemoryError):
        return dict(TOO_LARGE)


def _encode(value, depth: int, max_depth: int, max_bytes: int):
    if depth > max_depth:
        raise _TooLarge
    # bool before int (bool is an int); exact built-in types first, so a subclass with odd
    # behaviour still encodes as its base value.
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        try:
            return int(value) if len(str(int(value))) <= 4000 else {"__unsupported__": "too large"}
        except ValueError:  # Python refuses str() of ints above 4,300 digits
            return dict(TOO_LARGE)
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, str):
        if len(value) > max_bytes:
            raise _TooLarge
        return str(value)
    if isinstance(value, list):
        if len(value) > max_bytes:
            raise _TooLarge
        return [_encode(item, depth + 1, max_depth, max_bytes) for item in value]
    if isinstance(value, tuple):
        if len(value) > max_bytes:
            raise _TooLarge
        return {"__tuple__": [_encode(item, depth + 1, max_depth, max_bytes) for item in value]}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            return {"__unsupported__": "dict with non-str keys"}
        if len(value) > max_bytes:
            raise _TooLarge
        encoded = {str(key): _encode(item, depth + 1, max_depth, max_bytes) for key, item in value.items()}
        if any(key.startswith("__") and key.endswith("__") for key in encoded):
            return {"__dict__": encoded}
        return encoded
    numpy = sys.modules.get("numpy")  # a value can only be a numpy object if numpy is imported
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            if value.size * 8 > max_bytes or value.nbytes > max_bytes:
                raise _TooLarge
            if value.ndim > max_depth:
                raise _TooLarge
            return {"__ndarray__": _encode(value.tolist(), depth + 1, max_depth + value.ndim, max_bytes),
                    "dtype": str(value.dtype)}
        if isinstance(value, numpy.generic):
            item = value.item()
            if isinstance(item, (bool, int, float, str)) or item is None:
                return _encode(item, depth, max_depth, max_bytes)
            return {"__unsupported__": type(value).__name__}
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        if value is pandas.NA or value is pandas.NaT:
            return None
        if isinstance(value, pandas.DataFrame):
            if value.size * 8 > max_bytes:
                raise _TooLarge
            return {"__frame__": {
                "columns": [_encode(c, depth + 2, max_depth, max_bytes) for c in value.columns.tolist()],
                "index": [_encode(i, depth + 2, max_depth, max_bytes) for i in value.index.tolist()],
                "data": [[_encode(cell, depth + 3, max_depth, max_bytes) for cell in row]
                         for row in value.to_numpy(dtype=object).tolist()],
                "dtypes": [str(dtype) for dtype in value.dtypes.tolist()],
            }}
        if isinstance(value, pandas.Series):
            if value.size * 8 > max_bytes:
                raise _TooLarge
            return {"__series__": {
                "name": _encode(value.name, depth + 2, max_depth, max_bytes),
                "index": [_encode(i, depth + 2, max_depth, max_bytes) for i in value.index.tolist()],
                "data": [_encode(cell, depth + 2, max_depth, max_bytes) for cell in value.to_numpy(dtype=object).tolist()],
                "dtype": str(value.dtype),
            }}
    return {"__unsupported__": type(value).__name__}


def encode_answers(namespace: dict, names, *, max_bytes: int = MAX_BYTES) -> dict:
    """Encode the answers named ``names`` found in ``namespace`` (missing names are left out).

    The JSON of all answers together stays under ``max_bytes``: an answer that would cross the
    limit becomes ``{"__unsupported__": "too large"}``.

    Parameters
    ----------
    namespace : dict
        The notebook's global variables.
    names : iterable of str
        Answer names the assignment's checks read.
    max_bytes : int
        Size limit of the whole JSON (default 5 MB).

    Returns
    -------
    dict
        name -> encoded value.

    Examples
    --------
    >>> encode_answers({"q1_mean": 3.25, "other": 1}, ["q1_mean", "q2_paths"])
    {'q1_mean': 3.25}
    """
    out, used = {}, 2
    for name in names:
        if name not in namespace:
            continue
        value = encode(namespace[name], max_bytes=max_bytes)
        size = len(json.dumps(value, ensure_ascii=False).encode("utf-8")) + len(name) + 6
        if used + size > max_bytes:
            value = dict(TOO_LARGE)
            size = len(json.dumps(value)) + len(name) + 6
        out[name] = value
        used += size
    return out


def decode(obj, *, _depth: int = 0):
    """Turn an encoded answer back into Python values (the inverse of :func:`encode`).

    Builds only None, bool, int, float, str, list, tuple, dict, numpy arrays and pandas
    frames/series; an ``{"__unsupported__": ...}`` marker is returned unchanged so a check can
    say why the answer was not usable.

    Parameters
    ----------
    obj : JSON value
        As read by ``json.loads`` from an answers file.

    Returns
    -------
    object

    Raises
    ------
    AnswerFormatError
        If a marker is malformed (for example ``{"__ndarray__": 3}``) or nesting exceeds the limit.

    Examples
    --------
    >>> decode({"__tuple__": [1, {"__float__": "inf"}]})
    (1, inf)
    >>> decode({"__ndarray__": [1, 2], "dtype": "int64"})
    array([1, 2])
    """
    if _depth > 2 * MAX_DEPTH + 8:
        raise AnswerFormatError("encoded answer nested too deeply")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode(item, _depth=_depth + 1) for item in obj]
    if not isinstance(obj, dict):
        raise AnswerFormatError(f"not a JSON value: {type(obj).__name__}")
    marker = next((key for key in _MARKERS if key in obj), None)
    if marker is None:
        return {key: decode(item, _depth=_depth + 1) for key, item in obj.items()}
    body = obj[marker]
    try:
        if marker == "__float__":
            if body not in ("nan", "inf", "-inf"):
                raise AnswerFormatError(f"bad __float__ value {body!r}")
            return float(body)
        if marker == "__tuple__":
            _need(isinstance(body, list), "__tuple__ needs a list")
            return tuple(decode(item, _depth=_depth + 1) for item in body)
        if marker == "__dict__":
            _need(isinstance(body, dict), "__dict__ needs an object")
            return {key: decode(item, _depth=_depth + 1) for key, item in body.items()}
        if marker == "__unsupported__":
            return {"__unsupported__": str(body)}
        import numpy as np

        if marker == "__ndarray__":
            _need(isinstance(body, list), "__ndarray__ needs a list")
            data = decode(body, _depth=_depth + 1)
            try:
                return np.array(data, dtype=np.dtype(str(obj.get("dtype", "object"))))
            except (TypeError, ValueError):
                return np.array(data, dtype=object)
        import pandas as pd

        _need(isinstance(body, dict), f"{marker} needs an object")
        index = [_hashable(decode(i, _depth=_depth + 1)) for i in _list(body, "index")]
        if marker == "__series__":
            data = [decode(v, _depth=_depth + 1) for v in _list(body, "data")]
            _need(len(data) == len(index), "__series__ data and index differ in length")
            name = _hashable(decode(body.get("name"), _depth=_depth + 1))
            series = pd.Series(data, index=index, name=name, dtype=object)
            return _astype(series, body.get("dtype"))
        columns = [_hashable(decode(c, _depth=_depth + 1)) for c in _list(body, "columns")]
        rows = [[decode(v, _depth=_depth + 1) for v in row] for row in _list(body, "data")]
        _need(len(rows) == len(index) and all(isinstance(r, list) and len(r) == len(columns) for r in rows),
              "__frame__ data does not match its index and columns")
        frame = pd.DataFrame(rows, index=index, columns=columns, dtype=object)
        dtypes = body.get("dtypes")
        if isinstance(dtypes, list) and len(dtypes) == len(columns):
            for position, dtype in enumerate(dtypes):
                frame.isetitem(position, _astype(frame.iloc[:, position], dtype))
        return frame
    except AnswerFormatError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise AnswerFormatError(f"malformed {marker}: {error}") from None


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise AnswerFormatError(message)


def _list(body: dict, key: str) -> list:
    value = body.get(key)
    _need(isinstance(value, list), f"missing list {key!r}")
    return value


def _hashable(value):
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        raise AnswerFormatError("an index label cannot be an object")
    return value


def _astype(series, dtype):
    if not isinstance(dtype, str) or dtype == "object":
        return series
    try:
        return series.astype(dtype)
    except (TypeError, ValueError, ImportError):
        return series


def decode_answers(text: str, names=None) -> dict:
    """Parse and decode an answers file written by :func:`encode_answers`.

    Parameters
    ----------
    text : str
        The file's contents (JSON object: name -> encoded value).
    names : iterable of str, optional
        Keep only these names (others are ignored).

    Returns
    -------
    dict
        name -> decoded value.

    Raises
    ------
    AnswerFormatError
        If the text is not a JSON object or a value is malformed.

    Examples
    --------
    >>> decode_answers('{"q1": {"__tuple__": [1, 2]}, "junk": 3}', names=["q1"])
    {'q1': (1, 2)}
    """
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise AnswerFormatError(f"answers file is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise AnswerFormatError("answers file must hold a JSON object (name -> value)")
    wanted = None if names is None else set(names)
    return {name: decode(value) for name, value in data.items() if wanted is None or name in wanted}
