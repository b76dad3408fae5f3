"""Stored predictions: read, sent back verified, deleted; one owner at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from entrepot.catalog.accounts.records import Page
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.catalog.workspace.records import PredictionRecord
from entrepot.fraud_service.errors import NotInNamespace
from entrepot.fraud_service.workspace import Workspace, user_root
from entrepot.messages import N_, Message
from entrepot.services.objects import ObjectService
from entrepot.services.verified import VerifiedFile
from entrepot.storage.keys import validate_key

WorkspaceOf = Callable[[int], Workspace]


class PredictionService:
    """A user's predictions."""

    def __init__(
        self,
        workspace: WorkspaceOf,
        uow_factory: UnitOfWorkFactory,
        objects: ObjectService,
        *,
        temp_dir: Path | None = None,
    ) -> None:
        self._workspace = workspace
        self._uow = uow_factory
        self._objects = objects
        self._temp_dir = temp_dir

    def get(self, user_id: int, prediction_id: str) -> PredictionRecord:
        """Prediction ``prediction_id`` of ``user_id`` (another user's is not found)."""
        with self._uow() as uow:
            return uow.predictions.get(user_id, prediction_id)

    def list(self, user_id: int, *, page: int = 1, per_page: int = 50) -> Page[PredictionRecord]:
        """``user_id``'s predictions, newest first."""
        with self._uow() as uow:
            return uow.predictions.list(user_id, page=page, per_page=per_page)

    def by_key(self, user_id: int, key: str) -> PredictionRecord:
        """The prediction stored under the store key ``key`` (the seeds' download by key).

        The key is validated first (``..``, encoded dots, absolute paths refused); a key
        outside ``users/{user_id}/`` raises :class:`NotInNamespace` before any lookup, so
        the answer says nothing of what exists elsewhere; inside, the catalog must know it
        as one of the user's predictions.
        """
        validate_key(key)
        if not key.startswith(user_root(user_id)):
            raise NotInNamespace(
                "this key is outside your folder", said=Message(N_("error.fraud.outside_folder"))
            )
        with self._uow() as uow:
            return uow.predictions.by_key(user_id, key)

    def open(self, record: PredictionRecord) -> VerifiedFile:
        """The CSV's bytes, verified whole against the catalog's sha256 before this returns
        (raises ``IntegrityError`` for damaged bytes), so a download never starts with bytes
        that may turn out bad; close it when sent."""
        return self._objects.open_verified(record.key, folder=self._temp_dir)

    def flags(self, record: PredictionRecord) -> np.ndarray:
        """Whether each row of the prediction was flagged (its scores file's ``prediction``
        column, read from the verified bytes), in row order."""
        verified = self.open(record)
        try:
            column = pd.read_csv(verified.handle, usecols=["prediction"])["prediction"]
        finally:
            verified.close()
        return np.asarray(column.to_numpy() == 1, dtype=bool)

    def delete(self, user_id: int, prediction_id: str) -> PredictionRecord:
        """Delete the prediction: rows first (committed), then the object."""
        ws = self._workspace(user_id)
        with self._uow() as uow:
            record = uow.predictions.delete(user_id, prediction_id)
            uow.objects.delete(record.key)
            uow.commit()
        ws.store.delete(ws.inner_key(record.key), missing_ok=True)
        return record
