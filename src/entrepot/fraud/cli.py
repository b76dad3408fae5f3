"""``entrepot fraud ...``: generate, analyse and train from the command line.

A Typer sub-application, mounted by the main CLI. Errors are raised as
:class:`~entrepot.fraud.errors.FraudError` and turned into a message and an exit code by
the main CLI, in one place. Until the model registry exists, ``train`` writes the model
folder under ``--out``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

fraud_app = typer.Typer(
    name="fraud",
    help="Fraud AutoML: generate labelled data, analyse a table, train a model.",
    no_args_is_help=True,
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _console() -> Console:
    return Console()


@fraud_app.command("domains")
def domains_command() -> None:
    """List the domains the generator knows."""
    from entrepot.fraud.domains import domains

    table = Table("domain", "description", "fraud rate", "scenarios")
    for d in domains().values():
        table.add_row(d.name, d.title, f"{d.fraud_rate:.1%}", ", ".join(n for n, _ in d.scenarios))
    _console().print(table)


@fraud_app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .parquet or .xlsx")],
    domain: Annotated[str, typer.Option(help="See `entrepot fraud domains`")] = "card_payments",
    rows: Annotated[int, typer.Option(min=1)] = 10_000,
    fraud_rate: Annotated[
        float | None, typer.Option(min=0.0, max=0.5, help="Default: the domain's own")
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    lang: Annotated[str, typer.Option(help="Column names in 'en' or 'fr'")] = "en",
    canonical: Annotated[
        bool, typer.Option(help="Canonical names and types, nothing missing")
    ] = False,
) -> None:
    """Write realistic labelled transactions (deterministic by seed)."""
    from entrepot.fraud.generator import generate
    from entrepot.fraud.io import write_table

    if lang not in ("en", "fr"):
        raise typer.BadParameter("use 'en' or 'fr'", param_hint="--lang")
    data = generate(
        domain,
        rows,
        fraud_rate=fraud_rate,
        seed=seed,
        lang="fr" if lang == "fr" else "en",
        variety=not canonical,
    )
    write_table(data.frame, out, lang=lang)
    frauds = int(data.labels.sum())
    _console().print(
        f"wrote {out}: {rows} rows of {domain}, {frauds} frauds ({frauds / rows:.2%}), "
        f"label column [bold]{data.target}[/], timestamps as {data.time_format}"
    )


@fraud_app.command("analyze")
def analyze_command(
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or XLSX file")],
    target: Annotated[str | None, typer.Option(help="The label column, if known")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show each column's role, the detected label and its top candidates, the fraud rate."""
    from entrepot.fraud.analysis import analyze_file

    analysis = analyze_file(file, target=target)
    console = _console()
    if as_json:
        console.print_json(json.dumps(analysis.to_dict(), default=str))
        return
    columns = Table("column", "role", "type", "missing", "distinct", "why", title=str(file))
    for col in analysis.columns:
        role = f"{col.role} ({col.entity_kind})" if col.entity_kind else col.role
        columns.add_row(col.name, role, col.dtype, str(col.missing), str(col.distinct), col.reason)
    console.print(columns)
    candidates = Table("label candidate", "score", "fraud rate", "reasons")
    for cand in analysis.candidates:
        reasons = "; ".join(cand.reasons)
        candidates.add_row(cand.column, f"{cand.score:.2f}", f"{cand.fraud_rate:.2%}", reasons)
    if analysis.candidates:
        console.print(candidates)
    if analysis.labelled:
        rate = analysis.fraud_rate or 0.0
        console.print(
            f"{analysis.rows} rows, label [bold]{analysis.target}[/], "
            f"{analysis.frauds} frauds ({rate:.2%})"
        )
    else:
        console.print(f"{analysis.rows} rows, [yellow]no label found[/]: unlabelled data")
    for note in analysis.warnings:
        console.print(f"[yellow]note:[/] {note}")


@fraud_app.command("train")
def train_command(
    file: Annotated[Path, typer.Argument(help="Labelled CSV, Parquet or XLSX file")],
    name: Annotated[str, typer.Option(help="Model name (letters, digits, . _ -)")],
    out: Annotated[Path, typer.Option(help="Folder that receives NAME/")],
    target: Annotated[str | None, typer.Option(help="The label column")] = None,
    time_budget: Annotated[float, typer.Option(min=1.0, help="Seconds for model search")] = 60.0,
    cost_ratio: Annotated[
        float | None, typer.Option(min=0.0, help="Cost of a missed fraud / false alarm")
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    jobs: Annotated[int, typer.Option(min=1, help="Threads per model fit")] = 1,
) -> None:
    """Train a model and write model.joblib, performance.json and schema.json."""
    from entrepot.fraud.io import read_table
    from entrepot.fraud.training import train

    if not _NAME.match(name):
        raise typer.BadParameter("letters, digits, '.', '_' and '-' only", param_hint="--name")
    console = _console()
    frame = read_table(file)
    result = train(
        frame,
        target,
        time_budget=time_budget,
        cost_ratio=cost_ratio,
        seed=seed,
        n_jobs=jobs,
        progress=lambda message: console.print(f"[dim]{message}[/]"),
    )
    written = result.save(out / name)
    perf = result.performance
    trials = Table("model", "validation AUPRC", "seconds", "iterations", title="model search")
    for trial in perf["selection"]["trials"]:
        iterations = "" if trial["iterations"] is None else str(trial["iterations"])
        trials.add_row(
            trial["model"],
            f"{trial['validation_auprc']:.4f}",
            f"{trial['seconds']:.1f}",
            iterations,
        )
    console.print(trials)
    test = perf["test"]
    metrics = Table("test metric", "value", title=f"{name}: {perf['model']['kind']}")
    for key in ("auprc", "roc_auc", "precision", "recall", "f1", "brier", "threshold"):
        metrics.add_row(key, f"{test[key]:.4f}")
    metrics.add_row("precision@100", f"{test['precision_at_k'].get('100', float('nan')):.4f}")
    console.print(metrics)
    for note in perf["warnings"]:
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"saved to {written['model'].parent}")
