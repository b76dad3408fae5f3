"""What the ``entrepot fraud`` commands share: where results print, which options the
command line gave, and what scores a file (``--model`` or ``--ensemble``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from entrepot.cli.context import console


def results_console() -> Console:
    return console  # results on stdout, unbounded on a pipe


def given_options(ctx: typer.Context, *names: str) -> list[str]:
    """The options among ``names`` the command line gave (not left to their default)."""
    given = []
    for param in ctx.command.params:
        if param.name not in names:
            continue
        source = ctx.get_parameter_source(param.name)
        if source is not None and source.name != "DEFAULT":
            given.append(param.opts[0] if param.opts else str(param.name))
    return given


def scoring_choice(
    model: str | None, ensemble: bool, library: Path | None, user: str | None
) -> dict[str, Any]:
    """What scores the file, as the options give it: --model or --ensemble, not both."""
    if (model is None) == (not ensemble):
        raise typer.BadParameter(
            "give either --model NAME[@VERSION] (or a folder) or --ensemble", param_hint="--model"
        )
    return {"model": model, "ensemble": ensemble, "library": library, "user": user}


#: ``--time-column``: the date that orders the rows (else the event's date, guessed).
TimeColumnOption = Annotated[
    str | None,
    typer.Option(
        "--time-column",
        help="The date column that orders the rows in time (else the event's date is "
        "guessed: an incident's or a transaction's date before a contract's start)",
    ),
]
#: ``--entity-column``: a customer or counterparty key, repeatable.
EntityColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--entity-column",
        help="A customer or counterparty key column (behaviour features per value); "
        "repeat for several",
    ),
]
#: ``--sheet``: a workbook's sheet to read (else the one holding the table).
SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="The workbook's sheet to read: its name or its number from 1 (default: the "
        "sheet holding a label and the most rows)",
        show_default=False,
    ),
]
