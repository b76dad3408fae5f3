"""One table of refusals (``entrepot.refusals``, ADR 0068): every error class of the tree
has a row there, or inherits one of its area's; the HTTP status and the exit code come from
the same row, and a deployed service's answer exits as the same refusal here."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest

import entrepot
from entrepot import refusals
from entrepot.accounts.errors import LicenceRequired, QuotaExceeded
from entrepot.city.errors import MissingInput
from entrepot.cli.errors import exit_code
from entrepot.cli.remote.errors import JobFailed, NotAnEntrepot, RemoteError, Unreachable
from entrepot.errors import (
    EntrepotError,
    InvalidArgument,
    LocalFileExists,
    LocalFileNotFound,
    PortInUse,
)

#: Classes that resolve to the catch-all row (400, exit 1) on purpose: an area's root, never
#: raised itself, or a failure with no better status than "the request failed".
CATCH_ALL = {
    "entrepot.accounts.errors.AccountError",
    "entrepot.accounts.errors.LicenceError",
    "entrepot.api.multipart.BadUpload",
    "entrepot.api.routes.jobs.MissingDataset",
    "entrepot.api.routes.jobs.PathNotAccepted",
    "entrepot.catalog.copy.errors.CopyInterrupted",
    "entrepot.catalog.copy.errors.CopyMismatch",
    "entrepot.catalog.copy.errors.UncopyableValue",
    "entrepot.city.collect.fetch.FeedUnavailable",
    "entrepot.city.errors.CityError",
    "entrepot.city.errors.MetricsError",
    "entrepot.city.errors.MigrationMismatch",
    "entrepot.city.errors.PartitionError",
    "entrepot.city.errors.RawFormatError",
    "entrepot.city.errors.RunFailed",
    "entrepot.city.imports.archives.ArchiveRefused",
    "entrepot.errors.CatalogError",
    "entrepot.errors.EntrepotError",
    "entrepot.errors.StorageError",
    "entrepot.fraud_service.errors.FraudServiceError",
    "entrepot.jobs.guard.JobCancelled",
    "entrepot.jobs.payloads.PayloadError",
    "entrepot.outbound.BodyTooLarge",
    "entrepot.outbound.OutboundRefused",
    "entrepot.registry.errors.MissingLibrary",
    "entrepot.registry.errors.RegistryError",
    "entrepot.relocation.errors.LeftBehind",
    "entrepot.relocation.errors.MigrationError",
    "entrepot.relocation.errors.MigrationIncomplete",
    "entrepot.relocation.errors.MigrationOpen",
}


def _tree() -> dict[str, type[EntrepotError]]:
    for found in pkgutil.walk_packages(entrepot.__path__, "entrepot."):
        importlib.import_module(found.name)

    def below(kind: type[EntrepotError]) -> Iterator[type[EntrepotError]]:
        for sub in kind.__subclasses__():
            yield sub
            yield from below(sub)

    kinds: set[type[EntrepotError]] = {EntrepotError, *below(EntrepotError)}
    return {
        f"{k.__module__}.{k.__qualname__}": k for k in kinds if k.__module__.startswith("entrepot")
    }


def test_every_error_class_has_a_row_or_inherits_one() -> None:
    tree = _tree()
    root = refusals.refusal_of(EntrepotError)
    defaulted = {
        name
        for name, kind in tree.items()
        if refusals.refusal_of(kind) is root
        and not hasattr(kind, "remote_status")
        and not issubclass(kind, RemoteError)
    }
    assert sorted(defaulted - CATCH_ALL) == [], "add a row to entrepot.refusals.TABLE"
    assert sorted(CATCH_ALL - defaulted) == [], "remove from CATCH_ALL: it has a row now"


def test_each_status_has_at_most_one_remote_row_and_503_has_one() -> None:
    statuses = [row.status for row in refusals.TABLE if row.remote]
    assert len(statuses) == len(set(statuses))
    assert 503 in statuses


@pytest.mark.parametrize("row", refusals.TABLE, ids=lambda r: r.kind.__name__)
def test_a_refusal_exits_here_as_through_a_service(row: refusals.Refusal) -> None:
    """A 4xx refusal's exit code equals the remote row's for its status (the remote command
    line sees only the status); the exceptions are a usage mistake, a local file, the
    interrupt and the catch-all, which a service never answers as such."""
    local = (LocalFileNotFound, LocalFileExists, PortInUse, InvalidArgument, MissingInput)
    if row.status >= 500 or row.exit in {1, 130} or issubclass(row.kind, local):
        return
    assert refusals.exit_for_status(row.status) == row.exit, row.kind.__name__


def test_a_plans_refusals_exit_77_on_both_doors() -> None:
    for kind in (QuotaExceeded, LicenceRequired):
        assert refusals.refusal_of(kind).exit == 77
    assert exit_code(RemoteError("full", status=403, code="quota_exceeded", url="u")) == 77
    assert exit_code(RemoteError("no plan", status=402, code="licence_required", url="u")) == 77


@pytest.mark.parametrize(
    ("status", "exit"), [(404, 66), (409, 73), (422, 65), (400, 65), (429, 69), (500, 69)]
)
def test_a_services_answer_exits_by_its_status(status: int, exit: int) -> None:
    assert exit_code(RemoteError("x", status=status, code="c", url="u")) == exit


def test_the_remote_failures_exit_as_their_local_kin() -> None:
    assert exit_code(JobFailed("bad file")) == 65
    assert exit_code(Unreachable("https://x", "timeout")) == 69
    assert exit_code(NotAnEntrepot("https://x", "html")) == 69
