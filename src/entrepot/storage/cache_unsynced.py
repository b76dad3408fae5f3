"""Which cache entries were filled without an fsync, and under which boot of the machine.

A fill writes its entry through the page cache and moves it into place without waiting for
the disk. That is safe against a **process** crash (the page cache outlives the process) but
not against a **machine** crash, which can leave an entry torn under its final name. So each
such entry is first recorded, durably, under the machine's boot id::

    unsynced/<boot id>/<entry name>     an empty marker, durable before the entry is named

An entry recorded under the current boot is trusted as every hit is (its bytes are the
verified ones, in the page cache). An entry recorded under another boot may have been torn:
its first hit rehashes it once, then fsyncs it and drops the marker, or deletes it when
it does not match (the read becomes a miss and refills). Where the boot id is unknown (no
``/proc/sys/kernel/random/boot_id``), nothing is recorded and fills fsync as before.

The markers of other boots are listed once per process, on the first use of the folder; a
hit then costs one dictionary lookup more. The folder must live on one machine's disk (the
boot id is that machine's), shared by any number of its processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from entrepot.background import on_a_thread

#: Where Linux publishes the id of the current boot, a new random UUID at every boot.
BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id"
#: Reads the id of the current boot; ``None`` when unknown.
BootId = Callable[[], str | None]
_BOOT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def read_boot_id(source: str = BOOT_ID_FILE) -> str | None:
    """The id of the machine's current boot (read from ``source``), or ``None`` where the
    system does not say."""
    try:
        with open(source, encoding="ascii") as f:
            value = f.read().strip().lower()
    except (OSError, UnicodeDecodeError):
        return None
    return value if _BOOT_ID.fullmatch(value) else None


class UnsyncedEntries:
    """The markers of one cache folder's unsynced entries (see the module docstring).

    ``boot_id`` reads the current boot's id (``None``: unknown); tests inject their own.
    """

    def __init__(self, root: Path, boot_id: BootId = read_boot_id) -> None:
        self._dir = root / "unsynced"
        self._read_boot_id = boot_id
        self._loaded = False
        self._boot: str | None = None
        #: Entry name -> its marker, for the entries recorded under another boot.
        self._suspect: dict[str, str] = {}
        self._lock = threading.Lock()

    def record(self, name: str) -> bool:
        """Durably record that the entry ``name`` is about to be filled without an fsync;
        ``False`` when the boot is unknown, and the caller must fsync the entry itself."""
        self._load()
        if self._boot is None:
            return False
        self._drop_suspect(name)  # a fill replaces nothing: that entry is gone
        folder = self._dir / self._boot
        _make_durable_dirs(folder)
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT, 0o644)
        os.close(fd)
        _fsync_dir(folder)
        return True

    def start_record(self, name: str) -> Future[bool] | None:
        """:meth:`record` on a thread, so that its fsync overlaps the entry's download (its
        ``result()`` returns once the marker is durable, or raises what making it raised);
        ``None`` when the boot is unknown (the caller must fsync the entry itself)."""
        self._load()
        if self._boot is None:
            return None
        return on_a_thread(lambda: self.record(name), name="cache-marker")

    def forget(self, name: str) -> None:
        """Drop every marker of ``name``: its entry was evicted or its fill failed (callers
        hold the lock that keeps any other fill of ``name`` out)."""
        self._drop_suspect(name)
        if (marker := self._marker(name)) is not None:
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                os.unlink(marker)

    def any_suspect(self) -> bool:
        """Whether any entry was filled unsynced under another boot and is not settled."""
        if not self._loaded:
            self._load()
        return bool(self._suspect)

    def is_suspect(self, name: str) -> bool:
        """Whether the entry ``name`` was filled unsynced under another boot."""
        if not self._loaded:
            self._load()
        return name in self._suspect

    def settle(self, path: str, name: str, sha256: str | None) -> bool:
        """Rehash the suspect entry at ``path``: fsync it and keep it if its digest is
        ``sha256``, delete it otherwise (also when ``sha256`` is ``None``: nothing can prove
        it); whether it was kept. Safe without a lock: deleting an entry is always safe."""
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed below
        except (FileNotFoundError, NotADirectoryError):
            self._drop_suspect(name)
            return False
        with f:
            kept = sha256 is not None and hashlib.file_digest(f, "sha256").hexdigest() == sha256
            if kept:
                os.fsync(f.fileno())
            else:
                with contextlib.suppress(FileNotFoundError):
                    if os.stat(path).st_ino == os.fstat(f.fileno()).st_ino:
                        os.unlink(path)
        self._drop_suspect(name)  # never this boot's marker: a fill may be writing it now
        return kept

    # -- internals ---------------------------------------------------------
    def _drop_suspect(self, name: str) -> None:
        """Drop the other boots' marker of ``name``."""
        self._load()
        with self._lock:
            old = self._suspect.pop(name, None)
        if old is not None:
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                os.unlink(old)

    def _marker(self, name: str) -> str | None:
        return None if self._boot is None else f"{self._dir}/{self._boot}/{name}"

    def _load(self) -> None:
        """Once per instance: read the boot id and list the markers of other boots (removing
        their folders once empty)."""
        with self._lock:
            if self._loaded:
                return
            self._boot = self._read_boot_id()
            suspect: dict[str, str] = {}
            for boot in _scandir(self._dir):
                if boot.name == self._boot or not boot.is_dir():
                    continue
                for marker in _scandir(Path(boot.path)):
                    suspect[marker.name] = marker.path
                with contextlib.suppress(OSError):
                    os.rmdir(boot.path)  # only once every marker is settled
            self._suspect = suspect
            self._loaded = True


def _scandir(path: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as it:
            return list(it)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _make_durable_dirs(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each one's name fsynced in its parent."""
    if folder.is_dir():
        return
    _make_durable_dirs(folder.parent)
    try:
        folder.mkdir()
    except FileExistsError:
        return
    _fsync_dir(folder.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
