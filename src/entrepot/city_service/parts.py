"""The city app's parts, built lazily: store, catalog, metrics, reports, the lake and its
runner. :class:`~entrepot.city_service.service.CityService` is built on them (one object:
the use cases and what they work on); the composition root (``App.city``) gives the store
and the catalog, the app itself never reads settings. Nothing is opened, and no engine
(pandas, DuckDB, a database driver) imported, until used: ``entrepot city generate`` needs
only the store.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from entrepot.city.lake import Lake
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_SCAN_THREADS
from entrepot.errors import ConfigError
from entrepot.messages import N_, Message
from entrepot.storage.protocols import Store

T = TypeVar("T")

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from entrepot.catalog.uow import UnitOfWorkFactory
    from entrepot.city.freshness import Watermarks
    from entrepot.city.metrics.base import MetricsStore
    from entrepot.city.report_files import ReportFiles
    from entrepot.city.runs import CityRunner, Outcome


#: A part given as it is, or as the call that builds it when first used.
Given: TypeAlias = T | Callable[[], T]


class CityParts:
    """The city app's dependencies.

    ``store``: the object store (raw data, report CSVs); ``engine``: the catalog
    (watermarks, report records); each given as it is or as the call that opens it on
    first use; ``metrics_url``: where metrics go, ``None`` for the catalog database itself;
    ``scan_threads``: DuckDB's threads for the counts export.
    """

    def __init__(
        self,
        store: Given[Store],
        *,
        engine: Given[Engine] | None = None,
        metrics_url: str | None = None,
        scan_threads: int = DEFAULT_SCAN_THREADS,
    ) -> None:
        self._store = store
        self._engine = engine
        self._metrics_url = metrics_url
        self.scan_threads = scan_threads

    @cached_property
    def store(self) -> Store:
        """The object store (raw data, report CSVs)."""
        return _built(self._store)

    @cached_property
    def engine(self) -> Engine:
        """The catalog engine, checked to be migrated."""
        from entrepot.catalog.migrate import ensure_migrated

        if self._engine is None:
            raise ConfigError(
                "this command needs the catalog, and none was configured",
                hint="run it as `entrepot city ...`, which opens ENTREPOT_DATABASE_URL",
                said=Message(N_("error.city.no_catalog")),
            )
        engine = _built(self._engine)
        ensure_migrated(engine)
        return engine

    def ping_catalog(self) -> None:
        """One round trip to the catalog (``/city/health``)."""
        from entrepot.catalog.engine import ping

        ping(self.engine)

    @cached_property
    def uow(self) -> UnitOfWorkFactory:
        """Units of work on the catalog."""
        from entrepot.catalog.uow import unit_of_work_factory

        return unit_of_work_factory(self.engine)

    @cached_property
    def watermarks(self) -> Watermarks:
        """The watermark table."""
        from entrepot.city.freshness import Watermarks

        return Watermarks(self.uow)

    @cached_property
    def metrics(self) -> MetricsStore:
        """The metrics store: its own URL, or the catalog database."""
        from entrepot.city.metrics.sql import SqlMetrics
        from entrepot.city.metrics.url import open_metrics

        url = self._metrics_url
        return open_metrics(url) if url else SqlMetrics(self.engine)

    @cached_property
    def reports(self) -> ReportFiles:
        """Report CSVs, written through the catalog's write protocol."""
        from entrepot.city.report_files import ReportFiles
        from entrepot.services.objects import ObjectService

        return ReportFiles(ObjectService(self.store, self.uow), self.uow)

    def lake(self, prefix: str = "") -> Lake:
        """The raw layout under ``prefix`` of the store."""
        return Lake(self.store.scoped(prefix) if prefix.strip("/") else self.store)

    def runner(
        self,
        prefix: str = "",
        *,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        progress: Callable[[Outcome], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> CityRunner:
        """An incremental runner over the raw data under ``prefix``."""
        from entrepot.city.runs import CityRunner
        from entrepot.storage.counting import CountingStore

        counting = CountingStore(self.store)
        scoped = counting.scoped(prefix) if prefix.strip("/") else counting
        return CityRunner(
            Lake(scoped),
            self.metrics,
            self.watermarks,
            self.reports,
            memory_limit=memory_limit,
            threads=self.scan_threads,
            progress=progress,
            on_progress=on_progress,
            bytes_read=lambda: counting.bytes_read,
        )

    def close(self) -> None:
        """Close the metrics store if it was opened."""
        if "metrics" in self.__dict__:
            self.metrics.close()


def _built(part: Given[T]) -> T:
    """``part`` itself, or what its call builds."""
    return part() if callable(part) else part
