"""What the city commands get from the main CLI: a :class:`CityRuntime`, or a bare store.

``ctx.obj`` is a :class:`CityRuntime`, a store, or a zero-argument callable returning
either (the main CLI passes a callable, so nothing is opened for ``--help``). A bare
store is enough for ``generate`` and ``process``; the commands that keep state (run,
status, metrics, report) need the catalog a runtime brings.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from entrepot.city.runtime import CityRuntime
from entrepot.errors import ConfigError
from entrepot.storage.protocols import Store


def runtime(ctx: typer.Context) -> CityRuntime:
    """The runtime the main CLI provided (a bare store is wrapped)."""
    provider: Any = ctx.obj
    if callable(provider) and not isinstance(provider, Store | CityRuntime):
        provider = provider()
    if isinstance(provider, CityRuntime):
        return provider
    if isinstance(provider, Store):
        return CityRuntime(provider)
    raise ConfigError(
        "the city commands have no store to work on",
        hint="run them as `entrepot city ...` (the main CLI provides the configured store)",
    )


def print_json(document: Any) -> None:
    """Print ``document`` as indented UTF-8 JSON on stdout."""
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
