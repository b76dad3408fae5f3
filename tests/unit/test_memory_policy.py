"""The process's memory policy (ADRs 0108, 0113): the collector's thresholds, no
transparent huge pages on Linux (kept by the processes it starts), a scoring command's
heap kept in a scoring command, set by the console script alone."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrepot.bootstrap import memory_policy
from entrepot.cli import main as cli_main

LINUX = sys.platform.startswith("linux")


@pytest.fixture
def thresholds() -> Iterator[None]:
    """The test process's collector thresholds put back after the test."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_policy_raises_the_collectors_first_threshold(
    thresholds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(
        memory_policy, "_prctl", lambda option, value: asked.append((option, value))
    )
    gc.set_threshold(700, 10, 10)
    memory_policy.apply()
    assert gc.get_threshold() == memory_policy.GC_THRESHOLDS
    assert memory_policy.GC_THRESHOLDS[0] > 700
    assert asked == [(41, 1)]  # PR_SET_THP_DISABLE


@pytest.mark.skipif(not LINUX, reason="PR_SET_THP_DISABLE is Linux's")
def test_no_huge_pages_in_the_process_nor_in_the_ones_it_starts() -> None:
    """Run in a child (the flag is kept by every process started after it, and the test
    process is shared): the child has huge pages disabled, and so has a process it
    starts (before: whatever the test's machine gave it)."""
    code = (
        "import subprocess, sys\n"
        "from entrepot.bootstrap import memory_policy as m\n"
        "before = m.huge_pages_disabled()\n"
        "m.apply()\n"
        "child = subprocess.run([sys.executable, '-c', 'from entrepot.bootstrap import "
        "memory_policy as m; print(m.huge_pages_disabled())'], capture_output=True, "
        "text=True, check=True).stdout.strip()\n"
        "print(before, m.huge_pages_disabled(), child)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] in {"False", "True"}
    assert out[1:] == ["True", "True"]


def test_huge_pages_can_be_left_to_the_systems_rule(
    thresholds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(
        memory_policy, "_prctl", lambda option, value: asked.append((option, value))
    )
    memory_policy.apply(huge_pages=True)
    assert asked == [(41, 0)]  # PR_SET_THP_DISABLE cleared


@pytest.mark.parametrize(
    ("mode", "on_request"),
    [
        ("always [madvise] never\n", True),
        ("[always] madvise never\n", False),
        ("always madvise [never]\n", False),
        (None, False),  # no such file: not Linux, or a kernel without them
        (b"\xff\xfe", False),  # not text
    ],
)
def test_huge_pages_on_request_reads_the_systems_mode(
    mode: str | bytes | None, on_request: bool, tmp_path: Path
) -> None:
    path = tmp_path / "enabled"
    if isinstance(mode, str):
        path.write_text(mode, encoding="ascii")
    elif isinstance(mode, bytes):
        path.write_bytes(mode)
    assert memory_policy.huge_pages_on_request(path) is on_request


@pytest.mark.parametrize(("on_request", "asked_for"), [(True, 0), (False, 1)])
def test_a_dask_worker_takes_huge_pages_only_where_the_system_gives_them_on_request(
    on_request: bool, asked_for: int, thresholds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADR 0120: on request (``madvise``), the worker lets NumPy have the huge pages it
    asks for; backed always, the worker keeps them off as the command does."""
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(
        memory_policy, "_prctl", lambda option, value: asked.append((option, value))
    )
    monkeypatch.setattr(memory_policy, "huge_pages_on_request", lambda: on_request)
    memory_policy.dask_setup(None)
    assert asked == [(41, asked_for)]


def test_off_linux_nothing_is_asked_of_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_policy.sys, "platform", "darwin")
    assert memory_policy.huge_pages_disabled() is None


def test_the_console_script_sets_the_policy_before_the_command_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order: list[str] = []
    monkeypatch.setattr(
        memory_policy, "apply", lambda keep_heap: order.append(f"policy keep_heap={keep_heap}")
    )
    monkeypatch.setattr(cli_main.sys, "argv", ["entrepot", "fraud", "score", "a.csv"])

    def command(argv: list[str]) -> int:
        order.append("command")
        return 0

    monkeypatch.setattr(cli_main, "main", command)
    with pytest.raises(SystemExit) as exited:
        cli_main.run()
    assert exited.value.code == 0
    assert order == ["policy keep_heap=True", "command"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["fraud", "score", "a.csv", "b.csv"], True),
        (["-q", "fraud", "evaluate", "--model", "m", "a.csv"], True),
        (["fraud", "train", "a.csv"], False),
        (["city", "run"], False),
        ([], False),
        (["serve", "--port", "8000"], False),
        (["--verbose", "worker"], False),
    ],
)
def test_only_the_scoring_commands_keep_their_heap(argv: list[str], expected: bool) -> None:
    assert cli_main.keeps_heap(argv) is expected


@pytest.mark.skipif(not LINUX, reason="glibc's mallopt")
@pytest.mark.parametrize("keep_heap", [True, False])
def test_a_kept_heap_reuses_the_pages_it_freed(keep_heap: bool) -> None:
    """In a child (the setting is the process's): 64 MiB allocated, touched, freed, then
    allocated and touched again. A kept heap serves the second from the pages the
    heap kept (few page faults); glibc's defaults map it afresh, each of its 16,384
    pages faulted in again."""
    code = (
        "import resource, sys, numpy as np\n"
        "from entrepot.bootstrap import memory_policy as m\n"
        f"m.apply(keep_heap={keep_heap})\n"
        "a = np.ones(8 * 1024**2); del a\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "b = np.ones(8 * 1024**2)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    faults = int(out.stdout)
    if keep_heap:
        assert faults < 2_000
    else:
        assert faults > 10_000


def test_importing_the_cli_sets_nothing() -> None:
    """Nothing at import time: a fresh interpreter importing the CLI keeps Python's
    thresholds and the huge pages it was given."""
    code = (
        "import gc\nfrom entrepot.bootstrap import memory_policy as m\n"
        "before = (gc.get_threshold(), m.huge_pages_disabled())\n"
        "import entrepot.cli.main\nprint(before == (gc.get_threshold(), m.huge_pages_disabled()),"
        " gc.get_threshold())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "True"
    assert "(700, 10, 10)" in out.stdout
