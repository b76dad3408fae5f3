"""Issue 42 item 4, the command line's low findings, each as a user meets it: a secret file
that never ends is read within a bound, and what the command cannot use is refused with a
clear message and its exit code, never exit 70 "unexpected failure"."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.cli import Cli


def _clear(done: subprocess.CompletedProcess[str], code: int, *said: str) -> str:
    out = done.stdout + done.stderr
    assert done.returncode == code, out
    assert all(s in out for s in said), out
    assert "Traceback" not in out and "unexpected failure" not in out, out
    return out


def test_rewrap_reads_a_secret_file_within_a_bound(cli: Cli, tmp_path: Path) -> None:
    assert cli("db", "upgrade").returncode == 0
    # /dev/zero never ends: it was read until memory ran out
    _clear(cli("secrets", "rewrap", "--old-secret-file", "/dev/zero"), 2, "larger than")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")
    _clear(cli("secrets", "rewrap", "--old-secret-file", "latin1.txt"), 2, "not UTF-8 text")


@pytest.mark.parametrize(
    "url",
    ["http://exa\r\nmple.com", "http://exa mple.com", f"http://{'a' * 5000}.com", "http://a..b"],
    ids=["crlf", "space", "5000-host", "empty-label"],
)
def test_an_entrepot_url_that_is_no_address_is_refused_clearly(cli: Cli, url: str) -> None:
    done = cli("models", "ls", extra_env={"ENTREPOT_URL": url, "ENTREPOT_TOKEN": "t"})
    out = _clear(done, 2, "is not the URL of a service")
    assert len(out) < 1000  # a 5,000-character host is not printed whole
