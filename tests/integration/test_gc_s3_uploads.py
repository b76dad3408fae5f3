"""A writer killed in the middle of a multipart upload leaves its parts in the bucket,
invisible to listings and billed until the upload is aborted: ``entrepot gc`` aborts those
under the managed folders once older than the grace, on a real S3 server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from entrepot.services.gc import abort_stale_uploads
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_options import S3Options
from tests.support.cli import in_process_cli
from tests.support.network import unique_bucket

pytestmark = pytest.mark.s3
PART = b"x" * (5 * 1024 * 1024)  # S3's smallest part but the last


@pytest.fixture
def bucket(s3_endpoint: str) -> tuple[str, Any]:
    import boto3

    client: Any = boto3.client("s3", endpoint_url=s3_endpoint)
    name = unique_bucket()
    client.create_bucket(Bucket=name)
    return name, client


def _begin(client: Any, bucket: str, key: str) -> str:
    """Begin a multipart upload and send one part, as a writer does before it is killed."""
    upload_id: str = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=PART)
    return upload_id


def _pending(client: Any, bucket: str) -> list[str]:
    return sorted(u["Key"] for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def test_stale_uploads_under_managed_folders_are_aborted(
    bucket: tuple[str, Any], s3_options: S3Options
) -> None:
    name, client = bucket
    for key in ("team/models/a.bin", "team/elsewhere/b.bin", "other/c.bin"):
        _begin(client, name, key)
    store = S3Store(name, "team", s3_options)
    assert sorted(u.key for u in store.pending_uploads()) == ["elsewhere/b.bin", "models/a.bin"]

    (begun,) = [u.initiated for u in store.pending_uploads("models")]
    young = abort_stale_uploads(  # half an hour after it began, with an hour's grace
        store,
        prefixes=["models/"],
        grace=timedelta(hours=1),
        dry_run=False,
        now=begun + timedelta(minutes=30),
    )
    assert young.found == () and young.aborted == 0

    dry = abort_stale_uploads(store, prefixes=["models/"], grace=timedelta(0), dry_run=True)
    assert [u.key for u in dry.found] == ["models/a.bin"] and dry.aborted == 0
    assert len(_pending(client, name)) == 3

    done = abort_stale_uploads(store, prefixes=["models/"], grace=timedelta(0), dry_run=False)
    assert done.aborted == 1
    assert _pending(client, name) == ["other/c.bin", "team/elsewhere/b.bin"]
    store.abort_upload(done.found[0])  # already gone: not an error


def test_entrepot_gc_aborts_them(
    bucket: tuple[str, Any],
    s3_endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name, client = bucket
    _begin(client, name, "users/7/datasets/big.csv")
    run = in_process_cli(
        monkeypatch,
        capsys,
        {
            "ENTREPOT_STORE_URL": f"s3://{name}",
            "ENTREPOT_S3_ENDPOINT_URL": s3_endpoint,
            "ENTREPOT_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.db'}",
            "ENTREPOT_VAR_DIR": str(tmp_path / "var"),
            "ENTREPOT_CACHE_DIR": str(tmp_path / "cache"),
            "ENTREPOT_SECRET_KEY": "gc-uploads-secret-0123456789-abcdefghijkl",
        },
    )
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert run("db", "upgrade")[0] == 0
    code, out, err = run("gc", "--dry-run", "--grace", "0s")
    assert code == 0, err
    assert "users/7/datasets/big.csv (incomplete upload)" in out
    assert "would abort 1 incomplete upload" in out
    code, out, err = run("gc", "--grace", "0s")
    assert code == 0, err
    assert "aborted 1 incomplete upload" in out
    assert _pending(client, name) == []
