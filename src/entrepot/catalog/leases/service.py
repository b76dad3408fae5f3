"""A piece of work held by one process at a time across every machine that shares the
catalog (ADR 0092): :meth:`Leases.hold` takes the lease, beats it on a thread while the
work runs and gives it back at the end; :meth:`Leases.wait` returns once nobody alive
holds it. A holder that crashed stops beating, and after ``stale_after`` its lease is
taken over, so no crash blocks the others for longer than that."""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import RecordExists

#: How long a holder may stay silent before its lease is taken over.
STALE_AFTER = timedelta(seconds=120)
#: How often a holder beats (a small share of :data:`STALE_AFTER`).
BEAT_EVERY = 15.0
#: How often a waiting process looks again.
POLL = 1.0


def holder_name() -> str:
    """This process's name as a holder: its host, its pid and a random part."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(4)}"


class Leases:
    """Leases named ``prefix + name``, held as one holder per instance of this class."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        prefix: str = "",
        stale_after: timedelta = STALE_AFTER,
        beat_every: float = BEAT_EVERY,
        poll: float = POLL,
        clock: Callable[[], datetime] | None = None,
        holder: str | None = None,
    ) -> None:
        self._uow = uow_factory
        self._prefix = prefix
        self._stale_after = stale_after
        self._beat_every = beat_every
        self._poll = poll
        self._clock = clock or (lambda: datetime.now(UTC))
        self.holder = holder or holder_name()

    @contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        """Hold ``name`` while the block runs: ``True`` when this holder has it (beaten on a
        thread, given back at the end), ``False`` when another live holder has it."""
        if not self.take(name):
            yield False
            return
        stop = threading.Event()
        beater = threading.Thread(
            target=self._beat, args=(name, stop), name=f"lease-{name}"[:60], daemon=True
        )
        beater.start()
        try:
            yield True
        finally:
            stop.set()
            beater.join()
            self.release(name)

    def take(self, name: str) -> bool:
        """Take ``name`` if it is free or its holder stopped beating."""
        now = self._clock()
        try:
            with self._uow() as uow:
                taken = uow.leases.take(
                    self._prefix + name, self.holder, now, now - self._stale_after
                )
                uow.commit()
        except RecordExists:  # another process took it in the same instant
            return False
        return taken

    def release(self, name: str) -> None:
        """Give ``name`` back (if it is still this holder's)."""
        with self._uow() as uow:
            uow.leases.release(self._prefix + name, self.holder)
            uow.commit()

    def held_by_other(self, name: str) -> bool:
        """Whether another holder that is alive (beating) holds ``name``."""
        with self._uow() as uow:
            found = uow.leases.find(self._prefix + name)
        if found is None or found.holder == self.holder:
            return False
        return found.beat_at >= self._clock() - self._stale_after

    def wait(self, name: str) -> None:
        """Return once no live holder but this one holds ``name``."""
        while self.held_by_other(name):
            time.sleep(self._poll)

    def _beat(self, name: str, stop: threading.Event) -> None:
        while not stop.wait(self._beat_every):
            try:
                with self._uow() as uow:
                    uow.leases.beat(self._prefix + name, self.holder, self._clock())
                    uow.commit()
            except Exception:  # a missed beat is retried; the work goes on
                continue
