"""A user's datasets, predictions and model versions; every read filters by owner.

A resource of another owner is not found, with the same message as one that does not
exist: nothing tells a user what others hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from entrepot.catalog.accounts.records import Page
from entrepot.catalog.models.records import ModelState
from entrepot.catalog.models.rows import utc
from entrepot.catalog.models.tables import ModelVersionRow
from entrepot.catalog.objects.tables import ObjectRow
from entrepot.catalog.paging import check_page
from entrepot.catalog.workspace.records import DatasetRecord, PredictionRecord
from entrepot.catalog.workspace.tables import DatasetRow, PredictionRow
from entrepot.errors import RecordNotFound
from entrepot.messages import N_, Message

_DatasetQuery = Select[DatasetRow, str]
_PredictionQuery = Select[PredictionRow, str, int]


#: The largest id a 64-bit integer column holds: a larger one names no row.
MAX_ROW_ID = 2**63 - 1


def _storable(value: str) -> bool:
    """Whether ``value`` can name a row: text with a NUL names none (PostgreSQL refuses to
    compare it, SQLite would), so it is not found without asking the database."""
    return "\x00" not in value


def _dataset(row: DatasetRow, key: str) -> DatasetRecord:
    return DatasetRecord(
        id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        format=row.format,
        key=key,
        size=row.size,
        sha256=row.sha256,
        rows=row.rows,
        columns=row.columns,
        labelled=row.labelled,
        target=row.target,
        analysis=dict(row.analysis or {}),
        created_at=utc(row.created_at),
    )


def _prediction(row: PredictionRow, key: str, size: int) -> PredictionRecord:
    return PredictionRecord(
        id=row.id,
        owner_id=row.owner_id,
        job_id=row.job_id,
        dataset_id=row.dataset_id,
        dataset_name=row.dataset_name,
        source=row.source,
        model_name=row.model_name,
        model_version=row.model_version,
        key=key,
        size=int(size),
        rows=row.rows,
        summary=dict(row.summary or {}),
        preview=dict(row.preview or {}),
        created_at=utc(row.created_at),
    )


class DatasetRepository:
    """Reads and writes ``datasets`` rows of one owner at a time."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        dataset_id: str,
        owner_id: int,
        name: str,
        format: str,
        object_id: int,
        size: int,
        sha256: str,
        rows: int,
        columns: int,
        target: str | None,
        analysis: Mapping[str, Any],
        now: datetime,
    ) -> DatasetRecord:
        """Record an uploaded table whose object row is ``object_id``."""
        row = DatasetRow(
            id=dataset_id,
            owner_id=owner_id,
            name=name[:255],
            format=format,
            object_id=object_id,
            size=size,
            sha256=sha256,
            rows=rows,
            columns=columns,
            labelled=target is not None,
            target=target,
            analysis=dict(analysis),
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return self.get(owner_id, dataset_id)

    def get(self, owner_id: int, dataset_id: str) -> DatasetRecord:
        """Dataset ``dataset_id`` of ``owner_id``; raises :class:`RecordNotFound`."""
        found = None
        if _storable(dataset_id):
            found = self._session.execute(
                _datasets().where(DatasetRow.id == dataset_id, DatasetRow.owner_id == owner_id)
            ).first()
        if found is None:
            raise RecordNotFound(
                f"no dataset {dataset_id}",
                hint="list your datasets with GET /api/datasets",
                said=Message(N_("error.catalog.no_dataset"), {"dataset": str(dataset_id)}),
            )
        return _dataset(found[0], found[1])

    def list(self, owner_id: int, *, page: int = 1, per_page: int = 50) -> Page[DatasetRecord]:
        """``owner_id``'s datasets, newest first."""
        check_page(page, per_page)
        total = self._session.scalar(
            select(func.count()).select_from(DatasetRow).where(DatasetRow.owner_id == owner_id)
        )
        rows = self._session.execute(
            _datasets()
            .where(DatasetRow.owner_id == owner_id)
            .order_by(DatasetRow.created_at.desc(), DatasetRow.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return Page(tuple(_dataset(r[0], r[1]) for r in rows), int(total or 0), page, per_page)

    def delete(self, owner_id: int, dataset_id: str) -> DatasetRecord:
        """Remove the dataset row (not its object row); returns what it held."""
        record = self.get(owner_id, dataset_id)
        row = self._session.get(DatasetRow, dataset_id)
        self._session.delete(row)
        self._session.flush()
        return record

    def usage(self) -> tuple[tuple[int, int, int], ...]:
        """``(owner_id, datasets, bytes)`` for every owner with datasets."""
        rows = self._session.execute(
            select(
                DatasetRow.owner_id, func.count(), func.coalesce(func.sum(DatasetRow.size), 0)
            ).group_by(DatasetRow.owner_id)
        )
        return tuple((int(o), int(c), int(b)) for o, c, b in rows)


def _datasets() -> _DatasetQuery:
    return select(DatasetRow, ObjectRow.key).join(ObjectRow, DatasetRow.object_id == ObjectRow.id)


def _predictions() -> _PredictionQuery:
    return select(PredictionRow, ObjectRow.key, ObjectRow.size).join(
        ObjectRow, PredictionRow.object_id == ObjectRow.id
    )


class PredictionRepository:
    """Reads and writes ``predictions`` rows of one owner at a time."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        prediction_id: str,
        owner_id: int,
        job_id: str | None,
        dataset_id: str | None,
        dataset_name: str,
        source: str,
        model_name: str | None,
        model_version: str | None,
        object_id: int,
        rows: int,
        summary: Mapping[str, Any],
        preview: Mapping[str, Any],
        now: datetime,
    ) -> PredictionRecord:
        """Record stored scores whose object row is ``object_id``."""
        row = PredictionRow(
            id=prediction_id,
            owner_id=owner_id,
            job_id=job_id,
            dataset_id=dataset_id,
            dataset_name=dataset_name[:255],
            source=source,
            model_name=model_name,
            model_version=model_version,
            object_id=object_id,
            rows=rows,
            summary=dict(summary),
            preview=dict(preview),
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return self.get(owner_id, prediction_id)

    def get(self, owner_id: int, prediction_id: str) -> PredictionRecord:
        """Prediction ``prediction_id`` of ``owner_id``; raises :class:`RecordNotFound`."""
        return self._one(
            PredictionRow.id == prediction_id,
            owner_id=owner_id,
            what=f"no prediction {prediction_id}",
            said=Message(N_("error.catalog.no_prediction"), {"prediction": prediction_id}),
            value=prediction_id,
        )

    def by_key(self, owner_id: int, key: str) -> PredictionRecord:
        """The prediction of ``owner_id`` stored under ``key``; raises :class:`RecordNotFound`."""
        return self._one(
            ObjectRow.key == key,
            owner_id=owner_id,
            what=f"no predictions at {key}",
            said=Message(N_("error.catalog.no_predictions_at"), {"key": key}),
            value=key,
        )

    def list(self, owner_id: int, *, page: int = 1, per_page: int = 50) -> Page[PredictionRecord]:
        """``owner_id``'s predictions, newest first."""
        check_page(page, per_page)
        total = self._session.scalar(
            select(func.count())
            .select_from(PredictionRow)
            .where(PredictionRow.owner_id == owner_id)
        )
        rows = self._session.execute(
            _predictions()
            .where(PredictionRow.owner_id == owner_id)
            .order_by(PredictionRow.created_at.desc(), PredictionRow.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        items = tuple(_prediction(r[0], r[1], r[2]) for r in rows)
        return Page(items, int(total or 0), page, per_page)

    def set_summary(
        self, owner_id: int, prediction_id: str, summary: Mapping[str, Any]
    ) -> PredictionRecord:
        """Replace the summary of ``owner_id``'s prediction (the realised figures as labels
        arrive); raises :class:`RecordNotFound`."""
        self.get(owner_id, prediction_id)
        row = self._session.get(PredictionRow, prediction_id)
        assert row is not None  # just found
        row.summary = dict(summary)
        self._session.flush()
        return self.get(owner_id, prediction_id)

    def delete(self, owner_id: int, prediction_id: str) -> PredictionRecord:
        """Remove the prediction row (not its object row); returns what it held."""
        record = self.get(owner_id, prediction_id)
        self._session.delete(self._session.get(PredictionRow, prediction_id))
        self._session.flush()
        return record

    def _one(
        self, condition: Any, *, owner_id: int, what: str, said: Message, value: str
    ) -> PredictionRecord:
        found = None
        if _storable(value):
            found = self._session.execute(
                _predictions().where(condition, PredictionRow.owner_id == owner_id)
            ).first()
        if found is None:
            raise RecordNotFound(
                what, hint="list your predictions with GET /api/history", said=said
            )
        return _prediction(found[0], found[1], found[2])


class UserModelRepository:
    """The ready model versions of one namespace, looked up by their catalog id."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def ref(self, namespace: str, version_id: int) -> tuple[str, str]:
        """``(name, version)`` of the ready version ``version_id`` in ``namespace``; raises
        :class:`RecordNotFound` for any other (another owner's included)."""
        found = None
        if 0 < version_id <= MAX_ROW_ID:
            found = self._session.execute(
                select(ModelVersionRow.name, ModelVersionRow.version).where(
                    ModelVersionRow.id == version_id,
                    ModelVersionRow.namespace == namespace,
                    ModelVersionRow.state == ModelState.READY.value,
                )
            ).first()
        if found is None:
            raise RecordNotFound(
                f"no model {version_id}",
                hint="list your models with GET /api/models",
                said=Message(N_("error.catalog.no_model"), {"model": str(version_id)}),
            )
        return str(found[0]), str(found[1])

    def id_of(self, namespace: str, name: str, version: str) -> int:
        """The catalog id of the ready version ``name`` ``version`` of ``namespace`` (one row
        read, where :meth:`ids` reads them all); raises :class:`RecordNotFound`."""
        found = self._session.scalar(
            select(ModelVersionRow.id).where(
                ModelVersionRow.namespace == namespace,
                ModelVersionRow.name == name,
                ModelVersionRow.version == version,
                ModelVersionRow.state == ModelState.READY.value,
            )
        )
        if found is None:
            raise RecordNotFound(
                f"model {name} {version} was deleted",
                said=Message(
                    N_("error.catalog.model_deleted"), {"model": name, "version": version}
                ),
            )
        return int(found)

    def count_ready(self, namespace: str) -> int:
        """How many ready versions ``namespace`` holds."""
        return int(
            self._session.scalar(
                select(func.count())
                .select_from(ModelVersionRow)
                .where(
                    ModelVersionRow.namespace == namespace,
                    ModelVersionRow.state == ModelState.READY.value,
                )
            )
            or 0
        )

    def ready_names(self, namespace: str) -> frozenset[str]:
        """The names of the models of ``namespace`` with at least one ready version."""
        rows = self._session.scalars(
            select(ModelVersionRow.name)
            .where(
                ModelVersionRow.namespace == namespace,
                ModelVersionRow.state == ModelState.READY.value,
            )
            .distinct()
        )
        return frozenset(str(name) for name in rows)

    def count_by_namespace(self) -> dict[str, int]:
        """Ready versions per namespace (``""``: the shared models)."""
        rows = self._session.execute(
            select(ModelVersionRow.namespace, func.count())
            .where(ModelVersionRow.state == ModelState.READY.value)
            .group_by(ModelVersionRow.namespace)
        )
        return {str(ns): int(c) for ns, c in rows}
