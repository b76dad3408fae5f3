"""DuckDB failing on its own while it reads a counts export (ADR 0121).

DuckDB 2.0.0's CSV scanner once raised an internal error (``Attempting to dereference an
optional pointer that is not set``, from ``StringValueScanner::TryMoveToNextBuffer``) while
partitioning a generated export that it had just read whole, and that every other run read
without fault: a fault of the engine, not of the file, and not one a rerun meets again.
An internal error leaves its connection unusable (DuckDB's documentation: restart the
database), so the work is done again once on a fresh connection, on one thread (the
scanner then reads its buffers in order); a second internal error is the caller's to say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["again_on_one_thread"]

T = TypeVar("T")


def again_on_one_thread(run: Callable[[int], T], threads: int) -> T:
    """``run(threads)``, each call on a connection of its own; where DuckDB fails with an
    internal error, ``run(1)`` once more (its internal error, if any, raised)."""
    import duckdb

    try:
        return run(threads)
    except duckdb.InternalException:
        return run(1)
