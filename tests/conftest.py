"""Fixtures for every test folder: fresh stores of each kind and a real S3 server.

The S3 server is moto's, run as a subprocess on a free 127.0.0.1 port, started once per
session and only when a test asks for it (``s3_endpoint`` or anything built on it). For
that session the process environment holds dummy AWS credentials and no AWS profile, so
code that resolves credentials the standard way talks to moto too.

Fixtures:

- ``s3_endpoint``: the server's URL; ``s3_options``: :class:`S3Options` for it;
  ``s3_client``: a boto3 client on it (to inspect or tamper behind a store's back);
- ``s3_store_factory(prefix="", **options)``: an :class:`S3Store` on a new bucket;
- ``make_store(kind)``: a new empty store, kind in :data:`STORE_KINDS`;
- ``store``: one new empty store per kind (the test runs once per kind);
- ``moto_server(env=...)``: start another server (e.g. one that checks credentials).

Tests that use S3 are marked ``s3`` automatically, and those that drive Chromium ``browser``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from entrepot.storage.base import BaseStore
from entrepot.storage.local import LocalStore
from entrepot.storage.memory import MemoryStore
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_options import S3Options
from tests.support.network import S3_REGION, free_port, listening, unique_bucket
from tests.support.waiting import wait_for

STORE_KINDS = ("memory", "local", "s3")
S3_ACCESS_KEY_ID = "testing"
S3_SECRET_ACCESS_KEY = "testing"
#: AWS variables that could point the tests at a real account or another endpoint.
_AWS_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_REGION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)

MotoServer = Callable[..., AbstractContextManager[str]]


def _up_or_gone(process: subprocess.Popen[bytes], port: int) -> bool:
    """Whether the server listens on ``port``, or exited (another process took the port)."""
    return process.poll() is not None or listening(port)


@contextmanager
def _moto_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``python -m moto.server`` on a free port until the block ends; yield its URL."""
    with tempfile.TemporaryFile() as log:
        for _attempt in range(3):  # another process may take the free port first
            port = free_port()
            process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )
            try:  # it exits when another process took the port: the next attempt
                wait_for(partial(_up_or_gone, process, port), "moto listening")
            except BaseException:
                process.kill()
                raise
            if process.poll() is None:
                break
        else:
            log.seek(0)
            output = log.read().decode(errors="replace")[-2000:]
            pytest.fail(f"moto S3 server would not start:\n{output}")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(autouse=True)
def _own_user_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each test its own user data folder (``XDG_DATA_HOME``): the folder-signing key a
    command makes there (ADR 0082) is never the developer's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("user-data")))


@pytest.fixture(scope="session")
def moto_server() -> MotoServer:
    """Start an extra moto server: ``with moto_server(env={...}) as endpoint: ...``."""
    return _moto_server


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of the session's moto S3 server, with dummy credentials in the environment."""
    with pytest.MonkeyPatch.context() as env:
        for name in _AWS_ENV:
            env.delenv(name, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", S3_ACCESS_KEY_ID)
        env.setenv("AWS_SECRET_ACCESS_KEY", S3_SECRET_ACCESS_KEY)
        env.setenv("AWS_DEFAULT_REGION", S3_REGION)
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        with _moto_server() as endpoint:
            yield endpoint


@pytest.fixture(scope="session")
def s3_options(s3_endpoint: str) -> S3Options:
    """Options reaching the session's S3 server."""
    return S3Options(
        endpoint_url=s3_endpoint,
        region=S3_REGION,
        access_key_id=S3_ACCESS_KEY_ID,
        secret_access_key=S3_SECRET_ACCESS_KEY,
    )


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: str) -> Any:
    """A boto3 S3 client on the session's server."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_ACCESS_KEY_ID,
        aws_secret_access_key=S3_SECRET_ACCESS_KEY,
    )


@pytest.fixture
def s3_store_factory(s3_options: S3Options, s3_client: Any) -> Callable[..., S3Store]:
    """Make an :class:`S3Store` on a new bucket: ``factory(prefix="", **option_changes)``."""

    def make(prefix: str = "", **changes: Any) -> S3Store:
        bucket = unique_bucket()
        s3_client.create_bucket(Bucket=bucket)
        return S3Store(bucket, prefix, replace(s3_options, **changes))

    return make


@pytest.fixture
def make_store(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], BaseStore]:
    """Make a new empty store of a kind in :data:`STORE_KINDS`."""
    numbers = itertools.count()

    def make(kind: str) -> BaseStore:
        number = next(numbers)
        if kind == "memory":
            return MemoryStore(f"test-{number}")
        if kind == "local":
            return LocalStore(tmp_path / f"store-{number}")
        if kind == "s3":
            factory: Callable[..., S3Store] = request.getfixturevalue("s3_store_factory")
            return factory()
        raise ValueError(f"unknown store kind {kind!r}; use one of {STORE_KINDS}")

    return make


@pytest.fixture(
    params=[pytest.param(k, marks=pytest.mark.s3) if k == "s3" else k for k in STORE_KINDS]
)
def store(request: pytest.FixtureRequest, make_store: Callable[[str], BaseStore]) -> BaseStore:
    """A new empty store; the test runs once per kind (memory, local, s3)."""
    kind: str = request.param
    return make_store(kind)


def _drives_a_browser(item: pytest.Item) -> bool:
    """Whether ``item`` needs Chromium: it takes the ``browser`` fixture, or its module
    uses the browser helpers (``tests.support.browser``) or Selenium."""
    if "browser" in getattr(item, "fixturenames", ()):
        return True
    module = getattr(item, "module", None)
    return (
        any(
            str(getattr(value, "__module__", "")).startswith(("tests.support.browser", "selenium"))
            for value in vars(module).values()
        )
        if module is not None
        else False
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "s3_endpoint" in fixtures:
            item.add_marker(pytest.mark.s3)
        if _drives_a_browser(item):
            item.add_marker(pytest.mark.browser)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Print the two seeds that decide this run first, even under ``-q``, so a failure can be
    replayed: ``PYTHONHASHSEED=H pytest --randomly-seed=R`` reruns it."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    hash_seed = os.environ.get("PYTHONHASHSEED", "random (not set)")
    order_seed = getattr(session.config.option, "randomly_seed", None)
    order = f"--randomly-seed={order_seed}" if order_seed is not None else "in file order"
    reporter.write_line(f"PYTHONHASHSEED={hash_seed}; order: {order}")


def pytest_configure(config: pytest.Config) -> None:
    """No test works on a deployed service by accident: the user's own login (in their
    configuration folder) and ``ENTREPOT_URL``/``ENTREPOT_TOKEN`` stay out of the run;
    every process the tests start finds an empty configuration folder of its own. The
    commands speak English unless a test asks for another language (``LANG``)."""
    folder = tempfile.mkdtemp(prefix="entrepot-test-config-")
    os.environ["XDG_CONFIG_HOME"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))  # left nothing
    for name in ("ENTREPOT_URL", "ENTREPOT_TOKEN", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        os.environ.pop(name, None)
    os.environ["LANG"] = "C.UTF-8"
