"""``entrepot models import-tree DIR``: a folder of existing models into the registry as
reference models (a thin shell over :func:`entrepot.registry.import_tree.import_tree`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from entrepot.cli.context import console, current_app, progress_console
from entrepot.cli.language import words
from entrepot.cli.model_options import user_option
from entrepot.cli.value_words import IMPORT_RESULTS, value_words
from entrepot.cli.vouching import YesOption, confirm, resign
from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message, Np_

if TYPE_CHECKING:
    from entrepot.registry.records import ImportResult

#: Exit code when a folder was refused (bad input, as for InvalidModelFiles).
REFUSED = 65
#: Where ``entrepot models --user`` keeps its value (``cli/models.py``).

_STYLE = {"imported": "green", "would import": "cyan", "skipped": "yellow", "refused": "red"}
#: ``3 imported, 1 refused``: each result counted, in the reader's language.
_COUNTED = {
    "imported": Np_("cli.import_tree.imported"),
    "would import": Np_("cli.import_tree.would_import"),
    "skipped": Np_("cli.import_tree.skipped"),
    "refused": Np_("cli.import_tree.refused"),
}


def register(models_app: typer.Typer) -> None:
    """Add ``import-tree`` and ``resign`` to the ``entrepot models`` commands."""
    models_app.command("import-tree")(import_tree)
    models_app.command("resign")(resign)


def import_tree(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="The automl_models/ folder: one folder per model.")
    ],
    domain: Annotated[
        str, typer.Option(help="Domain of models whose metadata.json names none.")
    ] = "imported",
    untrusted: Annotated[
        bool,
        typer.Option(
            "--untrusted", help="Store folders with pickles unsigned (never loaded); else refuse."
        ),
    ] = False,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="You trust these pickles: sign them so they load (asks; recorded in the "
            "audit log and the manifests).",
        ),
    ] = False,
    yes: YesOption = False,
    activate: Annotated[
        bool,
        typer.Option("--activate", help="Offer the references to the fraud engine (no pickles)."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every folder; store nothing.")
    ] = False,
) -> None:
    """Import every model folder (model file, feature pipeline, performance.json,
    metadata.json) as a registry version with checksums and a reference model.

    Pickles from outside are refused: they would run code when loaded. --trust signs them
    on your word (asked on a terminal, --yes in a script; recorded in the audit log and
    each manifest); --untrusted stores them unsigned (kept and checksummed, never loaded).
    Exits 65 if a folder was refused.
    """
    if user_option(ctx) is not None:
        raise InvalidArgument(
            "reference models are shared: drop --user",
            said=Message(N_("error.cli.reference_models_shared")),
        )
    if trust and untrusted:
        raise InvalidArgument(
            "--trust and --untrusted contradict each other",
            hint="pass --trust to sign the pickles, or --untrusted to store them unsigned",
            said=Message(N_("error.cli.trust_and_untrusted")),
        )
    # a dry run stores nothing, so it vouches for nothing: no question asked
    vouch = (
        confirm(str(directory), "models import-tree --trust", yes=yes or dry_run) if trust else None
    )
    t = words()
    table = Table(t("cli.column.model"), t("cli.import_tree.result"), box=None)
    table.add_column(t("cli.column.detail"), overflow="fold")

    def show(result: ImportResult) -> None:
        style = _STYLE[result.status]
        name = result.name + (f"@{result.version}" if result.version else "")
        status = Text(value_words(IMPORT_RESULTS, result.status), style)
        table.add_row(escape(name), status, escape(result.detail))

    with progress_console.status(escape(t("cli.import_tree.importing", folder=directory))):
        results = current_app().operations.import_tree(
            directory,
            domain=domain,
            untrusted=untrusted,
            trusted_by=vouch,
            activate=activate,
            dry_run=dry_run,
            on_result=show,
        )
    console.print(table)
    counts = {s: sum(1 for r in results if r.status == s) for s in _STYLE}
    said = ", ".join(t.plural(_COUNTED[s], n) for s, n in counts.items() if n)
    console.print(said or t("cli.import_tree.none_found"), markup=False)
    if counts["refused"]:
        raise typer.Exit(REFUSED)
