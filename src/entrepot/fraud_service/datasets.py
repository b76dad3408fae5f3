"""Datasets: an upload spooled, recognised, analysed, then stored in the user's folder.

Nothing is stored until the file is known to be a readable table within the plan's
limit; then the object is written first (write-once key ``datasets/{id}/{name}``) and
the object and dataset rows are committed together. If the catalog refuses, the object
is deleted again; a crash in between leaves an unrecorded object for ``entrepot gc``.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from entrepot import temp_names
from entrepot.accounts.licences import LicenceService
from entrepot.catalog.accounts.records import Page
from entrepot.catalog.objects.records import ObjectRecord
from entrepot.catalog.text import refuse_bad_text
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.catalog.workspace.records import DatasetRecord
from entrepot.errors import IntegrityError
from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud.tables.gzipped import inner_name
from entrepot.fraud_service.label_count import whole_file_label
from entrepot.fraud_service.named_roles import NamedRoles
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.uploads import (
    CONTENT_TYPES,
    Spool,
    detect_format,
    display_filename,
    gzipped,
    inflated,
    read_sample,
    safe_filename,
)
from entrepot.fraud_service.workspace import Workspace
from entrepot.messages import N_, Message
from entrepot.sizes import human_size

Clock = Callable[[], datetime]
WorkspaceOf = Callable[[int], Workspace]


class DatasetService:
    """Upload, list, read and delete a user's datasets."""

    def __init__(
        self,
        workspace: WorkspaceOf,
        uow_factory: UnitOfWorkFactory,
        licences: LicenceService,
        options: ServiceOptions,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._workspace = workspace
        self._uow = uow_factory
        self._licences = licences
        self._options = options
        self._clock = clock or (lambda: datetime.now(UTC))

    def limit(self, user_id: int) -> int:
        """The largest upload ``user_id`` may send now; raises ``LicenceRequired``."""
        plan = self._licences.require(user_id)
        return min(plan.max_dataset_bytes, self._options.fraud.upload_limit)

    def spool(self, user_id: int) -> Spool:
        """A temporary file to receive ``user_id``'s upload, refusing bytes past the limit."""
        limit = self.limit(user_id)
        message = (
            f"the file is over the limit: your plan accepts datasets up to {human_size(limit)}"
        )
        return Spool(self._options.temp_dir, limit, limit_message=message)

    def create(
        self,
        user_id: int,
        filename: str,
        spool: Spool,
        *,
        target: str | None = None,
        named: tuple[str | None, str | None] = (None, None),
        sheet: str | None = None,
    ) -> DatasetRecord:
        """Analyse the spooled upload and store it as a dataset of ``user_id``; a gzipped
        file (``t.csv.gz``) is inflated within the upload's limit and stored as the file
        it holds, so every later reader reads a plain table. ``named``: the form's time
        column and entity columns (``a,b`` or a JSON list) as the person wrote them (the
        analysis takes them over its guess, and a training of the dataset reads them unless
        it names others; :class:`NamedRoles`); ``sheet``: a workbook's sheet to read, else
        the one holding the table (its analysis names the sheet read and the others)."""
        roles = NamedRoles.from_fields(*named)
        spool.close()
        if gzipped(spool.path):
            with inflated(spool, filename or "upload.csv.gz") as plain:
                inner = inner_name(filename or "upload.csv")
                return self._create(user_id, inner, plain, target, roles, sheet)
        return self._create(user_id, filename, spool, target, roles, sheet)

    def _create(
        self,
        user_id: int,
        filename: str,
        spool: Spool,
        target: str | None,
        roles: NamedRoles,
        sheet: str | None,
    ) -> DatasetRecord:
        name = safe_filename(filename or "upload.csv")  # its object's, and its copies'
        shown = display_filename(filename or "upload.csv")
        fmt = detect_format(spool.path, name)
        sample = read_sample(
            spool.path,
            name,
            fmt,
            sample_bytes=self._options.analysis_sample_bytes,
            lines=spool.lines,
            max_inflated=spool.limit,
            sheet=sheet,
        )
        for number, column in enumerate(sample.frame.columns, start=1):
            refuse_bad_text(str(column), what=f"the name of column {number}")
        analysis = analyze(
            sample.frame,
            target=target or None,
            time_column=roles.time_column,
            entity_columns=roles.entity_columns,
        )
        summary = analysis.to_dict()
        if roles.named:
            summary["named_roles"] = roles.to_dict()
        summary["rows"] = sample.total_rows
        summary["sample_rows"] = len(sample.frame)
        summary["sampled"] = not sample.complete
        if not sample.complete:  # the frauds shown are the whole file's, as training counts
            summary = whole_file_label(spool.path, fmt, sample.frame, summary, analysis.positive)
        refuse_bad_text(summary, what="a value of the file (kept in its analysis)")
        counted = summary["rows"]
        rows = counted if isinstance(counted, int) else sample.total_rows
        dataset_id = uuid.uuid4().hex
        ws = self._workspace(user_id)
        key = f"datasets/{dataset_id}/{name}"
        info = ws.store.put_file(key, spool.path, content_type=CONTENT_TYPES[fmt], if_absent=True)

        def dataset_row(uow: UnitOfWork, objects: tuple[ObjectRecord, ...]) -> DatasetRecord:
            return uow.datasets.add(
                dataset_id=dataset_id,
                owner_id=user_id,
                name=shown,
                format=fmt,
                object_id=objects[0].id,
                size=spool.size,
                sha256=spool.sha256,
                rows=rows,  # the whole file's count when it was read
                columns=len(sample.frame.columns),
                target=analysis.target,
                analysis=summary,
                now=self._clock(),
            )

        return ws.record_put(
            self._uow,
            key,
            info,
            dataset_row,
            kind="dataset",
            expected=(spool.sha256, spool.size),
        )

    def get(self, user_id: int, dataset_id: str) -> DatasetRecord:
        """Dataset ``dataset_id`` of ``user_id`` (another user's is not found)."""
        with self._uow() as uow:
            return uow.datasets.get(user_id, dataset_id)

    def list(self, user_id: int, *, page: int = 1, per_page: int = 50) -> Page[DatasetRecord]:
        """``user_id``'s datasets, newest first."""
        with self._uow() as uow:
            return uow.datasets.list(user_id, page=page, per_page=per_page)

    def histories(self, user_id: int, dataset_id: str) -> tuple[DatasetRecord, ...]:
        """``user_id``'s labelled datasets other than ``dataset_id``, newest first (the 50
        latest): those a scoring of it may read as its labelled history."""
        with self._uow() as uow:
            found = uow.datasets.list(user_id, page=1, per_page=50)
        return tuple(d for d in found.items if d.labelled and d.id != dataset_id)

    def delete(self, user_id: int, dataset_id: str) -> DatasetRecord:
        """Delete the dataset: its rows first (committed), then its object."""
        ws = self._workspace(user_id)
        with self._uow() as uow:
            record = uow.datasets.delete(user_id, dataset_id)
            uow.objects.delete(record.key)
            uow.commit()
        ws.store.delete(ws.inner_key(record.key), missing_ok=True)
        return record

    @contextlib.contextmanager
    def local_copy(self, user_id: int, dataset: DatasetRecord) -> Iterator[Path]:
        """The dataset's bytes in a temporary file, verified against the catalog's sha256."""
        ws = self._workspace(user_id)
        folder = self._options.temp_dir
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder, prefix=temp_names.DATASET) as tmp:
            path = Path(tmp) / safe_filename(dataset.name)
            info = ws.store.download(ws.inner_key(dataset.key), path)
            if info.sha256 != dataset.sha256:
                raise IntegrityError(
                    f"dataset {dataset.id} was replaced in the store (sha256 {info.sha256}, "
                    f"the catalog recorded {dataset.sha256})",
                    key=dataset.key,
                    hint="upload the file again",
                    said=Message(N_("error.fraud.dataset_replaced"), {"dataset": dataset.id}),
                )
            yield path
