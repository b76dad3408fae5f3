"""``entrepot datasets ls`` and ``entrepot predictions ls``: an account's datasets and
stored predictions on a deployed service (what its web pages list), newest first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import typer

from entrepot.cli.language import human_size, words
from entrepot.cli.output import Column, JsonFlag, emit_rows
from entrepot.cli.remote.client import Client
from entrepot.cli.remote.target import Remote, process_remote
from entrepot.errors import ConfigError
from entrepot.messages import N_, Message, Np_, Param, Word

#: The API's largest page; a listing reads pages until it has ``--limit`` rows.
PAGE = 100

datasets_app = typer.Typer(
    help="Your datasets on the service you are logged in to.", no_args_is_help=True
)
predictions_app = typer.Typer(
    help="Your stored predictions on the service you are logged in to.", no_args_is_help=True
)
Limit = Annotated[int, typer.Option(min=1, max=100_000, help="Show at most this many.")]


def _remote(what: str) -> Remote:
    remote = process_remote()
    if remote is None:
        raise ConfigError(
            f"`entrepot {what} ls` lists an account's {what} on a deployed service, and this "
            "command line works on a local instance",
            hint="`entrepot login URL` first (or set ENTREPOT_URL and ENTREPOT_TOKEN)",
            said=Message(
                N_("error.cli.remote_listing_local"), {"command": what, "what": _word(what)}
            ),
        )
    return remote


#: The things an account lists, as the reader's language says them.
_LISTED = {"datasets": N_("cli.listed.datasets"), "predictions": N_("cli.listed.predictions")}


def _word(what: str) -> Param:
    key = _LISTED.get(what)
    return what if key is None else Word(key)


def _pages(remote: Remote, path: str, limit: int) -> list[Mapping[str, Any]]:
    rows: list[Mapping[str, Any]] = []
    page = 1
    with Client(remote) as client:
        while len(rows) < limit:
            found = client.get_json(path, {"page": page, "per_page": min(PAGE, limit)})
            items = found.get("items", []) if isinstance(found, Mapping) else []
            rows.extend(i for i in items if isinstance(i, Mapping))
            if not items or page >= int(found.get("pages", 1)):
                break
            page += 1
    return rows[:limit]


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


@datasets_app.command("ls")
def datasets_ls(limit: Limit = 50, as_json: JsonFlag = False) -> None:
    """List your datasets, newest first."""
    found = _pages(_remote("datasets"), "/api/datasets", limit)
    rows = [{**d, "created_at": _when(d.get("created_at"))} for d in found]
    columns = (
        Column("id", fold=True),
        Column("name", fold=True),
        Column("format"),
        Column("size", show=lambda n: human_size(int(n))),
        Column("rows"),
        Column("columns"),
        Column("labelled"),
        Column("target"),
        Column("created_at", N_("cli.column.uploaded")),
    )
    footer = words().plural(Np_("cli.datasets.count"), len(rows))
    emit_rows(rows, columns, as_json=as_json, footer=footer)


@predictions_app.command("ls")
def predictions_ls(limit: Limit = 50, as_json: JsonFlag = False) -> None:
    """List your stored predictions, newest first."""
    found = _pages(_remote("predictions"), "/api/predictions", limit)
    rows = [
        {
            **p,
            "model": f"{p['model_name']}@{p['model_version']}" if p.get("model_name") else None,
            "created_at": _when(p.get("created_at")),
        }
        for p in found
    ]
    columns = (
        Column("id", fold=True),
        Column("dataset_name", N_("cli.column.dataset"), fold=True),
        Column("model", fold=True),
        Column("source"),
        Column("rows"),
        Column("created_at", N_("cli.column.scored")),
    )
    footer = words().plural(Np_("cli.predictions.count"), len(rows))
    emit_rows(rows, columns, as_json=as_json, footer=footer)
