"""``entrepot secrets ...``: the key ring that signs model versions (ADR 0035).

The ring lives in the catalog, each key wrapped with the instance secret, so ``db copy``
carries it. A moved installation with a new ``ENTREPOT_SECRET_KEY`` re-wraps it once with
the old secret (``rewrap --old-secret-file``); ``export``/``import`` move it without the
catalog; ``rotate`` adds a key that signs from now on, without invalidating any signature.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from entrepot.cli.context import console, current_app
from entrepot.cli.language import words
from entrepot.cli.output import JsonFlag, print_json
from entrepot.errors import ConfigError, InvalidArgument, LocalFileNotFound
from entrepot.messages import N_, Message, Np_

secrets_app = typer.Typer(help="The key ring that signs model versions.", no_args_is_help=True)


def _show(ids: tuple[str, ...], active: str) -> None:
    t = words()
    for ident in ids:
        signs = "  " + t("cli.secrets.signs") if ident == active else ""
        console.print(ident + signs, markup=False)


@secrets_app.command("list")
def list_keys(as_json: JsonFlag = False) -> None:
    """The key ids of the ring, oldest first; the last one signs."""
    state = current_app().operations.keys.state()
    if as_json:
        print_json([{"id": ident, "signs": ident == state.active} for ident in state.ids])
        return
    _show(state.ids, state.active)


@secrets_app.command("rotate")
def rotate() -> None:
    """Add a new key that signs from now on; every model signed before still loads."""
    state = current_app().operations.keys.rotate()
    t = words()
    said = t.plural(Np_("cli.secrets.rotated"), len(state.ids), active=state.active)
    console.print(said, markup=False)


@secrets_app.command("export")
def export(
    to: Annotated[Path, typer.Option("--to", help="The file to write (mode 0600).")],
) -> None:
    """Write the ring's keys in clear to a file only you can read (keep it like a password)."""
    document = current_app().operations.keys.export()
    try:
        descriptor = os.open(to, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"{to} exists",
            hint="name a new file: an export never overwrites",
            said=Message(N_("error.cli.export_exists"), {"path": str(to)}),
        ) from None
    except FileNotFoundError:
        raise LocalFileNotFound(
            f"no folder {to.parent} to write {to.name} into",
            hint="check the path",
            said=Message(
                N_("error.cli.export_no_folder"), {"folder": str(to.parent), "name": to.name}
            ),
        ) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(document, out, indent=1)
    t = words()
    console.print(t.plural(Np_("cli.secrets.exported"), len(document["keys"]), to=to), markup=False)


@secrets_app.command("import")
def import_keys(
    source: Annotated[Path, typer.Argument(help="A file written by `entrepot secrets export`.")],
) -> None:
    """Add the keys of an export to this installation's ring (wrapped with its secret)."""
    state = current_app().operations.keys.import_(_read_json(source))
    t = words()
    said = t.plural(Np_("cli.secrets.ring"), len(state.ids), active=state.active)
    console.print(said, markup=False)


@secrets_app.command("rewrap")
def rewrap(
    old_secret_file: Annotated[
        Path,
        typer.Option(
            "--old-secret-file",
            help="A file holding the secret of the installation the catalog came from "
            "(its var/secret_key, or its ENTREPOT_SECRET_KEY).",
        ),
    ],
) -> None:
    """Re-encrypt a copied catalog's ring with this installation's secret, once, after
    `entrepot db copy` to an installation with another ENTREPOT_SECRET_KEY."""
    old = _read_text(old_secret_file).strip()
    state = current_app().operations.keys.rewrap(old)
    t = words()
    console.print(t.plural(Np_("cli.secrets.rewrapped"), len(state.ids)), markup=False)


#: The most bytes a secret file or a ring's export is read for: far above either (a secret
#: is a line, a ring a few hundred bytes a key), far below what ``/dev/zero`` would fill.
MOST_READ = 1024**2


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as file:
            body = file.read(MOST_READ + 1)
        if len(body) > MOST_READ:
            raise InvalidArgument(
                f"{path} is larger than {MOST_READ // 1024} KiB: no secret or export is",
                hint="pass the file that holds the secret, or the one `secrets export` wrote",
                said=Message(
                    N_("error.cli.secret_file_too_large"),
                    {"path": str(path), "limit": str(MOST_READ // 1024)},
                ),
            )
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArgument(
            f"{path} is not UTF-8 text",
            hint="pass the file that holds the secret",
            said=Message(N_("error.cli.secret_file_not_utf8"), {"path": str(path)}),
        ) from None
    except FileNotFoundError:
        raise LocalFileNotFound(
            f"no file at {path}",
            said=Message(N_("error.cli.secret_file_missing"), {"path": str(path)}),
        ) from None
    except IsADirectoryError:
        raise InvalidArgument(
            f"{path} is a folder",
            hint="pass the file `entrepot secrets export --to FILE` wrote",
            said=Message(N_("error.cli.secret_file_folder"), {"path": str(path)}),
        ) from None


def _read_json(path: Path) -> dict[str, object]:
    try:
        found = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path} is not JSON ({exc.msg}, line {exc.lineno})",
            hint="pass the file `entrepot secrets export --to FILE` wrote",
            said=Message(
                N_("error.cli.export_not_json"),
                {"path": str(path), "detail": exc.msg, "line": str(exc.lineno)},
            ),
        ) from None
    if not isinstance(found, dict):
        raise ConfigError(
            f"{path} is not an export of a key ring",
            said=Message(N_("error.cli.export_not_ring"), {"path": str(path)}),
        )
    return found
