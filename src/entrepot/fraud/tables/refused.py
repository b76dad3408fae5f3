"""Why an uploaded table is refused before it is read, as messages (a key and typed
values, ADR 0037): the ``said`` of the :class:`~entrepot.fraud.errors.UnreadableFile`
raised, so that a page or a job's failure writes it in its reader's language; the English
``str(error)`` is unchanged."""

from __future__ import annotations

from entrepot.messages import N_, Message


def compressed_too_much(file: str, ratio: int, limit: int) -> Message:
    """``file`` inflates ``ratio`` to 1, past the ``limit`` every upload is held to."""
    return Message(
        N_("fraud.refused.compressed_too_much"), {"file": file, "ratio": ratio, "limit": limit}
    )


def too_many_columns(file: str, columns: int, limit: int) -> Message:
    """``file``'s header names ``columns`` columns, more than the ``limit`` of a table."""
    return Message(
        N_("fraud.refused.too_many_columns"), {"file": file, "columns": columns, "limit": limit}
    )
