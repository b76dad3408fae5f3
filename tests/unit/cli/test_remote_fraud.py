"""``fraud score`` and ``fraud train`` on a deployed service, without a server: a fake API
answers the upload, the job and the download; the scores are placed only when they match
the size and sha256 the service gives, a failed job is the local command's error and exit
code, and a training the service refuses leaves no dataset behind."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from entrepot.cli.errors import exit_code
from entrepot.cli.remote import fraud as remote_fraud
from entrepot.cli.remote.client import Client
from entrepot.cli.remote.errors import JobFailed, RemoteError
from entrepot.cli.remote.target import Remote
from entrepot.errors import IntegrityError, InvalidArgument, LocalFileNotFound
from entrepot.fraud_service.errors import TrainingFailed
from entrepot.http.digest import repr_digest, sha256_of

REMOTE = Remote("http://svc.test", "tok", "test")
SCORES = b"row,fraud_probability,prediction\n1,0.9,1\n2,0.1,0\n"
MODELS = [{"id": 3, "name": "m", "version": "v1", "created_at": "2026-01-02T03:04:05Z"}]


def _manifest_document() -> dict[str, Any]:
    manifest = {"name": "m", "version": "v1", "files": []}
    body = (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    return {
        "id": 3,
        "name": "m",
        "version": "v1",
        "manifest_sha256": hashlib.sha256(body).hexdigest(),
        "manifest": manifest,
    }


class FakeService:
    """The API's answers to one scoring or training; what was asked of it, in order."""

    def __init__(self, *, job: dict[str, Any], sent: bytes = SCORES, refuse_train: bool = False):
        self.job = job
        self.sent = sent
        self.refuse_train = refuse_train
        self.asked: list[str] = []
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.asked.append(f"{request.method} {path}")
        if path == "/api/models":
            return httpx.Response(200, json=MODELS)
        if path == "/api/models/3/manifest":
            return httpx.Response(200, json=_manifest_document())
        if path == "/api/me":
            return httpx.Response(200, json={"user": {"email": "a@example.org"}})
        if path == "/api/upload":
            assert b'name="file"; filename="in.csv"' in request.read()
            return httpx.Response(201, json={"dataset_id": "d1"})
        if path == "/api/train" and self.refuse_train:
            return httpx.Response(402, json={"code": "quota_exceeded", "message": "full"})
        if path in ("/api/predict", "/api/train"):
            return httpx.Response(202, json={"job_id": "j1", "state": "queued"})
        if path == "/api/jobs/j1":
            self.polls += 1
            if self.polls < 3:
                return httpx.Response(200, json={"state": "running", "message": "scoring"})
            return httpx.Response(200, json=self.job)
        if path == "/api/predictions/p1":
            return httpx.Response(
                200,
                json={
                    "id": "p1",
                    "size": len(SCORES),
                    "summary": {"rows": 2, "flagged": 1, "threshold": 0.5},
                    "download_url": "/api/predictions/p1/download",
                },
            )
        if path == "/api/predictions/p1/download":
            digest = repr_digest(hashlib.sha256(SCORES).hexdigest())
            return httpx.Response(200, content=self.sent, headers={"repr-digest": digest})
        if request.method == "DELETE":
            return httpx.Response(200, json={})
        return httpx.Response(404, json={"code": "record_not_found", "message": path})


def _served(monkeypatch: pytest.MonkeyPatch, service: FakeService) -> None:
    monkeypatch.setattr(
        remote_fraud,
        "Client",
        lambda remote: Client(remote, transport=httpx.MockTransport(service)),
    )


def _no_sleep(seconds: float) -> None:
    return None


SUCCEEDED = {"state": "succeeded", "result": {"prediction_id": "p1"}}


def test_the_digest_field_round_trips_and_ignores_what_it_cannot_read() -> None:
    sha = hashlib.sha256(b"x").hexdigest()
    assert sha256_of(repr_digest(sha)) == sha
    assert sha256_of(f"md5=:AAAA:, {repr_digest(sha)}") == sha
    assert base64.b64decode(repr_digest(sha).split(":")[1]) == bytes.fromhex(sha)
    for field in (None, "", "sha-256=:not base64!:", "sha-256=:AAAA:"):
        assert sha256_of(field) is None


def test_a_remote_scoring_uploads_follows_the_job_and_places_the_checked_scores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "in.csv").write_text("a,b\n1,2\n")
    service = FakeService(job=SUCCEEDED)
    _served(monkeypatch, service)
    record = remote_fraud.score(
        REMOTE, tmp_path / "in.csv", tmp_path / "out.csv", "m", sleep=_no_sleep
    )
    assert (tmp_path / "out.csv").read_bytes() == SCORES
    assert record["id"] == "p1" and service.polls == 3
    assert service.asked.index("POST /api/upload") < service.asked.index("POST /api/predict")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


@pytest.mark.parametrize("sent", [SCORES.replace(b"0.9", b"0.8"), SCORES[:-1], SCORES + b"x"])
def test_scores_that_do_not_match_what_the_service_keeps_are_not_placed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sent: bytes
) -> None:
    (tmp_path / "in.csv").write_text("a\n1\n")
    _served(monkeypatch, FakeService(job=SUCCEEDED, sent=sent))
    with pytest.raises(IntegrityError) as caught:
        remote_fraud.score(REMOTE, tmp_path / "in.csv", tmp_path / "out.csv", "m", sleep=_no_sleep)
    assert exit_code(caught.value) == 74
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # no part file left


def test_a_failed_scoring_is_its_jobs_error_in_english_and_exits_65(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "in.csv").write_text("a\n1\n")
    failed = {
        "state": "failed",
        "error": "ignored when the key is known",
        "error_code": "missing_columns",
        "error_key": "trust.low",
        "error_params": {},
    }
    _served(monkeypatch, FakeService(job=failed))
    with pytest.raises(JobFailed) as caught:
        remote_fraud.score(REMOTE, tmp_path / "in.csv", tmp_path / "out.csv", "m", sleep=_no_sleep)
    from entrepot.i18n.messages import english
    from entrepot.messages import Message

    assert caught.value.message == english(Message("trust.low"))
    assert caught.value.code == "missing_columns" and exit_code(caught.value) == 65
    assert not (tmp_path / "out.csv").exists()


def _train(tmp_path: Path) -> None:
    """``fraud train in.csv --name m`` on the service, with the default evaluation."""
    (tmp_path / "in.csv").write_text("a\n1\n")
    remote_fraud.train(
        REMOTE,
        tmp_path / "in.csv",
        "m",
        target=None,
        evaluation={"label_delay_days": 7, "keep_columns": (), "cards_per_day": 100},
        sleep=_no_sleep,
    )


def test_a_failed_training_is_training_failed_as_on_a_local_instance(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    failed = {"state": "failed", "error": "only one class", "error_code": "single_class"}
    _served(monkeypatch, FakeService(job=failed))
    with pytest.raises(TrainingFailed) as caught:
        _train(tmp_path)
    assert caught.value.message == "only one class" and exit_code(caught.value) == 65


def test_a_training_the_service_refuses_removes_the_uploaded_dataset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    service = FakeService(job=SUCCEEDED, refuse_train=True)
    _served(monkeypatch, service)
    with pytest.raises(RemoteError) as caught:
        _train(tmp_path)
    assert exit_code(caught.value) == 77
    assert service.asked[-1] == "DELETE /api/datasets/d1"


@pytest.mark.parametrize(
    ("out", "model"), [("out.parquet", "m"), ("out.csv", "./models/m"), ("out.csv", "a\\b")]
)
def test_what_only_a_local_instance_can_do_is_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, out: str, model: str
) -> None:
    (tmp_path / "in.csv").write_text("a\n1\n")
    service = FakeService(job=SUCCEEDED)
    _served(monkeypatch, service)
    with pytest.raises(InvalidArgument) as caught:
        remote_fraud.score(REMOTE, tmp_path / "in.csv", tmp_path / out, model, sleep=_no_sleep)
    assert exit_code(caught.value) == 2 and service.asked == []


def test_an_output_in_a_missing_folder_is_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "in.csv").write_text("a\n1\n")
    service = FakeService(job=SUCCEEDED)
    _served(monkeypatch, service)
    with pytest.raises(LocalFileNotFound) as caught:
        remote_fraud.score(REMOTE, tmp_path / "in.csv", tmp_path / "no" / "o.csv", "m")
    assert exit_code(caught.value) == 66 and service.asked == []


class HistoryService(FakeService):
    """The fake API, taking two uploads (the file, then its history) and the apply job."""

    def __init__(self) -> None:
        super().__init__(job=SUCCEEDED)
        self.uploads: list[bytes] = []
        self.applied: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/upload":
            self.asked.append(f"{request.method} {path}")
            self.uploads.append(request.read())
            return httpx.Response(201, json={"dataset_id": f"d{len(self.uploads)}"})
        if path == "/api/apply_unlabeled":
            self.asked.append(f"{request.method} {path}")
            self.applied.append(json.loads(request.read()))
            return httpx.Response(202, json={"job_id": "j1", "state": "queued"})
        return super().__call__(request)


def test_a_remote_ensemble_scoring_sends_its_labelled_history(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "in.csv").write_text("a,b\n1,2\n")
    (tmp_path / "before.csv").write_text("a,b,fraud\n1,2,0\n")
    service = HistoryService()
    _served(monkeypatch, service)
    out = tmp_path / "out.csv"
    remote_fraud.score(
        REMOTE, tmp_path / "in.csv", out, None, history=tmp_path / "before.csv", sleep=_no_sleep
    )
    assert out.read_bytes() == SCORES
    assert [b'filename="in.csv"' in u for u in service.uploads] == [True, False]
    assert b'filename="before.csv"' in service.uploads[1]
    assert service.applied == [{"dataset_id": "d1", "history_dataset_id": "d2"}]


def test_a_history_with_a_model_is_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "in.csv").write_text("a\n1\n")
    (tmp_path / "before.csv").write_text("a,fraud\n1,0\n")
    service = HistoryService()
    _served(monkeypatch, service)
    with pytest.raises(InvalidArgument) as caught:
        remote_fraud.score(
            REMOTE,
            tmp_path / "in.csv",
            tmp_path / "out.csv",
            "m",
            history=tmp_path / "before.csv",
            sleep=_no_sleep,
        )
    assert exit_code(caught.value) == 2 and service.asked == []


def test_a_remote_scoring_sends_the_sheet_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issue 44 item 2: ``--sheet`` reaches the service as the upload's ``sheet`` field."""
    (tmp_path / "in.csv").write_text("a,b\n1,2\n")
    service = HistoryService()
    _served(monkeypatch, service)
    out = tmp_path / "out.csv"
    remote_fraud.score(
        REMOTE, tmp_path / "in.csv", out, None, sheet="Transactions", sleep=_no_sleep
    )
    (upload,) = service.uploads
    assert b'name="sheet"' in upload and b"Transactions" in upload
    remote_fraud.score(REMOTE, tmp_path / "in.csv", out, None, sleep=_no_sleep)
    assert b'name="sheet"' not in service.uploads[1]
