"""A file's time columns parsed in the file's own format (issue 40).

A model reads instants: the scoring parses a file's time column with the format the
file's description found in it, not the format of the file the model was trained on
(``scoring.member_frame``, ``numpy_path``). :func:`file_instants` is that parse for what
reads a file's times beside the scoring: a promise's row instants and a large file's
slices routed to its parts, parsed once for both cuts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from entrepot.fraud.tables.timeparse import parse_times

if TYPE_CHECKING:
    from entrepot.fraud.match.description import Upload

__all__ = ["file_instants"]


def file_instants(
    frame: pd.DataFrame, columns: Sequence[str], upload: Upload | None
) -> pd.DataFrame:
    """``frame`` with its time ``columns`` parsed in the file's own format (``upload``'s):
    a model then reads instants whatever format it was trained on (``timeparse
    .parse_times`` returns a parsed column as it is, and a value's parse reads that value
    alone). A column the description finds no time in, or absent, is left as it is.
    Regression (issue 40): a file in another format than the training file's had its
    promise's row instants all missing, and every row counted beyond the labels."""
    found = frame
    for column in columns:
        fmt = None if upload is None or column not in frame else upload.time_format(column)
        if fmt is not None:
            if found is frame:
                found = frame.copy(deep=False)
            found[column] = parse_times(frame[column], fmt)
    return found
