"""Assemble the ensemble that scores an upload: from the reference library, or from one
trained model folder (or a saved ensemble).

With the library, the upload is matched to every active reference
(``entrepot.fraud.match.matching``); the top 3 above the threshold become the members, each
with its mapping (the top 3 of the library as it stood when each was added: a later
reference never takes an earlier one's place, :func:`earlier_best`), and a schema that
matches nothing is refused with the closest references and what to do. A single trained
model is applied through its own mapping: columns with the model's input names are used
as they are, others matched by similarity. When every column keeps its name, the file is
taken to continue the model's own data and the model's training tail feeds the behaviour
features (a customer's past days); a renamed file is another source, whose customers are
not the training data's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from entrepot.fraud.errors import FraudError, MissingColumns, NoMatchingReference, NoReferences
from entrepot.fraud.library.libraries import ReferenceInfo, ReferenceSource, decode_schema
from entrepot.fraud.match.description import Upload
from entrepot.fraud.match.matching import Match, MatchResult, ReferenceIndex
from entrepot.fraud.model.saved import FraudModel
from entrepot.fraud.score.ensemble import ENSEMBLE_FILE, Ensemble, feature_coverage, make_members
from entrepot.messages import N_, Message, Number
from entrepot.registry.keyring import KeyRing

_INDEX_CACHE: dict[tuple[tuple[str, str], ...], ReferenceIndex] = {}


def index_of(infos: Sequence[ReferenceInfo]) -> ReferenceIndex:
    """The match index of ``infos``, built once per set of (name, version)."""
    key = tuple((i.name, i.version) for i in infos)
    if key not in _INDEX_CACHE:
        _INDEX_CACHE.clear()
        _INDEX_CACHE[key] = ReferenceIndex([i.name for i in infos], [i.columns for i in infos])
    return _INDEX_CACHE[key]


def match_upload(upload: Upload, library: ReferenceSource, *, top: int = 3) -> MatchResult:
    """Match ``upload`` against the library's active references."""
    infos = list(library.references())
    if not infos:
        raise NoReferences(
            "the reference library holds no active model",
            said=Message(N_("error.fraud.no_references")),
        )
    return index_of(infos).match(upload.columns, top=top)


def refusal(result: MatchResult, what: str = "the file") -> NoMatchingReference:
    """The error for a schema that matches no reference, naming the closest ones."""
    closest = "; ".join(f"{m.reference} {m.score:.2f}" for m in result.below) or "none"
    return NoMatchingReference(
        f"no reference model matches the columns of {what}: the closest score under the "
        f"threshold of {result.threshold:.2f} ({closest}) among {result.references} "
        "references, so scoring it would be guesswork",
        said=Message(
            N_("error.fraud.no_matching_reference"),
            {
                "closest": closest,
                "threshold": Number(result.threshold, 2),
                "references": result.references,
            },
        ),
    )


def from_library(
    upload: Upload, library: ReferenceSource, *, top: int = 3, what: str = "the file"
) -> tuple[Ensemble, MatchResult]:
    """The ensemble of the best matching references (:func:`earlier_best`); raises
    :class:`NoMatchingReference`."""
    infos = {i.name: i for i in library.references()}
    result = match_upload(upload, library, top=max(len(infos), top))
    if not result.candidates:
        raise refusal(result, what)
    built = {name: (info.version, name) for name, info in infos.items()}
    result = replace(result, candidates=tuple(earlier_best(result.candidates, built, top)))
    entries: list[dict[str, Any]] = []
    models: dict[str, FraudModel] = {}
    for match in result.candidates:
        info = infos[match.reference]
        model = models[match.reference] = library.load(match.reference)
        coverage, columns = feature_coverage(model, set(match.mapping.values()))
        entries.append(
            {
                "name": info.name,
                "version": info.version,
                "similarity": match.score,
                "validation_auprc": float(info.metrics.get("validation_auprc", 0.0)),
                "coverage": coverage,
                "column_coverage": columns,
                "threshold": model.threshold,
                "mapping": match.mapping,
                "confidence": {c.upload: c.confidence for c in match.columns},
                "history": False,
                "base_rate": float(info.metrics.get("base_rate", 0.0)),
            }
        )
    members = make_members(entries)
    return Ensemble(tuple(members), tuple(models[m.name] for m in members)), result


def earlier_best(
    matches: Sequence[Match], built: Mapping[str, tuple[str, str]], top: int
) -> list[Match]:
    """The ``matches`` (best first) among the ``top`` best of the library as it stood when
    each was added (ADR 0096): a reference is a candidate when fewer than ``top``
    references built no later than it (``built``: its version, then its name) match the
    file better. A library's earlier state's candidates so stay candidates as it grows:
    a later reference joins them, it never takes an earlier one's place (with 40
    references the handbook's pool, weighed on its history, lost the retail reference
    that carried it with 13, to three later references matching the names better)."""
    out = []
    for match in matches:
        when = built[match.reference]
        better = sum(
            1
            for other in matches
            if other is not match and built[other.reference] <= when and other.score > match.score
        )
        if better < top:
            out.append(match)
    return out


def from_folder(folder: str | Path, upload: Upload, ring: KeyRing | None) -> Ensemble:
    """The ensemble of a trained model folder (one member), or a saved ensemble; their
    pickles load only if ``ring`` verifies the folder's signature."""
    folder = Path(folder)
    if (folder / ENSEMBLE_FILE).is_file():
        return Ensemble.load(folder, ring)
    if not (folder / "model.joblib").is_file():
        raise FraudError(
            f"{folder} holds neither model.joblib nor {ENSEMBLE_FILE}",
            hint="give the folder written by `entrepot fraud train` or `score --save-ensemble`",
            said=Message(N_("error.fraud.folder_no_model"), {"path": str(folder)}),
        )
    performance = _json(folder / "performance.json")
    return from_model(
        FraudModel.load_signed(folder, "model.joblib", ring),
        _json(folder / "schema.json"),
        performance,
        upload,
        name=folder.name,
        version=str(performance.get("versions", {}).get("entrepot", "")),
    )


def from_model(
    model: FraudModel,
    schema: Mapping[str, Any],
    performance: Mapping[str, Any],
    upload: Upload,
    *,
    name: str,
    version: str,
) -> Ensemble:
    """The one-member ensemble applying an already-loaded ``model`` to ``upload``: columns
    with the model's input names are used as they are, others matched by similarity; when
    every column keeps its name, the model's training tail feeds the behaviour features."""
    # A column bearing a model input's name is that input, whatever role the upload's own
    # analysis gives it (in a file of a few rows every column looks constant).
    present = {c.name for c in upload.analysis.columns}
    mapping = {c: c for c in model.input_columns if c in present}
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
        inputs = ", ".join(model.input_columns)
        raise MissingColumns(
            f"the file supplies none of the inputs of model {name}: it reads {inputs}",
            said=Message(N_("error.no_model_input"), {"model": name, "columns": inputs}),
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
                "base_rate": float(performance.get("data", {}).get("fraud_rate") or 0.0),
            }
        ]
    )
    return Ensemble(tuple(members), (model,))


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
