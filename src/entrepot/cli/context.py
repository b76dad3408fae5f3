"""The CLI's shared state: one console, and the App every command works on.

Commands get what they need from the composition root through :func:`current_app`: the
process's App, built lazily from the environment. A command group run on its own (a
test, or an embedding program invoking ``city_app``) passes its App as ``obj``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import typer
from rich.console import Console, ConsoleDimensions

from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

if TYPE_CHECKING:
    from entrepot.bootstrap.app import App

#: The program name the main command line runs under.
PROG = "entrepot"

#: The width of a console writing to a pipe or a file (unless ``COLUMNS`` says one): wide
#: enough that no line is wrapped or cut, so a script or ``grep`` reads whole lines.
UNBOUNDED = 100_000


class _Console(Console):
    """A Rich console as wide as its terminal, and unbounded when it writes to a pipe or a
    file (Rich's default there is 80 columns, which cut commands and names in half)."""

    @property
    def size(self) -> ConsoleDimensions:
        found = super().size
        if self._width is None and not self.is_terminal and "COLUMNS" not in self._environ:
            return ConsoleDimensions(UNBOUNDED, found.height)
        return found

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


#: Results, on stdout (tables, JSON documents, what a command did).
console: Console = _Console(highlight=False)
#: Errors, on stderr.
err_console: Console = _Console(stderr=True, highlight=False)
#: Progress bars, spinners and notes on the work under way, on stderr; silenced by ``-q``.
progress_console: Console = _Console(stderr=True, highlight=False)


def note(text: str) -> None:
    """Say what is being done (a day computed, a file written), on stderr unless ``-q``."""
    progress_console.print(text, markup=False, highlight=False, soft_wrap=True)


@cache
def process_app() -> App:
    """The App for this process, built from the environment (nothing is opened yet)."""
    from entrepot.bootstrap import bootstrap  # deferred: keeps `--help` fast

    return bootstrap()


def given_app(ctx: typer.Context | None) -> App | None:
    """The App this command works on: the one passed as ``obj``, else the process's when
    run under ``entrepot``; ``None`` for a command group run on its own without one."""
    if ctx is None:
        return process_app()
    from entrepot.bootstrap.app import App

    found = ctx.find_object(App)
    if found is not None:
        return found
    return process_app() if ctx.find_root().info_name == PROG else None


def current_app(ctx: typer.Context | None = None) -> App:
    """The App this command works on (see :func:`given_app`); a group run on its own
    without one is a :class:`ConfigError` saying how to run it."""
    found = given_app(ctx)
    if found is None:
        assert ctx is not None
        group = ctx.find_root().info_name
        raise ConfigError(
            f"`{group}` was run on its own, with no store or catalog to work on",
            hint=f"run it as `{PROG} {group} ...`, which opens the configured store and catalog",
            said=Message(N_("error.cli.group_alone"), {"group": str(group), "prog": PROG}),
        )
    return found
