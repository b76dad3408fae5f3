"""``--user EMAIL|ID``: work in one account's models, the ones the web service shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from entrepot.bootstrap.app import App
    from entrepot.registry.service import Registry

#: The option every command that reaches an account's models declares.
UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        help="An account's email or id: work in its models (those its web pages and "
        "/api/models show) instead of the shared ones.",
        show_default=False,
    ),
]


def owned_registry(app: App, user: str | None) -> Registry:
    """The shared registry, or the account ``user`` names (email or id): an unknown
    account is an error, never a new namespace."""
    return app.operations.models_of(user)
