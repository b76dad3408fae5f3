"""A row's explanation: the upload columns that push its score up most, each with the row's
value, and for an amount the ratio to the customer's mean over the model's longest window
when the model computes it; messages (``entrepot.messages``) that read, in English,
``amount 2,340, 6.9 × this customer's 30-day mean; hour 3``.

The ratio is the model's own feature (``customer0_amount_ratio_30d``), read from the
feature matrix the row was scored with, so the words say what the model saw.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from entrepot.i18n.messages import speaker
from entrepot.messages import N_, Message, Number, Param, Word

_RATIO = re.compile(r"^customer0_amount_ratio_(\d+)d$")
#: Characters of a text value kept in an explanation.
TEXT_LIMIT = 40


@dataclass(frozen=True)
class AmountRatio:
    """For the rows being explained, the model's amount / customer-mean ratio."""

    column: str  # the upload's amount column
    days: int
    values: np.ndarray  # one per explained row, NaN when the customer has no past


def amount_ratio(
    feature_names: Sequence[str], x: np.ndarray, amount_column: str | None
) -> AmountRatio | None:
    """The ratio feature of a model's matrix ``x`` (explained rows only), if it has one."""
    if amount_column is None:
        return None
    for j, name in enumerate(feature_names):
        matched = _RATIO.fullmatch(name)
        if matched:
            return AmountRatio(amount_column, int(matched.group(1)), np.asarray(x[:, j], float))
    return None


def cell_value(value: Any) -> Param:
    """A cell as an explanation shows it: a number, a word (missing, yes, no) or its text cut
    at :data:`TEXT_LIMIT`."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return Word(N_("common.missing"))
    if isinstance(value, bool):
        return Word(N_("common.yes") if value else N_("common.no"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
        return Number(value, 2)
    if pd.isna(value):
        return Word(N_("common.missing"))
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def value_text(value: Any) -> str:
    """A cell as people read it in English: ``2,340``, ``12.50``, ``missing``."""
    return speaker("en").value(cell_value(value))


def category_value(value: Any) -> Param:
    """A category's cell as an explanation shows it: a number as its digits, never grouped
    (a merchant category code ``5411``, not ``5,411``); else as :func:`cell_value`."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return cell_value(value)


def in_parts(
    frame: pd.DataFrame,
    rows: np.ndarray,
    pushed: np.ndarray,
    labels: list[str],
    ratio: AmountRatio | None = None,
    *,
    top: int = 3,
    minimum: float = 1e-3,
    categories: frozenset[str] = frozenset(),
) -> list[tuple[Message, ...]]:
    """For each of ``rows`` (positions in ``frame``), the ``top`` columns of ``pushed``
    ``(len(rows), len(labels))`` pushing its score up, each a message naming the column and
    the row's value (and the amount's ratio to the customer's mean); none when none does.
    A column of ``categories`` shows its values as :func:`category_value`."""
    if len(rows) == 0:
        return []
    k = min(top, len(labels))
    order = np.argsort(-pushed, axis=1, kind="stable")[:, :k]
    # each cited column's cells of ``rows`` taken once (a cell at a time cost 6 µs)
    cited = np.unique(order[~(np.take_along_axis(pushed, order, axis=1) <= minimum)])
    cells = {j: frame.iloc[rows, j].to_numpy(dtype=object) for j in cited.tolist()}
    out = []
    for i in range(len(rows)):
        parts = []
        for j in order[i].tolist():
            if pushed[i, j] <= minimum:
                continue
            label = labels[j]
            value = (category_value if label in categories else cell_value)(cells[j][i])
            if ratio is not None and label == ratio.column and math.isfinite(ratio.values[i]):
                times = Number(float(ratio.values[i]), 1)
                parts.append(
                    Message(
                        N_("explanation.ratio"),
                        {"column": label, "value": value, "ratio": times, "days": ratio.days},
                    )
                )
            else:
                parts.append(Message(N_("explanation.cell"), {"column": label, "value": value}))
        out.append(tuple(parts))
    return out
