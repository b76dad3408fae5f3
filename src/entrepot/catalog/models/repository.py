"""The model registry's repository: versions, their files and their aliases.

Every read serves ``ready`` versions unless told otherwise. "Latest" is the ready version
claimed last: the highest id, a catalog sequence that no clock skew can reorder. Rows are
read and decoded by :mod:`entrepot.catalog.models.rows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Result, delete, func, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.base import upsert_insert
from entrepot.catalog.listings import ModelListing
from entrepot.catalog.models.records import (
    AliasRecord,
    ModelFileRecord,
    ModelState,
    ModelSummary,
    ModelVersionRecord,
)
from entrepot.catalog.models.rows import (
    ALIAS_TARGET,
    FILES,
    FIND_ANY,
    FIND_READY,
    LATEST,
    Query,
    key,
    named,
    ready,
    select_versions,
    utc,
    version_record,
)
from entrepot.catalog.models.tables import (
    ModelAliasRow,
    ModelFileRow,
    ModelNoteRow,
    ModelVersionRow,
)
from entrepot.catalog.objects.records import ObjectRecord
from entrepot.catalog.objects.tables import ObjectRow
from entrepot.errors import RecordExists, RecordNotFound
from entrepot.messages import N_, Message

_V = ModelVersionRow


class ModelRepository:
    """Reads and writes model versions, files and aliases in a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- the life of a version ---------------------------------------------
    def claim(
        self,
        *,
        namespace: str,
        name: str,
        version: str,
        flavor: str,
        created_at: datetime,
        created_by: str,
        metrics: Mapping[str, float],
        params: Mapping[str, str],
        tags: Mapping[str, str],
        lineage: Mapping[str, str],
        input_schema: Sequence[tuple[str, str]],
    ) -> ModelVersionRecord:
        """Insert a ``pending`` version; raises :class:`RecordExists` if the version is taken.

        A ``failed`` row under the same version is replaced (a failed push holds nothing).
        On PostgreSQL a refused claim spoils the transaction: claim in a fresh unit of work.
        """
        self._session.execute(
            delete(_V).where(*key(namespace, name, version), _V.state == ModelState.FAILED.value)
        )
        row = ModelVersionRow(
            namespace=namespace,
            name=name,
            version=version,
            state=ModelState.PENDING.value,
            flavor=flavor,
            metrics=dict(metrics),
            params=dict(params),
            tags=dict(tags),
            lineage=dict(lineage),
            input_schema=[list(pair) for pair in input_schema],
            created_at=created_at,
            created_by=created_by,
        )
        self._session.add(row)
        try:
            self._session.flush()
        except SqlIntegrityError:
            raise RecordExists(
                f"model {name!r} already has a version {version!r}",
                hint="versions are write-once: push under another version",
                said=Message(
                    N_("error.catalog.version_exists"), {"model": name, "version": version}
                ),
            ) from None
        return self._get_by_id(row.id)

    def complete(
        self,
        version_id: int,
        *,
        manifest: ObjectRecord,
        signature: str | None,
        files: Iterable[tuple[str, ObjectRecord]],
    ) -> ModelVersionRecord:
        """Turn a ``pending`` version ``ready`` with its manifest and ``(path, object)`` files;
        raises :class:`RecordNotFound` if it is no longer pending (deleted meanwhile)."""
        result = self._session.execute(
            update(_V)
            .where(_V.id == version_id, _V.state == ModelState.PENDING.value)
            .values(
                state=ModelState.READY.value,
                manifest_id=manifest.id,
                manifest_sha256=manifest.sha256,
                signature=signature,
            )
        )
        if _rowcount(result) != 1:
            raise RecordNotFound(
                f"model version #{version_id} is no longer pending; it was removed meanwhile",
                hint="push again",
                said=Message(N_("error.catalog.version_removed"), {"version": str(version_id)}),
            )
        self._session.add_all(
            ModelFileRow(
                version_id=version_id, path=path, object_id=obj.id, size=obj.size, sha256=obj.sha256
            )
            for path, obj in files
        )
        self._session.flush()
        return self._get_by_id(version_id)

    def fail(self, version_id: int, error: str) -> bool:
        """Mark a ``pending`` version ``failed`` with the reason; whether it was pending."""
        result = self._session.execute(
            update(_V)
            .where(_V.id == version_id, _V.state == ModelState.PENDING.value)
            .values(state=ModelState.FAILED.value, error=error[:4000])
        )
        return _rowcount(result) == 1

    def delete(self, version_id: int) -> tuple[str, ...]:
        """Remove a version (any state), its file rows, its aliases, its note and the
        ``objects`` rows of its files and manifest; returns the keys of those objects, to
        delete from the store."""
        files = self._session.execute(
            select(ModelFileRow.object_id, ObjectRow.key)
            .join(ObjectRow, ModelFileRow.object_id == ObjectRow.id)
            .where(ModelFileRow.version_id == version_id)
        ).all()
        manifest = self._session.execute(
            select(ObjectRow.id, ObjectRow.key)
            .join(_V, _V.manifest_id == ObjectRow.id)
            .where(_V.id == version_id)
        ).all()
        self._session.execute(delete(ModelAliasRow).where(ModelAliasRow.version_id == version_id))
        self._session.execute(delete(ModelNoteRow).where(ModelNoteRow.version_id == version_id))
        self._session.execute(delete(ModelFileRow).where(ModelFileRow.version_id == version_id))
        result = self._session.execute(delete(_V).where(_V.id == version_id))
        if _rowcount(result) != 1:
            raise RecordNotFound(
                f"model version #{version_id} does not exist",
                said=Message(N_("error.catalog.no_version"), {"version": str(version_id)}),
            )
        ids = [object_id for object_id, _ in (*files, *manifest)]
        if ids:
            self._session.execute(delete(ObjectRow).where(ObjectRow.id.in_(ids)))
        self._session.flush()
        return tuple(sorted(key for _, key in (*files, *manifest)))

    # -- reads ---------------------------------------------------------------
    def find(
        self, namespace: str, name: str, version: str, *, any_state: bool = False
    ) -> ModelVersionRecord | None:
        """The version, or ``None``; only a ``ready`` one unless ``any_state``."""
        query = FIND_ANY if any_state else FIND_READY
        params = {"namespace": namespace, "name": name, "version": version}
        row = self._rows(query, params).first()
        return None if row is None else version_record(row)

    def latest(self, namespace: str, name: str) -> ModelVersionRecord | None:
        """The ready version claimed last, or ``None``."""
        row = self._rows(LATEST, {"namespace": namespace, "name": name}).first()
        return None if row is None else version_record(row)

    def versions(
        self,
        namespace: str,
        name: str,
        *,
        limit: int | None = None,
        offset: int = 0,
        any_state: bool = False,
    ) -> tuple[ModelVersionRecord, ...]:
        """Versions of ``name``, newest first; ``ready`` ones only unless ``any_state``."""
        if (limit is not None and limit < 0) or offset < 0:
            raise ValueError("limit and offset must not be negative")
        where = ready(namespace, name) if not any_state else named(namespace, name)
        query = select_versions().where(*where).order_by(_V.id.desc()).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return tuple(version_record(row) for row in self._rows(query))

    def count(self, namespace: str, name: str) -> int:
        """How many ready versions ``name`` has."""
        query = select(func.count()).select_from(_V).where(*ready(namespace, name))
        return int(self._session.scalar(query) or 0)

    def summaries(self, namespace: str) -> tuple[ModelSummary, ...]:
        """Every model of ``namespace`` with a ready version, by name."""
        return ModelListing(self._session.connection()).summaries(namespace)

    def names(self, namespace: str) -> tuple[str, ...]:
        """The name of every model of ``namespace`` with a version in any state."""
        query = select(_V.name).where(_V.namespace == namespace).distinct().order_by(_V.name)
        return tuple(str(name) for name in self._session.scalars(query))

    def files(self, version_id: int) -> tuple[ModelFileRecord, ...]:
        """The files of a version, by path."""
        return tuple(
            ModelFileRecord(path, key, int(size), sha256)
            for path, key, size, sha256 in self._rows(FILES, {"version_id": version_id})
        )

    # -- aliases -------------------------------------------------------------
    def set_alias(
        self,
        *,
        namespace: str,
        name: str,
        alias: str,
        version_id: int,
        updated_at: datetime,
        updated_by: str,
    ) -> None:
        """Point ``alias`` at a version in one statement (an upsert): readers see the old
        target or the new one, never none."""
        values = {
            "namespace": namespace,
            "name": name,
            "alias": alias,
            "version_id": version_id,
            "updated_at": updated_at,
            "updated_by": updated_by,
        }
        changes = {"version_id": version_id, "updated_at": updated_at, "updated_by": updated_by}
        index = ["namespace", "name", "alias"]
        statement = upsert_insert(self._session)(ModelAliasRow).values(values)
        self._session.execute(statement.on_conflict_do_update(index_elements=index, set_=changes))

    def alias_target(self, namespace: str, name: str, alias: str) -> ModelVersionRecord | None:
        """The ready version ``alias`` points to, or ``None``."""
        params = {"namespace": namespace, "name": name, "alias": alias}
        row = self._rows(ALIAS_TARGET, params).first()
        return None if row is None else version_record(row)

    def aliases(self, namespace: str, name: str) -> tuple[AliasRecord, ...]:
        """Every alias of ``name``, by alias."""
        query = (
            select(
                ModelAliasRow.alias, _V.version, ModelAliasRow.updated_at, ModelAliasRow.updated_by
            )
            .join(_V, ModelAliasRow.version_id == _V.id)
            .where(ModelAliasRow.namespace == namespace, ModelAliasRow.name == name)
            .order_by(ModelAliasRow.alias)
        )
        return tuple(
            AliasRecord(name, alias, version, utc(at), by)
            for alias, version, at, by in self._rows(query)
        )

    def remove_alias(self, namespace: str, name: str, alias: str) -> bool:
        """Delete ``alias``; whether it existed."""
        result = self._session.execute(
            delete(ModelAliasRow).where(
                ModelAliasRow.namespace == namespace,
                ModelAliasRow.name == name,
                ModelAliasRow.alias == alias,
            )
        )
        return _rowcount(result) == 1

    # -- notes ---------------------------------------------------------------
    def set_note(
        self, version_id: int, note: str, *, updated_at: datetime, updated_by: str
    ) -> None:
        """Write the note of a version (an upsert); an empty note removes it."""
        if not note:
            self._session.execute(delete(ModelNoteRow).where(ModelNoteRow.version_id == version_id))
            return
        values = {
            "version_id": version_id,
            "note": note,
            "updated_at": updated_at,
            "updated_by": updated_by,
        }
        changes = {"note": note, "updated_at": updated_at, "updated_by": updated_by}
        statement = upsert_insert(self._session)(ModelNoteRow).values(values)
        self._session.execute(
            statement.on_conflict_do_update(index_elements=["version_id"], set_=changes)
        )

    def _rows(self, query: Query, params: dict[str, Any] | None = None) -> Result[*tuple[Any, ...]]:
        """Run a column query in Core, past the ORM's row machinery (same transaction)."""
        return self._session.connection().execute(query, params or {})

    def _get_by_id(self, version_id: int) -> ModelVersionRecord:
        row = self._rows(select_versions().where(_V.id == version_id)).first()
        if row is None:
            raise RecordNotFound(
                f"model version #{version_id} does not exist",
                said=Message(N_("error.catalog.no_version"), {"version": str(version_id)}),
            )
        return version_record(row)


def _rowcount(result: Any) -> int:
    return int(result.rowcount)
