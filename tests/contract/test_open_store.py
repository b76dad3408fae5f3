"""One URL opens any store; a store's URL opens the same store again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entrepot.errors import ConfigError, InvalidKey
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from entrepot.storage.protocols import Store
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_options import S3Options
from entrepot.storage.url import open_store


def round_trip(store: Store) -> None:
    store.put("probe/k.txt", b"probe")
    assert store.get("probe/k.txt") == b"probe"


def test_a_plain_path_is_a_local_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("./var/store")
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "var" / "store"
    round_trip(store)
    assert (tmp_path / "var" / "store" / "probe" / "k.txt").read_bytes() == b"probe"


def test_a_file_url_is_a_local_folder(tmp_path: Path) -> None:
    folder = tmp_path / "with space"
    store = open_store((folder).as_uri())
    assert isinstance(store, LocalStore)
    assert store.root == folder
    assert open_store(store.url).url == store.url
    round_trip(store)


def test_a_memory_url_is_a_new_empty_store() -> None:
    first, second = open_store("memory://scratch"), open_store("memory://scratch")
    assert isinstance(first, MemoryStore)
    assert first.url == "memory://scratch"
    round_trip(first)
    assert list(second.list()) == []
    assert open_store("memory://").url == "memory://default"


@pytest.mark.s3
def test_an_s3_url_with_a_prefix(s3_options: S3Options, s3_client: Any) -> None:
    s3_client.create_bucket(Bucket="entrepot-open-store")
    store = open_store("s3://entrepot-open-store/team/data/", s3=s3_options)
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix) == ("entrepot-open-store", "team/data/")
    round_trip(store)
    raw = s3_client.get_object(Bucket="entrepot-open-store", Key="team/data/probe/k.txt")
    assert raw["Body"].read() == b"probe"


@pytest.mark.s3
def test_an_s3_store_url_opens_the_same_store(
    s3_store_factory: Callable[..., S3Store], s3_options: S3Options
) -> None:
    store = s3_store_factory("p/q")
    store.put("k", b"1")
    credentials = S3Options(
        access_key_id=s3_options.access_key_id, secret_access_key=s3_options.secret_access_key
    )
    again = open_store(store.url, s3=credentials)
    assert again.url == store.url
    assert again.get("k") == b"1"


def test_an_s3_url_does_not_touch_the_network() -> None:
    store = open_store("s3://entrepot-nowhere/p?endpoint=http://127.0.0.1:9&region=eu-west-3")
    assert isinstance(store, S3Store)
    assert store.endpoint == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("gs://bucket/x", "unsupported store URL scheme 'gs'"),
        ("https://example.com/store", "unsupported store URL scheme 'https'"),
        ("file://server/share", "not a local absolute path"),
        ("s3://", "malformed S3 store URL"),
        ("s3://bucket?profile=dev", "malformed S3 store URL"),
        ("s3://Bad_Bucket", "not a valid S3 bucket name"),
    ],
)
def test_a_bad_url_is_a_config_error_listing_what_works(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        open_store(url)
    if "scheme" in message or "empty" in message:
        assert "s3://bucket/prefix" in str(caught.value)
        assert "memory://" in str(caught.value)


def test_the_url_and_the_options_must_agree_on_the_endpoint() -> None:
    options = S3Options(endpoint_url="http://127.0.0.1:9000")
    open_store("s3://b-1?endpoint=http://127.0.0.1:9000", s3=options)
    with pytest.raises(ConfigError, match="set it in one place only"):
        open_store("s3://b-1?endpoint=http://127.0.0.1:9001", s3=options)


def test_an_s3_prefix_that_escapes_is_refused() -> None:
    with pytest.raises(InvalidKey):
        open_store("s3://bucket/a/%2e%2e/b")
