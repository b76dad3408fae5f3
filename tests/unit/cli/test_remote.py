"""The command line's remote parts without a server: the kept login, which instance a
command works on, which commands need local access, the HTTP client's answers to each
refusal, a pull that does not match its manifest, and the messages' catalog entries."""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from entrepot.cli.errors import exit_code
from entrepot.cli.push_inputs import PushInputs
from entrepot.cli.remote import errors as remote_errors
from entrepot.cli.remote import model_push as remote_push
from entrepot.cli.remote import models as remote_models
from entrepot.cli.remote.client import Client
from entrepot.cli.remote.errors import NeedsLocalAccess, NotAnEntrepot, Unreachable
from entrepot.cli.remote.guard import local_command
from entrepot.cli.remote.login_file import (
    Login,
    config_folder,
    forget_login,
    read_login,
    save_login,
)
from entrepot.cli.remote.target import Remote, choose, service_url
from entrepot.errors import ConfigError, EntrepotError, IntegrityError, InvalidArgument
from entrepot.i18n.messages import english, speaker
from entrepot.messages import Message
from entrepot.registry.errors import InvalidName

URL = "http://svc.test"
REMOTE = Remote(URL, "tok-123", "test")


def test_a_login_is_kept_0600_in_a_0700_folder_and_read_back(tmp_path: Path) -> None:
    path = config_folder({"XDG_CONFIG_HOME": str(tmp_path)}) / "login.json"
    save_login(path, Login(URL, "secret"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_login(path) == Login(URL, "secret")
    save_login(path, Login(URL, "other"))  # replaced, nothing left beside it
    assert read_login(path) == Login(URL, "other")
    assert [p.name for p in path.parent.iterdir()] == ["login.json"]
    assert forget_login(path) and read_login(path) is None and not forget_login(path)


def test_a_relative_xdg_folder_is_ignored_as_the_specification_says() -> None:
    assert config_folder({"XDG_CONFIG_HOME": "relative"}) == Path.home() / ".config" / "entrepot"


def test_a_login_file_that_is_not_one_is_named(tmp_path: Path) -> None:
    path = tmp_path / "login.json"
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match=r"login\.json"):
        read_login(path)


@pytest.mark.parametrize(
    ("url", "token", "stored", "expected"),
    [
        (None, None, None, None),
        (None, None, Login(URL, "kept"), Remote(URL, "kept", "file")),
        (
            "http://env.test/",
            "t",
            Login(URL, "kept"),
            Remote("http://env.test", "t", "ENTREPOT_URL"),
        ),
        (URL + "/", None, Login(URL, "kept"), Remote(URL, "kept", "ENTREPOT_URL")),
        (None, "t", Login(URL, "kept"), Remote(URL, "t", "file")),
    ],
)
def test_the_variables_win_over_the_kept_login(
    url: str | None, token: str | None, stored: Login | None, expected: Remote | None
) -> None:
    assert choose(url, token, stored, "file") == expected


@pytest.mark.parametrize(
    ("url", "token", "stored"),
    [
        ("http://env.test", None, Login(URL, "kept")),
        ("http://env.test", None, None),
        (None, "t", None),
    ],
)
def test_a_url_without_a_token_or_a_token_without_a_url_is_a_config_error(
    url: str | None, token: str | None, stored: Login | None
) -> None:
    with pytest.raises(ConfigError):
        choose(url, token, stored, "file")


@pytest.mark.parametrize(
    "text",
    [
        "svc.test",
        "ftp://svc.test",
        "http://u:p@svc.test",
        "http://svc.test/?a=1",
        "http://svc.test:x",
    ],
)
def test_what_is_not_a_service_url_is_a_usage_mistake(text: str) -> None:
    with pytest.raises(InvalidArgument):
        service_url(text)


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (["models", "ls"], None),
        (["-q", "models", "show", "m@v1", "--json"], None),
        (["models", "pull", "m", "out"], None),
        (["models", "push", "f", "--name", "m"], None),
        (["models", "rm", "m@v1"], "models rm"),
        (["models", "resign", "m@v1", "--yes"], "models resign"),
        (["models", "import-tree", "tree", "--trust", "--yes"], "models import-tree"),
        (["db", "upgrade"], "db upgrade"),
        (["gc"], "gc"),
        (["users", "list"], "users list"),
        (["city", "run"], "city run"),
        (["fraud", "train", "x.csv", "--name", "m"], None),
        (["fraud", "score", "x.csv", "out.csv", "--model", "m"], None),
        (["fraud", "evaluate", "x.csv", "--model", "m"], None),
        (["fraud", "score", "x.csv", "out.csv", "--ensemble"], None),
        (["fraud", "build-references"], "fraud build-references"),
        (["serve"], "serve"),
        (["db", "upgrade", "--help"], None),
        (["whoami"], None),
        (["datasets", "ls"], None),
        ([], None),
    ],
)
def test_which_commands_need_local_access(args: list[str], refused: str | None) -> None:
    assert local_command(args) == refused


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> Client:
    return Client(REMOTE, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, 77),
        (402, 77),
        (403, 77),
        (404, 66),
        (409, 73),
        (413, 65),
        (422, 65),
        (429, 69),
        (500, 69),
        (503, 69),
    ],
)
def test_each_refusal_has_the_exit_code_readme_lists(status: int, code: int) -> None:
    body = {"code": "some_error", "message": "what the service said", "request_id": "r-1"}
    answer = httpx.Response(status, json=body)
    with _client(lambda request: answer) as client, pytest.raises(EntrepotError) as caught:
        client.get_json("/api/models")
    assert exit_code(caught.value) == code
    assert caught.value.message.startswith("what the service said")
    assert ("r-1" in caught.value.message) == (status >= 500)


@pytest.mark.parametrize(
    ("lang", "hint"),
    [
        ("C.UTF-8", f"log in again: `entrepot login {REMOTE.url}`"),
        ("fr_FR.UTF-8", f"reconnectez-vous\u00a0: `entrepot login {REMOTE.url}`"),
    ],
)
def test_a_refused_token_points_to_the_command_lines_login(
    monkeypatch: pytest.MonkeyPatch, lang: str, hint: str
) -> None:
    """Issue 44 item 3: a bad token's hint pointed to the web sign-in page."""
    monkeypatch.setenv("LANG", lang)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    body = {"code": "authentication_required", "message": "the API token is not valid"}
    with (
        _client(lambda request: httpx.Response(401, json=body)) as client,
        pytest.raises(EntrepotError) as caught,
    ):
        client.get_json("/api/models")
    assert caught.value.hint.startswith(hint)
    other = httpx.Response(404, json={"code": "x", "message": "m"})
    with _client(lambda request: other) as client, pytest.raises(EntrepotError) as caught:
        client.get_json("/api/models")
    assert "login" not in caught.value.hint


def test_the_token_is_sent_as_a_bearer_and_no_redirect_is_followed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"location": "http://elsewhere.test/api/me"})

    with _client(handler) as client, pytest.raises(NotAnEntrepot, match="elsewhere"):
        client.get_json("/api/me")
    assert len(seen) == 1 and seen[0].headers["authorization"] == "Bearer tok-123"


def test_an_answer_that_is_not_json_or_too_large_is_not_an_entrepot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with (
        _client(lambda r: httpx.Response(200, text="<html>")) as client,
        pytest.raises(NotAnEntrepot),
    ):
        client.get_json("/api/me")
    monkeypatch.setattr("entrepot.cli.remote.client.MAX_JSON", 10)
    big = httpx.Response(200, json={"items": list(range(100))})
    with _client(lambda r: big) as client, pytest.raises(NotAnEntrepot, match="larger"):
        client.get_json("/api/me")


def test_no_connection_is_unreachable_naming_the_url() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    with _client(refuse) as client, pytest.raises(Unreachable, match=URL) as caught:
        client.get_json("/api/me")
    assert exit_code(caught.value) == 69


def _service(
    files: dict[str, bytes], zipped: dict[str, bytes]
) -> Callable[[httpx.Request], httpx.Response]:
    """A fake API: one model ``m@v1`` listing ``files``, whose download holds ``zipped``."""
    manifest = {
        "name": "m",
        "version": "v1",
        "files": [
            {"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
            for p, b in files.items()
        ],
    }
    body = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    document = {
        "id": 7,
        "name": "m",
        "version": "v1",
        "created_at": "2026-01-02T03:04:05Z",
        "created_by": "a",
        "signed": True,
        "manifest_sha256": hashlib.sha256(body).hexdigest(),
        "aliases": [],
        "manifest": manifest,
    }
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        for path, data in zipped.items():
            out.writestr(f"m-v1/{path}", data)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/models":
            return httpx.Response(
                200,
                json=[
                    {"id": 7, "name": "m", "version": "v1", "created_at": "2026-01-02T03:04:05Z"}
                ],
            )
        if request.url.path == "/api/models/7/manifest":
            return httpx.Response(200, json=document)
        return httpx.Response(
            200, content=archive.getvalue(), headers={"content-type": "application/zip"}
        )

    return handler


def _pull(
    monkeypatch: pytest.MonkeyPatch, handler: Callable[[httpx.Request], httpx.Response], dest: Path
) -> None:
    monkeypatch.setattr(
        remote_models,
        "Client",
        lambda remote: Client(remote, transport=httpx.MockTransport(handler)),
    )
    remote_models.pull(REMOTE, "m@v1", dest)


def test_a_pull_places_the_files_that_match_their_manifest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = {"a.bin": b"alpha" * 100, "sub/b.txt": b"beta"}
    _pull(monkeypatch, _service(files, files), tmp_path / "out")
    assert {p: (tmp_path / "out" / p).read_bytes() for p in files} == files
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["name"] == "m"


def test_a_pulled_file_that_does_not_match_is_refused_and_nothing_is_placed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = {"a.bin": b"alpha" * 100, "b.txt": b"beta"}
    tampered = {**files, "b.txt": b"BETA"}
    with pytest.raises(IntegrityError, match=r"b\.txt") as caught:
        _pull(monkeypatch, _service(files, tampered), tmp_path / "out")
    assert exit_code(caught.value) == 74
    assert not (tmp_path / "out").exists()  # made by the pull, removed empty


@pytest.mark.parametrize(
    ("error", "hint_key"),
    [
        (Unreachable(URL, "refused"), remote_errors.UNREACHABLE_HINT),
        (NotAnEntrepot(URL, "broken JSON"), remote_errors.NOT_AN_ENTREPOT_HINT),
        (NeedsLocalAccess("db upgrade", URL), remote_errors.NEEDS_LOCAL_ACCESS_HINT),
    ],
)
def test_each_message_is_its_keys_english_and_has_french(
    error: EntrepotError, hint_key: str
) -> None:
    said = error.said
    assert said is not None
    assert english(said) == error.message
    assert english(Message(hint_key, {})) == error.hint
    french = speaker("fr")
    for key in (said.key, hint_key):
        text = french(Message(key, dict(said.params)))
        assert text != key and " :" not in text and " ;" not in text and "'" not in text


def _given(sign: bool = True) -> PushInputs:
    return PushInputs(
        version="v1", metrics={"auc": 0.5}, params={}, tags={}, lineage={}, metadata=None,
        input_schema=[("amount", "float")], flavor=None, model_file=None, sign=sign,
    )  # fmt: skip


def _push_service(
    seen: dict[str, Any], stored: Callable[[dict[str, Any]], list[Any]]
) -> Callable[[httpx.Request], httpx.Response]:
    """A fake ``POST /api/models/push``: keeps what it received in ``seen`` and answers a
    manifest listing ``stored(described)``."""

    def handle(request: httpx.Request) -> httpx.Response:
        assert (request.method, request.url.path) == ("POST", "/api/models/push")
        boundary = request.headers["content-type"].split("boundary=")[1].encode()
        parts = request.read().split(b"--" + boundary)
        fields = {}
        for part in parts:
            head, _, body = part.partition(b"\r\n\r\n")
            name = re.search(rb'name="([^"]+)"', head)
            if name:
                fields[name.group(1).decode()] = body.removesuffix(b"\r\n")
        described = json.loads(fields["push"])
        seen["described"] = described
        seen["zip"] = fields["file"]
        manifest = {"name": "m", "version": "v1", "flavor": "raw", "files": stored(described)}
        body = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
        seen["manifest_sha256"] = hashlib.sha256(body).hexdigest()
        return httpx.Response(
            201,
            json={
                "id": 3, "name": "m", "version": "v1", "created_at": "2026-01-02T03:04:05Z",
                "created_by": "user:1", "signed": True, "aliases": [], "manifest": manifest,
                "manifest_sha256": hashlib.sha256(body).hexdigest(),
            },
        )  # fmt: skip

    return handle


def _remote_push(
    monkeypatch: pytest.MonkeyPatch,
    handler: Callable[[httpx.Request], httpx.Response],
    folder: Path,
) -> object:
    monkeypatch.setattr(
        remote_push, "Client", lambda remote: Client(remote, transport=httpx.MockTransport(handler))
    )
    return remote_push.push(REMOTE, [folder], "m", _given())


def test_a_push_sends_each_files_size_and_sha256_with_the_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = {"a.bin": b"alpha" * 100, "sub/b.txt": b"beta"}
    for path, body in files.items():
        (tmp_path / "m" / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "m" / path).write_bytes(body)
    seen: dict[str, Any] = {}
    pushed = _remote_push(monkeypatch, _push_service(seen, lambda d: d["files"]), tmp_path / "m")
    described = seen["described"]
    assert isinstance(described, dict)
    assert described["files"] == [
        {"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
        for p, b in sorted(files.items())
    ]
    assert (described["name"], described["version"], described["metrics"]) == (
        "m",
        "v1",
        {"auc": 0.5},
    )
    assert described["input_schema"] == [["amount", "float"]] and described["sign"] is True
    with zipfile.ZipFile(io.BytesIO(seen["zip"])) as zipped:
        assert {n: zipped.read(n) for n in zipped.namelist()} == files
    assert pushed == {
        "name": "m", "version": "v1", "flavor": "raw", "signed": True,
        "manifest_sha256": seen["manifest_sha256"],
    }  # fmt: skip


def test_a_push_whose_stored_files_differ_is_an_integrity_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.bin").write_bytes(b"alpha")
    seen: dict[str, Any] = {}

    def other(described: dict[str, Any]) -> list[Any]:
        return [{"path": "a.bin", "size": 5, "sha256": "0" * 64}]

    with pytest.raises(IntegrityError, match="does not list the files sent") as caught:
        _remote_push(monkeypatch, _push_service(seen, other), tmp_path / "m")
    assert exit_code(caught.value) == 74


def test_a_push_checks_the_name_before_sending_anything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.bin").write_bytes(b"alpha")

    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing is sent for a bad name")

    monkeypatch.setattr(
        remote_push, "Client", lambda remote: Client(remote, transport=httpx.MockTransport(never))
    )
    with pytest.raises(InvalidName):
        remote_push.push(REMOTE, [tmp_path / "m"], "../m", _given())
