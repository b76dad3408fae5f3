"""No key, however built, lets a scoped view read, write, list or delete outside its prefix."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from entrepot.errors import InvalidKey, ObjectExists, ObjectNotFound
from entrepot.storage.memory import MemoryStore
from entrepot.storage.scoped import ScopedStore

PREFIX = "tenants/t1/"
SECRET = b"OUTSIDE"
#: Objects around the view: siblings, look-alike prefixes, parents, the root.
OUTSIDE = ["secret.txt", "tenants/secret", "tenants/t10/x", "tenants/t1-other/y", "tenants/t1.x"]

#: Fragments that have broken path handling elsewhere: dot segments, encoded separators
#: and dots, backslashes, control and invisible characters, reserved names, look-alikes.
FRAGMENTS = st.sampled_from(
    [
        "..",
        ".",
        "/",
        "//",
        "\\",
        "%2e",
        "%2E",
        "%2e%2e",
        "%2f",
        "%2F",
        "%5c",
        "%00",
        "%252e",
        "\x00",
        "\n",
        "\u200b",
        "\u2024\u2024",
        "\uff0e\uff0e",
        "é",
        "t1",
        "t10",
        "0/x",
        "-other/y",
        ".x",
        "tenants",
        "secret.txt",
        ".entrepot",
        "a",
        " ",
    ]
)
KEYS = st.one_of(
    st.lists(FRAGMENTS, min_size=1, max_size=8).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=12),
)
OPERATIONS = st.sampled_from(
    [
        "put",
        "get",
        "head",
        "exists",
        "list",
        "ls",
        "delete",
        "delete_many",
        "prefix",
        "copy",
        "nest",
    ]
)


def run(view: ScopedStore, operation: str, key: str, other: str) -> object:
    body = b"inside:" + key.encode()
    calls = {
        "put": lambda: view.put(key, body),
        "get": lambda: view.get(key),
        "head": lambda: view.head(key),
        "exists": lambda: view.exists(key),
        "list": lambda: [i.key for i in view.list(key)],
        "ls": lambda: view.ls(key),
        "delete": lambda: view.delete(key, missing_ok=True),
        "delete_many": lambda: view.delete_many([key, other]),
        "prefix": lambda: view.delete_prefix(key),
        "copy": lambda: view.copy(key, other),
        "nest": lambda: view.scoped(key).put(other, body),
    }
    return calls[operation]()


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(st.tuples(OPERATIONS, KEYS, KEYS), min_size=1, max_size=12))
def test_no_key_escapes_a_scoped_view(steps: list[tuple[str, str, str]]) -> None:
    inner = MemoryStore("property")
    for key in OUTSIDE:
        inner.put(key, SECRET)
    view = ScopedStore(inner, "tenants/t1")
    for operation, key, other in steps:
        try:
            result = run(view, operation, key, other)
        except (InvalidKey, ObjectNotFound, ObjectExists):
            continue
        if isinstance(result, bytes):
            assert result != SECRET, f"{operation}({key!r}) read an object outside the view"
    inside = [i.key for i in inner.list() if i.key not in OUTSIDE]
    assert all(k.startswith(PREFIX) for k in inside), inside
    for key in OUTSIDE:
        assert inner.get(key) == SECRET, f"{key} was changed or deleted through the view"
    seen = [i.key for i in view.list()]
    assert sorted(PREFIX + k for k in seen) == sorted(inside)


@given(key=KEYS)
def test_reads_of_outside_objects_are_impossible(key: str) -> None:
    inner = MemoryStore("property")
    for outside in OUTSIDE:
        inner.put(outside, SECRET)
    view = ScopedStore(inner, "tenants/t1")
    for read in (view.get, view.head, lambda k: b"".join(view.iter_bytes(k))):
        try:
            result = read(key)
        except (InvalidKey, ObjectNotFound):
            continue
        raise AssertionError(f"{key!r} reached {result!r} outside the view")
    try:
        listed = [i.key for i in view.list(key)]
    except InvalidKey:
        listed = []
    assert listed == []
