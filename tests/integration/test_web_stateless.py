"""Stateless: two app processes on different ports share one store folder, one
PostgreSQL database and one Redis queue. Upload through one, train, download through the
other; a session opened on one is valid on the other."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.databases import temporary_database
from tests.support.network import free_port
from tests.support.processes import wait_until_it_answers
from tests.support.waiting import HANG_GUARD, wait_for
from tests.support.web import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
REDIS_URL = os.environ.get("ENTREPOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Instance:
    """One ``entrepot serve`` process."""

    def __init__(self, name: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
        self.name, self.port, self.process, self.log = name, port, process, log
        self.url = f"http://127.0.0.1:{port}"


def env_for(shared: Path, own: Path, database: str, queue: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    env.update(
        {
            "ENTREPOT_STORE_URL": str(shared / "store"),
            "ENTREPOT_DATABASE_URL": database,
            "ENTREPOT_CACHE_DIR": str(own / "cache"),
            "ENTREPOT_VAR_DIR": str(own / "var"),
            "ENTREPOT_JOBS_URL": REDIS_URL,
            "ENTREPOT_JOBS_NAME": queue,
            "ENTREPOT_SECRET_KEY": "shared-secret-for-both-instances-0123456789",
            "ENTREPOT_TRAINING_BUDGET": "2",
            "ENTREPOT_TRAINING_CLOCK": "steps",
            "ENTREPOT_REFERENCE_COUNT": "0",
        }
    )
    return env


def cli(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "entrepot.cli.serve", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def start(name: str, env: dict[str, str], folder: Path, *flags: str) -> Instance:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "entrepot.cli.serve", "serve", "--port", str(port), *flags],
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    instance = Instance(name, port, process, log)
    wait_until_it_answers(instance.url, process, log)
    return instance


@pytest.fixture(scope="module")
def pair(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Instance, Instance, dict[str, str]]]:
    tmp_path = tmp_path_factory.mktemp("stateless")
    with temporary_database() as database:
        engine = make_engine(database)
        upgrade(engine)
        engine.dispose()
        queue = f"entrepot-test-{uuid.uuid4().hex[:8]}"
        env_a = env_for(tmp_path, tmp_path / "a", database, queue)
        env_b = env_for(tmp_path, tmp_path / "b", database, queue)
        cli(env_a, tmp_path, "users", "create", "a@example.com", "--password-stdin", stdin=PASSWORD)
        token = cli(env_a, tmp_path, "users", "token", "a@example.com").strip()
        a = start("a", env_a, tmp_path / "a", "--no-migrate")
        b = start("b", env_b, tmp_path / "b", "--no-migrate", "--no-worker")
        try:
            yield a, b, {"Authorization": f"Bearer {token}"}
        finally:
            for instance in (a, b):
                instance.process.terminate()
                try:
                    instance.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    instance.process.kill()
                    instance.process.wait()


def wait_job(url: str, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        answer = httpx.get(f"{url}/api/jobs/{job_id}", headers=headers, timeout=HANG_GUARD)
        job: dict[str, Any] = answer.json()
        return job if job["state"] in ("succeeded", "failed") else None

    return wait_for(final, f"job {job_id} finishing", every=0.5)


def test_upload_on_one_train_and_download_on_the_other(
    pair: tuple[Instance, Instance, dict[str, str]],
) -> None:
    a, b, auth = pair
    uploaded = httpx.post(
        f"{a.url}/api/upload", headers=auth, files={"file": ("cards.csv", labelled_csv())}
    )
    assert uploaded.status_code == 201, uploaded.text
    dataset = uploaded.json()["dataset_id"]
    assert httpx.get(f"{b.url}/api/datasets/{dataset}", headers=auth).status_code == 200

    train = httpx.post(
        f"{b.url}/api/train", headers=auth, json={"dataset_id": dataset, "model_name": "shared"}
    )
    assert train.status_code == 202, train.text
    job = wait_job(b.url, auth, train.json()["job_id"])  # queued on b, run by a's worker
    assert job["state"] == "succeeded", job
    model = job["result"]["model_id"]

    fresh = httpx.post(
        f"{b.url}/api/upload", headers=auth, files={"file": ("new.csv", unlabelled_csv())}
    ).json()["dataset_id"]
    scored = httpx.post(
        f"{a.url}/api/predict", headers=auth, json={"model_id": model, "dataset_id": fresh}
    )
    result = wait_job(a.url, auth, scored.json()["job_id"])["result"]
    from_a = httpx.get(f"{a.url}/api/predictions/{result['prediction_id']}/download", headers=auth)
    from_b = httpx.get(f"{b.url}/api/predictions/{result['prediction_id']}/download", headers=auth)
    assert from_a.status_code == from_b.status_code == 200
    assert from_a.content == from_b.content and from_a.content.count(b"\n") == 501
    zipped = httpx.get(f"{b.url}/api/models/{model}/download", headers=auth)
    assert zipped.status_code == 200 and zipped.content[:2] == b"PK"

    folders = [Path(i.log).parent / "var" for i in (a, b)]
    for own in folders:  # nothing kept on the instances' disks
        assert not [p for p in own.rglob("*") if p.is_file() and p.suffix in (".csv", ".part")]


def test_a_session_opened_on_one_instance_works_on_the_other(
    pair: tuple[Instance, Instance, dict[str, str]],
) -> None:
    a, b, _ = pair
    with httpx.Client(base_url=a.url) as browser:
        signed = browser.post(
            "/api/auth/login", json={"email": "a@example.com", "password": PASSWORD}
        )
        assert signed.status_code == 200
        cookie = browser.cookies["entrepot_session"]
        csrf = signed.json()["csrf_token"]
    with httpx.Client(base_url=b.url, cookies={"entrepot_session": cookie}) as other:
        assert other.get("/api/me").json()["user"]["email"] == "a@example.com"
        made = other.post("/api/tokens", json={"name": "b"}, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201
