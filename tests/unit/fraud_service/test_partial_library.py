"""An unlabelled file scored while the first-start reference build still runs says so
(issue 26 item 7): the prediction records how many references the library had and how
many the build will make, and its page shows "scored with N of M references" in the
reader's language. Before, it was scored with the partial library without a word."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.fraud_service.job_payloads import BUILD_KIND, BuildPayload
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


def _apply(api: Api, services: App, dataset: str) -> str:
    answer = api.post("/api/apply_unlabeled", json={"dataset_id": dataset})
    assert answer.status_code == 202, answer.text
    run_jobs(services)
    job = api.get(f"/api/jobs/{answer.json()['job_id']}").json()
    assert job["state"] == "succeeded", job
    return str(job["result"]["prediction_id"])


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
    during = _apply(ann, services, dataset)
    summary = ann.get(f"/api/predictions/{during}").json()["summary"]
    assert summary["partial_library"] == {"references": built, "total": total}

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
    after = _apply(ann, services, dataset)
    assert ann.get(f"/api/predictions/{after}").json()["summary"].get("partial_library") is None
    assert NOTE not in client.get(f"/predictions/{after}").text
