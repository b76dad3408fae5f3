"""Model versions, files, aliases and reference models as the catalog knows them: plain
frozen dataclasses, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ModelState(StrEnum):
    """Where a model version is in its life: only ``ready`` versions are ever served."""

    #: Claimed: its files are being written.
    PENDING = "pending"
    #: Every file and the manifest are stored and recorded.
    READY = "ready"
    #: The push failed; the version holds nothing.
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ModelVersionRecord:
    """One row of ``model_versions``."""

    id: int
    #: ``""`` for shared models, else the owner's id.
    namespace: str
    name: str
    version: str
    state: ModelState
    flavor: str
    #: Key of the manifest object (``None`` until ready).
    manifest_key: str | None
    manifest_sha256: str | None
    #: HMAC of the manifest sha256 with the instance secret (``None`` if not vouched for).
    signature: str | None
    metrics: Mapping[str, float]
    params: Mapping[str, str]
    tags: Mapping[str, str]
    lineage: Mapping[str, str]
    #: Input columns as ``(name, dtype)`` pairs, when known.
    input_schema: tuple[tuple[str, str], ...]
    created_at: datetime
    created_by: str
    #: Why the push failed (``failed`` versions only).
    error: str | None


@dataclass(frozen=True, slots=True)
class ModelFileRecord:
    """One file of a model version: its path in the version and the object holding it."""

    path: str
    key: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """One model: how many ready versions it has, and its latest."""

    namespace: str
    name: str
    versions: int
    latest: str
    latest_at: datetime


@dataclass(frozen=True, slots=True)
class AliasRecord:
    """An alias and the version it points to."""

    name: str
    alias: str
    version: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """The owner's note on a version, and who wrote it when."""

    version_id: int
    note: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class NamespaceListing:
    """A namespace's ready versions (newest first), its aliases (by name and alias; none
    when it has no ready version) and the notes of those versions (by version id), read
    together."""

    versions: tuple[ModelVersionRecord, ...]
    aliases: tuple[AliasRecord, ...]
    notes: dict[int, NoteRecord]


@dataclass(frozen=True, slots=True)
class ReferenceModelRecord:
    """A reference model of the fraud engine and how often it was reused."""

    name: str
    domain: str
    input_schema: tuple[tuple[str, str], ...]
    metrics: Mapping[str, float]
    model_namespace: str
    model_name: str
    model_version: str
    active: bool
    usage_count: int
    last_used_at: datetime | None
    mean_match_score: float | None
    created_at: datetime
