"""Checks on the data handed to :func:`chaoyang.sem.fit`, with listwise deletion."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .errors import SEMColumnError, SEMDataError, SEMTypeError, suggest

from chaoyang.errors import ChaoyangWarning

MISSING_OPTIONS = ("listwise", "ml")
#: lavaan's synonyms of missing = "ml"
ML_SYNONYMS = ("ml", "fiml", "direct")


class SEMWarning(ChaoyangWarning):
    """Something the analyst should know (dropped cases, Heywood case, failed bootstrap draws)."""


def check_missing_option(missing: str) -> str:
    """Return the missing-data option in canonical form: ``"listwise"`` or ``"ml"`` (FIML).

    lavaan's synonyms ``"fiml"`` and ``"direct"`` mean ``"ml"``; ``"ml.x"`` (exogenous
    predictors with missing values modelled) is refused with a reason.

    Examples
    --------
    >>> check_missing_option("fiml")
    'ml'
    """
    if missing in ML_SYNONYMS:
        return "ml"
    if missing == "listwise":
        return missing
    if missing == "ml.x":
        raise SEMDataError("missing='ml.x' (modelling missing exogenous predictors) is not offered; use missing='ml' "
                           "(cases missing a fixed.x predictor are dropped with a warning, as lavaan does).")
    raise SEMDataError(f"missing={missing!r} is not known; use 'listwise' or 'ml' (full-information ML).")


def check_latent_names(table, data) -> None:
    """Refuse a latent variable named like a data column, as lavaan does.

    lavaan stops with "some latent variable names collide with observed variable names";
    silently using the latent would hide the column from the model.

    Examples
    --------
    >>> from chaoyang.sem.syntax import parse_model
    >>> from chaoyang.sem.partable import build_parameter_table
    >>> table = build_parameter_table(parse_model("COH =~ c1 + c2 + c3"))
    >>> check_latent_names(table, pd.DataFrame(columns=["c1", "c2", "c3", "COH"]))
    Traceback (most recent call last):
    ...
    chaoyang.sem.errors.SEMColumnError: The latent variable 'COH' has the name of a data column ...
    """
    if not isinstance(data, pd.DataFrame):
        return  # prepare_data names the type error
    clash = [v for v in table.latent if v in set(map(str, data.columns))]
    if clash:
        raise SEMColumnError(
            f"The latent variable {clash[0]!r} has the name of a data column (lavaan refuses this too: latent "
            f"variable names collide with observed variable names). Rename the factor in the model, e.g. "
            f"'{clash[0]}_f =~ ...', or drop or rename the column.")


def prepare_data(data: pd.DataFrame, columns: list[str], missing: str = "listwise") -> tuple[pd.DataFrame, int]:
    """Select, check and listwise-delete the model's columns (the caller's frame is not modified).

    With ``missing="ml"`` incomplete rows are kept (for FIML) and only rows with no observed
    value at all are dropped, with a warning (lavaan drops them too).

    Parameters
    ----------
    data : pandas.DataFrame
        Raw data, one row per case.
    columns : list of str
        Observed variables of the model.
    missing : {"listwise", "ml"}
        Missing-data treatment.

    Returns
    -------
    tuple
        (float DataFrame with exactly ``columns``, number of dropped rows); the positions of
        the kept rows in ``data`` are in ``frame.attrs["kept"]``.

    Raises
    ------
    SEMTypeError
        ``data`` is not a DataFrame, or a column is not numeric.
    SEMColumnError
        A model variable is not a column (close names suggested).
    SEMDataError
        Infinite values, or a constant column.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, 2.0, None, 4.0], "y": [2.0, 1.0, 3.0, 5.0]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     clean, dropped = prepare_data(df, ["x", "y"])
    >>> dropped
    1
    """
    missing = check_missing_option(missing)
    if not isinstance(data, pd.DataFrame):
        raise SEMTypeError(f"data must be a pandas DataFrame (one column per variable), not {type(data).__name__}.")
    if isinstance(data.columns, pd.MultiIndex):
        raise SEMTypeError("data has MultiIndex (hierarchical) columns; flatten them to one name per column first, "
                           "e.g. data.columns = ['_'.join(map(str, c)) for c in data.columns].")
    available = [str(c) for c in data.columns]
    counts = pd.Index(data.columns).value_counts()
    for column in columns:
        if column in counts.index and counts[column] > 1:
            raise SEMDataError(
                f"The data has {counts[column]} columns named {column!r}; the model cannot tell which to use. "
                "Rename or drop the duplicates (e.g. data.loc[:, ~data.columns.duplicated()]).")
    for column in columns:
        if column not in data.columns:
            raise SEMColumnError(
                f"The model uses {column!r}, which is not a column of the data." + suggest(column, available)
                + " Fix the spelling in the model or rename the column."
            )
    frame = data.loc[:, columns].copy()
    for column in columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            frame[column] = series.astype(float)
            continue
        if not pd.api.types.is_numeric_dtype(series):
            bad = series.dropna()
            example = repr(bad.iloc[0]) if len(bad) else "?"
            raise SEMTypeError(
                f"Column {column!r} is not numeric (dtype {series.dtype}, e.g. {example}). Convert it to numbers "
                "first, e.g. map Likert labels to 1..5 with Series.map."
            )
        frame[column] = series.astype(float)
    values = frame.to_numpy()
    if np.isinf(values).any():
        column = columns[int(np.where(np.isinf(values).any(axis=0))[0][0])]
        raise SEMDataError(f"Column {column!r} contains infinite values; replace them with NaN or fix the data.")
    if missing == "ml":
        keep = ~np.isnan(values).all(axis=1)
        n_dropped = int((~keep).sum())
        if n_dropped:
            first = [str(i) for i in data.index[~keep][:3]]
            warnings.warn(
                f"{n_dropped} of {len(frame)} cases have no observed value on any model variable (index "
                f"{', '.join(first)}{', ...' if n_dropped > 3 else ''}) and were dropped (lavaan: 'some cases are "
                "empty and will be ignored').", SEMWarning, stacklevel=3)
        frame = frame.loc[keep].reset_index(drop=True)
        frame.attrs["kept"] = np.flatnonzero(keep)
        for column in columns:
            observed = frame[column].dropna().to_numpy()
            if observed.size < 2 or np.ptp(observed) == 0:
                raise SEMDataError(
                    f"Column {column!r} is constant or has fewer than two observed values, so it has no variance "
                    "to model. Remove it from the model.")
        return frame, n_dropped
    complete = ~np.isnan(values).any(axis=1)
    n_dropped = int((~complete).sum())
    if n_dropped:
        worst = frame.isna().sum().sort_values(ascending=False)
        worst = worst[worst > 0]
        detail = ", ".join(f"{k}: {v}" for k, v in worst.head(3).items())
        warnings.warn(
            f"Listwise deletion dropped {n_dropped} of {len(frame)} cases with missing values ({detail}). "
            "Results describe the complete cases only.", SEMWarning, stacklevel=3)
        frame = frame.loc[complete].reset_index(drop=True)
    frame.attrs["kept"] = np.flatnonzero(complete)
    for column in columns:
        values = frame[column].to_numpy()
        with np.errstate(all="ignore"):
            variance = float(np.var(values)) if len(values) > 1 else 1.0
        if len(frame) > 1 and np.ptp(values) != 0 and not 1e-15 <= variance <= 1e15:
            raise SEMDataError(
                f"Column {column!r} has variance {variance:.3g}, outside 1e-15 to 1e15: the covariance matrix "
                "cannot be inverted accurately at that scale. Rescale the column (e.g. to thousands or z-scores).")
    for column in columns:
        if len(frame) and np.ptp(frame[column].to_numpy()) == 0:
            raise SEMDataError(
                f"Column {column!r} is constant ({frame[column].iloc[0]!r}) in the cases used, so it has no variance "
                "to model. Remove it from the model."
            )
    return frame, n_dropped
