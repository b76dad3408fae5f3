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
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from entrepot.cli.context import console, note, progress_console
from entrepot.cli.format import finite
from entrepot.cli.fraud.sources import Library, ModelOption, local
from entrepot.cli.output import JsonFlag, print_json
from entrepot.cli.owners import UserOption
from entrepot.cli.remote.target import Remote, process_remote

fraud_app = typer.Typer(
    name="fraud",
    help="Fraud AutoML: generate labelled data, analyse a table, train a model.",
    no_args_is_help=True,
)


def _console() -> Console:
    return console  # results on stdout, unbounded on a pipe


@fraud_app.command("domains")
def domains_command(as_json: JsonFlag = False) -> None:
    """List the domains the generator knows."""
    found = local(None).domains()
    if as_json:
        print_json(
            [
                {
                    "domain": d.name,
                    "description": d.title,
                    "fraud_rate": d.fraud_rate,
                    "scenarios": [{"name": n, "share": share} for n, share in d.scenarios],
                }
                for d in found
            ]
        )
        return
    table = Table("domain", "description", "fraud rate", "scenarios")
    for d in found:
        table.add_row(d.name, d.title, f"{d.fraud_rate:.1%}", ", ".join(n for n, _ in d.scenarios))
    _console().print(table)


@fraud_app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .parquet or .xlsx")],
    domain: Annotated[str, typer.Option(help="See `entrepot fraud domains`")] = "card_payments",
    rows: Annotated[int, typer.Option(min=1)] = 10_000,
    fraud_rate: Annotated[
        float | None,
        typer.Option(min=0.0, max=0.5, callback=finite, help="Default: the domain's own"),
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    lang: Annotated[str, typer.Option(help="Column names in 'en' or 'fr'")] = "en",
    canonical: Annotated[
        bool, typer.Option(help="Canonical names and types, nothing missing")
    ] = False,
) -> None:
    """Write realistic labelled transactions (deterministic by seed)."""
    if lang not in ("en", "fr"):
        raise typer.BadParameter("use 'en' or 'fr'", param_hint="--lang")
    made = local(None).generate(
        out,
        domain=domain,
        rows=rows,
        fraud_rate=fraud_rate,
        seed=seed,
        lang="fr" if lang == "fr" else "en",
        variety=not canonical,
    )
    _console().print(
        f"wrote {made.path}: {made.rows} rows of {made.domain}, {made.frauds} frauds "
        f"({made.frauds / made.rows:.2%}), label column [bold]{made.target}[/], timestamps "
        f"as {made.time_format}"
    )


@fraud_app.command("analyze")
def analyze_command(
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or XLSX file")],
    target: Annotated[str | None, typer.Option(help="The label column, if known")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show each column's role, the detected label and its top candidates, the fraud rate."""
    from entrepot.i18n.messages import speaker

    analysis = local(None).analyze(file, target=target)
    console = _console()
    if as_json:
        console.print_json(json.dumps(analysis.to_dict(), default=str))
        return
    columns = Table("column", "role", "type", "missing", "distinct", "why", title=str(file))
    said = speaker("en")
    for col in analysis.columns:
        role = said.role(col.role, col.entity_kind)
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
    for warning in analysis.warnings:
        console.print(f"[yellow]note:[/] {warning}")


@fraud_app.command("train")
def train_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Labelled CSV, Parquet or XLSX file")],
    name: Annotated[str, typer.Option(help="Model name (letters, digits, . _ -)")],
    out: Annotated[
        Path | None,
        typer.Option(help="Write the model to OUT/NAME/ instead of the model registry"),
    ] = None,
    target: Annotated[str | None, typer.Option(help="The label column")] = None,
    time_budget: Annotated[
        float, typer.Option(min=1.0, callback=finite, help="Seconds for model search")
    ] = 60.0,
    cost_ratio: Annotated[
        float | None,
        typer.Option(min=0.0, callback=finite, help="Cost of a missed fraud / false alarm"),
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    jobs: Annotated[int, typer.Option(min=1, help="Threads per model fit")] = 1,
    user: UserOption = None,
    label_delay_days: Annotated[
        int,
        typer.Option(
            min=0,
            max=365,
            help="Days after a transaction its label is known: features read older labels "
            "only, and the test period starts that long after the rows that fit",
        ),
    ] = 7,
    keep_column: Annotated[
        list[str] | None,
        typer.Option(
            "--keep-column",
            help="Keep this input even if it alone separates the label (a suspected leak); "
            "repeat for several",
        ),
    ] = None,
    cards_per_day: Annotated[
        int,
        typer.Option(min=1, help="Cards the analysts review a day (card precision@k per day)"),
    ] = 100,
) -> None:
    """Train a model on a labelled file and push it to the model registry as a new
    version of NAME (model.joblib signed, performance.json, schema.json; the file's sha256
    as lineage); with --user, into that account's models, as if trained in the web
    service. Score with it: `entrepot fraud score FILE OUT --model NAME`."""
    from entrepot.cli.fraud.account_training import check_model_name, train_for_account
    from entrepot.cli.fraud.render import print_card
    from entrepot.fraud_service.job_payloads import SearchOptions

    check_model_name(name)
    if (remote := process_remote()) is not None:
        from entrepot.cli.fraud.account_training import print_account_model
        from entrepot.cli.remote import fraud as remote_fraud

        remote_fraud.refuse_options(
            "train", _given(ctx, "out", "time_budget", "cost_ratio", "seed", "jobs")
        )
        result, email = remote_fraud.train(
            remote,
            file,
            name,
            target=target,
            evaluation={
                "label_delay_days": label_delay_days,
                "keep_columns": tuple(keep_column or ()),
                "cards_per_day": cards_per_day,
            },
        )
        print_account_model(
            _console(),
            name,
            result,
            email,
            f"`entrepot fraud score FILE OUT --model {result.get('model_name', name)}`",
        )
        return
    if user is not None and out is None:
        train_for_account(
            ctx,
            file,
            name,
            user,
            target,
            SearchOptions(time_budget, cost_ratio=cost_ratio, seed=seed, n_jobs=jobs),
            {
                "label_delay_days": label_delay_days,
                "keep_columns": tuple(keep_column or ()),
                "cards_per_day": cards_per_day,
            },
        )
        return
    from entrepot.cli.progress import bar
    from entrepot.i18n.messages import english

    console = _console()
    with bar(progress_console, "training") as on_progress:
        trained = local(ctx).train(
            file,
            name,
            out=out,
            target=target,
            time_budget=time_budget,
            cost_ratio=cost_ratio,
            seed=seed,
            jobs=jobs,
            user=user,
            progress=lambda message: note(english(message)),
            on_progress=on_progress,
            label_delay_days=label_delay_days,
            keep_columns=tuple(keep_column or ()),
            cards_per_day=cards_per_day,
        )
    perf = trained.result.performance
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
    print_card(console, perf.get("card"))
    for warning in perf["warnings"]:
        console.print(f"[yellow]note:[/] {warning}")
    if trained.version is None:
        console.print(f"saved to {trained.folder}")
        return
    version = trained.version
    console.print(
        f"registered [bold]{version.name}@{version.version}[/]: "
        f"`entrepot fraud score FILE OUT --model {version.name}`"
    )


@fraud_app.command("build-references")
def build_references_command(
    ctx: typer.Context,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Folder of the reference models (default: as for --library)",
        ),
    ] = None,
    count: Annotated[int, typer.Option(min=1, max=500)] = 40,
    rows: Annotated[
        int, typer.Option(min=2000, max=400_000, help="Rows per reference dataset, at least")
    ] = 20_000,
    min_frauds: Annotated[
        int,
        typer.Option(
            min=100, max=60_000, help="Frauds per reference dataset, at least (more rows)"
        ),
    ] = 400,
    time_budget: Annotated[
        float,
        typer.Option(min=1.0, callback=finite, help="Seconds each, generating its data included"),
    ] = 9.0,
    seed: Annotated[int, typer.Option()] = 0,
    jobs: Annotated[int, typer.Option(min=1, help="Threads per model fit")] = 1,
) -> None:
    """Generate the reference datasets and train one model each; skips those present."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if TYPE_CHECKING:
        from entrepot.fraud.library.build import ReferenceSpec

    console = _console()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("reference models", total=count)

        def step(spec: ReferenceSpec, state: str) -> None:
            if state == "training":
                progress.update(task, description=f"training {spec.name}")
            else:
                progress.advance(task)

        report = local(ctx).build_references(
            into,
            count=count,
            rows=rows,
            min_frauds=min_frauds,
            time_budget=time_budget,
            seed=seed,
            jobs=jobs,
            progress=step,
        )
    console.print(
        f"{len(report.built)} reference models built, {len(report.skipped)} already present, "
        f"in {report.seconds:.0f} s"
    )


@fraud_app.command("match")
def match_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or XLSX file")],
    library: Library = None,
    top: Annotated[int, typer.Option(min=1, max=10)] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Find the reference models whose inputs the file's columns can feed."""
    from entrepot.cli.fraud.render import print_match

    fraud = local(ctx)
    result = fraud.match(file, library=library, top=top)
    console = _console()
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
    elif result.candidates:
        print_match(console, result)
    if not result.candidates:
        raise fraud.refusal(result, file)


@fraud_app.command("score")
def score_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or XLSX file to score")],
    out: Annotated[Path, typer.Argument(help="Output file: .csv, .parquet or .xlsx")],
    model: ModelOption = None,
    ensemble: Annotated[
        bool, typer.Option("--ensemble", help="Use the best matching reference models")
    ] = False,
    library: Library = None,
    save_ensemble: Annotated[
        Path | None, typer.Option(help="Save the ensemble here, to score again with --model")
    ] = None,
    explain: Annotated[bool, typer.Option(help="Explain rows at medium risk or above")] = True,
    threads: Annotated[int, typer.Option(min=1, help="Prediction threads (free cores)")] = 1,
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    history: Annotated[
        Path | None,
        typer.Option(
            help="A labelled file of earlier transactions (same columns): its labels feed "
            "the terminals' recent fraud rates"
        ),
    ] = None,
    late_labels: Annotated[
        str | None,
        typer.Option(
            help="The column of FILE holding the labels confirmed so far (empty: not known "
            "yet); each row reads those older than the label delay"
        ),
    ] = None,
) -> None:
    """Score every row: probability, prediction, risk level, anomaly score, explanation;
    precision and recall at the threshold estimated from the probabilities, and the
    realised ones beside them when labels are known."""
    from entrepot.cli.fraud.render import (
        print_ensemble,
        print_estimate,
        print_known_labels,
        print_scores,
        print_trust,
    )

    console = _console()
    if (remote := process_remote()) is not None:
        _score_remotely(ctx, remote, file, out, _choice(model, ensemble, None, None), as_json)
        return
    scored = local(ctx).score(
        file,
        out,
        **_choice(model, ensemble, library, user),
        save_ensemble=save_ensemble,
        explain=explain,
        threads=threads,
        history=history,
        late_labels=late_labels,
    )
    if as_json:
        found = {
            "out": str(scored.out),
            "rows": len(scored.scores),
            "flagged": int(scored.scores["prediction"].sum()),
            "threshold": scored.ensemble.threshold,
            "saved_ensemble": None if scored.saved_ensemble is None else str(scored.saved_ensemble),
            "estimate": scored.estimate,
            "known_labels": scored.known_labels,
            "trust": scored.trust,
        }
        console.print_json(json.dumps(found))
        return
    summary = scored.summary or {}
    print_ensemble(console, summary.get("members", []))
    print_known_labels(console, scored.known_labels)
    print_scores(console, summary)
    print_trust(console, scored.trust)
    print_estimate(console, scored.estimate)
    if scored.saved_ensemble is not None:
        console.print(f"ensemble saved to {scored.saved_ensemble}")
    console.print(f"wrote {scored.out}")


@fraud_app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Labelled CSV, Parquet or XLSX file")],
    model: ModelOption = None,
    ensemble: Annotated[
        bool, typer.Option("--ensemble", help="Evaluate the best matching reference models")
    ] = False,
    library: Library = None,
    target: Annotated[str | None, typer.Option(help="The label column")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    user: UserOption = None,
) -> None:
    """Score a labelled file and measure the scores against its labels."""
    from entrepot.cli.fraud.render import print_evaluation

    if (remote := process_remote()) is not None:
        from entrepot.cli.remote import fraud as remote_fraud

        remote_fraud.refuse_options("evaluate", _given(ctx, "library"))
        chosen = _choice(model, ensemble, None, None)["model"]
        found = remote_fraud.evaluate(remote, file, chosen, target)
    else:
        found = local(ctx).evaluate(file, **_choice(model, ensemble, library, user), target=target)
    console = _console()
    if as_json:
        console.print_json(json.dumps(found, default=str))
    else:
        print_evaluation(console, found)


def _score_remotely(
    ctx: typer.Context,
    remote: Remote,
    file: Path,
    out: Path,
    choice: dict[str, Any],
    as_json: bool,
) -> None:
    """``fraud score`` on the deployed service this command line works on: with
    ``--model`` one of the account's models, with ``--ensemble`` the service's references."""
    from entrepot.cli.remote import fraud as remote_fraud

    unsupported = ("library", "save_ensemble", "explain", "threads", "history", "late_labels")
    remote_fraud.refuse_options("score", _given(ctx, *unsupported))
    record = remote_fraud.score(remote, file, out, choice["model"])
    console = _console()
    if as_json:
        console.print_json(json.dumps(remote_fraud.remote_scores_json(record, out)))
        return
    remote_fraud.print_remote_scores(console, record, out)


def _given(ctx: typer.Context, *names: str) -> list[str]:
    """The options among ``names`` the command line gave (not left to their default)."""
    given = []
    for param in ctx.command.params:
        if param.name not in names:
            continue
        source = ctx.get_parameter_source(param.name)
        if source is not None and source.name != "DEFAULT":
            given.append(param.opts[0] if param.opts else str(param.name))
    return given


def _choice(
    model: str | None, ensemble: bool, library: Path | None, user: str | None
) -> dict[str, Any]:
    """What scores the file, as the options give it: --model or --ensemble, not both."""
    if (model is None) == (not ensemble):
        raise typer.BadParameter(
            "give either --model NAME[@VERSION] (or a folder) or --ensemble", param_hint="--model"
        )
    return {"model": model, "ensemble": ensemble, "library": library, "user": user}
