"""Stale temporaries: files a crashed process left behind (a ``kill -9`` mid-upload leaves
``var/tmp/upload-*.part``; mid-write, a local store's ``.entrepot-tmp-*``).

Only names Entrepôt itself gives its temporaries are taken, only in the folders where it
puts them, and only once older than the grace period: a temporary in use is written to (or
created) within the grace, so a write in flight is never removed. A folder is taken whole
when it and everything in it are older than the grace. Symbolic links are never followed
nor removed; what belongs to another account (in a shared system temporary folder) is
left.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TempArea:
    """A local folder where Entrepôt leaves temporaries, and the names that are its own."""

    folder: Path
    #: ``fnmatch`` patterns of the names of its temporaries (files or folders).
    patterns: tuple[str, ...]
    #: Also look in sub-folders (a local store puts its temporaries beside each object).
    recursive: bool = False


@dataclass(frozen=True, slots=True)
class StaleTemporary:
    """A temporary older than the grace period."""

    path: Path
    size: int
    modified: datetime


@dataclass(frozen=True, slots=True)
class TempReport:
    """What a collection found and removed."""

    found: tuple[StaleTemporary, ...]
    #: How many were removed (0 on a dry run).
    removed: int
    #: Bytes they hold.
    bytes: int


def collect_temporaries(
    areas: Iterable[TempArea],
    *,
    grace: timedelta,
    dry_run: bool,
    now: datetime | None = None,
) -> TempReport:
    """Find, and unless ``dry_run`` remove, the temporaries in ``areas`` older than ``grace``."""
    if grace < timedelta(0):
        raise ValueError(f"grace {grace} must not be negative")
    cutoff = (now or datetime.now(UTC)) - grace
    found: list[StaleTemporary] = []
    removed = 0
    for area in areas:
        for path in _candidates(area):
            stale = _stale(path, cutoff)
            if stale is None:
                continue
            found.append(stale)
            if not dry_run and _remove(path):
                removed += 1
    return TempReport(tuple(found), removed, sum(item.size for item in found))


def _candidates(area: TempArea) -> Iterator[Path]:
    if not area.folder.is_dir():
        return
    if not area.recursive:
        for entry in os.scandir(area.folder):
            if _ours(entry.name, area.patterns):
                yield Path(entry.path)
        return
    for dirpath, dirnames, filenames in os.walk(area.folder):
        taken = [d for d in dirnames if _ours(d, area.patterns)]
        dirnames[:] = [d for d in dirnames if d not in taken]
        for name in (*taken, *filenames):
            if _ours(name, area.patterns):
                yield Path(dirpath) / name


def _ours(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def _stale(path: Path, cutoff: datetime) -> StaleTemporary | None:
    """The temporary at ``path`` if it (and all it holds) is older than ``cutoff``."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return None
        newest, size = info.st_mtime, info.st_size
        if stat.S_ISDIR(info.st_mode):
            size = 0
            for dirpath, dirnames, filenames in os.walk(path):
                for name in (*dirnames, *filenames):
                    inner = os.lstat(os.path.join(dirpath, name))
                    newest = max(newest, inner.st_mtime)
                    size += inner.st_size if stat.S_ISREG(inner.st_mode) else 0
        elif not stat.S_ISREG(info.st_mode):
            return None
    except (FileNotFoundError, PermissionError):  # finished meanwhile, or another account's
        return None
    modified = datetime.fromtimestamp(newest, UTC)
    return StaleTemporary(path, size, modified) if modified <= cutoff else None


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except (FileNotFoundError, PermissionError):  # gone meanwhile, or another account's
        return False
    return True
