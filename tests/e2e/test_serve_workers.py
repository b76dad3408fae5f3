"""``entrepot serve --workers 2``: several web processes over one SQLite catalog and the
embedded queue, with one job worker process beside them."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.csvs import labelled_csv
from tests.support.databases import temporary_database
from tests.support.processes import Server, api_token, children, instance_env, run
from tests.support.waiting import HANG_GUARD, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The settings of a catalog on SQLite (the default) or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield {}
        return
    with temporary_database() as url:
        yield {"database_url": url}


def test_two_web_processes_and_a_job_worker_serve_one_instance(
    tmp_path: Path, catalog: dict[str, str]
) -> None:
    env = instance_env(tmp_path, **catalog)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    headers = api_token(env, tmp_path, "alice@example.com")
    server = Server(env, tmp_path, "--workers", "2")
    try:
        banner = server.log.read_text()
        assert "with 2 web processes" in banner and "jobs     in a worker process" in banner
        # uvicorn's supervisor holds the 2 web processes; the job worker is beside them.
        # (the worker may still be starting when the web answers: waited for, not raced)
        wait_for(lambda: len(children(server.process.pid)) >= 3, "three child processes")

        def fresh_connection_get(_: int) -> int:
            return httpx.get(
                server.url + "/api/models", headers=headers, timeout=HANG_GUARD
            ).status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(fresh_connection_get, range(60))) == {200}

        uploaded = httpx.post(
            server.url + "/api/upload",
            headers=headers,
            files={"file": ("alice.csv", labelled_csv(1500))},
            timeout=HANG_GUARD,
        )
        assert uploaded.status_code == 201, uploaded.text
        dataset = uploaded.json()["dataset_id"]
        for _ in range(10):  # every web process sees what another one wrote
            listed = httpx.get(server.url + "/api/datasets", headers=headers, timeout=HANG_GUARD)
            assert dataset in [d["id"] for d in listed.json()["items"]]
        job = httpx.post(
            server.url + "/api/train",
            headers=headers,
            json={"dataset_id": dataset, "model_name": "m"},
            timeout=HANG_GUARD,
        ).json()["job_id"]

        def final() -> str | None:
            answer = httpx.get(f"{server.url}/api/jobs/{job}", headers=headers, timeout=HANG_GUARD)
            state = str(answer.json()["state"])
            return state if state in ("succeeded", "failed") else None

        state = wait_for(final, f"job {job} finishing", every=0.5)
        assert state == "succeeded", server.log.read_text()[-3000:]
        models = httpx.get(server.url + "/api/models", headers=headers, timeout=HANG_GUARD).json()
        assert [m["name"] for m in models] == ["m"]
    finally:
        server.stop()
    assert children(server.process.pid) == []
