"""The operator's word that they trust model files (ADR 0091): ``models import-tree
--trust`` and ``models resign NAME@VERSION`` ask for it on a terminal (y/N), or take
``--yes`` in a script; without either, they refuse (a usage mistake, exit 2). Never
available from the API or the pages."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.language import words
from entrepot.cli.model_options import user_option
from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message

#: Exit code when the operator answers no: nothing was done.
DECLINED = 1

YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Vouch without asking (for scripts).")]


def operator() -> str:
    """The operator's login on this machine, as the audit log and the manifest record it."""
    try:
        return getpass.getuser()[:100] or "unknown"
    except (OSError, KeyError):
        return "unknown"


def confirm(what: str, command: str, *, yes: bool) -> str:
    """Who vouches for ``what`` (the operator's login), once they said so: ``--yes``, else
    asked on a terminal; refused (exit 2) without a terminal, naming ``--yes``; exit 1 when
    the answer is no."""
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidArgument(
                f"`entrepot {command}` makes pickles loadable, which runs their code: it asks "
                "for a confirmation, and there is no terminal to ask on",
                hint="pass --yes if you trust these files",
                said=Message(N_("error.cli.vouch_needs_yes"), {"command": command}),
            )
        t = words()
        warning = t("cli.vouch.warning")
        progress_console.print(Text.assemble((what, "bold"), t("cli.head.colon"), warning))
        if not typer.confirm(t("cli.vouch.question"), default=False, err=True):
            progress_console.print(t("cli.vouch.declined"), markup=False)
            raise typer.Exit(DECLINED)
    return operator()


def resign(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="NAME@VERSION of a version you trust.")],
    yes: YesOption = False,
) -> None:
    """Vouch for a version's files: they become the signed version VERSION.trusted (its
    pickles load), recorded in its manifest and the audit log; references and aliases of
    VERSION move to it. Asks on a terminal; --yes for scripts."""
    by = confirm(ref, "models resign", yes=yes)
    done = current_app(ctx).operations.resign(ref, by=by, user=user_option(ctx))
    source, version = done.source, done.version
    t = words()
    said = t(
        "cli.vouch.done",
        source=f"[bold]{escape(source.name)}@{escape(source.version)}[/]",
        version=f"[bold]{escape(version.name)}@{escape(version.version)}[/]",
        by=escape(by),
        sha256=version.manifest_sha256,
    )
    console.print(said)
    for reference in done.references:
        moved = t("cli.vouch.reference", reference=reference, version=version.version)
        console.print(moved, markup=False)
    for alias in done.aliases:
        moved = t("cli.vouch.alias", alias=f"{version.name}@{alias}", version=version.version)
        console.print(moved, markup=False)
