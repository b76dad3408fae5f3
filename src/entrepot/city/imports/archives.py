"""gzip and ZIP archives as people store exports: opened, bounded, into a temporary folder.

A gzip file (by its first bytes ``1f 8b``, whatever its name) is inflated, streamed, into
one file named after the name its header records, or its own name without ``.gz``. A ZIP
archive is checked whole before anything is inflated: a member path that is absolute or
climbs out (``..``) is refused by name, and so is an archive bomb: more than
:data:`~entrepot.city.limits.MAX_ARCHIVE_MEMBERS` members, more than the bound inflated in
all, or a member compressed more than :data:`~entrepot.city.limits.MAX_ARCHIVE_RATIO` to 1
(as its directory declares it, and as it is actually read). Members are then inflated one
at a time, each counted against the same bounds while it is written.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

from entrepot.city import refused
from entrepot.city.errors import RawFormatError
from entrepot.city.limits import (
    ARCHIVE_RATIO_FLOOR,
    MAX_ARCHIVE_MEMBERS,
    MAX_ARCHIVE_RATIO,
    MAX_INFLATED_BYTES,
)
from entrepot.compression import over_ratio, ratio
from entrepot.sizes import human_size

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Bounds:
    """What an archive may inflate to: in all, per compressed byte, and in members."""

    max_inflated: int = MAX_INFLATED_BYTES
    max_ratio: int = MAX_ARCHIVE_RATIO
    ratio_floor: int = ARCHIVE_RATIO_FLOOR
    max_members: int = MAX_ARCHIVE_MEMBERS


class ArchiveRefused(RawFormatError):
    """An archive that is unsafe to open (a path out of it, a bomb) or cannot be read."""

    hint = "unpack it yourself and import the files it holds, or download it again"


def gunzip(source: Path, folder: Path, name: str, bounds: Bounds) -> Path:
    """Inflate the gzip file ``source`` into ``folder``; the path of what it holds. Raises
    :class:`ArchiveRefused` naming ``name`` past the bounds or when it cannot be read."""
    with open(source, "rb") as raw:
        inner = inner_name(name, _recorded_name(raw))
        raw.seek(0)
        counted = _Counting(raw)
        target = folder / _safe_leaf(inner)
        try:
            with gzip.GzipFile(fileobj=counted, mode="rb") as inflating:
                _copy(inflating, target, name, bounds, lambda: counted.read_bytes)
        except (gzip.BadGzipFile, EOFError, zlib.error, OSError) as exc:
            raise ArchiveRefused(
                f"{name} is not a readable gzip archive ({exc or 'cut short'})",
                key=name,
                said=refused.archive_unreadable(name),
            ) from None
    return target


def zip_members(source: Path, name: str, bounds: Bounds) -> list[zipfile.ZipInfo]:
    """The files of the ZIP archive ``source``, checked before anything is inflated;
    raises :class:`ArchiveRefused` naming ``name`` and the member at fault."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveRefused(
            f"{name} is not a readable ZIP archive ({exc})",
            key=name,
            said=refused.archive_unreadable(name),
        ) from None
    if len(members) > bounds.max_members:
        raise ArchiveRefused(
            f"{name} holds {len(members)} members (at most {bounds.max_members})",
            key=name,
            said=refused.archive_members(name, len(members), bounds.max_members),
        )
    total = 0
    for member in members:
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in (path.parts[:1] or ("",))[0]:
            raise ArchiveRefused(
                f"{name} holds {member.filename[:120]!r}, a path outside the archive "
                "(absolute or with '..'); nothing of it was imported",
                key=name,
                said=refused.archive_path(name, member.filename[:120]),
            )
        if member.flag_bits & 0x1:
            raise ArchiveRefused(
                f"{name} holds {member.filename[:120]!r}, which is encrypted",
                key=name,
                said=refused.archive_encrypted(name, member.filename[:120]),
            )
        total += member.file_size
        _check(name, member.filename, member.file_size, member.compress_size, total, bounds)
    return [m for m in members if not m.is_dir()]


def unzip_member(
    source: Path, member: zipfile.ZipInfo, folder: Path, name: str, bounds: Bounds
) -> Path:
    """Inflate one checked member of ``source`` into ``folder``, counted against the
    bounds as it is written; the path written."""
    target = folder / _safe_leaf(PurePosixPath(member.filename.replace("\\", "/")).name)
    try:
        with zipfile.ZipFile(source) as archive, archive.open(member) as inflating:
            _copy(inflating, target, name, bounds, lambda: member.compress_size, member.filename)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError, NotImplementedError) as exc:
        raise ArchiveRefused(
            f"{name}: {member.filename[:120]!r} cannot be read ({exc})",
            key=name,
            said=refused.archive_member_unreadable(name, member.filename[:120]),
        ) from None
    return target


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _copy(
    source: _Reader,
    target: Path,
    name: str,
    bounds: Bounds,
    compressed: Callable[[], int],
    member: str = "",
) -> None:
    """Write ``source`` to ``target`` within the bounds; on any failure ``target`` is
    removed (no partial file is left)."""
    written = 0
    try:
        with open(target, "wb") as out:
            for chunk in _chunks(source):
                written += len(chunk)
                _check(name, member, written, compressed(), written, bounds)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _check(name: str, member: str, size: int, packed: int, total: int, bounds: Bounds) -> None:
    where = f" ({member[:120]!r})" if member else ""
    if total > bounds.max_inflated:
        raise ArchiveRefused(
            f"{name}{where} inflates to more than {human_size(bounds.max_inflated)}, the most "
            "an import unpacks",
            key=name,
            hint="unpack it yourself and import the files it holds",
            said=refused.archive_too_big(f"{name}{where}", bounds.max_inflated),
        )
    if over_ratio(size, packed, max_ratio=bounds.max_ratio, floor=bounds.ratio_floor):
        packed_ratio = ratio(size, packed)
        raise ArchiveRefused(
            f"{name}{where} is compressed more than {bounds.max_ratio} to 1 "
            f"({packed_ratio:.0f} to 1): "
            "an archive bomb, not an export (real exports compress 3 to 30 to 1)",
            key=name,
            hint="download the export again from its source",
            said=refused.archive_bomb(f"{name}{where}", round(packed_ratio), bounds.max_ratio),
        )


def _chunks(source: _Reader) -> Iterator[bytes]:
    while chunk := source.read(_CHUNK):
        yield chunk


class _Counting:
    # a read-only file that counts the bytes read from it (the compressed side of a gzip)

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.read_bytes += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()


def _recorded_name(raw: IO[bytes]) -> str | None:
    # the FNAME field of a gzip header (RFC 1952), when the header records one
    head = raw.read(10)
    if len(head) < 10 or not head[3] & 0x08:
        return None
    if head[3] & 0x04:  # FEXTRA
        size = int.from_bytes(raw.read(2), "little")
        raw.read(size)
    name = bytearray()
    while (byte := raw.read(1)) not in (b"", b"\x00") and len(name) < 255:
        name += byte
    text = name.decode("latin-1").strip()
    return PurePosixPath(text.replace("\\", "/")).name or None


def inner_name(name: str, recorded: str | None) -> str:
    """The name of what the gzip file ``name`` holds: ``name`` without ``.gz``, else the
    name its header records, else ``name`` itself."""
    base = PurePosixPath(name.replace("\\", "/")).name
    for suffix in (".gz", ".gzip"):
        if base.lower().endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)]
    return recorded or base


def _safe_leaf(name: str) -> str:
    # a file name inside our own temporary folder: no separators, never empty or dotted
    leaf = name.replace("/", "_").replace("\\", "_").strip(". ")
    return leaf[:150] or "member"
