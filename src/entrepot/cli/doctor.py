"""``entrepot doctor``: a round trip through every configured part."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console, current_app


def doctor() -> None:
    """Check the store (put/get/list/delete), the database and the cache; exit 1 on failure."""
    from entrepot.catalog.uow import session_factory
    from entrepot.config import detected_platform
    from entrepot.health import Check, check_database, check_folder, check_store
    from entrepot.relocation.doctor import check_locations

    app = current_app()
    checks = check_store(app.home_store)
    database = check_database(app.engine)
    checks.append(database)
    if database.ok:
        checks += check_locations(session_factory(app.engine), app.home_store.url)
    checks.append(check_folder("cache folder", app.settings.cache_dir))
    platform = detected_platform()
    if platform and not app.settings.store_is_remote:
        checks.append(
            Check(
                "store durability",
                True,
                f"running on {platform} with a local store: objects vanish with the container; "
                "set ENTREPOT_STORE_URL=s3://bucket/prefix",
                warning=True,
            )
        )
    table = Table("check", "status", "detail", box=None)
    for check in checks:
        status = (
            "[yellow]warn[/]" if check.warning else ("[green]ok[/]" if check.ok else "[red]FAIL[/]")
        )
        table.add_row(check.name, status, Text(check.detail))
    console.print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
