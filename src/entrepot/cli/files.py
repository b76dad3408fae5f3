"""Object commands: ls, du, put, get, head, rm, presign."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal, cast

import typer
from rich.markup import escape
from rich.text import Text

from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.format import parse_duration
from entrepot.cli.language import human_size, words
from entrepot.cli.output import Column, JsonFlag, emit_rows, human, print_json, table
from entrepot.cli.progress import ProgressReader, transfer_progress
from entrepot.cli.value_words import OBJECT_KINDS, OBJECT_STATES, value_words
from entrepot.errors import LocalFileNotFound
from entrepot.messages import N_, Message, Np_

#: The folder of the web service's users (``users/<id>/``): the service alone writes there.
USERS_FOLDER = "users/"
_FORCE = Annotated[
    bool,
    typer.Option(
        "--force",
        help=f"Write or delete under {USERS_FOLDER} (the web service's users) all the same.",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the object commands to ``app``."""
    app.command("ls")(ls)
    app.command("du")(du)
    app.command("put")(put)
    app.command("get")(get)
    app.command("head")(head)
    app.command("rm")(rm)
    app.command("presign")(presign)


#: The title of each table of ``du``.
_DU_TITLES = {"folder": N_("cli.du.folder"), "user": N_("cli.du.user"), "owner": N_("cli.du.owner")}


def _t(key: str, /, **values: object) -> str:
    """``key`` in the reader's language (the key given as a literal at the call, where
    `make translations` finds it: ``_t(N_("cli.…"))``)."""
    t = words()
    return t(key, **values)


def _n(key: str, count: int) -> str:
    """The plural ``key`` for ``count``, in the reader's language."""
    return words().plural(key, count)


def _top_level(name: object) -> str:
    return str(name) if name else _t(N_("cli.du.top_level"))


def ls(
    prefix: Annotated[str, typer.Argument(help="Folder prefix to list; empty for the root.")] = "",
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="List every level.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List objects under PREFIX (one level, or every level with -r)."""
    app = current_app()
    listing = app.objects.listing(prefix, recursive=recursive)  # never "0 objects" for no instance
    objects, folders = list(listing.objects), listing.prefixes
    rows: list[dict[str, Any]] = [
        {"key": i.key, "size": i.size, "modified": i.modified, "sha256": i.sha256} for i in objects
    ]
    emit_rows(
        [{"key": folder, "sha256": ""} for folder in folders] + rows,
        _LS_COLUMNS,
        as_json=as_json,
        document={"prefix": prefix, "folders": list(folders), "objects": rows},
        footer=_t(
            N_("cli.ls.footer"),
            folders=_n(Np_("cli.ls.folders"), len(folders)),
            objects=_n(Np_("cli.ls.objects"), len(objects)),
        ),
    )


_LS_COLUMNS = (
    Column("key", fold=True),
    Column("size", show=lambda n: "" if n is None else human_size(n)),
    Column("modified", N_("cli.column.modified"), show=lambda t: "" if t is None else human(t)),
    Column("sha256", show=lambda s: "-" if s is None else s[:12]),
)


def du(
    prefix: Annotated[str, typer.Argument(help="Folder prefix to measure.")] = "",
    walk: Annotated[
        bool,
        typer.Option(
            "--store",
            help="Walk the store's listing instead of asking the catalog: also counts objects "
            "the catalog does not record (raw city data, crash leftovers); slower on S3.",
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Bytes and object counts per top-level folder, per user (users/<id>/) and per owning
    account, as the catalog records them (one query each; --store walks the store)."""
    base = prefix.rstrip("/") + "/" if prefix.strip("/") else ""
    if walk:
        tables = _walk_usage(base, prefix)
    else:
        found = current_app().objects.usage(base, users=_covers_users(base))
        user_folders = {str(u.name): (u.objects, u.bytes) for u in found.users}
        tables = {
            "folder": {str(u.name): (u.objects, u.bytes) for u in found.folders},
            "user": {
                name.split("/")[1]: usage
                for name, usage in user_folders.items()
                if name.count("/") == 2 and (name.startswith(base) or base.startswith(name))
            },
            "owner": {u.name: (u.objects, u.bytes) for u in found.owners if u.name is not None},
        }
    usage: dict[str, list[dict[str, Any]]] = {
        title: [{"name": n, "objects": c, "bytes": s} for n, (c, s) in sorted(rows.items())]
        for title, rows in tables.items()
    }
    if as_json:
        print_json(usage)
        return
    for title, rows in tables.items():
        if not rows and title != "folder":
            continue
        total = {
            "name": _t(N_("cli.du.total")),
            "objects": sum(c for c, _ in rows.values()),
            "bytes": sum(s for _, s in rows.values()),
        }
        columns = (
            Column("name", _DU_TITLES[title], show=_top_level, fold=True),
            Column("objects"),
            Column("bytes"),
            Column("bytes", N_("cli.column.size"), show=human_size),
        )
        console.print(table([*usage[title], total], columns))


def _covers_users(base: str) -> bool:
    return base == "" or base.startswith("users/")


def _walk_usage(base: str, prefix: str) -> dict[str, dict[str, tuple[int, int]]]:
    per_top: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_user: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    t = words()
    with progress_console.status(escape(t("cli.ls.listing"))):
        for info in current_app().objects.keys(prefix):
            rest = info.key[len(base) :]
            top = rest.split("/", 1)[0] + ("/" if "/" in rest else "")
            per_top[base + top][0] += 1
            per_top[base + top][1] += info.size
            parts = info.key.split("/")
            if parts[0] == "users" and len(parts) > 2:
                per_user[parts[1]][0] += 1
                per_user[parts[1]][1] += info.size
    return {
        "folder": {k: (v[0], v[1]) for k, v in per_top.items()},
        "user": {k: (v[0], v[1]) for k, v in per_user.items()},
    }


def put(
    src: Annotated[Path, typer.Argument(help="Local file.")],
    key: Annotated[str, typer.Argument(help="Destination key, e.g. files/report.csv.")],
    content_type: Annotated[str | None, typer.Option(help="MIME type to record.")] = None,
    force: _FORCE = False,
) -> None:
    """Upload SRC to KEY (write-once) and record it in the catalog.

    Keys under users/ belong to the web service's accounts and are refused without --force.
    """
    guard_user_keys([key], "put", force=force)
    if not src.is_file():
        raise LocalFileNotFound(
            f"no file at {src}" if not src.exists() else f"{src} is a folder, not a file",
            hint="give the path of a local file (put uploads one file under one key)",
            said=Message(N_("error.cli.put_no_file"), {"path": str(src)})
            if not src.exists()
            else Message(N_("error.cli.put_folder"), {"path": str(src)}),
        )
    app = current_app()
    size = src.stat().st_size
    with transfer_progress(progress_console) as progress, open(src, "rb") as raw:
        t = words()
        task = progress.add_task(escape(t("cli.progress.put", key=key)), total=size)
        reader = cast(BinaryIO, ProgressReader(raw, lambda n: progress.advance(task, n)))
        record = app.objects.put(key, reader, kind="file", owner=None, content_type=content_type)
    t = words()
    console.print(
        t("cli.put.stored", key=record.key, size=human_size(record.size), sha256=record.sha256),
        markup=False,
    )


def get(
    key: Annotated[str, typer.Argument(help="Key to download, or a folder (ending in /).")],
    dest: Annotated[Path, typer.Argument(help="Local file to write (or a folder).")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace DEST when it is an existing file.")
    ] = False,
) -> None:
    """Download KEY to DEST, verified against the catalog's sha256 (and the store's); a
    folder (KEY ending in /) is downloaded whole into the folder DEST."""
    from entrepot.services.records import DownloadedTree

    app = current_app()
    with transfer_progress(progress_console) as progress:
        t = words()
        task = progress.add_task(escape(t("cli.progress.get", key=key)), total=None)

        def advance(n: int, total: int) -> None:
            progress.update(task, advance=n, total=total)

        done = app.objects.fetch(key, dest, force=force, progress=advance)
    if isinstance(done, DownloadedTree):
        files = _n(Np_("cli.get.files"), len(done.files))
        said = _t(N_("cli.get.wrote_tree"), files=files, dest=done.dest, size=human_size(done.size))
        console.print(said, markup=False)
        return
    t = words()
    key = N_("cli.get.wrote_checked") if done.cataloged else N_("cli.get.wrote_store")
    console.print(t(key, path=done.path, size=human_size(done.size)), markup=False)


def head(
    key: Annotated[str, typer.Argument(help="Key of one object.")],
    as_json: JsonFlag = False,
) -> None:
    """Show one object without reading it: size, sha256, content type, times, and what the
    catalog records of it."""
    app = current_app()
    found = app.objects.head(key)
    info, record = found.info, found.record
    document: dict[str, Any] = {
        "key": info.key,
        "size": info.size,
        "sha256": info.sha256,
        "content_type": info.content_type,
        "modified": info.modified.isoformat(),
        "cataloged": record is not None,
        "catalog": None
        if record is None
        else {
            "sha256": record.sha256,
            "size": record.size,
            "kind": record.kind,
            "owner": record.owner,
            "state": str(record.state.value),
            "created": record.created_at.isoformat(),
        },
    }
    if as_json:
        print_json(document)
        return
    t = words()
    rows = [
        (t("cli.column.key"), info.key),
        (t("cli.column.size"), t("cli.head.size", size=human_size(info.size), bytes=info.size)),
        ("sha256", info.sha256 or "-"),
        (t("cli.head.content_type"), info.content_type or "-"),
        (t("cli.column.modified"), human(info.modified)),
    ]
    if record is None:
        rows.append((t("cli.head.catalog"), t("cli.head.not_recorded")))
    else:
        owner = record.owner or "-"
        rows += [
            (
                t("cli.head.catalog"),
                t(
                    "cli.head.recorded_as",
                    kind=value_words(OBJECT_KINDS, record.kind),
                    state=value_words(OBJECT_STATES, record.state.value),
                    owner=owner,
                ),
            ),
            (t("cli.head.recorded"), human(record.created_at)),
        ]
        if (record.sha256, record.size) != (info.sha256, info.size):
            rows.append((t("cli.head.warning"), t("cli.head.disagree")))
    for name, value in rows:
        console.print(Text.assemble((name, "bold"), t("cli.head.colon"), str(value)))


def rm(
    keys: Annotated[list[str], typer.Argument(help="Keys (or folder prefixes with -r).")],
    recursive: Annotated[
        bool, typer.Option("--recursive", "-r", help="Treat each KEY as a folder prefix.")
    ] = False,
    force: _FORCE = False,
) -> None:
    """Delete objects and their catalog rows (the row first, so none ever dangles).

    Keys under users/ belong to the web service's accounts and are refused without --force.
    """
    app = current_app()
    targets = [i.key for k in keys for i in app.objects.keys(k)] if recursive else keys
    guard_user_keys(targets, "rm", force=force)
    for key in targets:
        app.objects.delete(key)
    console.print(_n(Np_("cli.rm.deleted"), len(targets)), markup=False)


def guard_user_keys(keys: list[str], command: str, *, force: bool) -> None:
    """The object service's rule for the web service's folders (``users/`` in any case or
    width), applied before any byte is sent."""
    current_app().objects.refuse_reserved(keys, command, force=force)


def presign(
    key: Annotated[str, typer.Argument(help="Key to sign.")],
    expires: Annotated[str, typer.Option(help="Validity, e.g. 15m, 1h, 7d.")] = "1h",
    method: Annotated[str, typer.Option(help="GET to download, PUT to upload.")] = "GET",
) -> None:
    """Print a presigned URL for KEY (S3 stores only)."""
    if method.upper() not in ("GET", "PUT"):  # never quietly another method than asked
        raise typer.BadParameter(
            f"{method!r}: a presigned URL is for GET (download) or PUT (upload)",
            param_hint="--method",
        )
    verb: Literal["GET", "PUT"] = "PUT" if method.upper() == "PUT" else "GET"
    url = current_app().objects.presign(key, method=verb, expires=parse_duration(expires))
    console.print(url, soft_wrap=True)
