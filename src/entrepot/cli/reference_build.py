"""The first start's reference build, shown in the terminal of ``entrepot serve``: a
progress bar that follows the background job until the library is ready."""

from __future__ import annotations

import threading
import time
from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from entrepot.catalog.jobs.records import JobRecord
from entrepot.cli.language import figure, words
from entrepot.messages import Np_

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
    t = words()
    count = job.params.get("count")
    building = (
        t.plural(Np_("cli.references.building"), count)
        if isinstance(count, int)
        else t("cli.references.building_some")
    )
    console.print(
        Text.assemble((t("cli.references.library"), "bold"), t("cli.head.colon"), building)
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
        task = progress.add_task(escape(t("cli.references.models")), total=1.0)
        while not job.state.final:
            progress.update(task, completed=job.progress, description=escape(job.message or ""))
            time.sleep(poll)
            job = source.started(timeout=0) or job
        progress.update(
            task, completed=job.progress, description=escape(t("cli.references.models"))
        )
    minutes = (time.monotonic() - began) / 60
    if job.error is None:
        built = len(job.result.get("built", []))
        ready = t.plural(Np_("cli.references.ready"), built, minutes=figure(minutes, 1))
        console.print(
            Text.assemble((t("cli.references.library"), "bold"), t("cli.head.colon"), ready)
        )
    else:
        failed = t("cli.references.failed", error=job.error)
        library = (t("cli.references.library"), "bold red")
        console.print(Text.assemble(library, t("cli.head.colon"), failed))
    return job
