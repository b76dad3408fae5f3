"""Errors of the accounts; each says what went wrong and what to do.

The tree (under :class:`entrepot.errors.EntrepotError`)::

    AccountError
    ├── AuthenticationRequired         no valid session or API token
    ├── InvalidCredentials             wrong email or password (never says which)
    ├── AccountInactive                an admin deactivated the account
    ├── NotAllowed (PermissionError)   an admin-only action, or one on oneself
    ├── EmailTaken (RecordExists)      an account already uses the email
    ├── InvalidAccountInput (ValueError)  malformed email, weak password, bad name
    │   └── UnknownPlan (InvalidArgument) a licence plan that does not exist
    ├── TooManyAttempts                too many failed sign-ins: wait ``retry_after`` s
    └── LicenceError
        ├── LicenceRequired            no licence in force (none, expired or disabled)
        ├── InvalidLicenceKey (ValueError)  malformed or unknown key
        ├── LicenceAlreadyUsed         the key was activated already
        ├── QuotaExceeded              the plan's number of models is reached
        └── DatasetTooLarge            the upload is over the plan's size limit
"""

from __future__ import annotations

from entrepot.errors import EntrepotError, InvalidArgument, RecordExists
from entrepot.messages import Message, Np_


class AccountError(EntrepotError):
    """An account operation was refused; ``said``, when given, is the refusal as a message
    (a key and its values) that a page writes in its own language."""


class AuthenticationRequired(AccountError):
    """The request carries no valid session or API token."""

    hint = "sign in at /login, or send 'Authorization: Bearer TOKEN' (`entrepot users token`)"


class InvalidCredentials(AccountError):
    """The email or the password is wrong."""

    hint = "check the email and the password; after 5 failures, wait 15 minutes"


class AccountInactive(AccountError):
    """The account was deactivated."""

    hint = "ask an administrator to reactivate it"


class NotAllowed(AccountError, PermissionError):
    """The action needs rights the user does not have."""


class EmailTaken(AccountError, RecordExists):
    """An account already uses this email."""

    hint = "sign in instead, or use another email address"


class InvalidAccountInput(AccountError, ValueError):
    """An email, password or name that cannot be accepted."""


class UnknownPlan(InvalidAccountInput, InvalidArgument):
    """A licence plan that does not exist; the message names the plans (a command line's
    usage error: exit 2)."""


class TooManyAttempts(AccountError):
    """Too many failed sign-ins for this email or address."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = retry_after
        said = Message(Np_("error.wait_seconds"), {"count": retry_after})
        super().__init__(message, hint=f"wait {retry_after} seconds, then try again", said=said)


class LicenceError(AccountError):
    """A licence or quota refused the action."""


class LicenceRequired(LicenceError):
    """No licence is in force."""

    hint = "activate a licence key on the licence page (/licence)"


class InvalidLicenceKey(LicenceError, ValueError):
    """The key is malformed or unknown."""

    hint = "keys look like PREMIUM-0123456789abcdef; copy it exactly as you received it"


class LicenceAlreadyUsed(LicenceError):
    """The key was activated already."""

    hint = "each key activates once; ask for a new key"


class QuotaExceeded(LicenceError):
    """The plan's number of models is reached."""

    hint = "delete a model you no longer need, or activate a larger plan on /licence"


class DatasetTooLarge(LicenceError):
    """The upload is over the plan's size limit."""

    hint = (
        "upload a smaller file (a sample, or Parquet, which is smaller than CSV), or a larger plan"
    )
