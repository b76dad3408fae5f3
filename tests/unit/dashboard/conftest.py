"""The week of generated city data the dashboard tests read (one per module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city.generator import GenerateOptions, generate
from entrepot.city_service.service import CityService
from entrepot.storage.memory import MemoryStore
from tests.support.dashboard import DAY, WEEK_BEFORE


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityService]:
    store = MemoryStore("city-dashboard")
    options = GenerateOptions(
        start=WEEK_BEFORE, days=8, arcs=30, stations=10, counters=3, roadworks=40
    )
    generate(store, options)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('dash') / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    assert not runtime.runner().run([WEEK_BEFORE, DAY]).failed
    yield runtime
    engine.dispose()
