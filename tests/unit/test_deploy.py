"""The deployment files hold together: compose runs the five services the README names,
every ENTREPOT_* variable they set is one the settings read, the image runs as a user
and starts the service, and no real secret is committed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from entrepot.config import setting_names

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _known_variables() -> set[str]:
    names = set(setting_names())
    return {f"ENTREPOT_{name.upper()}" for name in names}


def test_compose_runs_app_worker_postgres_minio_redis(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"app", "worker", "postgres", "minio", "redis", "minio-setup", "migrate"} <= set(
        services
    )
    assert services["app"]["command"][:2] == ["entrepot", "serve"]
    assert "--no-worker" in services["app"]["command"]
    assert services["worker"]["command"][:2] == ["entrepot", "worker"]
    assert services["migrate"]["command"] == ["entrepot", "db", "upgrade"]
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert published == ["127.0.0.1:9001:9001", "8000:8000"]


def test_the_bucket_is_private_and_the_app_user_limited_to_it(compose: dict[str, Any]) -> None:
    script = "\n".join(compose["services"]["minio-setup"]["command"])
    assert "mc anonymous set none local/entrepot" in script
    assert '"arn:aws:s3:::entrepot/*"' in script and "s3:*" not in script
    environment = compose["x-entrepot"]["environment"]
    assert environment["AWS_ACCESS_KEY_ID"] == "entrepot-app"


def test_every_entrepot_variable_is_a_setting(compose: dict[str, Any]) -> None:
    used = set(compose["x-entrepot"]["environment"])
    used |= set(
        re.findall(r"^#?\s*(ENTREPOT_[A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    used |= set(re.findall(r"(ENTREPOT_[A-Z0-9_]+)=", (ROOT / "Dockerfile").read_text()))
    entrepot = {name for name in used if name.startswith("ENTREPOT_")}
    assert entrepot - _known_variables() == set()
    assert len(entrepot) >= 10


def test_no_secret_is_committed(compose: dict[str, Any]) -> None:
    example = (ROOT / ".env.example").read_text()
    for name in (
        "ENTREPOT_SECRET_KEY",
        "POSTGRES_PASSWORD",
        "MINIO_ROOT_PASSWORD",
        "MINIO_APP_SECRET",
    ):
        assert re.search(rf"^{name}=change-me$", example, re.M), name
    text = (ROOT / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD:?" in text and "MINIO_APP_SECRET:?" in text
    assert compose["x-entrepot"]["environment"]["ENTREPOT_ENV"] == "production"


def test_the_image_runs_the_service_as_a_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER entrepot$", dockerfile, re.M)
    assert 'CMD ["entrepot", "serve", "--host", "0.0.0.0"' in dockerfile
    assert "/health/live" in dockerfile
