"""The job worker of ``entrepot serve``: ``entrepot worker`` as a child process (ADR 0073).

A training or a scoring holds its data, its models and its CPU in the process that runs
it; that process is never the web process, so ``/health/live`` answers during any job and
a job the kernel stops for its memory takes the worker down, not the service. The child
is started with ``serve``, started again if it dies while ``serve`` runs (a job it held
goes back to the queue through the reaper, within its attempts), and stopped with
``serve``; it also stops by itself if ``serve`` disappears without stopping it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

#: The hidden option of ``entrepot worker`` naming the process whose end stops it.
WITH_PARENT = "--parent-pid"

#: Seconds a restarted worker waits after a quick death, doubled each time up to the cap:
#: a worker that cannot start does not spin.
_FIRST_PAUSE, _LONGEST_PAUSE = 1.0, 60.0
#: A worker that lived this long died of its work, not of its start: restarted at once.
_HEALTHY_AFTER = 30.0


class WorkerProcess:
    """``entrepot worker`` as a child of this process, kept running until :meth:`stop`."""

    def __init__(
        self,
        *,
        threads: int,
        log_level: str,
        said: Callable[[str], None] = lambda _text: None,
    ) -> None:
        self._argv = [
            sys.executable,
            "-m",
            "entrepot",
            "worker",
            "--threads",
            str(threads),
            "--log-level",
            log_level,
            WITH_PARENT,
            str(os.getpid()),
        ]
        self._said = said
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._watch: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        """The running worker's process id."""
        process = self._process
        return process.pid if process is not None else None

    def start(self) -> int:
        """Start the worker and its watch; its process id."""
        self._stopping.clear()
        with self._lock:
            self._process = subprocess.Popen(self._argv)
            pid = self._process.pid
        self._watch = threading.Thread(target=self._keep, name="worker-watch", daemon=True)
        self._watch.start()
        return pid

    def stop(self, timeout: float = 70.0) -> None:
        """Stop the worker after its jobs in progress (``timeout`` seconds at most, then
        by force)."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_on_sigterm(self) -> None:
        """Stop the worker when this process is told to end by SIGTERM, then end as that
        signal ends a process: uvicorn answers SIGTERM by stopping and sending it again,
        and a ``finally`` would never run."""

        def stop_then_end(signum: int, _frame: object) -> None:
            self.stop()
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

        signal.signal(signal.SIGTERM, stop_then_end)

    def _keep(self) -> None:
        """Start the worker again whenever it exits while ``serve`` runs."""
        pause = _FIRST_PAUSE
        started = time.monotonic()
        while not self._stopping.is_set():
            with self._lock:
                process = self._process
            if process is None:
                return
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= _HEALTHY_AFTER:
                pause, wait = _FIRST_PAUSE, 0.0
            else:
                wait, pause = pause, min(pause * 2, _LONGEST_PAUSE)
            self._said(f"the job worker (pid {process.pid}) exited with {code}: restarting it")
            if self._stopping.wait(wait):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._process = subprocess.Popen(self._argv)
                started = time.monotonic()
                self._said(f"the job worker runs again (pid {self._process.pid})")


def parent_gone(parent: int) -> bool:
    """Whether the process ``parent`` (the one that started this one) is gone: this process
    then has another parent (``init`` or a subreaper)."""
    return os.getppid() != parent
