"""``entrepot serve`` on a port another program holds: one message proposing ``--port``,
the README's exit code for an unavailable resource (69), no "serving on" and no hang."""

from __future__ import annotations

import re
import socket

from tests.support.cli import Cli
from tests.support.network import free_port


def test_serve_on_a_busy_port_says_so_and_proposes_another(cli: Cli) -> None:
    with socket.socket() as holder:
        port = free_port()
        holder.bind(("127.0.0.1", port))
        holder.listen()
        result = cli("serve", "--port", str(port), "--no-worker")  # timeout: 120 s
    assert result.returncode == 69, result.stderr
    assert "serving on" not in result.stdout
    assert f"127.0.0.1:{port}" in result.stderr
    proposed = re.search(r"--port (\d+)", result.stderr)
    assert proposed is not None and int(proposed.group(1)) != port, result.stderr
    assert "Traceback" not in result.stderr
