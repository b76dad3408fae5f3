"""The model registry: versioned, verified, cached models with manifests and aliases.

Use :class:`Registry` (``entrepot.registry.service``); ``entrepot models`` is its CLI.
Names are resolved on first use, so importing ``entrepot.registry.errors`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from entrepot.registry.manifest import Column, FileEntry, Manifest
    from entrepot.registry.pull import PulledModel
    from entrepot.registry.service import Registry, VersionDetails
    from entrepot.registry.verify import ModelsReport, VersionProblem

_HOMES = {
    "Column": "manifest",
    "FileEntry": "manifest",
    "Manifest": "manifest",
    "PulledModel": "pull",
    "Registry": "service",
    "VersionDetails": "service",
    "ModelsReport": "verify",
    "VersionProblem": "verify",
}
__all__ = [
    "Column",
    "FileEntry",
    "Manifest",
    "ModelsReport",
    "PulledModel",
    "Registry",
    "VersionDetails",
    "VersionProblem",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'entrepot.registry' has no attribute {name!r}")
    return getattr(import_module(f"entrepot.registry.{_HOMES[name]}"), name)
