"""The store URL is parsed once into a typed value, which every part reads (the store
opened, its S3 options, whether reads go through the cache): it was parsed in three places
(``config.py``, ``bootstrap/instance.py``, ``storage/url.py``), each its own way."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrepot.bootstrap.instance import s3_options
from entrepot.config import Settings
from entrepot.errors import ConfigError
from entrepot.storage.url import StoreUrl, parse_store_url


def test_each_form_is_read_into_its_parts() -> None:
    assert parse_store_url("./var/store") == StoreUrl(
        "local", "./var/store", path=Path("var/store")
    )
    assert parse_store_url("file:///srv/x%20y").path == Path("/srv/x y")
    assert parse_store_url("memory://scratch").name == "scratch"
    s3 = parse_store_url("s3://bucket/some/prefix/?endpoint=http://127.0.0.1:9000&region=eu")
    assert (s3.scheme, s3.name, s3.prefix) == ("s3", "bucket", "some/prefix")
    assert (s3.endpoint, s3.region, s3.is_remote) == ("http://127.0.0.1:9000", "eu", True)
    assert not parse_store_url("memory://x").is_remote


@pytest.mark.parametrize("bad", ["", "ftp://x", "file://host/x", "s3://", "s3://b?colour=red"])
def test_a_malformed_url_is_refused_with_what_to_write(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_store_url(bad)
    assert info.value.hint


def test_the_settings_parse_it_once_and_the_s3_options_read_the_parsed_value() -> None:
    url = "s3://bucket/p?endpoint=http://127.0.0.1:9000"
    settings = Settings.unchecked(store_url=url, s3_endpoint_url="http://other:1", s3_region="x")
    assert settings.store.parsed is settings.store.parsed  # one parse, kept
    assert settings.store.is_remote
    options = s3_options(settings, settings.store.parsed)
    assert options.endpoint_url is None  # the URL names its own: the setting gives way
    assert options.region == "x"
