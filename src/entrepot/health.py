"""Health checks shared by ``entrepot doctor`` and the web service's ``/health``.

Each check reports instead of raising. The store is probed for every permission the
application uses (list, put, head, get, delete), each reported on its own, on a probe
object under :data:`PROBE_PREFIX`; the catalog for its reachability and migration level;
the job queue through a callable the entrypoint passes (this layer does not know the
queue's implementation).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from entrepot.catalog.migrate import alembic_config, current, head
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import EntrepotError, IntegrityError, NotMigrated
from entrepot.messages import N_, Message
from entrepot.storage.protocols import Store

PROBE_PREFIX = "_doctor"


@dataclass(frozen=True)
class Check:
    """The outcome of one health check."""

    name: str
    ok: bool
    detail: str
    warning: bool = False
    #: The error behind a failed check, for callers that stop on it.
    error: Exception | None = None


def _run(name: str, action: Callable[[], str]) -> Check:
    try:
        return Check(name, True, action())
    except (EntrepotError, OSError) as exc:
        return Check(name, False, str(exc), error=exc)


def probe_permissions(store: Store) -> list[Check]:
    """Probe each permission on its own: ``store list`` (needs nothing written), then
    ``store put`` of a probe object and, if it was written, ``store head``, ``store get``
    and ``store delete`` of it. Checks that could not run say so and fail."""
    key = f"{PROBE_PREFIX}/probe-{uuid.uuid4().hex}"
    payload = os.urandom(64)

    def listing() -> str:
        next(iter(store.list(PROBE_PREFIX)), None)
        return f"{store.url} answers listings"

    def put() -> str:
        store.put(key, payload, if_absent=True)
        return f"wrote {key}"

    def head() -> str:
        info = store.head(key)
        if info.size != len(payload) or info.sha256 is None:
            raise IntegrityError(
                "the store does not report the probe's size and sha256",
                key=key,
                said=Message(N_("error.health.probe_size")),
            )
        return "size and sha256 recorded"

    def get() -> str:
        if store.get(key) != payload:
            raise IntegrityError(
                "read back different bytes", key=key, said=Message(N_("error.health.probe_bytes"))
            )
        return "read back and verified"

    def delete() -> str:
        store.delete(key)
        if store.exists(key):
            raise EntrepotError(
                f"the probe {key} is still there after its deletion",
                said=Message(N_("error.health.probe_left"), {"key": key}),
            )
        return "probe deleted"

    checks = [_run("store list", listing), _run("store put", put)]
    if not checks[1].ok:
        skipped = "not probed: the probe object could not be written"
        return checks + [Check(f"store {op}", False, skipped) for op in ("head", "get", "delete")]
    return [*checks, _run("store head", head), _run("store get", get), _run("store delete", delete)]


def check_store(store: Store) -> list[Check]:
    """The permission probes of :func:`probe_permissions`, listing first so that a store
    refusing writes still shows whether it can be read."""
    return probe_permissions(store)


def check_database(engine: Engine) -> Check:
    """The catalog is reachable and migrated to this version's head; a database behind
    names the revisions it lacks."""

    def probe() -> str:
        revision, latest = current(engine), head()
        if revision != latest:
            raise NotMigrated(
                f"schema at {revision or 'nothing'}, code expects {latest}"
                + _missing(revision, latest),
                hint="run `entrepot db upgrade`",
                said=Message(
                    N_("error.health.schema_behind"),
                    {"revision": revision or "–", "latest": latest},
                ),
            )
        return f"reachable, schema at {revision} (latest)"

    return _run("database", probe)


def _missing(revision: str | None, latest: str) -> str:
    """`` (missing: 0004, 0005)`` when ``revision`` is an ancestor of ``latest``."""
    scripts = ScriptDirectory.from_config(alembic_config())
    try:
        steps = list(scripts.iterate_revisions(latest, revision or "base"))
    except Exception:  # an unknown revision (a newer Entrepôt migrated it): nothing to list
        return ""
    names = sorted(step.revision for step in steps)
    return f" (missing: {', '.join(names)})" if names else ""


def check_job_queue(description: str, pending: Callable[[], int]) -> Check:
    """The job queue answers: ``pending()`` counts the waiting jobs (it raises, typically
    ``ConnectionError``, when the queue's broker cannot be reached)."""
    try:
        waiting = pending()
    except Exception as exc:  # a health check reports, it never raises
        return Check("job queue", False, f"{description}: {type(exc).__name__}: {exc}", error=exc)
    return Check("job queue", True, f"{description}: {waiting} job(s) waiting")


def check_folder(name: str, folder: Path) -> Check:
    """A folder exists (or can be created) and is writable."""

    def probe() -> str:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".entrepot-probe-"):
            pass
        return f"{folder} writable"

    return _run(name, probe)


def durability(platform: str | None, *, remote: bool) -> Check | None:
    """A warning when a local store runs on a cloud ``platform`` (its objects vanish with
    the container), else ``None``."""
    if platform is None or remote:
        return None
    return Check(
        "store durability",
        True,
        f"running on {platform} with a local store: objects vanish with the container; "
        "set ENTREPOT_STORE_URL=s3://bucket/prefix",
        warning=True,
    )


def check_store_roundtrip(store: Store) -> Check:
    """The store does what the service needs, as one check: a small probe written,
    read back and verified, then deleted (a bucket that was deleted, or one that only
    answers ``HEAD``, fails here where an ``exists()`` would pass)."""
    checks = probe_permissions(store)
    failed = [c for c in checks if not c.ok]
    if failed:
        first = failed[0]
        return Check("store", False, f"{first.name}: {first.detail}", error=first.error)
    return Check("store", True, "a probe was written, read back, verified and deleted")


def check_damage(uow_factory: UnitOfWorkFactory) -> Check:
    """The catalog's damage register: objects ``entrepot verify`` or a read found damaged.

    Damage is a warning, not a failure: the service still answers (a damaged object gets a
    clear integrity error, or is served from the cache's verified copy), and pulling every
    instance out of a load balancer would not mend the store."""
    try:
        with uow_factory() as uow:
            summary = uow.damage.summary()
    except (EntrepotError, OSError) as exc:
        return Check("integrity", False, str(exc), error=exc)
    if not summary.objects or summary.latest is None:
        return Check("integrity", True, "no damaged object recorded")
    served = (
        f"; {summary.with_cached_copy} still served from a verified cached copy"
        if summary.with_cached_copy
        else ""
    )
    detail = (
        f"{summary.objects} damaged object(s) recorded, the latest at "
        f"{summary.latest:%Y-%m-%d %H:%M %Z}{served}: see `entrepot verify`, "
        "which lists them and with --repair restores the cached ones"
    )
    return Check("integrity", True, detail, warning=True)


class BoundedChecks:
    """Runs checks each within ``timeout`` seconds, so a frozen dependency (an S3 that
    accepts the connection and never answers) makes ``/health`` say so in seconds.

    A check that overruns is left to finish in its own thread and reported as failing;
    until it finishes, the same check is not started again (a frozen store never piles
    up threads), and its failure is reported at once. Results are reused for
    ``reuse_for`` seconds, so that polling ``/health`` does not write to the store at
    the pollers' rate.
    """

    def __init__(
        self,
        timeout: float,
        *,
        reuse_for: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout = timeout
        self._reuse_for = reuse_for
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, threading.Thread] = {}
        self._last: dict[str, tuple[float, Check]] = {}

    def run(self, name: str, check: Callable[[], Check]) -> Check:
        """``check()``'s outcome, or a failure if it takes longer than the timeout."""
        with self._lock:
            now = self._clock()
            last = self._last.get(name)
            if last is not None and now - last[0] < self._reuse_for:
                return last[1]
            running = self._running.get(name)
            if running is not None and running.is_alive():
                return Check(
                    name, False, f"the previous probe has not answered after {self._timeout:g} s"
                )
            box: list[Check] = []
            thread = threading.Thread(
                target=self._call, args=(name, check, box), name=f"health-{name}", daemon=True
            )
            self._running[name] = thread
            thread.start()
        thread.join(self._timeout)
        if not box:
            return Check(name, False, f"no answer within {self._timeout:g} s")
        with self._lock:
            self._last[name] = (self._clock(), box[0])
        return box[0]

    @staticmethod
    def _call(name: str, check: Callable[[], Check], box: list[Check]) -> None:
        try:
            box.append(check())
        except Exception as exc:  # a health check reports, it never raises
            box.append(Check(name, False, f"{type(exc).__name__}: {exc}", error=exc))
