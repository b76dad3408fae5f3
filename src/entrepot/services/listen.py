"""Whether a server can listen where it was asked, checked before it says it serves."""

from __future__ import annotations

import socket

from entrepot.errors import PortInUse


def _bind(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        sock.bind((host, port))


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortInUse` (naming a free port to try) when ``host:port`` is taken."""
    try:
        _bind(host, port)
    except OSError as exc:
        free = _free_port(host)
        hint = f"stop what listens there, or choose another port: --port {free}"
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}", hint=hint) from exc


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port
