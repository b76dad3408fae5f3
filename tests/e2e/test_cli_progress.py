"""A long command draws a progress bar with the time left on stderr when stderr is a
terminal (a pseudo-terminal here), and nothing of it when stderr is a pipe; stdout has the
results only, either way."""

from __future__ import annotations

import os
import re
import select
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import ENTRY_POINT

#: ``city generate`` of three small days: a few seconds, seven parts.
GENERATE = (
    "city", "generate", "--start", "2025-11-04", "--days", "3", "--arcs", "60",
    "--stations", "40", "--counters", "6", "--roadworks", "40",
)  # fmt: skip
#: What the bar shows once it has a pace: its label, done of total, and the time left.
BAR = re.compile(r"city generate\s+━+\s+\d/7\s+\d+:\d\d:\d\d")
#: Colours and cursor moves (the bar redraws its line).
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    return {**env, "TMPDIR": str(folder), "TERM": "xterm-256color"}


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    made = subprocess.run(
        [*ENTRY_POINT, "db", "upgrade"], cwd=tmp_path, env=_env(tmp_path), capture_output=True
    )
    assert made.returncode == 0, made.stderr
    return tmp_path


def _with_terminal_stderr(folder: Path, *args: str) -> tuple[int, str, str]:
    """Run ``entrepot args`` with stderr on a pseudo-terminal and stdout on a pipe."""
    master, slave = os.openpty()
    process = subprocess.Popen(
        [*ENTRY_POINT, *args],
        cwd=folder,
        env=_env(folder),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    drawn = bytearray()
    try:
        while True:  # read as it comes: a full terminal buffer would block the command
            ready, _, _ = select.select([master], [], [], 120)
            assert ready, "the command stopped writing for two minutes"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command closed its end
                break
            if not chunk:
                break
            drawn += chunk
        assert process.stdout is not None
        out = process.stdout.read().decode()
        code = process.wait(timeout=120)
    finally:
        os.close(master)
        if process.stdout is not None:
            process.stdout.close()
    return code, out, ESCAPES.sub("", drawn.decode(errors="replace"))


def test_a_terminal_gets_a_bar_with_the_time_left_and_stdout_only_results(
    instance: Path,
) -> None:
    code, out, drawn = _with_terminal_stderr(instance, *GENERATE)
    assert code == 0, drawn
    assert BAR.search(drawn), drawn
    assert "━" not in out and "city generate" not in out
    assert "counts_rows" in out


def test_a_pipe_gets_no_bar(instance: Path) -> None:
    piped = subprocess.run(
        [*ENTRY_POINT, *GENERATE], cwd=instance, env=_env(instance), capture_output=True, text=True
    )
    assert piped.returncode == 0, piped.stderr
    assert "━" not in piped.stdout + piped.stderr
    assert "city generate" not in piped.stdout + piped.stderr
    assert not piped.stderr.strip(), piped.stderr


def test_json_output_is_the_document_alone_even_on_a_terminal(instance: Path) -> None:
    code, out, drawn = _with_terminal_stderr(instance, *GENERATE, "--json")
    assert code == 0, drawn
    assert out.lstrip().startswith("{") and out.rstrip().endswith("}")
    assert BAR.search(drawn), "the bar is on stderr, beside the document"
