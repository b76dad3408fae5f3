"""Servers the benchmarks start for themselves, on loopback only."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def entrepot(folder: Path, env: dict[str, str], *args: str, stdin: str = "") -> str:
    """``entrepot ARGS`` in ``folder`` with ``env``; its output (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-m", "entrepot", *args],
        cwd=folder,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def wait_until_answering(url: str, tries: int = 300) -> None:
    """Poll ``url`` until it answers (any status), 0.2 s apart, at most ``tries`` times."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)


@contextmanager
def serving(
    folder: Path, env: dict[str, str], port: int, *args: str, tries: int = 300
) -> Iterator[subprocess.Popen[bytes]]:
    """``entrepot serve --port PORT ARGS`` in ``folder`` (its output in ``serve.log``) until
    the block ends, once it answers ``/health/live``."""
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "entrepot", "serve", "--port", str(port), *args],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/health/live", tries=tries)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a job still running in its worker
            process.kill()
            process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def start_moto(port: int) -> Iterator[str]:
    """A moto S3 server in its own process on 127.0.0.1:``port``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)
