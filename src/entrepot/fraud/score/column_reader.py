"""An upload's columns read once per scoring call, as the features need them.

:class:`ColumnReader` hands out each column as numbers, as category keys, as entity
keys or as instants, computed once per column and shared by every ensemble member that
reads it; a block of features made from them (:meth:`ColumnReader.made`) is kept for the
next member only where several read the frame. Each reading equals the pandas function the
general path applies (``pd.to_numeric``, :func:`~entrepot.fraud.tables.values.factorised_keys`,
:func:`~entrepot.fraud.tables.values.entity_keys`,
:func:`~entrepot.fraud.tables.timeparse.parse_times`):
plain numpy columns and Arrow text columns of a few rows are read without pandas (the
pandas calls cost far more than the work on one row), anything else goes through the
pandas function itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from entrepot.fraud.tables.timeparse import EPOCH_MS, EPOCH_S, TEXT_FORMATS, parse_times
from entrepot.fraud.tables.values import entity_keys, factorised_keys

#: Frames up to this many rows are read value by value in Python.
SMALL = 64
_NAT = np.iinfo(np.int64).min
_T = TypeVar("_T")

Keys = tuple[np.ndarray, list[str]]


def _kind(values: Any) -> str:
    """``number``, ``text`` (Arrow strings), ``instant`` (datetime64[s]) or ``other``."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in "biuf":
            return "number"
        return "instant" if dtype == np.dtype("datetime64[s]") else "other"
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return "text"
    return "other"


def _number_keys(values: np.ndarray) -> Keys | None:
    """:func:`factorised_keys` of a small numeric column, or ``None`` to use it."""
    listed = values.tolist()
    if values.dtype.kind == "b":
        return np.arange(len(listed), dtype=np.int64), [str(bool(v)) for v in listed]
    if values.dtype.kind == "f":
        present = [v for v in listed if v == v]
        whole = all(float(v).is_integer() for v in present)
        if not whole and any(v == 0.0 and np.signbit(v) for v in present):
            return None  # -0.0 and 0.0 are one value, written as the first seen
        positions = np.asarray([i if v == v else -1 for i, v in enumerate(listed)], np.int64)
        keys = [("" if v != v else str(int(v)) if whole else str(float(v))) for v in listed]
        return positions, keys
    return np.arange(len(listed), dtype=np.int64), [str(int(v)) for v in listed]


def _text_keys(values: np.ndarray) -> Keys:
    listed = values.tolist()
    positions = [i if isinstance(v, str) else -1 for i, v in enumerate(listed)]
    keys = [v.strip() if isinstance(v, str) else "" for v in listed]
    return np.asarray(positions, dtype=np.int64), keys


def _text_instants(values: np.ndarray, fmt: str) -> np.ndarray:
    """:func:`parse_times` of Arrow text: Arrow's own trim, then ``strptime``."""
    text = pc.utf8_trim_whitespace(pa.array(values, type=pa.string(), from_pandas=True))
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    return np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[s]")


def _digit_instants(values: np.ndarray, fmt: str) -> np.ndarray:
    """:func:`parse_times` of whole numbers read as text (``20230102094354``)."""
    text = pa.array([str(v) for v in values.tolist()], type=pa.string())
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    return np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[s]")


def _epoch_instants(values: np.ndarray, fmt: str) -> np.ndarray:
    """:func:`parse_times` of numbers as epoch seconds or milliseconds."""
    numbers = values.astype(float)
    if fmt == EPOCH_MS:
        numbers = numbers / 1000.0
    ok = np.isfinite(numbers)
    out = np.full(len(numbers), np.datetime64("NaT"), dtype="datetime64[s]")
    out[ok] = numbers[ok].astype(np.int64).astype("datetime64[s]")
    return out


def seconds_of(instants: np.ndarray) -> np.ndarray:
    """Epoch seconds of ``datetime64[s]`` values; int64 min where missing."""
    return np.where(np.isnat(instants), _NAT, instants.astype(np.int64))


class ColumnReader:
    """The columns of one frame, each reading made once (see the module docstring).

    ``None`` as a column name stands for a column the frame lacks, read as missing.
    ``shared``: whether more than one member reads the frame (:meth:`made`).
    """

    def __init__(self, frame: pd.DataFrame, *, shared: bool = True) -> None:
        self.frame = frame
        self.rows = len(frame)
        self.small = self.rows <= SMALL
        self.shared = shared
        self._position = {name: i for i, name in enumerate(frame.columns.tolist())}
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """``make()``, computed once per ``key`` for this frame."""
        if key not in self._memo:
            self._memo[key] = make()
        found: _T = self._memo[key]
        return found

    def made(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """A block of features ``make()`` gives: kept under ``key`` for the next member
        where the frame is :attr:`shared`, else made and not kept (a member writes its
        features into its matrix as they come: held twice, they were a part's peak)."""
        return self.memo(key, make) if self.shared or key in self._memo else make()

    def has(self, column: str) -> bool:
        """Whether the frame holds ``column``."""
        return column in self._position

    def values(self, column: str) -> Any:
        """The column's array as the frame holds it (numpy or pandas extension array)."""
        return self.memo(("values", column), lambda: self._array(column))

    def series(self, column: str | None) -> pd.Series:
        """The column as a Series; an all-missing float one for an absent column."""
        if column is None:
            return pd.Series(np.nan, index=pd.RangeIndex(self.rows), dtype="float64")
        return self.frame[column]

    def numbers(self, column: str | None) -> np.ndarray:
        """``pd.to_numeric(column, errors="coerce")`` as float."""
        if column is None:
            return np.full(self.rows, np.nan)
        return self.memo(("numbers", column), lambda: self._numbers(column))

    def keys(self, column: str | None) -> Keys:
        """:func:`factorised_keys` of the column: row positions into keys, ``-1`` missing.

        Positions may point to equal keys (one per row for a small frame)."""
        if column is None:
            return np.full(self.rows, -1, dtype=np.int64), []
        return self.memo(("keys", column), lambda: self._keys(column))

    def entities(self, column: str | None) -> np.ndarray:
        """:func:`entity_keys` of the column."""
        if column is None:
            return np.full(self.rows, None, dtype=object)
        return self.memo(("entities", column), lambda: self._entities(column))

    def instants(self, column: str | None, fmt: str) -> np.ndarray:
        """:func:`parse_times` of the column with ``fmt``, as ``datetime64[s]``."""
        return self.memo(("instants", column, fmt), lambda: self._instants(column, fmt))

    # -- internals ---------------------------------------------------------------------
    def _array(self, column: str) -> Any:
        # pandas' own accessor of a column's array: frame[column] builds a Series, which
        # costs more than the rest of the reading on a row.
        get = getattr(self.frame, "_get_column_array", None)
        if get is None:  # pragma: no cover - pandas without the accessor
            return self.frame[column].array
        return get(self._position[column])

    def _numbers(self, column: str) -> np.ndarray:
        values = self.values(column)
        if _kind(values) == "number":
            return np.asarray(values.astype(float))
        numbers = pd.to_numeric(self.series(column), errors="coerce")
        return np.asarray(numbers.to_numpy(dtype=float))

    def _keys(self, column: str) -> Keys:
        values = self.values(column)
        kind = _kind(values)
        if self.small and kind == "number":
            found = _number_keys(values)
            if found is not None:
                return found
        if self.small and kind == "text":
            return _text_keys(values.to_numpy(dtype=object))
        return factorised_keys(self.series(column))

    def _entities(self, column: str) -> np.ndarray:
        if _kind(self.values(column)) not in ("number", "text"):
            return entity_keys(self.series(column))
        # Equal to entity_keys: for these columns, booleans=False writes what True does.
        positions, keys = self.keys(column)
        table = np.asarray([*keys, None], dtype=object)
        out: np.ndarray = table[positions]
        return out

    def _instants(self, column: str | None, fmt: str) -> np.ndarray:
        if column is not None:
            values = self.values(column)
            kind = _kind(values)
            if kind == "instant":
                return np.asarray(values)
            if kind == "number" and fmt in (EPOCH_S, EPOCH_MS):
                return _epoch_instants(values, fmt)
            if self.small and fmt in TEXT_FORMATS:
                if kind == "text":
                    return _text_instants(values.to_numpy(dtype=object), fmt)
                if kind == "number" and values.dtype.kind in "iu":
                    return _digit_instants(values, fmt)
        parsed = parse_times(self.series(column), fmt)
        return np.asarray(parsed.to_numpy(dtype="datetime64[s]"))
