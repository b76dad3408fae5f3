"""The watermark table: what each (source, local day) was last computed from, and how.

A *source* is a metric type or ``report``. A watermark records the inputs (key and
content version of each object read), their digest, the state (``ok`` or
``failed``, with the error), the sha256 of the output and the run that wrote it. A
run skips a (source, day) whose watermark is ``ok`` with the same inputs digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, cast

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import sessionmaker

from entrepot.catalog.city.tables import CityWatermarkRow
from entrepot.city.kinds import PIPELINE_VERSION
from entrepot.city.lake import InputRef

State = Literal["ok", "failed"]
#: Longest error text kept on a watermark.
MAX_ERROR = 2000


@dataclass(frozen=True)
class Watermark:
    """One (source, day) row of the watermark table."""

    source: str
    day: date
    inputs: tuple[dict[str, Any], ...]
    inputs_digest: str
    state: State
    error: str | None
    output_sha256: str | None
    run_id: str
    updated_at: datetime


@dataclass(frozen=True)
class SourceSummary:
    """The watermarks of one source, counted."""

    source: str
    ok: int
    failed: int
    first_day: date | None
    last_day: date | None
    updated_at: datetime | None


def inputs_digest(inputs: Iterable[InputRef]) -> str:
    """sha256 over the pipeline version and each input's key and content version."""
    entries = sorted(f"{i.key}\t{i.version}" for i in inputs)
    text = "\n".join([f"pipeline {PIPELINE_VERSION}", *entries])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def describe_inputs(inputs: Iterable[InputRef]) -> list[dict[str, Any]]:
    """The inputs as stored on a watermark."""
    return [
        {"key": i.key, "sha256": i.sha256, "etag": i.etag, "size": i.size}
        for i in sorted(inputs, key=lambda i: i.key)
    ]


class Watermarks:
    """Reads and writes the ``city_watermarks`` table of a migrated catalog."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def get(self, source: str, day: date) -> Watermark | None:
        """The watermark of (``source``, ``day``), or None."""
        return self.many(source, [day]).get(day)

    def many(self, source: str, days: Sequence[date]) -> dict[date, Watermark]:
        """The watermarks of ``source`` on ``days``, by day (missing days are absent)."""
        if not days:
            return {}
        query = select(CityWatermarkRow).where(
            CityWatermarkRow.source == source, CityWatermarkRow.day.in_(sorted(set(days)))
        )
        with self._sessions() as session:
            return {row.day: _watermark(row) for row in session.scalars(query)}

    def record(
        self,
        source: str,
        day: date,
        *,
        inputs: Iterable[InputRef],
        state: State,
        run_id: str,
        error: str | None = None,
        output_sha256: str | None = None,
    ) -> Watermark:
        """Insert or replace the watermark of (``source``, ``day``) in one statement."""
        refs = list(inputs)
        values = {
            "source": source,
            "day": day,
            "inputs": describe_inputs(refs),
            "inputs_digest": inputs_digest(refs),
            "state": state,
            "error": None if error is None else error[:MAX_ERROR],
            "output_sha256": output_sha256,
            "run_id": run_id,
            "updated_at": datetime.now(UTC),
        }
        table = cast(Table, CityWatermarkRow.__table__)
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["source", "day"],
            set_={k: statement.excluded[k] for k in values if k not in ("source", "day")},
        )
        with self.engine.begin() as connection:
            connection.execute(statement)
        found = self.get(source, day)
        if found is None:  # pragma: no cover - the row was just written
            raise RuntimeError(f"watermark {source} {day} vanished after its write")
        return found

    def find(
        self,
        *,
        source: str | None = None,
        start: date | None = None,
        end: date | None = None,
        state: State | None = None,
    ) -> list[Watermark]:
        """Watermarks by day then source, filtered."""
        query = select(CityWatermarkRow)
        if source is not None:
            query = query.where(CityWatermarkRow.source == source)
        if start is not None:
            query = query.where(CityWatermarkRow.day >= start)
        if end is not None:
            query = query.where(CityWatermarkRow.day <= end)
        if state is not None:
            query = query.where(CityWatermarkRow.state == state)
        query = query.order_by(CityWatermarkRow.day, CityWatermarkRow.source)
        with self._sessions() as session:
            return [_watermark(row) for row in session.scalars(query)]

    def summary(self) -> list[SourceSummary]:
        """Per source: how many days are ok and failed, the day range, the last update."""
        row = CityWatermarkRow
        query = (
            select(
                row.source,
                func.count().filter(row.state == "ok"),
                func.count().filter(row.state == "failed"),
                func.min(row.day),
                func.max(row.day),
                func.max(row.updated_at),
            )
            .group_by(row.source)
            .order_by(row.source)
        )
        with self._sessions() as session:
            return [
                SourceSummary(s, int(ok), int(failed), first, last, updated and _utc(updated))
                for s, ok, failed, first, last, updated in session.execute(query)
            ]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _watermark(row: CityWatermarkRow) -> Watermark:
    state: State = "ok" if row.state == "ok" else "failed"
    return Watermark(
        source=row.source,
        day=row.day,
        inputs=tuple(json.loads(json.dumps(row.inputs))),
        inputs_digest=row.inputs_digest,
        state=state,
        error=row.error,
        output_sha256=row.output_sha256,
        run_id=row.run_id,
        updated_at=_utc(row.updated_at),
    )
