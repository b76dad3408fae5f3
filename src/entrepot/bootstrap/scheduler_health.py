"""Whether the Dask scheduler the ``dask_url`` setting names answers (``entrepot doctor``,
``/health``; issue 40 item 1): the check alone, apart from the pools that use it."""

from __future__ import annotations

from entrepot.bootstrap.cluster import connect
from entrepot.errors import SchedulerUnavailable
from entrepot.health import Check


def check_scheduler(url: str) -> Check:
    """Whether the scheduler at ``url`` answers, and with how many workers (``entrepot
    doctor``, ``/health``); a health check reports, it never raises."""
    try:
        client = connect(url)
    except SchedulerUnavailable as exc:
        return Check("dask scheduler", False, str(exc), error=exc)
    try:
        workers = len(client.nthreads())
    finally:
        client.close()
    return Check("dask scheduler", True, f"{url}: {workers} worker(s)")
