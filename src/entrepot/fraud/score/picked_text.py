"""A scored part's text columns (its risk levels, its explanations) made from each row's
choice among a few texts, in the dtype a new frame would infer for strings."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["picked"]


def picked(texts: Sequence[str], at: np.ndarray) -> Any:
    """``texts[at[i]]`` for each row, in the dtype a new frame would infer for strings,
    given up front (inferring it costs more than the rest of the frame for a few rows);
    made from ``at`` in Arrow where that dtype is Arrow's (a Python string for each row
    made first and converted cost 0.4 CPU-s for a scored file's 5M risk levels)."""
    dtype = _text_dtype()
    if dtype == np.dtype(object):
        return np.asarray(list(texts), dtype=object)[at]
    import pyarrow as pa

    return pd.array(pa.array(list(texts), pa.large_string()).take(pa.array(at)), dtype=dtype)


@cache
def _text_dtype() -> Any:
    """The dtype of a new frame's column of strings (pandas 3: its ``str`` dtype)."""
    return pd.DataFrame({"text": np.asarray(["text"], dtype=object)})["text"].dtype
