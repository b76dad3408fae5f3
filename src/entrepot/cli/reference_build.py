"""The first start's reference build, shown in the terminal of ``entrepot serve``: a
progress bar that follows the background job until the library is ready."""

from __future__ import annotations

import threading
import time
from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from entrepot.catalog.jobs.records import JobRecord

#: Seconds between two reads of the job's progress.
POLL = 1.0


class BuildSource(Protocol):
    """Where the build job comes from (:class:`ReferenceBuilder`)."""

    def started(self, timeout: float | None = None) -> JobRecord | None: ...


def follow_in_background(source: BuildSource, console: Console) -> threading.Thread:
    """Start a daemon thread that shows the build's progress, if the service starts one."""
    thread = threading.Thread(
        target=follow, args=(source, console), name="reference-build", daemon=True
    )
    thread.start()
    return thread


def follow(source: BuildSource, console: Console, *, poll: float = POLL) -> JobRecord | None:
    """Show the build queued at start-up until it ends; its last state, or ``None`` if no
    build was needed (the library exists) or none was queued within a minute."""
    job = source.started(timeout=60.0)
    if job is None:
        return None
    console.print(
        f"[bold]reference library[/]: building {job.params.get('count', '?')} fraud reference "
        "models in the background (about 8 s each on 2 cores); scoring unlabelled files "
        "waits for them, the rest works now"
    )
    began = time.monotonic()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as progress:
        task = progress.add_task("reference models", total=1.0)
        while not job.state.final:
            progress.update(task, completed=job.progress, description=escape(job.message or ""))
            time.sleep(poll)
            job = source.started(timeout=0) or job
        progress.update(task, completed=job.progress, description="reference models")
    minutes = (time.monotonic() - began) / 60
    if job.error is None:
        built = len(job.result.get("built", []))
        console.print(
            f"[bold]reference library[/]: ready, {built} models built in {minutes:.1f} min"
        )
    else:
        console.print(
            f"[bold red]reference library[/]: the build failed: {escape(job.error)}; "
            "restart `entrepot serve` to retry, or run `entrepot fraud build-references`"
        )
    return job
