"""A float64 column as the text pandas' CSV writer gives it, an order of magnitude faster.

``DataFrame.to_csv`` writes a float64 column as ``numpy.ndarray.astype(str)``: the
shortest text that reads back the same float (NumPy's ``repr``), in scientific notation
below 1e-4 and from 1e16, ``1.0`` for a whole number, and ``na_rep`` (``""``) for NaN.
Python makes that text one float at a time: a third of the CPU of scoring a file of a
million rows went to it. Arrow's cast of a float64 array to text writes the same shortest
digits in C++, but positional below 1e-4, scientific earlier than NumPy for large numbers,
and ``1`` for a whole number; so the cast is kept where the two agree (not whole, 1e-4 ≤
|x| < 1e16, and positional in Arrow's text) and NumPy's text is made for the rest (in a
scored file: the exact zeros and the tiny probabilities).
``tests/unit/fraud/tables/test_float_text.py`` holds the equality over every magnitude.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Where NumPy's text is positional: from 1e-4 up to (not including) 1e16.
_POSITIONAL = (1e-4, 1e16)


def float_text(values: np.ndarray, na_rep: str = "") -> np.ndarray:
    """``values`` (float64) as pandas' CSV writer writes them, as an object array."""
    text = float_arrow(values)
    return np.asarray(text.fill_null(na_rep).to_numpy(zero_copy_only=False), dtype=object)


def float_arrow(values: np.ndarray) -> pa.Array:
    """``values`` (float64) as pandas' CSV writer writes them, as Arrow text (a NaN null)."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    cast = pc.cast(pa.array(values), pa.large_string())
    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        same = (size >= _POSITIONAL[0]) & (size < _POSITIONAL[1]) & (values != np.floor(values))
    # Arrow turns to scientific notation earlier for large numbers: NumPy's text there
    same &= ~pc.match_substring(cast, "e").to_numpy(zero_copy_only=False)
    rest = ~same & ~missing
    if rest.any():
        numpy_text = pa.array(values[rest].astype(str), pa.large_string())
        cast = pc.replace_with_mask(cast, pa.array(rest), numpy_text)
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.large_string()), cast)
