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
