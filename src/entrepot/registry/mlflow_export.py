"""Export a scikit-learn-compatible version as an MLflow model folder.

The folder is written by MLflow's own ``mlflow.sklearn.save_model`` (``mlflow-skinny`` is
the ``mlflow`` extra), so ``mlflow.pyfunc.load_model`` reads it. The pip requirements come
from the versions the manifest recorded at push time (no environment inference), the input
schema becomes the MLflow signature when every type maps, and the Entrepôt name, version
and manifest sha256 are kept in the ``MLmodel`` metadata. The model is loaded first through
the registry's own checks: an export never opens what ``load`` would refuse.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from entrepot.catalog.models.records import ModelVersionRecord
from entrepot.messages import N_, Message
from entrepot.registry.errors import MissingLibrary, RegistryError, UnexportableFlavor
from entrepot.registry.manifest import Manifest

#: Flavors MLflow's scikit-learn flavor can carry.
EXPORTABLE = frozenset({"sklearn", "skops"})
#: pandas/numpy dtypes -> MLflow column types.
_MLFLOW_TYPES = {
    "float64": "double",
    "float32": "float",
    "int64": "long",
    "int32": "integer",
    "bool": "boolean",
    "boolean": "boolean",
    "object": "string",
    "string": "string",
    "str": "string",
    "category": "string",
    "datetime64[ns]": "datetime",
}


def check_exportable(record: ModelVersionRecord, dest: Path) -> None:
    """Refuse a flavor MLflow's scikit-learn flavor cannot carry, or a used destination."""
    if record.flavor not in EXPORTABLE:  # a usage mistake (exit 2, 400), not a failed check
        raise UnexportableFlavor(
            f"{record.name}@{record.version} is a {record.flavor} model; the MLflow export "
            f"supports scikit-learn-compatible flavors ({', '.join(sorted(EXPORTABLE))})",
            hint="pull the files instead: `entrepot models pull NAME@VERSION DEST`",
            said=Message(
                N_("error.registry.mlflow_flavor"),
                {
                    "model": f"{record.name}@{record.version}",
                    "flavor": record.flavor,
                    "flavors": ", ".join(sorted(EXPORTABLE)),
                },
            ),
        )
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise RegistryError(
            f"{dest} exists and is not an empty folder",
            hint="export into a new folder; MLflow writes the whole folder",
            said=Message(N_("error.registry.mlflow_dest_not_empty"), {"folder": str(dest)}),
        )


def export(model: Any, record: ModelVersionRecord, manifest: Manifest, dest: Path) -> Path:
    """Write ``model`` (already loaded and verified) as an MLflow model folder at ``dest``."""
    mlflow_sklearn, signature_type = _mlflow()
    if dest.exists():
        dest.rmdir()  # checked empty: MLflow insists on creating it
    requirements = sorted(
        f"{dist}=={version}" for dist, version in manifest.framework.items() if dist != "python"
    )
    with _quiet_mlflow():
        mlflow_sklearn.save_model(
            model,
            str(dest),
            serialization_format="cloudpickle",
            pip_requirements=[*requirements, f"cloudpickle=={metadata.version('cloudpickle')}"],
            signature=_signature(manifest, signature_type),
            metadata={
                "entrepot": {
                    "name": record.name,
                    "version": record.version,
                    "manifest_sha256": record.manifest_sha256,
                    "created_by": record.created_by,
                }
            },
        )
    return dest


def _mlflow() -> tuple[Any, Any]:
    try:
        with _quiet_mlflow():
            import mlflow.sklearn
            from mlflow.models import ModelSignature
            from mlflow.types import ColSpec, Schema
    except ImportError:
        raise MissingLibrary(
            "the MLflow export needs mlflow (mlflow-skinny), which is not installed",
            hint="pip install 'entrepot[mlflow]'",
            said=Message(N_("error.registry.mlflow_missing")),
        ) from None

    def signature(columns: list[tuple[str, str]]) -> Any:
        return ModelSignature(inputs=Schema([ColSpec(kind, name) for name, kind in columns]))

    return mlflow.sklearn, signature


@contextlib.contextmanager
def _quiet_mlflow() -> Iterator[None]:
    """Silence the warning MLflow raises about its own type hints as it imports its modules
    (nothing a user can act on); every other warning passes."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*type hint is inferred", category=UserWarning)
        yield


def _signature(manifest: Manifest, build: Any) -> Any:
    if not manifest.input_schema:
        return None
    columns = [(c.name, _MLFLOW_TYPES.get(c.dtype.lower())) for c in manifest.input_schema]
    if any(kind is None for _, kind in columns):
        return None  # a type MLflow cannot check: no signature rather than a wrong one
    return build(columns)
