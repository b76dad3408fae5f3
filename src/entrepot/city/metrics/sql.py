"""Metrics in SQL: the embedded default (SQLite) and PostgreSQL (JSONB).

The table is ``city_metrics`` (see :mod:`entrepot.catalog.city.tables`). In the
catalog database (the default) the migration ``0003`` creates it and an unmigrated
catalog is refused; in a database of its own the store creates the table on first use.
Writes are one atomic upsert (``INSERT ... ON CONFLICT DO UPDATE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from entrepot.catalog.city.tables import CityMetricRow
from entrepot.catalog.engine import make_engine, masked
from entrepot.city.errors import MetricsError, MetricsUnavailable
from entrepot.city.metrics.base import DocumentInfo, MetricsStore, StoredDocument, utc
from entrepot.errors import DatabaseUnavailable
from entrepot.messages import N_, Message

_TABLE = cast(Table, CityMetricRow.__table__)


class SqlMetrics(MetricsStore):
    """Documents in the ``city_metrics`` table of a SQLite or PostgreSQL database."""

    def __init__(self, engine: Engine, *, owns_engine: bool = False) -> None:
        self.engine = engine
        self.url = masked(engine.url)
        self._owns_engine = owns_engine
        self._ready = False

    @classmethod
    def from_url(cls, url: str) -> SqlMetrics:
        """A store on its own engine for ``url`` (``sqlite:///...``, ``postgresql://...``)."""
        return cls(make_engine(url), owns_engine=True)

    def ping(self) -> None:
        """Check the database answers and holds the table."""
        self._ensure()

    def close(self) -> None:
        """Dispose of the engine if this store created it."""
        if self._owns_engine:
            self.engine.dispose()

    # -- backend -------------------------------------------------------------------
    def _put(self, info: DocumentInfo, document: dict[str, Any]) -> None:
        values = {
            "kind": info.kind,
            "day": info.day,
            "document": document,
            "sha256": info.sha256,
            "updated_at": info.updated_at,
        }
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(_TABLE).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "day"],
            set_={k: statement.excluded[k] for k in ("document", "sha256", "updated_at")},
        )
        with self._connection(write=True) as connection:
            connection.execute(statement)

    def _get(self, kind: str, day: date) -> StoredDocument | None:
        query = select(_TABLE).where(_TABLE.c.kind == kind, _TABLE.c.day == day)
        with self._connection() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        info = DocumentInfo(row["kind"], row["day"], row["sha256"], utc(row["updated_at"]))
        return StoredDocument(info, dict(row["document"]))

    def _index(
        self, kinds: tuple[str, ...] | None, start: date | None, end: date | None
    ) -> list[DocumentInfo]:
        c = _TABLE.c
        query = select(c.kind, c.day, c.sha256, c.updated_at)
        if kinds is not None:
            query = query.where(c.kind.in_(kinds))
        if start is not None:
            query = query.where(c.day >= start)
        if end is not None:
            query = query.where(c.day <= end)
        with self._connection() as connection:
            rows = connection.execute(query.order_by(c.day, c.kind)).all()
        return [DocumentInfo(k, d, s, utc(u)) for k, d, s, u in rows]

    def _delete(self, kind: str, day: date) -> bool:
        statement = delete(_TABLE).where(_TABLE.c.kind == kind, _TABLE.c.day == day)
        with self._connection(write=True) as connection:
            return bool(connection.execute(statement).rowcount > 0)

    # -- helpers -------------------------------------------------------------------
    @contextmanager
    def _connection(self, *, write: bool = False) -> Iterator[Any]:
        self._ensure()
        try:
            with self.engine.begin() if write else self.engine.connect() as connection:
                yield connection
        except DatabaseUnavailable as exc:
            raise MetricsUnavailable(
                exc.message,
                said=Message(N_("error.city.metrics_unreachable"), {"store": self.url}),
            ) from exc
        except SQLAlchemyError as exc:
            reason = str(exc.orig if hasattr(exc, "orig") else exc).strip().splitlines()[0]
            raise MetricsError(
                f"the metrics database {self.url} refused: {reason}",
                said=Message(
                    N_("error.city.metrics_refused"), {"store": self.url, "reason": reason[:300]}
                ),
            ) from None

    def _ensure(self) -> None:
        if self._ready:
            return
        try:
            tables = set(inspect(self.engine).get_table_names())
            if _TABLE.name not in tables:
                if "alembic_version" in tables:
                    raise MetricsError(
                        f"the catalog database {self.url} has no {_TABLE.name} table yet",
                        hint="run `entrepot db upgrade` (migration 0003 creates it)",
                        said=Message(
                            N_("error.city.metrics_no_table"),
                            {"store": self.url, "table": _TABLE.name},
                        ),
                    )
                _TABLE.create(self.engine, checkfirst=True)
        except DatabaseUnavailable as exc:
            raise MetricsUnavailable(
                exc.message,
                said=Message(N_("error.city.metrics_unreachable"), {"store": self.url}),
            ) from exc
        self._ready = True
