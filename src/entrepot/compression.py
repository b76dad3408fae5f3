"""The one rule on how much a compressed file may inflate per byte it holds.

Real exports compress 3 to 30 to 1 (a CSV of repeated codes up to about 50); a file
compressed more than :data:`MAX_RATIO` to 1 is an archive bomb, not data. The city importer
holds each archive member to it, and every upload (a gzipped CSV, an XLSX member) is held
to the same rule while it inflates, so the bound is the same wherever a file comes in.
Files inflating to less than :data:`RATIO_FLOOR` are not held to it (a small file of one
repeated value compresses very well and costs nothing).
"""

from __future__ import annotations

#: The highest compression ratio accepted, inflated bytes per compressed byte.
MAX_RATIO = 200
#: Inflated sizes below this are not held to :data:`MAX_RATIO`.
RATIO_FLOOR = 1024**2


def ratio(inflated: int, packed: int) -> float:
    """Inflated bytes per compressed byte (a file of no bytes counts as one)."""
    return inflated / max(packed, 1)


def over_ratio(
    inflated: int, packed: int, *, max_ratio: int = MAX_RATIO, floor: int = RATIO_FLOOR
) -> bool:
    """Whether ``packed`` bytes inflating to ``inflated`` (so far) break the rule: past
    ``floor`` inflated and more than ``max_ratio`` to 1. Checked as the bytes come, it
    refuses a bomb after ``max_ratio`` times its compressed size of work, never more."""
    return inflated > floor and ratio(inflated, packed) > max_ratio
