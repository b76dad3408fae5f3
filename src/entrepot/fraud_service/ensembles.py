"""The one-member ensemble of a user's model, built from the registry's verified files.

Mirrors :func:`entrepot.fraud.assemble.from_folder` with a model object already loaded by
the registry (which checked its signature) instead of a file on disk: columns with the
model's input names are used as they are, others matched by similarity; when every column
keeps its name, the model's training tail feeds the behaviour features.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from entrepot.fraud.ensemble import Ensemble, feature_coverage, make_members
from entrepot.fraud.errors import MissingColumns
from entrepot.fraud.library import decode_schema
from entrepot.fraud.matching import ReferenceIndex
from entrepot.fraud.model import FraudModel
from entrepot.fraud.upload import Upload


def single_model(
    model: FraudModel,
    schema: Mapping[str, Any],
    performance: Mapping[str, Any],
    upload: Upload,
    *,
    name: str,
    version: str,
) -> Ensemble:
    """The ensemble that applies ``model`` to ``upload``."""
    mapping = {c: c for c in model.input_columns if c in upload.analysis.feature_columns}
    similarity, confidence = 1.0, dict.fromkeys(mapping, 1.0)
    signature = decode_schema(schema.get("signature", []))
    if signature:
        index = ReferenceIndex([name], [signature])
        match = index.match(upload.columns, top=1, threshold=0.0).candidates[0]
        similarity = match.score
        for col in match.columns:
            if col.upload not in mapping and col.model not in mapping.values():
                mapping[col.upload] = col.model
                confidence[col.upload] = col.confidence
    coverage, columns = feature_coverage(model, set(mapping.values()))
    if coverage == 0.0:
        raise MissingColumns(
            f"the file supplies none of the inputs of model {name}: it reads "
            + ", ".join(model.input_columns)
        )
    validation = performance.get("validation", {}).get("auprc") or 0.0
    members = make_members(
        [
            {
                "name": name,
                "version": version,
                "similarity": max(similarity, 1e-6),
                "validation_auprc": max(float(validation), 1e-6),
                "coverage": coverage,
                "column_coverage": columns,
                "threshold": model.threshold,
                "mapping": mapping,
                "confidence": confidence,
                "history": all(up == col for up, col in mapping.items()),
            }
        ]
    )
    return Ensemble(tuple(members), (model,))
