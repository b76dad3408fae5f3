"""Reading model-version rows: the columns, the prepared hot queries and the decoding into
:class:`ModelVersionRecord`, shared by the model repository's reads.

Version rows are read as plain columns (never ORM entities), their JSON documents decoded
only when not empty, so that listing 10,000 versions stays cheap.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Text,
    bindparam,
    exists,
    select,
    type_coerce,
)

from entrepot.catalog.columns import utc as utc  # re-exported: the area repositories import it here
from entrepot.catalog.models.records import (
    AliasRecord,
    ModelState,
    ModelVersionRecord,
    NamespaceListing,
    NoteRecord,
)
from entrepot.catalog.models.tables import (
    ModelAliasRow,
    ModelFileRow,
    ModelNoteRow,
    ModelVersionRow,
)
from entrepot.catalog.objects.tables import ObjectRow

_V = ModelVersionRow
#: A select of any columns.
Query = Select[*tuple[Any, ...]]
COLUMNS = (
    _V.id,
    _V.namespace,
    _V.name,
    _V.version,
    _V.state,
    _V.flavor,
    ObjectRow.key,
    _V.manifest_sha256,
    _V.signature,
    # Read as text and decoded by _document: a text decoded before costs no json.loads.
    type_coerce(_V.metrics, Text),
    type_coerce(_V.params, Text),
    type_coerce(_V.tags, Text),
    type_coerce(_V.lineage, Text),
    type_coerce(_V.input_schema, Text),
    _V.created_at,
    _V.created_by,
    _V.error,
)


_WIDTH = len(COLUMNS)


def schema_pairs(raw: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    """A stored input schema (``[[name, dtype], ...]``) as a tuple of pairs."""
    return tuple((str(name), str(dtype)) for name, dtype in raw)


def select_versions() -> Query:
    return select(*COLUMNS).outerjoin(ObjectRow, _V.manifest_id == ObjectRow.id)


def named(namespace: str, name: str) -> list[ColumnElement[bool]]:
    return [_V.namespace == namespace, _V.name == name]


def ready(namespace: str, name: str) -> list[ColumnElement[bool]]:
    return [*named(namespace, name), _V.state == ModelState.READY.value]


def key(namespace: str, name: str, version: str) -> list[ColumnElement[bool]]:
    return [*named(namespace, name), _V.version == version]


#: The hot reads (every load resolves a version and its files), built once with bind
#: parameters so a call costs no expression building.
_READY = _V.state == ModelState.READY.value
_BY_NAME = (_V.namespace == bindparam("namespace"), _V.name == bindparam("name"))
FIND_ANY = select_versions().where(*_BY_NAME, _V.version == bindparam("version"))
FIND_READY = FIND_ANY.where(_READY)
LATEST = select_versions().where(*_BY_NAME, _READY).order_by(_V.id.desc()).limit(1)
READY_IN = (
    select_versions()
    .where(_V.namespace == bindparam("namespace"), _READY)
    .order_by(_V.created_at.desc(), _V.id.desc())
)
ALIAS_TARGET = (
    select_versions()
    .join(ModelAliasRow, ModelAliasRow.version_id == _V.id)
    .where(
        ModelAliasRow.namespace == bindparam("namespace"),
        ModelAliasRow.name == bindparam("name"),
        ModelAliasRow.alias == bindparam("alias"),
        _READY,
    )
)
FILES = (
    select(ModelFileRow.path, ObjectRow.key, ModelFileRow.size, ModelFileRow.sha256)
    .join(ObjectRow, ModelFileRow.object_id == ObjectRow.id)
    .where(ModelFileRow.version_id == bindparam("version_id"))
    .order_by(ModelFileRow.path)
)

#: Every alias of a namespace (the models page shows them beside each version).
NAMESPACE_ALIASES = (
    select(
        ModelAliasRow.name,
        ModelAliasRow.alias,
        _V.version,
        ModelAliasRow.updated_at,
        ModelAliasRow.updated_by,
    )
    .join(_V, ModelAliasRow.version_id == _V.id)
    .where(ModelAliasRow.namespace == bindparam("namespace"))
    .order_by(ModelAliasRow.name, ModelAliasRow.alias)
)
#: The models listing in one statement: the ready versions of a namespace as
#: :data:`READY_IN` lists them, each with its note's columns (``NULL`` without one), and
#: whether the namespace has any alias at all (evaluated once: most have none, and then no
#: second statement is sent for them).
LISTING = (
    select(
        *COLUMNS,
        ModelNoteRow.note,
        ModelNoteRow.updated_at,
        ModelNoteRow.updated_by,
        exists().where(ModelAliasRow.namespace == bindparam("namespace")).label("aliased"),
    )
    .outerjoin(ObjectRow, _V.manifest_id == ObjectRow.id)
    .outerjoin(ModelNoteRow, ModelNoteRow.version_id == _V.id)
    .where(_V.namespace == bindparam("namespace"), _READY)
    .order_by(_V.created_at.desc(), _V.id.desc())
)
#: Every note of a namespace's versions.
NAMESPACE_NOTES = (
    select(
        ModelNoteRow.version_id, ModelNoteRow.note, ModelNoteRow.updated_at, ModelNoteRow.updated_by
    )
    .join(_V, ModelNoteRow.version_id == _V.id)
    .where(_V.namespace == bindparam("namespace"))
)

#: Flat documents (a JSON object or array of strings, numbers, booleans and nulls) decoded
#: before, by their text, and each stored input schema's pairs: the same versions are read
#: again and again (every listing), and decoding their metrics costs more than the query
#: that reads them. A decoding is a function of the text alone; each read gets its own
#: copy of a document (a schema's pairs are immutable). Emptied when full.
_DECODED: dict[str, dict[str, Any] | list[Any]] = {}
_SCHEMAS: dict[str, tuple[tuple[str, str], ...]] = {}
_KEPT = 1024
_SCALARS = (str, int, float, bool, type(None))


def _flat(value: Any) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return isinstance(value, (dict, list)) and all(isinstance(v, _SCALARS) for v in items)


def _document(value: Any) -> Any:
    """A JSON column read as text (SQLite) or already decoded (psycopg decodes JSONB)."""
    if not isinstance(value, str):
        return value
    known = _DECODED.get(value)
    if known is not None:
        return known.copy()
    decoded = json.loads(value)
    if _flat(decoded):
        if len(_DECODED) >= _KEPT:
            _DECODED.clear()
        _DECODED[value] = decoded.copy()
    return decoded


def _schema(value: Any) -> tuple[tuple[str, str], ...]:
    """A stored input schema's pairs (read as text, or decoded by psycopg)."""
    if not isinstance(value, str):
        return schema_pairs(value)
    known = _SCHEMAS.get(value)
    if known is None:
        known = schema_pairs(json.loads(value))
        if len(_SCHEMAS) >= _KEPT:
            _SCHEMAS.clear()
        _SCHEMAS[value] = known
    return known


def version_record(row: Row[*tuple[Any, ...]] | tuple[Any, ...]) -> ModelVersionRecord:
    """The version a row of :data:`COLUMNS` holds (a longer row: its first columns)."""
    (
        id_,
        namespace,
        name,
        version,
        state,
        flavor,
        manifest_key,
        manifest_sha256,
        signature,
        metrics,
        params,
        tags,
        lineage,
        schema,
        created_at,
        created_by,
        error,
    ) = tuple(row)[:_WIDTH]
    return ModelVersionRecord(
        id=int(id_),
        namespace=namespace,
        name=name,
        version=version,
        state=ModelState(state),
        flavor=flavor,
        manifest_key=manifest_key,
        manifest_sha256=manifest_sha256,
        signature=signature,
        metrics=_document(metrics),
        params=_document(params),
        tags=_document(tags),
        lineage=_document(lineage),
        input_schema=_schema(schema),
        created_at=utc(created_at),
        created_by=created_by,
        error=error,
    )


class ModelVersionReads:
    """A namespace's ready versions, aliases and notes, each in one prepared query on a
    plain connection (the read-only unit of work's ``versions``, ADR 0031)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def ready(self, namespace: str) -> tuple[ModelVersionRecord, ...]:
        """Every ready version of every model of ``namespace``, newest first (one query)."""
        found = self._connection.execute(READY_IN, {"namespace": namespace})
        return tuple(version_record(r) for r in found)

    def aliases(self, namespace: str) -> tuple[AliasRecord, ...]:
        """Every alias of every model of ``namespace``, by name and alias (one query)."""
        return tuple(
            AliasRecord(name, alias, version, utc(at), by)
            for name, alias, version, at, by in self._connection.execute(
                NAMESPACE_ALIASES, {"namespace": namespace}
            )
        )

    def notes(self, namespace: str) -> dict[int, NoteRecord]:
        """The notes of the versions of ``namespace``, by version id (one query)."""
        return {
            int(version_id): NoteRecord(int(version_id), note, utc(at), by)
            for version_id, note, at, by in self._connection.execute(
                NAMESPACE_NOTES, {"namespace": namespace}
            )
        }

    def listing(self, namespace: str) -> NamespaceListing:
        """The ready versions of ``namespace`` with their notes, and its aliases, on one
        connection: one statement (:data:`LISTING`), and a second for the aliases only
        when the namespace has some. A note is read with the row of its version, so the
        listing never shows a note of a version it does not list."""
        versions: list[ModelVersionRecord] = []
        notes: dict[int, NoteRecord] = {}
        aliased = False
        for row in self._connection.execute(LISTING, {"namespace": namespace}):
            values = tuple(row)
            record = version_record(values)
            versions.append(record)
            note, at, by, aliased = values[_WIDTH:]
            if note is not None:
                notes[record.id] = NoteRecord(record.id, note, utc(at), by)
        aliases = self.aliases(namespace) if aliased else ()
        return NamespaceListing(tuple(versions), aliases, notes)
