"""Which kind of model a set of files is, which file holds it, and which libraries made it."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from entrepot.registry.errors import InvalidModelFiles

PICKLE_SUFFIXES = frozenset({".joblib", ".pkl", ".pickle"})
TORCH_SUFFIXES = frozenset({".pt", ".pth"})
#: Every flavor, in detection order.
FLAVORS = ("pytorch", "safetensors", "skops", "sklearn", "lightgbm", "xgboost", "raw")
_BY_SUFFIX = (
    ("pytorch", TORCH_SUFFIXES),
    ("safetensors", frozenset({".safetensors"})),
    ("skops", frozenset({".skops"})),
    ("sklearn", PICKLE_SUFFIXES),
)
_BOOSTER_SUFFIXES = frozenset({".txt", ".json", ".ubj", ".lgb", ".model"})
_LIBRARIES = {
    "sklearn": ("scikit-learn", "lightgbm", "xgboost", "joblib"),
    "skops": ("scikit-learn", "skops"),
    "pytorch": ("torch",),
    "safetensors": ("safetensors", "torch"),
    "lightgbm": ("lightgbm",),
    "xgboost": ("xgboost",),
    "raw": (),
}


def is_pickle(path: str | Path) -> bool:
    """Whether loading ``path`` would unpickle it."""
    return Path(path).suffix.lower() in PICKLE_SUFFIXES


def file_flavor(path: Path) -> str | None:
    """The flavor a single file holds, judged by suffix (and content for boosters)."""
    suffix = path.suffix.lower()
    for flavor, suffixes in _BY_SUFFIX:
        if suffix in suffixes:
            return flavor
    if suffix in _BOOSTER_SUFFIXES:
        return _booster_kind(path)
    return None


def detect(
    files: Mapping[str, Path], *, flavor: str | None = None, model_file: str | None = None
) -> tuple[str, str | None]:
    """The flavor of a version's ``files`` (path in the version -> local file) and the path
    of the file holding the model (``None`` for raw files).

    ``model_file`` and ``flavor`` override detection; raises :class:`InvalidModelFiles` for
    an unknown flavor, a model file that is not pushed, or several equally likely ones.
    """
    if flavor is not None and flavor not in FLAVORS:
        raise InvalidModelFiles(
            f"unknown flavor {flavor!r}", hint=f"use one of: {', '.join(FLAVORS)}"
        )
    if flavor == "raw":
        return "raw", None
    if model_file is not None:
        if model_file not in files:
            raise InvalidModelFiles(
                f"model file {model_file!r} is not among the files pushed",
                hint=f"pick one of: {', '.join(sorted(files))}",
            )
        found = flavor or file_flavor(files[model_file])
        if found is None:
            raise InvalidModelFiles(
                f"cannot tell which kind of model {model_file!r} holds",
                hint=f"pass the flavor ({', '.join(FLAVORS)})",
            )
        return found, model_file
    kinds = {path: file_flavor(local) for path, local in sorted(files.items())}
    for candidate in FLAVORS:
        if flavor is not None and candidate != flavor:
            continue
        matches = [path for path, kind in kinds.items() if kind == candidate]
        if len(matches) > 1:
            raise InvalidModelFiles(
                f"several {candidate} model files: {', '.join(matches)}",
                hint="name the one to load with --model-file",
            )
        if matches:
            return candidate, matches[0]
    if flavor is not None:
        raise InvalidModelFiles(f"no {flavor} model file among: {', '.join(sorted(files))}")
    return "raw", None


def framework_versions(flavor: str) -> dict[str, str]:
    """Python and the flavor's library versions installed here (read without importing)."""
    found = {"python": platform.python_version()}
    for dist in _LIBRARIES.get(flavor, ()):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


def _booster_kind(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    if head.startswith(b"tree\n") or b"\nversion=v" in head[:200]:
        return "lightgbm"
    suffix = path.suffix.lower()
    if suffix == ".ubj":
        return "xgboost"
    if suffix == ".json" and head.lstrip().startswith(b"{") and b'"learner"' in head:
        try:
            body = json.loads(path.read_bytes())
        except (ValueError, OSError):
            return None
        if isinstance(body, dict) and "learner" in body:
            return "xgboost"
    return None
