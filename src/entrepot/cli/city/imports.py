"""``entrepot city import FILE...``: real Paris exports into the lake, recognised by content.

A table for people (kind, rows, days, objects new and already present, warnings),
``--json`` for scripts. Files are imported one by one: a file that cannot be read is
reported by name, nothing of it is stored, and the others still go in; the exit status
is non-zero if one failed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from entrepot.city.days import parse_day
from entrepot.city.errors import CityError, RawFormatError
from entrepot.cli.context import console, current_app, err_console
from entrepot.cli.output import print_json

if TYPE_CHECKING:
    from entrepot.city.imports.records import ImportResult


def import_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Exports as downloaded (CSV or JSON), or folders of them; the kind is read "
            "from content."
        ),
    ],
    prefix: Annotated[str, typer.Option(help="Store prefix holding the raw/ layout.")] = "",
    as_of: Annotated[
        str | None,
        typer.Option(help="Date the exports were taken, YYYY-MM-DD (default: each file's mtime)."),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Recognise each export, check it, and store it in the lake (see docs/city.md)."""
    from entrepot.city.imports.importer import import_file  # pandas, DuckDB: not for --help

    when = None
    if as_of is not None:
        day = parse_day(as_of)
        when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    store = current_app(ctx).city.store
    store = store.scoped(prefix) if prefix.strip("/") else store
    results: list[ImportResult] = []
    errors: list[dict[str, Any]] = []
    paths = [p for f in files for p in (sorted(f.iterdir()) if f.is_dir() else [f])]
    for path in paths:
        if not path.is_file():
            errors.append({"file": str(path), "error": "no such file"})
            continue
        try:
            with _Bar(path.name, quiet=json_) as advance:
                results.append(import_file(store, path, as_of=when, progress=advance))
        except CityError as exc:
            errors.append({"file": str(path), "error": exc.message, "hint": exc.hint})
    if json_:
        print_json({"imported": [r.as_dict() for r in results], "failed": errors})
    else:
        _table(results, errors)
    if errors:
        first = errors[0]
        raise RawFormatError(
            f"{len(errors)} of {len(paths)} file(s) not imported; first: {first['file']}: "
            f"{first['error']}",
            hint=first.get("hint") or "check the file is an export listed in docs/city.md",
        )


class _Bar:
    # a bar for the hourly pieces of a long time series (hidden with --json)

    def __init__(self, name: str, *, quiet: bool) -> None:
        from entrepot.cli.progress import count_progress  # rich.progress: only when importing

        self.bar = None if quiet else count_progress(err_console)
        self.name = name
        self.task: Any = None

    def __enter__(self) -> Any:
        if self.bar is None:
            return None

        def advance(done: int, total: int) -> None:
            assert self.bar is not None
            if self.task is None:
                self.bar.start()
                self.task = self.bar.add_task(f"import {self.name}", total=total)
            self.bar.update(self.task, completed=done)

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.stop()


def _table(results: list[ImportResult], errors: list[dict[str, Any]]) -> None:
    table = Table(box=None)
    table.add_column("file", overflow="fold", min_width=24)
    table.add_column("kind", no_wrap=True)
    table.add_column("rows", justify="right")
    table.add_column("days", no_wrap=True)
    table.add_column("new", justify="right")
    table.add_column("present", justify="right")
    for r in results:
        days = "" if r.first_day is None else f"{r.first_day}…{r.last_day}"
        new = len(r.keys) - r.already_present
        table.add_row(r.name, r.kind, str(r.rows), days, str(new), str(r.already_present))
    console.print(table)
    for r in results:
        for warning in r.warnings:
            console.print(f"[yellow]warning[/yellow] {warning}", highlight=False)
    for e in errors:
        console.print(f"[red]not imported[/red] {e['file']}: {e['error']}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``import`` to the ``city`` sub-app."""
    app.command("import")(import_command)
