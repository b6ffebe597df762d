"""Table models (made by `ae augment fit`): their columns, `where=` as the library's fixed row,
and the library's rows of doubles as named columns (a pandas DataFrame, or numpy arrays).

The library returns one double per cell: a number (a datetime as seconds since 1970, UTC), the
index of a category, or NaN for a missing cell. Here each column gets its natural type.
"""
from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple

import numpy as np

from . import _lib
from ._errors import ArgumentTypeError, InvalidArgumentError

_KINDS = {_lib.AE_COLUMN_CONTINUOUS: "continuous", _lib.AE_COLUMN_INTEGER: "integer",
          _lib.AE_COLUMN_CATEGORICAL: "categorical", _lib.AE_COLUMN_BOOLEAN: "boolean",
          _lib.AE_COLUMN_DATETIME: "datetime"}


class TableColumn(NamedTuple):
    """One column of a table model (`Model.table_columns`).

    kind: "continuous", "integer", "categorical", "boolean" or "datetime". categories: the
    labels of a categorical or boolean column ("false", "true" for a boolean; "" stands for a
    missing cell), None for number columns. condition: whether `sample_table(where=...)` can fix
    the column."""
    name: str
    kind: str
    categories: Optional[Tuple[str, ...]]
    condition: bool


def _text(value: Optional[bytes]) -> str:
    return (value or b"").decode(errors="replace")


def read_columns(handle: int) -> Tuple[TableColumn, ...]:
    """The columns of the open model `handle`; none for a model that is not a table model."""
    columns = []
    for c in range(_lib.ae_table_column_count(handle)):
        kind = _lib.ae_table_column_kind(handle, c)
        categories = None
        if kind in (_lib.AE_COLUMN_CATEGORICAL, _lib.AE_COLUMN_BOOLEAN):
            categories = tuple(_text(_lib.ae_table_category(handle, c, i))
                               for i in range(_lib.ae_table_category_count(handle, c)))
        columns.append(TableColumn(_text(_lib.ae_table_column_name(handle, c)), _KINDS.get(kind, f"kind {kind}"),
                                   categories, _lib.ae_table_column_is_condition(handle, c) == 1))
    return tuple(columns)


def fixed_row(columns: Tuple[TableColumn, ...], where) -> Optional[np.ndarray]:
    """`where` ({column: label}) as the library's fixed row: NaN for free columns, the label's
    category index for fixed ones; None without `where`. Labels are the column's categories;
    a boolean column also takes True and False."""
    if where is None:
        return None
    if not hasattr(where, "items"):
        raise ArgumentTypeError(f"where must be a dict of column: label, got {type(where).__name__}")
    row = np.full(len(columns), np.nan)
    names = {column.name: c for c, column in enumerate(columns)}
    fixable = [column.name for column in columns if column.condition]
    for name, label in where.items():
        if name not in names:
            raise InvalidArgumentError(f"where: the model has no column {name!r}; its columns are "
                                       + ", ".join(repr(column.name) for column in columns))
        column = columns[names[name]]
        if not column.condition:
            can = ", ".join(repr(n) for n in fixable) if fixable else "none"
            raise InvalidArgumentError(f"where: column {name!r} ({column.kind}) cannot be fixed; the model can fix "
                                       f"these columns: {can}")
        if column.kind == "boolean" and isinstance(label, (bool, np.bool_)):
            label = "true" if label else "false"
        if not isinstance(label, str) or label not in column.categories:
            raise InvalidArgumentError(f"where: {label!r} is not a category of column {name!r}; its categories are "
                                       + ", ".join(repr(category) for category in column.categories))
        row[names[name]] = column.categories.index(label)
    return row


def _labels(values: np.ndarray, categories: Tuple[str, ...]) -> np.ndarray:
    """Category indexes as an array of str labels; a missing cell (NaN) as ""."""
    missing = np.isnan(values)
    codes = np.where(missing, len(categories), values).astype(np.int64)
    return np.array(categories + ("",), dtype=str)[codes]


def _datetimes(values: np.ndarray) -> np.ndarray:
    """Seconds since 1970 as datetime64[s]; NaN as NaT."""
    out = np.full(values.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    present = ~np.isnan(values)
    out[present] = np.round(values[present]).astype(np.int64).astype("datetime64[s]")
    return out


def to_arrays(rows: np.ndarray, columns: Tuple[TableColumn, ...]) -> Dict[str, np.ndarray]:
    """The library's rows as a dict of numpy arrays, in column order: float64 numbers with NaN
    for missing cells, int64 integers when none is missing, str labels ("" for missing),
    datetime64[s] datetimes (NaT for missing)."""
    arrays = {}
    for c, column in enumerate(columns):
        values = rows[:, c].copy()
        if column.categories is not None:
            arrays[column.name] = _labels(values, column.categories)
        elif column.kind == "datetime":
            arrays[column.name] = _datetimes(values)
        elif column.kind == "integer" and not np.isnan(values).any():
            arrays[column.name] = values.astype(np.int64)
        else:
            arrays[column.name] = values
    return arrays


def to_frame(rows: np.ndarray, columns: Tuple[TableColumn, ...]):
    """The library's rows as a pandas DataFrame: categories as Categorical with the model's
    categories (a missing boolean as NaN), datetimes as datetime64[s], integers as int64, or
    nullable Int64 when some are missing, numbers as float64."""
    import pandas as pd

    data = {}
    for c, column in enumerate(columns):
        values = rows[:, c]
        if column.categories is not None:
            codes = np.where(np.isnan(values), -1, values).astype(np.int64)
            data[column.name] = pd.Categorical.from_codes(codes, categories=list(column.categories))
        elif column.kind == "datetime":
            data[column.name] = pd.Series(_datetimes(values))
        elif column.kind == "integer":
            data[column.name] = (pd.Series(values).astype("Int64") if np.isnan(values).any()
                                 else pd.Series(values.astype(np.int64)))
        else:
            data[column.name] = pd.Series(values.copy())
    return pd.DataFrame(data)


def pandas_available() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True
