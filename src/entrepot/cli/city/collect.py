"""``entrepot city collect``: fetch the live feeds into the lake (see docs/city.md for the
timer and cron lines). A table for people, ``--json`` for scripts; exits 69 if a feed
could not be had (the others are stored; the next run retries it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from entrepot.city.collect.feeds import feed_names
from entrepot.cli.context import console, current_app, err_console
from entrepot.cli.format import finite
from entrepot.cli.language import human_size, words
from entrepot.cli.output import print_json
from entrepot.cli.value_words import FEED_STATUSES, value_words

if TYPE_CHECKING:
    from entrepot.city.collect.collector import FeedOutcome

#: ``EX_UNAVAILABLE``: a service (here, a feed) is unavailable.
EXIT_UNAVAILABLE = 69


def collect_command(
    ctx: typer.Context,
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed", help=f"Only these feeds (repeat the option): {', '.join(feed_names())}."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Fetch even the feeds already collected this hour.")
    ] = False,
    prefix: Annotated[str, typer.Option(help="Store prefix holding the raw/ layout.")] = "",
    retries: Annotated[int, typer.Option(min=1, max=10, help="Attempts per feed.")] = 4,
    backoff: Annotated[
        float,
        typer.Option(
            min=0.0, callback=finite, help="Seconds before the first retry (doubled each time)."
        ),
    ] = 2.0,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Fetch Vélib' GBFS, Open-Meteo and the Paris portal's exports into the lake, once per
    hour (a second run in the same hour fetches nothing)."""

    def shown(outcome: FeedOutcome) -> None:
        if not json_:
            err_console.print(f"{outcome.feed}: {outcome.status}", highlight=False)

    report = current_app(ctx).city.collect(
        _chosen(feed),
        prefix=prefix,
        force=force,
        attempts=retries,
        backoff=backoff,
        on_feed=shown,
    )
    if json_:
        print_json(
            {"hour": report.hour.isoformat(), "feeds": [o.as_dict() for o in report.outcomes]}
        )
    else:
        t = words()
        table = Table(
            t("cli.collect.feed"), t("cli.column.status"), t("cli.collect.bytes"),
            t("cli.collect.new_objects"), t("cli.column.rows"), box=None,
        )  # fmt: skip
        for o in report.outcomes:
            size = human_size(o.bytes) if o.bytes else ""
            status = value_words(FEED_STATUSES, o.status)
            table.add_row(o.feed, status, size, str(o.objects or ""), str(o.rows or ""))
        console.print(table)
        for o in report.outcomes:
            for warning in o.warnings:
                said = (t("cli.city.warning"), "yellow"), f" {o.feed}: {warning}"
                console.print(Text.assemble(*said), highlight=False)
            if o.error:
                said = (t("cli.collect.not_collected"), "red"), f" {o.feed}: {o.error}"
                console.print(Text.assemble(*said), highlight=False)
    if report.failed:
        raise typer.Exit(EXIT_UNAVAILABLE)


def _chosen(wanted: list[str] | None) -> list[str] | None:
    if not wanted:
        return None
    names = set(feed_names())
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise typer.BadParameter(
            f"unknown feed(s) {', '.join(unknown)}; choose from {', '.join(sorted(names))}",
            param_hint="--feed",
        )
    return wanted


def register(app: typer.Typer) -> None:
    """Add ``collect`` to the ``city`` sub-app."""
    app.command("collect")(collect_command)
