"""Real Entrepôt processes for the fault-injection suite: ``entrepot serve`` started in its
own process group (so ``kill -9`` takes its worker too) and command lines run as typed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.network import free_port
from tests.support.waiting import HANG_GUARD, wait_for
from tests.support.web import PASSWORD

#: A secret for the instance under test (not a constant of the product).
SECRET = "fault-injection-secret-0123456789-abcdefghij"


def instance_env(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of an instance on embedded defaults in ``folder``, with its own
    system temporary folder (so that its ``gc --grace 0s`` takes no other test's files);
    its training budgets are counted in steps, so a training is the same on any load."""
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
            "ENTREPOT_TRAINING_CLOCK": "steps",
        }
    )
    env.update({f"ENTREPOT_{k.upper()}": v for k, v in settings.items()})
    return env


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read in ``/proc``)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        parent = next((line.split()[1] for line in lines if line.startswith("PPid:")), "")
        if parent == str(pid):
            found.append(int(status.parent.name))
    return found


def run(
    env: dict[str, str], folder: Path, *args: str, stdin: str = "", timeout: float = HANG_GUARD
) -> subprocess.CompletedProcess[str]:
    """``entrepot ARGS`` in ``folder``; the finished process (``timeout``: a hang guard)."""
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


def wait_until_it_answers(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the server at ``url`` answers ``/health/live``; fail at once, with its
    log's end, if ``process`` exits first (the only time limit is the hang guard)."""

    def live() -> bool:
        try:
            return httpx.get(url + "/health/live", timeout=HANG_GUARD).status_code == 200
        except httpx.HTTPError:
            return False

    def exited() -> str | None:
        if process.poll() is None:
            return None
        return f"it exited:\n{log.read_text()[-3000:]}"

    wait_for(live, f"entrepot serve answering on {url}", gone=exited, every=0.2)


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
        try:
            wait_until_it_answers(self.url, self.process, self.log)
        except BaseException:
            self.kill()
            raise

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
