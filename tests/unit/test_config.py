"""Settings refuse values that would open the service to anyone."""

from __future__ import annotations

import pytest

from entrepot.config import load_settings
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
