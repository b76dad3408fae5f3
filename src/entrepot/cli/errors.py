"""Map Entrepôt errors to CLI exit codes, in one place."""

from __future__ import annotations

import entrepot.accounts.errors as a
import entrepot.fraud_service.errors as s
import entrepot.registry.errors as r
from entrepot import errors as e
from entrepot.city.errors import MissingInput
from entrepot.cli.remote import errors as remote
from entrepot.fraud.errors import FraudError
from entrepot.relocation.errors import MigrationInterrupted

#: Most specific first; the first match wins. A refusal the service answers with an HTTP
#: status exits here as the remote command line exits on that status (``401``-``403``: 77,
#: ``409``: 73, ``400``/``413``/``415``/``422``: 65), so a command run here and one run
#: against a deployed service end alike (``tests/unit/cli/test_exit_codes.py``).
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (e.InvalidArgument, 2),
    (MigrationInterrupted, 130),  # Ctrl-C, as an interrupted command exits
    (e.ConfigError, 78),
    (e.LocalFileNotFound, 66),
    (e.LocalFileExists, 73),
    (e.PortInUse, 69),
    (a.AuthenticationRequired, 77),
    (a.InvalidCredentials, 77),
    (a.AccountInactive, 77),
    (a.NotAllowed, 77),
    (s.NotInNamespace, 77),
    (a.LicenceRequired, 77),
    (a.QuotaExceeded, 77),
    (a.DatasetTooLarge, 65),
    (a.LicenceAlreadyUsed, 73),
    (a.InvalidLicenceKey, 65),
    (s.UnsupportedFileType, 65),
    (s.InvalidThreshold, 65),
    (s.NothingToLearn, 73),
    (r.InvalidNote, 65),
    (r.VersionInUse, 73),
    (FraudError, 65),
    (s.TrainingFailed, 65),
    (e.InvalidKey, 65),
    (a.InvalidAccountInput, 65),
    (r.InvalidName, 65),
    (r.InvalidModelFiles, 65),
    (r.UnsafeModelFormat, 65),
    (e.ObjectNotFound, 66),
    (MissingInput, 66),
    (e.RecordNotFound, 66),
    (e.ObjectExists, 73),
    (e.RecordExists, 73),
    (e.RecordInUse, 73),
    (e.IntegrityError, 74),
    (e.AccessDenied, 77),
    (e.StoreUnavailable, 69),
    (e.DatabaseUnavailable, 69),
    (e.NotMigrated, 75),
    # a deployed service's refusals, by their HTTP status (cli/remote/client.py)
    (remote.RemoteDenied, 77),
    (remote.RemoteNotFound, 66),
    (remote.RemoteConflict, 73),
    (remote.RemoteInvalid, 65),
    (remote.JobFailed, 65),
    (remote.RemoteBusy, 69),
    (remote.Unreachable, 69),
    (remote.NotAnEntrepot, 69),
    (e.EntrepotError, 1),
)


def exit_code(error: BaseException) -> int:
    """The process exit code for ``error``."""
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            return code
    return 1
