"""What can go wrong on the way to a deployed service, each error with its message key.

The English text is the ``en`` catalog's for the key (a unit test holds them together), so
the command line prints it without loading the translations. Each error's ``remote_status``
is the HTTP status it stands for: it exits as :mod:`entrepot.refusals` maps that status.
"""

from __future__ import annotations

from entrepot.errors import EntrepotError, InvalidArgument
from entrepot.messages import N_, Message


class RemoteError(EntrepotError):
    """The service answered with an error: its status, code (the server's error class, in
    snake case) and message, which the command prints as the server wrote it; it exits as
    the same refusal on a local instance (:func:`entrepot.refusals.exit_for_status`)."""

    def __init__(
        self, message: str, *, status: int, code: str, url: str, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.remote_status = status
        self.code = code
        self.url = url


class JobFailed(EntrepotError):
    """A job asked of the service (a scoring) failed there: the message is the job's
    error, ``code`` its error code (the server's error class, in snake case); a data
    error, as the same failure on a local instance (exit 65)."""

    hint = "the job stays in your history on the service with this error; fix the file and retry"
    #: A data error, as the same failure on a local instance.
    remote_status = 422

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code or "job_failed"


#: The hints' keys (each error's own key is in its ``said``).
UNREACHABLE_HINT = N_("cli.remote.unreachable.hint")
NOT_AN_ENTREPOT_HINT = N_("cli.remote.not_an_entrepot.hint")
NEEDS_LOCAL_ACCESS_HINT = N_("cli.remote.needs_local_access.hint")
#: Each hint's English (the ``en`` catalog's text for its key).
_HINTS = {
    NEEDS_LOCAL_ACCESS_HINT: "run it on the service's machine, or `entrepot logout` (and unset "
    "ENTREPOT_URL) to work on a local instance",
}


class Unreachable(EntrepotError):
    """No answer from the service: the name, the connection or the time ran out."""

    remote_status = 503

    def __init__(self, url: str, reason: str) -> None:
        said = Message(N_("cli.remote.unreachable"), {"url": url, "reason": reason})
        super().__init__(
            f"no answer from {url}: {reason}",
            hint="check the URL (`entrepot whoami` shows it) and your network",
            said=said,
        )
        self.url = url


class NotAnEntrepot(EntrepotError):
    """An answer that is not the Entrepôt API's: wrong URL, a proxy's page, too large."""

    remote_status = 503

    def __init__(self, url: str, reason: str) -> None:
        said = Message(N_("cli.remote.not_an_entrepot"), {"url": url, "reason": reason})
        super().__init__(
            f"{url} did not answer as an Entrepôt service: {reason}",
            hint="check the URL: it is the service's address, e.g. https://entrepot.example.org",
            said=said,
        )


class NeedsLocalAccess(InvalidArgument):
    """An operator command (or one the API does not offer) run with a login: it would act
    on a local folder, not on the service; a usage mistake (exit 2)."""

    def __init__(self, command: str, url: str, hint_key: str = NEEDS_LOCAL_ACCESS_HINT) -> None:
        said = Message(N_("cli.remote.needs_local_access"), {"command": command, "url": url})
        super().__init__(
            f"`entrepot {command}` needs local access to the instance; this command line "
            f"works on {url}",
            hint=_HINTS[hint_key],
            said=said,
        )
        self.hint_key = hint_key
