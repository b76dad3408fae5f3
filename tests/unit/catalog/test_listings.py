"""The command line's listings (Core, no ORM: ADR 0030) answer what the repositories answer."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from entrepot.bootstrap import App, bootstrap
from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.city.records import Watermark
from entrepot.catalog.models.records import ModelSummary
from entrepot.config import Settings
from entrepot.storage.memory import MemoryStore
from tests.support.parts import parts


@pytest.fixture
def app(tmp_path: Path) -> App:
    app = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'catalog.db'}", var_dir=tmp_path / "var"),
        store=MemoryStore(),
    )
    app.catalog.migrate()
    return app


def _listed_users(app: App, query: str = "") -> list[UserRecord]:
    with parts(app).reads() as catalog:
        return list(catalog.users.matching(query))


def _listed_models(app: App, namespace: str) -> tuple[ModelSummary, ...]:
    with parts(app).reads() as catalog:
        return catalog.models.summaries(namespace)


def _listed_watermarks(app: App, **given: object) -> list[Watermark]:
    with parts(app).reads() as catalog:
        return list(catalog.watermarks.find(**given))  # type: ignore[arg-type]


def _users(app: App, query: str) -> list[object]:
    with parts(app).uow() as uow:
        return list(uow.users.search(query=query, page=1, per_page=200).items)


def test_users_are_those_the_repository_finds(app: App) -> None:
    for email, name in [
        ("ada@example.com", "Ada"),
        ("zoe_b@example.com", "Zoé Brun"),
        ("max@example.org", "Max 100%"),
    ]:
        app.accounts.register(email, "a long enough password", name=name)
    for query in ("", "example.com", "ZOÉ", "_", "100%", "nobody"):
        assert _listed_users(app, query) == _users(app, query), query
    assert [u.email for u in _listed_users(app, "_")] == ["zoe_b@example.com"]


def test_a_bearer_tokens_account_is_the_one_the_repository_finds(app: App) -> None:
    """The token check reads its account by position (``user_of_values``): the same
    record as the repository's, every field."""
    ada = app.accounts.register("ada@example.com", "a long enough password", name="Ada")
    _, token = app.accounts.create_token(ada.id, "cli")
    holder = app.accounts.bearer(token)
    assert holder is not None and holder.user == app.accounts.find("ada@example.com")


def test_a_versions_documents_are_its_own_copies_each_read() -> None:
    """Decoded documents are kept by their text; every read gets a copy of its own."""
    from entrepot.catalog.models.rows import _document, _schema

    text = '{"auprc": 0.5, "rows": 12, "kind": "lightgbm", "ok": true, "none": null}'
    first = _document(text)
    first["auprc"] = 9.0
    again = _document(text)
    assert again == {"auprc": 0.5, "rows": 12, "kind": "lightgbm", "ok": True, "none": None}
    assert again is not _document(text)
    nested = '{"a": {"b": [1, 2]}}'
    _document(nested)["a"]["b"].append(3)
    assert _document(nested) == {"a": {"b": [1, 2]}}
    assert _document({"decoded": "by psycopg"}) == {"decoded": "by psycopg"}
    assert _schema('[["amount", "float64"], ["is_fraud", "int64"]]') == (
        ("amount", "float64"),
        ("is_fraud", "int64"),
    )


def test_model_summaries_are_those_the_registry_lists(app: App, tmp_path: Path) -> None:
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    for name, version in [("b-model", "1"), ("a-model", "1"), ("b-model", "2")]:
        app.registry.push([model], name, version=version)
    found = _listed_models(app, "")
    assert found == app.registry.list()
    assert [(s.name, s.versions, s.latest) for s in found] == [
        ("a-model", 1, "1"),
        ("b-model", 2, "2"),
    ]
    assert _listed_models(app, "42") == ()


def test_watermarks_are_those_the_repository_finds(app: App) -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with parts(app).uow() as uow:
        for source, day, state in [
            ("traffic", date(2026, 2, 2), "ok"),
            ("bikes", date(2026, 2, 1), "failed"),
            ("traffic", date(2026, 2, 1), "ok"),
        ]:
            uow.watermarks.put(
                {
                    "source": source,
                    "day": day,
                    "inputs": [{"key": f"raw/{source}/{day}", "sha256": "0" * 64}],
                    "inputs_digest": "1" * 64,
                    "state": state,
                    "error": "boom" if state == "failed" else None,
                    "output_sha256": None,
                    "run_id": "run-1",
                    "updated_at": now,
                }
            )
        uow.commit()
    filters: list[dict[str, object]] = [
        {},
        {"source": "traffic"},
        {"start": date(2026, 2, 2)},
        {"end": date(2026, 2, 1), "state": "failed"},
    ]
    for given in filters:
        with parts(app).uow() as uow:
            expected = uow.watermarks.find(**given)  # type: ignore[arg-type]
        assert _listed_watermarks(app, **given) == expected, given
    assert [(m.day.day, m.source) for m in _listed_watermarks(app)] == [
        (1, "bikes"),
        (1, "traffic"),
        (2, "traffic"),
    ]


def test_listings_load_no_orm() -> None:
    probe = "import sys, entrepot.catalog.listings; print('sqlalchemy.orm' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
