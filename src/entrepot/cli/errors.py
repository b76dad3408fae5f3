"""Map Entrepôt errors to CLI exit codes, in one place."""

from __future__ import annotations

from entrepot import errors as e
from entrepot.accounts.errors import InvalidAccountInput
from entrepot.city.errors import MissingInput
from entrepot.cli.remote import errors as remote
from entrepot.fraud.errors import FraudError
from entrepot.fraud_service.errors import TrainingFailed
from entrepot.registry.errors import InvalidModelFiles, InvalidName, UnsafeModelFormat
from entrepot.relocation.errors import MigrationInterrupted

#: Most specific first; the first match wins.
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (e.InvalidArgument, 2),
    (MigrationInterrupted, 130),  # Ctrl-C, as an interrupted command exits
    (e.ConfigError, 78),
    (e.LocalFileNotFound, 66),
    (e.LocalFileExists, 73),
    (e.PortInUse, 69),
    (FraudError, 65),
    (TrainingFailed, 65),
    (e.InvalidKey, 65),
    (InvalidAccountInput, 65),
    (InvalidName, 65),
    (InvalidModelFiles, 65),
    (UnsafeModelFormat, 65),
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
