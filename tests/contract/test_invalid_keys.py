"""No store accepts a key that is not a safe relative path, whatever the operation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from entrepot.errors import InvalidKey
from entrepot.storage.protocols import Store

from .conftest import Subject

BAD_KEYS = [
    "",
    "..",
    "../escape",
    "a/../../escape",
    "%2e%2e/escape",
    "a/%2E%2E/b",
    "%2fabs",
    "/abs/path",
    "a//b",
    "a/",
    "./a",
    "a\\b",
    "..\\escape",
    "a\x00b",
    "a\nb",
    "a\u200bb",
    ".entrepot/meta/x.json",
    "a/.entrepot-tmp-123",
    "x" * 1025,
]
BAD_PREFIXES = ["..", "../x", "%2e%2e", "/abs", "a//b", "a\\b", ".entrepot", "a/../b/"]


def operations(store: Store, key: str, tmp_path: Path) -> dict[str, Callable[[], object]]:
    return {
        "put": lambda: store.put(key, b"x"),
        "put_file": lambda: store.put_file(key, tmp_path / "src"),
        "get": lambda: store.get(key),
        "iter_bytes": lambda: list(store.iter_bytes(key)),
        "head": lambda: store.head(key),
        "exists": lambda: store.exists(key),
        "download": lambda: store.download(key, tmp_path / "out"),
        "delete": lambda: store.delete(key, missing_ok=True),
        "delete_many": lambda: store.delete_many(["ok", key]),
        "copy-from": lambda: store.copy(key, "ok"),
        "copy-to": lambda: store.copy("ok", key),
    }


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_a_bad_key_is_refused_by_every_operation(
    subject: Subject, key: str, tmp_path: Path
) -> None:
    (tmp_path / "src").write_bytes(b"x")
    subject.store.put("ok", b"kept")
    accepted = []
    for name, call in operations(subject.store, key, tmp_path).items():
        try:
            call()
        except InvalidKey:
            continue
        accepted.append(name)
    assert accepted == []
    assert [info.key for info in subject.base.list()] == [subject.prefix + "ok"]
    assert subject.store.get("ok") == b"kept"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("prefix", BAD_PREFIXES, ids=repr)
def test_a_bad_prefix_is_refused(store: Store, prefix: str) -> None:
    store.put("ok", b"kept")
    for call in (store.list, store.ls, store.delete_prefix, store.scoped):
        with pytest.raises(InvalidKey):
            call(prefix)
    assert store.get("ok") == b"kept"


def test_an_invalid_key_error_is_a_value_error_naming_the_key(store: Store) -> None:
    with pytest.raises(ValueError, match=r"\.\./x") as caught:
        store.put("../x", b"1")
    assert caught.value.hint  # type: ignore[attr-defined]


@pytest.mark.parametrize("prefix", ["", "/"])
def test_a_scoped_view_needs_a_folder(store: Store, prefix: str) -> None:
    with pytest.raises(InvalidKey, match="non-empty prefix"):
        store.scoped(prefix)
