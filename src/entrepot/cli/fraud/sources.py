"""Where ``entrepot fraud`` finds models and reference libraries: the composition root's
model registry and the reference library kept in it, or folders named on the command
line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from entrepot.cli.context import given_app
from entrepot.cli.owners import owned_registry

Library = Annotated[
    Path | None,
    typer.Option(
        "--library",
        help="Folder of the reference models (default: the fraud_library setting, "
        "ENTREPOT_FRAUD_LIBRARY, else the registry when the CLI has one, else "
        "./fraud-references)",
    ),
]
DEFAULT_LIBRARY = Path("fraud-references")
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="NAME, NAME@VERSION or NAME@ALIAS in the model registry, or a folder path "
        "with a / (./DIR) written by `train --out` or `score --save-ensemble`",
        show_default=False,
    ),
]


def references(ctx: typer.Context, folder: Path | None) -> Any:
    """The folder library at ``folder`` if given, else the one the ``fraud_library``
    setting names, else the model registry's (under ``entrepot``), else the folder
    ``./fraud-references`` (``fraud`` run on its own)."""
    from entrepot.fraud.library.libraries import FolderLibrary

    if folder is not None:
        return FolderLibrary(folder)
    app = given_app(ctx)
    if app is None:
        from entrepot.config import load_settings

        return FolderLibrary(load_settings().fraud_library or DEFAULT_LIBRARY)
    configured = app.settings.fraud_library
    return FolderLibrary(configured) if configured is not None else app.reference_library


def registry(ctx: typer.Context, user: str | None = None) -> Any:
    """The composition root's model registry, or the models of the account ``user`` names
    (email or id); a :class:`FraudError` for ``fraud`` run on its own."""
    app = given_app(ctx)
    if app is None:
        from entrepot.fraud.errors import FraudError

        raise FraudError(
            "this command has no model registry to use",
            hint="run it as `entrepot fraud ...`, or give a folder (--out, --model DIR)",
        )
    return owned_registry(app, user)


def single_model(ctx: typer.Context, model: str, upload: Any, user: str | None = None) -> Any:
    """The one-member ensemble of ``model``: a registry model for a bare ``NAME[@VERSION]``
    (in ``user``'s models if given), a folder for a path (one with a ``/``, such as
    ``./NAME``), so that a folder that happens to bear a model's name never shadows it."""
    from entrepot.fraud.errors import FraudError
    from entrepot.fraud.score.assemble import from_folder
    from entrepot.fraud.score.registered import load_scorer

    if "/" not in model and "\\" not in model:  # a bare name is the registry's, always
        return load_scorer(registry(ctx, user), model, None, upload)
    path = Path(model)
    if not path.is_dir():
        raise FraudError(
            f"{model} is not a model folder",
            hint="give a folder written by `entrepot fraud train --out` or `score "
            "--save-ensemble`, or a registry model as NAME[@VERSION] (see `entrepot models ls`)",
        )
    return from_folder(path, upload)
