"""A command's local Dask workers write nothing into the command's output (ADR 0118).

A local cluster's worker processes inherit the command's standard output. A library that
prints from a worker lands there, in the middle of what the command says and of its
``--json``: LightGBM's data-parallel fit prints its network's news (the ports bound, the
ranks connected) from C++ in Dask's task threads, where no Python logger reaches. Loaded
in each worker as a Dask preload (:func:`dask_setup`), this points the worker's standard
output at ``os.devnull``: what a command says is its own process's. A worker's errors
still reach the command as each task's exception, and its standard error is untouched.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["dask_setup"]


def dask_setup(worker: Any) -> None:
    """Dask's preload hook: this worker's standard output goes nowhere."""
    sys.stdout.flush()
    nowhere = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(nowhere, sys.stdout.fileno())
    finally:
        os.close(nowhere)
