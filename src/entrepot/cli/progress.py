"""Rich progress bars: bytes transferred, or items counted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


def transfer_progress(console: Console) -> Progress:
    """A progress bar with bytes, rate and ETA."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def count_progress(console: Console) -> Progress:
    """A progress bar of items (rows, files): done of total, and ETA."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


#: What a service is given to report how far it is: ``(done, total)``, in its own units.
OnProgress = Callable[[int, int], None]


@contextmanager
def bar(console: Console, what: str) -> Iterator[OnProgress]:
    """A bar of ``what`` with done of total and the time left, fed by the ``(done, total)``
    a service reports; drawn only when ``console`` is a terminal and not quieted (``-q``):
    a pipe, a file or a log gets no bar at all. Notes printed on ``console`` meanwhile show
    above the bar, never on its line."""
    if console.quiet or not console.is_terminal:
        yield lambda _done, _total: None
        return
    progress = count_progress(console)
    tasks: list[TaskID] = []  # the bar, once the first report came (a quick step draws none)

    def update(done: int, total: int) -> None:
        if not tasks:
            progress.start()
            tasks.append(progress.add_task(what, total=total))
        progress.update(tasks[0], completed=done, total=total)

    try:
        yield update
    finally:
        if tasks:
            progress.stop()


class ProgressReader:
    """A binary reader that reports how many bytes were read."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], object]) -> None:
        self._raw = raw
        self._on_read = on_read

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self._on_read(len(chunk))
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return self._raw.seekable()

    def readinto(self, buffer: bytearray | memoryview) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._on_read(n)
        return int(n)
