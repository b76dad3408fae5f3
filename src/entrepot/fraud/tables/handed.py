"""A table handed over to the code that reads it, so that its memory can go as soon as
that code is done with it (issue 40 item 4).

A caller that passes a DataFrame keeps a reference to it for as long as the call lasts: a
training could drop its columns once featured and free nothing. A caller that builds a
:class:`HandedTable` around a table it holds no other name for gives the table away: the
callee :meth:`~HandedTable.take`\\ s it, and from then on holds the only reference.
"""

from __future__ import annotations

import pandas as pd


class HandedTable:
    """A table given away: :meth:`take` returns it once, and the hand holds nothing after."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame: pd.DataFrame | None = frame

    def take(self) -> pd.DataFrame:
        """The table, given up by this hand (a second take is a programming error)."""
        frame, self._frame = self._frame, None
        if frame is None:
            raise RuntimeError("this table was already taken")
        return frame


def taken(table: pd.DataFrame | HandedTable) -> tuple[pd.DataFrame, bool]:
    """The table itself, and whether it was handed over (``False``: the caller still holds
    it, and it must not be changed)."""
    if isinstance(table, HandedTable):
        return table.take(), True
    return table, False
