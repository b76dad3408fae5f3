"""``entrepot models``: the model registry from the command line, each command a thin shell
over :class:`entrepot.registry.Registry` (``current_app(ctx).registry``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from entrepot.cli import push_inputs
from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.format import parse_duration
from entrepot.cli.output import Column, JsonFlag, emit_rows, human, print_json
from entrepot.cli.owners import UserOption, owned_registry
from entrepot.cli.progress import transfer_progress
from entrepot.cli.remote.target import process_remote
from entrepot.cli.version_view import print_version
from entrepot.errors import EntrepotError
from entrepot.registry.errors import InvalidModelFiles
from entrepot.registry.names import parse_ref
from entrepot.sizes import human_size

if TYPE_CHECKING:  # the registry's import pulls SQLAlchemy: only when a command runs
    from entrepot.registry.service import Registry

models_app = typer.Typer(
    help="Versioned, verified models: push, pull, aliases, verification, MLflow export.",
    no_args_is_help=True,
)

#: Exit code of ``verify`` when a version is damaged (as for IntegrityError).
DAMAGED = 74


@models_app.callback()
def _options(
    user: UserOption = None,
) -> None:
    """Declares the group's ``--user`` (read by :func:`user_option`)."""


def user_option(ctx: typer.Context) -> str | None:
    """The ``--user`` given to ``entrepot models`` (its commands' parent context)."""
    user = ctx.parent.params.get("user") if ctx.parent is not None else None
    return None if user is None else str(user)


def _registry(ctx: typer.Context) -> Registry:
    return owned_registry(current_app(ctx), user_option(ctx))


def _short_metrics(metrics: dict[str, float], limit: int = 3) -> str:
    text = human(dict(list(metrics.items())[:limit]))
    return text + (", ..." if len(metrics) > limit else "")


@models_app.command("push")
def push(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files and folders of the model.")],
    name: Annotated[str, typer.Option("--name", "-n", help="Model name.")],
    version: Annotated[
        str | None, typer.Option(help="Version (default vYYYYMMDD_HHMMSS, made unique).")
    ] = None,
    metrics: Annotated[
        Path | None, typer.Option("--metrics", help="JSON file of metric: number.")
    ] = None,
    metric: Annotated[list[str] | None, typer.Option(help="A metric, KEY=NUMBER.")] = None,
    param: Annotated[list[str] | None, typer.Option(help="A parameter, KEY=VALUE.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A tag, KEY=VALUE.")] = None,
    lineage: Annotated[
        list[str] | None,
        typer.Option(help="Where it came from, e.g. dataset_sha256=..., training_run=..."),
    ] = None,
    metadata: Annotated[
        Path | None, typer.Option(help="JSON file describing the model (architecture...).")
    ] = None,
    input_schema: Annotated[
        Path | None, typer.Option(help="JSON file mapping input columns to their types.")
    ] = None,
    flavor: Annotated[str | None, typer.Option(help="Override the detected flavor.")] = None,
    model_file: Annotated[
        str | None, typer.Option(help="The file to load, when several could be.")
    ] = None,
    untrusted: Annotated[
        bool,
        typer.Option(
            "--untrusted", help="Files from outside: do not sign; their pickles will never load."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Store PATHS as a new version of a model (write-once; manifest written last)."""
    extra = push_inputs.json_file(metadata, "metadata")
    if extra is not None and not isinstance(extra, dict):
        raise InvalidModelFiles(f"{metadata} must hold a JSON object")
    given = push_inputs.PushInputs(
        version=version,
        metrics=push_inputs.metrics(metrics, metric),
        params=push_inputs.pairs(param, "param"),
        tags=push_inputs.pairs(tag, "tag"),
        lineage=push_inputs.pairs(lineage, "lineage"),
        metadata=extra,
        input_schema=push_inputs.schema(input_schema),
        flavor=flavor,
        model_file=model_file,
        sign=not untrusted,
    )
    if (remote := process_remote()) is not None:
        from entrepot.cli.remote import model_push

        _print_pushed(model_push.push(remote, paths, name, given), as_json)
        return
    registry = _registry(ctx)
    with transfer_progress(progress_console) as progress:
        task = progress.add_task(f"push {name}", total=None)
        record = registry.push(
            paths,
            name,
            version=given.version,
            metrics=given.metrics,
            params=given.params,
            tags=given.tags,
            lineage=given.lineage,
            metadata=given.metadata,
            input_schema=given.input_schema,
            flavor=given.flavor,
            model_file=given.model_file,
            sign=given.sign,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    pushed = {
        "name": record.name,
        "version": record.version,
        "flavor": record.flavor,
        "signed": record.signature is not None,
        "manifest_sha256": record.manifest_sha256,
    }
    _print_pushed(pushed, as_json)


def _print_pushed(pushed: Mapping[str, Any], as_json: bool) -> None:
    """What ``models push`` prints of the version it stored, here or on a service."""
    if as_json:
        print_json(dict(pushed))
        return
    signed = "signed" if pushed["signed"] else "[yellow]unsigned[/]"
    console.print(
        f"pushed [bold]{pushed['name']}@{pushed['version']}[/] ({pushed['flavor']}, {signed}, "
        f"manifest sha256 {pushed['manifest_sha256']})"
    )


@models_app.command("pull")
def pull(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME, NAME@VERSION or NAME@ALIAS.")],
    dest: Annotated[Path, typer.Argument(help="Folder to put the files in.")],
) -> None:
    """Verify every file of a version against the catalog and put them in DEST."""
    if (remote := process_remote()) is not None:
        from entrepot.cli.remote import models as remote_models

        remote_models.pull(remote, ref, dest)
        return
    registry = _registry(ctx)
    with transfer_progress(progress_console) as progress:
        task = progress.add_task(f"pull {ref}", total=None)
        pulled = registry.pull(
            ref,
            dest=dest,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    size = sum(f.size for f in pulled.manifest.files)
    console.print(
        f"pulled [bold]{pulled.version.name}@{pulled.version.version}[/] into {dest}: "
        f"{len(pulled.manifest.files)} file(s), {human_size(size)}, all verified"
    )


@models_app.command("ls")
def ls(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the models and their latest version."""
    if (remote := process_remote()) is not None:
        from entrepot.cli.remote import models as remote_models

        rows = remote_models.summaries(remote)
    else:
        summaries = current_app(ctx).listings.models(user_option(ctx))  # no --user: shared
        rows = [
            {"name": s.name, "versions": s.versions, "latest": s.latest, "latest_at": s.latest_at}
            for s in summaries
        ]
    columns = (Column("name", "model"), Column("versions"), Column("latest"))
    emit_rows(
        rows,
        (*columns, Column("latest_at", "pushed (UTC)")),
        as_json=as_json,
        footer=f"{len(rows)} model(s)",
    )


@models_app.command("versions")
def versions(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Model name.")],
    limit: Annotated[int, typer.Option(help="Show at most this many, newest first.")] = 50,
    all_states: Annotated[
        bool, typer.Option("--all", help="Include pending and failed pushes.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """List the versions of a model, newest first, with their aliases and metrics."""
    registry = _registry(ctx)
    found = registry.versions(name, limit=limit, all_states=all_states)
    aliases: dict[str, list[str]] = {}
    for alias in registry.aliases(name):
        aliases.setdefault(alias.version, []).append(alias.alias)
    rows = [
        {
            "version": v.version,
            "created_at": v.created_at,
            "created_by": v.created_by,
            "flavor": v.flavor,
            "aliases": aliases.get(v.version, []),
            "metrics": dict(v.metrics),
            "state": str(v.state),
        }
        for v in found
    ]
    columns = [
        Column("version"),
        Column("created_at", "pushed (UTC)"),
        Column("created_by", "by"),
        Column("flavor"),
        Column("aliases", fold=True),
        Column("metrics", show=_short_metrics, fold=True),
    ]
    if all_states:
        columns.append(Column("state"))
    emit_rows(rows, columns, as_json=as_json)


@models_app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME, NAME@VERSION or NAME@ALIAS.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the manifest as one JSON document.")
    ] = False,
) -> None:
    """Show a version: manifest, metrics, parameters, lineage and files."""
    if (remote := process_remote()) is not None:
        from entrepot.cli.remote import models as remote_models

        remote_models.show(remote, ref, as_json=as_json)
        return
    details = _registry(ctx).show(ref)
    manifest = json.loads(details.manifest.to_json())
    if as_json:
        print_json(manifest)
        return
    v = details.version
    print_version(
        name=v.name,
        version=v.version,
        created_at=v.created_at,
        created_by=v.created_by,
        signed=bool(v.signature),
        manifest_sha256=v.manifest_sha256,
        aliases=details.aliases,
        manifest=manifest,
        files=[{"path": f.path, "size": f.size, "sha256": f.sha256} for f in details.files],
    )


@models_app.command("latest")
def latest(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Model name.")],
    as_json: JsonFlag = False,
) -> None:
    """Print the latest ready version of a model."""
    found = _registry(ctx).latest(name)
    if as_json:
        print_json({"name": found.name, "version": found.version, "created_at": found.created_at})
        return
    console.print(found.version, markup=False, soft_wrap=True)


@models_app.command("alias")
def alias(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Model name.")],
    alias_name: Annotated[str, typer.Argument(metavar="ALIAS", help="e.g. production.")],
    version: Annotated[str, typer.Argument(help="The version it points to.")],
) -> None:
    """Point ALIAS at VERSION (moved atomically)."""
    record = _registry(ctx).alias(name, alias_name, version)
    console.print(f"{record.name}@{record.alias} -> {record.version}")


@models_app.command("rm")
def rm(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME@VERSION (a version, not an alias).")],
) -> None:
    """Delete one version: its aliases, catalog rows and objects. Others are untouched."""
    name, version = parse_ref(ref)
    record = _registry(ctx).delete(name, version)
    console.print(f"deleted {record.name}@{record.version}")


@models_app.command("presign")
def presign(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME@VERSION or NAME@ALIAS.")],
    file: Annotated[str | None, typer.Argument(help="File (default: the model file).")] = None,
    expires: Annotated[str, typer.Option(help="Validity, e.g. 15m, 1h, 7d.")] = "1h",
) -> None:
    """Print a presigned GET URL for one file of a version (S3 stores)."""
    lifetime: timedelta = parse_duration(expires)
    url = _registry(ctx).presign(ref, file=file, expires=lifetime)
    console.print(url, soft_wrap=True, markup=False)


@models_app.command("verify")
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
        task = progress.add_task("verify", total=None)
        report = _registry(ctx).verify(
            name,
            deep=not quick,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if report.problems:
        table = Table("version", "file", "problem", box=None)
        for p in report.problems:
            table.add_row(f"{p.name}@{p.version}", p.path, escape(p.problem))
        console.print(table)
    verdict = (
        "[green]all verified[/]" if report.ok else f"[red]{len(report.problems)} problem(s)[/]"
    )
    console.print(f"checked {report.versions} version(s), {report.files} file(s): {verdict}")
    if not report.ok:
        raise typer.Exit(DAMAGED)


@models_app.command("references")
def references(
    ctx: typer.Context,
    domain: Annotated[str | None, typer.Option(help="Only this domain.")] = None,
    all_states: Annotated[bool, typer.Option("--all", help="Include retired ones.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List the reference models the fraud engine may reuse, with their usage."""
    found = _registry(ctx).references(domain=domain, active=None if all_states else True)
    if as_json:
        print_json(
            [
                {
                    "name": r.name,
                    "domain": r.domain,
                    "model_name": r.model_name,
                    "model_version": r.model_version,
                    "uses": r.usage_count,
                    "last_used_at": r.last_used_at,
                    "mean_match_score": r.mean_match_score,
                    "metrics": dict(r.metrics),
                    "active": r.active,
                }
                for r in found
            ]
        )
        return
    table = Table("reference", "domain", "model", "uses", "last used (UTC)", "mean match")
    table.box = None
    table.add_column("metrics")
    if all_states:
        table.add_column("active")
    for r in found:
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in list(r.metrics.items())[:3])
        row = [
            r.name,
            r.domain,
            f"{r.model_name}@{r.model_version}",
            str(r.usage_count),
            f"{r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "-",
            f"{r.mean_match_score:.2f}" if r.mean_match_score is not None else "-",
            metrics,
        ]
        if all_states:
            row.append("yes" if r.active else "no")
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(found)} reference model(s)")


@models_app.command("export")
def export(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME@VERSION or NAME@ALIAS.")],
    dest: Annotated[Path, typer.Argument(help="New folder to write.")],
    fmt: Annotated[str, typer.Option("--format", help="Export format: mlflow.")] = "mlflow",
) -> None:
    """Write a version in another tool's format (MLflow, for scikit-learn flavors)."""
    if fmt != "mlflow":
        raise EntrepotError(f"unknown export format {fmt!r}", hint="use --format mlflow")
    name, version = parse_ref(ref)
    with progress_console.status(f"exporting {ref}..."):
        folder = _registry(ctx).export_mlflow(name, version, dest)
    console.print(f"wrote an MLflow model to {folder} (load it with mlflow.pyfunc.load_model)")
