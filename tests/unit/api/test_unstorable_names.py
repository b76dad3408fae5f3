"""Every text a user names that the catalog keeps (a version's note, tags and params, file
paths, aliases, an account's name), with a NUL or a lone surrogate, is refused at the API's
door with its message key, on SQLite as on PostgreSQL (issue 42 item 2, ADR 0074); an
alias with a CR/LF is refused, never taken for the alias without it (item 4)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.errors import UnstorableText
from tests.support.databases import temporary_database
from tests.support.web import Api, make_web_app, user_api

FILES = {"weights.bin": b"\x01weights" * 100}


@dataclass
class World:
    api: Api
    services: App
    #: A pushed version of model ``m`` with the alias ``prod``.
    model_id: int


def _push(api: Api, name: str, files: dict[str, bytes] = FILES, **options: Any) -> Any:
    declared = [
        {"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
        for p, b in sorted(files.items())
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for path, body in files.items():
            zipped.writestr(path, body)
    return api.post(
        "/api/models/push",
        files={"file": ("model.zip", buffer.getvalue(), "application/zip")},
        data={"push": json.dumps({"name": name, "files": declared, **options})},
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("unstorable")
    database = temporary_database() if request.param == "postgresql" else nullcontext(None)
    with database as url:
        settings = {"database_url": url} if url else None
        app, services = make_web_app(folder, settings=settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            api = user_api(client, services, "names@example.com")
            pushed = _push(api, "m", version="v1")
            assert pushed.status_code == 201, pushed.text
            model_id = pushed.json()["id"]
            assert api.put(f"/api/models/{model_id}/aliases/prod").status_code == 200
            yield World(api, services, model_id)


def _refused_as_unstorable(answer: Any, named: str) -> None:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "unstorable_text", body
    assert named in body["message"], body


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"])
def test_a_note_with_a_nul_or_a_lone_surrogate_is_refused(world: World, bad: str) -> None:
    # sent as JSON escapes, as any client may
    answer = world.api.client.put(
        f"/api/models/{world.model_id}/note",
        content=json.dumps({"note": bad}),
        headers={**world.api.headers, "Content-Type": "application/json"},
    )
    _refused_as_unstorable(answer, "the note")
    assert world.api.get(f"/api/models/{world.model_id}").json()["note"] is None


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("tags", {"team": "ri\x00sk"}, "tag 'team'"),
        ("params", {"depth": "\udc80"}, "param 'depth'"),
        ("metadata", {"about": ["x", {"y": "z\x00"}]}, "the metadata"),
    ],
)
def test_a_push_with_unstorable_text_is_refused_and_stores_nothing(
    world: World, field: str, value: Any, named: str
) -> None:
    before = world.api.get("/api/models").json()
    answer = _push(world.api, "m", version="v2", **{field: value})
    _refused_as_unstorable(answer, named)
    assert world.api.get("/api/models").json() == before


@pytest.mark.parametrize("key", ["a\x00uc", "\ud800"])
def test_a_metric_named_with_unstorable_text_is_refused(world: World, key: str) -> None:
    answer = _push(world.api, "m", version="v3", metrics={key: 0.5})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_model_files"


@pytest.mark.parametrize("alias", ["prod%0d%0a", "prod%00", "prod%0a"])
def test_an_alias_with_a_control_character_is_refused_and_prod_stays(
    world: World, alias: str
) -> None:
    url = f"/api/models/{world.model_id}/aliases/{alias}"
    removed = world.api.delete(url)
    assert removed.status_code == 422 and removed.json()["code"] == "invalid_name", removed.text
    assert world.api.put(url).status_code == 422
    assert world.api.get(f"/api/models/{world.model_id}").json()["aliases"] == ["prod"]


def test_an_account_named_with_a_lone_surrogate_is_refused(world: World) -> None:
    with pytest.raises(UnstorableText, match="the name"):
        world.services.accounts.register("sur@example.com", "a-long-password-1", name="Zo\udce9")


def test_the_catalog_itself_refuses_what_a_door_missed(world: World) -> None:
    """The last check, under every door: a statement's text and JSON parameters."""
    from sqlalchemy import bindparam, text

    from entrepot.catalog.columns import JsonType
    from tests.support.parts import parts

    engine = parts(world.services).engine
    with engine.connect() as db, pytest.raises(UnstorableText, match="model_notes"):
        db.execute(text("UPDATE model_notes SET note = :n WHERE version_id = -1"), {"n": "x\x00"})
    with engine.connect() as db, pytest.raises(UnstorableText, match="JSON document"):
        db.execute(
            text("UPDATE jobs SET result = :r WHERE id = ''").bindparams(
                bindparam("r", type_=JsonType)
            ),
            {"r": {"k": "\ud800"}},
        )


@pytest.mark.parametrize("path", ["MANIFEST.json", "Manifest.JSON", "C:/x.txt", "x.bin:stream"])
def test_a_member_that_a_pull_would_write_over_the_manifest_or_a_drive_is_refused(
    world: World, path: str
) -> None:
    before = world.api.get("/api/models").json()
    answer = _push(world.api, "m", {path: b"x", **FILES}, version="v4")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_model_files"
    assert path in answer.json()["message"]
    assert world.api.get("/api/models").json() == before


def test_every_shape_of_parameters_is_checked() -> None:
    from entrepot.catalog.text import refuse_bad_parameters

    shape: Any
    for shape in (
        {"a": 1, "b": "x\x00"},
        (1, None, "\ud800"),
        [(1, "ok"), (2, "\x00")],
        [1, "\x00"],
    ):
        with pytest.raises(UnstorableText):
            refuse_bad_parameters("INSERT INTO t VALUES (?)", shape)
    for shape in ({"a": 1}, (1, None, "é😀"), [(1, "ok")], [1, "ok"], None):
        refuse_bad_parameters("SELECT 1", shape)
