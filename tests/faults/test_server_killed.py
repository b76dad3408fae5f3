"""``kill -9`` the running service mid-upload and mid-training, then check what an operator
relies on: ``entrepot verify`` finds no dangling row, ``entrepot gc --grace 0s`` leaves no
temporary and no orphan, the job is retried or failed (never left running), and the
half-sent upload never became a dataset anyone can download."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.csvs import labelled_csv
from tests.support.processes import Server, api_token, instance_env, run
from tests.support.waiting import HANG_GUARD, wait_for

pytestmark = pytest.mark.slow
BOUNDARY = "entrepot-fault-boundary"
FINAL = ("succeeded", "failed")


def _leftovers(folder: Path) -> list[Path]:
    var = folder / "var"
    spools = list((var / "tmp").glob("*")) if (var / "tmp").is_dir() else []
    writes = list((var / "store").rglob(".entrepot-tmp-*"))
    return spools + writes


def _after_the_crash_everything_is_clean(env: dict[str, str], folder: Path) -> None:
    verify = run(env, folder, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    gc = run(env, folder, "gc", "--grace", "0s")
    assert gc.returncode == 0, gc.stderr
    assert _leftovers(folder) == []
    again = run(env, folder, "gc", "--dry-run", "--grace", "0s")
    assert "would delete 0 orphan objects" in again.stdout, again.stdout
    assert "would delete 0 stale temporary files" in again.stdout, again.stdout


def _slow_upload(url: str, headers: dict[str, str], sent: threading.Event) -> None:
    """Stream a large CSV that never ends (the server is killed before)."""
    row = b"amount,merchant,is_fraud\n" + b"12.5,shop,0\n" * 80_000

    def body() -> Iterator[bytes]:
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        for _ in range(400):
            yield row
            sent.set()
            time.sleep(0.05)

    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    with contextlib.suppress(httpx.HTTPError):  # the server dies under it
        httpx.post(
            url + "/api/upload",
            content=body(),
            headers={**headers, "Content-Type": content_type},
            timeout=HANG_GUARD,
        )


def test_kill_9_mid_upload_leaves_nothing_gc_cannot_clean(tmp_path: Path) -> None:
    env = instance_env(tmp_path)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    headers = api_token(env, tmp_path, "alice@example.com")
    server = Server(env, tmp_path, "--no-worker")
    sent = threading.Event()
    client = threading.Thread(target=_slow_upload, args=(server.url, headers, sent))
    client.start()
    try:
        spools = tmp_path / "var" / "tmp"
        wait_for(
            lambda: any(p.stat().st_size > 2_000_000 for p in spools.glob("upload-*.part")),
            "a spooled upload of 2 MB",
        )
    finally:
        server.kill()
        client.join(timeout=HANG_GUARD)
    assert list((tmp_path / "var" / "tmp").glob("upload-*.part"))  # the crash's leftover

    _after_the_crash_everything_is_clean(env, tmp_path)
    again = Server(env, tmp_path, "--no-worker")
    try:
        listed = httpx.get(again.url + "/api/datasets", headers=headers, timeout=HANG_GUARD)
        assert listed.status_code == 200 and listed.json()["total"] == 0
    finally:
        again.stop()


def test_kill_9_mid_training_then_the_job_is_retried_or_failed(tmp_path: Path) -> None:
    env = instance_env(
        tmp_path, training_budget="4", job_heartbeat_seconds="0.5", job_stale_seconds="3"
    )
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    headers = api_token(env, tmp_path, "alice@example.com")
    server = Server(env, tmp_path)
    try:
        uploaded = httpx.post(
            server.url + "/api/upload",
            headers=headers,
            files={"file": ("alice.csv", labelled_csv(1500))},
            timeout=HANG_GUARD,
        )
        assert uploaded.status_code == 201, uploaded.text
        job = httpx.post(
            server.url + "/api/train",
            headers=headers,
            json={"dataset_id": uploaded.json()["dataset_id"], "model_name": "m"},
            timeout=HANG_GUARD,
        ).json()["job_id"]

        def searching() -> bool:
            """Inside the model search (a trial reported), or past it on a fast machine
            (the test then holds as well: a finished job is what the restart finds)."""
            answer = httpx.get(f"{server.url}/api/jobs/{job}", headers=headers, timeout=HANG_GUARD)
            found = answer.json()
            return found["message_key"] == "progress.trial" or found["state"] in FINAL

        wait_for(searching, "the model search to start")
    finally:
        server.kill()

    again = Server(env, tmp_path)
    try:
        final: dict[str, object] = {}

        def finished() -> bool:
            answer = httpx.get(f"{again.url}/api/jobs/{job}", headers=headers, timeout=HANG_GUARD)
            final.update(answer.json())
            return final["state"] in FINAL

        wait_for(finished, "the killed job to be retried or failed")
        if final["state"] == "succeeded":
            models = httpx.get(
                again.url + "/api/models", headers=headers, timeout=HANG_GUARD
            ).json()
            assert len(models) == 1
    finally:
        again.stop()
    _after_the_crash_everything_is_clean(env, tmp_path)
