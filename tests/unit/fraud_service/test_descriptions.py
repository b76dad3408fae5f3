"""A model listing reads each saved ensemble's manifest once: the description is kept by
(namespace, manifest key, manifest sha256), for that owner's rows only."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from entrepot.catalog.models.records import ModelState, ModelVersionRecord, NamespaceListing
from entrepot.fraud.score.registered import ENSEMBLE_KIND
from entrepot.fraud_service.descriptions import Descriptions
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.user_models import ModelService
from entrepot.fraud_service.workspace import Workspace


def _record(
    owner: int, name: str, sha: str, *, ensemble: bool = True, id: int = 1
) -> ModelVersionRecord:
    """A ready version; `id` breaks the tie between same-time records (newest id first)."""
    return ModelVersionRecord(
        id=id,
        namespace=str(owner),
        name=name,
        version="v1",
        state=ModelState.READY,
        flavor="ensemble",
        manifest_key=f"models/{name}/v1/manifest.json",  # the same key for every owner
        manifest_sha256=sha,
        signature=None,
        metrics={},
        params={"kind": ENSEMBLE_KIND if ensemble else "hist_gradient_boosting"},
        tags={},
        lineage={},
        input_schema=(),
        created_at=datetime(2026, 11, 22, tzinfo=UTC),
        created_by=f"user:{owner}",
        error=None,
    )


class _Registry:
    """The call a listing makes (versions, aliases and notes in one read), and the
    manifests read."""

    def __init__(self, records: list[ModelVersionRecord], members: dict[str, str]) -> None:
        self.records, self.members, self.reads = records, members, 0

    def listing(self) -> NamespaceListing:
        return NamespaceListing(tuple(self.records), (), {})

    def show(self, name: str, version: str) -> Any:
        self.reads += 1
        ensemble = {"members": [{"name": self.members[name], "weight": 1.0}]}
        return SimpleNamespace(manifest=SimpleNamespace(metadata={"ensemble": ensemble}))


def _service(registries: dict[int, _Registry]) -> ModelService:
    def workspace(user_id: int) -> Workspace:
        return Workspace(user_id, store=cast(Any, None), registry=cast(Any, registries[user_id]))

    return ModelService(workspace, cast(Any, None), cast(ServiceOptions, None))


def test_a_second_listing_reads_no_manifest_and_shows_the_same() -> None:
    ann = _Registry(
        [_record(1, "mine", "a" * 64, id=2), _record(1, "plain", "b" * 64, ensemble=False, id=1)],
        {"mine": "ref-01"},
    )
    service = _service({1: ann})
    first = service.list(1)
    assert ann.reads == 1 and first[0].ensemble is not None
    assert service.list(1) == first and ann.reads == 1


def test_each_owner_reads_their_own_manifest_under_the_same_key() -> None:
    ann = _Registry([_record(1, "mine", "a" * 64)], {"mine": "ref-ann"})
    bob = _Registry([_record(2, "mine", "a" * 64)], {"mine": "ref-bob"})
    service = _service({1: ann, 2: bob})
    assert service.list(1)[0].ensemble == {"members": [{"name": "ref-ann", "weight": 1.0}]}
    assert service.list(2)[0].ensemble == {"members": [{"name": "ref-bob", "weight": 1.0}]}
    assert ann.reads == bob.reads == 1


def test_a_new_manifest_is_read_and_a_changed_answer_changes_nothing_kept() -> None:
    ann = _Registry([_record(1, "mine", "a" * 64)], {"mine": "ref-01"})
    service = _service({1: ann})
    listed = service.list(1)[0].ensemble
    assert listed is not None
    listed["members"][0]["weight"] = 0.0  # a caller changing its copy
    assert service.list(1)[0].ensemble == {"members": [{"name": "ref-01", "weight": 1.0}]}
    ann.records = [_record(1, "mine", "c" * 64)]
    ann.members["mine"] = "ref-02"
    assert service.list(1)[0].ensemble == {"members": [{"name": "ref-02", "weight": 1.0}]}
    assert ann.reads == 2


def test_the_least_recently_used_description_goes_first() -> None:
    kept = Descriptions(size=2)
    reads: list[str] = []

    def reader(name: str) -> Any:
        def read() -> dict[str, str]:
            reads.append(name)
            return {"name": name}

        return read

    kept.get(("1", "k", "a"), reader("a"))
    kept.get(("1", "k", "b"), reader("b"))
    kept.get(("1", "k", "a"), reader("a"))  # a used again: b is now the oldest
    kept.get(("1", "k", "c"), reader("c"))
    kept.get(("1", "k", "a"), reader("a"))
    kept.get(("1", "k", "b"), reader("b"))
    assert reads == ["a", "b", "c", "b"]
