"""Public fraud tables fetched once and stored under ``bench/data/public/`` (provenance in
that folder's README): ``load(name) -> (frame, target_column)``.

Nothing is downloaded here: a table not on disk is an error, and a stored file whose
sha256 differs from the one the README records is refused, so a bench result always
names the bytes it measured.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FOLDER = Path(__file__).resolve().parent / "data" / "public"


@dataclass(frozen=True)
class PublicTable:
    """One stored table: its file, label column, the columns a user would name as time,
    entity and amount, and the sha256 of the stored file."""

    file: str
    target: str
    time: str
    entity: str
    amount: str
    sha256: str


TABLES: dict[str, PublicTable] = {
    # E-commerce first purchases (the "Fraud_Data.csv" of Kaggle's "Fraud ecommerce"),
    # a 51,689-row prefix as committed to GitHub; see the README.
    "ecommerce-fraud": PublicTable(
        file="ecommerce-fraud.parquet",
        target="class",
        time="purchase_time",
        entity="device_id",
        amount="purchase_value",
        sha256="acebdb036fe6b3fa79860224e8ae6e3a778112d1c6b5a7be18b360e6bf2f6561",
    ),
}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(name: str) -> tuple[pd.DataFrame, str]:
    """The stored table ``name`` as its source holds it (columns and text unchanged) and
    the name of its label column. Raises ``KeyError`` for an unknown name,
    ``FileNotFoundError`` when the file is absent and ``ValueError`` when its bytes are
    not the recorded ones."""
    table = TABLES[name]
    path = FOLDER / table.file
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not stored (this module never downloads)")
    found = _sha256(path)
    if found != table.sha256:
        raise ValueError(f"{path}: sha256 {found}, the README records {table.sha256}")
    return pd.read_parquet(path), table.target


def parsed_time(name: str, frame: pd.DataFrame) -> pd.Series:
    """The table's time column as timestamps (its text is month/day/two-digit year)."""
    table = TABLES[name]
    return pd.to_datetime(frame[table.time], format="%m/%d/%y %H:%M")
