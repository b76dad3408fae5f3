"""Train a fraud model on a labelled table, with an evaluation that can be trusted.

``train(frame)`` analyses the table, refuses bad input with a clear error, builds the
features, searches models under a time budget (every model fits on all the training
rows; validation chooses among them, and when their boosting stops), fits the calibration
and chooses the threshold on validation, and measures everything once on a test split
used for nothing else. The search ends once 90 % of the budget has passed (analysis and
features included), leaving the rest for calibration and evaluation. The chosen model is
never refitted on validation data, so the test figures describe the saved model.
An anomaly model is fitted on the legitimate training rows, and ``schema.json`` records
each input column's share of the importance and its match signature
(``entrepot.fraud.match.signature``), so that the model can be matched to files with other
column names. ``TrainingResult.save(folder)`` writes ``model.joblib``,
``performance.json`` and ``schema.json``, the folder the model registry stores.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd
from threadpoolctl import threadpool_limits

from entrepot.fraud.tables.handed import HandedTable
from entrepot.fraud.train.card import CARDS_PER_DAY, LABEL_DELAY_DAYS, Evaluation
from entrepot.fraud.train.clocks import Clock
from entrepot.fraud.train.devices import check_device
from entrepot.fraud.train.pipeline import run_training
from entrepot.fraud.train.result import TrainingResult
from entrepot.fraud.train.search import KINDS
from entrepot.messages import Message
from entrepot.pools import Pool


def train(
    frame: pd.DataFrame | HandedTable,
    target: str | None = None,
    *,
    time_budget: float = 60.0,
    cost_ratio: float | None = None,
    models: tuple[str, ...] = KINDS,
    seed: int = 0,
    n_jobs: int = 1,
    progress: Callable[[Message], None] | None = None,
    extra: pd.DataFrame | None = None,
    max_legitimate: int | None = None,
    label_features: bool = True,
    label_delay_days: int = LABEL_DELAY_DAYS,
    keep_columns: tuple[str, ...] = (),
    cards_per_day: int = CARDS_PER_DAY,
    time_column: str | None = None,
    entity_columns: tuple[str, ...] = (),
    clock: Clock = time.monotonic,
    on_progress: Callable[[int, int], None] | None = None,
    pool: Pool | None = None,
    device: str = "cpu",
    data_parallel: bool = False,
) -> TrainingResult:
    """Train and evaluate a fraud model on ``frame`` (a table handed over,
    :class:`~entrepot.fraud.tables.handed.HandedTable`, goes as its features are made: a
    caller that holds no other reference to it frees its memory for the search).

    ``extra``: labelled rows (an analyst's decisions, with ``frame``'s columns and label
    values) that join the training rows only: the splits are cut from ``frame`` alone, as
    without them, so the test split stays the one earlier versions were measured on.

    ``target`` names the label column (found automatically otherwise); ``time_budget``
    bounds the model search in seconds; ``cost_ratio`` (cost of a missed fraud over that
    of a false alarm) chooses the threshold by cost instead of F1; ``n_jobs`` is the number
    of threads per model fit. ``max_legitimate`` thins the rows the models fit on to every
    training fraud and at most that many legitimate rows, weighted to the training fraud
    rate (``entrepot.fraud.train.thinning``); validation and test are never thinned.
    ``label_features=False`` leaves past labels out of the features (a counterparty's recent
    fraud rate is then always missing, as in a file without labels); HistGradientBoosting,
    which cannot bin a feature that is always missing, is then left out.

    ``label_delay_days``: how long after a transaction its label is known; features read
    only labels older than that, and the test period starts that long after the rows that
    fit and validate (ADR 0039). The test rows are featured as scoring will feature them,
    without their own labels, so the card's test figure is what scoring delivers.
    ``time_column`` and ``entity_columns``: the user's roles (the date that orders the
    rows, the customer or counterparty keys), else the analysis's guess.
    ``keep_columns``: inputs kept even if they alone separate the label (suspected leaks,
    left out otherwise: :mod:`entrepot.fraud.train.leaks`). ``cards_per_day``: the cards
    a team reviews a day, for the card's precision@k per day. Raises
    :class:`~entrepot.fraud.errors.NoTargetFound`, ``SingleClass``, ``TooFewRows`` or
    ``NoUsableFeatures`` rather than train on data that cannot make a model, and
    ``UnknownColumns`` for a kept column the table does not have. Every
    thread pool (OpenMP, BLAS) is held to ``n_jobs`` threads throughout: on a shared
    machine, threads waiting for busy cores make some models many times slower.
    ``clock`` (seconds) measures ``time_budget``: a clock that advances a fixed step per
    reading makes the search, and so the model, the same on any machine load.
    ``on_progress(done, total)``: with each ``progress`` message, the whole seconds spent of
    the budget's (elapsed time, never a reading of ``clock``), and ``(total, total)`` at the
    end. ``pool``: the workers the search's trials run on, one a worker (``None``: here);
    on a step clock the model is the same bits on any number of workers. ``device``:
    where XGBoost's trials boost (``cpu``, or ``cuda``: :mod:`entrepot.fraud.train.devices`,
    refused at once, as :class:`~entrepot.fraud.errors.NoGpu`, where no GPU answers); the
    model saved predicts on the CPU. ``data_parallel``: LightGBM's defaults fitted over the
    ``pool``'s Dask workers instead of the search, approximate (the card says so,
    :mod:`entrepot.fraud.train.data_parallel`); refused at once, as
    :class:`~entrepot.fraud.errors.NeedsCluster`, without a cluster of two workers.
    """
    if on_progress is not None:
        progress = _timed(progress, on_progress, time_budget)
    if not label_features:
        models = tuple(k for k in models if k != "hist_gradient_boosting")
    if "xgboost" in models:  # before the table is read into features: a refusal costs nothing
        check_device(device)
    with threadpool_limits(limits=n_jobs):
        trained = run_training(
            frame,
            target,
            time_budget,
            cost_ratio,
            models,
            seed,
            n_jobs,
            progress,
            extra,
            max_legitimate,
            label_features,
            Evaluation(
                label_delay_days,
                tuple(keep_columns),
                cards_per_day,
                time_column,
                tuple(entity_columns),
            ),
            clock,
            pool,
            device,
            data_parallel,
        )
    if on_progress is not None:
        budget = _whole_seconds(time_budget)
        on_progress(budget, budget)
    return trained


def _whole_seconds(budget: float) -> int:
    return max(1, round(budget))


def _timed(
    progress: Callable[[Message], None] | None,
    on_progress: Callable[[int, int], None],
    time_budget: float,
) -> Callable[[Message], None]:
    """``progress``, also telling ``on_progress`` the seconds spent of the budget."""
    began, budget = time.monotonic(), _whole_seconds(time_budget)
    told = progress or (lambda _message: None)

    def tell(message: Message) -> None:
        told(message)
        on_progress(min(round(time.monotonic() - began), budget), budget)

    return tell
