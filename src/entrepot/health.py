"""Health checks shared by ``entrepot doctor`` and the web service's ``/health``."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from entrepot.catalog.migrate import current, head
from entrepot.errors import EntrepotError
from entrepot.storage.protocols import Store

PROBE_PREFIX = "_doctor"


@dataclass(frozen=True)
class Check:
    """The outcome of one health check."""

    name: str
    ok: bool
    detail: str
    warning: bool = False


def _run(name: str, action: Callable[[], str]) -> Check:
    try:
        return Check(name, True, action())
    except (EntrepotError, OSError) as exc:
        return Check(name, False, str(exc))


def check_store(store: Store) -> list[Check]:
    """Put, get, list and delete a probe object: each permission reported on its own."""
    key = f"{PROBE_PREFIX}/probe-{uuid.uuid4().hex}"
    payload = os.urandom(64)
    checks = [
        _run("store put", lambda: f"wrote {key} to {store.url}" if store.put(key, payload) else "")
    ]
    if not checks[0].ok:
        return checks

    def read() -> str:
        if store.get(key) != payload:
            raise EntrepotError("read back different bytes")
        return "read back and verified"

    def listed() -> str:
        if key not in {i.key for i in store.list(PROBE_PREFIX)}:
            raise EntrepotError("probe missing from the listing")
        return "probe listed"

    def delete() -> str:
        store.delete(key)
        return "probe deleted"

    checks += [_run("store get", read), _run("store list", listed), _run("store delete", delete)]
    return checks


def check_database(engine: Engine) -> Check:
    """The catalog is reachable and migrated to this version's head."""

    def probe() -> str:
        revision, latest = current(engine), head()
        if revision != latest:
            raise EntrepotError(
                f"schema at {revision or 'nothing'}, code expects {latest}",
                hint="run `entrepot db upgrade`",
            )
        return f"reachable, schema at {revision}"

    return _run("database", probe)


def check_folder(name: str, folder: Path) -> Check:
    """A folder exists (or can be created) and is writable."""

    def probe() -> str:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".entrepot-probe-"):
            pass
        return f"{folder} writable"

    return _run(name, probe)
