"""``entrepot models alias|rm|verify``: aliases moved, versions deleted, and every file
re-read against the catalog."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console, progress_console
from entrepot.cli.language import words
from entrepot.cli.model_options import owned_models
from entrepot.cli.progress import transfer_progress
from entrepot.messages import Np_
from entrepot.registry.names import parse_ref

#: Exit code of ``verify`` when a version is damaged (as for IntegrityError).
DAMAGED = 74


def alias(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Model name.")],
    alias_name: Annotated[str, typer.Argument(metavar="ALIAS", help="e.g. production.")],
    version: Annotated[str, typer.Argument(help="The version it points to.")],
) -> None:
    """Point ALIAS at VERSION (moved atomically)."""
    record = owned_models(ctx).alias(name, alias_name, version)
    console.print(f"{record.name}@{record.alias} -> {record.version}")


def rm(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME@VERSION (a version, not an alias).")],
) -> None:
    """Delete one version: its aliases, catalog rows and objects. Others are untouched."""
    name, version = parse_ref(ref)
    record = owned_models(ctx).delete(name, version)
    t = words()
    console.print(t("cli.models.deleted", ref=f"{record.name}@{record.version}"), markup=False)


def verify(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Model name (default: every model).")] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Compare recorded sizes and sha256 only.")
    ] = False,
) -> None:
    """Re-read every file of every version from the store and check it against the catalog.

    Exits 74 if a version is damaged.
    """
    with transfer_progress(progress_console) as progress:
        t = words()
        task = progress.add_task(t("cli.verify.verifying"), total=None)
        report = owned_models(ctx).verify(
            name,
            deep=not quick,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    t = words()
    if report.problems:
        table = Table(
            t("cli.column.version"), t("cli.city.file"), t("cli.column.problem"), box=None
        )
        for p in report.problems:
            table.add_row(f"{p.name}@{p.version}", p.path, escape(p.problem))
        console.print(table)
    verdict = (
        Text(t("cli.verify.all_verified"), "green")
        if report.ok
        else Text(t.plural(Np_("cli.verify.problems"), len(report.problems)), "red")
    )
    checked = t(
        "cli.models.checked",
        versions=t.plural(Np_("cli.models.versions"), report.versions),
        files=t.plural(Np_("cli.models.files"), report.files),
    )
    console.print(Text.assemble(checked, t("cli.head.colon"), verdict))
    if not report.ok:
        raise typer.Exit(DAMAGED)
