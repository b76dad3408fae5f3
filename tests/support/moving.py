"""What the laptop-to-team test needs beyond the processes: a folder's fingerprint, step
timings, and the fraud web service driven over HTTP as its users do."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.waiting import HANG_GUARD, wait_for


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder`` (and ``"<dir>"`` for each
    folder): any write, creation or removal changes it. A SQLite ``-shm`` file is left out:
    it is the shared-memory index every reader writes its read marks into, holds no data,
    and SQLite rebuilds it from the database and its ``-wal`` (which are hashed)."""
    found: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            found[str(Path(root, name).relative_to(folder)) + "/"] = "<dir>"
        for name in files:
            if name.endswith(".db-shm"):
                continue
            path = Path(root, name)
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


class Timings:
    """How long each step took, printed at the end (recorded, never asserted)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - began))

    def table(self) -> str:
        total = sum(seconds for _, seconds in self.steps)
        lines = [f"  {seconds:6.1f} s  {name}" for name, seconds in self.steps]
        return "\n".join(["step timings:", *lines, f"  {total:6.1f} s  in all"])


class Client:
    """One user of a running web service, by API token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> httpx.Response:
        answer = httpx.get(
            self.url + path, headers=self.headers, timeout=HANG_GUARD, follow_redirects=True
        )
        assert answer.status_code == 200, f"GET {path}: {answer.status_code} {answer.text}"
        return answer

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        answer = httpx.post(self.url + path, headers=self.headers, timeout=HANG_GUARD, **kwargs)
        assert answer.status_code in (200, 201, 202), f"POST {path}: {answer.text}"
        return answer

    def upload(self, name: str, data: bytes) -> str:
        """Upload a file; its dataset id."""
        return str(self.post("/api/upload", files={"file": (name, data)}).json()["dataset_id"])

    def finished(self, job_id: str) -> dict[str, object]:
        """Wait for a job to succeed; its last state."""

        def state() -> dict[str, object] | None:
            job: dict[str, object] = self.get(f"/api/jobs/{job_id}").json()
            if job["state"] == "failed":
                pytest.fail(f"job {job_id} failed: {job}")
            return job if job["state"] == "succeeded" else None

        return wait_for(state, f"job {job_id} succeeding", every=0.2)

    def train(self, dataset_id: str, name: str) -> None:
        job = self.post("/api/train", json={"dataset_id": dataset_id, "model_name": name})
        self.finished(job.json()["job_id"])

    def predict(self, model_id: int, dataset_id: str) -> str:
        """Score a dataset with a model; the prediction id."""
        job = self.post("/api/predict", json={"model_id": model_id, "dataset_id": dataset_id})
        self.finished(job.json()["job_id"])
        return str(self.get("/api/predictions").json()["items"][0]["id"])  # newest first

    def apply(self, dataset_id: str, name: str | None = None) -> str:
        """Score a dataset with the reference ensemble (kept as model ``name`` if given);
        the prediction id. While the library is still being built (the server builds it at
        start) the service refuses with 503: asked again until the build ends."""
        body = {"dataset_id": dataset_id, "model_name": name}

        def accepted() -> httpx.Response | None:
            answer = httpx.post(
                self.url + "/api/apply_unlabeled", headers=self.headers, json=body, timeout=60
            )
            return None if answer.status_code == 503 else answer

        answer = wait_for(accepted, "the reference library being built", every=0.5)
        assert answer.status_code == 202, f"POST /api/apply_unlabeled: {answer.text}"
        self.finished(answer.json()["job_id"])
        return str(self.get("/api/predictions").json()["items"][0]["id"])  # newest first

    def scores(self, prediction_id: str) -> bytes:
        """The scores file of a prediction, as downloaded."""
        return self.get(f"/api/predictions/{prediction_id}/download").content


def signs_in(url: str, email: str, password: str) -> bool:
    """Whether ``email`` signs in with ``password`` (a session cookie is set)."""
    answer = httpx.post(
        url + "/api/auth/login", json={"email": email, "password": password}, timeout=HANG_GUARD
    )
    return answer.status_code == 200 and bool(answer.cookies)
