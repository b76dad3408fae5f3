"""Read the raw layout from any store: partition listing, days, batch files, fallback.

One code path for every store (a local folder, memory, S3 behind the cache):
the lake takes a store with the ``Get`` and ``List`` capabilities. Listings go
through the store's ``list``, which pages past any page size; keys are kept whole,
so two hours never collapse onto one name.

The fallback policy is explicit. ``"fail"`` (the default) lets a
:class:`~entrepot.errors.StoreUnavailable` propagate. ``"local"`` reads the same
keys from a second (local) store when the primary is unavailable, logs a
warning and records it on every result it affects; any other error (a missing
object, a corrupted one, a malformed path) is never hidden by a fallback.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from entrepot.city import layout
from entrepot.city.days import paris
from entrepot.city.errors import MissingInput, PartitionError
from entrepot.city.messages import WARNING_MISSING_HOURS, Note
from entrepot.city.partitions import (
    Partition,
    is_marker,
    local_hours,
    parse_day,
    parse_key,
    prune,
)
from entrepot.errors import ConfigError, ObjectNotFound, StoreUnavailable
from entrepot.messages import N_, Message
from entrepot.storage.protocols import Get, List
from entrepot.storage.types import ObjectInfo

log = logging.getLogger("entrepot.city")

FallbackPolicy = Literal["fail", "local"]
T = TypeVar("T")


class RawStore(Get, List, Protocol):
    """What the lake needs of a store: verified reads and listings."""


@dataclass(frozen=True)
class RawFile:
    """One raw object of a partition, read and verified."""

    key: str
    partition: Partition
    name: str
    data: bytes
    sha256: str | None
    size: int

    @property
    def fold(self) -> int:
        """1 for the second snapshot of the repeated autumn hour (``*_fold1.*``), else 0."""
        return 1 if self.name.rsplit(".", 1)[0].endswith("_fold1") else 0

    @property
    def taken_at(self) -> datetime:
        """The UTC instant of the partition's local hour (fold-aware): when it was fetched."""
        p = self.partition
        local = datetime(p.day.year, p.day.month, p.day.day, p.hour, tzinfo=paris(), fold=self.fold)
        return local.astimezone(UTC)


@dataclass(frozen=True)
class InputRef:
    """An input as recorded on outputs: key, checksum and size.

    ``etag`` is the store's version tag when a listing gives no sha256 (S3 listings);
    ``modified`` is the store's time for the object, used when it has neither.
    """

    key: str
    sha256: str | None
    size: int
    etag: str | None = None
    modified: datetime | None = None

    @property
    def version(self) -> str:
        """What identifies this content: the sha256, else the etag, else the time; with
        the size, so that a file changed behind the store's back is seen as changed."""
        if self.sha256:
            return f"sha256:{self.sha256}:{self.size}"
        if self.etag:
            return f"etag:{self.etag}:{self.size}"
        moment = self.modified.isoformat() if self.modified else "unknown"
        return f"modified:{moment}:{self.size}"


@dataclass(frozen=True)
class DayRead:
    """Every raw file of one source for one Paris local day."""

    source: str
    day: date
    files: tuple[RawFile, ...]
    missing_hours: tuple[int, ...]
    origin: str
    warnings: tuple[str, ...]

    @property
    def inputs(self) -> tuple[InputRef, ...]:
        """What was read, for provenance and watermarks."""
        return tuple(InputRef(f.key, f.sha256, f.size) for f in self.files)


class Lake:
    """The raw layout of one store (the store may be a scoped view of a bigger one)."""

    def __init__(
        self,
        store: RawStore,
        *,
        fallback: FallbackPolicy = "fail",
        local: RawStore | None = None,
    ) -> None:
        if fallback not in ("fail", "local"):
            raise ConfigError(
                f"unknown fallback policy {fallback!r}",
                hint="use 'fail' or 'local'",
                said=Message(N_("error.city.fallback_unknown"), {"fallback": str(fallback)[:100]}),
            )
        if fallback == "local" and local is None:
            raise ConfigError(
                "fallback 'local' needs a local store to fall back on",
                hint="pass local=<a store on the local mirror>, or use fallback='fail'",
                said=Message(N_("error.city.fallback_no_local")),
            )
        self.store = store
        self.fallback = fallback
        self.local = local

    # -- fallback ------------------------------------------------------------
    def _call(self, what: str, action: Callable[[RawStore], T]) -> tuple[T, str, tuple[str, ...]]:
        try:
            return action(self.store), _url(self.store), ()
        except StoreUnavailable as exc:
            if self.fallback == "fail" or self.local is None:
                raise
            message = (
                f"FALLBACK: the store {_url(self.store)} is unavailable ({exc.message}); "
                f"{what} was read from the local copy {_url(self.local)} and may be stale"
            )
            log.warning(message)
            return action(self.local), _url(self.local), (message,)

    # -- partitions ----------------------------------------------------------
    def days(self, source: str, start: date | None = None, end: date | None = None) -> list[date]:
        """The local days present for ``source`` within ``[start, end]``, from the ``dt=``
        folders only (pruned before any hour is listed)."""
        found, _, _ = self._call(f"the day list of {source}", lambda s: _day_folders(s, source))
        return prune(found, start, end)

    def partitions(
        self, source: str, start: date | None = None, end: date | None = None
    ) -> list[Partition]:
        """Every hourly partition of ``source`` within ``[start, end]``."""
        result: set[Partition] = set()
        for day in self.days(source, start, end):

            def action(store: RawStore, day: date = day) -> list[tuple[Partition, str, ObjectInfo]]:
                return _day_objects(store, source, day)

            infos, _, _ = self._call(f"{source} {day}", action)
            result.update(p for p, _, _ in infos)
        return sorted(result)

    def read_day(self, source: str, day: date) -> DayRead:
        """Every file of ``source`` on the local ``day``, across its 23-25 hours.

        Raises :class:`MissingInput` when the day has no partition at all.
        """

        def action(store: RawStore) -> list[RawFile]:
            files = []
            for partition, name, info in _day_objects(store, source, day):
                files.append(
                    RawFile(info.key, partition, name, store.get(info.key), info.sha256, info.size)
                )
            return files

        files, origin, warnings = self._call(f"{source} {day}", action)
        if not files:
            raise MissingInput(
                f"no {source} data for {day}",
                key=layout.day_prefix(source, day),
                said=Message(N_("error.city.no_source_data"), {"source": source, "day": str(day)}),
            )
        present = {f.partition.hour for f in files}
        missing = tuple(sorted(local_hours(day) - present))
        if missing:
            hours = ", ".join(f"{h:02d}" for h in missing)
            note = Note(
                f"{source} {day}: no data for hour(s) {hours}",
                WARNING_MISSING_HOURS,
                at_hours=missing,
                count=len(missing),
                hours=hours,
            )
            warnings = (*warnings, note)
        return DayRead(source, day, tuple(files), missing, origin, warnings)

    def day_inputs(self, source: str, day: date) -> tuple[InputRef, ...]:
        """The objects of ``source`` on ``day`` as listed (no bytes read), for watermarks.

        Raises :class:`MissingInput` when the day has no partition, and
        :class:`PartitionError` for a malformed path under the day.
        """

        def action(store: RawStore) -> list[tuple[Partition, str, ObjectInfo]]:
            return _day_objects(store, source, day)

        found, _, _ = self._call(f"{source} {day}", action)
        if not found:
            raise MissingInput(
                f"no {source} data for {day}",
                key=layout.day_prefix(source, day),
                said=Message(N_("error.city.no_source_data"), {"source": source, "day": str(day)}),
            )
        return tuple(InputRef(i.key, i.sha256, i.size, i.etag, i.modified) for _, _, i in found)

    # -- batch files ---------------------------------------------------------
    def batch_inputs(self, name: str) -> tuple[InputRef, ...]:
        """Every version of the batch file ``name``, oldest first (no bytes read): the file
        under its legacy name, then the imported versions by as-of instant. Raises
        :class:`MissingInput` when there is none."""
        found, _, _ = self._call(layout.batch_key(name), lambda s: _versions(s, name))
        if not found:
            raise MissingInput(
                f"no {layout.DATASETS[name]} file in {_url(self.store)}",
                key=layout.batch_key(name),
                said=Message(
                    N_("error.city.no_batch_file"),
                    {"dataset": layout.DATASETS[name], "store": _url(self.store)},
                ),
            )
        return tuple(InputRef(i.key, i.sha256, i.size, i.etag, i.modified) for i in found)

    def batch_input(self, name: str) -> InputRef:
        """The newest version of a batch file (no bytes read); raises
        :class:`MissingInput` if it is absent."""
        return self.batch_inputs(name)[-1]

    def read_batch(
        self, name: str, version: InputRef | None = None
    ) -> tuple[bytes, InputRef, tuple[str, ...]]:
        """The newest version of a whole batch file (small ones: référentiel, roadworks,
        stations), or the ``version`` listed by :meth:`batch_inputs`."""
        key = (version or self.batch_input(name)).key

        def action(store: RawStore) -> tuple[bytes, InputRef]:
            info = _head(store, key)
            return store.get(key), InputRef(key, info.sha256, info.size)

        (data, ref), _, warnings = self._call(key, action)
        return data, ref, warnings

    @contextmanager
    def batch_paths(
        self, name: str
    ) -> Iterator[tuple[list[tuple[Path, InputRef]], tuple[str, ...]]]:
        """Verified local copies of every version of a (big) batch file, oldest first,
        deleted on exit."""
        refs = self.batch_inputs(name)
        with tempfile.TemporaryDirectory(prefix="entrepot-city-") as tmp:
            copies: list[tuple[Path, InputRef]] = []
            notes: tuple[str, ...] = ()
            for index, wanted in enumerate(refs):
                dest = Path(tmp) / f"{index:04d}-{wanted.key.rsplit('/', 1)[-1]}"

                def action(store: RawStore, key: str = wanted.key, dest: Path = dest) -> InputRef:
                    info = _head(store, key)
                    store.download(key, dest)
                    return InputRef(key, info.sha256, info.size)

                ref, _, warnings = self._call(wanted.key, action)
                copies.append((dest, ref))
                notes = (*notes, *warnings)
            yield copies, notes


def _url(store: RawStore) -> str:
    return str(getattr(store, "url", type(store).__name__))


def _head(store: RawStore, key: str) -> ObjectInfo:
    try:
        return store.head(key)
    except ObjectNotFound:
        raise MissingInput(
            f"batch file missing from {_url(store)}",
            key=key,
            said=Message(N_("error.city.batch_file_missing"), {"store": _url(store), "key": key}),
        ) from None


def _versions(store: RawStore, name: str) -> list[ObjectInfo]:
    legacy = layout.batch_key(name)
    found = [store.head(legacy)] if store.exists(legacy) else []
    imported = (i for i in store.list(layout.versions_prefix(name)) if not _marker_key(i.key))
    return found + sorted(imported, key=lambda i: i.key)


def _marker_key(key: str) -> bool:
    return is_marker(key.rsplit("/", 1)[-1])


def _day_folders(store: RawStore, source: str) -> list[date]:
    prefix = layout.source_prefix(source)
    listing = store.ls(prefix)
    for info in listing.objects:
        name = info.key[len(prefix) :]
        if not is_marker(name):
            raise PartitionError(
                "file outside any dt=YYYY-MM-DD partition",
                key=info.key,
                said=Message(N_("error.city.outside_partition"), {"key": info.key}),
            )
    days = []
    for folder in listing.prefixes:
        name = folder[len(prefix) :].rstrip("/")
        if not is_marker(name):
            days.append(parse_day(name, folder))
    return days


def _day_objects(
    store: RawStore, source: str, day: date
) -> list[tuple[Partition, str, ObjectInfo]]:
    prefix = layout.source_prefix(source)
    found = []
    for info in store.list(layout.day_prefix(source, day)):
        parsed = parse_key(source, prefix, info.key)
        if parsed is not None:
            found.append((parsed[0], parsed[1], info))
    return found
