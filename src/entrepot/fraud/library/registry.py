"""The reference library over the model registry: the seam's two protocols, implemented
with :class:`entrepot.registry.Registry`.

A reference ``NAME`` is a model ``NAME`` in the registry (its folder pushed as a signed
version: ``model.joblib``, ``performance.json``, ``schema.json``) and a row of the
``reference_models`` table pointing at that version, with the domain, the metrics and the
column signatures as the input schema's type strings (:meth:`ColumnSignature.encode`).
Matching reads only the table; a model is pulled, verified and unpickled when a match
needs it, once per version (a reference's version never changes its bytes). Used by the
CLI and by the web service, from several threads.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot.fraud.library.libraries import (
    Claims,
    NoClaims,
    ReferenceInfo,
    UnknownReference,
    decode_schema,
)
from entrepot.fraud.library.trained import MODEL_FILE
from entrepot.fraud.model.moved import accept_old_pickles
from entrepot.fraud.model.saved import FraudModel
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from entrepot.catalog.models.records import ReferenceModelRecord
    from entrepot.registry import Registry

#: Tag that marks the registry models pushed as fraud references.
ROLE_TAG = ("role", "fraud-reference")


class RegistryLibrary:
    """:class:`~entrepot.fraud.library.libraries.ReferenceSource` and ``ReferenceSink`` over a
    registry's shared namespace (reference models belong to no user)."""

    def __init__(self, registry: Registry, claims: Claims | None = None) -> None:
        if registry.owner is not None:
            raise ValueError("reference models live in the shared namespace")
        self._registry = registry
        self._claims = claims or NoClaims()
        self._models: dict[tuple[str, str], FraudModel] = {}
        self._lock = threading.Lock()

    def names(self) -> frozenset[str]:
        return frozenset(r.name for r in self._registry.references())

    def claims(self) -> Claims:
        """The catalog's leases, so that every builder sharing the catalog (the server's
        first start, ``fraud build-references``, other machines) builds each once."""
        return self._claims

    def references(self) -> list[ReferenceInfo]:
        return [_info(r) for r in self._registry.references(active=True)]

    def add(self, info: ReferenceInfo, folder: Path) -> ReferenceInfo:
        schema = [(c.name, c.encode()) for c in info.columns]
        metadata: dict[str, Any] = {"fraud_reference": dict(info.details)}
        version = self._registry.push(
            [folder],
            info.name,
            metrics=info.metrics,
            input_schema=schema,
            tags={ROLE_TAG[0]: ROLE_TAG[1], "domain": info.domain},
            metadata=metadata,
            flavor="sklearn",
            model_file=MODEL_FILE,
        )
        self._registry.add_reference(
            info.name,
            model=info.name,
            version=version.version,
            domain=info.domain,
            input_schema=schema,
            metrics=info.metrics,
            active=info.active,
        )
        return replace(info, version=version.version)

    def load(self, name: str) -> FraudModel:
        record = self._record(name)
        key = (record.model_name, record.model_version)
        with self._lock:
            cached = self._models.get(key)
        if cached is not None:
            return cached
        accept_old_pickles()
        model = self._registry.load(record.model_name, record.model_version)
        if not isinstance(model, FraudModel):
            raise UnknownReference(
                f"reference {name!r} points at {record.model_name}@{record.model_version}, "
                f"which holds a {type(model).__name__}, not a fraud model",
                said=Message(
                    N_("error.reference.not_fraud_model"),
                    {"name": name, "model": f"{record.model_name}@{record.model_version}"},
                ),
            )
        with self._lock:
            return self._models.setdefault(key, model)

    def record_use(self, name: str, score: float) -> None:
        self._record(name)
        self._registry.record_reference_use(name, min(max(float(score), 0.0), 1.0))

    def _record(self, name: str) -> ReferenceModelRecord:
        for record in self._registry.references():
            if record.name == name:
                return record
        raise UnknownReference(
            f"no reference model named {name!r} in the registry",
            said=Message(N_("error.reference.unknown"), {"name": name[:80]}),
        )


def _info(record: ReferenceModelRecord) -> ReferenceInfo:
    return ReferenceInfo(
        name=record.name,
        domain=record.domain,
        columns=decode_schema(record.input_schema),
        metrics={k: float(v) for k, v in record.metrics.items()},
        version=record.model_version,
        active=record.active,
        details={"model": f"{record.model_name}@{record.model_version}"},
    )
