"""Every file shape an analyst may upload is analysed right (issue 25 items 5 and 7, issue
28 item 2): the same generated transactions written each way (``tests/support/shapes.py``)
are posted through the upload route, and the answer is checked against the truth computed
from the generator's frame with plain pandas: the label column and its fraud value, the
fraud rate over the whole file (the analysis reads a small head here, so every shape is
sampled), the identifiers shown as not used, the time order, the amounts read as numbers.
A shape that cannot be honoured is refused with a 4xx naming the problem, in English and
French, and the command line exits 65 (invalid data), with no traceback."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from entrepot.fraud.tables.io import read_bytes
from entrepot.fraud.tables.timeparse import parse_times
from entrepot.i18n.catalogs import translator
from tests.support.cli import local_cli
from tests.support.shapes import (
    ROWS,
    Shape,
    base,
    csv_bytes,
    labelled,
    parquet_bytes,
    shapes,
    spelling,
)
from tests.support.web import Api, make_web_app, user_api

#: The head the analysis reads: about 150 rows of these files, so the rate shown is the
#: whole file's only if the file is counted past its head.
SAMPLE = 16 * 1024


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    app, services = make_web_app(tmp_path_factory.mktemp("shapes"), analysis_sample_bytes=SAMPLE)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield user_api(client, services, "analyst@example.com")


def _columns(analysis: dict[str, object]) -> dict[str, dict[str, object]]:
    listed = analysis["columns"]
    assert isinstance(listed, list)
    return {str(c["name"]): c for c in listed}


def _note_keys(analysis: dict[str, object]) -> list[str]:
    notes = analysis["warning_messages"]
    assert isinstance(notes, list)
    return [str(n["key"]) for n in notes]


@pytest.mark.parametrize("shape", shapes(), ids=lambda s: s.name)
def test_the_shape_is_analysed_right(api: Api, shape: Shape) -> None:
    expect = shape.expect
    answer = api.upload(shape.content, shape.filename)
    assert answer.status_code == 201, answer.text
    analysis = answer.json()["analysis"]
    columns = _columns(analysis)

    assert analysis["target"] == expect.label
    assert spelling(analysis["positive"]) == expect.positive
    frauds, unlabelled, rate = expect.fraud_rate()
    assert analysis["rows"] == ROWS
    assert (analysis["frauds"], analysis["unlabelled_rows"]) == (frauds, unlabelled)
    assert analysis["fraud_rate"] == pytest.approx(rate, abs=1e-6)
    assert analysis["sampled"] is True and analysis["frauds_estimated"] is False

    for name in expect.ids:
        assert columns[name]["role"] == "id", columns[name]
    for name, kind in expect.entities.items():
        assert (columns[name]["role"], columns[name].get("entity_kind")) == ("entity", kind)
    for name, role in expect.roles.items():
        assert columns[name]["role"] == role
    assert columns[expect.amount]["role"] == "amount"

    keys = _note_keys(analysis)
    timestamps = [n for n, c in columns.items() if c["role"] == "timestamp"]
    if expect.time is None:
        assert timestamps == [] and "warning.no_timestamp" in keys
    elif expect.counter:
        assert timestamps == [] and "warning.time_counter" in keys
        note = next(n for n in analysis["warning_messages"] if n["key"] == "warning.time_counter")
        assert note["params"]["column"] == expect.time
    else:
        assert timestamps == [expect.time] and "warning.no_timestamp" not in keys
        _times_are_right(shape, str(columns[expect.time]["time_format"]))
    _amounts_are_right(shape)


_READ: dict[str, pd.DataFrame] = {}


def _read(shape: Shape) -> pd.DataFrame:
    """The shape as the product reads it (once per shape)."""
    if shape.name not in _READ:
        _READ[shape.name] = read_bytes(shape.content, name=shape.filename)
    return _READ[shape.name]


def _times_are_right(shape: Shape, time_format: str) -> None:
    """The instants read with the detected format are the generator's, to the precision
    the file writes them (time zones as UTC)."""
    read = parse_times(_read(shape)[shape.expect.time], time_format)
    written = base().times.astype(f"datetime64[{shape.expect.precision}]")
    want = written.astype("datetime64[s]")
    got = read.to_numpy(dtype="datetime64[s]")
    assert np.array_equal(got, want), (got[:3], want[:3])


def _amounts_are_right(shape: Shape) -> None:
    amounts = _read(shape)[shape.expect.amount]
    assert pd.api.types.is_float_dtype(amounts) or pd.api.types.is_integer_dtype(amounts)
    assert np.max(np.abs(amounts.to_numpy(dtype=float) - base().amounts)) <= 1e-9


def test_card_numbers_keep_their_leading_zeros() -> None:
    shape = next(s for s in shapes() if s.name == "id-card-numbers")
    cards = _read(shape)["card_number"]
    written = pd.read_csv(io.BytesIO(shape.content), dtype=str)["card_number"]
    assert cards.tolist() == written.tolist()
    assert cards.str.startswith("000").all()


def test_digit_codes_without_zeros_stay_numbers() -> None:
    """Only a column with leading zeros is kept as text: a plain column of integers reads
    as numbers (the generator's customer ids)."""
    frame = read_bytes(csv_bytes(labelled()), name="t.csv")
    assert pd.api.types.is_integer_dtype(frame["customer_id"])


# -- shapes that cannot be honoured ---------------------------------------------------------


def _duplicate_parquet() -> bytes:
    table = pa.Table.from_pandas(labelled(), preserve_index=False)
    return parquet_bytes(table.append_column("amount", table.column("amount")))


def _bomb() -> bytes:
    return gzip.compress(b"a,b\r\n" + b"1,2\r\n" * (3 * 1024 * 1024), mtime=0)


def _past_the_limit() -> bytes:
    """A gzipped CSV compressed about 2 to 1 (random digits) inflating past 8 MiB."""
    rng = np.random.default_rng(7)
    values = rng.integers(0, 10**9, size=(480_000, 2))
    lines = "".join(f"{a},{b}\r\n" for a, b in values)
    return gzip.compress(b"a,b\r\n" + lines.encode(), compresslevel=1, mtime=0)


def _wide_csv() -> bytes:
    """A CSV of 10,001 columns and two rows: 78 KB that took a minute of CPU to accept."""
    header = ",".join(f"c{i}" for i in range(10_001))
    row = ",".join("1" for _ in range(10_001))
    return f"{header}\r\n{row}\r\n{row}\r\n".encode()


def _cut_gzip() -> bytes:
    return gzip.compress(csv_bytes(labelled()))[:900]


def _gzipped_image() -> bytes:
    return gzip.compress(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)


@dataclass(frozen=True)
class Refused:
    """A file that cannot be read, and how its refusal names the problem."""

    name: str
    filename: str
    content: Callable[[], bytes]
    code: str  # the error code (its message keys: error.<code>, English and French)
    named: str  # a word of the message that names the problem


REFUSED = [
    Refused("parquet-duplicates", "t.parquet", _duplicate_parquet, "duplicate_columns", "amount"),
    Refused("gzip-cut", "t.csv.gz", _cut_gzip, "unreadable_file", "gzip"),
    Refused("gzip-of-an-image", "t.csv.gz", _gzipped_image, "unsupported_file_type", "PNG"),
    Refused("gzip-bomb", "t.csv.gz", _bomb, "inflates_too_much", "at most 200 to 1"),
    Refused("gzip-past-the-limit", "t.csv.gz", _past_the_limit, "inflates_too_much",
            "inflates to more than"),
    Refused("csv-too-wide", "t.csv", _wide_csv, "inflates_too_much", "10001 columns"),
]  # fmt: skip


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_a_shape_that_cannot_be_read_is_refused_with_a_4xx(
    tmp_path_factory: pytest.TempPathFactory, case: Refused
) -> None:
    app, _ = make_web_app(tmp_path_factory.mktemp(case.name), upload_limit=8 * 1024 * 1024)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, app.state.entrepot, f"{case.name}@example.com")
        answer = api.upload(case.content(), case.filename)
    assert 400 <= answer.status_code < 500, answer.text
    body = answer.json()
    assert body["code"] == case.code and case.named in body["message"], body
    for lang in ("en", "fr"):
        said = translator(lang)(f"error.{case.code}")
        assert said != f"error.{case.code}" and said.strip()


@pytest.mark.parametrize("case", REFUSED[:2], ids=lambda c: c.name)
def test_the_command_line_refuses_it_as_invalid_data(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: Refused,
) -> None:
    path = tmp_path / case.filename
    path.write_bytes(case.content())
    status, out, err = local_cli(tmp_path, monkeypatch, capsys)("fraud", "analyze", str(path))
    assert status == 65, out + err  # the README's exit code of invalid data, not a usage mistake
    assert case.named in err and "Traceback" not in out + err
