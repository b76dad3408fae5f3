"""How a local cluster's worker processes start (ADR 0105): forked from a fork server
that imported the tasks' modules once, where the system has one, else spawned."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["fork_server", "start_method"]


def start_method() -> str:
    """How a local cluster's worker processes start: forked from a fork server where the
    system has one, else spawned (each then imports the product itself)."""
    import multiprocessing

    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


@contextmanager
def fork_server(context: Any, preload: Sequence[str]) -> Iterator[None]:
    """A fork server (of the multiprocessing ``context`` the cluster's processes start
    in) that imports ``preload`` once, for the workers a local cluster
    starts within, stopped after them when this pool started it (another pool's cluster
    still running in this process keeps it): its memory is let go and its CPU (and its
    workers') is this process's children's, as a spawned worker's was. Nothing where
    workers are spawned."""
    if start_method() != "forkserver":
        yield
        return
    from multiprocessing import forkserver

    server = forkserver._forkserver
    ours = getattr(server, "_forkserver_pid", None) is None
    context.set_forkserver_preload(["distributed", *preload])
    try:
        yield
    finally:
        # the standard library stops its server through this method alone (its tests'
        # own door); without it the server ends when this process does
        stop = getattr(server, "_stop", None)
        if ours and stop is not None:
            stop()
