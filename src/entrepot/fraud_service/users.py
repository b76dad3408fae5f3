"""Deleting an account with everything it holds: models, datasets, predictions, objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from entrepot.accounts.admin import AdminService
from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.fraud_service.workspace import Workspace

WorkspaceOf = Callable[[int], Workspace]


class UserDeletion:
    """Remove a user's data (rows first, then objects), then the account."""

    def __init__(
        self, workspace: WorkspaceOf, uow_factory: UnitOfWorkFactory, admin: AdminService
    ) -> None:
        self._workspace = workspace
        self._uow = uow_factory
        self._admin = admin

    def delete(self, actor: UserRecord, user_id: int) -> dict[str, Any]:
        """Delete account ``user_id`` and its data; returns what was removed (also logged)."""
        self._admin.check_deletable(actor, user_id)
        removed = self.purge(user_id)
        self._admin.delete_user(actor, user_id, removed)
        return removed

    def purge(self, user_id: int) -> dict[str, Any]:
        """Remove the models, datasets, predictions and every object of ``user_id``."""
        ws = self._workspace(user_id)
        versions = 0
        for summary in ws.registry.list():
            for record in ws.registry.versions(summary.name, all_states=True):
                ws.registry.delete(summary.name, record.version)
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
