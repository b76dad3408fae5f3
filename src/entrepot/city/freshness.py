"""Whether a (source, local day) is fresh: the digest of its inputs, and the watermark that
records what it was last computed from, and how (the rows: ``catalog/city/watermarks.py``).

A *source* is a metric type or ``report``. A watermark records the inputs (key and
content version of each object read), their digest, the state (``ok`` or
``failed``, with the error), the sha256 of the output and the run that wrote it. A
run skips a (source, day) whose watermark is ``ok`` with the same inputs digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from entrepot.catalog.city.records import SourceSummary, Watermark, WatermarkState
from entrepot.city.kinds import PIPELINE_VERSION
from entrepot.city.lake import InputRef

if TYPE_CHECKING:
    from entrepot.catalog.uow import UnitOfWorkFactory

State = WatermarkState
#: Longest error text kept on a watermark.
MAX_ERROR = 2000


def inputs_digest(inputs: Iterable[InputRef]) -> str:
    """sha256 over the pipeline version and each input's key and content version."""
    entries = sorted(f"{i.key}\t{i.version}" for i in inputs)
    text = "\n".join([f"pipeline {PIPELINE_VERSION}", *entries])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def describe_inputs(inputs: Iterable[InputRef]) -> list[dict[str, Any]]:
    """The inputs as stored on a watermark."""
    return [
        {"key": i.key, "sha256": i.sha256, "etag": i.etag, "size": i.size}
        for i in sorted(inputs, key=lambda i: i.key)
    ]


class Watermarks:
    """Reads and writes the watermarks of a migrated catalog, one unit of work per call."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def get(self, source: str, day: date) -> Watermark | None:
        """The watermark of (``source``, ``day``), or None."""
        return self.many(source, [day]).get(day)

    def many(self, source: str, days: Sequence[date]) -> dict[date, Watermark]:
        """The watermarks of ``source`` on ``days``, by day (missing days are absent)."""
        with self._uow() as uow:
            return uow.watermarks.many(source, days)

    def record(
        self,
        source: str,
        day: date,
        *,
        inputs: Iterable[InputRef],
        state: State,
        run_id: str,
        error: str | None = None,
        output_sha256: str | None = None,
    ) -> Watermark:
        """Insert or replace the watermark of (``source``, ``day``) in one statement."""
        refs = list(inputs)
        values = {
            "source": source,
            "day": day,
            "inputs": describe_inputs(refs),
            "inputs_digest": inputs_digest(refs),
            "state": state,
            "error": None if error is None else error[:MAX_ERROR],
            "output_sha256": output_sha256,
            "run_id": run_id,
            "updated_at": datetime.now(UTC),
        }
        with self._uow() as uow:
            uow.watermarks.put(values)
            uow.commit()
        found = self.get(source, day)
        if found is None:  # pragma: no cover - the row was just written
            raise RuntimeError(f"watermark {source} {day} vanished after its write")
        return found

    def forget(self, source: str, day: date) -> bool:
        """Remove the watermark of (``source``, ``day``) (its source is absent now)."""
        with self._uow() as uow:
            found = uow.watermarks.delete(source, day)
            uow.commit()
        return found

    def find(
        self,
        *,
        source: str | None = None,
        start: date | None = None,
        end: date | None = None,
        state: State | None = None,
    ) -> list[Watermark]:
        """Watermarks by day then source, filtered."""
        with self._uow() as uow:
            return uow.watermarks.find(source=source, start=start, end=end, state=state)

    def summary(self) -> list[SourceSummary]:
        """Per source: how many days are ok and failed, the day range, the last update."""
        with self._uow() as uow:
            return uow.watermarks.summary()
