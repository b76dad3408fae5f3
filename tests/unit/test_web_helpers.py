"""Helpers shared by the web service's tests (accounts, jobs, API, pages).

Plain functions, not fixtures, so that every test module states its fixtures itself.
The few tests here check the helpers do what the others rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.uow import UnitOfWorkFactory, unit_of_work_factory

#: A strong enough password for the tests.
PASSWORD = "correct horse battery staple"


def migrated_engine(folder: Path) -> Engine:
    """A SQLite catalog in ``folder``, migrated to the newest revision."""
    engine = make_engine(f"sqlite:///{folder / 'catalog.db'}")
    upgrade(engine)
    return engine


def uow_factory(folder: Path) -> tuple[Engine, UnitOfWorkFactory]:
    """A migrated engine and the web service's unit of work over it."""
    engine = migrated_engine(folder)
    return engine, unit_of_work_factory(engine)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_migrated_engine_has_the_web_tables(tmp_path: Path) -> None:
    engine = migrated_engine(tmp_path)
    names = set(inspect(engine).get_table_names())
    assert {"users", "api_tokens", "licences", "jobs", "datasets", "predictions"} <= names


def test_fake_clock_moves_only_when_told() -> None:
    clock: Callable[[], datetime] = FakeClock()
    first = clock()
    assert clock() == first
    assert isinstance(clock, FakeClock)
    clock.advance(days=1)
    assert clock() - first == timedelta(days=1)


def make_web_app(folder: Path, **service_options: object) -> tuple[Any, Any]:
    """The web app over a local store and a SQLite catalog in ``folder``, with an
    in-process queue (jobs run when the test calls ``services.queue.work_one()``), a short
    training budget and no reference library unless asked; returns (app, services)."""
    from entrepot.api.app import create_app
    from entrepot.api.options import web_options
    from entrepot.bootstrap import bootstrap
    from entrepot.config import Settings

    settings = Settings(
        store_url=str(folder / "store"),
        database_url=f"sqlite:///{folder / 'catalog.db'}",
        cache_dir=folder / "cache",
        secret_key="test-secret-key-of-some-length-0123456789",
    )
    core = bootstrap(settings)
    core.migrate()
    defaults: dict[str, object] = {
        "var_dir": folder / "var",
        "jobs_url": "memory://",
        "training_budget": 1.0,
        "reference_count": 0,
    }
    options = web_options(settings, **{**defaults, **service_options})
    app = create_app(core, options=options)
    return app, app.state.services


def labelled_csv(rows: int = 2000, seed: int = 3, domain: str = "card_payments") -> bytes:
    """A generated labelled transactions file (label ``is_fraud``) as CSV bytes."""
    from entrepot.fraud.synth.generator import generate

    data = generate(domain, rows, fraud_rate=0.05, seed=seed, variety=False)
    return data.frame.to_csv(index=False).encode()


def unlabelled_csv(rows: int = 500, seed: int = 4, domain: str = "card_payments") -> bytes:
    """The same kind of file without its label column."""
    from entrepot.fraud.synth.generator import generate

    data = generate(domain, rows, fraud_rate=0.05, seed=seed, variety=False)
    return data.frame.drop(columns=[data.target]).to_csv(index=False).encode()


def test_generated_files_have_and_lack_the_label() -> None:
    assert b"is_fraud" in labelled_csv(200).splitlines()[0]
    assert b"is_fraud" not in unlabelled_csv(200).splitlines()[0]
