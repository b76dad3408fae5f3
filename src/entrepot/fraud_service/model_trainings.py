"""Every training of a model, one row per version, as MLflow's runs table lists the runs
of an experiment: when, on how many labelled rows, with what time budget, the test AUPRC
and the learner the search chose. The figures come from each version's catalog row (its
metrics, its ``kind``) and its verified ``performance.json`` (the budget, and the learner
of a version whose row predates ``kind``); a version pushed without one shows what its
row knows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from entrepot.catalog.models.records import ModelVersionRecord
from entrepot.errors import EntrepotError
from entrepot.registry.service import Registry


@dataclass(frozen=True)
class TrainingRow:
    """One version of a model as the trainings table shows it (``None``: not known)."""

    model_id: int
    version: str
    created_at: datetime
    rows: int | None
    budget: float | None
    auprc: float | None
    learner: str | None
    decisions: int | None


def _performance(registry: Registry, record: ModelVersionRecord) -> Mapping[str, Any]:
    try:
        path = registry.file(record.name, record.version, "performance.json")
        found = json.loads(path.read_text(encoding="utf-8"))
    except (EntrepotError, OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _whole(value: object) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return int(value)
    return None


def training_row(registry: Registry, record: ModelVersionRecord) -> TrainingRow:
    """The row of version ``record`` (see the module docstring)."""
    performance = _performance(registry, record)
    timing = performance.get("training_time_seconds") or {}
    budget = timing.get("budget") if isinstance(timing, dict) else None
    auprc = record.metrics.get("auprc")
    learner = record.params.get("kind") or (performance.get("model") or {}).get("kind")
    added = (performance.get("data") or {}).get("added_rows")
    return TrainingRow(
        model_id=record.id,
        version=record.version,
        created_at=record.created_at,
        rows=_whole(record.metrics.get("labelled_rows")),
        budget=float(budget) if isinstance(budget, int | float) else None,
        auprc=None if auprc is None else float(auprc),
        learner=str(learner) if learner else None,
        decisions=_whole(added),
    )


def trainings(registry: Registry, name: str) -> list[TrainingRow]:
    """Every ready version of model ``name``, newest first."""
    return [training_row(registry, r) for r in registry.versions(name)]
