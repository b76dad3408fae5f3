"""The transaction's own fields beside a flagged row's score, as a case-management queue
shows them: its amount, its time, its customer and its merchant or terminal, found by the
roles the dataset's analysis gave its columns (the roles a person named at upload
included). Kept with each top row of a prediction (``fields``), so the review page reads
no file: ``[{"role": "amount", "column": "TX_AMOUNT", "value": 57.16}, ...]``, the time as
ISO 8601 text (parsed with the column's own format; its text as it is when it does not
parse), the others as the cells are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from entrepot.fraud.tables.timeparse import parse_times
from entrepot.fraud_service.summary import cell

#: The roles shown, in this order: ``amount``, ``time``, ``customer``, ``counterparty``.
FIELD_ROLES = ("amount", "time", "customer", "counterparty")


def field_columns(analysis: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    """``(role, column, time format)`` of the first column of each role in ``analysis``
    (a dataset's analysis as stored), in :data:`FIELD_ROLES` order; a role without a
    column is left out."""
    columns = [c for c in analysis.get("columns", []) if isinstance(c, Mapping)]

    def first(test: Any) -> Mapping[str, Any] | None:
        return next((c for c in columns if test(c)), None)

    time_name = analysis.get("time_column")
    found = {
        "amount": first(lambda c: c.get("role") == "amount"),
        "time": first(lambda c: c.get("name") == time_name)
        if time_name
        else first(lambda c: c.get("role") == "timestamp"),
        "customer": first(
            lambda c: c.get("role") == "entity" and c.get("entity_kind") == "customer"
        ),
        "counterparty": first(
            lambda c: c.get("role") == "entity" and c.get("entity_kind") == "counterparty"
        ),
    }
    return [
        (role, str(column["name"]), column.get("time_format"))
        for role in FIELD_ROLES
        if (column := found[role]) is not None
    ]


def row_fields(
    frame: pd.DataFrame, analysis: Mapping[str, Any], rows: Iterable[int]
) -> dict[int, list[dict[str, Any]]]:
    """The fields of each upload row number in ``rows`` (from 1) of ``frame``."""
    wanted = [r for r in dict.fromkeys(rows) if 1 <= r <= len(frame)]
    if not wanted:
        return {}
    positions = [r - 1 for r in wanted]
    shown: dict[int, list[dict[str, Any]]] = {r: [] for r in wanted}
    for role, column, fmt in field_columns(analysis):
        if column not in frame.columns:
            continue
        values = frame[column].iloc[positions].reset_index(drop=True)
        texts = [cell(v) for v in values]
        if role == "time" and fmt:
            try:
                parsed = parse_times(values, fmt)
            except (ValueError, TypeError):
                parsed = None
            if parsed is not None:
                texts = [
                    t if pd.isna(p) else pd.Timestamp(p).isoformat()
                    for t, p in zip(texts, parsed, strict=True)
                ]
        for row, value in zip(wanted, texts, strict=True):
            if value is not None and value != "":
                shown[row].append({"role": role, "column": column, "value": value})
    return shown
