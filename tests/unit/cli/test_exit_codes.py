"""One refusal, one exit code, whichever door: a command run on this machine exits as the
same command run against a deployed service, which answers the refusal with the HTTP
status of ``http/errors.STATUS`` and the remote command line maps to its exit code.

Before, a full model quota exited 77 remotely and 1 here (and 16 other refusals differed),
so a script could not tell "the plan is full" from a bug on one of the two doors."""

from __future__ import annotations

import pytest

from entrepot.catalog.paging import InvalidPage
from entrepot.cli.errors import exit_code
from entrepot.cli.remote.client import _REFUSALS
from entrepot.errors import EntrepotError
from entrepot.http.errors import STATUS

#: Refusals whose local meaning differs from the service's, each with why.
DIFFERENT: dict[type[BaseException], str] = {
    EntrepotError: "the catch-all: the service answers 400 for a refusal without a class of "
    "its own; here such an error is the generic failure (1)",
    InvalidPage: "no command takes a page number: the remote listings page within the "
    "API's bounds themselves, and no local listing pages",
}
#: (error class, status) of every refusal the remote command line maps, but those above.
MAPPED = [
    (kind, status) for kind, status in STATUS if status in _REFUSALS and kind not in DIFFERENT
]


def _bare(kind: type[BaseException]) -> BaseException:
    """An instance of ``kind`` without its constructor's arguments (only its class counts)."""
    return kind.__new__(kind)


@pytest.mark.parametrize(("kind", "status"), MAPPED, ids=[k.__name__ for k, _ in MAPPED])
def test_a_refusal_exits_here_as_it_exits_through_the_service(
    kind: type[BaseException], status: int
) -> None:
    remote = exit_code(_bare(_REFUSALS[status]))
    assert exit_code(_bare(kind)) == remote, (kind.__name__, status)


def test_the_table_covers_the_refusals_a_plan_makes() -> None:
    from entrepot.accounts.errors import LicenceRequired, QuotaExceeded

    mapped = {kind for kind, _ in MAPPED}
    assert {QuotaExceeded, LicenceRequired} <= mapped
    assert exit_code(_bare(QuotaExceeded)) == exit_code(_bare(LicenceRequired)) == 77


def test_every_exception_to_the_rule_is_still_a_mapped_refusal() -> None:
    mapped = {kind for kind, status in STATUS if status in _REFUSALS}
    assert set(DIFFERENT) <= mapped
