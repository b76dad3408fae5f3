"""The read-only listings' repositories, in SQLAlchemy Core: no ORM, no mapped tables.

A listing command (``users list``, ``models ls``, ``city status``) runs one query and
exits; loading the ORM and every mapped table costs more than the query itself (ADR 0030).
They are reached through the read-only unit of work (``catalog/reads.py``, ADR 0079); the
ORM repositories use the same queries and row conversions (``ModelListing`` and
``WatermarkListing`` on their session's connection, ``user_record`` and
``watermark_record`` for their rows); ``tests/unit/catalog/test_listings.py`` holds the
answers equal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    CHAR,
    Boolean,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    column,
    func,
    or_,
    select,
    table,
)

from entrepot.catalog.accounts.records import UserRecord
from entrepot.catalog.city.records import Watermark, WatermarkState
from entrepot.catalog.columns import IdType, JsonType, utc
from entrepot.catalog.models.records import ModelState, ModelSummary

_USERS = table(
    "users",
    column("id", IdType),
    column("email", String),
    column("name", String),
    column("password_hash", String),
    column("is_admin", Boolean),
    column("is_active", Boolean),
    column("session_epoch", Integer),
    column("oidc_subject", String),
    column("created_at", DateTime(timezone=True)),
    column("last_login_at", DateTime(timezone=True)),
)
_VERSIONS = table(
    "model_versions",
    column("id", IdType),
    column("namespace", String),
    column("name", String),
    column("version", String),
    column("state", String),
    column("created_at", DateTime(timezone=True)),
)
_WATERMARKS = table(
    "city_watermarks",
    column("source", String),
    column("day", Date),
    column("inputs", JsonType),
    column("inputs_digest", CHAR(64)),
    column("state", String),
    column("error", Text),
    column("output_sha256", CHAR(64)),
    column("run_id", String),
    column("updated_at", DateTime(timezone=True)),
)


class UserListing:
    """The accounts, as ``users list`` shows them (one Core query)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def matching(self, query: str = "") -> list[UserRecord]:
        """Every account whose email or name contains ``query`` (any case), newest first."""
        statement = select(_USERS).order_by(_USERS.c.id.desc())
        if query:
            pattern = contains_pattern(query)
            statement = statement.where(
                or_(
                    _USERS.c.email.like(pattern, escape="\\"),
                    func.lower(_USERS.c.name).like(pattern, escape="\\"),
                )
            )
        return [user_record(row) for row in self._connection.execute(statement)]


class ModelListing:
    """The models of a namespace, as ``models ls`` shows them (one Core query)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def summaries(self, namespace: str) -> tuple[ModelSummary, ...]:
        """Every model of ``namespace`` with a ready version, by name: how many, and the
        latest."""
        v = _VERSIONS.c
        per_name = (
            select(v.name, func.count().label("n"), func.max(v.id).label("last"))
            .where(v.namespace == namespace, v.state == ModelState.READY.value)
            .group_by(v.name)
            .subquery()
        )
        statement = (
            select(per_name.c.name, per_name.c.n, v.version, v.created_at)
            .join(_VERSIONS, v.id == per_name.c.last)
            .order_by(per_name.c.name)
        )
        return tuple(
            ModelSummary(namespace, name, int(n), version, utc(created))
            for name, n, version, created in self._connection.execute(statement)
        )


class WatermarkListing:
    """The city watermarks, as ``city status`` shows them (one Core query)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def find(
        self,
        *,
        source: str | None = None,
        start: date | None = None,
        end: date | None = None,
        state: str | None = None,
    ) -> list[Watermark]:
        """The city watermarks by day then source, filtered."""
        w = _WATERMARKS.c
        conditions: list[Any] = []
        if source is not None:
            conditions.append(w.source == source)
        if start is not None:
            conditions.append(w.day >= start)
        if end is not None:
            conditions.append(w.day <= end)
        if state is not None:
            conditions.append(w.state == state)
        statement = select(_WATERMARKS).where(*conditions).order_by(w.day, w.source)
        return [watermark_record(row) for row in self._connection.execute(statement)]


def contains_pattern(text: str) -> str:
    """A ``LIKE`` pattern (escape character ``\\``) matching values that contain ``text``
    in lower case, its ``%``, ``_`` and ``\\`` taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: The ``users`` columns in the order :func:`user_of_values` reads them.
USER_COLUMNS = tuple(c.name for c in _USERS.columns)


def user_of_values(values: Sequence[Any]) -> UserRecord:
    """:func:`user_record` of the values of :data:`USER_COLUMNS`, in that order: a hot
    read (the bearer token's account) unpacks its row, where each attribute of a row costs
    a failed lookup first."""
    (
        id_,
        email,
        name,
        password_hash,
        is_admin,
        is_active,
        session_epoch,
        oidc_subject,
        created_at,
        last_login_at,
    ) = values
    return UserRecord(
        id=id_,
        email=email,
        name=name,
        is_admin=is_admin,
        is_active=is_active,
        session_epoch=session_epoch,
        has_password=password_hash is not None,
        oidc_subject=oidc_subject,
        created_at=utc(created_at),
        last_login_at=None if last_login_at is None else utc(last_login_at),
    )


def user_record(row: Any) -> UserRecord:
    """The domain value of a ``users`` row (an ORM row, or a Core row of its columns)."""
    return user_of_values([getattr(row, name) for name in USER_COLUMNS])


def watermark_record(row: Any) -> Watermark:
    """The domain value of a ``city_watermarks`` row (ORM or Core)."""
    state: WatermarkState = "ok" if row.state == "ok" else "failed"
    return Watermark(
        source=row.source,
        day=row.day,
        inputs=tuple(json.loads(json.dumps(row.inputs))),
        inputs_digest=row.inputs_digest,
        state=state,
        error=row.error,
        output_sha256=row.output_sha256,
        run_id=row.run_id,
        updated_at=utc(row.updated_at),
    )
