"""The CLI's shared state: one console, one lazily bootstrapped App."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from entrepot.bootstrap import App

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@cache
def current_app() -> App:
    """The App for this process, built from the environment on first use."""
    from entrepot.bootstrap import bootstrap  # deferred: keeps `--help` fast

    return bootstrap()
