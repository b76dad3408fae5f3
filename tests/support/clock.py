"""One fake clock for every test that needs to move time by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """A clock the test moves by hand: it stays on ``start`` until :meth:`advance` (or an
    assignment to ``now``) moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class TickingClock:
    """A clock (seconds, as ``time.monotonic``) that advances ``step`` at each reading:
    a time budget read on it is a count of readings (one per boosting round and trial),
    so a budgeted training is the same on an idle and on a loaded machine."""

    def __init__(self, step: float = 0.005, start: float = 0.0) -> None:
        self.step = step
        self.now = start

    def __call__(self) -> float:
        self.now += self.step
        return self.now
