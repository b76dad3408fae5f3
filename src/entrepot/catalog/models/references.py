"""The reference-model repository: the models the fraud engine may reuse, and their use.

Usage statistics change in one ``UPDATE`` each (count, last use, running mean of the match
score), so concurrent scorers never lose an update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, case, delete, select, update
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from entrepot.catalog.models.records import ReferenceModelRecord
from entrepot.catalog.models.rows import schema_pairs, utc
from entrepot.catalog.models.tables import ModelVersionRow, ReferenceModelRow
from entrepot.errors import RecordExists
from entrepot.messages import N_, Message

_R = ReferenceModelRow


class ReferenceRepository:
    """Reads and writes ``reference_models`` rows in a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(
        self,
        *,
        name: str,
        domain: str,
        version_id: int,
        input_schema: Sequence[tuple[str, str]],
        metrics: Mapping[str, float],
        active: bool = True,
    ) -> ReferenceModelRecord:
        """Add the reference ``name``, or repoint and describe it anew (its usage statistics
        are kept)."""
        schema = [list(pair) for pair in input_schema]
        row = self._session.scalars(select(_R).where(_R.name == name)).first()
        if row is None:
            row = ReferenceModelRow(name=name, usage_count=0)
            self._session.add(row)
        row.domain, row.version_id, row.active = domain, version_id, active
        row.input_schema, row.metrics = schema, dict(metrics)
        try:
            self._session.flush()
        except SqlIntegrityError as exc:
            reason = str(exc.orig).strip().splitlines()[0]
            raise RecordExists(
                f"cannot record reference model {name!r}: {reason}",
                hint="another process recorded it at the same time; try again",
                said=Message(
                    N_("error.catalog.reference_exists"), {"name": name, "reason": reason}
                ),
            ) from None
        return _reference(self._session.execute(_select().where(_R.id == row.id)).one())

    def find(self, name: str) -> ReferenceModelRecord | None:
        """The reference ``name``, or ``None``."""
        row = self._session.execute(_select().where(_R.name == name)).first()
        return None if row is None else _reference(row)

    def list(
        self, *, domain: str | None = None, active: bool | None = None
    ) -> tuple[ReferenceModelRecord, ...]:
        """References by name, filtered by domain and active flag."""
        query = _select().order_by(_R.name)
        if domain is not None:
            query = query.where(_R.domain == domain)
        if active is not None:
            query = query.where(_R.active == active)
        return tuple(_reference(row) for row in self._session.execute(query))

    def record_use(self, name: str, *, score: float, at: datetime) -> bool:
        """Count one use of ``name`` with its match ``score`` (0 to 1), in one statement;
        whether the reference exists."""
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"match score {score!r} must be between 0 and 1")
        mean = case(
            (_R.mean_match_score.is_(None), score),
            else_=(_R.mean_match_score * _R.usage_count + score) / (_R.usage_count + 1),
        )
        result = self._session.execute(
            update(_R)
            .where(_R.name == name)
            .values(usage_count=_R.usage_count + 1, last_used_at=at, mean_match_score=mean)
        )
        return int(getattr(result, "rowcount", 0)) == 1

    def set_active(self, name: str, active: bool) -> bool:
        """Activate or retire ``name``; whether it exists."""
        result = self._session.execute(update(_R).where(_R.name == name).values(active=active))
        return int(getattr(result, "rowcount", 0)) == 1

    def remove(self, name: str) -> bool:
        """Delete ``name``; whether it existed."""
        result = self._session.execute(delete(_R).where(_R.name == name))
        return int(getattr(result, "rowcount", 0)) == 1

    def using(self, version_id: int) -> tuple[str, ...]:
        """Names of the references that point at a version."""
        query = select(_R.name).where(_R.version_id == version_id).order_by(_R.name)
        return tuple(self._session.scalars(query))


def _select() -> Select[Any]:
    v = ModelVersionRow
    return select(
        _R.name,
        _R.domain,
        _R.input_schema,
        _R.metrics,
        v.namespace,
        v.name,
        v.version,
        _R.active,
        _R.usage_count,
        _R.last_used_at,
        _R.mean_match_score,
        _R.created_at,
    ).join(v, _R.version_id == v.id)


def _reference(row: Row[Any]) -> ReferenceModelRecord:
    (
        name,
        domain,
        schema,
        metrics,
        namespace,
        model,
        version,
        active,
        count,
        last_used,
        mean,
        created,
    ) = tuple(row)
    return ReferenceModelRecord(
        name=name,
        domain=domain,
        input_schema=schema_pairs(schema),
        metrics=metrics,
        model_namespace=namespace,
        model_name=model,
        model_version=version,
        active=bool(active),
        usage_count=int(count),
        last_used_at=None if last_used is None else utc(last_used),
        mean_match_score=None if mean is None else float(mean),
        created_at=utc(created),
    )
