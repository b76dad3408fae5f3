"""The key validator: what a safe key is, what a folder prefix is."""

from __future__ import annotations

import pytest

from entrepot.errors import InvalidKey, StorageError
from entrepot.storage.keys import (
    MAX_KEY_BYTES,
    MAX_SEGMENT_BYTES,
    join,
    normalize_prefix,
    segment,
    validate_key,
)

GOOD = [
    "a",
    "datasets/2024/file.csv",
    "models/fraud/v10/model.joblib",
    "données/été 2024.csv",
    "日本/データ.parquet",
    "a b+c=d&e,f;g@h",
    "report%20final.txt",  # a literal '%' sequence that does not decode to anything unsafe
    "...",
    ".hidden",
    "a..b",
    "x" * MAX_SEGMENT_BYTES,
    "/".join(["y" * 200] * 5),  # 1,004 bytes
]

BAD = {
    "": "empty",
    "..": "'..' segment",
    "a/../b": "'..' segment",
    ".": "'.' segment",
    "./a": "'.' segment",
    "%2e%2e": "'..' segment",
    "a/%2E%2e/b": "'..' segment",
    "%2e": "'.' segment",
    "/abs": "absolute",
    "%2fabs": "absolute",
    "a//b": "empty segment",
    "a%2f%2fb": "empty segment",
    "a/": "empty segment",
    "a\\b": "backslash",
    "a%5cb": "backslash",
    "a\x00b": "control",
    "a%00b": "control",
    "a\tb": "control",
    "a\rb": "control",
    "a\u200bb": "control or invisible",
    "a\u2028b": "control or invisible",
    "a\ufeffb": "control or invisible",
    ".entrepot": "reserved",
    "a/.entrepot/meta": "reserved",
    ".entrepot-tmp-x": "reserved",
    "%2eentrepot/x": "reserved",
    "x" * (MAX_SEGMENT_BYTES + 1): "segment longer",
    "é" * 128: "segment longer",  # 256 bytes in UTF-8
    "/".join(["y" * 200] * 6): "longer than 1024",
}


@pytest.mark.parametrize("key", GOOD)
def test_a_safe_key_is_returned_unchanged(key: str) -> None:
    assert validate_key(key) is key


@pytest.mark.parametrize(("key", "reason"), BAD.items(), ids=[repr(k)[:40] for k in BAD])
def test_an_unsafe_key_is_refused_with_its_reason(key: str, reason: str) -> None:
    with pytest.raises(InvalidKey, match=reason) as caught:
        validate_key(key)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, StorageError)
    assert caught.value.key == key
    assert "relative path" in caught.value.hint


@pytest.mark.parametrize("value", [None, 1, b"a", ["a"]])
def test_a_key_must_be_a_string(value: object) -> None:
    with pytest.raises(InvalidKey, match="must be a string"):
        validate_key(value)  # type: ignore[arg-type]


def test_the_length_limit_counts_utf8_bytes() -> None:
    assert MAX_KEY_BYTES == 1024
    validate_key("/".join(["é" * 100] * 5))  # 1,004 bytes
    with pytest.raises(InvalidKey, match="longer than 1024"):
        validate_key("/".join(["é" * 120] * 5))  # 1,204 bytes, 604 characters


@pytest.mark.parametrize(
    ("prefix", "folder"),
    [("", ""), ("/", ""), ("models", "models/"), ("models/", "models/"), ("a/b", "a/b/")],
)
def test_a_prefix_is_normalized_to_a_folder(prefix: str, folder: str) -> None:
    assert normalize_prefix(prefix) == folder


@pytest.mark.parametrize("prefix", ["..", "a//", "/a", "a//b/", "%2e%2e/", ".entrepot/"])
def test_an_unsafe_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(InvalidKey):
        normalize_prefix(prefix)


def test_v1_is_never_a_prefix_of_v10() -> None:
    folder = normalize_prefix("models/v1")
    assert "models/v1/model".startswith(folder)
    assert not "models/v10/model".startswith(folder)


def test_join() -> None:
    assert join("users/42", "a.csv") == "users/42/a.csv"
    assert join("", "a.csv") == "a.csv"
    with pytest.raises(InvalidKey):
        join("users/42", "../43/a.csv")


def test_segment_takes_one_part_only() -> None:
    assert segment("v3", what="version") == "v3"
    with pytest.raises(InvalidKey, match="version 'v3/x' must not contain '/'"):
        segment("v3/x", what="version")
    with pytest.raises(InvalidKey):
        segment("..")
