"""What ``entrepot move --estimate`` and ``--dry-run`` print, and the tables of objects a
pass skipped or failed, in the reader's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console
from entrepot.cli.language import human_size, words
from entrepot.cli.value_words import OBJECT_KINDS, value_words
from entrepot.messages import N_, Np_

if TYPE_CHECKING:
    from entrepot.relocation.records import DryRun, Estimate


def failures(title: str, rows: list[tuple[str, str]]) -> None:
    if not rows:
        return
    t = words()
    table = Table(title=escape(t.plural(title, len(rows))), box=None)
    table.add_column(t("cli.column.key"), overflow="fold")
    table.add_column(t("cli.move.why"), overflow="fold")
    for key, why in rows[:20]:
        table.add_row(escape(key), escape(why))
    console.print(table)
    if len(rows) > 20:
        console.print(t.plural(Np_("cli.move.more"), len(rows) - 20), markup=False)


def show_estimate(e: Estimate) -> None:
    t = words()
    where = Np_("cli.move.estimate_under") if e.prefix else Np_("cli.move.estimate_catalog")
    size = human_size(e.objects.bytes)
    console.print(t.plural(where, e.objects.objects, size=size, prefix=e.prefix), markup=False)
    table = Table(
        *headers(N_("cli.move.kind"), N_("cli.column.objects"), N_("cli.column.size")), box=None
    )
    for kind, tally in sorted(e.by_kind.items()):
        table.add_row(value_words(OBJECT_KINDS, kind), str(tally.objects), human_size(tally.bytes))
    console.print(table)
    for url, tally in sorted(e.by_store.items()):
        said = t.plural(
            Np_("cli.move.now_in"), tally.objects, url=url, size=human_size(tally.bytes)
        )
        console.print("  " + said, markup=False)
    if e.quarantined.objects:
        said = t.plural(Np_("cli.move.quarantined"), e.quarantined.objects)
        console.print("  " + said, markup=False)
    if e.uncataloged.objects:
        size = human_size(e.uncataloged.bytes)
        said = t.plural(Np_("cli.move.uncataloged"), e.uncataloged.objects, size=size)
        console.print("  " + said, markup=False)
        strays = Table(
            *headers(N_("cli.move.prefix"), N_("cli.column.objects"), N_("cli.column.size")),
            box=None,
        )
        for folder, tally in sorted(e.uncataloged_by_prefix.items()):
            shown = folder or t("cli.move.top_level")
            strays.add_row(escape(shown), str(tally.objects), human_size(tally.bytes))
        console.print(strays)
    costs = Table(
        *headers(
            N_("cli.move.provider"),
            N_("cli.move.billed"),
            N_("cli.move.storage_month"),
            N_("cli.move.migration_once"),
            N_("cli.move.reads_month"),
        ),
        box=None,
    )
    for c in e.costs:
        costs.add_row(
            c.label,
            human_size(c.billable_bytes),
            f"${c.storage_month:,.4f}",
            f"${c.migration_once:,.4f}",
            f"${c.reads_month:,.4f}",
        )
    console.print(costs)
    console.print(t("cli.move.prices", date=e.prices_as_of), markup=False)


def headers(*keys: str) -> tuple[str, ...]:
    t = words()
    return tuple(t(key) for key in keys)


def show_plan(plan: DryRun) -> None:
    t = words()
    head = t("cli.move.dry_run_to", destination=plan.destination)
    console.print(Text.assemble((t("cli.move.dry_run"), "bold"), head))
    if plan.open is not None:
        same = plan.open.destination == plan.destination
        said = t("cli.move.open_resume") if same else t("cli.move.open_refused")
        opened = t("cli.move.open", id=plan.open.id, destination=plan.open.destination, then=said)
        console.print("  " + opened, markup=False)
    for url, tally in sorted(plan.to_copy.items()):
        size = human_size(tally.bytes)
        said = t.plural(Np_("cli.move.would_copy"), tally.objects, size=size, url=url)
        console.print("  " + said, markup=False)
    if not plan.to_copy:
        console.print("  " + t("cli.move.nothing_to_copy"), markup=False)
    if plan.listed.objects:
        size = human_size(plan.listed.bytes)
        said = t.plural(Np_("cli.move.of_which_listed"), plan.listed.objects, size=size)
        console.print("  " + said, markup=False)
    said = t.plural(Np_("cli.move.reused"), plan.reused.objects)
    console.print("  " + said, markup=False)
    there = t.plural(Np_("cli.move.already_there"), plan.already_there.objects)
    said = t.plural(Np_("cli.move.quarantined_short"), plan.quarantined.objects, there=there)
    console.print("  " + said, markup=False)
    console.print("  " + t("cli.move.probed_by_run"), markup=False)
    if plan.conflicts:
        failures(Np_("cli.move.conflicts"), list(plan.conflicts))
        raise typer.Exit(1)
