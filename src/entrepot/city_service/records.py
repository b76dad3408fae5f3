"""What the city service is asked and what it answers (no heavy import: the CLI reads
these while parsing its options)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from entrepot.city.limits import DEFAULT_MEMORY_LIMIT

if TYPE_CHECKING:
    from entrepot.city.generator import GenerateResult


@dataclass(frozen=True)
class Generated:
    """What ``generate`` wrote, and where."""

    store: str
    result: GenerateResult


@dataclass(frozen=True)
class RunRequest:
    """Which days and types a run covers, and how: the user's words, checked by the run."""

    day: str | None = None
    since: str | None = None
    until: str | None = None
    types: Sequence[str] | None = None
    prefix: str = ""
    force: bool = False
    report: bool = True
    memory_limit: str = DEFAULT_MEMORY_LIMIT
