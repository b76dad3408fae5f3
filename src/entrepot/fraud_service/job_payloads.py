"""The fraud service's job payloads: what each kind of job it queues carries (see
:mod:`entrepot.jobs.payloads` for versions and validation)."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.fraud.train.card import Evaluation
from entrepot.fraud_service.job_kinds import (
    APPLY_KIND,
    BUILD_KIND,
    EVALUATE_KIND,
    PREDICT_KIND,
    TRAINING_KIND,
)
from entrepot.jobs.payloads import Payload

__all__ = [
    "APPLY_KIND",
    "BUILD_KIND",
    "EVALUATE_KIND",
    "PREDICT_KIND",
    "TRAINING_KIND",
    "ApplyPayload",
    "BuildPayload",
    "EvaluatePayload",
    "Mappings",
    "PredictPayload",
    "SearchOptions",
    "TrainPayload",
]
#: Columns a person chose for each model of an ensemble: upload column -> model input.
Mappings = dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """How a training searches: its time budget in seconds, the cost of a missed fraud
    against a false alarm (``None``: the engine's default), the seed and threads per fit."""

    time_budget: float
    cost_ratio: float | None = None
    seed: int = 0
    n_jobs: int = 1


@dataclass(frozen=True, slots=True)
class TrainPayload(Payload):
    """Train ``model_name`` on a dataset (a retraining when ``retrain_of`` names a model:
    its ``previous_version`` plus the analysts' decisions). ``search``: the model search's
    own settings (``None``: the service's budget); ``evaluation``: the label delay, the
    columns kept even if suspected of a leak, the cards reviewed a day (``None``: the
    engine's defaults)."""

    KIND = TRAINING_KIND

    dataset_id: str
    dataset_name: str
    model_name: str
    target: str | None = None
    retrain_of: int | None = None
    previous_version: str | None = None
    search: SearchOptions | None = None
    evaluation: Evaluation | None = None


@dataclass(frozen=True, slots=True)
class PredictPayload(Payload):
    """Score a dataset with the user's model ``model_id`` (``model_name@version``); a
    rescore names the prediction it repeats and the columns chosen. ``late_labels``: the
    ``(row, label)`` decisions the analysts had confirmed on the dataset's rows when the
    scoring was asked for (ADR 0046); version 1 had none, and scores without them."""

    KIND = PREDICT_KIND
    VERSION = 2

    model_id: int
    model_name: str
    version: str
    dataset_id: str
    dataset_name: str
    mappings: Mappings | None = None
    rescore_of: str | None = None
    late_labels: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True, slots=True)
class ApplyPayload(Payload):
    """Score an unlabelled dataset with the reference library's ensemble; with
    ``model_name``, keep the ensemble as that model of the user. ``late_labels``: the
    ``(row, label)`` decisions confirmed on the dataset's rows when the scoring was asked
    for, as :class:`PredictPayload`'s; version 1 had none, and scores without them.
    ``history_id``: a labelled dataset of the same source's earlier transactions, whose
    labels the members read and are weighed on (``entrepot.fraud.score.measured``);
    version 2 had none."""

    KIND = APPLY_KIND
    VERSION = 3

    dataset_id: str
    dataset_name: str
    model_name: str | None = None
    mappings: Mappings | None = None
    rescore_of: str | None = None
    late_labels: tuple[tuple[int, int], ...] | None = None
    history_id: str | None = None


@dataclass(frozen=True, slots=True)
class BuildPayload(Payload):
    """Build the first-start reference library."""

    KIND = BUILD_KIND

    count: int
    rows: int
    time_budget: float
    min_frauds: int | None = None


@dataclass(frozen=True, slots=True)
class EvaluatePayload(Payload):
    """Score a labelled dataset and measure the scores against its label ``target``
    (``None``: the one detected), with the user's model ``model_id``
    (``model_name@version``), or with the reference ensemble fitted to the file when
    ``model_id`` is ``None``."""

    KIND = EVALUATE_KIND

    dataset_id: str
    dataset_name: str
    model_id: int | None = None
    model_name: str | None = None
    version: str | None = None
    target: str | None = None
