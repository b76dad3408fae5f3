"""The model registry's tables: versions, their files, aliases, notes and reference
models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from entrepot.catalog.base import Base
from entrepot.catalog.columns import IdType, JsonType, SegmentType
from entrepot.catalog.objects import tables as _objects  # noqa: F401 - foreign keys


class ModelVersionRow(Base):
    """One version of a model; readers see it only once ``ready``.

    ``namespace`` is ``''`` for shared models or the owner's id. The version is claimed by
    inserting a ``pending`` row (the unique key settles races), and turns ``ready`` in the
    unit of work that records its files, or ``failed``.
    """

    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("namespace", "name", "version", name="uq_model_versions_version"),
        CheckConstraint("state IN ('pending', 'ready', 'failed')", name="state"),
        Index("ix_model_versions_order", "namespace", "name", "state", "id"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(SegmentType)
    version: Mapped[str] = mapped_column(SegmentType)
    state: Mapped[str] = mapped_column(String(16))
    flavor: Mapped[str] = mapped_column(String(32))
    manifest_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("objects.id", ondelete="RESTRICT"), unique=True
    )
    manifest_sha256: Mapped[str | None] = mapped_column(CHAR(64))
    signature: Mapped[str | None] = mapped_column(String(128))
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonType)
    params: Mapped[dict[str, Any]] = mapped_column(JsonType)
    tags: Mapped[dict[str, Any]] = mapped_column(JsonType)
    lineage: Mapped[dict[str, Any]] = mapped_column(JsonType)
    input_schema: Mapped[list[Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)


class ModelFileRow(Base):
    """One file of a model version, and the object that holds its bytes."""

    __tablename__ = "model_files"
    __table_args__ = (
        UniqueConstraint("version_id", "path", name="uq_model_files_path"),
        CheckConstraint("size >= 0", name="size"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("model_versions.id", ondelete="CASCADE")
    )
    path: Mapped[str] = mapped_column(String(512))
    object_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("objects.id", ondelete="RESTRICT"), unique=True
    )
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(CHAR(64))


class ModelAliasRow(Base):
    """A named pointer (``production``, ``staging``) to one version of a model."""

    __tablename__ = "model_aliases"
    __table_args__ = (
        UniqueConstraint("namespace", "name", "alias", name="uq_model_aliases_alias"),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(SegmentType)
    alias: Mapped[str] = mapped_column(SegmentType)
    version_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(128))


class ModelNoteRow(Base):
    """The owner's note on one version (what it is for, why it was promoted): written on
    its page, kept beside the version rather than in its signed manifest."""

    __tablename__ = "model_notes"
    version_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    note: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(128))


class ReferenceModelRow(Base):
    """A model the fraud engine may reuse for a new dataset, with its usage statistics."""

    __tablename__ = "reference_models"
    __table_args__ = (
        CheckConstraint("usage_count >= 0", name="usage_count"),
        CheckConstraint(
            "mean_match_score IS NULL OR (mean_match_score >= 0 AND mean_match_score <= 1)",
            name="mean_match_score",
        ),
    )
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    domain: Mapped[str] = mapped_column(String(64), index=True)
    input_schema: Mapped[list[Any]] = mapped_column(JsonType)
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonType)
    version_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("model_versions.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean)
    usage_count: Mapped[int] = mapped_column(Integer)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mean_match_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
