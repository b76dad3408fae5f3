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
    assert load_settings(metrics_token=token, secret_key="a" * 48).web.metrics_token == token


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


@pytest.mark.parametrize(
    ("given", "everywhere", "feeds", "oidc"),
    [
        ("127.0.0.1, sso.corp.lan", ("127.0.0.1", "sso.corp.lan"), (), ()),  # the old form
        (
            "127.0.0.1; feeds=opendata.paris.fr,mirror.lan; oidc=sso.corp.lan",
            ("127.0.0.1",),
            ("opendata.paris.fr", "mirror.lan"),
            ("sso.corp.lan",),
        ),
        ("feeds=mirror.lan, oidc=[::1]", (), ("mirror.lan",), ("[::1]",)),
        (("10.0.0.5", "oidc=sso.corp.lan"), ("10.0.0.5",), (), ("sso.corp.lan",)),
    ],
)
def test_allowed_hosts_for_every_use_and_for_one(
    given: object, everywhere: tuple[str, ...], feeds: tuple[str, ...], oidc: tuple[str, ...]
) -> None:
    settings = load_settings(outbound_allowed_hosts=given, secret_key="s" * 48)
    hosts = settings.outbound_hosts
    assert hosts.everywhere == everywhere
    assert hosts.of("feeds") == everywhere + feeds
    assert hosts.of("oidc") == everywhere + oidc
    shown = {row.name: row.value for row in describe(settings, environ={})}
    again = load_settings(
        outbound_allowed_hosts=shown["outbound_allowed_hosts"], secret_key="s" * 48
    )
    assert again.outbound_hosts == hosts  # what `config show` prints reads back the same


def test_the_uses_reach_the_feeds_and_the_sign_in() -> None:
    from entrepot.bootstrap import bootstrap
    from entrepot.http.options import web_options

    settings = load_settings(
        outbound_allowed_hosts="127.0.0.1; feeds=mirror.lan; oidc=sso.corp.lan",
        oidc_metadata_url="https://sso.corp.lan/.well-known/openid-configuration",
        oidc_client_id="id",
        oidc_client_secret="secret",
        secret_key="s" * 48,
    )
    oidc = web_options(settings).oidc
    assert oidc is not None and oidc.allowed_hosts == ("127.0.0.1", "sso.corp.lan")
    assert bootstrap(settings)._feed_urls().allowed_hosts == ("127.0.0.1", "mirror.lan")


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("http://mirror.lan", "is not a host name"),
        ("mirror.lan:8080", "is not a host name"),
        ("remote=mirror.lan", "'remote' is not a use (feeds, oidc)"),
        ("feeds=", "is not a host name"),
    ],
)
def test_an_allowed_host_that_is_not_one_is_refused(given: str, said: str) -> None:
    with pytest.raises(ConfigError, match="ENTREPOT_OUTBOUND_ALLOWED_HOSTS") as caught:
        load_settings(outbound_allowed_hosts=given, secret_key="s" * 48)
    assert said in str(caught.value)
