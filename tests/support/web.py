"""The web service for tests: the app factory, and an API client per user."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from entrepot.bootstrap.app import App
from tests.support.csvs import labelled_csv, unlabelled_csv
from tests.support.parts import job_system

#: A strong enough password for the tests.
PASSWORD = "correct horse battery staple"


#: ``make_web_app`` options for a one-reference library (card payments) built in seconds.
ONE_REFERENCE: dict[str, Any] = {
    "reference_count": 1,
    "reference_rows": 3000,
    "reference_min_frauds": 80,
    "reference_budget": 1.0,
}


def make_web_app(
    folder: Path, *, settings: dict[str, Any] | None = None, **service_options: object
) -> tuple[Any, Any]:
    """The web app over a local store and a SQLite catalog in ``folder``, with an
    in-process queue (jobs run when the test calls :func:`run_jobs`), a short training
    budget counted in steps (the same model on any load) and no reference library unless
    asked; ``settings`` replaces some settings (``store_url`` for an S3 bucket,
    ``metrics_token=...``); returns (app, services): ``services`` is the Entrepôt
    :class:`~entrepot.bootstrap.app.App` the web app holds (``services.fraud()`` its
    fraud area)."""
    from entrepot.asgi import create_app
    from entrepot.bootstrap import bootstrap
    from entrepot.config import Settings
    from entrepot.http.options import web_options

    values: dict[str, Any] = {
        "store_url": str(folder / "store"),
        "database_url": f"sqlite:///{folder / 'catalog.db'}",
        "cache_dir": folder / "cache",
        "secret_key": "test-secret-key-of-some-length-0123456789",
        "training_clock": "steps",
        **(settings or {}),
    }
    config = Settings(**values)
    core = bootstrap(config)
    core.catalog.migrate()
    defaults: dict[str, object] = {
        "var_dir": folder / "var",
        "jobs_url": "memory://",
        "training_budget": 1.0,
        "reference_count": 0,
    }
    options = web_options(config, **{**defaults, **service_options})
    app = create_app(core, options=options)
    return app, app.state.entrepot


class Api:
    """A test client authenticated by an API token."""

    def __init__(self, client: TestClient, token: str, user_id: int) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.user_id = user_id

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers=self.headers, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.client.put(url, headers=self.headers, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers=self.headers, **kw)

    def upload(self, content: bytes, name: str = "data.csv", **fields: str) -> Any:
        return self.post("/api/upload", files={"file": (name, content)}, data=fields)


def user_api(client: TestClient, services: App, email: str, admin: bool = False) -> Api:
    """A new account's API client (an administrator's token has the scope ``admin``)."""
    from entrepot.accounts.scopes import Scope

    user = services.accounts.register(email, PASSWORD, admin=admin)
    _, token = services.accounts.create_token(user.id, scope=Scope.ADMIN if admin else None)
    return Api(client, token, user.id)


def run_jobs(services: App) -> None:
    """Run every queued job in this process."""
    while job_system(services).queue.work_one():
        pass


def trained_account(client: TestClient, services: App, email: str, folder: Path) -> tuple[Api, int]:
    """A new account with one model ``m`` trained from the file ``folder/train.csv`` (900
    labelled rows, a 1 s budget counted in steps): its API client and the model's id."""
    from entrepot.fraud_service.job_payloads import SearchOptions

    api = user_api(client, services, email)
    train = folder / "train.csv"
    train.write_bytes(labelled_csv(900, seed=3))
    job = services.fraud().training.train_file(
        api.user_id, train, "m", search=SearchOptions(time_budget=1.0)
    )
    return api, int(job.result["model_id"])


def seeded_user(
    client: TestClient, services: App, email: str, *, rows: int = 600
) -> tuple[Api, int, str]:
    """A new account with a trained model and one prediction: (its API client, the model's
    id, the prediction's id)."""
    api = user_api(client, services, email)
    train = api.upload(labelled_csv(rows), "train.csv").json()["dataset_id"]
    job = api.post("/api/train", json={"dataset_id": train, "model_name": "m"}).json()
    run_jobs(services)
    model_id = api.get(f"/api/jobs/{job['job_id']}").json()["result"]["model_id"]
    fresh = api.upload(unlabelled_csv(rows // 3), "new.csv").json()["dataset_id"]
    job = api.post("/api/predict", json={"model_id": model_id, "dataset_id": fresh}).json()
    run_jobs(services)
    prediction_id = api.get(f"/api/jobs/{job['job_id']}").json()["result"]["prediction_id"]
    return api, model_id, prediction_id


@contextmanager
def web_client(folder: Path) -> Iterator[tuple[TestClient, App]]:
    """The web app of :func:`make_web_app` in ``folder``, behind a started test client."""
    app, services = make_web_app(folder)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, services


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (a form field or the body's ``data-csrf``)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'data-csrf="([^"]+)"', html
    )
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "/") -> object:
    """Sign ``client`` in through the login form (a session cookie)."""
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password, "next": next},
        follow_redirects=False,
    )
