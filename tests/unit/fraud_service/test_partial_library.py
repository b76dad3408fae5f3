"""An unlabelled file scored while the first-start reference build still runs says so
(issue 26 item 7): the prediction records how many references the library had and how
many the build will make, and its page shows "scored with N of M references" in the
reader's language. Before, it was scored with the partial library without a word."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.fraud_service.job_payloads import BUILD_KIND, BuildPayload
from entrepot.fraud_service.summary import with_partial_library
from entrepot.i18n.messages import english
from entrepot.messages import Message
from tests.support.csvs import unlabelled_csv
from tests.support.parts import parts
from tests.support.web import ONE_REFERENCE, Api, make_web_app, run_jobs, sign_in, user_api

NOTE = 'id="partial-library"'


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App, int]]:
    """A service whose first build made its one reference; yields the count it built."""
    app, services = make_web_app(tmp_path, **ONE_REFERENCE)
    with TestClient(app, raise_server_exceptions=False) as client:
        first = services.fraud().references.ensure()
        assert first is not None
        run_jobs(services)
        result = services.jobs.get_any(first.id).result
        yield client, services, len(result["built"]) + len(result["skipped"])


def _apply(api: Api, services: App, dataset: str) -> tuple[str, dict[str, Any]]:
    """The prediction's id and the job's result summary (what the API's job and the
    command line's ``--json`` answer)."""
    answer = api.post("/api/apply_unlabeled", json={"dataset_id": dataset})
    assert answer.status_code == 202, answer.text
    run_jobs(services)
    job = api.get(f"/api/jobs/{answer.json()['job_id']}").json()
    assert job["state"] == "succeeded", job
    summary: dict[str, Any] = job["result"]["summary"]
    return str(job["result"]["prediction_id"]), summary


def test_a_scoring_during_the_build_says_it_used_a_partial_library(
    web: tuple[TestClient, App, int],
) -> None:
    client, services, built = web
    total = built + 4
    with parts(services).uow() as uow:  # a larger build, queued but not run by this test's queue
        build = services.jobs.record(
            uow,
            owner_id=None,
            kind=BUILD_KIND,
            params=BuildPayload(count=total, rows=3000, time_budget=1.0).to_params(),
        )
        uow.commit()
    ann = user_api(client, services, "ann@example.com")
    dataset = ann.upload(unlabelled_csv(300)).json()["dataset_id"]
    during, result = _apply(ann, services, dataset)
    summary = ann.get(f"/api/predictions/{during}").json()["summary"]
    assert summary["partial_library"] == {"references": built, "total": total}
    # the result itself says it, not only the prediction's listing (issue 41 item 5)
    assert result["partial_library"] == {"references": built, "total": total}
    assert result["trust"]["level"] != "high"

    sign_in(client, "ann@example.com")
    french = client.get(f"/predictions/{during}", headers={"Accept-Language": "fr"}).text
    assert (
        f"Évalué avec {built} des {total} modèles de référence\u00a0: la bibliothèque est "
        "encore en construction."
    ) in french
    english = client.get(f"/predictions/{during}", headers={"Accept-Language": "en"}).text
    assert f"Scored with {built} of {total} references: the library is still being built" in (
        english
    )

    with parts(services).uow() as uow:
        assert uow.jobs.claim(build.id, "test-worker", datetime.now(UTC))
        assert uow.jobs.succeed(build.id, "test-worker", datetime.now(UTC), {"built": 0})
        uow.commit()
    after, result = _apply(ann, services, dataset)
    assert ann.get(f"/api/predictions/{after}").json()["summary"].get("partial_library") is None
    assert "partial_library" not in result
    assert NOTE not in client.get(f"/predictions/{after}").text


def test_a_partial_library_is_never_trusted_high() -> None:
    """Before, a file scored with 5 of 13 references said "trust high"."""
    high = {"level": "high", "message": Message("trust.high").to_json(), "match_quality": 0.9}
    summary = with_partial_library({"rows": 3, "trust": high}, 5, 13)
    assert summary["partial_library"] == {"references": 5, "total": 13}
    assert summary["trust"]["level"] == "medium"
    said = summary["trust"]["message"]
    assert said["key"] == "trust.partial_library"
    assert english(Message(said["key"], said["params"])).startswith("partial: 5 of 13 references")
    low = {"level": "low", "message": Message("trust.low").to_json()}
    kept = with_partial_library({"rows": 3, "trust": low}, 5, 13)["trust"]
    assert kept == low  # a lower trust keeps its own reason
