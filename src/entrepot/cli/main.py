"""``entrepot``: the command-line entrypoint."""

from __future__ import annotations

import sys

import typer

from entrepot.cli import files, import_tree, migrate, ops
from entrepot.cli import serve as serve_commands
from entrepot.cli.city.commands import city_app
from entrepot.cli.context import PROG
from entrepot.cli.fraud.commands import fraud_app
from entrepot.cli.models import models_app
from entrepot.cli.runner import run_command
from entrepot.cli.users import users_app

app = typer.Typer(
    name=PROG,
    help=(
        "Entrepôt: one verified object store (local folder or S3), a SQL catalog and a model "
        "registry.\n\nConfigure with ENTREPOT_* variables or a .env file (see `entrepot config "
        "show`); the defaults need no server: a folder ./var/store and a SQLite file."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
files.register(app)
ops.register(app)
migrate.register(app)
import_tree.register(models_app)
serve_commands.register(app)
app.add_typer(users_app, name="users")
app.add_typer(models_app, name="models")
app.add_typer(fraud_app, name="fraud")
app.add_typer(city_app, name="city")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv``; return the exit code instead of exiting."""
    return run_command(app, argv)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))
