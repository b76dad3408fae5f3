"""Request ids, structured (JSON) logs and Prometheus metrics.

Every request gets an id (the client's ``X-Request-ID`` if it is a plain token, else a
new one), echoed in the response and attached to every log line written while serving
it. Metrics live in a registry of the app's own (no global state), served at
``/metrics``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_REQUEST_ID: ContextVar[str] = ContextVar("entrepot_request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("entrepot.access")
#: Attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


def request_id() -> str:
    """The id of the request being served (``-`` outside a request)."""
    return _REQUEST_ID.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class LineFormatter(logging.Formatter):
    """One line a person reads: time, level, logger, message, ``key=value`` extras and the
    request id (development; production logs are JSON lines)."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        extras = " ".join(
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD and key != "request_id"
        )
        rid = getattr(record, "request_id", None) or request_id()
        line = f"{when} {record.levelname.lower():7} {record.name}: {record.getMessage()}"
        line += f"  {extras}" if extras else ""
        line += f"  [request {rid}]" if rid != "-" else ""
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    """Send every ``entrepot`` log (and uvicorn's errors) to stderr: JSON lines for log
    collectors (production), readable lines otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else LineFormatter())
    for name in ("entrepot", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


class Metrics:
    """The service's Prometheus metrics, in a registry of their own."""

    def __init__(self, collectors: Iterable[Collector] = ()) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "entrepot_http_requests",
            "HTTP requests served",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "entrepot_http_request_duration_seconds",
            "Time to serve a request",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "entrepot_http_requests_in_flight", "Requests being served", registry=self.registry
        )
        for collector in collectors:
            self.registry.register(collector)
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration (the labelled series are looked up
        once per method, route and status, then kept)."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


class JobsCollector(Collector):
    """``entrepot_jobs{state}``, read from the catalog at each scrape."""

    def __init__(self, count_by_state: Callable[[], dict[str, int]]) -> None:
        self._count = count_by_state

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily("entrepot_jobs", "Jobs by state", labels=["state"])
        try:
            counts = self._count()
        except Exception:  # a scrape must not fail because the database is away
            counts = {}
        for state in ("queued", "running", "succeeded", "failed"):
            family.add_metric([state], counts.get(state, 0))
        yield family


class RequestContext:
    """ASGI middleware: request id, access log line, metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        rid = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        _REQUEST_ID.set(rid)
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope.get("method", "-")
            self.metrics.observe(method, route, status["code"], elapsed)
            if access_log.isEnabledFor(logging.INFO):  # no record built for nothing
                user = scope.get("state", {}).get("user_id")
                access_log.info(
                    "%s %s %s",
                    method,
                    scope.get("path", ""),
                    status["code"],
                    extra={
                        "method": method,
                        "path": scope.get("path", ""),
                        "route": route,
                        "status": status["code"],
                        "ms": round(elapsed * 1000, 2),
                        "user": user,
                        "request_id": rid,
                    },
                )
