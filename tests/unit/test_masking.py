"""One masking of passwords in URLs: SQLAlchemy's rendering for databases, the same
``***`` for any other URL, and never a search for the password in the text."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from entrepot.masking import mask_url, mask_urls_in


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://alice:s3cret@db:5432/app", "postgresql://alice:***@db:5432/app"),
        ("postgresql+psycopg://u:p@db/app", "postgresql+psycopg://u:***@db/app"),
        ("s3://AKIA:ort@bucket/prefix", "s3://AKIA:***@bucket/prefix"),
        ("mongodb://u:secret@db/x?authSource=admin", "mongodb://u:***@db/x?authSource=admin"),
        ("redis://:p@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ],
)
def test_the_password_is_masked_and_nothing_else_changes(url: str, shown: str) -> None:
    assert mask_url(url) == shown


@pytest.mark.parametrize(
    "url", ["sqlite:///./var/entrepot.db", "s3://bucket/prefix", "./var/store", "redis://db:6379"]
)
def test_a_url_without_password_is_shown_as_given(url: str) -> None:
    assert mask_url(url) == url


def test_a_sqlalchemy_url_object_is_rendered_by_sqlalchemy() -> None:
    url = make_url("postgresql+psycopg://alice:pw@db:5432/app")
    assert (
        mask_url(url)
        == url.render_as_string(hide_password=True)
        == ("postgresql+psycopg://alice:***@db:5432/app")
    )


def test_a_short_password_does_not_corrupt_the_text_around_it() -> None:
    """Regression: the password ``p`` replaced in a driver's message gave ``***ort 18498``."""
    text = 'connection to server at "127.0.0.1", port 18498 failed: postgresql://u:p@h/x'
    assert mask_urls_in(text) == (
        'connection to server at "127.0.0.1", port 18498 failed: postgresql://u:***@h/x'
    )


def test_connection_string_passwords_are_masked() -> None:
    assert mask_urls_in("invalid dsn: host=db password=ort user=u") == (
        "invalid dsn: host=db password=*** user=u"
    )


def test_an_unparsable_url_is_not_echoed() -> None:
    assert mask_url("http://u:pw@[::1") == "<unparsable URL>"
