"""The key ring as the catalog holds it (ADR 0035): loaded and unwrapped with the instance
secret, created on first use from that secret (so every signature made before the ring
keeps verifying), rotated, exported, imported and re-wrapped for another secret.

``db copy`` carries the rows; a moved installation with another secret opens them after
``entrepot secrets rewrap --old-secret-file FILE`` (or ``secrets import`` of an export).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from entrepot.catalog.keyring.repository import WrappedKey
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import CatalogError, ConfigError, DatabaseUnavailable, NotMigrated
from entrepot.messages import N_, Message
from entrepot.registry.keyring import KeyRing, key_id
from entrepot.registry.wrapping import unwrap, wrap

#: The format of ``entrepot secrets export``.
EXPORT_FORMAT = "entrepot-key-ring-v1"


@dataclass(frozen=True)
class RingState:
    """What ``secrets`` commands report: the key ids, oldest first, and the one that signs."""

    ids: tuple[str, ...]
    active: str


class KeyRingService:
    """The ring of one catalog, opened with ``secret``; loaded once, reloaded after a write."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        secret: str,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._secret = secret
        self._clock = clock or (lambda: datetime.now(UTC))
        self._ring: KeyRing | None = None
        self._lock = threading.Lock()

    def ring(self) -> KeyRing:
        """The ring (made from the instance secret if the catalog has none yet)."""
        with self._lock:
            if self._ring is None:
                self._ring = self._load()
            return self._ring

    def state(self) -> RingState:
        """The key ids and the one that signs."""
        ring = self.ring()
        return RingState(ring.ids, ring.active)

    def rotate(self) -> RingState:
        """Add a new random key that signs from now on; every older key still verifies."""
        self.ring()
        self._add(secrets.token_urlsafe(48))
        return self.state()

    def export(self) -> dict[str, Any]:
        """The ring in clear (for ``secrets export``: the caller writes it 0600)."""
        return {
            "format": EXPORT_FORMAT,
            "keys": [{"id": i, "key": k} for i, k in self.ring().keys],
        }

    def import_(self, document: Mapping[str, Any]) -> RingState:
        """Add every key of an export that the ring lacks (the newest of the export signs
        only if the ring had none); a key whose id does not match it is refused."""
        if document.get("format") != EXPORT_FORMAT or not isinstance(document.get("keys"), list):
            raise ConfigError(
                "this file is not an export of an Entrepôt key ring",
                hint="make one with `entrepot secrets export --to FILE` on the old installation",
                said=Message(N_("error.registry.not_a_key_export")),
            )
        keys = []
        for entry in document["keys"]:
            key = str(entry.get("key", "")) if isinstance(entry, Mapping) else ""
            if not key or key_id(key) != entry.get("id"):
                raise ConfigError(
                    "the export holds a key whose id does not match it: it was edited or damaged",
                    hint="export the ring again from the old installation",
                    said=Message(N_("error.registry.key_export_damaged")),
                )
            keys.append(key)
        with self._uow() as uow:
            rows = uow.keyring.all()
            known = {row.key_id for row in rows}
            fresh = list(dict.fromkeys(k for k in keys if key_id(k) not in known))
            # into an empty ring the export's newest key signs; otherwise the ring's own
            # signing key stays the newest and the imported ones only verify
            start = rows[0].created_at if rows else self._clock()
            for n, key in enumerate(fresh):
                uow.keyring.add(self._wrapped(key, start + timedelta(microseconds=n - len(fresh))))
            uow.commit()
        self._forget()
        return self.state()

    def rewrap(self, old_secret: str) -> RingState:
        """Re-encrypt every key, wrapped with ``old_secret``, with this instance's secret."""
        with self._uow() as uow:
            rows = uow.keyring.all()
            opened = [(row, unwrap(old_secret, row.wrapped, key_id=row.key_id)) for row in rows]
            uow.keyring.replace_all(
                WrappedKey(row.key_id, wrap(self._secret, key), row.created_at)
                for row, key in opened
            )
            uow.commit()
        self._forget()
        return self.state()

    # -- inside ------------------------------------------------------------------------
    def _load(self) -> KeyRing:
        with self._uow() as uow:
            rows = uow.keyring.all()
            if not rows:  # the first key is the instance secret: older signatures verify
                uow.keyring.add(self._wrapped(self._secret, self._clock()))
                try:
                    uow.commit()
                except (SQLAlchemyError, CatalogError) as exc:  # another process made it first
                    if isinstance(exc, (DatabaseUnavailable, NotMigrated)):
                        raise
        if not rows:
            with self._uow() as uow:
                rows = uow.keyring.all()
        return KeyRing(
            tuple(
                (row.key_id, unwrap(self._secret, row.wrapped, key_id=row.key_id)) for row in rows
            )
        )

    def _add(self, key: str) -> None:
        with self._uow() as uow:
            rows = uow.keyring.all()
            moment = self._clock()
            if rows and moment <= rows[-1].created_at:  # the newest key signs: keep it last
                moment = rows[-1].created_at + timedelta(microseconds=1)
            uow.keyring.add(self._wrapped(key, moment))
            uow.commit()
        self._forget()

    def _wrapped(self, key: str, moment: datetime) -> WrappedKey:
        return WrappedKey(key_id(key), wrap(self._secret, key), moment)

    def _forget(self) -> None:
        with self._lock:
            self._ring = None
