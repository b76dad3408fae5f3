"""Reads and writes of the analyst's decisions, one owner at a time.

A label is upserted: select the ``(prediction, row)`` row, update it or insert it; two
decisions racing on one row meet the unique constraint, and the loser's unit of work
fails rather than leave two labels (the caller retries).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from entrepot.catalog.feedback.records import FeedbackRecord, ThresholdRecord
from entrepot.catalog.feedback.tables import FeedbackRow, ModelThresholdRow
from entrepot.catalog.models.rows import utc
from entrepot.catalog.workspace.tables import PredictionRow


def _record(row: FeedbackRow) -> FeedbackRecord:
    return FeedbackRecord(
        prediction_id=row.prediction_id,
        row=int(row.row),
        label=int(row.label),
        decided_by=row.decided_by,
        decided_at=utc(row.decided_at),
    )


class FeedbackRepository:
    """Labels of scored rows, and thresholds saved for model versions."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(
        self,
        *,
        owner_id: int,
        prediction_id: str,
        model_name: str | None,
        labels: Iterable[tuple[int, int]],
        decided_by: str,
        now: datetime,
    ) -> int:
        """Record ``(row, label)`` decisions on a prediction of ``owner_id`` (checked by
        the caller); a row already labelled takes the new label. Returns how many."""
        wanted = dict(labels)  # the last decision on a row in one request wins
        existing = {
            int(r.row): r
            for r in self._session.scalars(
                select(FeedbackRow).where(
                    FeedbackRow.prediction_id == prediction_id,
                    FeedbackRow.row.in_(list(wanted)),
                )
            )
        }
        for row, label in wanted.items():
            found = existing.get(row)
            if found is None:
                self._session.add(
                    FeedbackRow(
                        owner_id=owner_id,
                        prediction_id=prediction_id,
                        model_name=model_name,
                        row=row,
                        label=label,
                        decided_by=decided_by,
                        decided_at=now,
                    )
                )
            else:
                found.label, found.decided_by, found.decided_at = label, decided_by, now
        self._session.flush()
        return len(wanted)

    def of_prediction(self, owner_id: int, prediction_id: str) -> list[FeedbackRecord]:
        """The decisions on one prediction of ``owner_id``, by row."""
        rows = self._session.scalars(
            select(FeedbackRow)
            .where(FeedbackRow.owner_id == owner_id, FeedbackRow.prediction_id == prediction_id)
            .order_by(FeedbackRow.row)
        )
        return [_record(r) for r in rows]

    def remove_last(self, owner_id: int, prediction_id: str) -> FeedbackRecord | None:
        """Remove the last decision on a prediction of ``owner_id`` (the latest
        ``decided_at``, the newest row on a tie) and return it; ``None`` when there is none."""
        found = self._session.scalars(
            select(FeedbackRow)
            .where(
                FeedbackRow.owner_id == owner_id,
                FeedbackRow.prediction_id == prediction_id,
            )
            .order_by(FeedbackRow.decided_at.desc(), FeedbackRow.id.desc())
            .limit(1)
        ).first()
        if found is None:
            return None
        removed = _record(found)
        self._session.delete(found)
        self._session.flush()
        return removed

    def of_model(self, owner_id: int, model_name: str) -> dict[str, list[FeedbackRecord]]:
        """The decisions on every prediction ``owner_id`` made with ``model_name`` (any
        version), by prediction id, each with the dataset it scored."""
        rows = self._session.scalars(
            select(FeedbackRow)
            .where(FeedbackRow.owner_id == owner_id, FeedbackRow.model_name == model_name)
            .order_by(FeedbackRow.prediction_id, FeedbackRow.row)
        )
        out: dict[str, list[FeedbackRecord]] = {}
        for r in rows:
            out.setdefault(r.prediction_id, []).append(_record(r))
        return out

    def of_dataset(self, owner_id: int, dataset_id: str) -> list[FeedbackRecord]:
        """The decisions on the rows of every prediction ``owner_id`` made of dataset
        ``dataset_id``, oldest decision first (rows are the dataset's rows)."""
        rows = self._session.scalars(
            select(FeedbackRow)
            .join(PredictionRow, PredictionRow.id == FeedbackRow.prediction_id)
            .where(FeedbackRow.owner_id == owner_id, PredictionRow.dataset_id == dataset_id)
            .order_by(FeedbackRow.decided_at, FeedbackRow.id)
        )
        return [_record(r) for r in rows]

    def datasets(self, prediction_ids: Iterable[str]) -> dict[str, str | None]:
        """The dataset each prediction scored (``None`` once the dataset is deleted)."""
        ids = list(prediction_ids)
        if not ids:
            return {}
        rows = self._session.execute(
            select(PredictionRow.id, PredictionRow.dataset_id).where(PredictionRow.id.in_(ids))
        )
        return {str(i): (str(d) if d is not None else None) for i, d in rows}

    def set_threshold(
        self, model_version_id: int, threshold: float, set_by: str, now: datetime
    ) -> ThresholdRecord:
        """Save ``threshold`` for the version (replacing a saved one)."""
        row = self._session.get(ModelThresholdRow, model_version_id)
        if row is None:
            row = ModelThresholdRow(model_version_id=model_version_id)
            self._session.add(row)
        row.threshold, row.set_by, row.set_at = threshold, set_by, now
        self._session.flush()
        return ThresholdRecord(model_version_id, threshold, set_by, utc(now))

    def threshold(self, model_version_id: int) -> ThresholdRecord | None:
        """The threshold saved for the version, if any."""
        row = self._session.get(ModelThresholdRow, model_version_id)
        if row is None:
            return None
        return ThresholdRecord(
            row.model_version_id, float(row.threshold), row.set_by, utc(row.set_at)
        )
