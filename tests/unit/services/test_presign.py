"""``ObjectService.presign``: the one rule for presigned URLs (the command line makes one
call to it): a GET for an object that exists, a PUT never into the web service's folders,
a store that cannot sign named with what can; on S3 the URL serves or takes the bytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest

from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import ObjectNotFound, StorageError
from entrepot.services.objects import ObjectService
from entrepot.storage.memory import MemoryStore

NO_CATALOG = cast(UnitOfWorkFactory, None)  # presign reads no row
HOUR = timedelta(hours=1)


def test_a_get_url_serves_the_bytes_and_a_put_url_takes_them(
    s3_store_factory: Callable[..., Any],
) -> None:
    store = s3_store_factory()
    store.put("files/a.bin", b"abc")
    objects = ObjectService(store, NO_CATALOG)
    got = objects.presign("files/a.bin", method="GET", expires=HOUR)
    assert httpx.get(got, timeout=30).content == b"abc"
    put = objects.presign("files/b.bin", method="PUT", expires=HOUR)
    assert httpx.put(put, content=b"xyz", timeout=30).status_code == 200
    assert store.get("files/b.bin") == b"xyz"


def test_a_get_url_for_a_missing_object_is_refused(s3_store_factory: Callable[..., Any]) -> None:
    with pytest.raises(ObjectNotFound):
        ObjectService(s3_store_factory(), NO_CATALOG).presign(
            "files/none.bin", method="GET", expires=HOUR
        )


def test_a_put_url_into_the_web_services_folders_is_refused(
    s3_store_factory: Callable[..., Any],
) -> None:
    with pytest.raises(StorageError, match="users/"):
        ObjectService(s3_store_factory(), NO_CATALOG).presign(
            "USERS/1/x.bin", method="PUT", expires=HOUR
        )


def test_a_store_that_cannot_sign_says_what_can() -> None:
    store = MemoryStore()
    store.put("files/a.bin", b"abc")
    with pytest.raises(StorageError, match="cannot presign") as refused:
        ObjectService(store, NO_CATALOG).presign("files/a.bin", method="GET", expires=HOUR)
    assert "s3://" in (refused.value.hint or "")
