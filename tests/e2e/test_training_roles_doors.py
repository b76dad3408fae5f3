"""Issue 41 item 5: the time and entity columns a person names reach the one training
pipeline from every door. The same claims file trained with ``--time-column`` by the
installed command line and with ``time_column`` through the API gives a card ordered by
the same column (the policy's start, not the incident date the analysis would choose);
an unknown column is refused at once (422 ``unknown_columns``, never a failed job)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.support.cli import Cli
from tests.support.fraud_tables import claims
from tests.support.web import make_web_app, run_jobs, user_api


def _protocol(performance: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = performance["card"]["protocol"]
    return found


def test_the_cli_and_the_api_order_the_card_by_the_named_column(cli: Cli, tmp_path: Path) -> None:
    claims(tmp_path / "claims.csv")
    trained = cli(
        "fraud", "train", "claims.csv", "--name", "claims", "--out", "models/claims",
        "--time-budget", "2", "--time-column", "policy_bind_date",
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    performance = json.loads((tmp_path / "models" / "claims" / "performance.json").read_text())
    by_cli = _protocol(performance)

    app, services = make_web_app(tmp_path / "service", training_budget=2.0)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "roles@example.com")
        dataset = api.upload((tmp_path / "claims.csv").read_bytes(), "claims.csv").json()
        body = {"dataset_id": dataset["dataset_id"], "model_name": "claims"}
        for wrong, said in (
            ({"time_column": "nope"}, "no column 'nope' to order the rows in time"),
            ({"time_column": "age"}, "column 'age' of dataset claims.csv does not hold dates"),
            ({"entity_columns": ["policy_state", "nope"]}, "no column 'nope' to use as an"),
        ):
            refused = api.post("/api/train", json={**body, **wrong})
            assert refused.status_code == 422, refused.text
            assert refused.json()["code"] == "unknown_columns"
            assert said in refused.json()["message"]
        job = api.post(
            "/api/train",
            json={**body, "time_column": "policy_bind_date", "entity_columns": ["policy_state"]},
        ).json()
        run_jobs(services)
        done = api.get(f"/api/jobs/{job['job_id']}").json()
        assert done["state"] == "succeeded", done
        model = api.get(f"/api/models/{done['result']['model_id']}").json()
    by_api = _protocol(model["performance"])
    assert by_cli["time_order"] == by_api["time_order"] == "policy_bind_date"
    assert by_cli["split"] == by_api["split"] == "time"
