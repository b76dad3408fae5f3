"""What a city run spreads over (``city run --workers N``): the composition root's pools
(the Dask scheduler ``ENTREPOT_DASK_URL`` names, else local processes), the task that
computes one unit on a worker, and what that task is sent once per worker to build its
own city service (the instance's settings)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from entrepot.city.spread import Pool, UnitTask


@dataclass(frozen=True)
class CitySpread:
    """``pools(workers)``: the pool of a run (``None``: in process); ``task``: one unit on
    a worker; ``shared(workers)``: what each worker is sent once to build its service."""

    pools: Callable[[int], AbstractContextManager[Pool | None]]
    task: UnitTask
    shared: Callable[[int], Any]
