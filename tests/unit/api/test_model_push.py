"""``POST /api/models/push`` (ADR 0057): a version pushed from a client's files into the
caller's own models, each file checked against the size and sha256 the client declared,
signed only when it holds no pickle, within the plan's quota and the upload limit; a
refused push leaves no version and no object."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.accounts.errors import QuotaExceeded
from entrepot.accounts.scopes import Scope
from entrepot.bootstrap.app import App
from entrepot.catalog.models.records import ModelState
from tests.support.parts import parts
from tests.support.web import PASSWORD, Api, make_web_app, user_api

#: The service's upload limit in these tests (small, to try a push over it).
LIMIT = 256 * 1024
FILES = {"weights.bin": b"\x00\x01weights" * 3000, "sub/notes.txt": "café\n".encode()}


@dataclass
class World:
    client: TestClient
    services: App


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app, services = make_web_app(tmp_path_factory.mktemp("push"), upload_limit=LIMIT)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(client, services)


def _declared(files: dict[str, bytes]) -> list[dict[str, Any]]:
    """Each file's path, size and sha256, computed here with hashlib."""
    return [
        {"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
        for p, b in sorted(files.items())
    ]


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path, body in files.items():
            zipped.writestr(path, body)
    return buffer.getvalue()


def _push(
    api: Api,
    name: str,
    files: dict[str, bytes] = FILES,
    *,
    declared: list[dict[str, Any]] | None = None,
    **options: Any,
) -> Any:
    described = {"name": name, "files": _declared(files) if declared is None else declared}
    return api.post(
        "/api/models/push",
        files={"file": ("model.zip", _zip(files), "application/zip")},
        data={"push": json.dumps({**described, **options})},
    )


def _stored(world: World, api: Api) -> list[str]:
    """Every object key under the account's folder."""
    return sorted(o.key for o in parts(world.services).raw_store.list(f"users/{api.user_id}/"))


def _nothing_left(world: World, api: Api, name: str) -> None:
    """No version of ``name`` in any state but failed, no object of the account, and no
    unpacked folder left in the service's temporary folder."""
    registry = world.services.registry.for_owner(str(api.user_id))
    states = {v.state for v in registry.versions(name, all_states=True)}
    assert states <= {ModelState.FAILED}
    assert name not in {m["name"] for m in api.get("/api/models").json()}
    assert _stored(world, api) == []
    assert list(world.services.fraud().options.temp_dir.glob("push-*")) == []


def test_a_push_stores_the_declared_files_signed_in_the_callers_models(world: World) -> None:
    api = user_api(world.client, world.services, "pusher@example.org")
    answer = _push(api, "mine", version="v1", metrics={"auc": 0.75}, tags={"team": "risk"})
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert (found["name"], found["version"], found["signed"]) == ("mine", "v1", True)
    assert found["manifest"]["files"] == _declared(FILES)
    assert found["manifest"]["metrics"] == {"auc": 0.75}
    body = json.dumps(found["manifest"], sort_keys=True, indent=2).encode() + b"\n"
    assert hashlib.sha256(body).hexdigest() == found["manifest_sha256"]
    # the files, read back through the API, are the bytes sent
    for path, content in FILES.items():
        assert api.get(f"/api/models/{found['id']}/files/{path}").content == content
    # in the caller's namespace, under the caller's folder, and nobody else's
    assert all(key.startswith(f"users/{api.user_id}/") for key in _stored(world, api))
    other = user_api(world.client, world.services, "bystander@example.org")
    assert other.get("/api/models").json() == []
    assert other.get(f"/api/models/{found['id']}/manifest").status_code == 404


def test_a_version_holding_a_pickle_is_kept_unsigned(world: World) -> None:
    api = user_api(world.client, world.services, "pickler@example.org")
    files = {"model.joblib": b"not a pickle this service would ever run"}
    answer = _push(api, "pickled", files)
    assert answer.status_code == 201, answer.text
    assert answer.json()["signed"] is False
    asked_unsigned = _push(api, "plain", sign=False)
    assert asked_unsigned.status_code == 201 and asked_unsigned.json()["signed"] is False


def test_a_pickle_under_another_name_is_kept_unsigned(world: World) -> None:
    """The content decides, not the name: a pickle sent as ``model.bin`` (flavor sklearn)
    is not signed, so it never loads (ADR 0062)."""
    api = user_api(world.client, world.services, "renamer@example.org")
    files = {"model.bin": pickle.dumps({"weights": [1, 2]}), "README.md": b"# model\n"}
    answer = _push(api, "renamed", files, flavor="sklearn", model_file="model.bin")
    assert answer.status_code == 201, answer.text
    assert answer.json()["signed"] is False


def test_a_web_user_can_never_vouch_for_a_pickle(world: World) -> None:
    """The operator's vouching (``models import-tree --trust``, ``models resign``, ADR 0091)
    has no route and no field: a push that asks for it stays unsigned, and the API's
    document offers no operation that vouches or resigns."""
    api = user_api(world.client, world.services, "voucher@example.org")
    files = {"model.joblib": pickle.dumps({"weights": [1, 2]})}
    answer = _push(
        api, "vouched", files, trust=True, vouched=True, yes=True, sign=True, resign=True
    )
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert found["signed"] is False
    assert "vouched" not in found["manifest"]["metadata"]
    assert "trust" not in found["manifest"]["tags"]
    document = world.client.get("/openapi.json").json()
    words = ("vouch", "resign", "trust", "import-tree", "import_tree")
    paths = [p for p in document["paths"] if any(w in p.lower() for w in words)]
    assert paths == []
    fields = {
        name
        for schema in document["components"]["schemas"].values()
        for name in schema.get("properties", {})
    }
    assert not {f for f in fields if any(w in f.lower() for w in ("vouch", "resign"))}


@pytest.mark.parametrize(
    "declared",
    [
        [{**_declared(FILES)[0], "sha256": "0" * 64}, _declared(FILES)[1]],
        [{**_declared(FILES)[0], "size": 1}, _declared(FILES)[1]],
        _declared(FILES)[:1],  # a file in the archive that is not declared
        [*_declared(FILES), {"path": "absent.bin", "size": 1, "sha256": "0" * 64}],
        [{"path": "../escape.bin", "size": 1, "sha256": "0" * 64}],
    ],
    ids=["sha256", "size", "undeclared", "missing", "unsafe-path"],
)
def test_files_that_are_not_the_declared_ones_store_nothing(
    world: World, declared: list[dict[str, Any]], request: pytest.FixtureRequest
) -> None:
    api = user_api(world.client, world.services, f"{request.node.callspec.id}@example.org")
    answer = _push(api, "bent", declared=declared)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] in {"push_mismatch", "invalid_model_files"}
    _nothing_left(world, api, "bent")


@pytest.mark.parametrize(
    "content",
    [
        random.Random(7).randbytes(2 * LIMIT),
        random.Random(7).randbytes(LIMIT + 1),
        b"\0" * (LIMIT + 1),
    ],
    ids=["a-body-past-the-limit", "files-past-the-limit", "a-small-archive-of-large-files"],
)
def test_a_push_over_the_upload_limit_is_refused(
    world: World, content: bytes, request: pytest.FixtureRequest
) -> None:
    api = user_api(world.client, world.services, f"{request.node.callspec.id}@example.org")
    answer = _push(api, "heavy", {"big.bin": content})
    assert answer.status_code == 413, answer.text
    assert "push" in answer.json()["message"] and "256 KiB" in answer.json()["message"]
    _nothing_left(world, api, "heavy")


def test_a_read_token_may_not_push_and_no_token_is_not_signed_in(world: World) -> None:
    user = world.services.accounts.register("reader@example.org", PASSWORD)
    _, token = world.services.accounts.create_token(user.id, scope=Scope.READ)
    reader = Api(world.client, token, user.id)
    assert _push(reader, "nope").status_code == 403
    anonymous = Api(world.client, "", user.id)
    anonymous.headers = {}
    assert _push(anonymous, "nope").status_code == 401
    _nothing_left(world, reader, "nope")


def test_a_taken_version_is_a_conflict(world: World) -> None:
    api = user_api(world.client, world.services, "twice@example.org")
    assert _push(api, "same", version="v1").status_code == 201
    again = _push(api, "same", {"other.bin": b"other"}, version="v1")
    assert again.status_code == 409, again.text
    assert [
        v.version for v in world.services.registry.for_owner(str(api.user_id)).versions("same")
    ] == ["v1"]


def test_the_plans_quota_counts_pushed_versions(world: World) -> None:
    api = user_api(world.client, world.services, "quota@example.org")  # trial: 3 models
    for n in range(3):
        assert _push(api, f"m{n}").status_code == 201
    before = _stored(world, api)
    refused = _push(api, "m3")
    assert refused.status_code == 403 and refused.json()["code"] == "quota_exceeded"
    assert _stored(world, api) == before
    assert "m3" not in {m["name"] for m in api.get("/api/models").json()}


def test_a_new_version_of_a_held_model_is_pushed_at_a_full_quota(world: World) -> None:
    """Versions of one model count once against the plan: at the trial's 3 models, a new
    version of one of them is stored, and the count stays at 3."""
    api = user_api(world.client, world.services, "versions@example.org")  # trial: 3 models
    for n in range(3):
        assert _push(api, f"m{n}", version="v1").status_code == 201
    again = _push(api, "m1", version="v2")
    assert again.status_code == 201, again.text
    versions = world.services.registry.for_owner(str(api.user_id)).versions("m1")
    assert sorted(v.version for v in versions) == ["v1", "v2"]
    licence = world.services.accounts.licences.status(api.user_id)
    assert licence.models_used == 3 and licence.models_left == 0


def test_a_version_refused_when_it_would_become_ready_leaves_nothing(
    world: World, tmp_path: Any
) -> None:
    """The registry's last check (the quota under the row lock, when two pushes race):
    refused in the transaction that makes the version ready, its objects are removed."""
    api = user_api(world.client, world.services, "racer@example.org")
    registry = world.services.registry.for_owner(str(api.user_id))
    (tmp_path / "w.bin").write_bytes(b"weights")

    def refuse(uow: object, claimed: object) -> None:
        raise QuotaExceeded("the trial plan allows 3 models and you have 3")

    with pytest.raises(QuotaExceeded):
        registry.push([tmp_path / "w.bin"], "raced", version="v1", admit=refuse)
    assert [v.state for v in registry.versions("raced", all_states=True)] == [ModelState.FAILED]
    assert _stored(world, api) == []
