"""How much memory a training or scoring job may hold, and what a dataset will need:
checked when the job is submitted, from the dataset's record alone, so that a file the
worker cannot hold is refused with the figures instead of taking the process down.

A job reads its table whole into pandas, builds one feature matrix from it (about as many
features as columns, and some thirty of time, amount and behaviour) and fits the model
search's engines on views of it, so what it holds follows from the decoded table, not from
the bytes stored (a 9 MB gzipped upload was stored as the 2 GB CSV it held). The estimate
is :data:`BASELINE` (the process and its libraries) plus :data:`MARGIN` times the larger of

- ``rows x (columns x`` :data:`BYTES_PER_CELL` ``+`` :data:`BYTES_PER_ROW` ``)`` (the
  upload's analysis counted both), and
- the stored bytes ``x`` :data:`BYTES_PER_STORED_BYTE` (a table whose cells are long text),

and it is compared with the budget: the ``job_memory_budget`` setting, else
:data:`DEFAULT_SHARE` of the machine's memory (ADR 0066). The figures are measured peaks
of whole trainings on tables of three shapes (``python -m bench.fraud_memory``, recorded
in ``docs/benchmarks.md``): a table's own cells and its features cost about 46 bytes a
cell, each row some 340 bytes more, whatever the engine chosen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from entrepot.catalog.workspace.records import DatasetRecord
from entrepot.fraud_service.errors import OverMemoryBudget
from entrepot.messages import N_, Message, Size, Word
from entrepot.sizes import human_size

#: What a job holds before it reads a row: the process, its libraries and engines.
BASELINE = 400 * 1024**2
#: What one cell of the table costs a job at its peak: the decoded cell, about one
#: feature of 8 bytes and its transient copies while the features are built.
BYTES_PER_CELL = 48
#: What one row costs beyond its cells: the time, amount and behaviour features, the
#: labels, splits and scores.
BYTES_PER_ROW = 360
#: What one stored byte of CSV costs a job at least (text cells are Python strings).
BYTES_PER_STORED_BYTE = 4
#: The margin over the measured peaks (a table of other shapes, other engines' moments).
MARGIN = 1.25
#: The share of the machine's memory a job may use when the setting is not given.
DEFAULT_SHARE = 0.5
#: The budget when the machine's memory cannot be read.
FALLBACK_BUDGET = 4 * 1024**3

Work = Literal["train", "score"]
_WORK_WORDS = {
    "train": Word(N_("fraud.memory_work.train")),
    "score": Word(N_("fraud.memory_work.score")),
}


def machine_memory() -> int | None:
    """The machine's physical memory in bytes, ``None`` where the system does not say."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def default_budget() -> int:
    """:data:`DEFAULT_SHARE` of the machine's memory (:data:`FALLBACK_BUDGET` unknown)."""
    total = machine_memory()
    return int(total * DEFAULT_SHARE) if total else FALLBACK_BUDGET


def estimate(rows: int, columns: int, stored_bytes: int) -> int:
    """The bytes a job reading a table of ``rows`` x ``columns`` stored in
    ``stored_bytes`` is expected to hold at its peak."""
    table = max(
        rows * (columns * BYTES_PER_CELL + BYTES_PER_ROW), stored_bytes * BYTES_PER_STORED_BYTE
    )
    return BASELINE + int(MARGIN * table)


@dataclass(frozen=True)
class MemoryBudget:
    """The most bytes a job may hold (:func:`default_budget` when ``limit`` is None)."""

    limit: int | None = None

    @property
    def allowed(self) -> int:
        """The budget in bytes."""
        return self.limit if self.limit is not None else default_budget()

    def check(self, dataset: DatasetRecord, work: Work) -> None:
        """Raise :class:`OverMemoryBudget`, with what it needs and what is allowed, if
        ``dataset`` is expected to take more than the budget to ``work`` on."""
        rows, columns = dataset.rows, dataset.columns
        needed = estimate(rows, columns, dataset.size)
        allowed = self.allowed
        if needed <= allowed:
            return
        raise OverMemoryBudget(
            f"{dataset.name} ({rows:,} rows x {columns:,} columns, {human_size(dataset.size)}) "
            f"needs about {human_size(needed)} of memory to {work}, more than the "
            f"{human_size(allowed)} a job may use",
            said=Message(
                N_("fraud.refused.over_memory_budget"),
                {
                    "file": dataset.name,
                    "needed": Size(needed),
                    "allowed": Size(allowed),
                    "work": _WORK_WORDS[work],
                },
            ),
        )
