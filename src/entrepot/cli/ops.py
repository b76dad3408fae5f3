"""Operations commands: config, doctor, cache, gc, verify, db, demo."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from entrepot.cli import db_copy
from entrepot.cli import demo as demo_module
from entrepot.cli import doctor as doctor_module
from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.format import parse_duration
from entrepot.cli.language import human_size, share, words
from entrepot.cli.output import JsonFlag, print_json
from entrepot.messages import N_, Np_

if TYPE_CHECKING:
    from entrepot.cli.remote.target import Remote
    from entrepot.config import SettingSource

config_app = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)
cache_app = typer.Typer(help="Inspect or clear the read-through cache.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the catalog database schema.", no_args_is_help=True)
bucket_app = typer.Typer(help="Create or check the configured S3 bucket.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the operations commands to ``app``."""
    app.add_typer(config_app, name="config")
    app.add_typer(cache_app, name="cache")
    app.add_typer(db_app, name="db")
    db_app.command("copy")(db_copy.db_copy)
    app.add_typer(bucket_app, name="bucket")
    app.command("doctor")(doctor_module.doctor)
    app.command("gc")(gc)
    app.command("verify")(verify)
    app.command("demo")(demo_module.demo)


@config_app.command("show")
def config_show(as_json: JsonFlag = False) -> None:
    """Print every setting, its value (secrets masked) and where it came from."""
    from dataclasses import asdict

    from entrepot.cli.remote.target import process_remote
    from entrepot.config import describe

    rows = with_kept_login(describe(current_app().settings), process_remote())
    if as_json:
        print_json([asdict(row) for row in rows])
        return
    # the names are what the table exists to show: never cut; long values fold instead
    t = words()
    table = Table(box=None)
    table.add_column(t("cli.config.setting"), no_wrap=True)
    table.add_column(t("cli.config.variable"), no_wrap=True)
    table.add_column(t("cli.column.value"), overflow="fold")
    table.add_column(t("cli.column.source"), overflow="fold")
    for row in rows:
        value = Text(row.value if row.value is not None else t("cli.config.unset"))
        if row.value is None:
            value.stylize("dim")
        table.add_row(row.name, row.env_var, value, Text(source_words(row.source)))
    console.print(table)


#: Where a setting came from (``config.describe``'s words) -> its catalog key; a source
#: that starts with one of :data:`_SOURCE_PREFIXES` keeps what follows (a file, a platform).
_SOURCES = {
    "environment": N_("cli.config.from_environment"),
    ".env file": N_("cli.config.from_dotenv"),
    "default": N_("cli.config.from_default"),
}
_SOURCE_PREFIXES = {
    "detected ": N_("cli.config.from_detected"),
    "generated on first start, kept in ": N_("cli.config.from_generated"),
    "login (": N_("cli.config.from_login"),
}


def source_words(source: str) -> str:
    """Where a setting came from, in the reader's language (``--json`` keeps English)."""
    t = words()
    if source in _SOURCES:
        return t(_SOURCES[source])
    for prefix, key in _SOURCE_PREFIXES.items():
        if source.startswith(prefix):
            what = source.removeprefix(prefix)
            return t(key, what=what.removesuffix(")") if prefix.endswith("(") else what)
    return source


def with_kept_login(rows: list[SettingSource], remote: Remote | None) -> list[SettingSource]:
    """``rows`` with the service and token a kept login (``entrepot login URL``) gives,
    and its file as their source: the login this command line works on, shown where the
    user looks for its settings (the token masked)."""
    if remote is None or remote.source == "ENTREPOT_URL":
        return rows  # the variables themselves, already shown as the environment's
    kept = {"url": remote.url, "token": "****"}
    return [
        replace(row, value=kept[row.name], source=f"login ({remote.source})")
        if row.name in kept and row.source == "default"
        else row
        for row in rows
    ]


@cache_app.command("info")
def cache_info(as_json: JsonFlag = False) -> None:
    """Entries and bytes of the cache folder, against its limit."""
    app = current_app()
    stats = app.operations.cache_info()
    used = stats.bytes / stats.max_bytes if stats.max_bytes else 0.0
    if as_json:
        print_json(
            {
                "folder": str(app.settings.cache.dir),
                "entries": stats.entries,
                "bytes": stats.bytes,
                "max_bytes": stats.max_bytes,
                "used": used,
            }
        )
        return
    t = words()
    table = Table(
        t("cli.cache.folder"), t("cli.cache.entries"), t("cli.cache.size"),
        t("cli.cache.limit"), t("cli.cache.used"), box=None,
    )  # fmt: skip
    table.add_row(
        str(app.settings.cache.dir),
        str(stats.entries),
        human_size(stats.bytes),
        human_size(stats.max_bytes),
        share(used, 0),
    )
    console.print(table)


@cache_app.command("clear")
def cache_clear() -> None:
    """Remove every cache entry (the store is untouched)."""
    app = current_app()
    removed = app.operations.clear_cache()
    console.print(words().plural(Np_("cli.cache.removed"), removed))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the catalog schema to the latest revision."""
    revision = current_app().catalog.migrate()
    t = words()
    console.print(t("cli.db.revision", revision=revision), markup=False)


@bucket_app.command("create")
def bucket_create() -> None:
    """Create the bucket of ENTREPOT_STORE_URL (does nothing if it exists and is yours)."""
    created = current_app().operations.bucket().create_bucket()
    url = current_app().operations.store_url
    t = words()
    said = t("cli.bucket.created", url=url) if created else t("cli.bucket.exists_already", url=url)
    console.print(Text(said))


@bucket_app.command("exists")
def bucket_exists() -> None:
    """Exit 0 if the bucket of ENTREPOT_STORE_URL exists, 1 otherwise."""
    t = words()
    if not current_app().operations.bucket().bucket_exists():
        console.print(t("cli.bucket.missing"), markup=False)
        raise typer.Exit(1)
    console.print(t("cli.bucket.exists"))


def gc(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List, delete nothing.")] = False,
    grace: Annotated[
        str,
        typer.Option(
            help="Keep unreferenced objects and temporaries younger than this (writes in flight)."
        ),
    ] = "1h",
) -> None:
    """Remove stored objects that no catalog row references, temporary files crashed
    processes left (var/tmp/upload-*.part, entrepot-* in the system's temporary folder,
    .entrepot-tmp-* in a local store) and multipart uploads an S3 writer left incomplete."""
    collected = current_app().operations.maintenance.collect(
        grace=parse_duration(grace), dry_run=dry_run
    )
    report, temporaries, uploads = collected.orphans, collected.temporaries, collected.uploads
    t = words()
    table = Table(box=None)
    table.add_column(t("cli.gc.what"), overflow="fold")
    table.add_column(t("cli.column.size"), no_wrap=True)
    table.add_column(t("cli.column.modified"), no_wrap=True)
    for item in report.candidates:
        table.add_row(
            Text(item.key), human_size(item.size), item.modified.strftime("%Y-%m-%d %H:%M")
        )
    for temp in temporaries.found:
        table.add_row(
            Text(str(temp.path)), human_size(temp.size), temp.modified.strftime("%Y-%m-%d %H:%M")
        )
    for upload in uploads.found:
        table.add_row(
            Text(t("cli.gc.incomplete_upload", key=upload.key)),
            "",
            upload.initiated.strftime("%Y-%m-%d %H:%M"),
        )
    if report.candidates or temporaries.found or uploads.found:
        console.print(table)
    count = len(report.candidates) if dry_run else report.deleted
    files = len(temporaries.found) if dry_run else temporaries.removed
    orphans = Np_("cli.gc.would_delete_orphans") if dry_run else Np_("cli.gc.deleted_orphans")
    stale = Np_("cli.gc.would_delete_temporaries") if dry_run else Np_("cli.gc.deleted_temporaries")
    console.print(t.plural(orphans, count, size=human_size(report.bytes)), markup=False)
    console.print(t.plural(stale, files, size=human_size(temporaries.bytes)), markup=False)
    if uploads.found:
        aborted = len(uploads.found) if dry_run else uploads.aborted
        said = Np_("cli.gc.would_abort_uploads") if dry_run else Np_("cli.gc.aborted_uploads")
        console.print(t.plural(said, aborted), markup=False)


def verify(
    quick: Annotated[
        bool,
        typer.Option("--quick", help="Compare recorded size and sha256 only; read no bytes."),
    ] = False,
    prefix: Annotated[str | None, typer.Option(help="Only keys under this folder.")] = None,
    repair: Annotated[
        bool,
        typer.Option("--repair", help="Write damaged objects back from the cache's verified copy."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Check every cataloged object exists and its bytes hash to the catalog's sha256.

    What is found is recorded in the catalog (administrators see it in /health) until a
    later check finds the object intact. Exits 1 on any problem left. --quick compares the
    store's recorded size and sha256 with the catalog's without reading the bytes.
    """
    from entrepot.cli.verify_report import settle

    app, t = current_app(), words()
    with Progress(
        TextColumn(t("cli.verify.verifying")),
        BarColumn(),
        MofNCompleteColumn(),
        console=progress_console,
        transient=True,
    ) as progress:
        task = progress.add_task(t("cli.verify.verifying"), total=None)
        verified = app.operations.maintenance.verify(
            deep=not quick,
            prefix=prefix,
            repair_damage=repair,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if not settle(verified, as_json=as_json):
        raise typer.Exit(1)
