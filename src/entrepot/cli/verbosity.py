"""``entrepot -q`` and ``entrepot -v``: how much the command line says besides its results.

Quiet: results and errors only (no progress bars, spinners, notes or warnings). Verbose:
debug logs of Entrepôt (and informational ones of the libraries) on stderr.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from entrepot.cli.context import progress_console

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to the ``sys.stderr`` of the moment (a test may have replaced it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure(*, quiet: bool, verbose: bool) -> None:
    """Apply ``-q`` / ``-v`` to the progress console and to logging."""
    progress_console.quiet = quiet
    root = logging.getLogger()
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%H:%M:%S"))
        root.addHandler(handler)
    root.setLevel(logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING)
    logging.getLogger("entrepot").setLevel(logging.DEBUG if verbose else logging.NOTSET)
