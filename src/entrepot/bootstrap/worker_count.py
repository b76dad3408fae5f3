"""How many workers a command may spread its work over (``--workers``): a local cluster
starts that many processes, each holding the product and its share of the work (200-600
MiB), and a scheduler's run cuts the work in that many parts. Past the bound, the command
is refused before anything starts (regression: ``fraud score --workers 100000`` started
processes until its two-minute guard gave up). And a scheduler with no worker is said as
such, not as a scheduler out of reach."""

from __future__ import annotations

from typing import Any

from entrepot.errors import InvalidArgument, SchedulerUnavailable
from entrepot.messages import N_, Message

__all__ = ["FIRST_WORKER_TIMEOUT", "MAX_WORKERS", "ensure_workers", "too_many_workers"]

#: The most workers a command spreads its work over.
MAX_WORKERS = 64
#: Seconds a scheduler has to count its first worker (its workers may be starting beside
#: the command, as the compose file starts them).
FIRST_WORKER_TIMEOUT = 30.0


def too_many_workers(workers: int) -> InvalidArgument:
    """The refusal of more workers than :data:`MAX_WORKERS`."""
    said = Message(N_("error.dask.too_many_workers"), {"workers": workers, "most": MAX_WORKERS})
    hint = f"give --workers {MAX_WORKERS} or fewer"
    return InvalidArgument(f"--workers {workers}: at most {MAX_WORKERS}", hint=hint, said=said)


def ensure_workers(client: Any, address: str) -> None:
    """At least one worker on the scheduler of ``client`` (at ``address``) within
    :data:`FIRST_WORKER_TIMEOUT`, else :class:`SchedulerUnavailable` saying it has none
    (regression: the work's first send gave up, said as a scheduler out of reach)."""
    try:
        client.wait_for_workers(1, timeout=FIRST_WORKER_TIMEOUT)
    except TimeoutError:
        raise SchedulerUnavailable(
            f"the Dask scheduler at {address} has no workers",
            hint=f"start workers (`dask worker {address}`) or unset ENTREPOT_DASK_URL",
            said=Message(N_("error.dask.no_workers"), {"address": address}),
        ) from None
