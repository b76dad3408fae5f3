"""``entrepot login URL``, ``entrepot logout``, ``entrepot whoami``: which service this
command line works on, and as whom."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Any

import typer

from entrepot.cli.context import console
from entrepot.cli.language import words
from entrepot.cli.output import JsonFlag, print_json
from entrepot.cli.remote.client import Client
from entrepot.cli.remote.login_file import Login, forget_login, login_path, save_login
from entrepot.cli.remote.target import Remote, process_remote, service_url
from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message, Np_


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
    t = words()
    console.print(t("cli.login.done", url=base, email=_email(me), path=path), markup=False)


def logout() -> None:
    """Forget the kept login: commands work on the local instance again (unless
    ENTREPOT_URL is set). The token itself stays valid until it is revoked."""
    path, t = login_path(), words()
    if forget_login(path):
        console.print(t("cli.login.out", path=path), markup=False)
    else:
        console.print(t("cli.login.nothing_to_forget"), markup=False)


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
    t = words()
    role = t("cli.whoami.administrator") if user.get("is_admin") else t("cli.whoami.user")
    said = t("cli.whoami.who", email=_email(me), role=role, id=user.get("id"), url=remote.url)
    console.print(said, markup=False)
    if licence:
        state = t("cli.whoami.active") if licence.get("active") else t("cli.whoami.not_active")
        days = licence.get("days_left")
        left = t.plural(Np_("cli.whoami.days_left"), days) if isinstance(days, int) else "-"
        plan = licence.get("plan") or "-"
        console.print(t("cli.whoami.licence", plan=plan, state=state, left=left), markup=False)
    console.print(t("cli.whoami.login_from", source=remote.source), markup=False)


def _local(as_json: bool) -> None:
    from entrepot.config import load_settings
    from entrepot.masking import mask_url

    settings = load_settings()
    store, catalog = mask_url(settings.store.url), mask_url(settings.catalog.url)
    if as_json:
        print_json({"url": None, "store_url": store, "database_url": catalog})
        return
    t = words()
    console.print(t("cli.whoami.local", store=store, catalog=catalog), markup=False)
    console.print(t("cli.whoami.login_instead"), markup=False)


def _email(me: Any) -> str:
    user = me.get("user") if isinstance(me, dict) else None
    return str(user.get("email")) if isinstance(user, dict) else "?"
