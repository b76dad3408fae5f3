"""The analyst's decisions: labels given to scored rows (which the next version of the model
learns from) and a decision threshold saved for a model version.

A label names a row by its number in the scored upload (``row``, from 1, as in the scores
file). A row outside the prediction, or a prediction of another user, is not found; who
decided is the authenticated user, when is the service's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np

from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.feedback.records import FeedbackRecord, ThresholdRecord
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.catalog.workspace.records import PredictionRecord
from entrepot.errors import RecordNotFound
from entrepot.fraud_service.errors import InvalidThreshold
from entrepot.fraud_service.estimate import realised
from entrepot.fraud_service.known import confirmed_rows, decided
from entrepot.fraud_service.predictions import PredictionService
from entrepot.fraud_service.retrain_offer import RetrainOffer, RoomCheck, retrain_offer
from entrepot.fraud_service.review_queue import ReviewQueue, review_queue
from entrepot.fraud_service.workspace import Workspace
from entrepot.messages import N_, Message

WorkspaceOf = Callable[[int], Workspace]
Clock = Callable[[], datetime]


class FeedbackService:
    """Record and read analysts' labels; save a model version's threshold."""

    def __init__(
        self,
        workspace: WorkspaceOf,
        uow_factory: UnitOfWorkFactory,
        clock: Clock | None = None,
        *,
        predictions: PredictionService | None = None,
        room: RoomCheck | None = None,
    ) -> None:
        self._workspace = workspace
        self._uow = uow_factory
        self._clock = clock or (lambda: datetime.now(UTC))
        self._predictions = predictions
        self._room = room

    def record(
        self, user: UserRecord, prediction_id: str, labels: Sequence[tuple[int, int]]
    ) -> list[FeedbackRecord]:
        """Record ``(row, label)`` decisions on ``user``'s prediction (a later decision on a
        row replaces the earlier); returns every decision on the prediction. The
        prediction's realised precision and recall (``estimate.realised``, source
        ``feedback``) are then measured again on every row decided in its dataset.

        The stored scores are read (verified against their sha256) **before** anything is
        saved: damaged or quarantined scores raise ``IntegrityError`` and no decision is
        recorded, rather than a decision saved beside figures that cannot be measured."""
        flagged = self._flags(user.id, prediction_id)
        decisions = self._record(user, prediction_id, labels)
        if flagged is not None:
            self._measure(user.id, prediction_id, flagged)
        return decisions

    def _flags(self, user_id: int, prediction_id: str) -> np.ndarray | None:
        """Each row's flag from the verified stored scores (``None``: nothing to measure,
        for a service without predictions); raises ``IntegrityError`` when they fail."""
        with self._uow() as uow:
            record = uow.predictions.get(user_id, prediction_id)
        if self._predictions is None:
            return None
        return self._predictions.flags(record)

    def _record(
        self, user: UserRecord, prediction_id: str, labels: Sequence[tuple[int, int]]
    ) -> list[FeedbackRecord]:
        with self._uow() as uow:
            prediction = uow.predictions.get(user.id, prediction_id)
            outside = sorted({row for row, _ in labels if not 1 <= row <= prediction.rows})
            if outside:
                shown = ", ".join(map(str, outside[:5])) + (" ..." if len(outside) > 5 else "")
                raise RecordNotFound(
                    f"prediction {prediction_id} has no row {shown}: its rows are numbered "
                    f"1 to {prediction.rows}",
                    hint="use the row column of the scores file",
                    said=Message(
                        N_("error.fraud.no_row"),
                        {"prediction": prediction_id, "row": shown, "rows": prediction.rows},
                    ),
                )
            uow.feedback.record(
                owner_id=user.id,
                prediction_id=prediction.id,
                model_name=prediction.model_name if prediction.source == "model" else None,
                labels=labels,
                decided_by=user.email,
                now=self._clock(),
            )
            uow.commit()
            return uow.feedback.of_prediction(user.id, prediction.id)

    def _measure(self, user_id: int, prediction_id: str, flagged: np.ndarray) -> None:
        """Set the prediction's realised figures from the decisions on its dataset's rows
        (the latest per row, on any of the user's predictions of it, as a scoring reads
        them: ADR 0046); a file scored with its own label keeps the label's figures. The
        flags come from the stored scores, which never change; the decisions are read in
        the unit of work that writes. Two decisions posted at the same instant may leave
        the figures one decision behind until the next one (no lock is taken)."""
        with self._uow() as uow:
            record = uow.predictions.get(user_id, prediction_id)
        found = record.summary.get("estimate")
        if not isinstance(found, dict):
            return  # stored before estimates were kept
        if (found.get("realised") or {}).get("source") == "label":
            return
        with self._uow() as uow:
            record = uow.predictions.get(user_id, prediction_id)
            if record.dataset_id is None:  # the file was deleted: its own decisions
                rows = confirmed_rows(uow.feedback.of_prediction(user_id, prediction_id))
            else:
                rows = confirmed_rows(uow.feedback.of_dataset(user_id, record.dataset_id))
            measured = realised(flagged, decided(len(flagged), rows), "feedback")
            now = dict(record.summary.get("estimate") or found)
            summary = {**record.summary, "estimate": {**now, "realised": measured}}
            uow.predictions.set_summary(user_id, prediction_id, summary)
            uow.commit()

    def undo_last(self, user: UserRecord, prediction_id: str) -> FeedbackRecord | None:
        """Remove the last decision ``user`` made on their prediction (its row is undecided
        again; an earlier label of that row is not brought back) and measure the realised
        figures again; returns it, ``None`` when there was none."""
        flagged = self._flags(user.id, prediction_id)
        with self._uow() as uow:
            prediction = uow.predictions.get(user.id, prediction_id)
            removed = uow.feedback.remove_last(user.id, prediction.id)
            uow.commit()
        if removed is not None and flagged is not None:
            self._measure(user.id, prediction_id, flagged)
        return removed

    def queue(
        self,
        user_id: int,
        prediction_id: str,
        at_row: int | None = None,
        risk: str | None = None,
    ) -> ReviewQueue:
        """The review of ``user_id``'s prediction where it stands: its rows under the risk
        filter ``risk`` (none: the flagged rows), the decisions on them, the row to show
        (``at_row`` if it is one, else the first undecided) and how many are left
        (:mod:`entrepot.fraud_service.review_queue`); an unknown filter is refused."""
        with self._uow() as uow:
            prediction = uow.predictions.get(user_id, prediction_id)
            decisions = uow.feedback.of_prediction(user_id, prediction.id)
        return review_queue(prediction, decisions, at_row, risk)

    def retrain_offer(
        self, user_id: int, *, prediction: PredictionRecord | None = None, model_id: int = 0
    ) -> RetrainOffer:
        """Whether the model that scored ``prediction`` (or version ``model_id``) may be
        retrained with the analysts' decisions now, with how many, or why not
        (:mod:`entrepot.fraud_service.retrain_offer`)."""
        owner = self._workspace(user_id).owner
        model: tuple[str, str] | None = None
        if prediction is not None:
            if prediction.source == "model" and prediction.model_name and prediction.model_version:
                model = (prediction.model_name, prediction.model_version)
        else:
            with self._uow() as uow:
                model = uow.user_models.ref(owner, model_id)
        return retrain_offer(self._uow, self._room, user_id, owner, model)

    def of_prediction(self, user_id: int, prediction_id: str) -> list[FeedbackRecord]:
        """The decisions on ``user_id``'s prediction, by row."""
        with self._uow() as uow:
            prediction = uow.predictions.get(user_id, prediction_id)
            return uow.feedback.of_prediction(user_id, prediction.id)

    def set_threshold(self, user: UserRecord, model_id: int, threshold: float) -> ThresholdRecord:
        """Save ``threshold`` for ``user``'s model version ``model_id``; later scorings with
        that version flag rows from it."""
        if not 0.0 < threshold < 1.0:
            raise InvalidThreshold(
                f"threshold {threshold} is not between 0 and 1",
                said=Message(N_("error.fraud.threshold"), {"threshold": str(threshold)}),
            )
        owner = self._workspace(user.id).owner
        with self._uow() as uow:
            uow.user_models.ref(owner, model_id)  # not found unless the user's
            saved = uow.feedback.set_threshold(model_id, threshold, user.email, self._clock())
            uow.commit()
            return saved

    def threshold(self, model_id: int) -> ThresholdRecord | None:
        """The threshold saved for the version (the caller checked it is the user's)."""
        with self._uow() as uow:
            return uow.feedback.threshold(model_id)
