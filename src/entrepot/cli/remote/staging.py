"""Files the remote commands write: staged beside their place (mode 0600, flushed to disk),
then renamed into place, so a reader sees the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def staged(
    folder: Path, suffix: str = ".part", *, keep: bool = False
) -> Iterator[tuple[Path, IO[bytes]]]:
    """A new file in ``folder`` (0600), flushed to disk when the block ends; removed if the
    block fails, and afterwards unless ``keep`` (the caller then renames or removes it)."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".entrepot-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield path, handle
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if not keep:
        path.unlink(missing_ok=True)


@contextmanager
def placed(target: Path) -> Iterator[IO[bytes]]:
    """A handle whose bytes become ``target`` when the block succeeds (staged beside it,
    then renamed); on failure nothing is placed and the old ``target`` stays."""
    with staged(target.parent, keep=True) as (part, handle):
        yield handle
    try:
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
