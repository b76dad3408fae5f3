"""The model registry: versioned, verified, cached models with manifests and aliases.

Use :class:`Registry` (``entrepot.registry.service``); ``entrepot models`` is its CLI.
"""

from entrepot.registry.manifest import Column, FileEntry, Manifest
from entrepot.registry.pull import PulledModel
from entrepot.registry.service import Registry, VersionDetails
from entrepot.registry.verify import ModelsReport, VersionProblem

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
