"""``entrepot fraud ...``: generate, analyse, train, match, score and evaluate.

A Typer sub-application, mounted by the main CLI. Errors are raised as
:class:`~entrepot.fraud.errors.FraudError` and turned into a message and an exit code by
the main CLI, in one place. Under ``entrepot``, models live in the composition root's
model registry (``train`` pushes there, ``score --model NAME[@VERSION]`` finds them) and
references in the library kept in it (``App.reference_library``); see
:mod:`entrepot.cli.fraud.sources`. With ``--out`` / ``--library`` / the ``fraud_library``
setting (``ENTREPOT_FRAUD_LIBRARY``), or run on its own, models and references are plain
folders (:class:`~entrepot.fraud.library.libraries.FolderLibrary`, default
``./fraud-references``).

The commands live by concept (``data_commands``, ``train_commands``, ``score_commands``);
this module holds the sub-application and registers them, in the order ``--help`` lists.
"""

from __future__ import annotations

import typer

from entrepot.cli.fraud.data_commands import analyze_command, domains_command, generate_command
from entrepot.cli.fraud.score_commands import evaluate_command, match_command, score_command
from entrepot.cli.fraud.train_commands import build_references_command, train_command

fraud_app = typer.Typer(
    name="fraud",
    help="Fraud AutoML: generate labelled data, analyse a table, train a model.",
    no_args_is_help=True,
)

fraud_app.command("domains")(domains_command)
fraud_app.command("generate")(generate_command)
fraud_app.command("analyze")(analyze_command)
fraud_app.command("train")(train_command)
fraud_app.command("build-references")(build_references_command)
fraud_app.command("match")(match_command)
fraud_app.command("score")(score_command)
fraud_app.command("evaluate")(evaluate_command)
