"""Errors of the city-flow app; each names the object (key) it concerns and what to do.

The tree (under :class:`entrepot.errors.EntrepotError`)::

    CityError
    ├── PartitionError (ValueError)    a raw key that is not dt=YYYY-MM-DD/hour=HH/<file>
    ├── RawFormatError (ValueError)    a file that cannot be parsed: truncated JSON, wrong
    │                                  CSV separator or encoding, missing columns
    └── MissingInput (FileNotFoundError) an input the run needs is absent (référentiel, a day)
"""

from __future__ import annotations

from entrepot.errors import EntrepotError


class CityError(EntrepotError):
    """A city-flow input or run failed."""

    def __init__(self, message: str, *, key: str | None = None, hint: str | None = None) -> None:
        self.key = key
        super().__init__(f"{message} [key {key!r}]" if key is not None else message, hint=hint)


class PartitionError(CityError, ValueError):
    """A raw object's path does not follow ``<source>/dt=YYYY-MM-DD/hour=HH/<file>``."""

    hint = "raw API files must live under raw/api/<source>/dt=YYYY-MM-DD/hour=HH/<file>"


class RawFormatError(CityError, ValueError):
    """A raw file cannot be parsed (truncated, wrong separator, wrong encoding, columns)."""

    hint = "re-export or re-ingest the file; CSVs are ';'-separated UTF-8"


class MissingInput(CityError, FileNotFoundError):
    """An input the processing needs does not exist in the store."""

    hint = "generate or upload it first (see `entrepot city generate`)"
