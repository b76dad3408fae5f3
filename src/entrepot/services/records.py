"""What the object service answers: plain records an entrypoint may render (no catalog or
store code is imported to read them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from entrepot.catalog.objects.records import ObjectRecord
from entrepot.storage.types import ObjectInfo

if TYPE_CHECKING:
    from entrepot.services.repair import Finding, RepairReport
    from entrepot.services.verify import VerifyReport


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A verified download: where it was written, how large, its sha256, and whether the
    catalog vouched for the bytes (``cataloged``) or only the store's own checksum."""

    path: Path
    size: int
    sha256: str | None
    cataloged: bool


@dataclass(frozen=True, slots=True)
class ObjectHead:
    """What is known of one object without reading its bytes: the store's answer and the
    catalog's row (``None`` when the catalog does not record it)."""

    info: ObjectInfo
    record: ObjectRecord | None


@dataclass(frozen=True, slots=True)
class DownloadedTree:
    """A folder downloaded verified: every file written, under ``dest``."""

    prefix: str
    dest: Path
    files: tuple[Downloaded, ...]

    @property
    def size(self) -> int:
        """Bytes written in all."""
        return sum(f.size for f in self.files)


@dataclass(frozen=True, slots=True)
class Verified:
    """What ``verify`` found, the damaged objects it recorded (with the cache's good copy
    when there is one) and, when asked, what it repaired."""

    report: VerifyReport
    findings: tuple[Finding, ...]
    repaired: RepairReport | None
    #: The URL of the store holding each damaged object (a move may have placed it).
    stores: Mapping[str, str] = field(default_factory=dict)

    @property
    def left(self) -> int:
        """Damaged objects still damaged."""
        return len(self.findings) if self.repaired is None else len(self.repaired.left)
