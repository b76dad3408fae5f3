"""Records the registry's operations answer, for entrepoints to render without importing
the machinery that made them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: What happened to one folder of ``entrepot models import-tree``.
Status = Literal["imported", "would import", "skipped", "refused"]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What happened to one folder."""

    name: str
    status: Status
    detail: str
    version: str | None = None
    signed: bool = False
