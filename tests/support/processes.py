"""Real Entrepôt processes for the fault-injection suite: ``entrepot serve`` started in its
own process group (so ``kill -9`` takes its worker too) and command lines run as typed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.network import free_port
from tests.support.web import PASSWORD

#: A secret for the instance under test (not a constant of the product).
SECRET = "fault-injection-secret-0123456789-abcdefghij"


def instance_env(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of an instance on embedded defaults in ``folder``, with its own
    system temporary folder (so that its ``gc --grace 0s`` takes no other test's files)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTREPOT_")}
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    env["TMPDIR"] = str(folder / "tmp")
    env.update(
        {
            "ENTREPOT_STORE_URL": str(folder / "var" / "store"),
            "ENTREPOT_DATABASE_URL": f"sqlite:///{folder / 'var' / 'entrepot.db'}",
            "ENTREPOT_CACHE_DIR": str(folder / "var" / "cache"),
            "ENTREPOT_VAR_DIR": str(folder / "var"),
            "ENTREPOT_SECRET_KEY": SECRET,
            "ENTREPOT_REFERENCE_COUNT": "0",
            "ENTREPOT_TRAINING_BUDGET": "2",
        }
    )
    env.update({f"ENTREPOT_{k.upper()}": v for k, v in settings.items()})
    return env


def run(
    env: dict[str, str], folder: Path, *args: str, stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``entrepot ARGS`` in ``folder``; the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "entrepot", *args],
        env=env,
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def api_token(env: dict[str, str], folder: Path, email: str) -> dict[str, str]:
    """Create the account ``email`` and return the headers of an API token of it."""
    created = run(env, folder, "users", "create", email, "--password-stdin", stdin=PASSWORD)
    assert created.returncode == 0, created.stderr
    token = run(env, folder, "users", "token", email)
    assert token.returncode == 0, token.stderr
    return {"Authorization": f"Bearer {token.stdout.strip()}"}


class Server:
    """One ``entrepot serve`` process group on a free port."""

    def __init__(self, env: dict[str, str], folder: Path, *flags: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"serve-{self.port}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "entrepot", "serve", "--port", str(self.port), *flags],
                env=env,
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"entrepot serve exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/health/live", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"entrepot serve did not answer within 60 s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """``kill -9`` the whole process group (the server and its worker)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop it gracefully (then by force)."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
