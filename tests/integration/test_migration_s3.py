"""Store migration against a real S3 server (moto) and PostgreSQL: round trips, a network
cut and a killed server mid-run, resume, rollback, and the IAM policy enforced by the
server.

The network cut goes through a TCP relay in front of the session's server: stopping the
relay makes the server unreachable exactly as a stopped server is (connection refused,
connections reset) while its objects survive, so the same destination URL can be resumed.
The killed server is an extra moto process started with the ``moto_server`` fixture and
terminated mid-run: its objects are lost, and the rollback must bring every row back.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypedDict

import pytest
from sqlalchemy import Engine

from entrepot.errors import AccessDenied, StoreUnavailable
from entrepot.health import probe_permissions
from entrepot.registry import Registry
from entrepot.relocation import MigrationState, Progress
from entrepot.relocation.iam import s3_policy
from entrepot.relocation.preflight import probe
from entrepot.storage.cache import CachedStore
from entrepot.storage.local import LocalStore
from entrepot.storage.s3 import S3Store
from entrepot.storage.s3_options import S3Options
from tests.support.relocation import World

pytestmark = [pytest.mark.s3, pytest.mark.postgres]


class Retries(TypedDict):
    """The retry and timeout fields of :class:`S3Options`."""

    max_retries: int
    retry_timeout: timedelta
    connect_timeout: timedelta


#: Fail fast once the server is gone, but ride out one dropped pooled connection.
FAST: Retries = {
    "max_retries": 2,
    "retry_timeout": timedelta(seconds=2),
    "connect_timeout": timedelta(seconds=1),
}


class Relay:
    """A TCP relay on a fixed 127.0.0.1 port to ``upstream``; ``stop()`` refuses new
    connections and resets the open ones, ``start()`` serves again on the same port."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self._upstream = (host, int(port))
        with socket.socket() as probe_socket:
            probe_socket.bind(("127.0.0.1", 0))
            self.port = int(probe_socket.getsockname()[1])
        self._server: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            sockets, self._open = self._open, set()
        if server is not None:
            server.close()
        for sock in sockets:
            with suppress(OSError):  # linger 0: the peer sees a reset, as from a dead server
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._server is not server:
                    client.close()
                    upstream.close()
                    return
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relay(s3_endpoint: str) -> Iterator[Relay]:
    relay = Relay(s3_endpoint)
    relay.start()
    yield relay
    relay.stop()


def new_bucket(s3_client: Any, name: str) -> str:
    s3_client.create_bucket(Bucket=name)
    return name


def s3_world(engine: Engine, home: Any, destination: Any) -> World:
    return World(engine, home, destination)


def at(progress_count: int, action: Callable[[], None]) -> Callable[[Progress], None]:
    fired = threading.Event()

    def on_progress(progress: Progress) -> None:
        if progress.done >= progress_count and not fired.is_set():
            fired.set()
            action()

    return on_progress


def test_local_to_s3_to_another_s3_to_local_round_trip(
    engine: Engine, tmp_path: Path, s3_options: S3Options, s3_client: Any
) -> None:
    first = LocalStore(tmp_path / "first")
    bucket = S3Store(new_bucket(s3_client, "migrate-round-trip"), "team", s3_options)
    there = World(engine, first, bucket)
    written = there.seed(25)
    big = bytes(range(256)) * (80 * 1024)  # 20 MiB: a multipart upload
    there.objects.put("datasets/big.bin", big, owner=None, kind="dataset")
    registry = Registry(
        there.located,
        CachedStore(there.located, tmp_path / "cache", 10**9),
        there.uow,
        secret="a-test-secret-long-enough",
        actor="tester",
    )
    model = tmp_path / "model.json"
    model.write_text('{"weights": [1, 2, 3]}')
    registry.push([model], "scorer", flavor="raw")

    report = there.migrations.migrate(bucket.url, jobs=4, deep=True)
    assert report.complete and report.repointed.objects == 25 + 1 + 2
    there.migrations.finalize()
    assert list(first.list("datasets")) == [] and list(first.list("models")) == []
    there.assert_every_row_verified()
    assert bucket.head("datasets/file-003.csv").content_type == "text/csv"
    assert registry.pull("scorer").files["model.json"].read_text() == model.read_text()

    other = S3Store(new_bucket(s3_client, "migrate-round-trip-2"), "", s3_options)
    across = World(engine, bucket, other)  # ENTREPOT_STORE_URL now names the first bucket
    assert across.migrations.migrate(other.url, jobs=4).complete
    across.migrations.finalize()
    assert list(bucket.list()) == []
    across.assert_every_row_verified()

    back_home = LocalStore(tmp_path / "second")
    back = World(engine, other, back_home)  # and now the second one
    assert back.migrations.migrate(back_home.url, jobs=4).complete
    back.migrations.finalize()
    assert list(other.list()) == []
    for key, data in written.items():
        assert back_home.get(key) == data
    assert back_home.get("datasets/big.bin") == big
    back.assert_every_row_verified()


def test_s3_unreachable_mid_run_then_resume_verify_and_rollback(
    engine: Engine, tmp_path: Path, s3_options: S3Options, s3_client: Any, relay: Relay
) -> None:
    home = LocalStore(tmp_path / "home")
    options = replace(s3_options, endpoint_url=relay.url, **FAST)
    destination = S3Store(new_bucket(s3_client, "migrate-cut"), "", options)
    world = World(engine, home, destination)
    world.seed(60)

    report = world.migrations.migrate(
        destination.url, jobs=2, batch_size=5, on_progress=at(20, relay.stop)
    )
    assert isinstance(report.aborted, StoreUnavailable), report
    assert 0 < report.repointed.objects < 60
    with pytest.raises(StoreUnavailable):
        world.migrations.resume()  # still unreachable: refused before anything changes
    relay.start()
    world.assert_every_row_verified()  # every row, moved or not, holds its exact bytes

    resumed = world.migrations.resume(jobs=2)
    assert resumed.complete
    assert report.repointed.objects + resumed.repointed.objects == 60
    assert world.migrations.verify().done.objects == 60
    world.assert_every_row_verified()

    undone = world.migrations.rollback(delete_copies=True, deep=True)
    assert undone.done.objects == 60 and undone.deleted == 60 and not undone.problems
    assert world.location_rows() == 0
    assert list(destination.list()) == []
    world.assert_every_row_verified()


def test_s3_server_killed_mid_run_then_rollback(
    engine: Engine, tmp_path: Path, moto_server: Any
) -> None:
    import boto3

    home = LocalStore(tmp_path / "home")
    with ExitStack() as server:
        endpoint = server.enter_context(moto_server())
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
        )
        options = S3Options(
            endpoint_url=endpoint,
            region="us-east-1",
            access_key_id="k",
            secret_access_key="s",
            **FAST,
        )
        destination = S3Store(new_bucket(s3, "migrate-killed"), "", options)
        world = World(engine, home, destination)
        world.seed(50)
        report = world.migrations.migrate(
            destination.url, jobs=2, batch_size=4, on_progress=at(15, server.close)
        )
    assert isinstance(report.aborted, StoreUnavailable)
    assert 0 < report.repointed.objects < 50
    # The server and every object it held are gone; the sources were kept.
    undone = world.migrations.rollback(deep=True)
    assert undone.done.objects == report.repointed.objects and not undone.problems
    assert world.location_rows() == 0
    status = world.migrations.status()
    assert status is not None and status.migration.state is MigrationState.ROLLED_BACK
    world.assert_every_row_verified()


# -- the IAM policy, enforced by a server that checks credentials ------------------------


@pytest.fixture(scope="module")
def iam_server(moto_server: Any) -> Iterator[dict[str, Any]]:
    """A moto server checking signatures and policies, a bucket, and two users holding
    ``entrepot iam-policy`` and ``entrepot iam-policy --read-only`` for its ``team/``."""
    import boto3

    # Free requests: the bucket, then per user: create, access key, policy.
    with moto_server(env={"INITIAL_NO_AUTH_ACTION_COUNT": "7"}) as endpoint:
        where = {"endpoint_url": endpoint, "region_name": "us-east-1"}
        creds = {"aws_access_key_id": "boot", "aws_secret_access_key": "boot"}
        boto3.client("s3", **where, **creds).create_bucket(Bucket="entrepot-iam")  # type: ignore[call-overload]
        iam = boto3.client("iam", **where, **creds)  # type: ignore[call-overload]
        users = {}
        for name, read_only in (("writer", False), ("reader", True)):
            iam.create_user(UserName=name)
            key = iam.create_access_key(UserName=name)["AccessKey"]
            policy = s3_policy("entrepot-iam", "team", read_only=read_only)
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
            users[name] = (key["AccessKeyId"], key["SecretAccessKey"])
        yield {"endpoint": endpoint, "users": users}


def as_user(server: dict[str, Any], user: str, prefix: str = "team") -> S3Store:
    key_id, secret = server["users"][user]
    options = S3Options(
        endpoint_url=server["endpoint"],
        region="us-east-1",
        access_key_id=key_id,
        secret_access_key=secret,
        **FAST,
    )
    return S3Store("entrepot-iam", prefix, options)


def test_the_policy_grants_every_operation_under_its_prefix(iam_server: dict[str, Any]) -> None:
    import boto3

    checks = {c.name: c for c in probe_permissions(as_user(iam_server, "writer"))}
    for name in ("store list", "store put", "store head", "store get"):
        assert checks[name].ok, checks[name].detail
    # obstore deletes with the bulk DeleteObjects request, which moto authorizes against the
    # bucket policy only (AWS checks s3:DeleteObject per key, in the user's policy too):
    # the delete grant is checked with the single-object request instead.
    key_id, secret = iam_server["users"]["writer"]
    writer = boto3.client(
        "s3",
        endpoint_url=iam_server["endpoint"],
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )
    writer.put_object(Bucket="entrepot-iam", Key="team/to-delete", Body=b"1")
    writer.delete_object(Bucket="entrepot-iam", Key="team/to-delete")
    # Outside the prefix nothing is granted (moto does not evaluate the listing's s3:prefix
    # condition: tests/unit/relocation/test_pure.py checks the document).
    with pytest.raises(AccessDenied):
        as_user(iam_server, "writer", prefix="elsewhere").put("k", b"1")


def test_a_read_only_destination_is_refused_naming_the_permission(
    iam_server: dict[str, Any],
) -> None:
    reader = as_user(iam_server, "reader")
    checks = {c.name: c for c in probe_permissions(reader)}
    assert checks["store list"].ok and not checks["store put"].ok
    with pytest.raises(AccessDenied, match="put"):
        probe(reader)
