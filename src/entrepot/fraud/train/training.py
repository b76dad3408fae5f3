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

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from entrepot.fraud.errors import NoUsableFeatures, SingleClass, TooFewRows, UnknownColumns
from entrepot.fraud.match.signature import table_signature
from entrepot.fraud.model.anomaly import AnomalyModel
from entrepot.fraud.model.calibration import Calibrator, period_spread
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec
from entrepot.fraud.model.metrics import choose_threshold, evaluate
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.schema.analysis import Analysis, analyze, require_target
from entrepot.fraud.schema.target import label_vector
from entrepot.fraud.tables.timeparse import parse_times
from entrepot.fraud.train.card import (
    CARDS_PER_DAY,
    LABEL_DELAY_DAYS,
    Evaluation,
    ScoredPeriod,
    model_card,
)
from entrepot.fraud.train.card_messages import (
    NO_TIME_ORDER,
    RANDOM_SPLIT,
    TOO_FEW_FRAUDS,
    leak_kept,
    no_gap,
    random_split,
    reason_of,
    suspected_leak,
)
from entrepot.fraud.train.clocks import Clock
from entrepot.fraud.train.importance import column_importance, feature_importances
from entrepot.fraud.train.leaks import suspected_leaks
from entrepot.fraud.train.replay import replayed_features
from entrepot.fraud.train.search import KINDS, Data, Trial, choose, search
from entrepot.fraud.train.splits import (
    Splits,
    stratified_splits,
    time_splits,
    with_training_rows,
)
from entrepot.fraud.train.thinning import thin
from entrepot.fraud.train.time_order import TimeOrder, order_of, time_order
from entrepot.i18n.messages import english
from entrepot.messages import N_, Count, Message, Np_, Number, Word

MIN_ROWS = 100
MIN_FRAUDS = 20
MIN_LEGITIMATE = 20
SCHEMA_FORMAT = "entrepot.fraud.schema/1"
#: Share of the time budget by which the search ends; the rest calibrates and evaluates.
SEARCH_SHARE = 0.9
#: Share of the time budget the search has at least, however long the features took.
MIN_SEARCH_SHARE = 0.25


@dataclass
class TrainingResult:
    """The trained model, its measured performance and its input schema."""

    model: FraudModel
    performance: dict[str, Any]
    schema: dict[str, Any]
    analysis: Analysis
    trials: list[Trial] = field(repr=False, default_factory=list)
    splits: Splits | None = field(repr=False, default=None)  # positions among labelled rows
    test_proba: np.ndarray | None = field(repr=False, default=None)  # of splits.test

    def save(self, folder: str | Path) -> dict[str, Path]:
        """Write ``model.joblib``, ``performance.json`` and ``schema.json`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = {"model": self.model.save(folder / "model.joblib")}
        for name, content in (("performance", self.performance), ("schema", self.schema)):
            written[name] = _write_json(folder / f"{name}.json", content)
        return written


def _write_json(path: Path, content: dict[str, Any]) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(_clean(content), out, indent=2, ensure_ascii=False, allow_nan=False)
        out.write("\n")
    os.replace(tmp, path)
    return path


def _clean(value: Any) -> Any:
    """JSON-ready: numpy scalars as Python ones, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _check(analysis: Analysis, y: np.ndarray) -> None:
    frauds = int(y.sum())
    legit = len(y) - frauds
    if frauds == 0 or legit == 0:
        which = "fraud" if frauds else "legitimate"
        raise SingleClass(
            f"the label {analysis.target!r} holds only {which} rows ({len(y)} labelled rows)"
        )
    if len(y) < MIN_ROWS or frauds < MIN_FRAUDS or legit < MIN_LEGITIMATE:
        raise TooFewRows(
            f"found {len(y)} labelled rows with {frauds} frauds; training needs at least "
            f"{MIN_ROWS} rows, {MIN_FRAUDS} frauds and {MIN_LEGITIMATE} legitimate rows so "
            "that validation and test each see some frauds"
        )


def train(
    frame: pd.DataFrame,
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
    clock: Clock = time.monotonic,
    on_progress: Callable[[int, int], None] | None = None,
) -> TrainingResult:
    """Train and evaluate a fraud model on ``frame``.

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
    end.
    """
    if on_progress is not None:
        progress = _timed(progress, on_progress, time_budget)
    if not label_features:
        models = tuple(k for k in models if k != "hist_gradient_boosting")
    with threadpool_limits(limits=n_jobs):
        trained = _train(
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
            Evaluation(label_delay_days, tuple(keep_columns), cards_per_day),
            clock,
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


def _train(
    frame: pd.DataFrame,
    target: str | None,
    time_budget: float,
    cost_ratio: float | None,
    models: tuple[str, ...],
    seed: int,
    n_jobs: int,
    progress: Callable[[Message], None] | None,
    extra: pd.DataFrame | None = None,
    max_legitimate: int | None = None,
    label_features: bool = True,
    evaluation: Evaluation | None = None,
    clock: Clock = time.monotonic,
) -> TrainingResult:
    options = evaluation or Evaluation()
    tell = progress or (lambda _message: None)
    began, budget_began = time.monotonic(), clock()
    analysis = analyze(frame, target=target)
    label = require_target(analysis)
    y_all = label_vector(frame[label], analysis.positive)
    known = ~np.isnan(y_all)
    data = frame.loc[known].reset_index(drop=True)
    y = y_all[known].astype(np.int8)
    _check(analysis, y)
    missing = [c for c in options.keep_columns if c not in frame.columns]
    if missing:
        raise UnknownColumns(
            "cannot keep columns the table does not have: " + ", ".join(map(repr, missing))
        )
    spec = FeatureSpec.from_analysis(analysis)
    order = time_order(data, spec, analysis)
    notes: list[Message] = []
    splits = _splits(y, order, options.label_delay_days, seed, notes)
    leaks = suspected_leaks(
        data, y, _checked(spec), splits.train, splits.validation, options.keep_columns
    )
    notes += [
        (leak_kept if leak.kept else suspected_leak)(leak.column, leak.auprc) for leak in leaks
    ]
    spec = spec.without({leak.column for leak in leaks if not leak.kept})
    if not spec.input_columns:
        raise NoUsableFeatures(
            "no column can feed a feature: "
            + ", ".join(f"{c.name} ({c.role})" for c in analysis.columns if c.role != "target")
        )
    warnings = list(analysis.notes)
    added = 0
    if extra is not None and len(extra):
        y_extra = label_vector(extra[label], analysis.positive)
        known_extra = ~np.isnan(y_extra)
        added = int(known_extra.sum())
        splits = with_training_rows(splits, len(data), added)
        rows = extra.loc[known_extra, list(frame.columns)]
        data = pd.concat([data, rows], ignore_index=True)
        y = np.concatenate([y, y_extra[known_extra].astype(np.int8)])
    tell(
        Message(
            N_("progress.split"),
            {
                "rows": Count(len(y), Np_("datasets.row_count")),
                "frauds": Count(int(y.sum()), Np_("progress.fraud_count")),
                "kind": Word(f"progress.split_kind.{splits.kind}"),
            },
        )
    )

    t0 = time.monotonic()
    builder = FeatureBuilder(
        spec, label_delay_days=options.label_delay_days, label_features=label_features
    ).fit(data.iloc[splits.train], y[splits.train])
    features = replayed_features(builder, data, y, splits)
    builder.remember(data, y)
    x = features.to_numpy(dtype=float)
    names = list(features.columns)
    feature_seconds = time.monotonic() - t0
    tell(
        Message(
            Np_("progress.features"), {"count": len(names), "seconds": Number(feature_seconds, 1)}
        )
    )

    t0 = time.monotonic()
    x_val, y_val = x[splits.validation], y[splits.validation]
    fit = thin(splits.train, y, max_legitimate, seed)
    arrays = Data(x[fit.rows], y[fit.rows], x_val, y_val, x_val, y_val, fit.weights)
    if fit.weights is not None:
        tell(
            Message(
                N_("progress.thinned"),
                {
                    "kept": fit.kept_legitimate,
                    "legitimate": fit.legitimate,
                    "weight": Number(fit.legitimate_weight, 2),
                },
            )
        )

    def report(trial: Trial) -> None:
        tell(
            Message(
                N_("progress.trial"),
                {
                    "kind": trial.kind,
                    "stage": Word(f"trial.stage.{trial.stage}"),
                    "auprc": Number(trial.validation_auprc, 4),
                    "seconds": Number(trial.seconds, 1),
                },
            )
        )

    spent = clock() - budget_began
    trials = search(
        arrays,
        budget_seconds=max(time_budget * SEARCH_SHARE - spent, MIN_SEARCH_SHARE * time_budget),
        kinds=models,
        seed=seed,
        n_jobs=n_jobs,
        on_trial=report,
        clock=clock,
    )
    best = choose(trials)
    search_seconds = time.monotonic() - t0

    t0 = time.monotonic()
    val_scores = best.validation_scores
    if val_scores is None:
        val_scores = positive_scores(best.estimator, arrays.x_val)
    calibrator = Calibrator.fit(val_scores, arrays.y_val)
    val_proba = calibrator(val_scores)
    threshold = choose_threshold(arrays.y_val, val_proba, cost_ratio=cost_ratio)
    importances = feature_importances(best, names, arrays, seed)
    train_rows = fit.rows[y[fit.rows] == 0]
    anomaly = AnomalyModel.fit(x[train_rows], seed=seed)
    shares = {i["feature"]: i["importance"] for i in importances}
    test_proba = calibrator(positive_scores(best.estimator, x[splits.test]))
    if splits.kind == "time":  # the fraud rate's moves in validation widen the estimate
        drift = period_spread(arrays.y_val, val_proba)
        calibrator.error = calibrator.level_error.with_drift(drift)
    model = FraudModel(builder, best.estimator, calibrator, threshold, best.kind, anomaly, shares)
    test = evaluate(y[splits.test], test_proba, threshold)
    validation = evaluate(arrays.y_val, val_proba, threshold)
    if best.validation_auprc < 1.5 * float(arrays.y_val.mean()):
        warnings.append(
            Message(
                N_("warning.chance"),
                {
                    "auprc": Number(best.validation_auprc, 3),
                    "rate": Number(float(arrays.y_val.mean()), 3),
                },
            )
        )
    card = model_card(
        ScoredPeriod(
            y[splits.test], test_proba, order.days(splits.test), _cards(data, spec, splits.test)
        ),
        threshold=threshold,
        test_auprc=float(test["auprc"]),  # type: ignore[arg-type]
        validation_auprc=float(validation["auprc"]),  # type: ignore[arg-type]
        protocol=_protocol(order, splits, options, notes),
        cards_per_day=options.cards_per_day,
        seed=seed,
    )
    notes += [Message.from_json(w) for w in card["warnings"]]
    card["warnings"] = [note.to_json() for note in notes]
    card["suspected_leaks"] = [leak.to_dict() for leak in leaks]
    warnings += notes
    total = time.monotonic() - began
    performance = {
        "model": {
            "kind": best.kind,
            "params": best.params,
            "stage": best.stage,
            "iterations": best.iterations,
            "fitted_on": "train",
            "fit_rows": {
                "frauds": int(arrays.y_fit.sum()),
                "legitimate": fit.kept_legitimate,
                "legitimate_in_train": fit.legitimate,
                "legitimate_weight": round(fit.legitimate_weight, 6),
            },
            "early_stopping_on": "validation",
        },
        "card": card,
        "test": test,
        "validation": validation,
        "selection": {
            "metric": "auprc",
            "split": "validation",
            "rule": "best configuration by validation AUPRC, refined at a smaller learning rate",
            "chosen_validation_auprc": best.validation_auprc,
            "chosen_trial": trials.index(best),
            "trials": [t.to_dict() for t in trials],
        },
        "calibration": {
            "method": calibrator.method,
            "fitted_on": "validation",
            "frauds": calibrator.positives,
            "rows": calibrator.rows,
            "level_error": asdict(calibrator.level_error),
        },
        "threshold": {
            "value": threshold,
            "objective": "cost" if cost_ratio is not None else "f1",
            "cost_ratio": cost_ratio,
            "chosen_on": "validation",
        },
        "feature_importances": importances,
        "training_time_seconds": {
            "features": round(feature_seconds, 3),
            "search": round(search_seconds, 3),
            "calibration_and_evaluation": round(time.monotonic() - t0, 3),
            "total": round(total, 3),
            "budget": time_budget,
        },
        "data": {**_summary(analysis, data, y, splits, spec, names), "added_rows": added},
        "warnings": [english(w) for w in warnings],
        "warning_messages": [w.to_json() for w in warnings],
        "versions": _versions(),
    }
    schema = _schema(analysis, spec, names)
    weights = column_importance(builder, importances)
    signature = table_signature(data, analysis.columns, columns=spec.input_columns, weights=weights)
    schema["column_importance"] = weights
    schema["signature"] = [[col.name, col.encode()] for col in signature]
    tell(
        Message(
            N_("progress.tested"),
            {
                "auprc": Number(cast(float, test["auprc"]), 4),
                "roc": Number(cast(float, test["roc_auc"]), 4),
                "seconds": Number(total, 1),
            },
        )
    )
    return TrainingResult(model, performance, schema, analysis, trials, splits, test_proba)


def _splits(
    y: np.ndarray, order: TimeOrder, delay_days: int, seed: int, notes: list[Message]
) -> Splits:
    if order.values is None:
        notes.append(random_split(NO_TIME_ORDER))
        return stratified_splits(y, seed)
    rows = order_of(order.values)
    if order.per_day is not None and delay_days > 0:
        found = time_splits(rows, y, order.values, delay_days * order.per_day)
        if found is not None:
            return found
        notes.append(no_gap(delay_days))
    found = time_splits(rows, y)
    if found is not None:
        return found
    notes.append(random_split(TOO_FEW_FRAUDS))
    return stratified_splits(y, seed)


def _checked(spec: FeatureSpec) -> list[str]:
    """The inputs read for a suspected leak: all but the time and the entity keys."""
    return list(dict.fromkeys(c for c in (spec.amount, *spec.categoricals, *spec.numerics) if c))


def _cards(data: pd.DataFrame, spec: FeatureSpec, rows: np.ndarray) -> np.ndarray:
    """The card (first customer) of ``rows``, or the row itself without a customer."""
    if not spec.customers:
        return np.asarray([f"row{r}" for r in rows], dtype=object)
    return np.asarray(data[spec.customers[0]].iloc[rows].astype("string").fillna("").to_numpy())


def _protocol(
    order: TimeOrder, splits: Splits, options: Evaluation, notes: list[Message]
) -> dict[str, Any]:
    random = next((n for n in notes if n.key == RANDOM_SPLIT), None)
    return {
        "split": splits.kind,
        "time_order": order.column if splits.kind == "time" else None,
        "time_order_kind": order.kind,
        "random_reason": reason_of(random) if random else None,
        "label_delay_days": options.label_delay_days,
        "gap_rows": len(splits.gap),
        "test_features": "as scoring: labels older than the delay, the test rows' own hidden",
    }


def _summary(
    analysis: Analysis,
    data: pd.DataFrame,
    y: np.ndarray,
    splits: Splits,
    spec: FeatureSpec,
    names: list[str],
) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    times = parse_times(data[spec.timestamp], spec.time_format) if spec.time_format else None
    for part, rows in (
        ("train", splits.train),
        ("validation", splits.validation),
        ("gap", splits.gap),
        ("test", splits.test),
    ):
        entry: dict[str, Any] = {"rows": len(rows), "frauds": int(y[rows].sum())}
        if times is not None and splits.kind == "time" and len(rows):
            entry["start"] = str(times.iloc[rows].min())
            entry["end"] = str(times.iloc[rows].max())
        parts[part] = entry
    return {
        "rows": analysis.rows,
        "labelled_rows": len(y),
        "frauds": int(y.sum()),
        "fraud_rate": float(y.mean()),
        "target": analysis.target,
        "split": splits.kind,
        "splits": parts,
        "input_columns": spec.input_columns,
        "ignored_columns": {
            c.name: c.role for c in analysis.columns if c.name not in spec.input_columns
        },
        "features": names,
    }


def _schema(analysis: Analysis, spec: FeatureSpec, names: list[str]) -> dict[str, Any]:
    return {
        "format": SCHEMA_FORMAT,
        "target": analysis.target,
        "positive": _clean(analysis.positive),
        "timestamp": spec.timestamp,
        "time_format": spec.time_format,
        "amount": spec.amount,
        "id_columns": analysis.with_role("id"),
        "input_columns": spec.input_columns,
        "columns": [c.to_dict() for c in analysis.columns],
        "features": names,
    }


def _versions() -> dict[str, str]:
    found = {}
    for package in ("entrepot", "scikit-learn", "lightgbm", "xgboost", "pandas", "numpy"):
        found[package] = "not installed"
        for name in (package, f"{package}-cpu"):  # xgboost ships as xgboost-cpu too
            try:
                found[package] = metadata.version(name)
                break
            except metadata.PackageNotFoundError:
                continue
    return found
