"""The progress of the first start's reference build, as ``entrepot serve`` shows it,
following the real background job of a real service (SQLite, local store, memory queue)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console

from entrepot.cli.reference_build import follow
from tests.support.parts import job_system
from tests.support.waiting import HANG_GUARD
from tests.support.web import ONE_REFERENCE, make_web_app


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, force_terminal=False), out


def test_the_first_start_shows_the_build_until_the_library_is_ready(tmp_path: Path) -> None:
    app, services = make_web_app(tmp_path, **ONE_REFERENCE)
    console, out = _console()
    with TestClient(app):
        found: list[object] = []
        watcher = threading.Thread(
            target=lambda: found.append(follow(services.fraud().references, console, poll=0.05))
        )
        watcher.start()
        assert services.fraud().references.ensure() is not None
        while job_system(services).queue.work_one():
            pass
        watcher.join(timeout=HANG_GUARD)
    assert not watcher.is_alive()
    text = out.getvalue()
    assert "building 1 fraud reference model " in text
    assert "ready, 1 model built" in text
    assert len(services.fraud().references.started(0).result["built"]) == 1

    again, _ = make_web_app(tmp_path, reference_count=1)
    console, out = _console()
    assert again.state.entrepot.fraud().references.ensure() is None  # the library exists
    assert follow(again.state.entrepot.fraud().references, console) is None
    assert out.getvalue() == ""
