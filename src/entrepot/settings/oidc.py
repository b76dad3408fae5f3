"""OpenID Connect sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.settings import setting


@dataclass(frozen=True)
class OidcSettings:
    """One provider; sign-in through it is off unless the metadata URL and the client
    are set (:attr:`configured`)."""

    metadata_url: str | None = setting(None, name="oidc_metadata_url")
    client_id: str | None = setting(None, name="oidc_client_id")
    client_secret: str | None = setting(None, name="oidc_client_secret", secret=True)
    name: str = setting("Google", name="oidc_name")
    #: The service's public URL (``https://entrepot.example.org``): the provider sends
    #: browsers back to ``<public_url>/auth/oidc/callback``, never to the request's
    #: ``Host`` (issue 42); sign-in through a provider refuses to start without it.
    public_url: str | None = setting(None, name="oidc_public_url")

    @property
    def configured(self) -> bool:
        """Whether the provider is set whole."""
        return bool(self.metadata_url and self.client_id and self.client_secret)
