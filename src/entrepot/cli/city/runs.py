"""``entrepot city run | status | metrics | report | copy-metrics``.

``run`` brings days up to date incrementally (see :mod:`entrepot.city.runs`); the
daily cron line (cron mails the output, and the exit status is non-zero if a day failed)::

    15 3 * * * cd /srv/entrepot && .venv/bin/entrepot city run --since "$(date -d '-8 day' +\\%F)"
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from entrepot.bootstrap.worker_count import MAX_WORKERS
from entrepot.city.errors import RunFailed
from entrepot.city.kinds import DOCUMENT_KINDS, METRIC_TYPES
from entrepot.city.limits import DEFAULT_MEMORY_LIMIT
from entrepot.cli.context import current_app, note, progress_console
from entrepot.cli.language import in_words, reader_language, words
from entrepot.cli.output import Column, JsonFlag, emit_rows, print_json
from entrepot.cli.renamed import old_name
from entrepot.cli.value_words import RUN_STATUSES, value_words
from entrepot.messages import N_, Message, Np_, message_of

if TYPE_CHECKING:
    from entrepot.city.runs import Outcome

TypesOption = Annotated[
    list[str] | None,
    typer.Option("--type", help=f"Metric type(s), repeatable: {', '.join(METRIC_TYPES)}."),
]
PrefixOption = Annotated[str, typer.Option(help="Store prefix holding the raw/ layout.")]


def _progress(outcome: Outcome) -> None:
    mark = {"computed": "✓", "skipped": "·", "failed": "✗", "no-data": "∅", "kept": "!"}[
        outcome.status
    ]
    detail = f": {outcome.error}" if outcome.error else ""
    note(f"{mark} {outcome.source} {outcome.day} {outcome.status}{detail}")


def _days(by_source: Mapping[str, int]) -> str:
    """``bikes (3 days), weather (1 day)``, in the reader's language."""
    t = words()
    return ", ".join(
        t("cli.city.source_days", source=source, days=t.plural(Np_("cli.expected.days"), days))
        for source, days in by_source.items()
    )


def _footer(run_id: object, document: Mapping[str, Any]) -> str:
    """``run 7: 3 computed, 0 skipped, 0 failed, 1 without data``."""
    t = words()
    said = t(
        "cli.city.run_footer",
        id=run_id,
        computed=t.plural(Np_("cli.city.run_computed"), document["computed"]),
        skipped=t.plural(Np_("cli.city.run_skipped"), document["skipped"]),
        failed=t.plural(Np_("cli.city.run_failed"), document["failed"]),
        no_data=t.plural(Np_("cli.city.run_without_data"), document["no_data"]),
    )
    if document["kept"]:
        said += t.plural(Np_("cli.city.run_kept"), document["kept"])
    return said


def run_command(
    ctx: typer.Context,
    date_: Annotated[str | None, typer.Option("--date", help="One local day, YYYY-MM-DD.")] = None,
    since: Annotated[str | None, typer.Option(help="First day of a backfill.")] = None,
    until: Annotated[
        str | None, typer.Option(help="Last day of a backfill (default: yesterday, Paris).")
    ] = None,
    metric_type: TypesOption = None,
    prefix: PrefixOption = "",
    force: Annotated[bool, typer.Option(help="Recompute even unchanged days.")] = False,
    report: Annotated[bool, typer.Option(help="Rebuild the daily reports too.")] = True,
    memory_limit: Annotated[
        str, typer.Option(help="DuckDB memory limit for the counts CSV scan.")
    ] = DEFAULT_MEMORY_LIMIT,
    jobs: Annotated[
        bool,
        typer.Option(
            "--jobs",
            help="Send each (type, day) to the job queue (ENTREPOT_JOBS_URL: embedded, or "
            "Redis shared with `entrepot worker` on other machines).",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            max=MAX_WORKERS,
            help="Spread the units over this many workers: the Dask scheduler of "
            "ENTREPOT_DASK_URL, else local processes (the same documents as one). With "
            "--jobs: worker processes started here for the queue (0: others only).",
        ),
    ] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Compute the metrics (and reports) of days whose inputs are new or changed.

    Prints a table of (source, day) outcomes (a JSON summary with --json); exits non-zero
    when a day failed (the other days are done).
    """
    from entrepot.city_service.records import RunRequest

    request = RunRequest(
        day=date_, since=since, until=until, types=metric_type, prefix=prefix, force=force,
        report=report, memory_limit=memory_limit,
    )  # fmt: skip
    if jobs:
        from entrepot.cli.city.fanout import run_fanned_out

        summary = run_fanned_out(current_app(ctx), request, workers=workers)
    else:
        from entrepot.cli.progress import bar

        with bar(progress_console, words()(N_("cli.bar.city_run"))) as on_progress:
            city = current_app(ctx).city
            summary = (
                city.run_spread(request, workers, on_progress=on_progress)
                if workers > 1
                else city.run(request, progress=_progress, on_progress=on_progress)
            )
    document = summary.as_dict()
    emit_rows(
        document["results"] if as_json else [_in_words(row) for row in document["results"]],
        _RUN_COLUMNS,
        as_json=as_json,
        document=document,
        footer=_footer(summary.run_id, document),
    )
    t = words()
    if summary.absent:
        listed = _days(summary.absent)
        typer.echo(t("cli.city.run_no_data", listed=listed), err=True)
    if summary.input_missing:
        listed = _days(summary.input_missing)
        typer.echo(t("cli.city.run_input_missing", listed=listed), err=True)
    if summary.failed:
        first = summary.failed[0]
        raise RunFailed(
            f"{len(summary.failed)} of {len(summary.outcomes)} (type, day) failed; first: "
            f"{first.source} {first.day}: {first.error}",
            said=Message(
                N_("error.cli.city_run_failed"),
                {
                    "failed": len(summary.failed),
                    "total": len(summary.outcomes),
                    "source": first.source,
                    "day": str(first.day),
                    "error": str(first.error),
                },
            ),
        )


def _in_words(row: Mapping[str, Any]) -> dict[str, Any]:
    """A run's row for people: in another language than English, its error's own message
    when it carries one (English keeps the error's own words, its key and store)."""
    shown = dict(row)
    said = message_of(row.get("said"))
    if said is not None and reader_language() != "en":
        shown["error"] = in_words(said)
    return shown


_RUN_COLUMNS = (
    Column("source"),
    Column("date"),
    Column("status", show=lambda s: value_words(RUN_STATUSES, s)),
    Column("sha256", show=lambda s: "" if s is None else s[:12]),
    Column("error", fold=True, show=lambda e: e or ""),
)
_STATUS_COLUMNS = (
    Column("source"),
    Column("date"),
    Column("state", show=lambda s: value_words(RUN_STATUSES, s)),
    Column("inputs"),
    Column("updated_at", N_("cli.column.updated")),
    Column("error", fold=True, show=lambda e: e or ""),
)


def status_command(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
    source: Annotated[
        str | None, typer.Option(help=f"One source: {', '.join(DOCUMENT_KINDS)}.")
    ] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only failed days.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Print the watermarks: per (source, day), its state, error and inputs digest."""
    marks = current_app(ctx).city.status(source=source, since=since, until=until, failed=failed)
    emit_rows(
        [
            {
                "source": m.source,
                "date": m.day.isoformat(),
                "state": m.state,
                "error": m.error,
                "inputs": len(m.inputs),
                "inputs_digest": m.inputs_digest,
                "output_sha256": m.output_sha256,
                "run": m.run_id,
                "updated_at": m.updated_at,
            }
            for m in marks
        ],
        _STATUS_COLUMNS,
        as_json=as_json,
    )


def metrics_command(
    ctx: typer.Context,
    metric_type: Annotated[str, typer.Argument(help=f"One of {', '.join(METRIC_TYPES)}.")],
    day: Annotated[str, typer.Argument(help="Local day, YYYY-MM-DD.")],
) -> None:
    """Print the stored metrics of TYPE on DAY as JSON."""
    print_json(current_app(ctx).city.document(metric_type, day))


def report_command(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help="Local day, YYYY-MM-DD.")],
    csv: Annotated[
        bool, typer.Option("--csv", help="Print the latest report CSV from the object store.")
    ] = False,
) -> None:
    """Print the stored daily report of DAY (JSON, or the CSV with --csv)."""
    city = current_app(ctx).city
    if csv:
        sys.stdout.write(city.report_csv(day).decode("utf-8-sig"))
        return
    print_json(city.report(day))


def copy_metrics_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="Metrics store URL to copy from.")],
    target: Annotated[str, typer.Option("--to", help="Metrics store URL to copy to.")],
    day: Annotated[str | None, typer.Option("--date", help="Only this day.")] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--type", help=f"Only these kinds, repeatable: {', '.join(DOCUMENT_KINDS)}."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option(help="Count what would be copied; write nothing.")
    ] = False,
) -> None:
    """Copy stored metrics and reports between metrics stores, then verify the counts."""
    result = current_app(ctx).city.copy_metrics(
        source, target, day=day, kinds=kind, dry_run=dry_run
    )
    print_json(result.as_dict())


def register(app: typer.Typer) -> None:
    """Add the stateful commands to the ``city`` sub-app."""
    app.command("run")(run_command)
    app.command("status")(status_command)
    app.command("metrics")(metrics_command)
    app.command("report")(report_command)
    app.command("copy-metrics")(copy_metrics_command)
    app.command("migrate-metrics", hidden=True)(
        old_name(
            copy_metrics_command, "entrepot city migrate-metrics", "entrepot city copy-metrics"
        )
    )
