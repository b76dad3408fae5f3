"""Schemathesis over the service's OpenAPI: every operation, called with generated
parameters and bodies by a signed-in admin (an API token), never answers a 5xx, answers
only the statuses its operation declares (``http/refusals.py``), with bodies valid against
the declared schemas; on SQLite and on PostgreSQL.

Bounded (:data:`EXAMPLES` per operation, no shrinking) so the run stays well under a
minute; ``ENTREPOT_FUZZ_EXAMPLES=40`` digs deeper (the issue 42 run: 40 per operation on
both backends, 0 non-conformances). Each operation is called by a new
admin, since a generated call may revoke the caller's token or deactivate their account
(operations that end the caller's own session or account are left out altogether)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from tests.support.databases import temporary_database
from tests.support.web import make_web_app, user_api

#: What each answer is checked for.
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

#: Examples generated per operation: fewer on PostgreSQL, where the same generated calls
#: cost twice as long and what differs is the catalog's answers, not the inputs.
EXAMPLES = {"sqlite": 15, "postgresql": 6}
#: A deeper run's examples per operation on both backends (``ENTREPOT_FUZZ_EXAMPLES``).
DEEPER = os.environ.get("ENTREPOT_FUZZ_EXAMPLES", "")
SPARED = {
    ("POST", "/api/auth/logout"),
    ("DELETE", "/api/account"),
    ("POST", "/api/account/password"),
}


def fuzz(operation: Any, headers: dict[str, str], failures: list[str], examples: int) -> bool:
    """Call ``operation`` with generated input; whether any call got past sign-in."""
    authenticated = False

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def call(case: Any) -> None:
        nonlocal authenticated
        response = case.call(headers=headers)
        authenticated = authenticated or response.status_code != 401
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, FailureGroup) as failed:
            failures.append(
                f"{case.method} {case.formatted_path} {case.query or ''} -> "
                f"{response.status_code}: {str(failed)[:300]} {response.text[:200]}"
            )

    call()
    return authenticated


@contextmanager
def database(kind: str, folder: Path) -> Iterator[dict[str, str]]:
    """The settings of a catalog of ``kind``: a SQLite file, or a new PostgreSQL database."""
    if kind == "sqlite":
        yield {}
        return
    with temporary_database() as url:
        yield {"database_url": url}


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_every_operation_answers_what_it_declares(tmp_path: Path, kind: str) -> None:
    failures: list[str] = []
    called = reached = 0
    with database(kind, tmp_path) as catalog:
        app, services = make_web_app(tmp_path, settings=catalog)
        with TestClient(app, raise_server_exceptions=False) as client:
            schema = schemathesis.openapi.from_asgi("/openapi.json", app)
            for number, result in enumerate(schema.get_all_operations()):
                operation = result.ok()  # type: ignore[union-attr]  # an Err raises here
                if (operation.method.upper(), operation.path) in SPARED:
                    continue
                email = f"fuzz-admin-{number}@example.com"
                headers = user_api(client, services, email, admin=True).headers
                examples = int(DEEPER) if DEEPER.isdigit() else EXAMPLES[kind]
                reached += fuzz(operation, headers, failures, examples)
                called += 1
    assert called > 30, "the schema lists the service's operations"
    assert reached > called * 0.8, "most operations were reached past sign-in"
    assert not failures, "\n".join(failures)
