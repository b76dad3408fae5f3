"""The outbound rule (ADR 0052) as a pure function: scheme, allowed hosts, the operator's
origins, public addresses; and the bounded read."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from entrepot.outbound import (
    BodyTooLarge,
    Outbound,
    OutboundRefused,
    bounded,
    normal_host,
    origin,
    pinned,
)

PUBLIC = {"idp.example": ["8.8.8.8"], "cdn.example": ["1.1.1.1", "2606:4700:4700::1111"]}


def resolve(host: str) -> Sequence[str]:
    return {**PUBLIC, "intranet.example": ["10.1.2.3"], "both.example": ["8.8.8.8", "::1"]}.get(
        host, ()
    )


RULE = Outbound.of(["http://mirror.lan:8080/feeds", "https://idp.example/.well-known/x"])


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "scheme is never fetched"),
        ("gopher://idp.example/", "scheme is never fetched"),
        ("https:///no-host", "names no host"),
        ("http://cdn.example/x", "plain http"),
        ("http://mirror.lan:8080/feeds", "plain http"),  # configured, but http needs allowing
        ("https://intranet.example/", "non-public address 10.1.2.3"),
        ("https://both.example/", "non-public address ::1"),
        ("https://nowhere.example/", "does not resolve"),
        ("https://169.254.169.254/latest/", "non-public address 169.254.169.254"),
        ("https://[::ffff:a9fe:a9fe]/", "non-public address 169.254.169.254"),
        ("https://224.0.0.1/", "non-public address 224.0.0.1"),
    ],
)
def test_what_the_rule_refuses_and_why(url: str, why: str) -> None:
    with pytest.raises(OutboundRefused, match=why) as refused:
        RULE.check(url, resolve)
    assert refused.value.hint and "ENTREPOT_OUTBOUND_ALLOWED_HOSTS" in refused.value.hint


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example/velib.json",  # every address public
        "https://idp.example/keys",  # the operator's origin
        "https://IDP.example.:443/token",  # the same origin, written otherwise
    ],
)
def test_what_the_rule_lets_through(url: str) -> None:
    RULE.check(url, resolve)


def test_the_operators_origin_is_trusted_only_as_configured() -> None:
    """The configured origin may be private; another port of the same host may not."""
    private = Outbound.of(["https://sso.lan/realms/x"])
    lan = {"sso.lan": ["10.0.0.9"]}.get
    assert private.refusal("https", "sso.lan", None, lambda h: lan(h, ())) is None
    assert private.refusal("https", "sso.lan", 8443, lambda h: lan(h, ())) is not None


def test_an_allowed_host_is_fetched_over_http_and_at_any_address() -> None:
    allowing = Outbound.of([], ["127.0.0.1", "Intranet.Example."])
    assert allowing.refusal("http", "127.0.0.1", 8080, resolve) is None
    assert allowing.refusal("http", "intranet.example", None, resolve) is None
    assert allowing.refusal("http", "127.0.0.2", None, resolve) is not None
    assert allowing.refusal("file", "127.0.0.1", None, resolve) is not None  # never


def test_hosts_are_compared_in_one_written_form() -> None:
    assert normal_host("[::FFFF:7F00:1]") == normal_host("127.0.0.1") == "127.0.0.1"
    assert normal_host("Example.COM.") == "example.com"
    assert origin("HTTPS://Example.com/x?y") == ("https", "example.com", 443)
    assert origin("http://example.com:8080") == ("http", "example.com", 8080)


def test_a_body_is_read_within_its_bound() -> None:
    assert bounded([b"ab", b"cd"], 4, "feed") == b"abcd"
    chunks_read: list[int] = []

    def endless() -> object:
        while True:
            chunks_read.append(1)
            yield b"x" * 10

    with pytest.raises(BodyTooLarge, match="more than 25 bytes"):
        bounded(endless(), 25, "feed")  # type: ignore[arg-type]
    assert len(chunks_read) == 3  # stopped at the chunk that passed the bound


def test_the_destination_is_every_address_of_one_lookup_each_checked() -> None:
    looked_up: list[str] = []

    def counting(host: str) -> Sequence[str]:
        looked_up.append(host)
        return resolve(host)

    assert RULE.destination("https", "cdn.example", None, counting) == (
        "1.1.1.1",
        "2606:4700:4700::1111",
    )
    assert looked_up == ["cdn.example"]
    with pytest.raises(OutboundRefused, match="non-public address ::1") as refused:
        RULE.destination("https", "both.example", None, counting)
    assert refused.value.reason == "both.example is the non-public address ::1"
    with pytest.raises(OutboundRefused, match="plain http"):
        RULE.destination("http", "cdn.example", None, counting)
    with pytest.raises(OutboundRefused, match="does not resolve"):
        RULE.destination("https", "nowhere.example", None, counting)
    # the operator's origin and allowed hosts are not held to public addresses
    assert RULE.destination("https", "idp.example", 443, lambda _: ["10.0.0.7"]) == ("10.0.0.7",)
    allowing = Outbound.of([], ["intranet.example"])
    assert allowing.destination("http", "intranet.example", 80, resolve) == ("10.1.2.3",)
    with pytest.raises(OutboundRefused, match=r"non-public address 127\.0\.0\.1"):
        allowing.destination("https", "127.0.0.1", 443, counting)  # a literal: no lookup
    assert looked_up == ["cdn.example", "both.example", "nowhere.example"]


def test_a_pinned_request_names_the_address_and_keeps_the_name() -> None:
    import httpx

    request = httpx.Request("POST", "https://cdn.example:8443/a?b=1", content=b"body")
    for address, netloc in (("1.1.1.1", "1.1.1.1:8443"), ("2606:4700::1", "[2606:4700::1]:8443")):
        sent = pinned(request, address)
        assert str(sent.url) == f"https://{netloc}/a?b=1"
        assert sent.headers["host"] == "cdn.example:8443"
        assert sent.extensions["sni_hostname"] == "cdn.example"
        assert sent.method == "POST" and sent.read() == b"body"
