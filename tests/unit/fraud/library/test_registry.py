"""The reference library over the real model registry (memory store, real cache, SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from entrepot.catalog.engine import make_engine
from entrepot.catalog.migrate import upgrade
from entrepot.catalog.uow import unit_of_work_factory
from entrepot.fraud.library.build import build_references, plan
from entrepot.fraud.library.libraries import UnknownReference
from entrepot.fraud.library.registry import RegistryLibrary
from entrepot.fraud.match.description import describe
from entrepot.fraud.score.assemble import from_library
from entrepot.fraud.score.scoring import score
from entrepot.fraud.synth.generator import generate
from entrepot.registry import Registry
from entrepot.storage.cache import CachedStore
from entrepot.storage.memory import MemoryStore
from tests.support.clock import TickingClock
from tests.support.fraud import LibraryOptions

SMALL: LibraryOptions = {"count": 2, "rows": 3000, "time_budget": 1.0, "models": ("lightgbm",)}


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    upgrade(engine)
    store = MemoryStore("registry")
    cache = CachedStore(store, tmp_path / "cache", 256 * 1024 * 1024)
    yield Registry(store, cache, unit_of_work_factory(engine), secret="x" * 32, actor="fraud-tests")
    engine.dispose()


def test_references_live_in_the_registry(registry: Registry) -> None:
    library = RegistryLibrary(registry)
    report = build_references(library, clock=TickingClock(), **SMALL)
    names = [s.name for s in plan(2, rows=3000)]
    assert report.built == names
    records = {r.name: r for r in registry.references()}
    assert set(records) == set(names)
    infos = library.references()
    assert [i.name for i in infos] == names
    for info in infos:
        assert info.version == records[info.name].model_version
        assert {"timestamp", "amount"} <= {c.role for c in info.columns}
        assert info.metrics["validation_auprc"] > 0
        assert registry.latest(info.name).version == info.version

    data = generate("card_payments", 2000, seed=404, lang="fr")
    frame = data.frame.drop(columns=[data.target])
    upload = describe(frame)
    ensemble, _ = from_library(upload, library)
    assert ensemble.members[0].name == names[0]
    out = score(frame, ensemble, upload=upload)
    assert np.isfinite(out["fraud_probability"]).all()
    library.record_use(names[0], 0.75)
    used = {r.name: r for r in registry.references()}[names[0]]
    assert used.usage_count == 1
    assert used.mean_match_score == pytest.approx(0.75)

    again = build_references(library, clock=TickingClock(), **SMALL)
    assert again.built == []
    assert again.skipped == names
    registry.set_reference_active(names[1], False)
    assert [i.name for i in library.references()] == [names[0]]
    with pytest.raises(UnknownReference):
        library.load("absent")
