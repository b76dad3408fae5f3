"""Reference models: the build plan, idempotent building, the memory and folder libraries.

``small_library()`` builds a few real references once per test session; the scoring
tests use it too.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from entrepot.fraud.errors import FraudError
from entrepot.fraud.library.build import (
    MAX_ROWS,
    MIN_FRAUDS,
    ReferenceSpec,
    build_references,
    plan,
)
from entrepot.fraud.library.libraries import (
    FolderLibrary,
    MemoryLibrary,
    ReferenceInfo,
    UnknownReference,
)
from entrepot.fraud.match.signature import ROLES
from entrepot.fraud.synth.domains import domains
from entrepot.fraud.synth.generator import generate
from entrepot.registry.keyring import KeyRing
from tests.support.clock import TickingClock
from tests.support.fraud import SMALL_LIBRARY, LibraryOptions, small_library

#: The installation's key ring the folder library signs with.
RING = KeyRing.of("library-tests-" + "k" * 40)


def test_the_plan_covers_domains_and_languages() -> None:
    specs = plan(40)
    assert len({s.name for s in specs}) == 40
    assert {s.domain for s in specs} == set(domains())
    for domain in domains():
        assert {s.lang for s in specs if s.domain == domain} == {"en", "fr"}, domain
    assert all(0.001 <= s.fraud_rate <= 0.15 for s in specs)
    assert plan(40) == specs
    assert plan(40, seed=1) != specs
    with pytest.raises(ValueError, match="at least 1"):
        plan(0)


def test_references_are_sized_by_their_number_of_frauds() -> None:
    specs = plan(40)
    for spec in specs:
        assert spec.rows * spec.fraud_rate >= MIN_FRAUDS - 0.5, spec
        assert 20_000 <= spec.rows <= MAX_ROWS
    # A common-fraud domain keeps the floor of rows; a rare one gets more rows, not more fraud.
    p2p = next(s for s in specs if s.domain == "p2p_lending")
    assert p2p.rows == 20_000 and p2p.fraud_rate == 0.15
    corporate = next(s for s in specs if s.domain == "corporate_payments")
    assert corporate.fraud_rate == domains()["corporate_payments"].fraud_rate
    assert corporate.rows == 200_000
    # Past the cap, the rate rises instead.
    capped = plan(9, rows=4000, min_frauds=400, max_rows=100_000)[8]
    assert capped.domain == "mortgage_payments"
    assert (capped.rows, capped.fraud_rate) == (100_000, 0.004)
    small = plan(5, rows=4000, min_frauds=40)
    assert [s.rows for s in small] == [5000, 4000, 4000, 8000, 10_000]
    with pytest.raises(ValueError, match="cannot fit 400 frauds"):
        plan(3, min_frauds=400, max_rows=2000)


def test_a_rare_domain_reference_holds_its_frauds_and_trains_on_a_weighted_sample() -> None:
    spec = next(s for s in plan(40) if s.domain == "corporate_payments")
    data = generate(spec.domain, spec.rows, fraud_rate=spec.fraud_rate, seed=spec.seed)
    assert len(data.frame) == spec.rows
    assert int(data.labels.sum()) >= MIN_FRAUDS
    # Built through the library: 50,000 card payments at 0.8 %, 5,000 legitimate rows fitted.
    library = MemoryLibrary()
    build_references(
        library,
        count=1,
        time_budget=1.0,
        models=("logistic_regression",),
        fit_legitimate=5000,
        clock=TickingClock(),
    )
    (info,) = library.references()
    assert info.metrics["rows"] == 50_000
    assert info.metrics["base_rate"] == pytest.approx(0.008)
    fit = info.details["fit_rows"]
    assert fit["legitimate"] == 5000
    assert fit["frauds"] + fit["legitimate_in_train"] == 30_000  # the whole training split
    assert fit["legitimate_weight"] == pytest.approx(fit["legitimate_in_train"] / 5000)


def test_references_carry_schema_metrics_and_anomaly_models() -> None:
    library = small_library()
    infos = library.references()
    assert [i.name for i in infos] == [s.name for s in plan(4, rows=4000)]
    for info in infos:
        assert info.version
        assert 0.0 < info.metrics["validation_auprc"] <= 1.0
        assert 0.0 < info.metrics["base_rate"] < 0.2
        assert {c.role for c in info.columns} <= set(ROLES)
        assert {"timestamp", "amount"} <= {c.role for c in info.columns}
        assert sum(c.weight for c in info.columns) == pytest.approx(1.0, abs=1e-3)
        model = library.load(info.name)
        assert model.anomaly is not None
        assert model.importances
        assert info.details["domain"] == info.domain


def test_anomaly_scores_of_a_reference_mean_the_same_in_another_file() -> None:
    library = small_library()
    model = library.load(plan(1, rows=4000)[0].name)
    assert model.anomaly is not None
    data = generate("card_payments", 3000, seed=12345)
    frame = data.frame.rename(columns=str)
    x = model.features.transform(frame, history=False).to_numpy(dtype=float)
    whole = model.anomaly.score(x)
    part = model.anomaly.score(x[:100])
    np.testing.assert_array_equal(whole[:100], part)
    assert 0.0 <= whole.min() <= whole.max() <= 1.0


def test_building_again_skips_what_is_there() -> None:
    library = small_library()
    versions = {i.name: i.version for i in library.references()}
    seen: list[tuple[str, str]] = []
    report = build_references(
        library,
        progress=lambda spec, state: seen.append((spec.name, state)),
        clock=TickingClock(),
        **SMALL_LIBRARY,
    )
    assert report.built == []
    assert report.skipped == list(versions)
    assert {state for _, state in seen} == {"skipped"}
    assert {i.name: i.version for i in library.references()} == versions


def test_memory_library_usage_and_retirement(tmp_path: Path) -> None:
    source = small_library()
    info = source.references()[0]
    source.load(info.name).save(tmp_path / "model.joblib")
    library = MemoryLibrary()
    with pytest.raises(UnknownReference, match="no reference model named 'nope'"):
        library.load("nope")
    library.add(info, tmp_path)
    library.record_use(info.name, 0.7)
    assert library.uses == [(info.name, 0.7)]
    with pytest.raises(UnknownReference):
        library.record_use("nope", 0.5)
    library.set_active(info.name, False)
    assert library.references() == []
    assert library.names() == {info.name}


def test_folder_library_round_trip(tmp_path: Path) -> None:
    source = small_library()
    info = source.references()[0]
    folder = tmp_path / "trained"
    source.load(info.name).save(folder / "model.joblib")
    for name in ("schema.json", "performance.json"):
        (folder / name).write_text("{}")
    library = FolderLibrary(tmp_path / "lib", lambda: RING)
    assert library.names() == frozenset()
    stored = library.add(info, folder)
    assert stored.version
    assert library.names() == {info.name}
    assert sorted(p.name for p in (tmp_path / "lib" / info.name).iterdir()) == [
        "model.joblib",
        "performance.json",
        "reference.json",
        "schema.json",
        "signature.json",
    ]
    again = library.references()[0]
    assert again == stored
    sample = generate("card_payments", 300, seed=3).frame
    np.testing.assert_allclose(
        library.load(info.name).predict_proba(sample),
        source.load(info.name).predict_proba(sample),
    )
    library.record_use(info.name, 0.8)
    library.record_use(info.name, 0.6)
    uses = (tmp_path / "lib" / "usage.jsonl").read_text().splitlines()
    assert [json.loads(u)["score"] for u in uses] == [0.8, 0.6]
    library.set_active(info.name, False)
    assert library.references() == []
    assert library.names() == {info.name}
    with pytest.raises(UnknownReference):
        library.load("missing")
    with pytest.raises(FraudError, match="invalid reference name"):
        library.add(ReferenceInfo("../x", "d", (), {}), folder)


def test_an_empty_folder_library_lists_nothing(tmp_path: Path) -> None:
    assert FolderLibrary(tmp_path / "absent").references() == []


#: :data:`SMALL_LIBRARY` with two references.
TWO: LibraryOptions = {**SMALL_LIBRARY, "count": 2}


def _two_planned() -> list[ReferenceSpec]:
    return plan(2, rows=SMALL_LIBRARY["rows"], min_frauds=SMALL_LIBRARY["min_frauds"])


class _SharedLibrary(MemoryLibrary):
    """A library another builder shares: it holds the claim on ``busy`` the first time it
    is asked, and while this builder waits it either adds that reference (``finishes``)
    or dies without (a crash: the claim expires)."""

    def __init__(self, busy: str, *, finishes: bool, source: MemoryLibrary, folder: Path):
        super().__init__()
        self.busy, self.finishes, self.source, self.folder = busy, finishes, source, folder
        self.asked: list[str] = []
        self.waited: list[str] = []

    def claims(self) -> _SharedLibrary:
        return self

    @contextlib.contextmanager
    def hold(self, name: str) -> Iterator[bool]:
        self.asked.append(name)
        yield not (name == self.busy and self.asked.count(name) == 1)

    def wait(self, name: str) -> None:
        self.waited.append(name)
        if self.finishes:  # the other builder adds what it built, then lets go
            info = next(i for i in self.source.references() if i.name == name)
            self.source.load(name).save(self.folder / "model.joblib")
            self.add(info, self.folder)


def test_a_reference_another_builder_holds_is_waited_for_not_built_twice(
    tmp_path: Path,
) -> None:
    first = _two_planned()
    library = _SharedLibrary(first[0].name, finishes=True, source=small_library(), folder=tmp_path)
    seen: list[tuple[str, str]] = []
    report = build_references(
        library,
        progress=lambda spec, state: seen.append((spec.name, state)),
        clock=TickingClock(),
        **TWO,
    )
    assert (report.built, report.elsewhere) == ([first[1].name], [first[0].name])
    assert library.waited == [first[0].name]
    assert (first[0].name, "waiting") in seen and (first[0].name, "built_elsewhere") in seen
    assert (first[0].name, "training") not in seen
    assert library.names() == {first[0].name, first[1].name}


def test_a_builder_that_crashed_leaves_its_reference_to_the_next(tmp_path: Path) -> None:
    first = _two_planned()
    library = _SharedLibrary(first[0].name, finishes=False, source=small_library(), folder=tmp_path)
    report = build_references(library, clock=TickingClock(), **TWO)
    assert sorted(report.built) == sorted(s.name for s in first) and report.elsewhere == []
    assert library.asked == [first[0].name, first[1].name, first[0].name]
