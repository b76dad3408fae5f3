"""What the ``entrepot models`` commands share: the group's ``--user``, the registry it
names, and metrics shortened for a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from entrepot.cli.context import current_app
from entrepot.cli.output import human
from entrepot.cli.owners import owned_registry

if TYPE_CHECKING:  # the registry's import pulls SQLAlchemy: only when a command runs
    from entrepot.registry.service import Registry


def user_option(ctx: typer.Context) -> str | None:
    """The ``--user`` given to ``entrepot models`` (its commands' parent context)."""
    user = ctx.parent.params.get("user") if ctx.parent is not None else None
    return None if user is None else str(user)


def owned_models(ctx: typer.Context) -> Registry:
    return owned_registry(current_app(ctx), user_option(ctx))


def short_metrics(metrics: dict[str, float], limit: int = 3) -> str:
    text = human(dict(list(metrics.items())[:limit]))
    return text + (", ..." if len(metrics) > limit else "")
