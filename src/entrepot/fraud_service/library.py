"""The fraud engine's reference library over the model registry.

Implements :class:`~entrepot.fraud.library.ReferenceSource` and
:class:`~entrepot.fraud.library.ReferenceSink`: each reference is a shared model version
pushed and signed by this installation, and a ``reference_models`` row holding its
domain, column signatures (as the input schema) and metrics. Loaded models are kept in
memory by (name, version): a reference's version never changes its bytes.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from entrepot.fraud.library import ReferenceInfo, UnknownReference, decode_schema
from entrepot.fraud.model import FraudModel
from entrepot.registry.service import Registry

#: The file of a trained model folder that holds the model.
MODEL_FILE = "model.joblib"


class RegistryLibrary:
    """Reference models kept in the model registry (shared namespace)."""

    def __init__(self, registry: Registry) -> None:
        if registry.owner is not None:
            raise ValueError("reference models live in the shared namespace")
        self._registry = registry
        self._models: dict[tuple[str, str], FraudModel] = {}
        self._lock = threading.Lock()

    def names(self) -> frozenset[str]:
        """Every reference name, active or not."""
        return frozenset(r.name for r in self._registry.references())

    def references(self) -> list[ReferenceInfo]:
        """The active references, by name."""
        return [
            ReferenceInfo(
                name=r.name,
                domain=r.domain,
                columns=decode_schema(r.input_schema),
                metrics=dict(r.metrics),
                version=r.model_version,
                active=r.active,
            )
            for r in self._registry.references(active=True)
        ]

    def load(self, name: str) -> FraudModel:
        """The model of reference ``name`` (verified and signature-checked by the registry)."""
        found = {r.name: r for r in self._registry.references()}
        if name not in found:
            raise UnknownReference(f"no reference model named {name!r}")
        record = found[name]
        key = (record.model_name, record.model_version)
        with self._lock:
            model = self._models.get(key)
        if model is None:
            loaded = self._registry.load(record.model_name, record.model_version)
            if not isinstance(loaded, FraudModel):
                raise TypeError(f"reference {name} holds a {type(loaded).__name__}")
            model = loaded
            with self._lock:
                self._models[key] = model
        return model

    def record_use(self, name: str, score: float) -> None:
        """Count one use of ``name`` with its match score."""
        self._registry.record_reference_use(name, min(max(float(score), 0.0), 1.0))

    def add(self, info: ReferenceInfo, folder: Path) -> ReferenceInfo:
        """Push the trained model folder as a shared version and record the reference."""
        schema = [(c.name, c.encode()) for c in info.columns]
        version = self._registry.push(
            [folder],
            info.name,
            metrics=dict(info.metrics),
            metadata={"reference": dict(info.details)},
            input_schema=schema,
            tags={"kind": "fraud-reference", "domain": info.domain},
            flavor="sklearn",
            model_file=MODEL_FILE,
        )
        self._registry.add_reference(
            info.name,
            model=info.name,
            version=version.version,
            domain=info.domain,
            input_schema=schema,
            metrics=dict(info.metrics),
        )
        return replace(info, version=version.version)
