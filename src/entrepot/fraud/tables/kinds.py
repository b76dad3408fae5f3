"""Which reader a table file needs, from its first bytes and its name: a gzip (by its first
bytes alone), Parquet or XLSX (by their first bytes or the name's suffix); anything else is
read as CSV text. One rule for the whole read (``io.read_bytes``) and for the block read of
a large CSV (``utf8_file``), which must leave every other kind to the former."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from entrepot.fraud.tables.gzipped import is_gzip

__all__ = ["Kind", "kind_of"]

Kind = Literal["gzip", "parquet", "xlsx", "csv"]


def kind_of(head: bytes, name: str) -> Kind:
    """The kind of the table file called ``name`` whose bytes start with ``head``."""
    suffix = Path(name).suffix.lower()
    if is_gzip(head):
        return "gzip"
    if head[:4] == b"PAR1" or suffix in (".parquet", ".pq"):
        return "parquet"
    if head[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    return "csv"
