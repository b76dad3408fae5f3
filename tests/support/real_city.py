"""A city built from the real Paris exports of ``tests/fixtures/real-paris``: every file
imported into a memory lake, then the days on which they say most computed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.city_service.service import CityService
from tests.support.real_paris import REAL, imported

#: Days the real files describe: a stormy and a freezing one (SYNOP), the roadworks
#: snapshot's week, the Champs-Élysées counts with the Vélib' portal export.
STORM, FROST = date(2020, 12, 27), date(2021, 1, 16)
WORKS, TRAFFIC, BIKES = date(2023, 1, 8), date(2023, 12, 1), date(2023, 12, 10)
DAYS = (STORM, FROST, WORKS, TRAFFIC, BIKES)
#: The Open-Meteo file's values were edited by hand (see the README): its shape only.
LEFT_OUT = {"open-meteo-paris-2024-08-17.json"}


def real_city(folder: Path) -> CityService:
    """A city runtime over the real exports, :data:`DAYS` computed (catalog in ``folder``)."""
    files = [
        path
        for path in sorted(REAL.iterdir())
        if path.suffix in {".csv", ".json"} and path.name not in LEFT_OUT
    ]
    store, _ = imported(*files)
    engine = make_engine(f"sqlite:///{folder / 'catalog.db'}")
    upgrade(engine)
    runtime = CityService(store, engine=engine)
    done = runtime.runner().run(list(DAYS))
    assert not done.failed, done.failed
    return runtime
