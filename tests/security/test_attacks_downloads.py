"""Verified before sent: a stored file damaged behind the service's back (a failing disk,
a tool writing to the bucket) is never answered with a 200, on a local folder and on S3.
The answer is an integrity error that says the file is damaged and that retrying will not
help; a model whose verified copy is still in the cache is served from it, and the damage
in the store stays visible to ``entrepot verify --deep``."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from entrepot.catalog.objects.records import ObjectState
from entrepot.services.verify import ProblemKind, verify_catalog
from tests.support.parts import parts
from tests.support.web import Api, make_web_app, seeded_user


@dataclass
class Deployment:
    """The web app over one kind of store, a user with a model and a prediction, and a way
    to change stored bytes behind the service's back."""

    client: TestClient
    services: App
    api: Api
    model_id: int
    prediction_id: str
    corrupt: Callable[[str, Callable[[bytes], bytes]], None]

    def prediction_key(self) -> str:
        return self.services.fraud().predictions.get(self.api.user_id, self.prediction_id).key

    def model_keys(self) -> list[str]:
        root = f"users/{self.api.user_id}/"
        return [
            o.key for o in parts(self.services).raw_store.list(root) if "/models/" in f"/{o.key}"
        ]


def flip(data: bytes) -> bytes:
    """The same size, one byte changed: what a failing disk does."""
    return data[:10] + bytes([data[10] ^ 0x20]) + data[11:]


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("local")
    app, services = make_web_app(folder)
    root = folder / "store"

    def corrupt(key: str, change: Callable[[bytes], bytes]) -> None:
        path = root / key
        path.write_bytes(change(path.read_bytes()))

    with TestClient(app, raise_server_exceptions=False) as client:
        api, model_id, prediction_id = seeded_user(
            client, services, f"victim-{uuid.uuid4().hex[:8]}@example.com"
        )
        yield Deployment(client, services, api, model_id, prediction_id, corrupt)


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[Deployment]:
    import boto3

    client_s3: Any = boto3.client("s3", endpoint_url=s3_endpoint)
    bucket = f"integrity-{uuid.uuid4().hex[:12]}"
    client_s3.create_bucket(Bucket=bucket)
    folder = tmp_path_factory.mktemp("s3")
    settings = {"store_url": f"s3://{bucket}", "s3_endpoint_url": s3_endpoint}
    app, services = make_web_app(folder, settings=settings)

    def corrupt(key: str, change: Callable[[bytes], bytes]) -> None:
        old = client_s3.get_object(Bucket=bucket, Key=key)
        client_s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=change(old["Body"].read()),
            Metadata=old["Metadata"],
            ContentType=old["ContentType"],
        )

    with TestClient(app, raise_server_exceptions=False) as client:
        api, model_id, prediction_id = seeded_user(
            client, services, f"victim-{uuid.uuid4().hex[:8]}@example.com"
        )
        yield Deployment(client, services, api, model_id, prediction_id, corrupt)


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def deployment(request: pytest.FixtureRequest) -> Deployment:
    found: Deployment = request.getfixturevalue(request.param)
    return found


def assert_damaged(answer: Any) -> None:
    assert answer.status_code == 500, answer.text[:300]
    body = answer.json()
    assert body["code"] in ("integrity_error", "verification_failed")
    assert "damaged" in body["message"] and "will not help" in body["message"]
    assert "try again" not in body["message"] and "Retry-After" not in answer.headers
    assert "fraud_probability" not in answer.text  # none of the file's bytes


def test_an_intact_prediction_downloads_whole(deployment: Deployment) -> None:
    answer = deployment.api.get(f"/api/predictions/{deployment.prediction_id}/download")
    assert answer.status_code == 200
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert answer.content.decode().splitlines()[0].count(",") >= 3


@pytest.mark.parametrize("change", [flip, truncate], ids=["byte flipped", "truncated"])
@pytest.mark.parametrize("route", ["by id", "by key (the seeds' route)"])
def test_a_damaged_prediction_is_never_a_200(
    deployment: Deployment, change: Callable[[bytes], bytes], route: str, tmp_path: Path
) -> None:
    key = deployment.prediction_key()
    store = parts(deployment.services).raw_store
    original = store.get(key)
    deployment.corrupt(key, change)
    _clear_cache(deployment)
    try:
        if route == "by id":
            answer = deployment.api.get(f"/api/predictions/{deployment.prediction_id}/download")
        else:
            answer = deployment.api.get("/api/download_s3_predictions", params={"key": key})
        assert_damaged(answer)
    finally:
        deployment.corrupt(key, lambda _: original)


def test_a_damaged_prediction_is_the_good_copy_or_an_error_never_bad_bytes(
    deployment: Deployment,
) -> None:
    url = f"/api/predictions/{deployment.prediction_id}/download"
    key = deployment.prediction_key()
    original = parts(deployment.services).raw_store.get(key)
    assert deployment.api.get(url).content == original  # a verified copy may now be cached
    deployment.corrupt(key, flip)
    try:
        answer = deployment.api.get(url)
        if answer.status_code == 200:
            assert answer.content == original  # served from the verified cache
        else:
            assert_damaged(answer)
    finally:
        deployment.corrupt(key, lambda _: original)


@pytest.mark.parametrize("damage", ["byte flipped", "truncated", "quarantined"])
def test_feedback_on_damaged_scores_is_refused_before_anything_is_saved(
    deployment: Deployment, damage: str
) -> None:
    """The decisions are measured against the stored scores: when those fail verification
    the feedback is refused as a download is (damaged, retrying will not help), and no
    decision nor figure is saved, rather than saved and then a 500."""
    key = deployment.prediction_key()
    store, uow = parts(deployment.services).raw_store, parts(deployment.services).uow
    original = store.get(key)
    url = f"/api/predictions/{deployment.prediction_id}/feedback"
    before = deployment.services.fraud().predictions.get(
        deployment.api.user_id, deployment.prediction_id
    )
    with uow() as work:
        decided = work.feedback.of_prediction(deployment.api.user_id, before.id)
    if damage == "quarantined":
        with uow() as work:
            work.objects.set_state(key, ObjectState.QUARANTINED)
            work.commit()
    else:
        deployment.corrupt(key, flip if damage == "byte flipped" else truncate)
        _clear_cache(deployment)
    try:
        answer = deployment.api.post(url, json={"labels": [{"row": 1, "label": 1}]})
        assert_damaged(answer)
        with uow() as work:
            assert work.feedback.of_prediction(deployment.api.user_id, before.id) == decided
        after = deployment.services.fraud().predictions.get(deployment.api.user_id, before.id)
        assert after.summary == before.summary
    finally:
        deployment.corrupt(key, lambda _: original)
        with uow() as work:
            work.objects.set_state(key, ObjectState.STORED)
            work.commit()
    given = deployment.api.post(url, json={"labels": [{"row": 1, "label": 1}]})
    assert given.status_code == 200, given.text  # the scores restored, feedback is taken


def test_a_model_with_a_cold_cache_and_damaged_files_is_never_a_200(
    deployment: Deployment,
) -> None:
    keys = deployment.model_keys()
    (joblib_key,) = [k for k in keys if k.endswith("model.joblib")]
    original = parts(deployment.services).raw_store.get(joblib_key)
    deployment.corrupt(joblib_key, flip)
    _clear_cache(deployment)
    try:
        answer = deployment.api.get(f"/api/models/{deployment.model_id}/download")
        assert_damaged(answer)
    finally:
        deployment.corrupt(joblib_key, lambda _: original)


def test_one_file_of_a_model_with_a_cold_cache_and_damage_is_never_a_200(
    deployment: Deployment,
) -> None:
    """The version page's per-file download reads the same verified path as the ZIP."""
    keys = deployment.model_keys()
    (key,) = [k for k in keys if k.endswith("performance.json")]
    original = parts(deployment.services).raw_store.get(key)
    url = f"/api/models/{deployment.model_id}/files/performance.json"
    deployment.corrupt(key, flip)
    _clear_cache(deployment)
    try:
        answer = deployment.api.get(url)
        assert_damaged(answer)
        assert original[:40] not in answer.content
    finally:
        deployment.corrupt(key, lambda _: original)
    assert deployment.api.get(url).content == original


def test_a_model_verified_in_the_cache_is_served_and_the_damage_is_reported(
    deployment: Deployment,
) -> None:
    good = deployment.api.get(f"/api/models/{deployment.model_id}/download")
    assert good.status_code == 200  # the cache now holds the verified files
    keys = deployment.model_keys()
    (joblib_key,) = [k for k in keys if k.endswith("model.joblib")]
    original = parts(deployment.services).raw_store.get(joblib_key)
    deployment.corrupt(joblib_key, flip)
    try:
        served = deployment.api.get(f"/api/models/{deployment.model_id}/download")
        assert served.status_code == 200
        with zipfile.ZipFile(io.BytesIO(served.content)) as archive:
            (inner,) = [n for n in archive.namelist() if n.endswith("model.joblib")]
            assert archive.read(inner) == original  # the good copy, not the damaged one
        report = verify_catalog(
            parts(deployment.services).raw_store,
            parts(deployment.services).uow,
            deep=True,
            prefix="users/",
        )
        damaged = {(p.key, p.kind) for p in report.problems}
        assert (joblib_key, ProblemKind.CONTENT_MISMATCH) in damaged
    finally:
        deployment.corrupt(joblib_key, lambda _: original)


def _clear_cache(deployment: Deployment) -> None:
    """Forget every verified copy (the cache folder of the registry's reads)."""
    for folder in (deployment.services.fraud().options.var_dir.parent / "cache",):
        if folder.exists():
            for path in sorted(folder.rglob("*"), reverse=True):
                if path.is_file():
                    path.unlink()
