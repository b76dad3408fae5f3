"""``entrepot``: the command-line entrypoint.

Typer reads the signature of every command it mounts, which costs about a millisecond a
command; so a command line mounts only the command it names (and its module is imported
only then). ``entrepot``, ``--help`` or an unknown name mount them all, for the full help
and the "did you mean" of a typo.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from functools import cache
from typing import Annotated

import typer

from entrepot.cli.context import PROG
from entrepot.cli.runner import run_command
from entrepot.cli.verbosity import configure

HELP = (
    "Entrepôt: one verified object store (local folder or S3), a SQL catalog and a model "
    "registry.\n\nConfigure with ENTREPOT_* variables or a .env file (see `entrepot config "
    "show`); the defaults need no server: a folder ./var/store and a SQLite file."
)


def _print_version(value: bool) -> None:
    if value:
        import entrepot

        typer.echo(f"{PROG} {entrepot.__version__}")
        raise typer.Exit()


def _options_of(argv: list[str]) -> Callable[..., None]:
    """The options of every command, for the command line ``argv``."""

    def _global_options(
        version: Annotated[
            bool,
            typer.Option(
                "--version",
                is_eager=True,
                callback=_print_version,
                help="Print the version and exit.",
            ),
        ] = False,
        quiet: Annotated[
            bool,
            typer.Option(
                "--quiet", "-q", help="Print only results and errors: no progress, notes."
            ),
        ] = False,
        verbose: Annotated[
            bool, typer.Option("--verbose", "-v", help="Print debug logs on stderr.")
        ] = False,
    ) -> None:
        """Options of every command."""
        if quiet and verbose:
            raise typer.BadParameter("give -q or -v, not both", param_hint="'-q' / '-v'")
        configure(quiet=quiet, verbose=verbose)
        from entrepot.cli.remote.guard import refuse_locally_only

        refuse_locally_only(argv)  # on a deployed service, what needs local access

    return _global_options


def _files(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli import files

    files.register(app)


def _ops(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli import ops

    ops.register(app)


def _migrate(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli import migrate

    migrate.register(app)


def _serve(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli import serve

    serve.register(app)


def _users(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli.users import users_app

    app.add_typer(_only(users_app, command), name="users")


@cache
def _models_group() -> typer.Typer:
    from entrepot.cli import import_tree
    from entrepot.cli.models import models_app

    import_tree.register(models_app)  # once: the group is a module-level object
    return models_app


def _models(app: typer.Typer, command: str | None) -> None:
    app.add_typer(_only(_models_group(), command), name="models")


def _secrets(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli.secrets import secrets_app

    app.add_typer(_only(secrets_app, command), name="secrets")


def _account(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli.remote import account

    account.register(app)


def _datasets(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli.remote.listings import datasets_app

    app.add_typer(datasets_app, name="datasets")


def _predictions(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli.remote.listings import predictions_app

    app.add_typer(predictions_app, name="predictions")


def _fraud(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli.fraud.commands import fraud_app

    app.add_typer(_only(fraud_app, command), name="fraud")


def _city(app: typer.Typer, command: str | None) -> None:
    from entrepot.cli.city.commands import city_app

    app.add_typer(_only(city_app, command), name="city")


def _only(group: typer.Typer, command: str | None) -> typer.Typer:
    """``group`` holding only its ``command`` when it has one by that name (Typer reads the
    signature of every command a group holds); the whole group otherwise (help, a typo)."""
    chosen = [c for c in group.registered_commands if c.name == command]
    if not chosen:
        return group
    narrowed = copy.copy(group)
    narrowed.registered_commands = chosen
    return narrowed


#: Every top-level command and group, in the order of the help, with what mounts it.
MOUNTS: tuple[tuple[tuple[str, ...], Callable[[typer.Typer, str | None], None]], ...] = (
    (("ls", "du", "put", "get", "head", "rm", "presign"), _files),
    (("config", "cache", "db", "bucket", "doctor", "gc", "verify", "demo"), _ops),
    (("move", "migrate", "iam-policy"), _migrate),
    (("serve", "worker"), _serve),
    (("users",), _users),
    (("models",), _models),
    (("secrets",), _secrets),
    (("fraud",), _fraud),
    (("city",), _city),
    (("login", "logout", "whoami"), _account),
    (("datasets",), _datasets),
    (("predictions",), _predictions),
)


def build_app(argv: list[str] | None = None) -> typer.Typer:
    """The ``entrepot`` command with what ``argv`` needs mounted: the command it names, or
    every command when it names none that exists."""
    app = typer.Typer(
        name=PROG,
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode="rich",
    )
    app.callback()(_options_of(list(argv or ())))
    words = [arg for arg in argv or () if not arg.startswith("-")]
    named = words[0] if words else None
    command = words[1] if len(words) > 1 else None  # a group's command (or an argument)
    wanted = [mount for names, mount in MOUNTS if named in names]
    for mount in wanted or [mount for _, mount in MOUNTS]:
        mount(app, command if wanted else None)
    return app


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv``; return the exit code instead of exiting."""
    return run_command(build_app(argv), argv)


#: The commands whose process keeps its heap (ADR 0113): they score a table in parts,
#: each part's arrays made again where the last part's were.
KEEPS_HEAP = frozenset({("fraud", "score"), ("fraud", "evaluate")})


def run() -> None:
    """Console-script entry point: the process's memory policy set (ADRs 0108, 0113),
    then the command line run."""
    from entrepot.bootstrap import memory_policy

    memory_policy.apply(keep_heap=keeps_heap(sys.argv[1:]))
    sys.exit(main(sys.argv[1:]))


def keeps_heap(argv: list[str]) -> bool:
    """Whether the command line runs one of :data:`KEEPS_HEAP` (the options before the
    command take no value)."""
    return tuple([word for word in argv if not word.startswith("-")][:2]) in KEEPS_HEAP
