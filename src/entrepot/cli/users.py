"""``entrepot users ...``: accounts, API tokens and licences from the command line.

No account exists by default: ``entrepot users create EMAIL --admin`` makes the first
one (prompting for its password), ``entrepot users token EMAIL`` prints an API token.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from entrepot.cli.context import console, current_app
from entrepot.cli.language import words
from entrepot.cli.output import Column, JsonFlag, emit_rows
from entrepot.messages import N_, Np_

if TYPE_CHECKING:
    from entrepot.bootstrap.app import App

users_app = typer.Typer(help="Accounts, API tokens and licences.", no_args_is_help=True)
Email = Annotated[str, typer.Argument(help="The account's email")]


def _app(*, create: bool = False) -> App:
    """The App. ``users create`` brings the embedded catalog (SQLite: this installation's
    own) up to date; a read never makes a new, empty instance (a ``./var`` elsewhere).
    Accounts need no ML library, so none is loaded."""
    app = current_app()
    if create and app.settings.catalog.url.startswith("sqlite"):
        app.catalog.migrate()  # creates the folder of a new instance's catalog
    else:
        app.catalog.check_migrated()
    return app


@users_app.command("create")
def create(
    email: Email,
    admin: Annotated[
        bool, typer.Option("--admin", help="Make the account an administrator")
    ] = False,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Create an account (with a 14-day trial licence), prompting for its password."""

    def password() -> str:  # asked once the email is known to be one
        if password_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        t = words()
        return str(typer.prompt(t("cli.users.password"), hide_input=True, confirmation_prompt=True))

    user = _app(create=True).accounts.register(email, password, name=name, admin=admin)
    t = words()
    key = N_("cli.users.created_admin") if user.is_admin else N_("cli.users.created")
    console.print(t(key, email=user.email, id=user.id), markup=False)


@users_app.command("token")
def token(
    email: Email,
    name: Annotated[str, typer.Option(help="A name to recognise the token by")] = "cli",
    scope: Annotated[
        str, typer.Option(help="read, write or admin (admin: an administrator's only)")
    ] = "write",
    days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="Days it works (default: until revoked)")
    ] = None,
) -> None:
    """Print a new API token for the account (send it as 'Authorization: Bearer TOKEN')."""
    from datetime import timedelta

    accounts = _app().accounts
    user = accounts.by_email(email)
    lifetime = None if days is None else timedelta(days=days)
    _, value = accounts.create_token(user.id, name, expires_in=lifetime, scope=scope)
    print(value)


@users_app.command("list")
def list_users(
    query: Annotated[str, typer.Option("--query", "-q", help="Part of an email or name")] = "",
    as_json: JsonFlag = False,
) -> None:
    """List the accounts."""
    rows = [
        {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "admin": user.is_admin,
            "active": user.is_active,
            "created_at": user.created_at,
        }
        for user in _app().catalog.listings.users(query)
    ]
    columns = [Column(key) for key in ("id", "email", "name", "admin", "active")]
    columns.append(Column("created_at", N_("cli.column.created"), show=lambda t: f"{t:%Y-%m-%d}"))
    emit_rows(
        rows, columns, as_json=as_json, footer=words().plural(Np_("cli.users.count"), len(rows))
    )


@users_app.command("admin")
def set_admin(
    email: Email,
    revoke: Annotated[bool, typer.Option("--revoke", help="Remove the role instead")] = False,
) -> None:
    """Grant (or revoke) the administrator role."""
    from entrepot.accounts.records import OPERATOR

    app = _app()
    user = app.admin.set_admin(OPERATOR, app.accounts.by_email(email).id, not revoke)
    t = words()
    key = N_("cli.users.not_admin") if revoke else N_("cli.users.admin")
    console.print(t(key, email=user.email), markup=False)


@users_app.command("licence")
def grant_licence(
    email: Email,
    plan: Annotated[
        str, typer.Option(help="trial, basic, premium or enterprise (any case)")
    ] = "premium",
    days: Annotated[int | None, typer.Option(min=1, max=3650, help="Default: the plan's")] = None,
) -> None:
    """Create a licence key of ``plan`` and activate it for the account."""
    from entrepot.accounts.records import OPERATOR

    licence, user = _app().admin.grant_licence(OPERATOR, email, plan, days=days)
    t = words()
    until = f"{licence.expires_at:%Y-%m-%d}"
    console.print(t("cli.users.licence", key=licence.key, email=user.email, until=until))
