"""Errors of the city-flow app; each names the object (key) it concerns and what to do.

The tree (under :class:`entrepot.errors.EntrepotError`)::

    CityError
    ├── UnknownCityName (InvalidArgument)  a metric type or document kind that does not exist
    ├── PartitionError (ValueError)    a raw key that is not dt=YYYY-MM-DD/hour=HH/<file>
    ├── RawFormatError (ValueError)    a file that cannot be parsed: truncated JSON, wrong
    │                                  CSV separator or encoding, missing columns
    ├── MissingInput (FileNotFoundError) an input the run needs is absent (référentiel, a day)
    ├── MetricsNotFound (RecordNotFound)  no stored metrics or report for that type and day
    ├── MetricsError                   a metrics store refused an operation
    │   ├── MetricsUnavailable (DatabaseUnavailable)  its server or file cannot be reached
    │   └── MigrationMismatch          a metrics copy did not verify (counts or checksums)
    └── RunFailed                      some (type, day) of an incremental run failed
"""

from __future__ import annotations

from entrepot.errors import DatabaseUnavailable, EntrepotError, InvalidArgument, RecordNotFound
from entrepot.messages import Message


class CityError(EntrepotError):
    """A city-flow input or run failed."""

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        hint: str | None = None,
        said: Message | None = None,
    ) -> None:
        self.key = key
        shown = f"{message} [key {key!r}]" if key is not None else message
        super().__init__(shown, hint=hint, said=said)


class UnknownCityName(CityError, InvalidArgument):
    """A metric type or document kind named that does not exist (the CLI exits 2)."""


class PartitionError(CityError, ValueError):
    """A raw object's path does not follow ``<source>/dt=YYYY-MM-DD/hour=HH/<file>``."""

    hint = "raw API files must live under raw/api/<source>/dt=YYYY-MM-DD/hour=HH/<file>"


class RawFormatError(CityError, ValueError):
    """A raw file cannot be parsed (truncated, wrong separator, wrong encoding, columns)."""

    hint = (
        "re-export the file, or bring it in with `entrepot city import FILE` (it reads ';' or "
        "',' separators, Windows-1252 and BOMs, and leaves out a cut last row)"
    )


class MissingInput(CityError, FileNotFoundError):
    """An input the processing needs does not exist in the store."""

    hint = (
        "import the source's exports with `entrepot city import FILE...` "
        "(docs/city.md lists what each metric type reads)"
    )


class MetricsNotFound(CityError, RecordNotFound):
    """No document is stored for that type (or report) and day (a :class:`RecordNotFound`,
    so the API answers 404 and the CLI exits 66)."""

    hint = "compute it first: `entrepot city run --date YYYY-MM-DD`"


class MetricsError(CityError):
    """A metrics store refused an operation."""


class MetricsUnavailable(MetricsError, DatabaseUnavailable):
    """The metrics store cannot be reached (a :class:`DatabaseUnavailable`: API 503, CLI 69)."""

    hint = "check ENTREPOT_METRICS_URL and that its server is running"


class MigrationMismatch(MetricsError):
    """Documents copied between metrics stores do not match the source."""

    hint = "re-run the migration; documents are replaced, so it is safe to repeat"


class RunFailed(CityError):
    """At least one (type, day) of an incremental run failed (each is marked in the
    watermark table; the other days were processed)."""

    hint = "see `entrepot city status --failed` for each error, fix the input, then re-run"
