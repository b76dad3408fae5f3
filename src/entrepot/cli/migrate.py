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
from rich.text import Text

from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.language import figure, human_size, words
from entrepot.cli.move_checks import chosen_action
from entrepot.cli.move_views import failures, headers, show_estimate, show_plan
from entrepot.cli.output import print_json
from entrepot.cli.progress import transfer_progress
from entrepot.cli.renamed import old_name
from entrepot.cli.value_words import ITEM_STATES, MIGRATION_PHASES, value_words
from entrepot.messages import N_, Np_

if TYPE_CHECKING:
    from entrepot.catalog.relocation.records import (
        Failure,
        MigrationStatus,
        Progress,
        RunReport,
        UndoReport,
    )


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
        show_estimate(service.estimate(prefix, prices_file=prices, reads_per_month=reads_per_month))
    elif action == "dry_run":
        assert to is not None
        show_plan(service.dry_run(to, prefix, jobs=jobs))
    elif action == "status":
        _show_status(as_json=as_json)
    elif action == "verify":
        with _bar(N_("cli.move.bar.verifying")) as update:
            checked = service.verify(jobs=jobs, on_progress=update)
        _finish(checked, Np_("cli.move.intact"))
    elif action == "rollback":
        with _bar(N_("cli.move.bar.checking_sources")) as update:
            report = service.rollback(
                delete_copies=delete_copies, deep=verify, jobs=jobs, on_progress=update
            )
        _finish(report, Np_("cli.move.pointed_back"))
    elif action == "finalize":
        with _bar(N_("cli.move.bar.last_pass")) as update:
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
        said = words().plural(
            Np_("cli.move.finalized"),
            done.deleted,
            id=done.migration.id,
            setting=f"[bold]ENTREPOT_STORE_URL={escape(done.migration.destination)}[/]",
        )
        console.print(said)
    else:
        with _bar(N_("cli.move.bar.copying")) as update:
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
        t = words()
        self._what = t(what)
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
    m, t = run.migration, words()
    where = t("cli.move.under", prefix=m.prefix) if m.prefix else ""
    moved = t.plural(
        Np_("cli.move.moved"),
        run.repointed.objects,
        size=human_size(run.repointed.bytes),
        seconds=figure(run.seconds, 1),
        reused=run.reused,
    )
    said = t("cli.move.migration", id=m.id, destination=m.destination, where=where, what=moved)
    console.print(said, markup=False)
    failures(Np_("cli.move.skipped"), [(f.key, f.reason) for f in run.skipped])
    failures(Np_("cli.move.failed"), [(f.key, f.reason) for f in run.failures])
    if run.aborted is not None:
        console.print(Text.assemble((t("cli.move.stopped"), "red"), " ", str(run.aborted)))
        console.print(t("cli.move.stopped_hint"), markup=False)
        raise run.aborted
    if run.failures or run.remaining.objects:
        console.print(t.plural(Np_("cli.move.not_moved"), run.remaining.objects), markup=False)
        raise typer.Exit(1)
    if not final:
        console.print(
            Text.assemble((t("cli.move.all_there"), "green"), " ", t("cli.move.all_there_next"))
        )


def _finish(report: UndoReport, what: str) -> None:
    t = words()
    done = t.plural(what, report.done.objects, size=human_size(report.done.bytes))
    console.print(done, markup=False)
    if report.deleted:
        console.print(t.plural(Np_("cli.move.deleted_copies"), report.deleted), markup=False)
    failures(Np_("cli.move.problems"), [(p.key, p.reason) for p in report.problems])
    if report.problems:
        raise typer.Exit(1)


def _show_status(*, as_json: bool) -> None:
    service = current_app().relocation
    status = service.status()
    if as_json:
        print_json(_status_document(status, service.failures() if _open(status) else []))
        return
    t = words()
    if status is None:
        console.print(t("cli.move.none_yet"), markup=False)
        return
    m = status.migration
    phase = status.phase
    said = t(
        "cli.move.status",
        id=m.id,
        destination=m.destination,
        phase=value_words(MIGRATION_PHASES, phase),
        started=f"{m.created_at:%Y-%m-%d %H:%M}",
        by=m.created_by,
    )
    console.print(said, markup=False)
    table = Table(
        *headers(N_("cli.column.state"), N_("cli.column.objects"), N_("cli.column.size")), box=None
    )
    for state, tally in sorted(status.items.items()):
        table.add_row(value_words(ITEM_STATES, state), str(tally.objects), human_size(tally.bytes))
    console.print(table)
    if m.is_open:
        failures(Np_("cli.move.failed"), [(f.key, f.reason) for f in service.failures()])
    if status.interrupted:
        console.print(t("cli.move.continue_it"), markup=False)
    elif phase == "copied":
        console.print(t("cli.move.copied_next"), markup=False)


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
