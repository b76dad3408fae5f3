"""``entrepot fraud train``'s rules and its ``--user`` path: the registry's name rule, checked
before any training, and an account's training run through the training service, as the
web service runs it (its plan and quota, the file kept as one of its datasets, the job in
its history), in this process."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import typer

from entrepot.cli.context import console, current_app, note, progress_console
from entrepot.cli.fraud.training_view import print_training
from entrepot.cli.language import in_words, words
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from rich.console import Console

    from entrepot.fraud_service.job_payloads import SearchOptions


class EvaluationArguments(TypedDict):
    """How the training evaluates (:meth:`TrainingService.train_file`'s keywords)."""

    label_delay_days: int
    keep_columns: tuple[str, ...]
    cards_per_day: int
    time_column: str | None
    entity_columns: tuple[str, ...]


def train_for_account(
    ctx: typer.Context,
    file: Path,
    name: str,
    user: str,
    target: str | None,
    search: SearchOptions,
    evaluation: EvaluationArguments,
    sheet: str | None = None,
) -> None:
    """``--user``: the account's training, as the web service runs it (its plan and quota,
    the file kept as one of its datasets, the job in its history), in this process;
    ``evaluation``: the label delay, kept columns and cards a day."""
    from entrepot.cli.progress import bar

    app = current_app(ctx)
    account = app.accounts.find(user)
    last = [""]  # the message last printed: a repeated one is not printed again
    with bar(progress_console, words()(N_("cli.bar.training"))) as on_progress:

        def progress(fraction: float, message: Message | None) -> None:
            on_progress(round(fraction * 100), 100)  # the job's fraction done, in percent
            said = "" if message is None else in_words(message)
            if said and said != last[0]:
                last[0] = said
                note(said)

        job = app.fraud().training.train_file(
            account.id,
            file,
            name,
            target=target,
            search=search,
            progress=progress,
            sheet=sheet,
            **evaluation,
        )
    print_account_model(
        console,
        name,
        job.result,
        account.email,
        f"`entrepot fraud score FILE OUT --model {job.result['model_name']} --user {user}`",
    )


def print_account_model(
    console: Console, name: str, result: Mapping[str, Any], email: str, next_step: str
) -> None:
    """A finished training job's model (its result holds the training's facts,
    ``fraud_service/training_facts.py``): drawn as a training on this machine is, then
    where it was registered (a training for an account here and one on a deployed service
    alike)."""
    model = f"{result.get('model_name', name)}@{result['version']}"
    t = words()
    done = t("cli.train.registered_for", model=model, email=email, next=next_step)
    print_training(console, result, model, done)


def check_model_name(name: str) -> None:
    """The registry's own name rule, checked before any training (one rule for every door)."""
    from entrepot.registry.errors import InvalidName
    from entrepot.registry.names import check_name

    try:
        check_name(name)
    except InvalidName as exc:
        raise typer.BadParameter(f"{exc.message}: {exc.hint}", param_hint="--name") from None
