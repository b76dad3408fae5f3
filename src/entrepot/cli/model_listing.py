"""``entrepot models ls|versions|show|latest|references``: what the registry holds, read."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from entrepot.cli.context import console, current_app
from entrepot.cli.language import figure, words
from entrepot.cli.model_options import owned_models, short_metrics, user_option
from entrepot.cli.output import Column, JsonFlag, emit_rows, print_json
from entrepot.cli.remote.target import process_remote
from entrepot.cli.version_view import print_version
from entrepot.messages import N_, Np_


def ls(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the models and their latest version."""
    if (remote := process_remote()) is not None:
        from entrepot.cli.remote import models as remote_models

        rows = remote_models.summaries(remote)
    else:
        summaries = current_app(ctx).catalog.listings.models(user_option(ctx))  # no --user: shared
        rows = [
            {"name": s.name, "versions": s.versions, "latest": s.latest, "latest_at": s.latest_at}
            for s in summaries
        ]
    columns = (Column("name", N_("cli.column.model")), Column("versions"), Column("latest"))
    emit_rows(
        rows,
        (*columns, Column("latest_at")),
        as_json=as_json,
        footer=words().plural(Np_("cli.models.count"), len(rows)),
    )


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
    registry = owned_models(ctx)
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
        Column("created_at", N_("cli.column.pushed")),
        Column("created_by"),
        Column("flavor"),
        Column("aliases", fold=True),
        Column("metrics", show=short_metrics, fold=True),
    ]
    if all_states:
        columns.append(Column("state"))
    emit_rows(rows, columns, as_json=as_json)


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
    details = owned_models(ctx).show(ref)
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


def latest(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Model name.")],
    as_json: JsonFlag = False,
) -> None:
    """Print the latest ready version of a model."""
    found = owned_models(ctx).latest(name)
    if as_json:
        print_json({"name": found.name, "version": found.version, "created_at": found.created_at})
        return
    console.print(found.version, markup=False, soft_wrap=True)


def references(
    ctx: typer.Context,
    domain: Annotated[str | None, typer.Option(help="Only this domain.")] = None,
    all_states: Annotated[bool, typer.Option("--all", help="Include retired ones.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List the reference models the fraud engine may reuse, with their usage."""
    found = owned_models(ctx).references(domain=domain, active=None if all_states else True)
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
    t = words()
    table = Table(
        t("cli.references.reference"),
        t("cli.references.domain"),
        t("cli.column.model"),
        t("cli.references.uses"),
        t("cli.references.last_used"),
        t("cli.references.mean_match"),
    )
    table.box = None
    table.add_column(t("cli.column.metrics"))
    if all_states:
        table.add_column(t("cli.column.active"))
    for r in found:
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in list(r.metrics.items())[:3])
        row = [
            r.name,
            r.domain,
            f"{r.model_name}@{r.model_version}",
            str(r.usage_count),
            f"{r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "-",
            figure(r.mean_match_score, 2),
            metrics,
        ]
        if all_states:
            row.append(t("cli.yes") if r.active else t("cli.no"))
        table.add_row(*row)
    console.print(table)
    console.print(t.plural(Np_("cli.references.count"), len(found)), markup=False)
