"""The objects repository: every query the services make over the ``objects`` table.

Prefixes are folders, as in the stores: ``models/v1`` covers ``models/v1/a`` and never
``models/v10/a``. They are matched as a key range, which the key column's byte-wise
collation keeps exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, FunctionElement, Integer, func, literal, select
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from entrepot.catalog.columns import utc
from entrepot.catalog.objects.records import ObjectRecord, ObjectState, Usage
from entrepot.catalog.objects.tables import ObjectRow
from entrepot.errors import RecordExists, RecordInUse, RecordNotFound
from entrepot.messages import N_, Message

#: How many keys go into one ``IN (...)`` query.
KEYS_PER_QUERY = 500

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


class ObjectRepository:
    """Reads and writes ``objects`` rows in the session of a unit of work."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        key: str,
        sha256: str,
        size: int,
        kind: str,
        owner: str | None = None,
        state: ObjectState = ObjectState.STORED,
    ) -> ObjectRecord:
        """Record an object; raises :class:`RecordExists` if ``key`` is already recorded."""
        _check_values(key=key, sha256=sha256, size=size, kind=kind, owner=owner)
        row = ObjectRow(
            key=key, sha256=sha256, size=size, owner=owner, kind=kind, state=state.value
        )
        self._session.add(row)
        try:
            self._session.flush()
        except SqlIntegrityError as exc:
            reason = str(exc.orig).strip().splitlines()[0]
            raise RecordExists(
                f"cannot record key {key!r}: a row already holds it ({reason})",
                hint="keys are write-once: record the object under a new key",
                said=Message(N_("error.catalog.key_recorded"), {"key": key, "reason": reason}),
            ) from None
        return _record(row)

    def get(self, key: str) -> ObjectRecord:
        """The row for ``key``; raises :class:`RecordNotFound`."""
        return _record(self._row(key))

    def find(self, key: str) -> ObjectRecord | None:
        """The row for ``key``, or ``None``."""
        row = self._session.scalars(select(ObjectRow).where(ObjectRow.key == key)).first()
        return None if row is None else _record(row)

    def list(
        self,
        *,
        prefix: str | None = None,
        owner: str | None = None,
        kind: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[ObjectRecord, ...]:
        """Rows in key order, filtered by folder, owner and kind; one page of ``limit``."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        query = (
            select(ObjectRow)
            .where(*_filters(prefix=prefix, owner=owner, kind=kind))
            .order_by(ObjectRow.key)
            .limit(limit)
            .offset(offset)
        )
        return tuple(_record(row) for row in self._session.scalars(query))

    def count(
        self, *, prefix: str | None = None, owner: str | None = None, kind: str | None = None
    ) -> int:
        """How many rows match the filters."""
        query = select(func.count()).select_from(ObjectRow)
        query = query.where(*_filters(prefix=prefix, owner=owner, kind=kind))
        return int(self._session.scalar(query) or 0)

    def page_after(
        self, after: str | None, *, prefix: str | None = None, limit: int = 500
    ) -> tuple[ObjectRecord, ...]:
        """The next ``limit`` rows in key order whose key is greater than ``after``.

        Walk the whole table in constant memory by passing the last key of each page.
        """
        if limit <= 0:
            raise ValueError("limit must be positive")
        query = select(ObjectRow).where(*_filters(prefix=prefix))
        if after is not None:
            query = query.where(ObjectRow.key > after)
        query = query.order_by(ObjectRow.key).limit(limit)
        return tuple(_record(row) for row in self._session.scalars(query))

    def keys_in(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` have a row (queried :data:`KEYS_PER_QUERY` at a time)."""
        wanted = sorted(set(keys))
        found: set[str] = set()
        for start in range(0, len(wanted), KEYS_PER_QUERY):
            chunk = wanted[start : start + KEYS_PER_QUERY]
            found.update(
                self._session.scalars(select(ObjectRow.key).where(ObjectRow.key.in_(chunk)))
            )
        return found

    def set_state(self, key: str, state: ObjectState) -> ObjectRecord:
        """Mark the object stored or quarantined; raises :class:`RecordNotFound`."""
        row = self._row(key)
        row.state = state.value
        self._session.flush()
        return _record(row)

    def delete(self, key: str) -> ObjectRecord:
        """Remove the row for ``key`` and return what it held; raises :class:`RecordNotFound`."""
        row = self._row(key)
        record = _record(row)
        self._session.delete(row)
        try:
            self._session.flush()
        except SqlIntegrityError:
            raise RecordInUse(
                f"object {key!r} is still referenced (by a model version, a dataset, ...)",
                hint="delete what uses it instead, e.g. `entrepot models rm NAME@VERSION`",
                said=Message(N_("error.catalog.object_in_use"), {"key": key}),
            ) from None
        return record

    def usage_by_folder(
        self, prefix: str | None = None, *, owner: str | None = None
    ) -> tuple[Usage, ...]:
        """Objects and bytes per folder one level under ``prefix`` (the top level by default).

        Objects directly in ``prefix`` are grouped under ``prefix`` itself.
        """
        folder = _folder(prefix)
        rest = func.substr(ObjectRow.key, len(folder) + 1)
        group = literal(folder) + func.substr(rest, 1, _FirstSlash(rest))
        inner = (
            select(group.label("name"), ObjectRow.size)
            .where(*_filters(prefix=folder, owner=owner))
            .subquery()
        )
        query = (
            select(inner.c.name, func.count(), func.coalesce(func.sum(inner.c.size), 0))
            .group_by(inner.c.name)
            .order_by(inner.c.name)
        )
        return tuple(
            Usage(name=str(name), objects=int(count), bytes=int(size))
            for name, count, size in self._session.execute(query)
        )

    def usage_by_owner(self, *, prefix: str | None = None) -> tuple[Usage, ...]:
        """Objects and bytes per owner (``None`` first, for objects without owner)."""
        query = (
            select(ObjectRow.owner, func.count(), func.coalesce(func.sum(ObjectRow.size), 0))
            .where(*_filters(prefix=prefix))
            .group_by(ObjectRow.owner)
        )
        usages = [
            Usage(name=owner, objects=int(count), bytes=int(size))
            for owner, count, size in self._session.execute(query)
        ]
        return tuple(sorted(usages, key=lambda u: (u.name is not None, u.name or "")))

    def _row(self, key: str) -> ObjectRow:
        row = self._session.scalars(select(ObjectRow).where(ObjectRow.key == key)).first()
        if row is None:
            raise RecordNotFound(
                f"no object is recorded under key {key!r}",
                hint="check the key; `entrepot ls` lists recorded objects",
                said=Message(N_("error.catalog.no_object"), {"key": key}),
            )
        return row


class _FirstSlash(FunctionElement[int]):
    """1-based position of the first ``/`` in a string, 0 if there is none."""

    type = Integer()
    inherit_cache = True


@compiles(_FirstSlash)
def _first_slash_sqlite(element: _FirstSlash, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)}, '/')"


@compiles(_FirstSlash, "postgresql")
def _first_slash_postgres(element: _FirstSlash, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)}, '/')"


def _folder(prefix: str | None) -> str:
    if prefix is None or prefix in ("", "/"):
        return ""
    return prefix if prefix.endswith("/") else prefix + "/"


def folder_filters(prefix: str | None) -> list[ColumnElement[bool]]:
    """The conditions selecting the ``objects`` rows under the folder ``prefix``."""
    folder = _folder(prefix)
    if not folder:
        return []
    # Every key under "a/b/" sorts in ["a/b/", "a/b0"): "0" is the character after "/".
    return [ObjectRow.key >= folder, ObjectRow.key < folder[:-1] + "0"]


def _filters(
    *, prefix: str | None = None, owner: str | None = None, kind: str | None = None
) -> list[ColumnElement[bool]]:
    conditions = folder_filters(prefix)
    if owner is not None:
        conditions.append(ObjectRow.owner == owner)
    if kind is not None:
        conditions.append(ObjectRow.kind == kind)
    return conditions


def _check_values(*, key: str, sha256: str, size: int, kind: str, owner: str | None) -> None:
    if not key or len(key) > 1024:
        raise ValueError(f"key {key!r} must have 1 to 1024 characters")
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"sha256 {sha256!r} must be 64 lowercase hex digits")
    if size < 0:
        raise ValueError(f"size {size} must not be negative")
    if not _KIND.fullmatch(kind):
        raise ValueError(
            f"kind {kind!r} must be lowercase letters, digits and '-' (e.g. 'model-file')"
        )
    if owner is not None and not 0 < len(owner) <= 128:
        raise ValueError(f"owner {owner!r} must have 1 to 128 characters")


def _record(row: ObjectRow) -> ObjectRecord:
    return ObjectRecord(
        id=row.id,
        key=row.key,
        sha256=row.sha256,
        size=row.size,
        owner=row.owner,
        kind=row.kind,
        state=ObjectState(row.state),
        created_at=utc(row.created_at),
    )
