"""How a command's process, and each Dask worker, manages its memory (ADR 0108): set once,
at the start, by the console script (``entrepot.cli.main.run``) and by a worker's preload
(:func:`dask_setup`, Dask's hook for ``--preload entrepot.bootstrap.memory_policy``).

- **Python's cyclic collector runs after 10,000 new container objects, not 700.** A
  command holds millions of objects from its libraries (pandas, scikit-learn, SciPy), and
  every tenth young collection ran through the middle generation: 0.49 of 9.3 CPU-s
  scoring 1M rows (618 young, 56 middle and 5 full collections), 0.13 after (43, 4, 0).
- **No transparent huge pages** (Linux's ``PR_SET_THP_DISABLE``, kept by the processes
  a command starts: its local cluster's fork server and workers). Where the system backs
  every large allocation with 2 MiB pages (``/sys/kernel/mm/transparent_hugepage/enabled``
  at ``always``), each page is zeroed whole when first touched, and the many short-lived
  arrays of a scoring are touched in part: 2.5 → 1.5 system CPU-s scoring 1M rows, the same
  user time and bytes. Where the system uses them only on request (``madvise``) or never,
  this changes little or nothing. Another system: nothing is done.
  **A Dask worker takes the huge pages NumPy asks for, where the system gives them only
  on request** (ADR 0120: ``madvise``, read from that file): NumPy asks for them for its
  arrays of 4 MiB or more, and a worker, which keeps glibc's defaults, maps each of a
  part's large arrays afresh: 2.6M → 0.74M page faults and 10.1 → 6.1-7.1 system CPU-s
  in two workers scoring 5M rows, the same bytes. Where the system backs every large
  allocation (``always``) the workers keep them off, as the command does.
- **A scoring command keeps its heap** (``apply(keep_heap=True)``; ADR 0113): glibc maps
  every block past its threshold (at most 32 MiB) afresh and unmaps it when freed, and
  gives back the heap's free top past 128 KiB; a table scored in parts (ADR 0122: 500k rows)
  makes each part's arrays again where the last part's were, each page faulted in and
  zeroed anew (2.95M faults scoring 5M rows). Kept, the heap serves them from the pages
  it already has (1.07M faults, −4 system CPU-s, the same bytes), at the cost of what it
  holds freed between two trims (its peak rose 9 % on the Fraud Detection Handbook's
  1.75M rows); what a step frees for good is still given back where the step ends
  (``entrepot.freed_memory.give_back``). A
  training keeps glibc's defaults: its peak decides whether a table trains at all, and a
  kept heap raised it by 5 % at 5M rows (for 12 % less CPU). So do a server, a job worker
  and a Dask worker, which run for days: their memory falls back after each piece of work;
  but the workers of a scoring command's own local cluster, which live as long as the
  command, keep their heap as it does (ADR 0135).

All three are process-wide and deliberate: a library function never sets them.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "GC_THRESHOLDS",
    "HEAP_TOP_KEPT",
    "apply",
    "dask_setup",
    "huge_pages_disabled",
    "huge_pages_on_request",
    "keep_the_heap",
    "keeps_heap",
]

#: The collector's thresholds: young collection after this many new container objects,
#: then Python's defaults for the older generations.
GC_THRESHOLDS = (10_000, 10, 10)
#: ``prctl`` options (``<linux/prctl.h>``).
_PR_SET_THP_DISABLE = 41
_PR_GET_THP_DISABLE = 42
#: ``mallopt`` parameters (``<malloc.h>``).
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
#: Where Linux says when it gives a process transparent huge pages (the mode in brackets).
HUGE_PAGES_MODE = Path("/sys/kernel/mm/transparent_hugepage/enabled")
#: The free bytes a scoring command's heap keeps at its top (``mallopt`` takes an
#: ``int``: this is the most it takes).
HEAP_TOP_KEPT = 2**31 - 1
#: Whether :func:`apply` was asked to keep this process's heap.
_KEPT = {"heap": False}


def apply(*, keep_heap: bool = False, huge_pages: bool = False) -> None:
    """This process's collector thresholds, on Linux no transparent huge pages (unless
    ``huge_pages``: the system's own rule then) and, where ``keep_heap`` (a scoring
    command), a glibc heap that maps no block afresh and keeps its free top
    (:data:`HEAP_TOP_KEPT`)."""
    gc.set_threshold(*GC_THRESHOLDS)
    _prctl(_PR_SET_THP_DISABLE, 0 if huge_pages else 1)
    if keep_heap:
        keep_the_heap()


def keep_the_heap() -> None:
    """This process's glibc heap maps no block afresh and keeps its free top
    (:data:`HEAP_TOP_KEPT`), as a scoring command's does (ADR 0113), and its workers'
    (``bootstrap.cluster.dask_setup``, ADR 0135)."""
    _keep_heap()
    _KEPT["heap"] = True


def keeps_heap() -> bool:
    """Whether this process keeps its heap (:func:`apply` with ``keep_heap``): a command
    whose local cluster's workers then keep theirs for its time (ADR 0135)."""
    return _KEPT["heap"]


def _keep_heap() -> None:
    """Every block from the heap, none mapped on its own, and the heap's free top kept;
    nothing where there is no glibc ``mallopt`` to ask."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's libc
    except (OSError, AttributeError):  # musl and others have no mallopt
        return
    mallopt(_M_MMAP_MAX, 0)
    mallopt(_M_TRIM_THRESHOLD, HEAP_TOP_KEPT)


def huge_pages_disabled() -> bool | None:
    """Whether this process has transparent huge pages disabled (``None``: not Linux, or
    the kernel cannot say)."""
    answer = _prctl(_PR_GET_THP_DISABLE, 0)
    return None if answer is None or answer < 0 else bool(answer)


def huge_pages_on_request(mode: Path = HUGE_PAGES_MODE) -> bool:
    """Whether the system gives transparent huge pages only to the memory a process asks
    them for (``madvise``); ``False`` where it cannot say."""
    try:
        return "[madvise]" in mode.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False


def dask_setup(worker: Any) -> None:
    """Dask's preload hook: a worker's process under the command's policy, but with the
    huge pages NumPy asks for where the system gives them only on request (ADR 0120); a
    local cluster's worker keeps its heap where its command keeps its own
    (``bootstrap.cluster.dask_setup``, ADR 0135)."""
    apply(huge_pages=huge_pages_on_request())


def _prctl(option: int, value: int) -> int | None:
    """``prctl(option, value, 0, 0, 0)`` where the system has it, else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        answer: int = libc.prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        return None
    return answer
