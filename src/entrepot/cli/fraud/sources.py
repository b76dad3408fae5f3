"""Where ``entrepot fraud`` finds models and reference libraries: the composition root's
model registry and the reference library kept in it, or folders named on the command
line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from entrepot.cli.context import given_app

if TYPE_CHECKING:
    from entrepot.bootstrap.local_fraud import LocalFraud

Library = Annotated[
    Path | None,
    typer.Option(
        "--library",
        help="Folder of the reference models (default: the fraud_library setting, "
        "ENTREPOT_FRAUD_LIBRARY, else the registry when the CLI has one, else "
        "./fraud-references)",
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="NAME, NAME@VERSION or NAME@ALIAS in the model registry, or a folder path "
        "with a / (./DIR) written by `train --out` or `score --save-ensemble`",
        show_default=False,
    ),
]


def local(ctx: typer.Context | None) -> LocalFraud:
    """The engine's file use cases over this command's App (its registry, an account's
    models, its reference library), or over folders for ``fraud`` run on its own."""
    from entrepot.bootstrap.local_fraud import local_fraud

    return local_fraud(given_app(ctx) if ctx is not None else None)
