"""The evaluation protocol of a training: enough labelled rows of each class, the split
(time-ordered with a label-delay gap, else stratified, and why), the inputs read for
suspected leaks, the cards the per-day precision counts, and the card's account of it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from entrepot.fraud.errors import SingleClass, TooFewRows
from entrepot.fraud.model.features import FeatureSpec
from entrepot.fraud.schema.analysis import Analysis
from entrepot.fraud.train.card import Evaluation
from entrepot.fraud.train.card_messages import (
    NO_TIME_ORDER,
    ONE_CLASS,
    RANDOM_SPLIT,
    TOO_FEW_FRAUDS,
    no_gap,
    random_split,
    reason_of,
)
from entrepot.fraud.train.splits import (
    Splits,
    stratified_splits,
    time_cut_one_class,
    time_splits,
)
from entrepot.fraud.train.time_order import TimeOrder, order_of
from entrepot.messages import N_, Message, Word

MIN_ROWS = 100
MIN_FRAUDS = 20
MIN_LEGITIMATE = 20


def check_labels(analysis: Analysis, y: np.ndarray) -> None:
    """Refuse labels of one class only, or too few rows, frauds or legitimate rows."""
    frauds = int(y.sum())
    legit = len(y) - frauds
    if frauds == 0 or legit == 0:
        which = "fraud" if frauds else "legitimate"
        raise SingleClass(
            f"the label {analysis.target!r} holds only {which} rows ({len(y)} labelled rows)",
            said=Message(
                N_("error.fraud.label_one_class"),
                {
                    "column": str(analysis.target),
                    "which": Word(
                        N_("label.class.fraud") if frauds else N_("label.class.legitimate")
                    ),
                    "labelled": len(y),
                },
            ),
        )
    if len(y) < MIN_ROWS or frauds < MIN_FRAUDS or legit < MIN_LEGITIMATE:
        raise TooFewRows(
            f"found {len(y)} labelled rows with {frauds} frauds; training needs at least "
            f"{MIN_ROWS} rows, {MIN_FRAUDS} frauds and {MIN_LEGITIMATE} legitimate rows so "
            "that validation and test each see some frauds",
            said=Message(
                N_("error.fraud.too_few_rows"),
                {
                    "labelled": len(y),
                    "frauds": frauds,
                    "rows": MIN_ROWS,
                    "min_frauds": MIN_FRAUDS,
                    "min_legitimate": MIN_LEGITIMATE,
                },
            ),
        )


def choose_splits(
    y: np.ndarray, order: TimeOrder, delay_days: int, seed: int, notes: list[Message]
) -> Splits:
    """The splits: time-ordered with a gap of ``delay_days``, else without one, else
    stratified; each fallback adds its reason to ``notes``."""
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
    notes.append(random_split(ONE_CLASS if time_cut_one_class(rows, y) else TOO_FEW_FRAUDS))
    return stratified_splits(y, seed)


def leak_inputs(spec: FeatureSpec) -> list[str]:
    """The inputs read for a suspected leak: all but the time and the entity keys."""
    return list(dict.fromkeys(c for c in (spec.amount, *spec.categoricals, *spec.numerics) if c))


def card_of_rows(data: pd.DataFrame, spec: FeatureSpec, rows: np.ndarray) -> np.ndarray:
    """The card (first customer) of ``rows``, or the row itself without a customer."""
    if not spec.customers:
        return np.asarray([f"row{r}" for r in rows], dtype=object)
    return np.asarray(data[spec.customers[0]].iloc[rows].astype("string").fillna("").to_numpy())


def protocol(
    order: TimeOrder, splits: Splits, options: Evaluation, notes: list[Message]
) -> dict[str, Any]:
    """How the card's figures were measured: the split, the time order, the label delay."""
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
