"""The manifest: the last file of a version, listing every other file with its sha256.

It is canonical JSON (sorted keys, no NaN), so one manifest always hashes the same; the
catalog records that hash, and a signature over it vouches for every file it lists.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from entrepot.messages import N_, Message
from entrepot.registry.errors import InvalidModelFiles

#: Format of the manifest; a reader refuses a newer one.
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a model version."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Column:
    """One input column of a model."""

    name: str
    dtype: str


@dataclass(frozen=True)
class Manifest:
    """What a model version is: files, flavor, environment, schema, metrics and lineage."""

    name: str
    version: str
    files: tuple[FileEntry, ...]
    flavor: str
    created_at: str
    created_by: str
    #: The file :meth:`Registry.load` loads (``None`` for raw files).
    model_file: str | None = None
    #: Python and library versions at push time (``{"python": "3.11.7", "torch": ...}``).
    framework: Mapping[str, str] = field(default_factory=dict)
    input_schema: tuple[Column, ...] = ()
    metrics: Mapping[str, float] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    #: Free-form JSON describing the model (architecture, classes, epochs, optimizer...).
    metadata: Mapping[str, Any] = field(default_factory=dict)
    #: Where it came from: ``dataset_sha256``, ``training_run``...
    lineage: Mapping[str, str] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def file(self, path: str) -> FileEntry:
        """The entry for ``path``; raises ``KeyError``."""
        for entry in self.files:
            if entry.path == path:
                return entry
        raise KeyError(path)

    def to_json(self) -> bytes:
        """Canonical JSON (sorted keys), so the same manifest always hashes the same."""
        try:
            text = json.dumps(asdict(self), sort_keys=True, indent=2, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidModelFiles(
                f"the manifest of {self.name}@{self.version} is not plain JSON: {exc}",
                hint="metrics must be finite numbers and metadata JSON values",
                said=Message(
                    N_("error.registry.manifest_not_json"),
                    {"model": f"{self.name}@{self.version}", "detail": str(exc)},
                ),
            ) from None
        return text.encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Parse a manifest written by :meth:`to_json`; raises ``ValueError`` if malformed."""
        try:
            raw = json.loads(data)
            if raw.get("schema_version", SCHEMA_VERSION) > SCHEMA_VERSION:
                raise ValueError(
                    f"manifest format {raw['schema_version']} is newer than this Entrepôt "
                    f"reads ({SCHEMA_VERSION}); upgrade Entrepôt"
                )
            return cls(
                name=str(raw["name"]),
                version=str(raw["version"]),
                files=tuple(
                    FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"]))
                    for f in raw["files"]
                ),
                flavor=str(raw["flavor"]),
                created_at=str(raw["created_at"]),
                created_by=str(raw["created_by"]),
                model_file=raw.get("model_file"),
                framework=dict(raw.get("framework", {})),
                input_schema=tuple(Column(**c) for c in raw.get("input_schema", ())),
                metrics=dict(raw.get("metrics", {})),
                params=dict(raw.get("params", {})),
                tags=dict(raw.get("tags", {})),
                metadata=dict(raw.get("metadata", {})),
                lineage=dict(raw.get("lineage", {})),
                schema_version=int(raw.get("schema_version", SCHEMA_VERSION)),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"malformed manifest: {exc!r}") from None
