"""Whether a server can listen where it was asked, checked before it says it serves."""

from __future__ import annotations

import socket

from entrepot.errors import PortInUse
from entrepot.messages import N_, Message


def _bind(host: str, port: int) -> int:
    """Bind ``host:port`` (0: any free port) as uvicorn does, then let go; the port bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        bound: int = sock.getsockname()[1]
    return bound


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortInUse` (naming a free port to try) when ``host:port`` is taken."""
    try:
        _bind(host, port)
    except OSError as exc:
        free = _bind(host, 0)
        hint = f"stop what listens there, or choose another port: --port {free}"
        raise PortInUse(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint=hint,
            said=Message(
                N_("error.services.port_in_use"),
                {"host": host, "port": port, "detail": exc.strerror, "free": free},
            ),
        ) from exc
