"""The exit code of an error: its row of :mod:`entrepot.refusals` (the one table of HTTP
statuses and exit codes); a deployed service's answer exits as that table's row for its
HTTP status (``remote_status``), so a command exits alike here and through a service."""

from __future__ import annotations

from entrepot import refusals


def exit_code(error: BaseException) -> int:
    """The process exit code for ``error``."""
    status = getattr(error, "remote_status", None)
    if isinstance(status, int):
        return refusals.exit_for_status(status)
    return refusals.exit_code(error)
