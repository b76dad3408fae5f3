"""A table in a gzip file (``transactions.csv.gz``), inflated within a bound.

gzip states no size it can be held to (its trailer's length is modulo 4 GiB and comes
last), so the inflated bytes are counted as they come and the reading stops at the first
chunk past the bound: a few KiB that inflate to gigabytes are refused after ``bound``
bytes of work, never more.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from typing import IO

from entrepot.compression import MAX_RATIO, over_ratio, ratio
from entrepot.fraud.errors import UnreadableFile
from entrepot.fraud.tables import refused
from entrepot.fraud.tables.bounds import InflatesTooMuch
from entrepot.messages import N_, Message, Size
from entrepot.sizes import human_size

MAGIC = b"\x1f\x8b"
_CHUNK = 1024 * 1024


def is_gzip(head: bytes) -> bool:
    """Whether ``head`` starts a gzip file."""
    return head[:2] == MAGIC


def inner_name(name: str) -> str:
    """``t.csv.gz`` -> ``t.csv``: the name of the file a gzip holds."""
    for suffix in (".gz", ".gzip"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def chunks(
    source: IO[bytes], name: str, *, bound: int, packed: int | None = None
) -> Iterator[bytes]:
    """The inflated bytes of the gzip ``source``, a chunk at a time; raises
    :class:`InflatesTooMuch` past ``bound`` bytes, or once the bytes inflated break the
    compression ratio rule (:mod:`entrepot.compression`) for a file of ``packed`` bytes
    (when given), and :class:`UnreadableFile` for a damaged or cut archive."""
    total = 0
    try:
        with gzip.GzipFile(fileobj=source, mode="rb") as inflating:
            while chunk := inflating.read(_CHUNK):
                total += len(chunk)
                if total > bound:
                    raise InflatesTooMuch(
                        f"{name} inflates to more than {human_size(bound)}, the most a table "
                        "read whole may take",
                        said=Message(
                            N_("error.table.gzip_inflates"), {"name": name, "most": Size(bound)}
                        ),
                    )
                if packed is not None and over_ratio(total, packed):
                    raise _bomb(name, total, packed)
                yield chunk
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise UnreadableFile(
            f"{name} is not a readable gzip file: {exc}",
            hint="compress the CSV again (gzip FILE.csv), or upload it uncompressed",
            said=Message(
                N_("error.table.gzip_unreadable"), {"name": name, "detail": str(exc)[:200]}
            ),
        ) from None


def gunzip(data: bytes, name: str, *, bound: int) -> bytes:
    """The inflated ``data``, at most ``bound`` bytes, within the compression ratio rule."""
    return b"".join(chunks(io.BytesIO(data), name, bound=bound, packed=len(data)))


def _bomb(name: str, inflated: int, packed: int) -> InflatesTooMuch:
    shown = round(ratio(inflated, packed))
    return InflatesTooMuch(
        f"{name} is compressed more than {shown} to 1 ({human_size(packed)} inflating past "
        f"{human_size(inflated)}); at most {MAX_RATIO} to 1 is accepted, as no real export "
        "compresses that much",
        hint="upload the table uncompressed, or compress it again from the original file",
        said=refused.compressed_too_much(name, shown, MAX_RATIO),
    )
