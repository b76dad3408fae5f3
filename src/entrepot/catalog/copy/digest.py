"""A table's content digest, independent of row order.

Each row's canonical bytes (``values.canonical``) are hashed with sha256; the table's digest
is the sum of those hashes modulo 2**256 (a multiset hash), so SQLite and PostgreSQL, which
sort text keys differently, agree without sorting the table in memory. Rows are streamed in
pages; the row count is kept beside the digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, select

from entrepot.catalog.copy.plan import TableCopy
from entrepot.catalog.copy.values import canonical

_MODULUS = 1 << 256
_PAGE = 1_000


@dataclass(frozen=True)
class TableDigest:
    """What a table holds, in two numbers."""

    rows: int
    sha256: str


def table_digest(connection: Connection, step: TableCopy, *, page: int = _PAGE) -> TableDigest:
    """The digest of every row of ``step``'s table."""
    accumulator, rows = 0, 0
    result = connection.execution_options(yield_per=page).execute(select(step.table))
    for row in result.mappings():
        digest = hashlib.sha256(canonical(dict(row))).digest()
        accumulator = (accumulator + int.from_bytes(digest, "big")) % _MODULUS
        rows += 1
    return TableDigest(rows, accumulator.to_bytes(32, "big").hex())
