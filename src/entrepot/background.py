"""One call on a thread of its own, its result or its error handed back as a ``Future``.

For work that overlaps the caller's (a cache marker made durable while the entry is
written, a manifest read beside the files it lists): the caller collects the outcome with
``future.result()``, in its own thread, and an error is raised there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


def on_a_thread(call: Callable[[], T], *, name: str) -> Future[T]:
    """Start ``call()`` on a daemon thread called ``name``; its future holds the outcome."""
    future: Future[T] = Future()

    def run() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(call())
        except BaseException as exc:  # handed to whoever asks for the result
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
