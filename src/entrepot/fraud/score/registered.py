"""Ensembles kept in the model registry: an unlabelled file's ensemble saved as a model
of its owner (seed 000), and the one way to load anything ``--model``/``model_id`` names.

A saved ensemble is a signed version holding ``ensemble.joblib`` (the members and their
models, unpickled only under this installation's signature) and ``ensemble.json`` (members,
weights, thresholds and column mappings, no code), with ``params.kind = "ensemble"`` and
the same description in the manifest's metadata, so listings show it without unpickling.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from entrepot import temp_names
from entrepot.fraud.errors import FraudError
from entrepot.fraud.library.trained import load_opened
from entrepot.fraud.model.moved import accept_old_pickles
from entrepot.fraud.score.assemble import from_model
from entrepot.fraud.score.ensemble import Ensemble
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from entrepot.catalog.models.records import ModelVersionRecord
    from entrepot.fraud.match.description import Upload
    from entrepot.registry import Registry
    from entrepot.registry.opened import OpenedVersion

#: The pickled ensemble of a saved-ensemble version.
ENSEMBLE_MODEL = "ensemble.joblib"
#: Its description, readable without unpickling.
ENSEMBLE_DESCRIPTION = "ensemble.json"
#: ``params["kind"]`` of a saved ensemble.
ENSEMBLE_KIND = "ensemble"


def describe_ensemble(ensemble: Ensemble) -> dict[str, Any]:
    """Members, weights, thresholds and column mappings (plain JSON)."""
    return {
        "threshold": round(ensemble.threshold, 6),
        "members": [
            {
                "name": m.name,
                "version": m.version,
                "weight": round(m.weight, 6),
                "threshold": round(m.threshold, 6),
                "similarity": round(m.similarity, 6),
                "mapping": dict(m.mapping),
            }
            for m in ensemble.members
        ],
    }


def register_ensemble(
    registry: Registry,
    ensemble: Ensemble,
    name: str,
    *,
    lineage: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
    temp_dir: Path | None = None,
) -> ModelVersionRecord:
    """Push ``ensemble`` as a new signed version of ``name``."""
    import joblib

    description = describe_ensemble(ensemble)
    with tempfile.TemporaryDirectory(
        dir=temp_dir, prefix=temp_names.work_prefix(temp_names.MODEL, temp_dir)
    ) as tmp:
        folder = Path(tmp)
        joblib.dump(ensemble, folder / ENSEMBLE_MODEL)
        (folder / ENSEMBLE_DESCRIPTION).write_text(
            json.dumps(description, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        return registry.push(
            [folder],
            name,
            metrics={"members": float(len(ensemble.members))},
            params={"kind": ENSEMBLE_KIND, "threshold": f"{ensemble.threshold:.6f}"},
            metadata={"ensemble": description},
            lineage=lineage,
            tags=tags,
            flavor="sklearn",
            model_file=ENSEMBLE_MODEL,
        )


def is_ensemble(record: ModelVersionRecord) -> bool:
    """Whether ``record`` is a saved ensemble."""
    return record.params.get("kind") == ENSEMBLE_KIND


def load_scorer(opened: OpenedVersion, upload: Upload) -> Ensemble:
    """What scores ``upload`` for a registry model's version, resolved once
    (:meth:`Registry.open`): a saved ensemble as saved (its mappings name the columns it was
    made for), or a trained model as a one-member ensemble matched to ``upload``'s
    columns."""
    record = opened.version
    if not is_ensemble(record):
        found = load_opened(opened)
        return from_model(
            found.model,
            found.schema,
            found.performance,
            upload,
            name=found.name,
            version=found.version,
        )
    accept_old_pickles()
    loaded = opened.load()
    if not isinstance(loaded, Ensemble):
        raise FraudError(
            f"{record.name}@{record.version} holds a {type(loaded).__name__}, not an ensemble",
            said=Message(
                N_("error.fraud.not_an_ensemble"), {"model": f"{record.name}@{record.version}"}
            ),
        )
    present = {column.name for column in upload.columns}
    missing = sorted({c for m in loaded.members for c in m.mapping} - present)
    if missing:
        raise FraudError(
            f"the ensemble {record.name} was made for columns this file lacks: "
            + ", ".join(missing[:10]),
            hint="score a file with the columns of the one it was saved from, or apply the "
            "reference models to this file again",
            said=Message(
                N_("error.fraud.ensemble_columns"),
                {"ensemble": record.name, "columns": ", ".join(missing[:10])},
            ),
        )
    return loaded
