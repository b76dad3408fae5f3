"""Deleting an account while its training runs leaves nothing of that account: no model,
dataset or prediction row, no object row, no object; the job ends failed, never running."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.catalog.jobs.records import JobState
from entrepot.errors import RecordNotFound
from entrepot.fraud_service import training
from entrepot.fraud_service.pipeline import training as pipeline_training
from entrepot.registry import push as push_module
from tests.support.csvs import labelled_csv
from tests.support.parts import parts
from tests.support.waiting import HANG_GUARD, wait_for
from tests.support.web import Api, make_web_app, run_jobs, user_api


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[TestClient, App, Api, Api]]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = user_api(client, services, "admin@example.com", admin=True)
        alice = user_api(client, services, "alice@example.com")
        yield client, services, admin, alice


def _nothing_left(services: App, user_id: int) -> None:
    root = f"users/{user_id}/"
    with parts(services).uow() as uow:
        assert uow.models.names(str(user_id)) == ()
        assert uow.objects.list(prefix=root, limit=10) == ()
        assert uow.datasets.list(user_id).items == ()
        assert uow.predictions.list(user_id).items == ()
        with pytest.raises(RecordNotFound):
            uow.users.get(user_id)
    assert list(parts(services).raw_store.list(root)) == []


class _Deleter:
    """Deletes alice from another thread at a chosen moment of her training, and holds the
    training back until her jobs are cancelled (the moment the race is decided)."""

    def __init__(self, services: App, admin: Api, alice: Api) -> None:
        self.services, self.admin, self.alice = services, admin, alice
        self.answer: dict[str, Any] = {}
        self.thread: threading.Thread | None = None

    def now(self) -> None:
        if self.thread is not None:
            return
        actor = self.services.accounts.user(self.admin.user_id)

        def delete() -> None:
            self.answer.update(self.services.fraud().deletion.delete(actor, self.alice.user_id))

        self.thread = threading.Thread(target=delete)
        self.thread.start()

        def cancelled() -> bool:
            with parts(self.services).uow() as uow:
                return uow.jobs.count_unfinished(self.alice.user_id, "train") == 0

        wait_for(cancelled, "the deletion cancelling the job", every=0.02)

    def join(self) -> None:
        assert self.thread is not None, "the deletion never started"
        self.thread.join(timeout=HANG_GUARD)
        assert not self.thread.is_alive()


def _during_training(monkeypatch: pytest.MonkeyPatch, deleter: _Deleter) -> None:
    real = pipeline_training.train

    def train(*args: Any, **kwargs: Any) -> Any:
        say: Callable[[str], None] = kwargs["progress"]
        deleter.now()
        say("still searching")  # the next progress report finds the job cancelled
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline_training, "train", train)


def _before_storing(monkeypatch: pytest.MonkeyPatch, deleter: _Deleter) -> None:
    real = training.register_trained

    def register(*args: Any, **kwargs: Any) -> Any:
        deleter.now()
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "register_trained", register)


def _files_written_not_committed(monkeypatch: pytest.MonkeyPatch, deleter: _Deleter) -> None:
    real = push_module._complete

    def complete(*args: Any, **kwargs: Any) -> Any:
        deleter.now()  # the version is claimed (pending) and its files are in the store
        return real(*args, **kwargs)

    monkeypatch.setattr(push_module, "_complete", complete)


@pytest.mark.parametrize(
    "moment", [_during_training, _before_storing, _files_written_not_committed]
)
def test_deleting_an_account_during_its_training_leaves_nothing(
    world: tuple[TestClient, App, Api, Api],
    monkeypatch: pytest.MonkeyPatch,
    moment: Callable[[pytest.MonkeyPatch, _Deleter], None],
) -> None:
    _, services, admin, alice = world
    dataset = alice.upload(labelled_csv(800), "alice.csv").json()["dataset_id"]
    job = alice.post("/api/train", json={"dataset_id": dataset, "model_name": "m"}).json()
    deleter = _Deleter(services, admin, alice)
    moment(monkeypatch, deleter)

    run_jobs(services)
    deleter.join()

    assert deleter.answer["jobs_cancelled"] == 1
    assert deleter.answer["jobs_still_running"] == 0
    _nothing_left(services, alice.user_id)
    with pytest.raises(RecordNotFound):  # the job went with the account, never left running
        services.jobs.get_any(job["job_id"])


def test_a_finished_training_is_deleted_with_its_account(
    world: tuple[TestClient, App, Api, Api],
) -> None:
    _, services, admin, alice = world
    dataset = alice.upload(labelled_csv(800), "alice.csv").json()["dataset_id"]
    alice.post("/api/train", json={"dataset_id": dataset, "model_name": "m"})
    run_jobs(services)
    assert len(alice.get("/api/models").json()) == 1
    answer = admin.delete(f"/api/admin/users/{alice.user_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["model_versions"] == 1 and answer.json()["jobs_cancelled"] == 0
    _nothing_left(services, alice.user_id)


def test_a_queued_job_of_a_deleted_account_never_runs(
    world: tuple[TestClient, App, Api, Api],
) -> None:
    _, services, admin, alice = world
    dataset = alice.upload(labelled_csv(800), "alice.csv").json()["dataset_id"]
    alice.post("/api/train", json={"dataset_id": dataset, "model_name": "m"})
    answer = admin.delete(f"/api/admin/users/{alice.user_id}")
    assert answer.status_code == 200 and answer.json()["jobs_cancelled"] == 1
    run_jobs(services)
    _nothing_left(services, alice.user_id)


def test_a_deactivated_owners_job_fails_instead_of_committing(
    world: tuple[TestClient, App, Api, Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, services, admin, alice = world
    dataset = alice.upload(labelled_csv(800), "alice.csv").json()["dataset_id"]
    job = alice.post("/api/train", json={"dataset_id": dataset, "model_name": "m"}).json()
    actor = services.accounts.user(admin.user_id)
    real = training.register_trained

    def register(*args: Any, **kwargs: Any) -> Any:
        services.admin.set_active(actor, alice.user_id, False)
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "register_trained", register)
    run_jobs(services)
    record = services.jobs.get_any(job["job_id"])
    assert record.state is JobState.FAILED and record.error_code == "job_cancelled"
    with parts(services).uow() as uow:
        assert uow.models.versions(str(alice.user_id), "m", any_state=True) == ()
        assert uow.objects.list(prefix=f"users/{alice.user_id}/models/", limit=10) == ()
