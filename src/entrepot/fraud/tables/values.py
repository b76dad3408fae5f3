"""Values read as keys: the same id or category whatever its spelling in a file.

``42``, ``42.0`` and ``"42"`` are one customer; ``5411``, ``5411.0`` and ``"5411"`` one
merchant category. A column is factorised first and only its distinct values are
normalised, so the cost is per distinct value, not per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _integral(values: list[Any]) -> bool:
    return all(float(v).is_integer() for v in values)


def _normalised(series: pd.Series, uniques: Any, *, booleans: bool) -> list[str]:
    values = list(uniques.tolist()) if hasattr(uniques, "tolist") else list(uniques)
    if booleans and pd.api.types.is_bool_dtype(series):
        return [str(bool(v)) for v in values]
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if numeric and _integral(values):
        return [str(int(v)) for v in values]
    if numeric:
        return [str(float(v)) for v in values]
    return [str(v).strip() for v in values]


def factorised_keys(series: pd.Series, *, booleans: bool = True) -> tuple[np.ndarray, list[str]]:
    """Row positions into the distinct keys (``-1`` for a missing value) and the keys.

    Whole numbers are written without a decimal part when every value of the column is
    whole; ``booleans`` writes a boolean column's values as ``True`` / ``False``.
    """
    positions, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(positions, dtype=np.int64), _normalised(series, uniques, booleans=booleans)


def entity_keys(series: pd.Series) -> np.ndarray:
    """Each row's entity id as text (``None`` where missing), as an object array."""
    positions, keys = factorised_keys(series, booleans=False)
    table = np.asarray([*keys, None], dtype=object)  # position -1 reads the last slot
    out: np.ndarray = table[positions]
    return out


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether NumPy arrays ``a`` and ``b`` hold the same values bit for bit (``-0.0`` is
    not ``0.0``; a NaN equals only the same NaN): one dtype, compared as integers of its
    size, any strides; an object or unusual-sized dtype never."""
    if a.dtype != b.dtype or a.dtype.kind == "O" or a.dtype.itemsize not in (1, 2, 4, 8):
        return False
    bits = np.dtype(f"i{a.dtype.itemsize}")
    return bool(np.array_equal(a.view(bits), b.view(bits)))
