"""The ``city_watermarks`` table: what each (source, local day) was last computed from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from entrepot.catalog.base import upsert_insert
from entrepot.catalog.city.records import SourceSummary, Watermark, WatermarkState
from entrepot.catalog.city.tables import CityWatermarkRow
from entrepot.catalog.columns import utc
from entrepot.catalog.listings import WatermarkListing, watermark_record


class WatermarkRepository:
    """Reads and writes watermarks in the unit of work's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def many(self, source: str, days: Sequence[date]) -> dict[date, Watermark]:
        """The watermarks of ``source`` on ``days``, by day (missing days are absent)."""
        if not days:
            return {}
        query = select(CityWatermarkRow).where(
            CityWatermarkRow.source == source, CityWatermarkRow.day.in_(sorted(set(days)))
        )
        return {row.day: watermark_record(row) for row in self._session.scalars(query)}

    def put(self, values: dict[str, Any]) -> None:
        """Insert or replace the watermark of (``values["source"]``, ``values["day"]``) in
        one statement (the caller commits)."""
        table = cast(Table, CityWatermarkRow.__table__)
        statement = upsert_insert(self._session)(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["source", "day"],
            set_={k: statement.excluded[k] for k in values if k not in ("source", "day")},
        )
        self._session.execute(statement)

    def delete(self, source: str, day: date) -> bool:
        """Remove the watermark of (``source``, ``day``); whether there was one."""
        statement = delete(CityWatermarkRow).where(
            CityWatermarkRow.source == source, CityWatermarkRow.day == day
        )
        return bool(getattr(self._session.execute(statement), "rowcount", 0))

    def find(
        self,
        *,
        source: str | None = None,
        start: date | None = None,
        end: date | None = None,
        state: WatermarkState | None = None,
    ) -> list[Watermark]:
        """Watermarks by day then source, filtered."""
        connection = self._session.connection()
        return WatermarkListing(connection).find(source=source, start=start, end=end, state=state)

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
        return [
            SourceSummary(s, int(ok), int(failed), first, last, updated and utc(updated))
            for s, ok, failed, first, last, updated in self._session.execute(query)
        ]
