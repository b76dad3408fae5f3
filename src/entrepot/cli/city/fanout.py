"""``entrepot city run --jobs``: the backfill's (type, day) units on the job queue, worked
by this command's worker processes and by any ``entrepot worker`` sharing the queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from entrepot.cli.context import err_console
from entrepot.cli.language import words

if TYPE_CHECKING:
    from entrepot.bootstrap.app import App
    from entrepot.city.runs import RunSummary
    from entrepot.city_service.records import RunRequest


def run_fanned_out(app: App, request: RunRequest, *, workers: int) -> RunSummary:
    """Send the units, work them with ``workers`` local processes, wait, build reports."""
    t = words()
    units = escape(t("cli.city.units"))
    bar = Progress(
        TextColumn(units), BarColumn(), MofNCompleteColumn(), console=err_console, transient=True
    )
    configured = app.settings.is_set("city_scan_threads")
    with bar, _local_workers(workers, configured=configured):
        task = bar.add_task(units, total=None)
        return app.city.run_on_queue(
            request, on_progress=lambda done, total: bar.update(task, completed=done, total=total)
        )


def worker_environment(
    count: int, environ: Mapping[str, str], *, configured: bool = False
) -> dict[str, str]:
    """The environment of one of ``count`` local workers: unless the user ``configured``
    it, each gets its share of the cores for DuckDB's scan (``ENTREPOT_CITY_SCAN_THREADS``,
    at most the default, one since ADR 0138), so that two workers on two cores do not run
    three threads."""
    from entrepot.city.limits import DEFAULT_SCAN_THREADS

    env = dict(environ)
    if not configured:
        share = max(1, (os.cpu_count() or 1) // max(1, count))
        env["ENTREPOT_CITY_SCAN_THREADS"] = str(min(DEFAULT_SCAN_THREADS, share))
    return env


@contextmanager
def _local_workers(count: int, *, configured: bool) -> Iterator[None]:
    """``count`` ``entrepot worker --queue city`` processes for the duration of the run."""
    command = [sys.executable, "-m", "entrepot", "worker", "--queue", "city", "--threads", "1"]
    env = worker_environment(count, os.environ, configured=configured)
    started = [
        subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
