"""The objects repository and the unit of work, on SQLite.

``tests/integration`` runs these same classes on PostgreSQL by subclassing them: the
classes take an ``engine`` fixture (a migrated, empty catalog) and nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from entrepot.catalog.objects.records import ObjectRecord, ObjectState, Usage
from entrepot.catalog.objects.repository import KEYS_PER_QUERY
from entrepot.catalog.uow import UnitOfWork, unit_of_work_factory
from entrepot.errors import CatalogError, RecordNotFound
from tests.support.catalog import sqlite_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from sqlite_engine(tmp_path)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def add(
    uow: UnitOfWork, key: str, *, size: int = 3, owner: str | None = None, kind: str = "dataset"
) -> ObjectRecord:
    return uow.objects.add(key=key, sha256=sha(key), size=size, owner=owner, kind=kind)


class TestUnitOfWork:
    @pytest.fixture
    def uow_factory(self, engine: Engine) -> Callable[[], UnitOfWork]:
        return unit_of_work_factory(engine)

    def test_rolls_back_unless_committed(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        with uow_factory() as uow:
            add(uow, "a/1")
            assert uow.objects.find("a/1") is not None
        with uow_factory() as uow:
            assert uow.objects.find("a/1") is None

    def test_commit_persists(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        with uow_factory() as uow:
            added = add(uow, "a/1")
            uow.commit()
        with uow_factory() as uow:
            assert uow.objects.get("a/1") == added

    def test_an_exception_rolls_back(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        def fail_midway() -> None:
            with uow_factory() as uow:
                add(uow, "a/1")
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            fail_midway()
        with uow_factory() as uow:
            assert uow.objects.find("a/1") is None

    def test_work_after_a_commit_needs_its_own_commit(
        self, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            add(uow, "a/1")
            uow.commit()
            add(uow, "a/2")
        with uow_factory() as uow:
            assert uow.objects.keys_in(["a/1", "a/2"]) == {"a/1"}

    def test_the_repository_exists_only_inside_the_block(
        self, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        uow = uow_factory()
        with pytest.raises(RuntimeError, match="with"):
            _ = uow.objects
        with uow:
            pass
        with pytest.raises(RuntimeError, match="with"):
            uow.commit()

    def test_a_unit_of_work_cannot_be_nested(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        uow = uow_factory()
        with uow, pytest.raises(RuntimeError, match="already open"):
            uow.__enter__()


class TestObjectRepository:
    @pytest.fixture
    def uow(self, engine: Engine) -> Iterator[UnitOfWork]:
        with unit_of_work_factory(engine)() as uow:
            yield uow

    def test_add_returns_the_full_record(self, uow: UnitOfWork) -> None:
        record = uow.objects.add(
            key="models/m/1/model.joblib", sha256=sha("x"), size=42, owner="u1", kind="model-file"
        )
        assert isinstance(record.id, int)
        assert (record.key, record.sha256, record.size) == ("models/m/1/model.joblib", sha("x"), 42)
        assert (record.owner, record.kind, record.state) == ("u1", "model-file", ObjectState.STORED)
        assert record.created_at.tzinfo == UTC
        assert abs(record.created_at - datetime.now(UTC)) < timedelta(minutes=2)

    def test_get_and_find(self, uow: UnitOfWork) -> None:
        added = add(uow, "a/1")
        assert uow.objects.get("a/1") == added
        assert uow.objects.find("a/1") == added
        assert uow.objects.find("a/2") is None

    def test_get_missing_raises_record_not_found(self, uow: UnitOfWork) -> None:
        with pytest.raises(RecordNotFound, match="'a/2'") as caught:
            uow.objects.get("a/2")
        assert isinstance(caught.value, LookupError)

    def test_a_key_is_recorded_once(self, engine: Engine) -> None:
        factory = unit_of_work_factory(engine)
        with factory() as uow:
            first = add(uow, "a/1")
            uow.commit()
        with factory() as uow, pytest.raises(CatalogError, match=r"'a/1'.*already") as caught:
            add(uow, "a/1", size=99)
        assert "new key" in str(caught.value)
        with factory() as uow:
            assert uow.objects.get("a/1") == first

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("sha256", "ABC", "sha256"),
            ("sha256", "G" * 64, "sha256"),
            ("size", -1, "size"),
            ("kind", "Model File", "kind"),
            ("kind", "", "kind"),
            ("owner", "", "owner"),
            ("key", "", "key"),
        ],
    )
    def test_add_refuses_bad_values(
        self, uow: UnitOfWork, field: str, value: object, message: str
    ) -> None:
        values: dict[str, object] = {
            "key": "a/1",
            "sha256": sha("a"),
            "size": 1,
            "owner": None,
            "kind": "dataset",
        }
        values[field] = value
        with pytest.raises(ValueError, match=message):
            uow.objects.add(**values)  # type: ignore[arg-type]

    def test_list_filters_by_folder_owner_and_kind(self, uow: UnitOfWork) -> None:
        add(uow, "models/v1/a", owner="u1", kind="model-file")
        add(uow, "models/v1/b", owner="u2", kind="manifest")
        add(uow, "models/v10/a", owner="u1", kind="model-file")
        add(uow, "models/v1", owner="u1")
        add(uow, "datasets/d.csv", owner="u1")

        def keys(**filters: str) -> list[str]:
            return [r.key for r in uow.objects.list(**filters)]  # type: ignore[arg-type]

        assert keys(prefix="models/v1") == ["models/v1/a", "models/v1/b"]
        assert keys(prefix="models/v1/") == ["models/v1/a", "models/v1/b"]
        assert keys(prefix="models") == ["models/v1", "models/v1/a", "models/v1/b", "models/v10/a"]
        assert keys(owner="u1", kind="model-file") == ["models/v1/a", "models/v10/a"]
        assert keys(prefix="models/v1", owner="u2") == ["models/v1/b"]
        assert keys() == [
            "datasets/d.csv",
            "models/v1",
            "models/v1/a",
            "models/v1/b",
            "models/v10/a",
        ]
        assert uow.objects.count(prefix="models/v1") == 2
        assert uow.objects.count(owner="u1") == 4
        assert uow.objects.count() == 5

    def test_prefixes_are_not_patterns(self, uow: UnitOfWork) -> None:
        for key in ["a_b/1", "axb/1", "a%b/1", "A_B/1"]:
            add(uow, key)
        assert [r.key for r in uow.objects.list(prefix="a_b")] == ["a_b/1"]
        assert [r.key for r in uow.objects.list(prefix="a%b")] == ["a%b/1"]

    def test_list_pages_in_key_order(self, uow: UnitOfWork) -> None:
        for i in range(7):
            add(uow, f"k/{i}")
        pages = [[r.key for r in uow.objects.list(limit=3, offset=o)] for o in (0, 3, 6, 9)]
        assert pages == [["k/0", "k/1", "k/2"], ["k/3", "k/4", "k/5"], ["k/6"], []]

    def test_keys_sort_byte_wise_like_the_stores(self, uow: UnitOfWork) -> None:
        keys = ["b", "B", "a/b", "a-b", "Z/x", "é", "a b", "a0"]
        for key in keys:
            add(uow, key)
        assert [r.key for r in uow.objects.list()] == sorted(keys)

    def test_keys_in_answers_past_one_query(self, uow: UnitOfWork) -> None:
        recorded = {f"bulk/{i:05d}" for i in range(2 * KEYS_PER_QUERY + 1)}
        for key in recorded:
            add(uow, key)
        asked = recorded | {"bulk/absent", "elsewhere/x"}
        assert uow.objects.keys_in(asked) == recorded
        assert uow.objects.keys_in([]) == set()

    def test_page_after_walks_every_row_once(self, uow: UnitOfWork) -> None:
        keys = [*sorted(f"p/{i}" for i in range(8)), "q/1"]
        for key in keys:
            add(uow, key)
        seen: list[str] = []
        after: str | None = None
        while page := uow.objects.page_after(after, prefix="p", limit=3):
            assert len(page) <= 3
            seen += [r.key for r in page]
            after = page[-1].key
        assert seen == keys[:-1]

    def test_set_state(self, uow: UnitOfWork) -> None:
        add(uow, "a/1")
        changed = uow.objects.set_state("a/1", ObjectState.QUARANTINED)
        assert changed.state is ObjectState.QUARANTINED
        assert uow.objects.get("a/1").state is ObjectState.QUARANTINED
        with pytest.raises(RecordNotFound):
            uow.objects.set_state("a/2", ObjectState.STORED)

    def test_delete(self, uow: UnitOfWork) -> None:
        added = add(uow, "a/1")
        assert uow.objects.delete("a/1") == added
        assert uow.objects.find("a/1") is None
        with pytest.raises(RecordNotFound):
            uow.objects.delete("a/1")

    def test_usage_by_folder(self, uow: UnitOfWork) -> None:
        add(uow, "datasets/a.csv", size=10, owner="u1")
        add(uow, "datasets/raw/b.csv", size=20, owner="u2")
        add(uow, "models/m/1/f", size=5, owner="u1")
        add(uow, "README", size=1)
        assert uow.objects.usage_by_folder() == (
            Usage("", 1, 1),
            Usage("datasets/", 2, 30),
            Usage("models/", 1, 5),
        )
        assert uow.objects.usage_by_folder("datasets") == (
            Usage("datasets/", 1, 10),
            Usage("datasets/raw/", 1, 20),
        )
        assert uow.objects.usage_by_folder(owner="u1") == (
            Usage("datasets/", 1, 10),
            Usage("models/", 1, 5),
        )
        assert uow.objects.usage_by_folder("nothing/here") == ()

    def test_usage_by_owner(self, uow: UnitOfWork) -> None:
        add(uow, "datasets/a.csv", size=10, owner="u2")
        add(uow, "datasets/b.csv", size=20, owner="u1")
        add(uow, "models/c", size=5, owner="u1")
        add(uow, "shared/d", size=7)
        assert uow.objects.usage_by_owner() == (
            Usage(None, 1, 7),
            Usage("u1", 2, 25),
            Usage("u2", 1, 10),
        )
        assert uow.objects.usage_by_owner(prefix="datasets") == (
            Usage("u1", 1, 20),
            Usage("u2", 1, 10),
        )


class TestDamageRegister:
    @pytest.fixture
    def uow_factory(self, engine: Engine) -> Callable[[], UnitOfWork]:
        return unit_of_work_factory(engine)

    def _record(self, uow: UnitOfWork, key: str, *, copy: bool = False, **kw: object) -> bool:
        values: dict[str, object] = {
            "problem": "content-mismatch",
            "expected": sha(key),
            "found": sha("rot"),
            "detected_by": "verify",
            "cached_copy": copy,
        }
        return uow.damage.record(key, **{**values, **kw})  # type: ignore[arg-type]

    def test_one_row_per_object_the_latest_finding(
        self, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            add(uow, "a/1")
            assert self._record(uow, "a/1", problem="size-mismatch", found="2")
            assert self._record(uow, "a/1", detected_by="read", copy=True)
            uow.commit()
        with uow_factory() as uow:
            (damage,) = uow.damage.list()
            summary = uow.damage.summary()
        assert (damage.key, damage.problem, damage.detected_by) == (
            "a/1",
            "content-mismatch",
            "read",
        )
        assert damage.detected_at.tzinfo is not None
        assert (summary.objects, summary.with_cached_copy) == (1, 1)
        assert summary.latest == damage.detected_at

    def test_an_unrecorded_key_is_not_registered(
        self, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            assert not self._record(uow, "nowhere")
            assert uow.damage.summary().objects == 0
            assert uow.damage.summary().latest is None

    def test_clear_under_a_folder_leaves_the_rest(
        self, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            for key in ("a/1", "a/2", "a0/1", "b/1"):
                add(uow, key)
                self._record(uow, key)
            assert uow.damage.clear_under("a") == 2
            assert uow.damage.clear(["b/1", "missing"]) == 1
            assert [d.key for d in uow.damage.list()] == ["a0/1"]
            assert uow.damage.clear_under(None) == 1

    def test_deleting_the_object_forgets_its_damage(
        self, uow_factory: Callable[[], UnitOfWork]
    ) -> None:
        with uow_factory() as uow:
            add(uow, "a/1")
            self._record(uow, "a/1")
            uow.commit()
        with uow_factory() as uow:
            uow.objects.delete("a/1")
            uow.commit()
        with uow_factory() as uow:
            assert uow.damage.summary().objects == 0
