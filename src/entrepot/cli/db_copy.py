"""``entrepot db copy --to URL``: the whole catalog into another database, a thin shell over
:class:`entrepot.catalog.copy.CatalogCopy` (counts, a progress bar, the comparison)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.format import finite
from entrepot.cli.progress import count_progress
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from entrepot.catalog.copy.records import CopyReport, RowDifference

#: The longest value a difference shows.
_SHOWN = 80


def db_copy(
    to: Annotated[
        str, typer.Option(help="The target database URL (postgresql://… or sqlite:///…).")
    ],
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted copy into the target.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the target and print the row counts.")
    ] = False,
    batch: Annotated[int, typer.Option(help="Rows per target transaction.", min=1)] = 500,
    pause: Annotated[float, typer.Option(hidden=True, min=0.0, callback=finite)] = 0.0,
) -> None:
    """Copy the whole catalog (accounts, tokens, sessions, datasets, models, jobs, city
    metrics, store moves, audit log) from ENTREPOT_DATABASE_URL into an empty database
    (a blank one gets its schema first), then compare every table's rows, value by value.

    Interrupted? Run the same command with --resume. The source is only read.
    """
    from entrepot.catalog.copy.errors import CopyMismatch

    copy = current_app().catalog.copy_to(to, batch_size=batch)
    marker = copy.check(resume=resume)
    if dry_run:
        _show_counts(copy.counts())
        state = (
            "an interrupted copy to resume"
            if marker
            else "blank: the copy will create its schema first"
            if copy.blank_target()
            else "empty and at the same revision"
        )
        console.print(f"the target {escape(copy.target_name)} is {state}: nothing was written")
        return
    with count_progress(progress_console) as progress:
        task = progress.add_task("copying", total=None)

        def update(table: str, done: int, everything: int) -> None:
            progress.update(task, description=table, completed=done, total=everything)

        report = copy.run(resume=resume, on_progress=update, pause=pause)
    _show_report(report)
    if not report.ok:
        found = report.differences
        named = "; ".join(_difference(d) for d in found[:3])
        raise CopyMismatch(
            f"the copy in {copy.target_name} differs from the source"
            + (f": {named}" if named else ""),
            hint="was the source in use? stop the app, and copy into a new, empty database",
            said=Message(
                N_("error.cli.copy_differs_named"), {"target": copy.target_name, "named": named}
            )
            if named
            else Message(N_("error.cli.copy_differs"), {"target": copy.target_name}),
        )
    console.print(
        f"copied {report.rows} rows into {escape(copy.target_name)}"
        + (" (its schema created first)" if report.created else "")
        + (" (resumed)" if report.resumed else "")
        + ": every table's count and digest match. Now set "
        "[bold]ENTREPOT_DATABASE_URL[/] to it and restart."
    )


def _show_counts(counts: dict[str, int]) -> None:
    table = Table("table", "rows", box=None)
    for name, rows in counts.items():
        table.add_row(name, str(rows))
    table.add_row("[bold]total[/]", str(sum(counts.values())))
    console.print(table)


def _show_report(report: CopyReport) -> None:
    table = Table("table", "source rows", "target rows", "digest", box=None)
    for check in report.tables:
        same = "[green]same[/]" if check.same else "[red]differs[/]"
        table.add_row(check.name, str(check.source.rows), str(check.target.rows), same)
    console.print(table)
    for found in report.differences:
        console.print(escape(_difference(found)))


def _difference(found: RowDifference) -> str:
    """One differing row in words: the table, the row id, the column and both values."""
    where = f"table {found.table}, row id {found.row!r}"
    if found.column is None:
        side = "the target" if found.source is None else "the source"
        return f"{where}: only in {side}"
    column = found.column + (f" at {found.path}" if found.path else "")
    return f"{where}, column {column}: source {_short(found.source)}, target {_short(found.target)}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
