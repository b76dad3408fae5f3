"""Models saved before the engine was grouped into concept packages (November 2026) name
their classes by the old flat paths (``entrepot.fraud.model.FraudModel``,
``entrepot.fraud.features.FeatureBuilder``...). :func:`accept_old_pickles` makes those
paths resolve to the modules that hold the classes now, so such models keep loading; it is
called by every loader of a saved model, never at import time."""

from __future__ import annotations

import importlib
import sys

#: Where each module of the flat layout went (the old ``entrepot.fraud.model`` is this
#: package, whose ``FraudModel`` attribute the package resolves itself).
MOVED = {
    "entrepot.fraud.anomaly": "entrepot.fraud.model.anomaly",
    "entrepot.fraud.behaviour": "entrepot.fraud.model.behaviour",
    "entrepot.fraud.calibration": "entrepot.fraud.model.calibration",
    "entrepot.fraud.features": "entrepot.fraud.model.features",
    "entrepot.fraud.linear": "entrepot.fraud.model.linear",
    "entrepot.fraud.metrics": "entrepot.fraud.model.metrics",
    "entrepot.fraud.analysis": "entrepot.fraud.schema.analysis",
    "entrepot.fraud.roles": "entrepot.fraud.schema.roles",
    "entrepot.fraud.target": "entrepot.fraud.schema.target",
    "entrepot.fraud.signature": "entrepot.fraud.match.signature",
    "entrepot.fraud.timeparse": "entrepot.fraud.tables.timeparse",
    "entrepot.fraud.values": "entrepot.fraud.tables.values",
}


def accept_old_pickles() -> None:
    """Register the old module paths as aliases of the new modules (idempotent)."""
    for old, new in MOVED.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)
