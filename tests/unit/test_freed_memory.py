"""The allocator's free pages given back once a step is done (ADR 0112)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from entrepot import freed_memory

GLIBC = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION") is not None

#: In a fresh process: 300 MiB of small buffers on the heap, all freed but the last (so the
#: heap's top cannot shrink by itself), resident before and after ``give_back``.
_PROBE = """
import sys
from entrepot.freed_memory import give_back
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 >> 20
held = [bytearray(64 * 1024) for _ in range(4800)]
for b in held:
    b[::4096] = b"x" * len(b[::4096])  # touched: resident
last = held[-1]
del held
before = resident()
given = give_back()
print(before, resident(), given)
"""


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_the_heaps_free_pages_leave_the_process() -> None:
    found = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True)
    before, after, given = found.stdout.split()
    assert given == "True"
    assert int(before) - int(after) > 200, found.stdout  # of the 300 MiB freed


def test_without_glibc_nothing_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(freed_memory, "_malloc_trim", lambda: None)
    assert freed_memory.give_back() is False


#: In a fresh process: 300 MiB of Arrow buffers made and freed; Arrow's own allocator
#: (mimalloc or jemalloc) keeps them until asked.
_ARROW_PROBE = """
import pyarrow as pa
from entrepot.freed_memory import give_back
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 >> 20
made = [pa.array(["x" * 50] * 200_000) for _ in range(30)]
del made
before = resident()
give_back()
print(pa.default_memory_pool().backend_name, before, resident())
"""


def test_arrows_free_pages_leave_the_process_too() -> None:
    """Arrow keeps what it frees in its own allocator, beside glibc's: a scoring's text
    columns (150 MiB after describing 5M rows) were held to the end."""
    found = subprocess.run([sys.executable, "-c", _ARROW_PROBE], capture_output=True, text=True)
    backend, before, after = found.stdout.split()
    if backend == "system":  # Arrow built on glibc's allocator: the test above holds it
        pytest.skip("Arrow allocates through glibc here")
    assert int(before) - int(after) > 100, found.stdout


def test_arrows_pool_is_not_imported_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that never loaded Arrow does not load it to give memory back."""
    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)
    monkeypatch.setattr(freed_memory, "_malloc_trim", lambda: None)
    freed_memory.give_back()
    assert "pyarrow" not in sys.modules
