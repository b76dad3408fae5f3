"""The live feeds as a local HTTP server answering with recorded real responses (the files
of ``tests.support.real_paris``): nothing reaches the internet. Each request is recorded;
a path can be told to fail a number of times first, or always."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.support.real_paris import real

#: Request path -> the recorded response served for it.
RECORDED: dict[str, str] = {
    "/velib/station_status.json": "station_status.json",
    "/velib/station_information.json": "station_information.json",
    "/weather": "open-meteo-paris-2024-08-17.json",
    "/portal/catalog/datasets/comptages-routiers-permanents/exports/csv": (
        "comptages-routiers-permanents-convention-2022.csv"
    ),
    "/portal/catalog/datasets/chantiers-perturbants/exports/csv": "chantiers-perturbants.csv",
    "/portal/catalog/datasets/comptage-velo-donnees-compteurs/exports/csv": (
        "comptage-velo-donnees-compteurs.csv"
    ),
}


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    user_agent: str


@dataclass
class Feeds:
    """The server's address, what it was asked, and how it should misbehave."""

    url: str
    requests: list[Request] = field(default_factory=list)
    #: path -> (status, times): answer ``status`` that many times before the recording
    #: (``times < 0``: always).
    failures: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: path -> bytes served instead of the recording.
    bodies: dict[str, bytes] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """The settings pointing ``entrepot city collect`` at this server."""
        return {
            "ENTREPOT_CITY_VELIB_URL": f"{self.url}/velib",
            "ENTREPOT_CITY_WEATHER_URL": f"{self.url}/weather",
            "ENTREPOT_CITY_PORTAL_URL": f"{self.url}/portal",
            # the recording is served over plain http on loopback: the operator allows it
            "ENTREPOT_OUTBOUND_ALLOWED_HOSTS": "127.0.0.1",
        }

    def asked(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


@contextmanager
def recorded_feeds() -> Iterator[Feeds]:
    """A server on 127.0.0.1 answering the feeds' paths with the recorded responses."""
    state = Feeds("")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            with lock:
                state.requests.append(
                    Request(parts.path, parse_qs(parts.query), self.headers.get("User-Agent", ""))
                )
                status, times = state.failures.get(parts.path, (200, 0))
                if times:
                    state.failures[parts.path] = (status, times - 1 if times > 0 else times)
            if times:
                self._answer(status, b"busy", {"Retry-After": "0"})
                return
            body = state.bodies.get(parts.path)
            if body is None and parts.path in RECORDED:
                body = Path(real(RECORDED[parts.path])).read_bytes()
            if body is None:
                self._answer(404, b"not found", {})
                return
            self._answer(200, body, {})

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
