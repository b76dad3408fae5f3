"""``entrepot move`` (move every cataloged object to another store; ``migrate`` is its old
name, kept for one release) and
``entrepot iam-policy`` (the least-privilege S3 policy): thin shells over
:class:`entrepot.relocation.StoreMigrations` (``App.relocation``) and ``App.iam_policy``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.move_checks import chosen_action
from entrepot.cli.output import print_json
from entrepot.cli.progress import transfer_progress
from entrepot.cli.renamed import old_name
from entrepot.sizes import human_size

if TYPE_CHECKING:
    from entrepot.catalog.relocation.records import (
        Failure,
        MigrationStatus,
        Progress,
        RunReport,
        UndoReport,
    )
    from entrepot.relocation.records import DryRun, Estimate


def register(app: typer.Typer) -> None:
    """Add ``move`` (and its old name ``migrate``) and ``iam-policy`` to ``app``."""
    app.command("move")(migrate)
    app.command("migrate", hidden=True)(old_name(migrate, "entrepot migrate", "entrepot move"))
    app.command("iam-policy")(iam_policy)


def migrate(
    to: Annotated[
        str | None, typer.Option(help="Destination store URL (s3://, file://, path).")
    ] = None,
    prefix: Annotated[str, typer.Option(help="Only objects under this folder.")] = "",
    estimate: Annotated[
        bool, typer.Option("--estimate", help="Count, locate and price; change nothing.")
    ] = False,
    prices: Annotated[
        Path | None, typer.Option(help="JSON price table overriding the built-in one.")
    ] = None,
    reads_per_month: Annotated[
        int, typer.Option(help="Reads per month to price (--estimate).", min=0)
    ] = 0,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what a run would do; write nothing.")
    ] = False,
    jobs: Annotated[
        int, typer.Option(help="Objects copied or checked at once.", min=1, max=64)
    ] = 4,
    batch: Annotated[
        int, typer.Option(help="Rows repointed per catalog transaction.", min=1)
    ] = 200,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify", help="Re-read every copy at the destination (alone: the open migration's)."
        ),
    ] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the open migration.")] = False,
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Point every row back at its checked source.")
    ] = False,
    delete_copies: Annotated[
        bool,
        typer.Option("--delete-copies", help="With --rollback: delete the destination copies."),
    ] = False,
    finalize: Annotated[
        bool, typer.Option("--finalize", help="Last pass, delete the sources, close.")
    ] = False,
    keep_source: Annotated[
        bool, typer.Option("--keep-source", help="With --finalize: keep the source copies.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With --finalize: close even though the store holds objects not moved.",
        ),
    ] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Show the open (or last) migration.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --status: print one JSON document (for scripts).")
    ] = False,
) -> None:
    """Move every cataloged object to another store: copy, check its sha256 at the
    destination, repoint the catalog rows in batches; the source is kept until --finalize.

    Steps: `--estimate`, `--dry-run`, `--to URL` (interrupted? `--resume`), `--verify`, then
    stop the app, `--finalize` and set ENTREPOT_STORE_URL to the destination; or `--rollback`.
    """
    action = chosen_action(
        (estimate, dry_run, resume, rollback, finalize, status),
        to=to,
        verify=verify,
        prices=prices,
        prefix=prefix,
        as_json=as_json,
        delete_copies=delete_copies,
        keep_source=keep_source,
        force=force,
    )
    service = current_app().relocation
    if action == "estimate":
        _show_estimate(
            service.estimate(prefix, prices_file=prices, reads_per_month=reads_per_month)
        )
    elif action == "dry_run":
        assert to is not None
        _show_plan(service.dry_run(to, prefix, jobs=jobs))
    elif action == "status":
        _show_status(as_json=as_json)
    elif action == "verify":
        with _bar("verifying") as update:
            checked = service.verify(jobs=jobs, on_progress=update)
        _finish(checked, "intact at the destination")
    elif action == "rollback":
        with _bar("checking sources") as update:
            report = service.rollback(
                delete_copies=delete_copies, deep=verify, jobs=jobs, on_progress=update
            )
        _finish(report, "pointed back at their source")
    elif action == "finalize":
        with _bar("last pass") as update:
            last, done = service.finalize(
                keep_source=keep_source,
                force=force,
                jobs=jobs,
                deep=verify,
                batch_size=batch,
                on_progress=update,
            )
        if last is not None:
            _show_run(last, final=True)
        console.print(
            f"finalized migration {done.migration.id}: deleted {done.deleted} source object(s). "
            f"Now set [bold]ENTREPOT_STORE_URL={escape(done.migration.destination)}[/] and restart."
        )
    else:
        with _bar("copying") as update:
            if action == "resume":
                run = service.resume(
                    to=to, jobs=jobs, deep=verify, batch_size=batch, on_progress=update
                )
            else:
                assert to is not None
                run = service.migrate(
                    to, prefix, jobs=jobs, deep=verify, batch_size=batch, on_progress=update
                )
        _show_run(run, final=False)


def iam_policy(
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Reads and listings only.")
    ] = False,
    url: Annotated[
        str | None, typer.Option(help="Another s3:// URL (default: ENTREPOT_STORE_URL).")
    ] = None,
) -> None:
    """Print the least-privilege AWS IAM policy (JSON) for the store's bucket and prefix."""
    policy = current_app().operations.iam_policy(url, read_only=read_only)
    typer.echo(json.dumps(policy, indent=2))


class _bar:  # noqa: N801 - used as a context manager, like a function
    """A transfer progress bar (bytes, rate, ETA) fed by ``on_progress``."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._progress = transfer_progress(progress_console)

    def __enter__(self) -> Callable[[Progress], None]:
        self._progress.__enter__()
        task = self._progress.add_task(self._what, total=None)

        def update(p: Progress) -> None:
            self._progress.update(
                task,
                completed=p.done_bytes,
                total=p.total_bytes or None,
                description=f"{self._what} {p.done}/{p.total}",
            )

        return update

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)


def _show_run(run: RunReport, *, final: bool) -> None:
    m = run.migration
    console.print(
        f"migration {m.id} to {escape(m.destination)}{f' (under {m.prefix})' if m.prefix else ''}: "
        f"moved {run.repointed.objects} object(s), {human_size(run.repointed.bytes)} in "
        f"{run.seconds:.1f} s ({run.reused} already there, checked)"
    )
    _failures("skipped (deleted or changed meanwhile)", [(f.key, f.reason) for f in run.skipped])
    _failures("failed", [(f.key, f.reason) for f in run.failures])
    if run.aborted is not None:
        console.print(f"[red]stopped:[/] {escape(str(run.aborted))}")
        console.print(
            "every row points at a verified object; continue with `entrepot move --resume`"
        )
        raise run.aborted
    if run.failures or run.remaining.objects:
        console.print(
            f"{run.remaining.objects} object(s) not moved: fix them, then `entrepot move --resume`"
        )
        raise typer.Exit(1)
    if not final:
        console.print(
            "[green]every object is at the destination[/] (the source is kept). Next: "
            "`entrepot move --verify`; then stop the app and workers, `entrepot move "
            "--finalize`, set ENTREPOT_STORE_URL to the destination and restart"
        )


def _finish(report: UndoReport, what: str) -> None:
    console.print(f"{report.done.objects} object(s), {human_size(report.done.bytes)}, {what}")
    if report.deleted:
        console.print(f"deleted {report.deleted} copies no row points at")
    _failures("problems", [(p.key, p.reason) for p in report.problems])
    if report.problems:
        raise typer.Exit(1)


def _failures(title: str, rows: list[tuple[str, str]]) -> None:
    if not rows:
        return
    table = Table(title=f"{len(rows)} {title}", box=None)
    table.add_column("key", overflow="fold")
    table.add_column("why", overflow="fold")
    for key, why in rows[:20]:
        table.add_row(escape(key), escape(why))
    console.print(table)
    if len(rows) > 20:
        console.print(f"... and {len(rows) - 20} more")


def _show_estimate(e: Estimate) -> None:
    where = f"under {e.prefix}" if e.prefix else "in the catalog"
    console.print(f"{e.objects.objects} object(s), {human_size(e.objects.bytes)} {where}")
    table = Table("kind", "objects", "size", box=None)
    for kind, t in sorted(e.by_kind.items()):
        table.add_row(kind, str(t.objects), human_size(t.bytes))
    console.print(table)
    for url, t in sorted(e.by_store.items()):
        console.print(f"  now in {escape(url)}: {t.objects} object(s), {human_size(t.bytes)}")
    if e.quarantined.objects:
        console.print(f"  {e.quarantined.objects} quarantined object(s) are not moved")
    if e.uncataloged.objects:
        console.print(
            f"  and {e.uncataloged.objects} object(s), {human_size(e.uncataloged.bytes)} the "
            "catalog does not record (found by listing the store; moved and checked too):"
        )
        strays = Table("prefix", "objects", "size", box=None)
        for folder, t in sorted(e.uncataloged_by_prefix.items()):
            strays.add_row(escape(folder or "(top level)"), str(t.objects), human_size(t.bytes))
        console.print(strays)
    costs = Table(
        "provider", "billed", "storage / month", "migration (once)", "reads / month", box=None
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
    console.print(
        f"list prices as of {e.prices_as_of}, in USD, without egress; "
        "adjust with --prices FILE.json"
    )


def _show_plan(plan: DryRun) -> None:
    console.print(f"[bold]dry run[/]: nothing was written. To {escape(plan.destination)}:")
    if plan.open is not None:
        same = plan.open.destination == plan.destination
        console.print(
            f"  migration {plan.open.id} to {escape(plan.open.destination)} is open: "
            + ("`--resume` would continue it" if same else "a run to another store is refused")
        )
    for url, t in sorted(plan.to_copy.items()):
        console.print(
            f"  would copy {t.objects} object(s), {human_size(t.bytes)} from {escape(url)}"
        )
    if not plan.to_copy:
        console.print("  nothing to copy")
    if plan.listed.objects:
        console.print(
            f"  of which {plan.listed.objects} object(s), {human_size(plan.listed.bytes)} the "
            "catalog does not record (found by listing the store)"
        )
    console.print(
        f"  {plan.reused.objects} already at the destination with the same bytes "
        "(checked, not sent)"
    )
    console.print(
        f"  {plan.already_there.objects} already located there; "
        f"{plan.quarantined.objects} quarantined (not moved)"
    )
    console.print("  permissions are probed by the run itself (a dry run writes no probe object)")
    if plan.conflicts:
        _failures("conflicts: a run would stop before changing any row", list(plan.conflicts))
        raise typer.Exit(1)


def _show_status(*, as_json: bool) -> None:
    service = current_app().relocation
    status = service.status()
    if as_json:
        print_json(_status_document(status, service.failures() if _open(status) else []))
        return
    if status is None:
        console.print("no store migration yet: start one with `entrepot move --to URL`")
        return
    m = status.migration
    state = status.phase
    console.print(
        f"migration {m.id} to {escape(m.destination)} ({state}), started "
        f"{m.created_at:%Y-%m-%d %H:%M} UTC by {m.created_by}"
    )
    table = Table("state", "objects", "size", box=None)
    for state, t in sorted(status.items.items()):
        table.add_row(str(state), str(t.objects), human_size(t.bytes))
    console.print(table)
    if m.is_open:
        _failures("failed", [(f.key, f.reason) for f in service.failures()])
    if status.interrupted:
        console.print("continue it with `entrepot move --resume`")
    elif state == "copied":
        console.print(
            "every object is at the destination, no pass runs: `entrepot move --verify`, "
            "then `entrepot move --finalize` (or `--rollback`)"
        )


def _open(status: MigrationStatus | None) -> bool:
    return status is not None and status.migration.is_open


def _status_document(status: MigrationStatus | None, failures: list[Failure]) -> object:
    """What ``--status`` shows, for scripts: ``{"migration": null}`` before the first."""
    if status is None:
        return {"migration": None, "items": {}, "failed": []}
    m = status.migration
    return {
        "migration": {
            "id": m.id,
            "destination": m.destination,
            "prefix": m.prefix,
            "state": m.state,
            "interrupted": status.interrupted,
            "phase": status.phase,
            "created_at": m.created_at,
            "created_by": m.created_by,
            "closed_at": m.closed_at,
        },
        "items": {
            str(state): {"objects": t.objects, "bytes": t.bytes}
            for state, t in sorted(status.items.items())
        },
        "failed": [{"key": f.key, "reason": f.reason} for f in failures],
    }
