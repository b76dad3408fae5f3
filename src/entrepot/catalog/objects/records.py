"""Objects as the catalog knows them: plain frozen dataclasses, no SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ObjectState(StrEnum):
    """Whether a recorded object may be served."""

    #: Written, recorded and believed intact.
    STORED = "stored"
    #: Found damaged or suspicious; kept for inspection, never served.
    QUARANTINED = "quarantined"


@dataclass(frozen=True, slots=True)
class ObjectRecord:
    """One row of the ``objects`` table: an object the catalog vouches for."""

    id: int
    key: str
    sha256: str
    size: int
    owner: str | None
    kind: str
    state: ObjectState
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Usage:
    """How many objects and bytes one group (a folder or an owner) holds."""

    #: A folder ending in ``/``, ``""`` for objects at the top of the grouping, or an owner id
    #: (``None`` for objects without owner).
    name: str | None
    objects: int
    bytes: int
