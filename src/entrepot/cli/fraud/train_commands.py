"""``entrepot fraud train|build-references``: a model trained on a labelled file (into the
registry, a folder, an account or a remote service), and the reference models built."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from entrepot.bootstrap.worker_count import MAX_WORKERS
from entrepot.cli.context import note, progress_console
from entrepot.cli.format import finite
from entrepot.cli.fraud.command_options import (
    EntityColumnOption,
    SheetOption,
    TimeColumnOption,
    given_options,
    results_console,
)
from entrepot.cli.fraud.sources import local
from entrepot.cli.owners import UserOption
from entrepot.cli.remote.target import process_remote
from entrepot.messages import N_, Message, Np_, Word


def train_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Labelled CSV, Parquet or XLSX file")],
    name: Annotated[str, typer.Option(help="Model name (letters, digits, . _ -)")],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write the model into the folder OUT (signed; score it with --model OUT) "
            "instead of the model registry"
        ),
    ] = None,
    target: Annotated[str | None, typer.Option(help="The label column")] = None,
    time_budget: Annotated[
        float | None,
        typer.Option(
            min=1.0,
            callback=finite,
            help="Seconds for model search [default: the training_budget setting, 60]",
            show_default=False,
        ),
    ] = None,
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
    time_column: TimeColumnOption = None,
    entity_column: EntityColumnOption = None,
    sheet: SheetOption = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_WORKERS,
            help="Run the model search's trials over this many workers, one a worker (the "
            "scheduler of ENTREPOT_DASK_URL, else local processes): with "
            "ENTREPOT_TRAINING_CLOCK=steps, the same model",
        ),
    ] = 1,
    data_parallel: Annotated[
        bool,
        typer.Option(
            "--data-parallel",
            help="Fit LightGBM's defaults over the --workers (lightgbm.dask) instead of the "
            "search, for a cluster of machines: approximate, and the card says so",
        ),
    ] = False,
) -> None:
    """Train a model on a labelled file and push it to the model registry as a new
    version of NAME (model.joblib signed, performance.json, schema.json; the file's sha256
    as lineage); with --user, into that account's models, as if trained in the web
    service. Score with it: `entrepot fraud score FILE OUT --model NAME`."""
    from entrepot.cli.fraud.account_training import check_model_name, train_for_account
    from entrepot.cli.fraud.render import print_sheet
    from entrepot.cli.fraud.training_view import print_training
    from entrepot.cli.language import words
    from entrepot.fraud_service.job_payloads import SearchOptions

    check_model_name(name)
    if (remote := process_remote()) is not None:
        from entrepot.cli.fraud.account_training import print_account_model
        from entrepot.cli.remote import fraud as remote_fraud

        remote_fraud.refuse_options(
            "train",
            given_options(
                ctx, "out", "time_budget", "cost_ratio", "seed", "jobs", "workers", "data_parallel"
            ),
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
                "time_column": time_column,
                "entity_columns": tuple(entity_column or ()),
            },
            sheet=sheet,
        )
        print_account_model(
            results_console(),
            name,
            result,
            email,
            f"`entrepot fraud score FILE OUT --model {result.get('model_name', name)}`",
        )
        return
    if time_budget is None:
        time_budget = local(ctx).settings().training_budget
    if user is not None and out is None:
        _refuse_workers_for_account(workers, data_parallel)
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
                "time_column": time_column,
                "entity_columns": tuple(entity_column or ()),
            },
            sheet,
        )
        return
    from entrepot.cli.language import in_words
    from entrepot.cli.progress import bar

    console = results_console()
    with bar(progress_console, words()(N_("cli.bar.training"))) as on_progress:
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
            progress=lambda message: note(in_words(message)),
            on_progress=on_progress,
            label_delay_days=label_delay_days,
            keep_columns=tuple(keep_column or ()),
            cards_per_day=cards_per_day,
            time_column=time_column,
            entity_columns=tuple(entity_column or ()),
            sheet=sheet,
            workers=workers,
            data_parallel=data_parallel,
        )
    print_sheet(console, trained.sheet)
    facts = trained.facts
    t = words()
    if trained.version is None:
        print_training(console, facts, name, t("cli.train.saved", folder=trained.folder))
        return
    model = f"{trained.version.name}@{trained.version.version}"
    next_step = f"`entrepot fraud score FILE OUT --model {trained.version.name}`"
    print_training(console, facts, model, t("cli.train.registered", model=model, next=next_step))


def _refuse_workers_for_account(workers: int, data_parallel: bool = False) -> None:
    """``--user`` trains as the service does, over the scheduler the service is set to use
    (``ENTREPOT_DASK_URL``): ``--workers`` and ``--data-parallel`` are refused there, never
    ignored."""
    if workers > 1 or data_parallel:
        from entrepot.errors import InvalidArgument

        raise InvalidArgument(
            "--workers, --data-parallel: an account's training (--user) runs as the service "
            "runs it, over the scheduler ENTREPOT_DASK_URL names",
            hint="leave --workers and --data-parallel out and set ENTREPOT_DASK_URL, or train "
            "into a folder (--out)",
            said=Message(N_("error.cli.workers_with_user")),
        )


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
        int | None,
        typer.Option(
            min=2000,
            max=400_000,
            help="Rows per reference dataset, at least [default: reference_rows, 20000]",
            show_default=False,
        ),
    ] = None,
    min_frauds: Annotated[
        int | None,
        typer.Option(
            min=100,
            max=60_000,
            help="Frauds per reference dataset, at least (more rows) "
            "[default: reference_min_frauds, 400]",
            show_default=False,
        ),
    ] = None,
    time_budget: Annotated[
        float | None,
        typer.Option(
            min=1.0,
            callback=finite,
            help="Seconds each, generating its data included [default: reference_budget, 9]",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option()] = 0,
    jobs: Annotated[int, typer.Option(min=1, help="Threads per model fit")] = 1,
) -> None:
    """Generate the reference datasets and train one model each; skips those present, and
    waits for those another builder is building (the server's first start, another
    machine): each is built once."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from entrepot.cli.language import figure, in_words, words

    if TYPE_CHECKING:
        from entrepot.fraud.library.build import ReferenceSpec

    console = results_console()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        t = words()
        task = progress.add_task(escape(t("cli.references.models")), total=count)

        def step(spec: ReferenceSpec, state: str) -> None:
            if state in ("training", "waiting"):
                said = Message(
                    N_("progress.reference"),
                    {"name": spec.name, "state": Word(f"progress.state.{state}")},
                )
                progress.update(task, description=escape(in_words(said)))
                if state == "waiting":
                    note(in_words(Message(N_("cli.references.waiting"), {"name": spec.name})))
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
    t = words()
    built = t.plural(Np_("cli.references.built"), len(report.built))
    present = t.plural(Np_("cli.references.present"), len(report.skipped))
    line = t(
        "cli.references.built_present",
        built=built,
        present=present,
        seconds=figure(report.seconds, 0),
    )
    console.print(line, markup=False)
    if report.elsewhere:  # another builder held them: waited for, built once (ADR 0092)
        said = Message(
            Np_("cli.references.built_elsewhere"),
            {"count": len(report.elsewhere), "names": ", ".join(report.elsewhere)},
        )
        console.print(in_words(said), markup=False)
