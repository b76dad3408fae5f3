"""``entrepot db copy --to URL``: the whole catalog into another database, a thin shell over
:class:`entrepot.catalog.copy.CatalogCopy` (counts, a progress bar, the comparison)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.format import finite
from entrepot.cli.language import words
from entrepot.cli.progress import count_progress
from entrepot.messages import N_, Message, Np_

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
        t = words()
        state = (
            t("cli.db_copy.to_resume")
            if marker
            else t("cli.db_copy.blank")
            if copy.blank_target()
            else t("cli.db_copy.empty")
        )
        said = t("cli.db_copy.dry_run", target=copy.target_name, state=state)
        console.print(said, markup=False)
        return
    with count_progress(progress_console) as progress:
        t = words()
        task = progress.add_task(escape(t("cli.move.bar.copying")), total=None)

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
    t = words()
    how = (t("cli.db_copy.created") if report.created else "") + (
        t("cli.db_copy.resumed") if report.resumed else ""
    )
    said = t.plural(Np_("cli.db_copy.copied"), report.rows, target=copy.target_name, how=how)
    console.print(said, markup=False)


def _show_counts(counts: dict[str, int]) -> None:
    t = words()
    table = Table(t("cli.db_copy.table"), t("cli.column.rows"), box=None)
    for name, rows in counts.items():
        table.add_row(name, str(rows))
    table.add_row(Text(t("cli.db_copy.total"), "bold"), str(sum(counts.values())))
    console.print(table)


def _show_report(report: CopyReport) -> None:
    t = words()
    table = Table(
        t("cli.db_copy.table"), t("cli.db_copy.source_rows"), t("cli.db_copy.target_rows"),
        t("cli.db_copy.digest"), box=None,
    )  # fmt: skip
    for check in report.tables:
        same = (
            Text(t("cli.db_copy.same"), "green")
            if check.same
            else Text(t("cli.db_copy.differs"), "red")
        )
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
