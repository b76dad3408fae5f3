"""``entrepot fraud match|score|evaluate``: the reference models a file can use, a file
scored (here or on the remote service), and scores measured against labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from entrepot.bootstrap.worker_count import MAX_WORKERS
from entrepot.cli.fraud.command_options import (
    SheetOption,
    given_options,
    results_console,
    scoring_choice,
)
from entrepot.cli.fraud.sources import Library, ModelOption, local
from entrepot.cli.language import words
from entrepot.cli.owners import UserOption
from entrepot.cli.remote.target import Remote, process_remote


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
    console = results_console()
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
    elif result.candidates:
        print_match(console, result)
    if not result.candidates:
        raise fraud.refusal(result, file)


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
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_WORKERS,
            help="Spread the rows over this many workers, cut by entity (the scheduler of "
            "ENTREPOT_DASK_URL, else local processes): the same scores",
        ),
    ] = 1,
    sheet: SheetOption = None,
) -> None:
    """Score every row: probability, prediction, risk level, anomaly score, explanation;
    precision and recall at the threshold estimated from the probabilities, and the
    realised ones beside them when labels are known."""
    from entrepot.cli.fraud.render import (
        print_ensemble,
        print_estimate,
        print_expected,
        print_known_labels,
        print_scores,
        print_sheet,
        print_spread,
        print_trust,
    )

    console = results_console()
    if (remote := process_remote()) is not None:
        choice = scoring_choice(model, ensemble, None, None)
        _score_remotely(ctx, remote, file, out, choice, as_json, (history, sheet))
        return
    scored = local(ctx).score(
        file,
        out,
        **scoring_choice(model, ensemble, library, user),
        save_ensemble=save_ensemble,
        explain=explain,
        threads=threads,
        history=history,
        late_labels=late_labels,
        workers=workers,
        sheet=sheet,
    )
    if as_json:
        found = {
            "out": str(scored.out),
            "rows": len(scored.scores),
            "flagged": (scored.summary or {}).get("flagged"),
            "threshold": scored.ensemble.threshold,
            "saved_ensemble": None if scored.saved_ensemble is None else str(scored.saved_ensemble),
            "estimate": scored.estimate,
            "expected": (scored.summary or {}).get("expected"),
            "known_labels": scored.known_labels,
            "trust": scored.trust,
            "spread": scored.spread,
            **scored.sheet,
        }
        console.print_json(json.dumps(found))
        return
    summary = scored.summary or {}
    print_sheet(console, scored.sheet)
    print_ensemble(console, summary.get("members", []))
    print_known_labels(console, scored.known_labels)
    print_scores(console, summary)
    print_trust(console, scored.trust)
    print_estimate(console, scored.estimate)
    print_expected(console, summary.get("expected"))
    print_spread(console, scored.spread)
    t = words()
    if scored.saved_ensemble is not None:
        console.print(t("cli.score.ensemble_saved", folder=scored.saved_ensemble), markup=False)
    console.print(t("cli.score.wrote", out=scored.out), markup=False)


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
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_WORKERS,
            help="Score over this many workers, cut by entity: the same figures",
        ),
    ] = 1,
    sheet: SheetOption = None,
) -> None:
    """Score a labelled file and measure the scores against its labels."""
    from entrepot.cli.fraud.render import print_evaluation, print_sheet

    if (remote := process_remote()) is not None:
        from entrepot.cli.remote import fraud as remote_fraud

        remote_fraud.refuse_options("evaluate", given_options(ctx, "library", "workers"))
        chosen = scoring_choice(model, ensemble, None, None)["model"]
        found = remote_fraud.evaluate(remote, file, chosen, target, sheet=sheet)
    else:
        found = local(ctx).evaluate(
            file,
            **scoring_choice(model, ensemble, library, user),
            target=target,
            workers=workers,
            sheet=sheet,
        )
    console = results_console()
    if as_json:
        console.print_json(json.dumps(found, default=str))
    else:
        print_sheet(console, found)
        print_evaluation(console, found)


def _score_remotely(
    ctx: typer.Context,
    remote: Remote,
    file: Path,
    out: Path,
    choice: dict[str, Any],
    as_json: bool,
    read: tuple[Path | None, str | None],
) -> None:
    """``fraud score`` on the deployed service this command line works on: with
    ``--model`` one of the account's models, with ``--ensemble`` the service's references
    (weighed on ``--history`` when given); ``read``: the history and the file's sheet."""
    from entrepot.cli.remote import fraud as remote_fraud

    unsupported = ("library", "save_ensemble", "explain", "threads", "late_labels", "workers")
    remote_fraud.refuse_options("score", given_options(ctx, *unsupported))
    history, sheet = read
    record = remote_fraud.score(remote, file, out, choice["model"], history=history, sheet=sheet)
    console = results_console()
    if as_json:
        console.print_json(json.dumps(remote_fraud.remote_scores_json(record, out)))
        return
    remote_fraud.print_remote_scores(console, record, out)
