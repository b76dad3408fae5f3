"""Uploads that decode to far more than they weigh, and malformed tables: each is refused
before the work with a 4xx naming the problem and the fix, or read plainly; never a 500.

The bombs are built here: 8 million rows of constant columns make a Parquet file of a few
hundred KiB (written once per module), and a workbook of 400,000 rows without a declared
dimension compresses under the ratio bound (openpyxl used to read it whole to learn its
size). Their figures before and after the bounds are in ``docs/security.md``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.attacks import spool_leftovers, stored, zip_bytes
from tests.support.web import Api, make_web_app, user_api

_emails = itertools.count()
BOMB_ROWS = 8_000_000
BOMB_COLUMNS = 10


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path_factory.mktemp("web"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


@pytest.fixture
def api(web: tuple[TestClient, App]) -> Api:
    return user_api(*web, f"decoder{next(_emails)}@example.com")


@pytest.fixture(scope="module")
def parquet_bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """8 million rows of constant columns, dictionary-encoded: a few hundred KiB that decode
    to more than 512 MiB, the most any upload may decode to."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.parquet"
    zeros = pa.array(np.zeros(BOMB_ROWS))
    columns = {f"amount{i}": zeros for i in range(BOMB_COLUMNS - 1)}
    label = pa.array(np.zeros(BOMB_ROWS, dtype=np.int8))
    pq.write_table(pa.table({**columns, "is_fraud": label}), path, row_group_size=1_000_000)
    return path.read_bytes()


def xlsx_without_dimension(rows: int) -> bytes:
    """A real workbook of ``rows`` varied rows whose sheet declares no dimension."""
    buffer = io.BytesIO()
    pd.DataFrame({"amount": [1.5], "is_fraud": [0]}).to_excel(buffer, index=False)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    head = re.sub(r"<dimension[^>]*/>", "", sheet[: sheet.index("<sheetData>")])
    body = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{i * 7 % 1000}.5</v></c><c r="B{i}"><v>{i % 2}</v></c></row>'
        for i in range(2, rows + 2)
    )
    members["xl/worksheets/sheet1.xml"] = (
        f"{head}<sheetData>{body}</sheetData></worksheet>".encode()
    )
    return zip_bytes(members, level=6)


def test_a_parquet_bomb_is_refused_from_its_footer(
    web: tuple[TestClient, App], api: Api, parquet_bomb: bytes
) -> None:
    assert len(parquet_bomb) < 1024 * 1024
    answer = api.upload(parquet_bomb, "bomb.parquet")
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "inflates_too_much"
    assert "8,000,000 rows of 10 columns" in body["message"]
    assert "plain CSV" in body["message"]
    assert stored(web[1], api) == [] and spool_leftovers(web[1]) == []


def test_a_workbook_without_dimension_is_counted_and_refused_before_openpyxl(
    web: tuple[TestClient, App], api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entrepot.fraud.tables import bounds
    from entrepot.fraud.tables import io as table_io

    monkeypatch.setattr(bounds, "MAX_XLSX_ROWS", 2_000)
    monkeypatch.setattr(table_io, "MAX_XLSX_ROWS", 2_000)
    monkeypatch.setattr(
        "pandas.read_excel", lambda *a, **k: pytest.fail("openpyxl opened the bomb")
    )
    answer = api.upload(xlsx_without_dimension(5_000), "long.xlsx")
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "too_many_rows"
    assert "more than 2,000 rows" in answer.json()["message"]
    assert stored(web[1], api) == []


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


LABEL = [1 if i % 10 == 0 else 0 for i in range(100)]
AMOUNTS = [float(i) for i in range(100)]
CSV = "amount,is_fraud\n" + "".join(f"{a},{y}\n" for a, y in zip(AMOUNTS, LABEL, strict=True))

#: (attack, file name, bytes, code, words of the message): refused, nothing stored.
MALFORMED: list[tuple[str, str, bytes, str, str]] = [
    (
        "parquet with duplicate column names",
        "dup.parquet",
        parquet_bytes(
            pa.Table.from_arrays(
                [pa.array(AMOUNTS), pa.array(AMOUNTS), pa.array(LABEL)],
                names=["amount", "amount", "is_fraud"],
            )
        ),
        "duplicate_columns",
        "several columns named 'amount'",
    ),
    (
        "utf-16 of odd length",
        "odd.csv",
        codecs.BOM_UTF16_LE + CSV.encode("utf-16-le") + b"\x00",
        "undecodable_text",
        "not valid UTF-16",
    ),
    (
        "utf-16 with a lone surrogate",
        "lone.csv",
        codecs.BOM_UTF16_LE + CSV.encode("utf-16-le") + b"\x00\xd8,\x000\x00\n\x00",
        "undecodable_text",
        "not valid UTF-16",
    ),
    (
        "utf-32 beyond unicode",
        "far.csv",
        codecs.BOM_UTF32_LE + CSV.encode("utf-32-le") + b"\x00\x00\x11\x00",
        "undecodable_text",
        "not valid UTF-32",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [pytest.param(n, c, k, w, id=attack) for attack, n, c, k, w in MALFORMED],
)
def test_a_malformed_table_is_a_4xx_naming_the_problem_and_the_fix(
    web: tuple[TestClient, App],
    api: Api,
    name: str,
    content: bytes,
    code: str,
    words: str,
) -> None:
    answer = api.upload(content, name)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code
    message = answer.json()["message"]
    assert words in message and name in message and "upload" in message
    assert stored(web[1], api) == [] and spool_leftovers(web[1]) == []


UTC_TIMES = [dt.datetime(2024, 1, 1) + dt.timedelta(hours=7 * i) for i in range(100)]

#: (case, file name, bytes): odd but valid, stored and analysed.
ODD_BUT_VALID: list[tuple[str, str, bytes]] = [
    ("utf-16 with bom", "a.csv", codecs.BOM_UTF16_LE + CSV.encode("utf-16-le")),
    ("utf-16 without bom", "b.csv", CSV.encode("utf-16-be")),
    ("utf-32 with bom", "c.csv", codecs.BOM_UTF32_BE + CSV.encode("utf-32-be")),
    (
        "parquet with zone-aware timestamps",
        "tz.parquet",
        parquet_bytes(
            pa.table(
                {
                    "at": pa.array(UTC_TIMES, type=pa.timestamp("us", tz="UTC")).cast(
                        pa.timestamp("us", tz="Europe/Paris")
                    ),
                    "amount": AMOUNTS,
                    "is_fraud": LABEL,
                }
            )
        ),
    ),
]


@pytest.mark.parametrize(
    ("name", "content"), [pytest.param(n, c, id=case) for case, n, c in ODD_BUT_VALID]
)
def test_an_odd_but_valid_table_is_stored_and_analysed(api: Api, name: str, content: bytes) -> None:
    answer = api.upload(content, name)
    assert answer.status_code == 201, answer.text
    analysis = answer.json()["analysis"]
    assert analysis["target"] == "is_fraud" and analysis["rows"] == 100


def test_infinities_in_parquet_are_accepted_with_a_warning(api: Api) -> None:
    amounts = [
        float("inf") if i % 25 == 1 else float("nan") if i % 25 == 2 else a
        for i, a in enumerate(AMOUNTS)
    ]
    table = pa.table({"amount": amounts, "is_fraud": LABEL})
    answer = api.upload(parquet_bytes(table), "inf.parquet")
    assert answer.status_code == 201, answer.text
    warnings = answer.json()["analysis"]["warnings"]
    assert "column 'amount' held 4 infinite values, read as missing" in warnings


def test_zone_aware_times_are_read_as_naive_utc(tmp_path: Path) -> None:
    from entrepot.fraud.tables.io import read_bytes

    frame = read_bytes(ODD_BUT_VALID[-1][2], name="tz.parquet")
    assert frame["at"].dt.tz is None and list(frame["at"]) == UTC_TIMES
