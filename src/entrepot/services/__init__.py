"""Services that join the object store and the catalog: the write protocol, gc and verify.

They take the narrowest store capabilities they need and a unit-of-work factory; they
never import a concrete store adapter.
"""

from entrepot.services.gc import GcCandidate, GcReport, collect_garbage
from entrepot.services.objects import ObjectService, ObjectStore
from entrepot.services.verify import Problem, ProblemKind, VerifyReport, verify_catalog

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
