"""Small CSV exports read as rows of text (pandas-free), with the numbers they hold parsed
the way the exports write them: decimal point or comma, empty = absent, never a silent 0."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

from entrepot.city.days import paris
from entrepot.city.imports import notes
from entrepot.messages import N_, Message


def rows(text: str, sep: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, {column: text})`` of each data row (multi-line quoted text allowed)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header = [c.strip() for c in next(reader, [])]
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        yield (
            reader.line_num,
            {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)},
        )


class NotANumber(ValueError):
    """A non-empty value that is not a number."""


def number(text: str) -> float | None:
    """``"1034.0"`` or ``"1034,0"`` -> 1034.0; ``""`` (or ``mq``, Météo-France's missing
    mark) -> None; anything else raises :class:`NotANumber`."""
    value = text.strip()
    if not value or value == "mq":
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        raise NotANumber(value) from None


def instant(text: str) -> datetime:
    """An ISO timestamp -> an aware instant: an offset or ``Z`` is absolute, none is Paris
    wall time. Raises ``ValueError`` for anything else."""
    value = text.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=paris())


def utc_instant(text: str) -> datetime:
    """A timestamp that is UTC when it carries no offset (Météo-France SYNOP)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class BadValues:
    """Counts the values of a file that do not parse; too many fail the file by line."""

    def __init__(self, name: str, limit_share: float = 0.05) -> None:
        self.name = name
        self.limit_share = limit_share
        self.count = 0
        self.first: tuple[int, str, str] | None = None

    def mark(self, line: int, column: str, value: str) -> None:
        """Count one bad value."""
        self.count += 1
        self.first = self.first or (line, column, value)

    def number(self, line: int, row: dict[str, str], column: str) -> float | None:
        """The column's number, or None (absent or bad: a bad one is counted)."""
        try:
            return number(row.get(column, ""))
        except NotANumber as exc:
            self.mark(line, column, str(exc))
            return None

    def instant(self, line: int, row: dict[str, str], column: str) -> datetime | None:
        """The column's timestamp, or None (a missing or bad one is counted)."""
        try:
            return instant(row[column])
        except (KeyError, ValueError):
            self.mark(line, column, row.get(column, ""))
            return None

    def check(self, rows: int) -> list[str]:
        """Warnings about the bad values; raises when they exceed the limit."""
        from entrepot.city.errors import RawFormatError

        if not self.count or self.first is None:
            return []
        line, column, value = self.first
        if self.count > self.limit_share * max(rows, 1):
            raise RawFormatError(
                f"{self.count} of {rows} rows hold a value that is not a number "
                f"(first at line {line}, {column!r}: {value!r})",
                key=self.name,
                hint="fix or re-export the file; numbers look like 12.5 or 12,5",
                said=Message(
                    N_("error.city.rows_not_numbers"),
                    {
                        "file": self.name,
                        "bad": self.count,
                        "rows": rows,
                        "line": line,
                        "column": str(column)[:100],
                        "example": str(value)[:80],
                    },
                ),
            )
        return [notes.not_numbers_left_out(self.name, self.count, line, column, value)]
