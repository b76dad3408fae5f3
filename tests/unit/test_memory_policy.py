"""The process's memory policy (ADRs 0108, 0113): the collector's thresholds, no
transparent huge pages on Linux (kept by the processes it starts), a one-shot command's
heap kept, set by the console script alone."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

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


def test_off_linux_nothing_is_asked_of_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_policy.sys, "platform", "darwin")
    assert memory_policy.huge_pages_disabled() is None


def test_the_console_script_sets_the_policy_before_the_command_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order: list[str] = []
    monkeypatch.setattr(
        memory_policy, "apply", lambda one_shot: order.append(f"policy one_shot={one_shot}")
    )
    monkeypatch.setattr(cli_main.sys, "argv", ["entrepot", "fraud", "score", "a.csv"])

    def command(argv: list[str]) -> int:
        order.append("command")
        return 0

    monkeypatch.setattr(cli_main, "main", command)
    with pytest.raises(SystemExit) as exited:
        cli_main.run()
    assert exited.value.code == 0
    assert order == ["policy one_shot=True", "command"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["fraud", "score", "a.csv", "b.csv"], True),
        (["-q", "city", "run"], True),
        ([], True),
        (["serve", "--port", "8000"], False),
        (["--verbose", "worker"], False),
    ],
)
def test_servers_and_job_workers_are_not_one_shot(argv: list[str], expected: bool) -> None:
    assert cli_main.one_shot(argv) is expected


@pytest.mark.skipif(not LINUX, reason="glibc's mallopt")
@pytest.mark.parametrize("one_shot", [True, False])
def test_a_one_shot_command_reuses_the_pages_it_freed(one_shot: bool) -> None:
    """In a child (the setting is the process's): 64 MiB allocated, touched, freed, then
    allocated and touched again. A one-shot process serves the second from the pages the
    heap kept (few page faults); glibc's defaults map it afresh, each of its 16,384
    pages faulted in again."""
    code = (
        "import resource, sys, numpy as np\n"
        "from entrepot.bootstrap import memory_policy as m\n"
        f"m.apply(one_shot={one_shot})\n"
        "a = np.ones(8 * 1024**2); del a\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "b = np.ones(8 * 1024**2)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    faults = int(out.stdout)
    if one_shot:
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
