"""The training pipeline: analysis and checks, splits and leaks, features, the model search
under the budget, calibration and threshold on validation, one measure on test, and the
model card (:func:`~entrepot.fraud.train.training.train` runs it within its thread
limits)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import cast

import numpy as np
import pandas as pd

from entrepot.fraud.errors import NoUsableFeatures, UnknownColumns
from entrepot.fraud.match.signature import table_signature, with_weights
from entrepot.fraud.model.anomaly import AnomalyModel
from entrepot.fraud.model.calibration import Calibrator, period_spread
from entrepot.fraud.model.estimator import positive_scores
from entrepot.fraud.model.features import FeatureBuilder, FeatureSpec
from entrepot.fraud.model.metrics import choose_threshold, evaluate
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.schema.analysis import analyze, require_target
from entrepot.fraud.schema.target import label_vector
from entrepot.fraud.tables.handed import HandedTable, taken
from entrepot.fraud.train.card import Evaluation, ScoredPeriod, model_card
from entrepot.fraud.train.card_messages import data_parallel as data_parallel_note
from entrepot.fraud.train.card_messages import leak_kept, suspected_leak
from entrepot.fraud.train.clocks import Clock, counts_steps
from entrepot.fraud.train.data_parallel import (
    AUPRC_TOLERANCE,
    cluster_workers,
    data_parallel_trial,
    distributed_card,
)
from entrepot.fraud.train.horizons import (
    Fitted,
    between_periods,
    horizon_card,
    horizon_reach,
    observed_period,
)
from entrepot.fraud.train.importance import column_importance, feature_importances
from entrepot.fraud.train.leaks import suspected_leaks
from entrepot.fraud.train.protocol import (
    card_of_rows,
    check_labels,
    choose_splits,
    leak_inputs,
    protocol,
)
from entrepot.fraud.train.record import data_summary, input_schema, library_versions
from entrepot.fraud.train.replay import replayed_matrix
from entrepot.fraud.train.result import TrainingResult
from entrepot.fraud.train.search import Data, Trial, choose, search
from entrepot.fraud.train.splits import with_training_rows
from entrepot.fraud.train.thinning import thin
from entrepot.fraud.train.time_order import time_order
from entrepot.freed_memory import give_back
from entrepot.i18n.messages import english
from entrepot.messages import N_, Count, Message, Np_, Number, Word
from entrepot.pools import ClusterPool, Pool
from entrepot.spilled_rows import spilled

#: How a data-parallel model was chosen (``data_parallel``): no search.
SPREAD_RULE = "LightGBM's defaults fitted data-parallel, its rounds chosen on validation"
#: Share of the time budget by which the search ends; the rest calibrates and evaluates.
SEARCH_SHARE = 0.9
#: Share of the time budget the search has at least, however long the features took.
MIN_SEARCH_SHARE = 0.25


def run_training(
    table: pd.DataFrame | HandedTable,
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
    pool: Pool | None = None,
    device: str = "cpu",
    data_parallel: bool = False,
) -> TrainingResult:
    """Train and evaluate (:func:`~entrepot.fraud.train.training.train`'s steps, with its
    arguments in order). A table handed over (:mod:`entrepot.fraud.tables.handed`) goes
    as its features are made: what the later steps read of it is taken first.
    ``data_parallel`` (with a :class:`~entrepot.pools.ClusterPool`): one LightGBM fit over
    the workers instead of the search (:mod:`entrepot.fraud.train.data_parallel`)."""
    spread_over = cluster_workers(pool) if data_parallel else 0  # refused before any work
    frame, handed = taken(table)
    options = evaluation or Evaluation()
    tell = progress or (lambda _message: None)
    began, budget_began = time.monotonic(), clock()
    analysis = analyze(
        frame,
        target=target,
        time_column=options.time_column,
        entity_columns=options.entity_columns,
    )
    label = require_target(analysis)
    y_all = label_vector(frame[label], analysis.positive)
    known = ~np.isnan(y_all)
    # every row labelled (the usual case): no copy of the table
    data = (frame if known.all() else frame.loc[known]).reset_index(drop=True)
    y = y_all[known].astype(np.int8)
    del y_all, known  # held to the end else: a float and a flag a row
    check_labels(analysis, y)
    missing = [c for c in options.keep_columns if c not in frame.columns]
    if missing:
        raise UnknownColumns(
            "cannot keep columns the table does not have: " + ", ".join(map(repr, missing)),
            said=Message(N_("error.fraud.keep_unknown"), {"columns": ", ".join(map(str, missing))}),
        )
    columns = list(frame.columns)
    del frame  # ``data`` holds what is read from here on
    spec = FeatureSpec.from_analysis(analysis)
    order = time_order(data, spec, analysis)
    notes: list[Message] = []
    splits = choose_splits(y, order, options.label_delay_days, seed, notes)
    leaks = suspected_leaks(
        data, y, leak_inputs(spec), splits.train, splits.validation, options.keep_columns
    )
    notes += [
        (leak_kept if leak.kept else suspected_leak)(leak.column, leak.auprc) for leak in leaks
    ]
    spec = spec.without({leak.column for leak in leaks if not leak.kept})
    if not spec.input_columns:
        raise NoUsableFeatures(
            "no column can feed a feature: "
            + ", ".join(f"{c.name} ({c.role})" for c in analysis.columns if c.role != "target"),
            said=Message(
                N_("error.fraud.no_features"),
                {
                    "columns": ", ".join(
                        f"{c.name} ({c.role})" for c in analysis.columns if c.role != "target"
                    )
                },
            ),
        )
    warnings = list(analysis.notes)
    added = 0
    if extra is not None and len(extra):
        y_extra = label_vector(extra[label], analysis.positive)
        known_extra = ~np.isnan(y_extra)
        added = int(known_extra.sum())
        splits = with_training_rows(splits, len(data), added)
        rows = extra.loc[known_extra, columns]
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
    data = data[[c for c in spec.input_columns if c in data.columns]]  # the inputs alone
    builder = FeatureBuilder(
        spec, label_delay_days=options.label_delay_days, label_features=label_features
    ).fit(data.iloc[splits.train], y[splits.train])
    builder.remember(data, y)
    names = list(builder.feature_names_)
    # what the steps after the search read of the table, taken before it goes
    summary = data_summary(analysis, data, y, splits, spec, names)
    card_codes, card_names = pd.factorize(card_of_rows(data, spec, splits.test))
    reach = horizon_reach(builder, data, y, splits)
    signature = table_signature(data, analysis.columns, columns=spec.input_columns, weights={})
    give_back()  # what the fit's copy of the training rows freed: the matrix comes next
    # One matrix, laid out train | validation | test (gap rows feed the features only):
    # each split is a view of it, never a copy. A table handed over loses its columns as
    # they are read.
    x = replayed_matrix(builder, HandedTable(data) if handed else data, y, splits, splits.layout)
    del data
    x_train, x_val, x_test = splits.views(x)
    give_back()  # the features' intermediates (and the table): the search allocates more
    feature_seconds = time.monotonic() - t0
    tell(
        Message(
            Np_("progress.features"), {"count": len(names), "seconds": Number(feature_seconds, 1)}
        )
    )

    t0 = time.monotonic()
    y_val = y[splits.validation]
    fit = thin(splits.train, y, max_legitimate, seed)
    x_fit = x_train if fit.weights is None else x_train[splits.places_in_train(fit.rows)]
    arrays = Data(x_fit, y[fit.rows], x_val, y_val, x_val, y_val, fit.weights)
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
    with spilled(x_test):  # the search never reads the test rows: on disk meanwhile
        if spread_over:  # one fit over the workers
            trials = [data_parallel_trial(cast(ClusterPool, pool), arrays, seed)]
            report(trials[0])
        else:
            trials = search(
                arrays,
                budget_seconds=max(
                    time_budget * SEARCH_SHARE - spent, MIN_SEARCH_SHARE * time_budget
                ),
                kinds=models,
                seed=seed,
                n_jobs=n_jobs,
                on_trial=report,
                clock=clock,
                pool=pool,
                device=device,
            )
    best = choose(trials)
    give_back()  # the trials' datasets
    search_seconds = time.monotonic() - t0

    t0 = time.monotonic()
    val_scores = best.validation_scores
    if val_scores is None:
        val_scores = positive_scores(best.estimator, arrays.x_val)
    calibrator = Calibrator.fit(val_scores, arrays.y_val)
    val_proba = calibrator(val_scores)
    threshold = choose_threshold(arrays.y_val, val_proba, cost_ratio=cost_ratio)
    importances = feature_importances(best, names, arrays, seed)
    anomaly = AnomalyModel.fit(arrays.x_fit, seed=seed, rows=arrays.y_fit == 0)
    shares = {i["feature"]: i["importance"] for i in importances}
    test_proba = calibrator(positive_scores(best.estimator, x_test))
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
            y[splits.test],
            test_proba,
            order.days(splits.test),
            np.asarray(card_names, dtype=object)[card_codes],
        ),
        threshold=threshold,
        test_auprc=float(test["auprc"]),  # type: ignore[arg-type]
        validation_auprc=float(validation["auprc"]),  # type: ignore[arg-type]
        protocol=protocol(order, splits, options, notes),
        cards_per_day=options.cards_per_day,
        seed=seed,
    )
    fitted = Fitted(best.estimator, calibrator, threshold)
    card["horizons"] = horizon_card(builder, reach, y, splits, x_test, names, fitted, seed)
    if card["horizons"] is not None and order.values is not None:
        out_of_time = np.concatenate([splits.validation, splits.test])
        card["horizons"]["between"] = between_periods(
            y[out_of_time],
            np.concatenate([val_proba, test_proba]),
            order.values[out_of_time],
            threshold,
            seed,
        )
        if order.kind == "timestamp":  # seconds, as the scored rows' instants
            card["horizons"]["observed"] = observed_period(
                order.values[out_of_time], order.values[splits.test]
            )
    model.horizons = card["horizons"]
    if spread_over:  # approximate: the card says so, and by how much
        card["distributed"] = distributed_card(spread_over, int(best.iterations or 0))
        notes.append(data_parallel_note(spread_over, AUPRC_TOLERANCE))
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
            "rule": SPREAD_RULE
            if spread_over
            else "best configuration by validation AUPRC, refined at a smaller learning rate",
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
        "training_time_seconds": _timings(
            clock,
            time_budget,
            features=feature_seconds,
            search=search_seconds,
            calibration_and_evaluation=time.monotonic() - t0,
            total=total,
        ),
        "data": {**summary, "added_rows": added},
        "warnings": [english(w) for w in warnings],
        "warning_messages": [w.to_json() for w in warnings],
        "versions": library_versions(),
    }
    schema = input_schema(analysis, spec, names)
    weights = column_importance(builder, importances)
    signature = with_weights(signature, weights)
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


def _timings(clock: Clock, budget: float, **seconds: float) -> dict[str, object]:
    """The run's durations by stage and its budget. On a step clock the budget counts steps
    and the file describes the model alone, the same bits on any machine and any number
    of workers: the durations, which no two runs share, are left out (``None``)."""
    counted = counts_steps(clock)
    found: dict[str, object] = {
        name: None if counted else round(value, 3) for name, value in seconds.items()
    }
    return {**found, "budget": budget, "clock": "steps" if counted else "wall"}
