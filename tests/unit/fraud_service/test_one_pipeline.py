"""One pipeline per use case: the command line's scoring and evaluation (inline, on local
files) and the job handlers' (through the queue, on a user's datasets) run the same
pipeline, so the same inputs give the same bytes and the same figures at both doors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entrepot.bootstrap.app import App
from entrepot.bootstrap.local_fraud import local_fraud
from tests.support.csvs import labelled_csv
from tests.support.web import Api, run_jobs, trained_account, web_client

EMAIL = "pia@example.com"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, App, int, Path]]:
    """An account with one trained model ``m``, and a later labelled file on disk."""
    folder = tmp_path_factory.mktemp("pipeline")
    with web_client(folder) as (client, services):
        api, model_id = trained_account(client, services, EMAIL, folder)
        later = folder / "later.csv"
        later.write_bytes(labelled_csv(400, seed=9))
        yield api, services, model_id, later


def _job_result(api: Api, services: App, response: Any) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    run_jobs(services)
    job = api.get(f"/api/jobs/{response.json()['job_id']}").json()
    assert job["state"] == "succeeded", job
    found: dict[str, Any] = job["result"]
    return found


def test_a_model_scores_a_file_into_the_same_bytes_inline_and_on_the_queue(
    trained: tuple[Api, App, int, Path], tmp_path: Path
) -> None:
    api, services, model_id, later = trained
    dataset = api.upload(later.read_bytes(), later.name).json()["dataset_id"]
    queued = _job_result(
        api, services, api.post("/api/predict", json={"model_id": model_id, "dataset_id": dataset})
    )
    stored = api.get(f"/api/predictions/{queued['prediction_id']}/download").content

    out = tmp_path / "scores.csv"
    inline = local_fraud(services).score(
        later, out, model="m", ensemble=False, library=None, user=EMAIL,
        save_ensemble=None, explain=True, threads=1,
    )  # fmt: skip
    assert out.read_bytes() == stored
    summary = queued["summary"]
    assert inline.estimate == summary["estimate"]
    assert inline.summary is not None
    for figure in ("rows", "flagged", "risk", "threshold", "members"):
        assert inline.summary[figure] == summary[figure], figure


def test_a_model_evaluates_a_file_into_the_same_figures_inline_and_on_the_queue(
    trained: tuple[Api, App, int, Path],
) -> None:
    api, services, model_id, later = trained
    dataset = api.upload(later.read_bytes(), later.name).json()["dataset_id"]
    queued = _job_result(
        api,
        services,
        api.post("/api/evaluate", json={"model_id": model_id, "dataset_id": dataset}),
    )
    inline = local_fraud(services).evaluate(
        later, model="m", ensemble=False, library=None, user=EMAIL, target=None
    )
    for figure, value in inline.items():
        assert queued[figure] == value, figure


def test_a_predict_job_resolves_its_model_version_once(
    trained: tuple[Api, App, int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It resolved it five times (show twice, pull twice, load) and read its manifest
    about four times; now once, and twice (the pull and the load)."""
    from entrepot.registry import load, pull, service

    api, services, model_id, later = trained
    dataset = api.upload(later.read_bytes(), later.name).json()["dataset_id"]
    resolved: list[str] = []
    manifests: list[str] = []
    real_resolve = service.resolve

    def resolve(ctx: Any, name: str, selector: str | None) -> Any:
        resolved.append(name)
        return real_resolve(ctx, name, selector)

    def counted(module: Any) -> None:
        real = module.read_manifest

        def read_manifest(*args: Any, **kwargs: Any) -> Any:
            manifests.append(module.__name__)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, "read_manifest", read_manifest)

    monkeypatch.setattr(service, "resolve", resolve)
    for module in (load, pull, service):
        counted(module)
    _job_result(
        api, services, api.post("/api/predict", json={"model_id": model_id, "dataset_id": dataset})
    )
    assert resolved == ["m"]
    assert len(manifests) <= 2, manifests
