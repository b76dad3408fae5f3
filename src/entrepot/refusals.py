"""Every error's HTTP status and exit code, in one table (ADR 0068).

Each row names an error class, the HTTP status the API and the pages answer it with, and
the exit code of the command line; the first row the error is an instance of wins, so the
most specific classes come first. A deployed service's refusal reaches the remote command
line as a status only: it exits as the row marked ``remote`` for that status (a status
without one, a 5xx, exits as an unavailable service), so a command run here and the same
command run against a service end alike. ``tests/unit/test_refusals.py`` holds that every
error class of the tree resolves to a row of its own area, not to the catch-all.

It imports the error modules of every area, so it ranks just above them and below the
doors (``http``, ``cli``) that read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from entrepot import errors as e
from entrepot.accounts import errors as a
from entrepot.catalog.paging import InvalidPage
from entrepot.city.errors import MissingInput
from entrepot.fraud import errors as f
from entrepot.fraud_service import errors as s
from entrepot.jobs.codes import error_code
from entrepot.registry import errors as r
from entrepot.relocation.errors import MigrationInterrupted


@dataclass(frozen=True)
class Refusal:
    """One row: an error class, its HTTP status and its exit code; ``remote``: the row a
    deployed service's answer with this status exits as (one per status)."""

    kind: type[BaseException]
    status: int
    exit: int
    remote: bool = False


R = Refusal
#: Most specific first; the first match wins. Exit codes follow sysexits.h: 2 a usage
#: mistake, 65 bad data, 66 no such input, 69 unavailable, 73 exists or in use, 74 damaged
#: bytes, 75 try later, 77 not permitted, 78 configuration, 130 interrupted.
TABLE: tuple[Refusal, ...] = (
    R(MigrationInterrupted, 400, 130),  # Ctrl-C, as an interrupted command exits
    R(a.UnknownPlan, 422, 2),
    R(f.UnknownDomain, 422, 2),
    R(f.UnknownSheet, 422, 2),
    R(r.UnexportableFlavor, 400, 2),
    R(e.InvalidArgument, 400, 2),
    R(e.ConfigError, 500, 78),
    R(f.MissingFile, 422, 66),
    R(e.LocalFileNotFound, 400, 66),
    R(e.LocalFileExists, 400, 73),
    R(e.PortInUse, 400, 69),
    R(a.AuthenticationRequired, 401, 77, remote=True),
    R(a.InvalidCredentials, 401, 77),
    R(a.TooManyAttempts, 429, 69, remote=True),
    R(a.AccountInactive, 403, 77),
    R(a.NotAllowed, 403, 77, remote=True),
    R(s.NotInNamespace, 403, 77),
    R(a.LicenceRequired, 402, 77, remote=True),
    R(a.QuotaExceeded, 403, 77),
    R(a.DatasetTooLarge, 413, 65, remote=True),
    R(s.OverMemoryBudget, 413, 65),
    R(a.LicenceAlreadyUsed, 409, 73),
    R(a.InvalidLicenceKey, 422, 65),
    R(a.EmailTaken, 409, 73),
    R(a.InvalidAccountInput, 422, 65),
    R(InvalidPage, 422, 65),
    R(s.UnsupportedFileType, 415, 65, remote=True),
    R(s.LibraryNotReady, 503, 69),
    R(s.InvalidThreshold, 422, 65),
    R(s.NothingToLearn, 409, 73),
    R(s.UnlabelledDataset, 400, 65),
    R(s.UnknownRiskFilter, 400, 65),
    R(s.TrainingFailed, 400, 65),
    R(f.NoReferences, 503, 65),
    R(f.FraudError, 422, 65, remote=True),
    R(r.InvalidName, 422, 65),
    R(r.InvalidNote, 422, 65),
    R(r.InvalidModelFiles, 400, 65),
    R(r.UnsafeModelFormat, 400, 65),
    R(r.VersionInUse, 409, 73),
    R(MissingInput, 400, 66),
    R(e.RecordNotFound, 404, 66, remote=True),
    R(e.ObjectNotFound, 404, 66),
    R(e.RecordExists, 409, 73, remote=True),
    R(e.ObjectExists, 409, 73),
    R(e.RecordInUse, 409, 73),
    R(e.InvalidKey, 400, 65, remote=True),
    R(e.AccessDenied, 503, 77),  # the store refused the service's own credentials
    R(e.IntegrityError, 500, 74),
    R(e.StoreFull, 507, 73, remote=True),  # Insufficient Storage; sysexits' CANTCREAT
    R(e.StoreUnavailable, 503, 69, remote=True),
    R(e.DatabaseUnavailable, 503, 69),
    R(e.SchedulerUnavailable, 503, 69),
    R(e.NotMigrated, 503, 75),
    R(e.EntrepotError, 400, 1),
)
#: What an error outside the tree answers and exits with.
UNEXPECTED = Refusal(BaseException, 500, 1)


def refusal_of(kind: type[BaseException]) -> Refusal:
    """The row of the error class ``kind``."""
    for row in TABLE:
        if issubclass(kind, row.kind):
            return row
    return UNEXPECTED


def code_of(error: BaseException) -> str:
    """The stable code of ``error`` (its class in snake case), as the API answers it."""
    return error_code(error)


def status_of(error: BaseException) -> int:
    """The HTTP status of ``error``."""
    return refusal_of(type(error)).status


def exit_code(error: BaseException) -> int:
    """The process exit code of ``error``."""
    return refusal_of(type(error)).exit


def exit_for_status(status: int) -> int:
    """The exit code of a deployed service's answer with ``status``: its ``remote`` row's;
    any other status exits as an unavailable service (503)."""
    rows = {row.status: row.exit for row in TABLE if row.remote}
    return rows.get(status, rows[503])
