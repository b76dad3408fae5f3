"""Results for people and for scripts, in one place.

People get a Rich table with numbers rounded; ``--json`` prints one JSON document (a list
or an object) on stdout and nothing else there, with stable keys and numbers unrounded.
Progress and notes go to stderr (``cli.context.progress_console``) either way.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console
from entrepot.cli.language import human_size, reader_language, words
from entrepot.messages import N_

#: The ``--json`` flag of every listing and status command.
JsonFlag = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout (for scripts)."),
]


#: Each column's header (a listing's key -> its catalog key), in the reader's language.
HEADERS = {
    "key": N_("cli.column.key"),
    "size": N_("cli.column.size"),
    "bytes": N_("cli.column.bytes"),
    "modified": N_("cli.column.modified"),
    "sha256": N_("cli.column.sha256"),
    "name": N_("cli.column.name"),
    "objects": N_("cli.column.objects"),
    "versions": N_("cli.column.versions"),
    "version": N_("cli.column.version"),
    "latest": N_("cli.column.latest"),
    "latest_at": N_("cli.column.pushed"),
    "created_by": N_("cli.column.by"),
    "flavor": N_("cli.column.flavor"),
    "aliases": N_("cli.column.aliases"),
    "metrics": N_("cli.column.metrics"),
    "metric": N_("cli.column.metric"),
    "state": N_("cli.column.state"),
    "status": N_("cli.column.status"),
    "store": N_("cli.column.store"),
    "problem": N_("cli.column.problem"),
    "detail": N_("cli.column.detail"),
    "cached copy": N_("cli.column.cached_copy"),
    "id": N_("cli.column.id"),
    "email": N_("cli.column.email"),
    "admin": N_("cli.column.admin"),
    "active": N_("cli.column.active"),
    "field": N_("cli.column.field"),
    "value": N_("cli.column.value"),
    "source": N_("cli.column.source"),
    "rows": N_("cli.column.rows"),
    "error": N_("cli.column.error"),
    "date": N_("cli.column.date"),
    "day": N_("cli.column.day"),
    "units": N_("cli.column.units"),
    "target": N_("cli.column.target"),
    "labelled": N_("cli.column.labelled"),
    "inputs": N_("cli.column.inputs"),
    "format": N_("cli.column.format"),
    "columns": N_("cli.column.columns"),
    "model": N_("cli.column.model"),
    "check": N_("cli.column.check"),
}


@dataclass(frozen=True)
class Column:
    """One column of a table: the key of each row it shows, its header's catalog key
    (default: the key's, :data:`HEADERS`), how a value is shown to people (default:
    :func:`human`), and whether long values wrap (``fold``)."""

    key: str
    title: str = ""
    show: Callable[[Any], str] | None = None
    fold: bool = False

    @property
    def header(self) -> str:
        """The column's header, in the reader's language."""
        found = self.title or HEADERS.get(self.key)
        t = words()
        return t(found) if found else self.key


def human(value: Any) -> str:
    """``value`` for people: numbers rounded (``0.4375``, not ``0.43749999999999994``),
    times to the second, ``-`` for nothing, yes or no in the reader's language, ``k=v``
    pairs."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        t = words()
        return t("cli.yes") if value else t("cli.no")
    if isinstance(value, float):
        return rounded(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={human(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(human(v) for v in value)
    return str(value)


def counted(count: int, noun: str) -> str:
    """``1 object``, ``2 objects``: a count with its noun in the right number (English)."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def rounded(number: float) -> str:
    """A float with four significant digits, thousands without an exponent, with the
    reader's decimal mark and grouping (``0,4375`` and ``12 345`` in French)."""
    if not math.isfinite(number):
        return str(number)
    text = f"{number:,.0f}" if abs(number) >= 10_000 else f"{number:.4g}"
    if "e" in text or reader_language() == "en":
        return text
    return text.replace(",", "\u202f").replace(".", ",")  # CLDR's French marks


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> Table:
    """A borderless Rich table of ``rows``, one column per :class:`Column`; cell text is
    never read as Rich markup."""
    grid = Table(box=None)
    for column in columns:
        grid.add_column(
            column.header,
            overflow="fold" if column.fold else "ellipsis",
            no_wrap=not column.fold,
            min_width=len(column.header),
        )
    for row in rows:
        grid.add_row(*(Text((c.show or human)(row.get(c.key))) for c in columns))
    return grid


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    as_json: bool,
    document: Any = None,
    footer: str = "",
) -> None:
    """Print ``rows`` as a table (then ``footer``), or ``document`` (default: the rows) as
    JSON."""
    if as_json:
        print_json(rows if document is None else document)
        return
    console.print(table(rows, columns))
    if footer:
        console.print(footer, markup=False)


def emit_fields(document: Mapping[str, Any], *, as_json: bool, sizes: Sequence[str] = ()) -> None:
    """Print one record as a two-column table of its fields, or as JSON (as given). In the
    table a list reads as its items, and the fields named in ``sizes`` (byte counts) in
    human units (``256.3 MB``), never as a Python repr or a raw byte count."""
    emit_rows(
        [{"field": k, "value": _shown(v, k in sizes)} for k, v in document.items()],
        (Column("field"), Column("value", fold=True)),
        as_json=as_json,
        document=document,
    )


def _shown(value: Any, size: bool) -> Any:
    if size and isinstance(value, int) and not isinstance(value, bool):
        return human_size(value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(item) for item in value)
    return value


def print_json(document: Any) -> None:
    """Print ``document`` as indented UTF-8 JSON on stdout (times in ISO 8601)."""
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2, default=_jsonable))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
