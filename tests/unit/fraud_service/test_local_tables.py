"""A table read whole from the user's own file is bounded by the memory a job may hold,
not by an upload's 512 MiB (``fraud_service.local_tables``): a Parquet or gzip file past
the bound is refused by name, with the bound said, before it fills the memory."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from entrepot.fraud.tables.bounds import MAX_INFLATED_BYTES, InflatesTooMuch
from entrepot.fraud_service import local_tables
from entrepot.i18n.messages import speaker
from entrepot.messages import Size

ROWS = 2_000


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "amount": rng.gamma(2.0, 30.0, ROWS).round(2),
            "customer_id": rng.integers(0, 50, ROWS),
            "is_fraud": (rng.random(ROWS) < 0.1).astype(int),
        }
    )


def _parquet(folder: Path) -> Path:
    path = folder / "own.parquet"
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(_frame(), preserve_index=False), sink)
    path.write_bytes(sink.getvalue())
    return path


def _gzip(folder: Path) -> Path:
    path = folder / "own.csv.gz"
    path.write_bytes(gzip.compress(_frame().to_csv(index=False).encode()))
    return path


def _table(path: Path) -> Any:
    return local_tables.local_table(path)


def _scored(path: Path) -> Any:
    return local_tables.local_scored_table(path, None)


def _analysis(path: Path) -> Any:
    return local_tables.local_analysis(
        path, target="is_fraud", time_column=None, entity_columns=(), sheet=None
    )


READERS: list[Callable[[Path], Any]] = [_table, _scored, _analysis]


def test_the_bound_is_the_memory_a_job_may_hold_never_less_than_an_uploads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local_tables, "default_budget", lambda: 12 * 1024**3)
    assert local_tables.local_bound() == 12 * 1024**3
    monkeypatch.setattr(local_tables, "default_budget", lambda: 100 * 1024**2)
    assert local_tables.local_bound() == MAX_INFLATED_BYTES


@pytest.mark.parametrize("made", [_parquet, _gzip], ids=["parquet", "gzip"])
@pytest.mark.parametrize("read", READERS, ids=["table", "scored", "analysis"])
def test_a_local_file_is_read_whole_up_to_the_local_bound(
    made: Callable[[Path], Path],
    read: Callable[[Path], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = made(tmp_path)
    monkeypatch.setattr(local_tables, "local_bound", lambda: 4 * 1024**2)
    found = read(path)
    rows = found.rows if hasattr(found, "rows") else len(found)
    assert rows == ROWS

    monkeypatch.setattr(local_tables, "local_bound", lambda: 1_000)
    with pytest.raises(InflatesTooMuch) as refused:
        read(path)
    said = refused.value.said
    assert said is not None and said.params["most"] == Size(1_000)  # the local bound, said
    english = speaker("en")(said)
    assert path.name in english and "a table read whole may take" in english
    assert "upload" not in english  # the user's own file, not an upload
    french = speaker("fr")(said)
    assert "qu’un tableau lu en entier peut occuper" in french
