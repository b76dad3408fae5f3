"""One registry for the CLI and the service: ``entrepot fraud train --user`` lands in the
account's models (its ``/api/models``, its predictions), and ``fraud score --user`` scores a
model the account trained in the service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.cli import Run, local_cli
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.web import Api, run_jobs, sign_in, user_api, web_client

SECRET = "test-secret-key-of-some-length-0123456789"  # the one make_web_app signs with


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    with web_client(tmp_path) as both:
        yield both


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return local_cli(tmp_path, monkeypatch, capsys, SECRET_KEY=SECRET)


def test_a_model_trained_on_the_cli_is_the_accounts_in_the_service(
    web: tuple[TestClient, App], cli: Run, tmp_path: Path
) -> None:
    client, services = web
    ann = user_api(client, services, "ann@example.com")
    data = tmp_path / "tx.csv"
    data.write_bytes(labelled_csv())
    train = ("fraud", "train", str(data), "--name", "from_cli", "--time-budget", "1")
    code, out, err = cli(*train, "--user", "Ann@Example.com")
    assert code == 0, err
    assert "registered from_cli@v" in out

    (model,) = ann.get("/api/models").json()
    assert model["name"] == "from_cli"
    sign_in(client, "ann@example.com")
    assert "from_cli" in client.get("/models").text
    page = client.get(f"/models/{model['id']}")
    assert page.status_code == 200 and "from_cli" in page.text
    assert user_api(client, services, "bob@example.com").get("/api/models").json() == []
    assert "from_cli" not in cli("models", "ls")[1]  # not among the shared models

    fresh = ann.upload(unlabelled_csv(), "new.csv").json()
    predict = ann.post(
        "/api/predict", json={"model_id": model["id"], "dataset_id": fresh["dataset_id"]}
    )
    assert predict.status_code == 202, predict.text
    run_jobs(services)
    job = ann.get(f"/api/jobs/{predict.json()['job_id']}").json()
    assert job["state"] == "succeeded", job
    assert ann.get(f"/api/predictions/{job['result']['prediction_id']}").json()["rows"] == 500


def test_the_cli_scores_a_model_trained_in_the_service(
    web: tuple[TestClient, App], cli: Run, tmp_path: Path
) -> None:
    client, services = web
    ann: Api = user_api(client, services, "ann@example.com")
    dataset = ann.upload(labelled_csv(), "tx.csv").json()["dataset_id"]
    trained = ann.post("/api/train", json={"dataset_id": dataset, "model_name": "from_web"})
    assert trained.status_code == 202, trained.text
    run_jobs(services)
    assert ann.get(f"/api/jobs/{trained.json()['job_id']}").json()["state"] == "succeeded"

    new, scores = tmp_path / "new.csv", tmp_path / "scores.csv"
    new.write_bytes(unlabelled_csv())
    code, out, err = cli(
        "fraud", "score", str(new), str(scores), "--model", "from_web", "--user", str(ann.user_id)
    )
    assert code == 0, err
    assert "500 rows scored" in out
    assert len(pd.read_csv(scores)) == 500 and "fraud_probability" in pd.read_csv(scores)

    code, _, err = cli("fraud", "score", str(new), str(scores), "--model", "from_web")
    assert code != 0 and "from_web" in err  # the shared models do not hold it
    code, _, err = cli(
        "fraud", "score", str(new), str(scores), "--model", "from_web", "--user", "nobody@x.org"
    )
    assert code == 66 and "no account nobody@x.org" in err


def test_the_cli_keeps_to_the_accounts_plan(
    web: tuple[TestClient, App], cli: Run, tmp_path: Path
) -> None:
    # Regression: `fraud train --user` registered past the plan's number of models.
    client, services = web
    ann = user_api(client, services, "ann@example.com")  # a trial: 3 models
    data = tmp_path / "tx.csv"
    data.write_bytes(labelled_csv(600))
    train = ("fraud", "train", str(data), "--time-budget", "1", "--user", "ann@example.com")
    for n in range(3):
        code, _, err = cli(*train, "--name", f"m{n}")
        assert code == 0, err
    code, out, err = cli(*train, "--name", "one_too_many")
    assert code != 0
    assert "allows 3 models and you have 3" in err and "delete a model" in err
    assert "Traceback" not in err + out
    assert sorted(m["name"] for m in ann.get("/api/models").json()) == ["m0", "m1", "m2"]


def test_train_for_an_account_reads_the_sheet_named(
    web: tuple[TestClient, App], cli: Run, tmp_path: Path
) -> None:
    """Issue 44 item 2: ``--sheet`` reaches the account's dataset, not only local files."""
    import openpyxl

    from tests.support.workbooks import read_me_then_transactions

    client, services = web
    ann = user_api(client, services, "ann@example.com")
    book_path = read_me_then_transactions(tmp_path / "two.xlsx", rows=600)
    book = openpyxl.load_workbook(book_path)
    other = book.create_sheet("Février")
    other.append(["montant", "carte", "fraude"])
    for i in range(300):
        other.append([round(5 + i * 0.7, 2), f"c{i % 5}", 1 if i % 10 == 0 else 0])
    book.save(book_path)
    train = ("fraud", "train", str(book_path), "--name", "feb", "--time-budget", "1")
    code, _, err = cli(*train, "--user", "ann@example.com", "--sheet", "Février")
    assert code == 0, err
    (dataset,) = ann.get("/api/datasets").json()["items"]
    shown = ann.get(f"/api/datasets/{dataset['id']}").json()
    assert (shown["analysis"]["sheet"], shown["analysis"]["rows"]) == ("Février", 300)
