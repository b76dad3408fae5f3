"""Applications for tests that drive a command group on its own (``city_app``,
``fraud_app``): an :class:`App` over given parts, passed to the group as ``obj``."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from entrepot.bootstrap import App, bootstrap
from entrepot.city_service.service import CityService
from entrepot.config import Settings
from entrepot.errors import ConfigError, NotMigrated
from entrepot.storage.protocols import Store


def app_with(store: Store | None = None, engine: Engine | None = None, **parts: Any) -> App:
    """An App on an in-memory catalog (over ``store`` if given) whose named ``parts``
    (``city``, ``reference_library``, ...) are pinned: each is a cached property of the
    App, built once, so a test hands in the one it checks."""
    app = bootstrap(Settings(database_url="sqlite://"), store=store, engine=engine)
    for name, part in parts.items():
        assert isinstance(getattr(App, name, None), cached_property), f"App.{name}"
        app.__dict__[name] = part
    return app


def city_app_over(runtime: CityService) -> App:
    """An App whose city runtime is ``runtime``, on the runtime's catalog when it has one
    (as ``entrepot city`` runs: the App and its city share one database)."""
    try:
        engine = runtime.engine
    except (ConfigError, NotMigrated):  # no catalog (generating needs none), or a blank one
        engine = None
    app = app_with(runtime.store, engine=engine)
    app.city = runtime  # the city service, over the runtime's parts
    return app


def flat_routes(routes: list[Any]) -> Iterator[Any]:
    """Every route the app tries, in order, through the routers it includes (each with its
    full path: a router included in an included router keeps both prefixes)."""
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        if candidates is None:
            yield route
            continue
        for candidate in candidates():
            original = getattr(candidate, "original_route", candidate)
            if getattr(original, "effective_candidates", None) is not None:
                yield from flat_routes([original])
            else:
                yield candidate  # the route as served: its prefixed path, methods, endpoint


def migrated_app(folder: Path) -> App:
    """An App over a local store and a migrated SQLite catalog in ``folder``: an instance,
    whose key ring signs the model and library folders its commands write (and checks
    those they read)."""
    app = bootstrap(
        Settings(
            store_url=str(folder / "store"),
            database_url=f"sqlite:///{folder / 'catalog.db'}",
            cache_dir=folder / "cache",
            var_dir=folder / "var",
            secret_key="instance-secret-of-a-test-" + "s" * 32,
        )
    )
    app.catalog.migrate()
    return app
