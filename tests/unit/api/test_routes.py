"""The JSON API over HTTP (FastAPI's test client, the real services, a local store and a
SQLite catalog): the seeds' flow, errors as ``{code, message}``, bad input refused with
nothing left behind."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.apps import flat_routes
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.parts import parts
from tests.support.web import ONE_REFERENCE, Api, make_web_app, run_jobs, user_api


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, App]]:
    app, services = make_web_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


@pytest.fixture
def alice(web: tuple[TestClient, App]) -> Api:
    return user_api(*web, "alice@example.com")


def test_the_seeds_flow_upload_train_predict_download(
    web: tuple[TestClient, App], alice: Api
) -> None:
    _, services = web
    uploaded = alice.upload(labelled_csv(), "transactions.csv")
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert body["analysis"]["target"] == "is_fraud" and body["dataset"]["rows"] == 2000
    assert "s3://" not in uploaded.text and "users/" not in uploaded.text  # no key leaks out
    train = alice.post("/api/train", json={"dataset_id": body["dataset_id"], "model_name": "first"})
    assert train.status_code == 202 and train.json()["status_url"].startswith("/api/jobs/")
    assert alice.get(train.json()["status_url"]).json()["state"] == "queued"
    run_jobs(services)
    job = alice.get(train.json()["status_url"]).json()
    assert job["state"] == "succeeded", job
    assert job["progress"] == 1.0 and 0 < job["result"]["metrics"]["auprc"] <= 1
    (model,) = alice.get("/api/models").json()
    assert model["id"] == job["result"]["model_id"] and model["name"] == "first"
    detail = alice.get(f"/api/models/{model['id']}").json()
    assert {"model.joblib", "performance.json", "schema.json", "curves.json"} <= {
        f[0] for f in detail["files"]
    }
    assert len(detail["curves"]["precision_recall"]["recall"]) > 10
    fresh = alice.upload(unlabelled_csv(), "new.csv").json()
    assert fresh["analysis"]["target"] is None
    predict = alice.post(
        "/api/predict", json={"model_id": model["id"], "dataset_id": fresh["dataset_id"]}
    )
    assert predict.status_code == 202
    run_jobs(services)
    result = alice.get(f"/api/jobs/{predict.json()['job_id']}").json()["result"]
    prediction = alice.get(f"/api/predictions/{result['prediction_id']}").json()
    assert prediction["rows"] == 500 and sum(prediction["summary"]["risk"].values()) == 500
    preview = prediction["preview"]
    assert len(preview["rows"]) == 20 and "fraud_probability" in preview["columns"]
    csv = alice.get(prediction["download_url"])
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    digest = base64.b64encode(hashlib.sha256(csv.content).digest()).decode()
    assert csv.headers["repr-digest"] == f"sha-256=:{digest}:"  # what a client checks
    (member,) = prediction["summary"]["members"]
    assert member["name"] == "first" and 0 < member["threshold"] < 1
    assert member["column_coverage"] == 1.0 and 0 < member["validation_auprc"] <= 1
    lines = csv.content.decode().splitlines()
    assert len(lines) == 501 and "fraud_probability" in lines[0] and "risk_level" in lines[0]
    history = alice.get("/api/history").json()
    assert [j["kind"] for j in history["items"]] == ["predict", "train"]


def test_apply_unlabeled_uses_the_reference_library(tmp_path: Path) -> None:
    app, services = make_web_app(tmp_path, **ONE_REFERENCE)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "bob@example.com")
        dataset = api.upload(unlabelled_csv(400)).json()["dataset_id"]
        refused = api.post("/api/apply_unlabeled", json={"dataset_id": dataset})
        assert refused.status_code == 503
        assert refused.json()["code"] == "library_not_ready"
        assert "build-references" in refused.json()["message"]
        assert services.fraud().references.ensure() is not None
        assert api.post("/api/apply_unlabeled", json={"dataset_id": dataset}).status_code == 503
        run_jobs(services)
        job = api.post("/api/apply_unlabeled", json={"dataset_id": dataset, "model_name": "x"})
        assert job.status_code == 202
        run_jobs(services)
        done = api.get(f"/api/jobs/{job.json()['job_id']}").json()
        assert done["state"] == "succeeded", done
        members = done["result"]["summary"]["members"]
        assert members and members[0]["name"].startswith("ref-01-")


def test_errors_are_json_with_a_code_a_message_and_the_request_id(
    web: tuple[TestClient, App],
) -> None:
    client, _ = web
    answer = client.get("/api/datasets", headers={"X-Request-ID": "trace-123"})
    assert answer.status_code == 401
    assert answer.headers["x-request-id"] == "trace-123"
    body = answer.json()
    assert body["code"] == "authentication_required" and body["request_id"] == "trace-123"
    assert "sign in" in body["message"] and "Bearer" in body["message"]
    invalid = client.get("/api/datasets", headers={"X-Request-ID": "bad id\n"})
    assert invalid.headers["x-request-id"] != "bad id\n"
    bad_token = client.get("/api/datasets", headers={"Authorization": "Bearer ent_nope"})
    assert bad_token.status_code == 401 and "not valid" in bad_token.json()["message"]


def test_validation_errors_name_the_field(alice: Api) -> None:
    answer = alice.post("/api/predict", json={"dataset_id": "x"})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_request" and "model_id" in answer.json()["message"]


def test_the_service_refuses_paths_and_store_urls(alice: Api) -> None:
    for body in (
        {"filepath": "s3://bucket/user_data/2/uploads/file.csv", "model_name": "m"},
        {"filepath": "/etc/passwd", "model_name": "m", "target_column": "is_fraud"},
    ):
        answer = alice.post("/api/train", json=body)
        assert answer.status_code == 400
        assert answer.json()["code"] == "path_not_accepted"
        assert "POST /api/upload" in answer.json()["message"]
    answer = alice.post("/api/apply_unlabeled", json={"filepath": "s3://b/k.csv"})
    assert answer.json()["code"] == "path_not_accepted"


@pytest.mark.parametrize(
    ("content", "name", "status", "code", "words"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.png", 415, "unsupported_file_type", "PNG"),
        (b"%PDF-1.4 something", "report.csv", 415, "unsupported_file_type", "PDF"),
        (b"a,b\n1,2\n", "data.json", 415, "unsupported_file_type", ".json"),
        (b"", "empty.csv", 422, "empty_file", "empty"),
        (b"a,b,c\n", "header.csv", 422, "empty_file", "no rows"),
        (b'a,b\n1,"2\n3,4\n', "broken.csv", 422, "unreadable_file", "could not be parsed"),
        (b"PAR1not really parquet", "x.parquet", 422, "unreadable_file", "Parquet"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(
    web: tuple[TestClient, App],
    alice: Api,
    content: bytes,
    name: str,
    status: int,
    code: str,
    words: str,
) -> None:
    _, services = web
    answer = alice.upload(content, name)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code and words in answer.json()["message"]
    _assert_nothing_stored(services, alice.user_id)


def _assert_nothing_stored(services: App, user_id: int) -> None:
    with parts(services).uow() as uow:
        assert uow.datasets.list(user_id).total == 0
        assert uow.objects.count(prefix=f"users/{user_id}/") == 0
    assert list(parts(services).raw_store.list(f"users/{user_id}/")) == []
    assert not any(services.fraud().options.temp_dir.iterdir())


def test_an_upload_without_a_file_says_how_to_send_one(alice: Api) -> None:
    answer = alice.post("/api/upload", data={"target_column": "x"}, files={"other": ("a", b"1")})
    assert answer.status_code == 400 and "field named 'file'" in answer.json()["message"]
    answer = alice.post("/api/upload", json={"file": "data"})
    assert answer.status_code == 400 and "multipart/form-data" in answer.json()["message"]


def test_an_oversized_upload_is_stopped_while_streaming(tmp_path: Path) -> None:
    app, services = make_web_app(tmp_path, upload_limit=50_000)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = user_api(client, services, "big@example.com")
        boundary = "entrepot-test-boundary"
        sent = {"bytes": 0}

        def body() -> Iterator[bytes]:  # chunked: no Content-Length to check in advance
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            yield b"a,b\n"
            for _ in range(100):
                sent["bytes"] += 10_000
                yield b"1,2\n" * 2_500
            yield f"\r\n--{boundary}--\r\n".encode()

        answer = client.post(
            "/api/upload",
            content=body(),
            headers={**api.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert answer.status_code == 413, answer.text
        assert answer.json()["code"] == "dataset_too_large"
        assert "up to 48.8 KiB" in answer.json()["message"]
        _assert_nothing_stored(services, api.user_id)


def test_a_declared_size_over_the_plan_is_refused_before_reading(alice: Api) -> None:
    answer = alice.client.post(
        "/api/upload",
        content=b"x" * 10,
        headers={
            **alice.headers,
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": str(500 * 1024 * 1024),
        },
    )
    assert answer.status_code == 413 and "100 MiB" in answer.json()["message"]


def test_training_refusals_come_before_any_job(web: tuple[TestClient, App], alice: Api) -> None:
    _, services = web
    unlabelled = alice.upload(unlabelled_csv(300)).json()["dataset_id"]
    labelled = alice.upload(labelled_csv(300)).json()["dataset_id"]
    cases = [
        ({"dataset_id": unlabelled, "model_name": "m"}, 422, "no_target_found", "apply_unlabeled"),
        (
            {"dataset_id": labelled, "model_name": "m", "target_column": "nope"},
            422,
            "target_not_found",
            "its columns are",
        ),
        ({"dataset_id": "0" * 32, "model_name": "m"}, 404, "record_not_found", "no dataset"),
        ({"dataset_id": labelled, "model_name": "../up"}, 422, "invalid_name", "not a safe"),
        ({"model_name": "m"}, 400, "missing_dataset", "dataset_id is required"),
    ]
    for body, status, code, words in cases:
        answer = alice.post("/api/train", json=body)
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
        assert words in answer.json()["message"]
    with parts(services).uow() as uow:
        assert uow.jobs.count_by_state() == {}


def test_too_few_rows_fails_the_job_with_the_engines_message(
    web: tuple[TestClient, App], alice: Api
) -> None:
    _, services = web
    small = alice.upload(labelled_csv(60)).json()["dataset_id"]
    job = alice.post("/api/train", json={"dataset_id": small, "model_name": "m"}).json()
    run_jobs(services)
    failed = alice.get(job["status_url"]).json()
    assert failed["state"] == "failed" and failed["error_code"] == "too_few_rows"
    assert "training needs at least 100 rows" in failed["error"]
    assert "add more labelled rows" in failed["error"]
    assert alice.get("/api/models").json() == []
    assert alice.get("/api/licence").json()["models_used"] == 0


def test_the_model_quota_refuses_a_fourth_training(alice: Api) -> None:
    dataset = alice.upload(labelled_csv(300)).json()["dataset_id"]
    for i in range(3):
        body = {"dataset_id": dataset, "model_name": f"m{i}"}
        assert alice.post("/api/train", json=body).status_code == 202
    answer = alice.post("/api/train", json={"dataset_id": dataset, "model_name": "m3"})
    assert answer.status_code == 403 and answer.json()["code"] == "quota_exceeded"
    assert "allows 3 models" in answer.json()["message"] and "/licence" in answer.json()["message"]


def test_an_expired_licence_refuses_work_but_keeps_reads(alice: Api) -> None:
    dataset = alice.upload(labelled_csv(300)).json()["dataset_id"]
    _expire(alice.client, alice.user_id)
    for answer in (
        alice.upload(labelled_csv(300)),
        alice.post("/api/train", json={"dataset_id": dataset, "model_name": "m"}),
        alice.post("/api/apply_unlabeled", json={"dataset_id": dataset}),
    ):
        assert answer.status_code == 402 and answer.json()["code"] == "licence_required"
        assert "ended on" in answer.json()["message"]
    assert alice.get(f"/api/datasets/{dataset}").status_code == 200
    assert alice.get("/api/licence").json()["active"] is False


def _expire(client: TestClient, user_id: int) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from entrepot.catalog.accounts.tables import LicenceRow

    engine = parts(client.app.state.entrepot).engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            update(LicenceRow)
            .where(LicenceRow.user_id == user_id)
            .values(expires_at=datetime.now(UTC) - timedelta(days=1))
        )


def test_activating_a_licence_key_over_the_api(web: tuple[TestClient, App], alice: Api) -> None:
    client, services = web
    root = user_api(client, services, "root@example.com", admin=True)
    (key,) = root.post("/api/admin/licences", json={"plan": "premium", "days": 30}).json()
    assert key["key"].startswith("PREMIUM-")
    activated = alice.post("/api/licence/activate", json={"key": key["key"]}).json()
    assert activated["plan"] == "premium" and activated["days_left"] == 30
    again = alice.post("/api/licence/activate", json={"key": key["key"]})
    assert again.status_code == 409 and again.json()["code"] == "licence_already_used"
    bad = alice.post("/api/licence/activate", json={"key": "GOLD-1234"})
    assert bad.status_code == 422 and "PREMIUM-0123456789abcdef" in bad.json()["message"]


def test_unknown_resources_answer_404(alice: Api) -> None:
    for url in (
        "/api/datasets/0123",
        "/api/models/999",
        "/api/jobs/abc",
        "/api/predictions/abc",
        "/api/predictions/abc/download",
        "/api/models/999/download",
    ):
        answer = alice.get(url)
        assert answer.status_code == 404, url
        assert answer.json()["code"] == "record_not_found"
    unknown_model = alice.post("/api/predict", json={"model_id": 999, "dataset_id": "x"})
    assert unknown_model.status_code == 404 and "no model 999" in unknown_model.json()["message"]


def test_deleting_a_dataset_removes_its_rows_and_object(
    web: tuple[TestClient, App], alice: Api
) -> None:
    _, services = web
    dataset = alice.upload(labelled_csv(300)).json()["dataset_id"]
    assert len(list(parts(services).raw_store.list(f"users/{alice.user_id}/"))) == 1
    assert alice.delete(f"/api/datasets/{dataset}").status_code == 200
    assert alice.get(f"/api/datasets/{dataset}").status_code == 404
    _assert_nothing_stored(services, alice.user_id)


def test_tokens_are_created_listed_and_revoked(alice: Api) -> None:
    created = alice.post("/api/tokens", json={"name": "script"}).json()
    assert created["token"].startswith("ent_") and created["name"] == "script"
    listed = alice.get("/api/tokens").json()
    assert all("token" not in t for t in listed) and len(listed) == 2
    other = Api(alice.client, created["token"], alice.user_id)
    assert other.get("/api/me").json()["user"]["email"] == "alice@example.com"
    alice.delete(f"/api/tokens/{created['id']}")
    assert other.get("/api/me").status_code == 401


def test_health_and_metrics(web: tuple[TestClient, App], alice: Api) -> None:
    client, services = web
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert {c["name"] for c in health["checks"]} == {"database", "store", "job queue"}
    assert client.get("/health/live").json() == {"status": "ok"}
    alice.get("/api/datasets")
    admin = user_api(client, services, "root@example.com", admin=True)
    metrics = admin.get("/metrics").text
    assert 'entrepot_http_requests_total{method="GET",route="/api/datasets",status="200"}' in (
        metrics
    )
    assert 'entrepot_jobs{state="queued"} 0.0' in metrics


def test_the_openapi_spec_lists_the_seeds_verbs(web: tuple[TestClient, App]) -> None:
    client, _ = web
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/upload",
        "/api/analyze",
        "/api/train",
        "/api/predict",
        "/api/apply_unlabeled",
        "/api/jobs/{job_id}",
        "/api/models",
        "/api/history",
        "/api/predictions/{prediction_id}/download",
        "/api/download_s3_predictions",
    ):
        assert path in paths, path


def test_security_headers_are_sent(web: tuple[TestClient, App]) -> None:
    client, _ = web
    headers = client.get("/login").headers
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "cdn" not in headers["content-security-policy"]


def test_health_answers_503_when_the_job_queue_is_down(tmp_path: Path) -> None:
    app, services = make_web_app(tmp_path, jobs_url="redis://127.0.0.1:1/0")
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = user_api(client, services, "root@example.com", admin=True)
        answer = admin.get("/health")
        assert answer.status_code == 503 and answer.json()["status"] == "unavailable"
        checks = {c["name"]: c for c in answer.json()["checks"]}
        assert checks["database"]["ok"] and checks["store"]["ok"]
        assert not checks["job queue"]["ok"] and "redis" in checks["job queue"]["detail"]
        assert client.get("/health/live").status_code == 200


def test_no_routes_of_two_routers_answer_the_same_method_and_path(tmp_path: Path) -> None:
    # The app orders its routers by how often they are called (create_app); that is safe
    # only while no request could be answered by routes of two of them. (Inside a router,
    # a fixed path before a templated one is the router's own, stable order.)
    app, _ = make_web_app(tmp_path)
    routes = [
        (router, route)
        for router, top in enumerate(app.routes)
        for route in flat_routes([top])
        if getattr(route, "methods", None)
    ]
    assert len(routes) > 100
    clashes = []
    for router, route in routes:
        sample = re.sub(r"\{[^}]+\}", "1", route.path)
        clashes += [
            (route.path, other.path)
            for other_router, other in routes
            if other_router != router
            and other.methods & route.methods
            and other.path_regex.match(sample)
        ]
    assert clashes == []
