"""Report CSVs in the object store, written through the catalog's write protocol.

Each run that rebuilds a day's report writes a new write-once object
``reports/city/YYYY-MM-DD/report-<run>.csv`` and its catalog row (kind
``city-report``); run ids sort by time, so the latest report of a day is a query (the
greatest key under the day's folder), never a mutable pointer two runs could race on.
Earlier CSVs stay as history.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from entrepot.catalog.objects.records import ObjectRecord
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.city.errors import MetricsNotFound
from entrepot.city.report_csv import to_csv
from entrepot.messages import N_, Message
from entrepot.services.objects import ObjectService

PREFIX = "reports/city"
KIND = "city-report"


def new_run_id(now: datetime | None = None) -> str:
    """A run id that sorts by time: ``20251105T031500123456Z-1a2b3c``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def report_folder(day: date) -> str:
    """The folder of a day's report CSVs."""
    return f"{PREFIX}/{day.isoformat()}/"


def report_key(day: date, run_id: str) -> str:
    """The key of one run's report CSV."""
    return f"{report_folder(day)}report-{run_id}.csv"


class ReportFiles:
    """Writes and finds report CSVs."""

    def __init__(self, objects: ObjectService, uow: UnitOfWorkFactory) -> None:
        self.objects = objects
        self.uow = uow

    def write(self, day: date, report: dict[str, Any]) -> ObjectRecord:
        """Store ``report`` as the CSV of its run (``report["run"]``); returns its record."""
        return self.objects.put(
            report_key(day, str(report["run"])),
            to_csv(report),
            owner=None,
            kind=KIND,
            content_type="text/csv; charset=utf-8",
            metadata={"city-date": day.isoformat(), "city-run": str(report["run"])},
        )

    def latest(self, day: date) -> ObjectRecord | None:
        """The catalog row of the newest report CSV of ``day``, or None."""
        folder = report_folder(day)
        with self.uow() as uow:
            count = uow.objects.count(prefix=folder, kind=KIND)
            if not count:
                return None
            return uow.objects.list(prefix=folder, kind=KIND, limit=1, offset=count - 1)[0]

    def read_latest(self, day: date) -> tuple[ObjectRecord, bytes]:
        """The newest report CSV of ``day``, checked against its catalog record."""
        record = self.latest(day)
        if record is None:
            raise MetricsNotFound(
                f"no report CSV is recorded for {day}",
                said=Message(N_("error.city.no_report_csv"), {"day": str(day)}),
            )
        return record, self.objects.get(record.key)
