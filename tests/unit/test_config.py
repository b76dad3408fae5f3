"""Settings refuse values that would open the service to anyone."""

from __future__ import annotations

import pytest

from entrepot.config import describe, load_settings
from entrepot.errors import ConfigError


@pytest.mark.parametrize("token", ["change-me", "secret", "short-token"])
def test_a_published_or_short_metrics_token_is_refused(token: str) -> None:
    """Regression: ``ENTREPOT_METRICS_TOKEN=change-me`` (the example file's value) opened
    /metrics and the health details to anyone who read the example."""
    with pytest.raises(ConfigError, match="ENTREPOT_METRICS_TOKEN"):
        load_settings(metrics_token=token, secret_key="a" * 48)


def test_a_random_metrics_token_is_accepted() -> None:
    token = "x9Vq2LmT8rN4pW6sZ1cY7bK3hJ5gF0dA"
    assert load_settings(metrics_token=token, secret_key="a" * 48).metrics_token == token


def test_config_show_masks_every_url_password() -> None:
    """``entrepot config show``: one masking for every URL, a short password included."""
    settings = load_settings(
        database_url="postgresql://alice:p@db:5432/app",
        redis_url="redis://:ort@cache:6379/0",
        secret_key="s" * 48,
    )
    shown = {row.name: row.value for row in describe(settings, environ={})}
    assert shown["database_url"] == "postgresql://alice:***@db:5432/app"
    assert shown["redis_url"] == "redis://:***@cache:6379/0"
    assert "s" * 48 not in shown.values()
    assert shown["store_url"] == "./var/store"


def test_a_configuration_error_names_the_variables_in_our_words() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env="prod", worker_threads="two", secret_key="s" * 48)
    message = str(caught.value)
    assert "ENTREPOT_ENV='prod': should be 'development' or 'production'" in message
    assert "ENTREPOT_WORKER_THREADS='two'" in message
    assert "pydantic" not in message and "input_value" not in message
