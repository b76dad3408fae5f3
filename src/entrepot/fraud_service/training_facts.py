"""What a finished training shows its user, as data: the model's kind, the search's trials,
its metrics (counts as integers), the model card and the training's notes. A training on
this machine and a training job on a deployed service give the same facts, so the command
line draws one card from them (``cli/fraud/training_view.py``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from entrepot.fraud.library.trained import model_metrics
from entrepot.fraud_service.model_view import counted

#: What the command line shows of each trial of the model search.
TRIAL_FIELDS = ("model", "validation_auprc", "seconds", "iterations")


def training_facts(performance: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of a training from its ``performance.json``; JSON-safe (a figure that is
    not finite reads ``None``), as a job's result stores them."""
    trials = performance.get("selection", {}).get("trials", [])
    return {
        "model_kind": performance.get("model", {}).get("kind"),
        "metrics": counted(model_metrics(performance)),
        "trials": [{k: _finite(t.get(k)) for k in TRIAL_FIELDS} for t in trials],
        "card": _finite(performance.get("card")),
        "warnings": list(performance.get("warnings", [])),
        "warning_messages": list(performance.get("warning_messages", [])),
    }


def _finite(value: Any) -> Any:
    """``value`` with every float that is not finite (and those nested) as ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
