"""``entrepot models``: the model registry from the command line, each command a thin shell
over :class:`entrepot.registry.Registry` (``current_app(ctx).registry``).

The commands live by concept (``model_transfer``, ``model_listing``, ``model_upkeep``);
this module holds the group and registers them, in the order ``--help`` lists.
"""

from __future__ import annotations

import typer

from entrepot.cli.model_listing import latest, ls, references, show, versions
from entrepot.cli.model_transfer import export, presign, pull, push
from entrepot.cli.model_upkeep import alias, rm, verify
from entrepot.cli.owners import UserOption

models_app = typer.Typer(
    help="Versioned, verified models: push, pull, aliases, verification, MLflow export.",
    no_args_is_help=True,
)


@models_app.callback()
def _options(
    user: UserOption = None,
) -> None:
    """Declares the group's ``--user`` (read by :func:`user_option`)."""


models_app.command("push")(push)
models_app.command("pull")(pull)
models_app.command("ls")(ls)
models_app.command("versions")(versions)
models_app.command("show")(show)
models_app.command("latest")(latest)
models_app.command("alias")(alias)
models_app.command("rm")(rm)
models_app.command("presign")(presign)
models_app.command("verify")(verify)
models_app.command("references")(references)
models_app.command("export")(export)
