"""Import a folder of existing models into the registry as reference models.

The layout is the seeds' ``automl_models/``: one folder per model, named after it, holding
the model file, a feature pipeline, ``performance.json`` and optionally ``metadata.json``::

    automl_models/
      dataset1/  xgboost_model.joblib  feature_engineer.joblib  performance.json  metadata.json

Each folder becomes a version of the model of the same name (every file stored with its
sha256, the manifest last) and a reference model pointing at it. ``performance.json``'s
numbers become the metrics (nested keys joined by ``_``); ``metadata.json`` is kept as the
version's metadata and may name the ``domain``, the ``model_file`` and the input columns
(``input_schema``, ``columns`` or ``features``: a list of names, of ``{name, dtype}``, or a
name -> dtype object).

The registry's rules hold: a pickle from outside never loads. Folders holding pickles are
refused unless ``untrusted``, which stores them unsigned (kept with their checksums, never
unpickled) and leaves their reference inactive, or ``trust``, the operator's word that they
trust them (:mod:`entrepot.registry.vouch`, ADR 0091): signed, the vouching recorded in the
manifest and the audit log. References are inactive unless ``activate``: the fraud engine
offers only the active ones, and a model from elsewhere must first be checked to load as
one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entrepot.errors import EntrepotError
from entrepot.messages import N_, Message
from entrepot.registry.errors import InvalidModelFiles, InvalidName
from entrepot.registry.flavors import file_flavor, holds_pickle
from entrepot.registry.names import check_name, check_segment
from entrepot.registry.records import ImportResult
from entrepot.registry.request import collect_files
from entrepot.registry.service import Registry
from entrepot.registry.vouch import Vouch, vouched

PERFORMANCE = "performance.json"
METADATA = "metadata.json"
#: Words that mark a file as a preprocessing step rather than the model.
_NOT_THE_MODEL = ("feature", "pipeline", "selector", "encoder", "scaler", "engineer", "preproc")
_SCHEMA_KEYS = ("input_schema", "columns", "features", "feature_names")


@dataclass(frozen=True, slots=True)
class TreeModel:
    """One model folder, read and checked, ready to push."""

    name: str
    folder: Path
    model_file: str
    pickles: tuple[str, ...]
    metrics: Mapping[str, float]
    metadata: Mapping[str, Any]
    input_schema: tuple[tuple[str, str], ...]
    domain: str


def read_model(folder: Path, *, domain: str) -> TreeModel:
    """Read and check one model folder; raises a registry error saying what is wrong."""
    name = check_name(folder.name)
    files = collect_files([folder])
    metadata = _json_object(folder / METADATA) if (folder / METADATA).is_file() else {}
    metrics = (
        _flatten(_json_object(folder / PERFORMANCE)) if (folder / PERFORMANCE).is_file() else {}
    )
    where = metadata.get("domain", domain)
    if not isinstance(where, str):
        raise InvalidModelFiles(
            f"{folder / METADATA}: domain must be text",
            said=Message(N_("error.registry.domain_not_text"), {"file": str(folder / METADATA)}),
        )
    return TreeModel(
        name=name,
        folder=folder,
        model_file=_model_file(folder, files, metadata.get("model_file")),
        pickles=tuple(sorted(path for path, local in files.items() if holds_pickle(local))),
        metrics=metrics,
        metadata=metadata,
        input_schema=_schema(metadata, folder),
        domain=check_segment(where, "domain"),
    )


def import_tree(
    registry: Registry,
    root: Path,
    *,
    domain: str = "imported",
    untrusted: bool = False,
    trust: Vouch | None = None,
    activate: bool = False,
    dry_run: bool = False,
    on_result: Callable[[ImportResult], None] | None = None,
) -> list[ImportResult]:
    """Import every model folder under ``root`` (see the module docstring); a folder that
    is already a reference is skipped, a bad one refused with the reason, the others go on.
    ``trust``: the operator vouches for the folders' pickles (signed, recorded)."""
    if not root.is_dir():
        raise InvalidModelFiles(
            f"{root} is not a folder",
            hint="pass the automl_models/ folder",
            said=Message(N_("error.registry.not_a_folder"), {"folder": str(root)}),
        )
    existing = {r.name: r for r in registry.references()}
    results = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        result = _one(registry, folder, existing, domain, (untrusted, trust), activate, dry_run)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _one(
    registry: Registry,
    folder: Path,
    existing: Mapping[str, Any],
    domain: str,
    pickles: tuple[bool, Vouch | None],
    activate: bool,
    dry_run: bool,
) -> ImportResult:
    untrusted, trust = pickles
    try:
        model = read_model(folder, domain=domain)
    except (InvalidName, InvalidModelFiles) as exc:
        return ImportResult(folder.name, "refused", str(exc))
    if model.name in existing:
        ref = existing[model.name]
        return ImportResult(
            model.name, "skipped", f"already a reference ({ref.model_name}@{ref.model_version})"
        )
    if model.pickles and not untrusted and trust is None:
        return ImportResult(
            model.name,
            "refused",
            f"holds pickles from outside ({', '.join(model.pickles)}): loading them would run "
            "their code. Save them as skops or native booster files, pass --trust if you "
            "trust them (signed, recorded in the audit log), or --untrusted to store them "
            "unsigned (kept and checksummed, never loaded)",
        )
    vouching = trust if model.pickles else None
    signed = not model.pickles or vouching is not None
    active = activate and signed
    summary = (
        f"model file {model.model_file}, {len(model.metrics)} metric(s), domain {model.domain}"
    )
    if dry_run:
        return ImportResult(model.name, "would import", summary, signed=signed)
    source = str(model.folder.resolve())
    metadata: dict[str, Any] = {"imported": dict(model.metadata)}
    tags = {"source": "import-tree", "domain": model.domain}
    if vouching is not None:
        metadata, tags = vouched(metadata, tags, vouching, source)
    try:
        version = registry.push(
            [model.folder],
            model.name,
            metrics=model.metrics,
            metadata=metadata,
            input_schema=model.input_schema,
            tags=tags,
            lineage={"imported_from": source},
            model_file=model.model_file,
            sign=signed,
            admit=None if vouching is None else vouching.admit(source),
        )
        registry.add_reference(
            model.name,
            model=model.name,
            version=version.version,
            domain=model.domain,
            input_schema=model.input_schema,
            metrics=model.metrics,
            active=active,
        )
    except EntrepotError as exc:
        return ImportResult(model.name, "refused", str(exc))
    state = "active" if active else "inactive"
    trusted = "signed, trusted by the operator" if vouching is not None else "signed"
    signing = trusted if signed else "unsigned (its pickles will never load)"
    return ImportResult(
        model.name,
        "imported",
        f"{summary}; {signing}; reference {state}; manifest sha256 {version.manifest_sha256}",
        version=version.version,
        signed=version.signature is not None,
    )


def _model_file(folder: Path, files: Mapping[str, Path], named: Any) -> str:
    if named is not None:
        if not isinstance(named, str) or named not in files:
            raise InvalidModelFiles(
                f"{folder / METADATA}: model_file {named!r} is not in the folder",
                said=Message(
                    N_("error.registry.model_file_not_in_folder"),
                    {"file": str(folder / METADATA), "model_file": str(named)},
                ),
            )
        return named
    candidates = [path for path, local in sorted(files.items()) if file_flavor(local) is not None]
    if not candidates:
        raise InvalidModelFiles(
            f"{folder} holds no model file (joblib, pickle, skops, safetensors, torch, LightGBM "
            "or XGBoost)",
            said=Message(N_("error.registry.folder_without_model"), {"folder": str(folder)}),
        )
    models = [p for p in candidates if not any(w in Path(p).stem.lower() for w in _NOT_THE_MODEL)]
    named_model = [p for p in models if "model" in Path(p).stem.lower()]
    for choice in (named_model, models, candidates):
        if len(choice) == 1:
            return choice[0]
    raise InvalidModelFiles(
        f"cannot tell which file of {folder} holds the model ({', '.join(candidates)})",
        hint=f'name it in {METADATA}: {{"model_file": "..."}}',
        said=Message(
            N_("error.registry.which_model_file"),
            {"folder": str(folder), "files": ", ".join(candidates), "metadata": METADATA},
        ),
    )


def _json_object(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidModelFiles(
            f"cannot read {path}: {exc}",
            said=Message(
                N_("error.registry.unreadable_json"), {"file": str(path), "detail": str(exc)}
            ),
        ) from None
    if not isinstance(loaded, dict):
        raise InvalidModelFiles(
            f"{path} must hold a JSON object",
            said=Message(N_("error.registry.not_a_json_object"), {"file": str(path)}),
        )
    return loaded


def _flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """The finite numbers of a nested JSON object, keys joined by ``_``."""
    found: dict[str, float] = {}
    for key, value in values.items():
        name = f"{prefix}_{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            found.update(_flatten(value, name))
        elif _number(value) and len(name) <= 128:
            found[name] = float(value)
    return found


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _schema(metadata: Mapping[str, Any], folder: Path) -> tuple[tuple[str, str], ...]:
    raw = next((metadata[k] for k in _SCHEMA_KEYS if k in metadata), None)
    if raw is None:
        return ()
    if isinstance(raw, dict):
        pairs = [(str(k), str(v)) for k, v in raw.items()]
    elif isinstance(raw, list) and all(isinstance(c, str) for c in raw):
        pairs = [(c, "unknown") for c in raw]
    elif isinstance(raw, list) and all(isinstance(c, dict) and "name" in c for c in raw):
        pairs = [(str(c["name"]), str(c.get("dtype", "unknown"))) for c in raw]
    else:
        raise InvalidModelFiles(
            f"{folder / METADATA}: the input columns must be a list of names, a list of "
            "{name, dtype} objects or a name -> dtype object",
            said=Message(N_("error.registry.bad_input_columns"), {"file": str(folder / METADATA)}),
        )
    return tuple(pairs)
