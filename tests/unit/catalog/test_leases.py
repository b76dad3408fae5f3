"""Leases in the catalog (ADR 0092): one holder at a time, beaten while held, given back at
the end, and taken over once a crashed holder stops beating."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from entrepot.catalog.leases.service import Leases
from entrepot.catalog.uow import UnitOfWorkFactory
from tests.support.catalog import uow_factory
from tests.support.clock import FakeClock


@pytest.fixture
def uow(tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    engine, factory = uow_factory(tmp_path)
    yield factory
    engine.dispose()


def _leases(uow: UnitOfWorkFactory, clock: FakeClock, holder: str) -> Leases:
    return Leases(
        uow, prefix="t:", stale_after=timedelta(seconds=60), poll=0.01, clock=clock, holder=holder
    )


def test_one_holder_at_a_time_then_the_next(uow: UnitOfWorkFactory) -> None:
    clock = FakeClock()
    a, b = _leases(uow, clock, "a"), _leases(uow, clock, "b")
    with a.hold("ref-01") as held_by_a:
        assert held_by_a
        assert b.held_by_other("ref-01") and not a.held_by_other("ref-01")
        with b.hold("ref-01") as held_by_b:
            assert not held_by_b
        with b.hold("ref-02") as other:  # another name is free
            assert other
    assert not b.held_by_other("ref-01")
    with b.hold("ref-01") as now_b:
        assert now_b


def test_a_silent_holder_is_taken_over(uow: UnitOfWorkFactory) -> None:
    clock = FakeClock()
    crashed, next_one = _leases(uow, clock, "crashed"), _leases(uow, clock, "next")
    assert crashed.take("ref-01")  # and never beats nor releases: the process died
    assert not next_one.take("ref-01")
    clock.advance(seconds=59)
    assert next_one.held_by_other("ref-01") and not next_one.take("ref-01")
    clock.advance(seconds=2)
    assert not next_one.held_by_other("ref-01")
    next_one.wait("ref-01")  # returns at once: nobody alive holds it
    assert next_one.take("ref-01")
    assert crashed.held_by_other("ref-01")
    crashed.release("ref-01")  # a late release of the old holder takes nothing away
    assert crashed.held_by_other("ref-01")


def test_a_holder_beats_while_it_works_and_a_waiter_returns_when_it_ends(
    uow: UnitOfWorkFactory,
) -> None:
    clock = FakeClock()
    holder = Leases(uow, stale_after=timedelta(seconds=60), beat_every=0.01, clock=clock)
    waiter = Leases(uow, stale_after=timedelta(seconds=60), poll=0.01, clock=clock)
    started, finish, waited = threading.Event(), threading.Event(), threading.Event()

    def work() -> None:
        with holder.hold("ref-01") as held:
            assert held
            started.set()
            finish.wait(10)

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(10)
    clock.advance(seconds=600)  # far past the staleness, but the holder beats on
    with uow() as unit:
        first = unit.leases.find("ref-01")
    assert first is not None
    for _ in range(500):
        with uow() as unit:
            beaten = unit.leases.find("ref-01")
        if beaten is not None and beaten.beat_at > first.taken_at:
            break
        threading.Event().wait(0.01)
    assert waiter.held_by_other("ref-01")

    def wait() -> None:
        waiter.wait("ref-01")
        waited.set()

    threading.Thread(target=wait, daemon=True).start()
    assert not waited.wait(0.2)
    finish.set()
    thread.join(10)
    assert waited.wait(10)
    with uow() as unit:
        assert unit.leases.find("ref-01") is None
