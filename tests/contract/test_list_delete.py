"""Listings (recursive and one level, folder prefixes) and deletes (one, many, prefix)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from entrepot.errors import ObjectNotFound
from entrepot.storage.protocols import Store

from .conftest import Subject

LAYOUT = {
    "models/v1/model.joblib": b"m1",
    "models/v1/meta/card.json": b"{}",
    "models/v10/model.joblib": b"m10",
    "models/v2/model.joblib": b"m2",
    "readme.txt": b"hello",
}


@pytest.fixture
def filled(store: Store) -> Store:
    for key, data in LAYOUT.items():
        store.put(key, data)
    return store


def keys(store: Store, prefix: str = "") -> list[str]:
    return [info.key for info in store.list(prefix)]


def test_list_is_recursive_and_sorted(filled: Store) -> None:
    assert keys(filled) == sorted(LAYOUT)


@pytest.mark.parametrize("prefix", ["models/v1", "models/v1/"])
def test_a_prefix_is_a_folder_never_a_string_prefix(filled: Store, prefix: str) -> None:
    assert keys(filled, prefix) == ["models/v1/meta/card.json", "models/v1/model.joblib"]


def test_listed_objects_carry_size_and_no_wrong_sha256(filled: Store) -> None:
    head = filled.head("models/v10/model.joblib")
    [info] = filled.list("models/v10")
    assert (info.key, info.size, info.etag) == (head.key, head.size, head.etag)
    assert info.sha256 in (None, head.sha256)  # S3 listings carry no metadata


def test_ls_lists_one_level(filled: Store) -> None:
    top = filled.ls()
    assert top.prefixes == ("models/",)
    assert [i.key for i in top.objects] == ["readme.txt"]
    models = filled.ls("models")
    assert models.prefixes == ("models/v1/", "models/v10/", "models/v2/")
    assert models.objects == ()
    v1 = filled.ls("models/v1/")
    assert v1.prefixes == ("models/v1/meta/",)
    assert [(i.key, i.size) for i in v1.objects] == [("models/v1/model.joblib", 2)]


def test_an_unknown_prefix_lists_nothing(filled: Store) -> None:
    assert keys(filled, "nothing/here") == []
    listing = filled.ls("nothing")
    assert (listing.prefixes, listing.objects) == ((), ())
    assert keys(filled, "readme.txt") == []  # an object is not a folder


def test_delete_one(filled: Store) -> None:
    filled.delete("readme.txt")
    assert not filled.exists("readme.txt")
    assert keys(filled) == sorted(set(LAYOUT) - {"readme.txt"})


def test_deleting_a_missing_key_is_not_found_unless_allowed(filled: Store) -> None:
    with pytest.raises(ObjectNotFound) as caught:
        filled.delete("nope.txt")
    assert isinstance(caught.value, FileNotFoundError)
    assert "nope.txt" in str(caught.value)
    filled.delete("nope.txt", missing_ok=True)
    assert keys(filled) == sorted(LAYOUT)


def test_delete_many_counts_what_existed(filled: Store) -> None:
    gone = filled.delete_many(["readme.txt", "models/v2/model.joblib", "absent", "readme.txt"])
    assert gone == 2
    assert keys(filled) == sorted(set(LAYOUT) - {"readme.txt", "models/v2/model.joblib"})
    assert filled.delete_many([]) == 0


def test_delete_prefix_v1_leaves_v10(filled: Store) -> None:
    assert filled.delete_prefix("models/v1") == 2
    assert keys(filled) == ["models/v10/model.joblib", "models/v2/model.joblib", "readme.txt"]
    assert filled.delete_prefix("models/v1/") == 0


def test_delete_prefix_of_everything(filled: Store) -> None:
    assert filled.delete_prefix("") == len(LAYOUT)
    assert keys(filled) == []


def test_a_scoped_view_lists_and_deletes_only_its_own_objects(scoped_subject: Subject) -> None:
    subject = scoped_subject
    subject.base.put("outside.txt", b"x")
    subject.base.put("tenants/t10/x", b"x")
    subject.store.put("inside.txt", b"y")
    assert keys(subject.store) == ["inside.txt"]
    assert subject.store.ls().prefixes == ()
    assert subject.store.delete_prefix("") == 1
    assert keys(subject.base) == ["outside.txt", "tenants/t10/x"]


def test_listing_goes_past_one_thousand_keys(paged_subject: Subject) -> None:
    subject = paged_subject  # S3 pages listings by 1,000 keys
    names = [f"many/k{i:05d}" for i in range(1100)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda k: subject.store.put(k, b"x"), names))
    subject.store.put("many/sub/deeper", b"y")
    assert keys(subject.store, "many") == [*names, "many/sub/deeper"]
    listing = subject.store.ls("many")
    assert [i.key for i in listing.objects] == names
    assert listing.prefixes == ("many/sub/",)
    assert subject.store.delete_prefix("many") == 1101
    assert keys(subject.store) == []
