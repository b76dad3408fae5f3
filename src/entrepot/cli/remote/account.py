"""``entrepot login URL``, ``entrepot logout``, ``entrepot whoami``: which service this
command line works on, and as whom."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Any

import typer

from entrepot.cli.context import console
from entrepot.cli.output import JsonFlag, print_json
from entrepot.cli.remote.client import Client
from entrepot.cli.remote.login_file import Login, forget_login, login_path, save_login
from entrepot.cli.remote.target import Remote, process_remote, service_url
from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message


def register(app: typer.Typer) -> None:
    """Add ``login``, ``logout`` and ``whoami`` to ``app``."""
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("whoami")(whoami)


def login(
    url: Annotated[
        str, typer.Argument(help="The service's address, e.g. https://entrepot.example.org")
    ],
    token_stdin: Annotated[
        bool, typer.Option("--token-stdin", help="Read the API token from standard input.")
    ] = False,
) -> None:
    """Work on a deployed service: check an API token (`entrepot users token EMAIL` on the
    service mints one) and keep it in your configuration folder (mode 0600)."""
    base = service_url(url)
    if token_stdin:
        token = sys.stdin.readline().strip()
    else:
        token = getpass.getpass(f"API token for {base}: ").strip()
    if not token:
        raise InvalidArgument(
            "no token was given",
            hint="paste the token `entrepot users token EMAIL` printed",
            said=Message(N_("error.cli.no_token")),
        )
    path = login_path()
    with Client(Remote(base, token, str(path))) as client:
        me = client.get_json("/api/me")
    save_login(path, Login(base, token))
    console.print(
        f"logged in to {base} as {_email(me)} (the token is kept in {path})", markup=False
    )


def logout() -> None:
    """Forget the kept login: commands work on the local instance again (unless
    ENTREPOT_URL is set). The token itself stays valid until it is revoked."""
    path = login_path()
    if forget_login(path):
        console.print(f"logged out: {path} removed", markup=False)
    else:
        console.print("not logged in: nothing to forget", markup=False)


def whoami(as_json: JsonFlag = False) -> None:
    """Say which instance this command line works on, and as whom."""
    remote = process_remote()
    if remote is None:
        _local(as_json)
        return
    with Client(remote) as client:
        me = client.get_json("/api/me")
    user = me.get("user", {}) if isinstance(me, dict) else {}
    licence = me.get("licence", {}) if isinstance(me, dict) else {}
    if as_json:
        print_json({"url": remote.url, "source": remote.source, "user": user, "licence": licence})
        return
    role = "administrator" if user.get("is_admin") else "user"
    console.print(f"{_email(me)} ({role}, id {user.get('id')}) on {remote.url}", markup=False)
    if licence:
        state = "active" if licence.get("active") else "not active"
        days = licence.get("days_left")
        console.print(
            f"licence: {licence.get('plan') or '-'}, {state}, {days} day(s) left",
            markup=False,
        )
    console.print(f"login from {remote.source}", markup=False)


def _local(as_json: bool) -> None:
    from entrepot.config import load_settings
    from entrepot.masking import mask_url

    settings = load_settings()
    store, catalog = mask_url(settings.store.url), mask_url(settings.catalog.url)
    if as_json:
        print_json({"url": None, "store_url": store, "database_url": catalog})
        return
    console.print(
        f"not logged in: commands work on the local instance (store {store}, catalog {catalog})",
        markup=False,
    )
    console.print("`entrepot login URL` works on a deployed service instead", markup=False)


def _email(me: Any) -> str:
    user = me.get("user") if isinstance(me, dict) else None
    return str(user.get("email")) if isinstance(user, dict) else "?"
