"""Services that join the object store and the catalog: the write protocol, gc and verify,
and the command line's listings.

They take the narrowest store capabilities they need and a unit-of-work factory; they
never import a concrete store adapter. The names below load on first use, so that a
listing (``services/listings.py``) starts without the ORM the others need (ADR 0030).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from entrepot.services.gc import GcCandidate, GcReport, collect_garbage
    from entrepot.services.objects import ObjectService, ObjectStore
    from entrepot.services.verify import Problem, ProblemKind, VerifyReport, verify_catalog

#: Each public name -> the module that defines it.
_HOMES = {
    "GcCandidate": "gc",
    "GcReport": "gc",
    "collect_garbage": "gc",
    "ObjectService": "objects",
    "ObjectStore": "objects",
    "Problem": "verify",
    "ProblemKind": "verify",
    "VerifyReport": "verify",
    "verify_catalog": "verify",
}

__all__ = [
    "GcCandidate",
    "GcReport",
    "ObjectService",
    "ObjectStore",
    "Problem",
    "ProblemKind",
    "VerifyReport",
    "collect_garbage",
    "verify_catalog",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'entrepot.services' has no attribute {name!r}")
    return getattr(import_module(f"entrepot.services.{_HOMES[name]}"), name)
