"""Small pure pieces of the web layer: safe redirects, language choice, JSON logs, the
upload spool."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

import pytest

from entrepot.accounts.errors import DatasetTooLarge
from entrepot.fraud_service.errors import UnsupportedFileType
from entrepot.fraud_service.uploads import (
    Spool,
    detect_format,
    display_filename,
    read_sample,
    safe_filename,
)
from entrepot.http.observability import JsonFormatter, LineFormatter
from entrepot.http.sessions import safe_next
from entrepot.web.i18n import choose, translator


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/datasets?page=2", "/datasets?page=2"),
        ("/models/3#metrics", "/models/3#metrics"),
        (None, "/"),
        ("", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
        ("/x\nSet-Cookie: a=b", "/"),
        ("/" + "a" * 3000, "/"),
    ],
)
def test_safe_next_keeps_only_paths_of_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("session", "header", "expected"),
    [
        (None, None, "en"),
        (None, "fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        (None, "de-DE,de;q=0.9,en;q=0.4,fr;q=0.3", "en"),
        (None, "en;q=0.2, fr;q=0.8", "fr"),
        ("en", "fr", "en"),
        ("xx", "fr", "fr"),
        (None, "fr;q=abc", "en"),
    ],
)
def test_language_choice(session: str | None, header: str | None, expected: str) -> None:
    assert choose(session, header) == expected


def test_translations_format_values_and_show_unknown_keys() -> None:
    t = translator("fr")
    assert t("auth.welcome", name="Zoé") == "Bienvenue, Zoé."
    assert t("no.such.key") == "no.such.key"


def test_json_logs_carry_extras_and_the_request_id() -> None:
    record = logging.makeLogRecord(
        {"name": "entrepot.test", "levelname": "INFO", "msg": "done %s", "args": ("x",)}
    )
    record.job = "abc"
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "done x" and line["job"] == "abc" and line["request_id"] == "-"
    assert line["level"] == "info" and line["ts"].endswith("+00:00")


def test_development_logs_are_lines_a_person_reads() -> None:
    record = logging.makeLogRecord(
        {"name": "entrepot.jobs", "levelname": "WARNING", "msg": "job %s failed", "args": ("7",)}
    )
    record.kind = "train"
    line = LineFormatter().format(record)
    assert re.fullmatch(r"\d\d:\d\d:\d\d warning entrepot\.jobs: job 7 failed  kind=train", line)
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert "ValueError: boom" in LineFormatter().format(record).splitlines()[-1]


def test_the_spool_stops_at_the_limit_and_cleans_up(tmp_path: Path) -> None:
    with Spool(tmp_path, 10, limit_message="over 10") as spool:
        spool.write(b"12345")
        with pytest.raises(DatasetTooLarge, match="over 10"):
            spool.write(b"678901")
        assert spool.path.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_spool_hashes_and_counts_lines(tmp_path: Path) -> None:
    import hashlib

    with Spool(tmp_path, 1000) as spool:
        spool.write(b"a,b\n1,2\n")
        spool.write(b"3,4")
        spool.close()
        assert spool.size == 11 and spool.lines == 3
        assert spool.sha256 == hashlib.sha256(b"a,b\n1,2\n3,4").hexdigest()


def test_a_large_csv_is_analysed_on_its_head(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = "".join(f"{i},{i % 7}\n" for i in range(20_000))
    path.write_text("a,b\n" + rows)
    sample = read_sample(path, "big.csv", "csv", sample_bytes=4096, lines=20_001)
    assert not sample.complete and 100 < len(sample.frame) < 1000
    assert sample.total_rows == 20_000 and list(sample.frame.columns) == ["a", "b"]


def test_formats_are_recognised_by_their_bytes(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"PAR1....")
    assert detect_format(path, "named.csv") == "parquet"
    path.write_bytes(b"a;b\n1;2\n")
    assert detect_format(path, "data.txt") == "csv"
    path.write_bytes(b"\x1f\x8b\x08\x00")
    with pytest.raises(UnsupportedFileType, match="gzip"):
        detect_format(path, "data.csv.gz")


def test_safe_filenames() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\me\\Données 2024.CSV") == "Donn_es_2024.csv"
    assert safe_filename(".hidden") == "hidden"
    assert safe_filename("...") == "upload"


def test_display_filenames_keep_the_name_given_without_what_cannot_be_shown() -> None:
    assert display_filename("../../etc/отчёт.csv") == "отчёт.csv"
    assert display_filename("C:\\Users\\me\\Données 2024.CSV") == "Données 2024.CSV"
    assert display_filename("re\u0301sume\u0301.csv") == "r\u00e9sum\u00e9.csv"  # NFC
    assert display_filename("a\x00b\u202e\udce9  c.csv") == "ab c.csv"
    assert display_filename(".hidden") == "hidden" and display_filename("...") == "upload"
    assert display_filename("x" * 300 + ".parquet") == "x" * 92 + ".parquet"


def test_internal_failures_keep_their_details_in_the_logs() -> None:
    from entrepot.errors import IntegrityError, StoreUnavailable
    from entrepot.fraud.errors import TooFewRows
    from entrepot.http.errors import public_message, status_of
    from entrepot.jobs.service import QueueUnavailable

    down = StoreUnavailable("bucket unreachable", store="s3://secret-bucket/prefix?endpoint=x")
    message = public_message(down, status_of(down))
    assert message is not None and "secret-bucket" not in message
    assert message.startswith("the service is temporarily unavailable (store unavailable)")
    broken = IntegrityError("sha256 mismatch", key="users/1/datasets/x/a.csv")
    assert "users/1" not in (public_message(broken, status_of(broken)) or "users/1")
    assert public_message(TooFewRows("12 rows"), 422) is None
    assert public_message(QueueUnavailable("redis down"), 503) is None
