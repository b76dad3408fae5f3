"""A real, tiny disk: a tmpfs mounted for one test (needs root, as CI and the dev machines
run), to see what a full disk does."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


@contextmanager
def tiny_tmpfs(parent: Path, size: str = "256k") -> Iterator[Path]:
    """A ``size`` tmpfs mounted under ``parent``, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI and the dev machines run as root)")
    mount = parent / f"tiny-{uuid.uuid4().hex[:8]}"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


class FullTemporaryFile(io.BytesIO):
    """A temporary file on a full disk: every write fails as a full disk's does
    (``tempfile.TemporaryFile`` monkeypatched to return one)."""

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def opened_temporary_files(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every temporary file ``tempfile.TemporaryFile`` opens from now on, real ones, kept
    in this list so that a test can cut one short."""
    opened: list[Any] = []
    make = tempfile.TemporaryFile

    def kept(**options: Any) -> Any:
        opened.append(make(**options))
        return opened[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", kept)
    return opened
