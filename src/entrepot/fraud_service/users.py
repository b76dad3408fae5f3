"""Deleting an account with everything it holds: models, datasets, predictions, objects.

Work in flight is stopped first: in one transaction the account is deactivated (signed out
everywhere, its tokens refused) and its queued and running jobs cancelled; then the
deletion awaits the workers still running them (a job's commits are refused from that
moment, ``jobs/guard.py``, and it stops at its next progress report). Only then are its
rows and objects removed, so nothing a job was writing lands after the purge.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from entrepot.accounts.admin import AdminService
from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import RecordNotFound
from entrepot.fraud_service.workspace import Workspace
from entrepot.messages import N_, Message

WorkspaceOf = Callable[[int], Workspace]
log = logging.getLogger("entrepot.accounts")
#: The error code of the jobs a deletion cancels.
CANCELLED_CODE = "account_deleted"


class UserDeletion:
    """Remove a user's data (rows first, then objects), then the account."""

    def __init__(
        self,
        workspace: WorkspaceOf,
        uow_factory: UnitOfWorkFactory,
        admin: AdminService,
        *,
        await_seconds: float = 30.0,
        poll_seconds: float = 0.1,
    ) -> None:
        self._workspace = workspace
        self._uow = uow_factory
        self._admin = admin
        self._await = await_seconds
        self._poll = poll_seconds

    def delete(self, actor: UserRecord, user_id: int) -> dict[str, Any]:
        """Delete account ``user_id`` and its data; returns what was removed (also logged)."""
        self._admin.check_deletable(actor, user_id)
        removed = self.purge(user_id)
        self._admin.delete_user(actor, user_id, removed)
        return removed

    def purge(self, user_id: int) -> dict[str, Any]:
        """Stop the work of ``user_id`` (see the module docstring), then remove its models,
        datasets, predictions and every object."""
        cancelled, waited = self.stop_work(user_id)
        removed = self._remove_data(user_id)
        return {**removed, "jobs_cancelled": cancelled, "jobs_still_running": waited}

    def stop_work(self, user_id: int) -> tuple[int, int]:
        """Deactivate ``user_id`` and cancel its jobs, then await the workers running them
        (at most ``await_seconds``); returns (jobs cancelled, jobs still running after)."""
        with self._uow() as uow:
            uow.users.lock_for_quota(user_id)  # after a submission in flight, before the next
            uow.users.update(user_id, is_active=False)
            uow.users.bump_epoch(user_id)
            cancelled = uow.jobs.cancel_owned(
                user_id,
                datetime.now(UTC),
                Message(N_("error.account_deleted")),
                CANCELLED_CODE,
            )
            uow.commit()
        deadline = time.monotonic() + self._await
        while True:
            with self._uow() as uow:
                held = uow.jobs.count_held(user_id, CANCELLED_CODE)
            if held == 0 or time.monotonic() >= deadline:
                break
            time.sleep(self._poll)
        if held:
            log.warning(
                "deleting an account whose jobs did not stop in time",
                extra={"user": user_id, "jobs": held},
            )
        return cancelled, held

    def _remove_data(self, user_id: int) -> dict[str, Any]:
        ws = self._workspace(user_id)
        versions = 0
        with self._uow() as uow:  # pending and failed versions too, not only ready ones
            names = uow.models.names(ws.owner)
        for name in names:
            for record in ws.registry.versions(name, all_states=True):
                try:
                    ws.registry.delete(name, record.version)
                except RecordNotFound:  # removed meanwhile
                    continue
                versions += 1
        with self._uow() as uow:
            predictions = uow.predictions.list(user_id, per_page=200)
            while predictions.items:
                for item in predictions.items:
                    uow.predictions.delete(user_id, item.id)
                predictions = uow.predictions.list(user_id, per_page=200)
            datasets = uow.datasets.list(user_id, per_page=200)
            while datasets.items:
                for dataset in datasets.items:
                    uow.datasets.delete(user_id, dataset.id)
                datasets = uow.datasets.list(user_id, per_page=200)
            rows = 0
            batch = uow.objects.list(prefix=ws.root, limit=500)
            while batch:
                for obj in batch:
                    uow.objects.delete(obj.key)
                    rows += 1
                batch = uow.objects.list(prefix=ws.root, limit=500)
            uow.commit()
        objects = ws.store.delete_prefix("")
        return {"model_versions": versions, "object_rows": rows, "objects": objects}
