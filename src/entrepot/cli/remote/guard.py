"""On a deployed service, the command line does only what the API offers: any other
command would act on a local folder (or on nothing) while the user believes it acts on
the service, so it is refused, saying it needs local access (a usage mistake, exit 2).

The decision reads the command line as typed (Click has consumed it by the time a group's
callback runs): :func:`local_command` is pure, :func:`refuse_locally_only` applies it.
"""

from __future__ import annotations

from collections.abc import Sequence

from entrepot.cli.remote.errors import NEEDS_LOCAL_ACCESS_HINT, NeedsLocalAccess
from entrepot.cli.remote.target import process_remote
from entrepot.errors import InvalidArgument
from entrepot.messages import N_, Message

#: What works on a deployed service: each command or group, and which of a group's
#: commands (``None``: all of them).
REMOTE: dict[str, frozenset[str] | None] = {
    "login": None,
    "logout": None,
    "whoami": None,
    "config": None,  # this machine's settings
    "datasets": None,
    "predictions": None,
    "models": frozenset({"ls", "show", "pull", "push"}),
    "fraud": frozenset({"score", "train", "evaluate"}),
}
#: The hint of a refused command that has one of its own (else the general one).
HINTS: dict[str, str] = {}
#: The commands that never reach an instance, whichever this line works on.
ANYWHERE = frozenset({"login", "logout", "whoami", "config"})


def _words(args: Sequence[str]) -> list[str]:
    return [a for a in args if not a.startswith("-")]


def local_command(args: Sequence[str]) -> str | None:
    """The command ``args`` names (``db upgrade``) when it needs local access, ``None``
    when it works on a deployed service too (or only asks for help)."""
    if "--help" in args:
        return None
    words = _words(args)
    if not words:
        return None
    top = words[0]
    if top not in REMOTE:
        return " ".join(words[:2])
    allowed = REMOTE[top]
    command = words[1] if len(words) > 1 else None
    if allowed is None or command is None or command in allowed:
        return None
    return f"{top} {command}"


def refuse_locally_only(args: Sequence[str]) -> None:
    """On a deployed service, refuse the command line ``args`` when it needs local access,
    and ``--user`` (the token says whose models); on the local instance, nothing."""
    words = _words(args)
    if not words or words[0] in ANYWHERE or "--help" in args:
        return
    remote = process_remote()
    if remote is None:
        return
    if words[0] in ("models", "fraud") and any(
        a == "--user" or a.startswith("--user=") for a in args
    ):
        raise InvalidArgument(
            f"--user works on a local instance; on {remote.url} the token says whose models",
            hint="leave --user out, or log in with that account's token",
            said=Message(N_("error.cli.remote_user_option"), {"url": remote.url}),
        )
    command = local_command(args)
    if command is not None:
        raise NeedsLocalAccess(command, remote.url, HINTS.get(command, NEEDS_LOCAL_ACCESS_HINT))
