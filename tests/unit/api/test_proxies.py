"""The client's address: the peer's, or behind a trusted proxy the nearest untrusted hop
of ``X-Forwarded-For``."""

from __future__ import annotations

import pytest

from entrepot.http.proxies import client_address, parse_networks

TRUSTED = parse_networks(["10.0.0.1", "10.1.0.0/16"])


@pytest.mark.parametrize(
    ("peer", "header", "networks", "expected"),
    [
        ("203.0.113.5", "1.2.3.4", (), "203.0.113.5"),  # nothing trusted: the peer
        ("203.0.113.5", "1.2.3.4", TRUSTED, "203.0.113.5"),  # an untrusted peer's header
        ("10.0.0.1", "1.2.3.4", TRUSTED, "1.2.3.4"),
        ("10.0.0.1", "6.6.6.6, 1.2.3.4", TRUSTED, "1.2.3.4"),  # a forged first hop is ignored
        ("10.0.0.1", "1.2.3.4, 10.1.2.3", TRUSTED, "1.2.3.4"),  # two trusted proxies
        ("10.0.0.1", "not-an-address", TRUSTED, "10.0.0.1"),
        ("10.0.0.1", None, TRUSTED, "10.0.0.1"),
        ("10.0.0.1", "10.1.0.9", TRUSTED, "10.1.0.9"),  # only proxies: the farthest
        ("10.0.0.1", "2001:db8::1", TRUSTED, "2001:db8::1"),
    ],
)
def test_client_address(
    peer: str, header: str | None, networks: tuple[object, ...], expected: str
) -> None:
    assert client_address(peer, header, networks) == expected  # type: ignore[arg-type]


def test_a_bad_proxy_entry_is_named() -> None:
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an address"):
        parse_networks(["proxy.example"])


def test_the_setting_accepts_a_comma_separated_list_and_refuses_names() -> None:
    from entrepot.config import Settings

    assert Settings(trusted_proxies="10.0.0.1, 10.1.0.0/16").web.trusted_proxies == (
        "10.0.0.1",
        "10.1.0.0/16",
    )
    with pytest.raises(ValueError, match="ENTREPOT_TRUSTED_PROXIES"):
        Settings(trusted_proxies="proxy.example")
