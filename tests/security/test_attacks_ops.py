"""Attacks on the operator's side: the object commands writing or deleting in the web
service's user folders, well-known or guessed secrets signing sessions, the instance
secret read back over HTTP or printed, gc taken outside its own temporaries, a deleted
account's credentials and jobs. Each case names the attack; each asserts what must hold."""

from __future__ import annotations

import base64
import json
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner

from entrepot.bootstrap import bootstrap
from entrepot.config import Settings, load_settings
from entrepot.errors import ConfigError
from entrepot.http.sessions import SESSION_COOKIE
from tests.support.cli import Run, in_process_cli
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.web import make_web_app, run_jobs, user_api

# -- the operator CLI and user folders ---------------------------------------------------


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ops")
    bootstrap(_settings(folder)).catalog.migrate()
    (folder / "evil.csv").write_bytes(b"a,b\n1,2\n")
    return folder


def _settings(folder: Path) -> Settings:
    return Settings(
        store_url=str(folder / "store"),
        database_url=f"sqlite:///{folder / 'catalog.db'}",
        var_dir=folder / "var",
        cache_dir=folder / "cache",
        secret_key="ops-attack-secret-0123456789-abcdefghijkl",
    )


@pytest.fixture
def cli(instance: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    settings = _settings(instance)
    env = {
        "ENTREPOT_STORE_URL": settings.store.url,
        "ENTREPOT_DATABASE_URL": settings.catalog.url,
        "ENTREPOT_VAR_DIR": str(settings.var_dir),
        "ENTREPOT_CACHE_DIR": str(settings.cache.dir),
        "ENTREPOT_SECRET_KEY": str(settings.secret_key),
    }
    monkeypatch.chdir(instance)
    (instance / "tmp").mkdir(exist_ok=True)
    monkeypatch.setattr(tempfile, "tempdir", str(instance / "tmp"))  # what its gc may empty
    return in_process_cli(monkeypatch, capsys, env)


def _user_files(instance: Path) -> list[str]:
    users = instance / "store" / "users"
    return sorted(str(p) for p in users.rglob("*") if p.is_file()) if users.exists() else []


def _rows_under_users(instance: Path) -> int:
    app = bootstrap(_settings(instance))
    with parts(app).uow() as uow:
        return len(uow.objects.list(prefix="users/", limit=1000))


REFUSED_PUT_KEYS = {
    "a dataset into user 1": "users/1/datasets/evil.csv",
    "a model file into user 1": "users/1/models/m/v1/model.joblib",
    "a manifest into user 1": "users/1/models/m/v1/manifest.json",
    "a prediction into user 1": "users/1/predictions/p.csv",
    "a file into a user not yet created": "users/999999/datasets/x.csv",
    "a file into a non-numeric user folder": "users/admin/x.csv",
    "an object named like the users folder": "users",
    "a deep key under users": "users/1/a/b/c/d/e.csv",
    "a percent-encoded slash after users": "users%2F1/datasets/evil.csv",
    "a unicode file name in a user folder": "users/1/datasets/évil.csv",
    "a user folder of another user id": "users/2/datasets/evil.csv",
    "a leading-zero user id": "users/01/datasets/evil.csv",
}
INVALID_PUT_KEYS = {
    "an absolute key to users": "/users/1/x.csv",
    "a dot-dot escape into users": "files/../users/1/x.csv",
    "a backslash path into users": "users\\1\\x.csv",
    "a NUL byte in a users key": "users/1/x\x00.csv",
    "a reserved bookkeeping segment": "users/1/.entrepot/meta/x.json",
    "an empty segment in a users key": "users//1/x.csv",
}


@pytest.mark.parametrize("key", REFUSED_PUT_KEYS.values(), ids=REFUSED_PUT_KEYS.keys())
def test_put_into_a_user_folder_is_refused_without_force(
    cli: Run, instance: Path, key: str
) -> None:
    code, _, err = cli("put", str(instance / "evil.csv"), key)
    assert code == 77, err
    assert "--force" in err and "users/" in err and "Traceback" not in err
    assert _user_files(instance) == [] and _rows_under_users(instance) == 0


@pytest.mark.parametrize("key", INVALID_PUT_KEYS.values(), ids=INVALID_PUT_KEYS.keys())
def test_put_of_an_invalid_key_toward_users_is_refused(cli: Run, instance: Path, key: str) -> None:
    code, _, err = cli("put", str(instance / "evil.csv"), key)
    assert code in (65, 77), err
    assert "Traceback" not in err
    assert _user_files(instance) == [] and _rows_under_users(instance) == 0


ALLOWED_KEYS = {
    "a users folder inside files": "files/users/1/x.csv",
    "a folder merely starting with users": "usersx/1/x.csv",
    "an archive of users": "users-archive/1/x.csv",
    "a datasets key": "datasets/ops/x.csv",
}


@pytest.mark.parametrize("key", ALLOWED_KEYS.values(), ids=ALLOWED_KEYS.keys())
def test_other_folders_are_not_mistaken_for_user_folders(
    cli: Run, instance: Path, key: str
) -> None:
    code, _, err = cli("put", str(instance / "evil.csv"), key)
    assert code == 0, err
    assert cli("rm", key)[0] == 0


@pytest.fixture
def placed(cli: Run, instance: Path) -> Iterator[str]:
    key = f"users/7/files/placed-{time.monotonic_ns()}.csv"
    assert cli("put", "--force", str(instance / "evil.csv"), key)[0] == 0
    yield key
    cli("rm", "--force", key)


RM_ATTACKS = {
    "rm one user object": ("rm", "{key}"),
    "rm a user folder recursively": ("rm", "-r", "users/7"),
    "rm every user recursively": ("rm", "-r", "users"),
    "rm the whole store recursively": ("rm", "-r", ""),
    "rm the users folder with a trailing slash": ("rm", "-r", "users/"),
    "rm a user object among allowed keys": ("rm", "files/none.csv", "{key}"),
}


@pytest.mark.parametrize("args", RM_ATTACKS.values(), ids=RM_ATTACKS.keys())
def test_rm_in_a_user_folder_is_refused_without_force(
    cli: Run, instance: Path, placed: str, args: tuple[str, ...]
) -> None:
    code, _, err = cli(*(a.format(key=placed) for a in args))
    assert code == 77, err
    assert "--force" in err and "Traceback" not in err
    assert (instance / "store" / placed).is_file()
    assert _rows_under_users(instance) == 1


def test_rm_with_force_removes_row_and_object(cli: Run, instance: Path, placed: str) -> None:
    assert cli("rm", "--force", placed)[0] == 0
    assert not (instance / "store" / placed).exists() and _rows_under_users(instance) == 0


@pytest.mark.parametrize(
    "key", ["users/1/datasets/evil.csv", "users/2/models/m/v1/model.joblib"], ids=["data", "model"]
)
def test_presign_put_into_a_user_folder_is_refused(cli: Run, key: str) -> None:
    code, out, err = cli("presign", "--method", "PUT", key)
    assert code == 77 and "http" not in out, err


# -- secrets ----------------------------------------------------------------------------

PUBLISHED = ["change-me", "CHANGE-ME", " change-me ", "changeme", "secret",
             "dev-insecure-secret-change-me"]  # fmt: skip
SHORT = ["", "x", "0123456789abcdef", "a" * 31]


@pytest.mark.parametrize("env", ["development", "production"])
@pytest.mark.parametrize(
    "value", PUBLISHED + SHORT, ids=[f"secret={v!r}" for v in PUBLISHED + SHORT]
)
def test_a_published_or_short_secret_is_refused(env: str, value: str) -> None:
    with pytest.raises(ConfigError, match="ENTREPOT_SECRET_KEY"):
        load_settings(env=env, secret_key=value)


def test_production_without_a_secret_refuses_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENTREPOT_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="required in production"):
        load_settings(env="production", var_dir=tmp_path / "var")
    assert not (tmp_path / "var").exists()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The web service on a development instance without ENTREPOT_SECRET_KEY."""
    from entrepot.asgi import create_app
    from entrepot.http.options import web_options

    folder = tmp_path_factory.mktemp("generated")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("ENTREPOT_SECRET_KEY", raising=False)
        mp.chdir(folder)
        settings = Settings(
            store_url=str(folder / "store"),
            database_url=f"sqlite:///{folder / 'catalog.db'}",
            cache_dir=folder / "cache",
            var_dir=folder / "var",
        )
        core = bootstrap(settings)
        core.catalog.migrate()
        options = web_options(settings, jobs_url="memory://", reference_count=0)
        app = create_app(core, options=options)
    services = app.state.entrepot
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = services.accounts.register("root@example.com", "correct horse battery staple",
                                           admin=True)  # fmt: skip
        # A live session of the admin's, as if its id had leaked: only the signature then
        # stands between a forger and the admin API.
        live = services.accounts.open_session(admin.id, timedelta(days=1))
        session = {"uid": admin.id, "epoch": admin.session_epoch, "sid": live}
        yield {
            "client": client,
            "folder": folder,
            "admin": admin,
            "services": services,
            "session": session,
        }


def _forged(secret: str, session: dict[str, Any]) -> str:
    data = base64.b64encode(json.dumps(session).encode("utf-8"))
    return TimestampSigner(secret).sign(data).decode("utf-8")


GUESSED_SECRETS = {
    "the former source constant": "dev-insecure-secret-change-me",
    "the example file's value": "change-me",
    "the test suite's secret": "test-secret-key-of-some-length-0123456789",
    "an empty secret": "",
    "the word secret": "secret",
    "the product name": "entrepot",
}


@pytest.mark.parametrize("secret", GUESSED_SECRETS.values(), ids=GUESSED_SECRETS.keys())
def test_an_admin_cookie_signed_with_a_guessed_secret_is_refused(
    generated: dict[str, Any], secret: str
) -> None:
    client: TestClient = generated["client"]
    client.cookies.set(SESSION_COOKIE, _forged(secret, generated["session"]))
    try:
        answer = client.get("/api/admin/users")
    finally:
        client.cookies.clear()
    assert answer.status_code == 401, answer.text


def test_the_forgery_would_work_with_the_instance_secret(generated: dict[str, Any]) -> None:
    """The control: the same cookie signed with the instance's own secret opens the admin
    API, so the refusals above are the secret's doing."""
    client: TestClient = generated["client"]
    secret = (generated["folder"] / "var" / "secret_key").read_text().strip()
    client.cookies.set(SESSION_COOKIE, _forged(secret, generated["session"]))
    try:
        answer = client.get("/api/admin/users")
    finally:
        client.cookies.clear()
    assert answer.status_code == 200, answer.text


def test_the_generated_secret_is_private_and_unique(generated: dict[str, Any]) -> None:
    path = generated["folder"] / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() not in GUESSED_SECRETS.values()
    assert len(path.read_text().strip()) >= 32


SECRET_PATHS = [
    "/var/secret_key",
    "/secret_key",
    "/static/../var/secret_key",
    "/static/%2e%2e/var/secret_key",
    "/api/datasets/..%2f..%2fvar%2fsecret_key",
    "/.env",
]


@pytest.mark.parametrize("path", SECRET_PATHS)
def test_the_instance_secret_is_never_served(generated: dict[str, Any], path: str) -> None:
    client: TestClient = generated["client"]
    secret = (generated["folder"] / "var" / "secret_key").read_text().strip()
    answer = client.get(path)
    assert answer.status_code in (401, 404), (path, answer.status_code)
    assert secret not in answer.text


def test_config_show_never_prints_the_secret(cli: Run, instance: Path) -> None:
    code, out, err = cli("config", "show")
    assert code == 0, err
    assert str(_settings(instance).secret_key) not in out + err
    assert "secret_key" in out and "****" in out


# -- gc takes only its own temporaries --------------------------------------------------

NOT_OURS = {
    "a hand-placed file named like a spool": "store/raw/upload-1.part",
    "a file in var but not in var/tmp": "var/upload-2.part",
    "an unknown name in var/tmp": "var/tmp/notes.txt",
    "a hidden file outside the managed folders": "store/raw/.hidden",
    "a lookalike temporary prefix": "store/raw/.entrepotx-tmp-1",
    "a work folder lookalike in the store": "store/raw/dataset-1/x.csv",
}


@pytest.mark.parametrize("relative", NOT_OURS.values(), ids=NOT_OURS.keys())
def test_gc_never_takes_files_that_are_not_its_temporaries(
    cli: Run, instance: Path, relative: str
) -> None:
    path = instance / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"keep me")
    old = time.time() - 7200
    os.utime(path, (old, old))
    try:
        code, _, err = cli("gc", "--grace", "0s")
        assert code == 0, err
        assert path.read_bytes() == b"keep me"
    finally:
        path.unlink(missing_ok=True)


def test_gc_does_not_follow_a_symlinked_temporary(cli: Run, instance: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.csv").write_bytes(b"precious")
    link = instance / "var" / "tmp" / "dataset-evil"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    try:
        assert cli("gc", "--grace", "0s")[0] == 0
        assert (outside / "precious.csv").read_bytes() == b"precious"
    finally:
        link.unlink()


# -- a deleted account ------------------------------------------------------------------


@pytest.fixture(scope="module")
def deleted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    app, services = make_web_app(tmp_path_factory.mktemp("deleted"))
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = user_api(client, services, "admin@example.com", admin=True)
        alice = user_api(client, services, "alice@example.com")
        dataset = alice.upload(labelled_csv(800), "alice.csv").json()["dataset_id"]
        train = alice.post("/api/train", json={"dataset_id": dataset, "model_name": "m"}).json()
        run_jobs(services)
        model = alice.get(f"/api/jobs/{train['job_id']}").json()["result"]["model_id"]
        queued = alice.post("/api/train", json={"dataset_id": dataset, "model_name": "n"}).json()
        answer = admin.delete(f"/api/admin/users/{alice.user_id}")
        assert answer.status_code == 200, answer.text
        run_jobs(services)
        yield {
            "services": services,
            "admin": admin,
            "alice": alice,
            "ids": {"dataset": dataset, "model": model, "job": queued["job_id"]},
        }


DELETED_REPLAYS = {
    "list datasets": "/api/datasets",
    "list models": "/api/models",
    "read the dataset": "/api/datasets/{dataset}",
    "download the model": "/api/models/{model}/download",
    "poll the queued job": "/api/jobs/{job}",
}


@pytest.mark.parametrize("url", DELETED_REPLAYS.values(), ids=DELETED_REPLAYS.keys())
def test_a_deleted_accounts_token_opens_nothing(deleted: dict[str, Any], url: str) -> None:
    answer = deleted["alice"].get(url.format(**deleted["ids"]))
    assert answer.status_code == 401, answer.text


ADMIN_VIEWS = {
    "the dataset": "/api/datasets/{dataset}",
    "the model": "/api/models/{model}",
    "the job": "/api/jobs/{job}",
}


@pytest.mark.parametrize("url", ADMIN_VIEWS.values(), ids=ADMIN_VIEWS.keys())
def test_nothing_of_a_deleted_account_remains_to_be_found(
    deleted: dict[str, Any], url: str
) -> None:
    answer = deleted["admin"].get(url.format(**deleted["ids"]))
    assert answer.status_code == 404, answer.text


def test_a_deleted_account_leaves_no_row_or_object(deleted: dict[str, Any]) -> None:
    services = deleted["services"]
    root = f"users/{deleted['alice'].user_id}/"
    with parts(services).uow() as uow:
        assert uow.objects.list(prefix=root, limit=10) == ()
        assert uow.models.names(str(deleted["alice"].user_id)) == ()
    assert list(parts(services).raw_store.list(root)) == []
