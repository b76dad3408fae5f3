"""A large upload's frauds are counted over the whole file (issue #14: 1,425 of 1,500 on a
50,000-row file, from the head alone), or marked as estimates when they cannot be."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.fraud.schema.analysis import analyze
from entrepot.fraud_service.label_count import count_label, whole_file_label
from tests.support.csvs import late_frauds_csv
from tests.support.web import make_web_app, user_api

SAMPLE = 64 * 1024  # the head the analysis reads: a few hundred rows


def _late_frauds(rows: int = 20_000) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(late_frauds_csv(rows)[0]))


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path, analysis_sample_bytes=SAMPLE)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


def test_the_uploads_frauds_are_the_whole_files(
    web: tuple[TestClient, App],
) -> None:
    frame = _late_frauds()
    exact = int(frame["is_fraud"].sum())
    head = analyze(frame.head(500))
    assert head.target == "is_fraud" and head.fraud_rate is not None
    assert 0 < head.fraud_rate < exact / len(frame) / 2  # what the head alone would have said
    ann = user_api(*web, "ann@example.com")
    answer = ann.upload(frame.to_csv(index=False).encode(), "big.csv")
    assert answer.status_code == 201, answer.text
    analysis = answer.json()["analysis"]
    assert analysis["sampled"] is True and analysis["rows"] == len(frame)
    assert analysis["frauds"] == exact == analyze(frame).frauds
    assert analysis["fraud_rate"] == pytest.approx(exact / len(frame), abs=1e-6)
    assert analysis["frauds_estimated"] is False


@pytest.mark.parametrize("fmt", ["semicolon-latin1", "parquet", "xlsx"])
def test_every_format_is_counted(tmp_path: Path, fmt: str) -> None:
    frame = _late_frauds(3_000)
    frame["is_fraud"] = frame["is_fraud"].map({0: "non", 1: "oui"})
    frame.loc[5, "is_fraud"] = None
    path = tmp_path / "data"
    if fmt == "parquet":
        frame.to_parquet(path)
        kind = "parquet"
    elif fmt == "xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
        kind = "xlsx"
    else:
        frame.to_csv(path, sep=";", index=False, encoding="latin-1")
        kind = "csv"
    count = count_label(path, kind, frame.head(100), "is_fraud", "oui")
    assert count.rows == 3_000 and count.unlabelled == 1
    assert count.frauds == int((frame["is_fraud"] == "oui").sum())


def test_a_file_that_cannot_be_counted_keeps_an_estimate_said_as_such(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really a parquet file PAR1")
    sample = pd.DataFrame({"a": [1, 2], "is_fraud": [0, 1]})
    summary = {"target": "is_fraud", "frauds": 1, "fraud_rate": 0.5}
    found = whole_file_label(path, "parquet", sample, summary, 1)
    assert found == {**summary, "frauds_estimated": True}


def test_the_label_rate_everywhere_on_the_analysis_is_the_whole_files(
    web: tuple[TestClient, App],
) -> None:
    """Frauds concentrated at the end: the rate shown beside the label among the candidates
    and the row count are the whole file's too, as pandas reads it whole."""
    content, _ = late_frauds_csv(12_000, seed=8)
    frame = pd.read_csv(io.BytesIO(content))
    rate = float(frame["is_fraud"].mean())
    ann = user_api(*web, "cid@example.com")
    answer = ann.upload(content, "late.csv")
    assert answer.status_code == 201, answer.text
    analysis = answer.json()["analysis"]
    assert analysis["sampled"] is True and analysis["sample_rows"] < len(frame)
    assert analysis["rows"] == len(frame) == answer.json()["dataset"]["rows"]
    assert analysis["fraud_rate"] == pytest.approx(rate, abs=1e-6)
    label = next(c for c in analysis["target_candidates"] if c["column"] == "is_fraud")
    assert label["fraud_rate"] == pytest.approx(rate, abs=1e-6)
