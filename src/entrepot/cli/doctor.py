"""``entrepot doctor``: a round trip through every configured part."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console, current_app
from entrepot.cli.language import words
from entrepot.cli.output import JsonFlag, print_json


def doctor(as_json: JsonFlag = False) -> None:
    """Check the store (put/get/list/delete), the database and the cache; exit 1 on failure."""
    checks = current_app().health.doctor()
    if as_json:
        print_json(
            [
                {"check": c.name, "ok": c.ok, "warning": c.warning, "detail": c.detail}
                for c in checks
            ]
        )
    else:
        t = words()
        table = Table(
            t("cli.column.check"), t("cli.column.status"), t("cli.column.detail"), box=None
        )
        for check in checks:
            status = (
                Text(t("cli.doctor.warn"), "yellow")
                if check.warning
                else Text(t("cli.doctor.ok"), "green")
                if check.ok
                else Text(t("cli.doctor.fail"), "red")
            )
            table.add_row(check.name, status, Text(check.detail))
        console.print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
