"""The roles a person names for a training (the time column, the entity columns), checked
against a stored dataset's analysis when the training is asked for: an unknown column is
refused at once (422, the same message keys as the engine's, ADR 0076), never a job that
fails later."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from entrepot.fraud.errors import UnknownColumns
from entrepot.fraud.train.card import Evaluation
from entrepot.fraud_service.named_roles import NamedRoles
from entrepot.messages import N_, Message


def check_roles(
    dataset_name: str,
    columns: Sequence[Mapping[str, Any]],
    time_column: str | None,
    entity_columns: Sequence[str],
) -> None:
    """Raise :class:`UnknownColumns` unless ``time_column`` is a column of dates and each of
    ``entity_columns`` a column of the dataset (``columns``: its analysis's)."""
    names = [str(c.get("name")) for c in columns]
    listed = ", ".join(names)
    if time_column is not None:
        found = next((c for c in columns if str(c.get("name")) == time_column), None)
        if found is None:
            raise UnknownColumns(
                f"dataset {dataset_name} has no column {time_column!r} to order the rows in "
                f"time; its columns are: {listed}",
                hint="name a date column of the file, as written in its header (time_column)",
                said=Message(
                    N_("error.time_column_unknown"), {"column": time_column, "columns": listed}
                ),
            )
        if found.get("role") != "timestamp":
            raise UnknownColumns(
                f"column {time_column!r} of dataset {dataset_name} does not hold dates",
                hint="name a column of dates (2024-03-01 or 2024-03-01 14:05:00)",
                said=Message(N_("error.time_column_not_dates"), {"column": time_column}),
            )
    unknown = [c for c in entity_columns if c not in names]
    if unknown:
        raise UnknownColumns(
            f"dataset {dataset_name} has no column {', '.join(map(repr, unknown))} to use as "
            f"an entity; its columns are: {listed}",
            hint="name a column of the file, as written in its header (entity_columns)",
            said=Message(
                N_("error.entity_column_unknown"),
                {"column": ", ".join(unknown), "columns": listed},
            ),
        )


def with_named_roles(evaluation: Evaluation, analysis: Mapping[str, Any]) -> Evaluation:
    """``evaluation`` with the roles named at the dataset's upload, when the training names
    none of its own (a training that names a role names them all)."""
    if evaluation.time_column is not None or evaluation.entity_columns:
        return evaluation
    kept = NamedRoles.kept(analysis)
    if not kept.named:
        return evaluation
    return dataclasses.replace(
        evaluation, time_column=kept.time_column, entity_columns=kept.entity_columns
    )
