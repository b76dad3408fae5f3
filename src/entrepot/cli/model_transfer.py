"""``entrepot models push|pull|presign|export``: a version's files into the registry, out
of it (verified), behind a presigned URL, or in another tool's format."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from entrepot.cli import push_inputs
from entrepot.cli.context import console, progress_console
from entrepot.cli.format import parse_duration
from entrepot.cli.language import words
from entrepot.cli.model_options import owned_models
from entrepot.cli.output import JsonFlag, print_json
from entrepot.cli.progress import transfer_progress
from entrepot.cli.remote.target import process_remote
from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message
from entrepot.registry.errors import InvalidModelFiles
from entrepot.registry.names import parse_ref


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
        raise InvalidModelFiles(
            f"{metadata} must hold a JSON object",
            said=Message(N_("error.cli.metadata_not_object"), {"file": str(metadata)}),
        )
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

        print_pushed(model_push.push(remote, paths, name, given), as_json)
        return
    registry = owned_models(ctx)
    with transfer_progress(progress_console) as progress:
        t = words()
        task = progress.add_task(escape(t("cli.progress.push", name=name)), total=None)
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
    print_pushed(pushed, as_json)


def print_pushed(pushed: Mapping[str, Any], as_json: bool) -> None:
    """What ``models push`` prints of the version it stored, here or on a service."""
    if as_json:
        print_json(dict(pushed))
        return
    t = words()
    unsigned = t("cli.models.unsigned")
    signed = t("cli.models.signed") if pushed["signed"] else f"[yellow]{escape(unsigned)}[/]"
    ref = f"[bold]{escape(str(pushed['name']))}@{escape(str(pushed['version']))}[/]"
    said = t(
        "cli.models.pushed",
        ref=ref,
        flavor=escape(str(pushed["flavor"])),
        signed=signed,
        sha256=pushed["manifest_sha256"],
    )
    console.print(said)


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
    registry = owned_models(ctx)
    with transfer_progress(progress_console) as progress:
        task = progress.add_task(escape(ref), total=None)
        pulled = registry.pull(
            ref,
            dest=dest,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    from entrepot.cli.remote.models import print_pulled

    size = sum(f.size for f in pulled.manifest.files)
    shown = f"{pulled.version.name}@{pulled.version.version}"
    print_pulled(shown, dest, len(pulled.manifest.files), size)


def presign(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME@VERSION or NAME@ALIAS.")],
    file: Annotated[str | None, typer.Argument(help="File (default: the model file).")] = None,
    expires: Annotated[str, typer.Option(help="Validity, e.g. 15m, 1h, 7d.")] = "1h",
) -> None:
    """Print a presigned GET URL for one file of a version (S3 stores)."""
    lifetime: timedelta = parse_duration(expires)
    url = owned_models(ctx).presign(ref, file=file, expires=lifetime)
    console.print(url, soft_wrap=True, markup=False)


def export(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME@VERSION or NAME@ALIAS.")],
    dest: Annotated[Path, typer.Argument(help="New folder to write.")],
    fmt: Annotated[str, typer.Option("--format", help="Export format: mlflow.")] = "mlflow",
) -> None:
    """Write a version in another tool's format (MLflow, for scikit-learn flavors)."""
    if fmt != "mlflow":
        raise InvalidArgument(
            f"unknown export format {fmt!r}",
            hint="use --format mlflow",
            said=Message(N_("error.cli.unknown_export_format"), {"given": repr(fmt)}),
        )
    name, version = parse_ref(ref)
    t = words()
    with progress_console.status(escape(t("cli.models.exporting", ref=ref))):
        folder = owned_models(ctx).export_mlflow(name, version, dest)
    console.print(t("cli.models.exported", folder=folder), markup=False)
