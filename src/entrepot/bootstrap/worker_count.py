"""How many workers a command may spread its work over (``--workers``): a local cluster
starts that many processes, each holding the product and its share of the work (200-600
MiB), and a scheduler's run cuts the work in that many parts. Past the bound, the command
is refused before anything starts (regression: ``fraud score --workers 100000`` started
processes until its two-minute guard gave up)."""

from __future__ import annotations

from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message

__all__ = ["MAX_WORKERS", "too_many_workers"]

#: The most workers a command spreads its work over.
MAX_WORKERS = 64


def too_many_workers(workers: int) -> InvalidArgument:
    """The refusal of more workers than :data:`MAX_WORKERS`."""
    said = Message(N_("error.dask.too_many_workers"), {"workers": workers, "most": MAX_WORKERS})
    hint = f"give --workers {MAX_WORKERS} or fewer"
    return InvalidArgument(f"--workers {workers}: at most {MAX_WORKERS}", hint=hint, said=said)
