"""The login ``entrepot login`` keeps: ``{url, token}`` in the user's configuration folder
(``$XDG_CONFIG_HOME/entrepot``, else ``~/.config/entrepot``), the folder 0700 and the file
0600, written to a temporary file beside it and renamed into place, as other command
lines keep theirs (ADR 0051)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from entrepot.cli.remote.staging import placed
from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

#: The file's name in the configuration folder.
LOGIN_FILE = "login.json"
#: A login file is a URL and a token: anything larger is not one.
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Login:
    """A deployed service and the API token to send it."""

    url: str
    token: str = ""


def config_folder(environ: dict[str, str] | None = None) -> Path:
    """The user's configuration folder for Entrepôt (XDG Base Directory)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "entrepot"


def login_path(environ: dict[str, str] | None = None) -> Path:
    """Where the login is kept."""
    return config_folder(environ) / LOGIN_FILE


def read_login(path: Path) -> Login | None:
    """The login kept in ``path``; ``None`` when there is none. A file that is not one is a
    :class:`ConfigError` naming it."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the login {path}: {exc.strerror}",
            hint="`entrepot login URL` again",
            said=Message(
                N_("error.cli.login_unreadable"), {"path": str(path), "reason": str(exc.strerror)}
            ),
        ) from None
    try:
        if len(data) > MAX_BYTES:
            raise ValueError("too large")
        raw = json.loads(data)
        login = Login(url=str(raw["url"]), token=str(raw["token"]))
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"the login {path} is not one entrepot wrote",
            hint="`entrepot logout` removes it, `entrepot login URL` writes a new one",
            said=Message(N_("error.cli.login_not_ours"), {"path": str(path)}),
        ) from None
    return login


def save_login(path: Path, login: Login) -> None:
    """Keep ``login`` in ``path``: the folder made 0700, the file written 0600 beside it,
    then renamed into place (a reader sees the old login or the new one, never half)."""
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    body = json.dumps({"url": login.url, "token": login.token}, indent=2) + "\n"
    with placed(path) as file:
        file.write(body.encode("utf-8"))


def forget_login(path: Path) -> bool:
    """Remove the login; whether there was one."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
