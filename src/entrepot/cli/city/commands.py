"""``entrepot city ...``: generate synthetic raw data and process a day.

The stateful commands (run, status, metrics, report, copy-metrics) live in
:mod:`entrepot.cli.city.runs`. Every command works on the composition
root's city service (``current_app(ctx).city``), one call each.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from entrepot.city.kinds import METRIC_TYPES
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT
from entrepot.cli.city import check, collect, imports, runs
from entrepot.cli.context import current_app, progress_console
from entrepot.cli.format import finite
from entrepot.cli.language import words
from entrepot.cli.output import JsonFlag, emit_fields, print_json
from entrepot.messages import N_

city_app = typer.Typer(
    name="city",
    help="City-flow analytics: synthetic Paris mobility data and daily metrics.",
    no_args_is_help=True,
)


class HeaderChoice(StrEnum):
    """Header style of the generated counts CSV."""

    labels = "labels"
    raw = "raw"


@city_app.command("generate")
def generate_command(
    ctx: typer.Context,
    prefix: Annotated[
        str, typer.Argument(help="Store prefix to write the raw/ layout under ('' = root).")
    ] = "",
    start: Annotated[str, typer.Option(help="First local day, YYYY-MM-DD.")] = ...,  # type: ignore[assignment]
    days: Annotated[int, typer.Option(min=1, help="Number of days of hourly API data.")] = 1,
    arcs: Annotated[int, typer.Option(min=1, max=7200, help="Road arcs in the counts.")] = 3000,
    stations: Annotated[int, typer.Option(min=1, help="Vélib' stations.")] = 1495,
    counters: Annotated[int, typer.Option(min=1, help="Bike counters.")] = 60,
    roadworks: Annotated[int, typer.Option(min=1, help="Roadworks rows.")] = 150,
    big_csv_mb: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            callback=finite,
            help="Grow the counts CSV with earlier days to this size (MB).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 0,
    header: Annotated[
        HeaderChoice, typer.Option(help="Counts CSV header: export labels or raw field names.")
    ] = HeaderChoice.labels,
    stray_quote: Annotated[
        bool, typer.Option(help="Put a stray '\"' before the counts header (a real defect).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Write hourly API snapshots and batch CSVs for DAYS days from START."""
    from entrepot.cli.progress import bar

    app = current_app(ctx)
    app.catalog.require_instance()  # writes into an instance, never makes one (exit 75)
    with bar(progress_console, words()(N_("cli.bar.city_generate"))) as on_progress:
        generated = app.city.generate(
            start,
            prefix=prefix,
            on_progress=on_progress,
            days=days,
            arcs=arcs,
            stations=stations,
            counters=counters,
            roadworks=roadworks,
            big_csv_mb=big_csv_mb,
            seed=seed,
            counts_header=header.value,
            stray_quote=stray_quote,
        )
    result = generated.result
    emit_fields(
        {
            "store": generated.store,
            "objects": result.objects,
            "bytes": result.bytes,
            "counts_rows": result.counts_rows,
            "counts_bytes": result.counts_bytes,
            "counts_days": [
                result.counts_first_day.isoformat(),
                result.counts_last_day.isoformat(),
            ],
        },
        as_json=as_json,
        sizes=("bytes", "counts_bytes"),
    )


@city_app.command("process")
def process_command(
    ctx: typer.Context,
    date: Annotated[str, typer.Option("--date", help="Local day to process, YYYY-MM-DD.")] = ...,  # type: ignore[assignment]
    prefix: Annotated[str, typer.Option(help="Store prefix holding the raw/ layout.")] = "",
    metric_type: Annotated[
        list[str] | None,
        typer.Option("--type", help=f"Metric type(s), repeatable: {', '.join(METRIC_TYPES)}."),
    ] = None,
    memory_limit: Annotated[
        str, typer.Option(help="DuckDB memory limit for the counts CSV scan.")
    ] = DEFAULT_MEMORY_LIMIT,
) -> None:
    """Compute the metrics of one local day and print them as JSON."""
    print_json(
        current_app(ctx).city.process(date, metric_type, prefix=prefix, memory_limit=memory_limit)
    )


runs.register(city_app)
imports.register(city_app)
collect.register(city_app)
check.register(city_app)
