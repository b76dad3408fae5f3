"""The container image is the product, checked without Docker.

The Dockerfile installs every extra the product uses (all of pyproject's but ``dev`` and
``torch``, kept out of the lock). This module builds the same set of extras from the lock in
a fresh virtual environment, as the image does, and runs with it every command the compose
services run, in compose's order and with compose's environment (its hosts replaced by the
test's PostgreSQL, moto's S3 and Redis on 127.0.0.1): ``migrate``, ``app`` (answering its
health check), ``worker`` (taking city units), ``city`` (one round of the hourly loop over
the recorded live feeds), ``dask-scheduler`` and ``dask-worker`` (the health check reaches
the scheduler), and the README's first-admin command."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import text

from entrepot.catalog.engine import make_engine
from tests.support.databases import temporary_database
from tests.support.feeds import recorded_feeds
from tests.support.network import S3_REGION, free_port, unique_bucket
from tests.support.processes import wait_until_it_answers
from tests.support.waiting import HANG_GUARD

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.s3]

ROOT = Path(__file__).resolve().parents[2]
LOCKED = ("--constraint", str(ROOT / "requirements.lock"))
JSON = ("--json",)
#: Extras the image leaves out: the tests' tools, and PyTorch (not in the lock).
NOT_IN_IMAGE = {"dev", "torch"}
REDIS_URL = os.environ.get("ENTREPOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = f"image-test-{uuid.uuid4().hex}{uuid.uuid4().hex}"
PASSWORD = "a long enough password 123"
METRICS_TOKEN = uuid.uuid4().hex
METRICS = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def _image_extras() -> set[str]:
    found = re.search(r"^ARG EXTRAS=([\w,-]+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert found, "the Dockerfile names its extras in one ARG EXTRAS=..."
    return set(found.group(1).split(","))


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_the_image_installs_every_extra_of_the_product() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert _image_extras() == set(declared["optional-dependencies"]) - NOT_IN_IMAGE
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '--constraint requirements.lock ".[${EXTRAS}]"' in dockerfile
    assert "COPY scripts/city-hourly.sh" in dockerfile


@pytest.fixture(scope="module")
def image_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the image's extras at the lock's versions."""
    venv = tmp_path_factory.mktemp("image") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv, "uv is installed by `make setup`"
    extras_of = f"{ROOT}[{','.join(sorted(_image_extras()))}]"
    built = subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin/python"), *LOCKED, extras_of],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return venv / "bin"


@contextmanager
def _dask_services(image_bin: Path, folder: Path) -> Iterator[str]:
    """Compose's ``dask-scheduler`` and ``dask-worker`` commands, run from the image's
    environment on 127.0.0.1 (a free port, never 8786): the scheduler's address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = [*_command("dask-scheduler"), "--host", "127.0.0.1", "--port", str(port)]
    worker = [
        address if arg == "tcp://dask-scheduler:8786" else arg for arg in _command("dask-worker")
    ]
    worker = [str(folder / "dask") if arg == "/data/dask" else arg for arg in worker]
    assert address in worker, "the worker's command names the scheduler's address"
    env = {**os.environ, "PATH": f"{image_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = []
    try:
        for args in (scheduler, [*worker, "--host", "127.0.0.1"]):
            started.append(
                subprocess.Popen(
                    args,
                    env=env,
                    cwd=folder,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            if args is scheduler:
                _wait_for_port(port)
        yield address
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _wait_for_port(port: int) -> None:
    """Until something accepts connections on 127.0.0.1:``port`` (at most the hang guard)."""
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing answers on 127.0.0.1:{port}")


@pytest.fixture
def compose_env(
    tmp_path: Path, s3_endpoint: str, s3_client: Any, image_bin: Path
) -> Iterator[dict[str, str]]:
    """Compose's environment for the entrepot services, pointed at this machine's servers
    (the Dask scheduler and worker compose runs included, from the image's environment)."""
    bucket = unique_bucket()
    s3_client.create_bucket(Bucket=bucket)
    environment = dict(_compose()["x-entrepot"]["environment"])
    with temporary_database() as database_url, _dask_services(image_bin, tmp_path) as dask:
        environment.update(
            {
                "ENTREPOT_DASK_URL": dask,
                "ENTREPOT_DATABASE_URL": database_url,
                "ENTREPOT_STORE_URL": f"s3://{bucket}/data",
                "ENTREPOT_S3_ENDPOINT_URL": s3_endpoint,
                "ENTREPOT_S3_REGION": S3_REGION,
                "ENTREPOT_JOBS_URL": REDIS_URL,
                "ENTREPOT_JOBS_NAME": f"image-{uuid.uuid4().hex[:8]}",
                "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
                "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
                # what .env gives the services (.env.example), a reference library skipped
                "ENTREPOT_SECRET_KEY": SECRET,
                "ENTREPOT_REFERENCE_COUNT": "0",
                "ENTREPOT_METRICS_TOKEN": METRICS_TOKEN,
                # a cold first S3 probe on a loaded test machine takes more than 3 s
                "ENTREPOT_HEALTH_TIMEOUT": "60",
                # the image's own (its Dockerfile's ENV), under this test's folder
                "ENTREPOT_CACHE_DIR": str(tmp_path / "data/cache"),
                "ENTREPOT_VAR_DIR": str(tmp_path / "data/var"),
            }
        )
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ENTREPOT_", "AWS_")) and k not in {"PYTHONPATH", "VIRTUAL_ENV"}
        }
        base["PATH"] = f"{image_bin}{os.pathsep}{base.get('PATH', '')}"
        yield base | environment


def _command(name: str) -> list[str]:
    command: list[str] = _compose()["services"][name]["command"]
    return command


def _run(
    env: dict[str, str], folder: Path, args: list[str], stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args,
        env=env | extra,
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


def _serve(env: dict[str, str], folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The app service's command, on 127.0.0.1 and a free port instead of 0.0.0.0:8000."""
    args = _command("app")
    assert args[:2] == ["entrepot", "serve"]
    port = free_port()
    args = [a.replace("0.0.0.0", "127.0.0.1").replace("8000", str(port)) for a in args]
    with (folder / "app.log").open("wb") as log:  # the process holds its own copy
        app = subprocess.Popen(
            args, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_it_answers(url, app, folder / "app.log")
    return app, url


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_every_compose_command_runs_with_the_image_extras(
    compose_env: dict[str, str], tmp_path: Path
) -> None:
    env = compose_env
    migrated = _run(env, tmp_path, _command("migrate"))
    assert migrated.returncode == 0, migrated.stderr

    app, url = _serve(env, tmp_path)
    worker_args = _command("worker")
    assert worker_args[:2] == ["entrepot", "worker"]
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            worker_args,
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
    try:
        health = httpx.get(f"{url}/health", headers=METRICS, timeout=HANG_GUARD)
        assert health.status_code == 200, health.text  # catalog, S3 write/read, Redis

        city = _command("city")
        assert city[:2] == ["sh", "/opt/entrepot/scripts/city-hourly.sh"]
        with recorded_feeds() as feeds:
            hourly = _run(
                env | feeds.env,
                tmp_path,
                ["sh", str(ROOT / "scripts/city-hourly.sh")],
                CITY_HOURLY_ONCE="1",
            )
        assert hourly.returncode == 0, hourly.stderr
        assert hourly.stdout.count("collected") >= 6, hourly.stdout
        assert "failed" not in hourly.stderr, hourly.stderr

        # the worker service takes the city units a run sends to the queue
        shared = _run(
            env,
            tmp_path,
            ["entrepot", "city", "run", "--date", "2024-08-17", "--jobs", "--workers", "0", *JSON],
        )
        assert shared.returncode == 0, shared.stderr
        assert json.loads(shared.stdout)["computed"] >= 1

        admin = _run(
            env,
            tmp_path,
            ["entrepot", "users", "create", "you@example.com", "--admin", "--password-stdin"],
            stdin=PASSWORD,
        )
        assert admin.returncode == 0, admin.stderr
        signed = httpx.post(
            f"{url}/api/auth/login",
            json={"email": "you@example.com", "password": PASSWORD},
            timeout=HANG_GUARD,
        )
        assert signed.status_code == 200, signed.text
    finally:
        _stop(worker)
        _stop(app)
    engine = make_engine(env["ENTREPOT_DATABASE_URL"])
    try:
        with engine.connect() as sql:
            workers = set(
                sql.scalars(text("SELECT worker FROM jobs WHERE kind = 'city-unit'")).all()
            )
    finally:
        engine.dispose()
    assert workers == {f"{os.uname().nodename}:{worker.pid}"}
    assert not (tmp_path / "var").exists(), "no instance folder made where the commands ran"
