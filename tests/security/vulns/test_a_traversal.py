"""Class (a), path traversal and its bypasses, in every key, name and path the product
accepts: object keys (through a user's scoped store on a real folder), model names,
versions and aliases, file paths inside a version, members of the city imports' ZIP and
gzip archives, file names of uploads, and model file trees holding links. Each payload is
refused, or kept as a literal name that stays inside its folder."""

from __future__ import annotations

import contextlib
import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.city.imports.archives import ArchiveRefused, Bounds, gunzip, unzip_member, zip_members
from entrepot.errors import EntrepotError, InvalidKey
from entrepot.registry import Registry
from entrepot.registry.errors import InvalidModelFiles, InvalidName
from entrepot.registry.names import check_alias, check_file_path, check_name, check_version
from entrepot.storage.local import LocalStore
from entrepot.storage.scoped import ScopedStore
from tests.support.parts import parts
from tests.support.traversal import IDS, VALUES, files_under, inside
from tests.support.web import Api, user_api, web_client


@pytest.mark.parametrize("key", VALUES, ids=IDS)
def test_an_object_key_stays_inside_the_users_scope(key: str, tmp_path: Path) -> None:
    root = tmp_path / "store"
    scoped = ScopedStore(LocalStore(root, fsync=False), "users/7/")
    with contextlib.suppress(InvalidKey):
        scoped.put(key, b"payload")
    written = files_under(tmp_path)
    homes = (root / "users" / "7", root / ".entrepot" / "meta" / "users" / "7")  # its sidecars
    assert all(any(inside(p, home) for home in homes) for p in written), written


@pytest.mark.parametrize("check", [check_name, check_version, check_alias])
@pytest.mark.parametrize("name", VALUES, ids=IDS)
def test_a_model_name_version_or_alias_is_refused(check: object, name: str) -> None:
    with pytest.raises(InvalidName):
        check(name)  # type: ignore[operator]


@pytest.mark.parametrize("path", VALUES, ids=IDS)
def test_a_file_path_inside_a_version_is_refused_or_stays_inside(path: str, tmp_path: Path) -> None:
    try:
        check_file_path(path)
    except InvalidModelFiles:
        return
    assert inside(tmp_path / path, tmp_path)  # kept as a literal name


def _zip(name: str) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ok.csv", "a,b\n1,2\n")
        archive.writestr(name.replace("\x00", "_"), "a,b\n1,2\n")
    return buffer  # type: ignore[return-value]


@pytest.mark.parametrize("member", VALUES, ids=IDS)
def test_an_archive_member_is_refused_or_lands_in_the_import_folder(
    member: str, tmp_path: Path
) -> None:
    source = tmp_path / "export.zip"
    source.write_bytes(_zip(member).getvalue())  # type: ignore[attr-defined]
    folder = tmp_path / "unpacked"
    folder.mkdir()
    try:
        for info in zip_members(source, "export.zip", Bounds()):
            unzip_member(source, info, folder, "export.zip", Bounds())
    except ArchiveRefused:
        assert files_under(folder) == set()
        return
    written = files_under(tmp_path) - {source}
    assert written and all(inside(p, folder) for p in written), written


def test_a_symlink_member_is_inflated_as_a_plain_file(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("data.csv")
        link.external_attr = (0o120777 << 16) | 0x20  # a symbolic link, per Info-ZIP
        archive.writestr(link, "/etc/passwd")
    source = tmp_path / "export.zip"
    source.write_bytes(buffer.getvalue())
    folder = tmp_path / "unpacked"
    folder.mkdir()
    (info,) = zip_members(source, "export.zip", Bounds())
    target = unzip_member(source, info, folder, "export.zip", Bounds())
    assert not target.is_symlink() and target.read_text() == "/etc/passwd"


@pytest.mark.parametrize("recorded", ["../../escaped.csv", "/tmp/escaped.csv", "a/../../x.csv"])
def test_a_gzip_header_name_cannot_leave_the_folder(recorded: str, tmp_path: Path) -> None:
    source = tmp_path / "export.gz"
    with open(source, "wb") as raw, gzip.GzipFile(recorded, "wb", fileobj=raw) as packed:
        packed.write(b"a,b\n1,2\n")
    folder = tmp_path / "unpacked"
    folder.mkdir()
    try:
        target = gunzip(source, folder, "export.gz", Bounds())
    except ArchiveRefused:
        return
    assert inside(target, folder) and files_under(tmp_path) - {source} == {target}


def test_a_model_tree_with_a_link_out_of_it_is_refused(registry: Registry, tmp_path: Path) -> None:
    """Regression: a link in a pushed folder copied what it points at into the store."""
    secret = tmp_path / "outside" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY")
    tree = tmp_path / "model"
    tree.mkdir()
    (tree / "weights.bin").write_bytes(b"\x00" * 8)
    (tree / "notes.txt").symlink_to(secret)
    with pytest.raises(InvalidModelFiles, match="outside the folder"):
        registry.push([tree], "linked-file", sign=False)
    assert not any(m.name == "linked-file" for m in registry.list())


def test_a_linked_folder_in_a_model_tree_is_not_followed(
    registry: Registry, tmp_path: Path
) -> None:
    secret = tmp_path / "outside" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY")
    tree = tmp_path / "model"
    tree.mkdir()
    (tree / "weights.bin").write_bytes(b"\x00" * 8)
    (tree / "extra").symlink_to(secret.parent, target_is_directory=True)
    try:
        registry.push([tree], "linked-folder", sign=False)
    except InvalidModelFiles:
        return
    assert [f.path for f in registry.show("linked-folder").files] == ["weights.bin"]


def test_a_link_inside_the_tree_is_pushed(registry: Registry, tmp_path: Path) -> None:
    tree = tmp_path / "model"
    tree.mkdir()
    (tree / "weights.bin").write_bytes(b"\x01" * 8)
    (tree / "alias.bin").symlink_to(tree / "weights.bin")
    record = registry.push([tree], "linked-inside", sign=False)
    assert {f.path for f in registry.show("linked-inside").files} >= {"alias.bin", "weights.bin"}
    assert record.name == "linked-inside"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, App]]:
    with web_client(tmp_path_factory.mktemp("traversal")) as pair:
        yield pair


@pytest.fixture(scope="module")
def api(web: tuple[TestClient, App]) -> Api:
    return user_api(*web, "traveller@example.com")


@pytest.mark.parametrize("filename", VALUES, ids=IDS)
def test_an_upload_file_name_cannot_leave_the_users_folder(
    web: tuple[TestClient, App], api: Api, filename: str
) -> None:
    _, services = web
    answer = api.upload(b"amount,is_fraud\n1.5,0\n2.5,1\n3.5,0\n", filename)
    assert answer.status_code < 500, answer.text
    keys = [o.key for o in parts(services).raw_store.list("")]
    assert all(k.startswith(f"users/{api.user_id}/") for k in keys if k.startswith("users/")), keys
    for key in keys:
        assert ".." not in key.split("/") and "\\" not in key and "\x00" not in key


def test_every_payload_is_an_entrepot_error_never_a_crash() -> None:
    """The validator's refusals are the product's own errors (mapped to 4xx, exit codes)."""
    assert issubclass(InvalidKey, EntrepotError) and issubclass(InvalidName, EntrepotError)
