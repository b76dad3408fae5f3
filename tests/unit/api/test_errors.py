"""How errors map to HTTP statuses (http/errors.py)."""

from __future__ import annotations

from entrepot.errors import AccessDenied
from entrepot.http.errors import public_message, status_of


def test_a_store_refusing_the_service_is_not_the_clients_fault() -> None:
    """Regression: a store's AccessDenied (the service's own credentials refused) was a 400."""
    refused = AccessDenied("put refused", store="s3://private-bucket/prefix", key="users/1/x")
    assert status_of(refused) == 503
    message = public_message(refused, 503) or ""
    assert "private-bucket" not in message and "users/1" not in message
