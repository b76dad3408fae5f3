"""Malformed CSV, Parquet and XLSX bytes posted through the real upload route: every answer
is a 201 or the refusal of a malformed file (415 ``unsupported_file_type``, 422
``empty_file``, ``undecodable_text`` or ``unreadable_file``) with a message, never a 5xx or a
generic error (a property test; examples kept few enough for two cores)."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entrepot.bootstrap.app import App
from tests.support.web import Api, make_web_app, user_api

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROWS = 40


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, App]]:
    app, services = make_web_app(tmp_path_factory.mktemp("fuzz"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield user_api(client, services, "fuzzer@example.com"), services


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "amount": [float(i) * 1.5 for i in range(ROWS)],
            "country": ["FR", "DE", "É"] * (ROWS // 3) + ["FR"] * (ROWS % 3),
            "at": pd.date_range("2024-01-01", periods=ROWS, freq="h", tz="Europe/Paris"),
            "is_fraud": [int(i % 7 == 0) for i in range(ROWS)],
        }
    )


def parquet_seed() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame(), preserve_index=False), buffer)
    return buffer.getvalue()


def xlsx_seed() -> bytes:
    buffer = io.BytesIO()
    frame().assign(at=lambda f: f["at"].dt.tz_localize(None)).to_excel(buffer, index=False)
    return buffer.getvalue()


PARQUET, XLSX = parquet_seed(), xlsx_seed()
CSV = frame().to_csv(index=False)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few bytes overwritten, a slice cut out or its tail dropped."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(0, 4)) if data else 0):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    if data and draw(st.booleans()):
        start = draw(st.integers(0, len(data) - 1))
        del data[start : start + draw(st.integers(1, 64))]
    if data and draw(st.booleans()):
        data = data[: draw(st.integers(1, len(data)))]
    return bytes(data)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"]


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """The CSV (or odd text) in one encoding, maybe with a BOM, maybe cut or corrupted."""
    text = draw(st.one_of(st.just(CSV), st.text(min_size=1, max_size=200)))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="surrogatepass" if "utf" in encoding else "replace")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"", codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE])) + data
    return draw(mutated(data)) if draw(st.booleans()) else data


@st.composite
def xlsx_bytes(draw: st.DrawFn) -> bytes:
    """The workbook corrupted as bytes, or rebuilt with one member replaced by junk."""
    if draw(st.booleans()):
        return draw(mutated(XLSX))
    with zipfile.ZipFile(io.BytesIO(XLSX)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    name = draw(st.sampled_from(sorted(members)))
    members[name] = draw(st.one_of(st.binary(max_size=300), mutated(members[name])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


#: How a malformed file is refused: the status and the error code naming what is wrong
#: with it (the message says the fix). Anything else (a 5xx, a generic ``invalid_request``
#: or ``http_400``, an unexpected error) is a failure.
REFUSALS = {
    400: {"unstorable_text"},  # a column name no catalog can store (issue 42 item 2)
    415: {"unsupported_file_type"},
    422: {"empty_file", "undecodable_text", "unreadable_file"},
}


def check(api: Api, content: bytes, name: str) -> None:
    answer = api.upload(content, name)
    if answer.status_code == 201:
        return
    body = answer.json()
    assert body.get("code") in REFUSALS.get(answer.status_code, set()), answer.text
    assert body.get("message"), answer.text


@FUZZ
@given(content=csv_bytes())
def test_any_csv_is_stored_or_refused_with_a_4xx(api: tuple[Api, App], content: bytes) -> None:
    check(api[0], content, "fuzz.csv")


@FUZZ
@given(content=mutated(PARQUET))
def test_any_parquet_is_stored_or_refused_with_a_4xx(api: tuple[Api, App], content: bytes) -> None:
    check(api[0], content, "fuzz.parquet")


@FUZZ
@given(content=xlsx_bytes())
def test_any_xlsx_is_stored_or_refused_with_a_4xx(api: tuple[Api, App], content: bytes) -> None:
    check(api[0], content, "fuzz.xlsx")
