"""What an import produces: time-series pieces placed by their own timestamps, and the
result reported to the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from entrepot.city.messages import Note
from entrepot.messages import Message


def note_json(text: str) -> dict[str, Any] | None:
    """A note's message as ``{"key", "params"}``; None for plain text (none is parsed)."""
    return text.message.to_json() if isinstance(text, Note) else None


@dataclass(frozen=True)
class Placed:
    """One JSON document of a time series, for the hourly partition holding ``at``."""

    source: str
    at: datetime
    stem: str
    document: Any
    #: The source's rows it holds (a snapshot of 1,500 stations is one document).
    rows: int = 1


@dataclass
class Series:
    """A time-series file normalised into placed documents, with its warnings."""

    placed: list[Placed] = field(default_factory=list)
    rows: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    """What importing one file did."""

    name: str
    kind: str
    keys: tuple[str, ...]
    already_present: int
    rows: int
    first_day: date | None
    last_day: date | None
    #: Each note in English; a :class:`~entrepot.city.messages.Note` carries its message
    #: (``entrepot.city.imports.notes``), given beside the text by :meth:`as_dict`.
    warnings: tuple[str, ...]
    #: Where it came from when it was in an archive: the archive's name and the member's
    #: path in it (a gzip file's member is the name of what it holds).
    archive: str | None = None
    member: str | None = None
    #: Of ``rows``, those this import stored (the others were already in the lake).
    new_rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "file": self.name,
            **({"archive": self.archive, "member": self.member} if self.archive else {}),
            "kind": self.kind,
            "objects": len(self.keys),
            "already_present": self.already_present,
            "rows": self.rows,
            "new_rows": self.new_rows,
            "days": None
            if self.first_day is None or self.last_day is None
            else [self.first_day.isoformat(), self.last_day.isoformat()],
            "keys": list(self.keys[:5]) + (["..."] if len(self.keys) > 5 else []),
            "warnings": [str(w) for w in self.warnings],
            "warning_messages": [note_json(w) for w in self.warnings],
        }


@dataclass(frozen=True)
class Skipped:
    """A file an import left aside (documentation, images, system files), and why: the
    English ``reason``, a :class:`~entrepot.city.messages.Note` carrying its message."""

    name: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``reason_message``: ``{"key", "params"}`` or null)."""
        return {
            "file": self.name,
            "reason": str(self.reason),
            "reason_message": note_json(self.reason),
        }


@dataclass(frozen=True)
class Failed:
    """A file that could not be imported: nothing of it was stored."""

    name: str
    error: str
    hint: str | None = None
    #: The refusal as a message (problem and fix) a page or an API answer writes in its
    #: reader's language (``entrepot.city.refused``); ``None`` for one without.
    said: Message | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``said``: ``{"key", "params"}`` or null)."""
        said = None if self.said is None else self.said.to_json()
        return {"file": self.name, "error": self.error, "hint": self.hint, "said": said}


@dataclass(frozen=True)
class ImportSummary:
    """What importing files, folders and archives did: each file imported, skipped or
    failed, in the order given (a folder's files sorted by name)."""

    imported: tuple[ImportResult, ...]
    skipped: tuple[Skipped, ...]
    failed: tuple[Failed, ...]

    @property
    def ok(self) -> bool:
        """At least one file was imported and none failed."""
        return bool(self.imported) and not self.failed

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "imported": [r.as_dict() for r in self.imported],
            "skipped": [s.as_dict() for s in self.skipped],
            "failed": [f.as_dict() for f in self.failed],
        }
