"""What can stop a catalog copy; each says what to do next."""

from __future__ import annotations

from entrepot.errors import CatalogError, RecordExists


class TargetNotEmpty(RecordExists):
    """The target holds rows that are not an interrupted copy of this source."""


class CopyInterrupted(CatalogError):
    """A batch failed; the source is untouched and the target resumable."""


class CopyMismatch(CatalogError):
    """After copying, the target's counts or digests differ from the source's."""


class UncopyableValue(CopyInterrupted):
    """A source row holds text the target cannot store (a NUL or a lone surrogate, which
    SQLite kept and PostgreSQL refuses): named by table, key and column."""
