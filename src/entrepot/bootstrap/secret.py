"""The instance secret: the one configured, or in development one generated on first start.

A development instance without ``ENTREPOT_SECRET_KEY`` gets a random secret, written once
to ``<instance folder>/secret_key`` (mode 0600, created exclusively so two processes
starting together agree on one) and read back by every later process of the same instance.
The instance folder is found, not assumed: ``ENTREPOT_VAR_DIR`` when set, else the folder of
the SQLite catalog the settings name (so a command run from another folder with
``ENTREPOT_DATABASE_URL`` pointing at an instance signs with *that* instance's secret, and
writes no ``var/`` where it runs), else ``./var``. No
secret is ever a constant of the source. Production never gets here: its settings refuse
a missing secret.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from entrepot.config import MIN_SECRET_LENGTH, SECRET_FILE, Settings
from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

_ENTROPY_BYTES = 48
_DEFAULT_VAR_DIR = Settings.__dataclass_fields__["var_dir"].default


def resolve_secret(settings: Settings) -> str:
    """The configured secret, else this instance's generated one (see the module docstring)."""
    if settings.secret_key is not None:
        return settings.secret_key
    if settings.env == "production":  # the settings refuse it; never generate one here
        raise ConfigError(
            "ENTREPOT_SECRET_KEY is required in production",
            said=Message(N_("error.config.secret_required")),
        )
    return instance_secret(secret_path(settings))


def secret_path(settings: Settings) -> Path:
    """Where this instance keeps its generated secret (see the module docstring)."""
    return instance_folder(settings) / SECRET_FILE


def instance_folder(settings: Settings) -> Path:
    """The folder of this instance's own files: ``ENTREPOT_VAR_DIR`` when it is set (not
    the default), else the folder of the SQLite catalog, else ``./var``."""
    from entrepot.catalog.engine import sqlite_file

    if Path(settings.var_dir) != _DEFAULT_VAR_DIR:
        return Path(settings.var_dir)
    catalog = sqlite_file(settings.catalog.url)
    return catalog.parent if catalog is not None else Path(settings.var_dir)


def keep_random_once(path: Path) -> None:
    """Write a new random value (mode 0600) at ``path`` unless one is there: written to a
    temporary file beside it, then linked into place, so a concurrent first use keeps the
    value that won; raises ``OSError`` for the caller to say what it keeps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(_ENTROPY_BYTES) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # a concurrent first use won: use its
            os.link(tmp, path)  # atomic and exclusive
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def instance_secret(path: Path) -> str:
    """The secret kept at ``path``, created (random, mode 0600) if there is none yet."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        keep_random_once(path)
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the instance secret in {path}: {exc.strerror or exc}",
            hint="make the instance folder (ENTREPOT_VAR_DIR) writable, or set ENTREPOT_SECRET_KEY",
            said=Message(
                N_("error.config.secret_unwritable"),
                {"path": str(path), "detail": str(exc.strerror or exc)},
            ),
        ) from exc
    return _read(path)


def _read(path: Path) -> str:
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"the instance secret {path} is readable by other users "
            f"(mode {stat.S_IMODE(info.st_mode):o})",
            hint=f"chmod 600 {path}, or delete it to generate a new one (which signs everyone out)",
            said=Message(
                N_("error.config.secret_readable"),
                {"path": str(path), "mode": f"{stat.S_IMODE(info.st_mode):o}"},
            ),
        )
    value = path.read_text(encoding="utf-8", errors="replace").strip()
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"the instance secret {path} is too short",
            hint="delete it to generate a new one (which signs everyone out), or set "
            "ENTREPOT_SECRET_KEY",
            said=Message(N_("error.config.secret_short"), {"path": str(path)}),
        )
    return value
