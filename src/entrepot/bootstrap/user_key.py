"""The user's own folder-signing key (ADR 0082): what signs a model folder that
``entrepot fraud`` writes where no instance is configured, and verifies it afterwards.

Kept in the user's data folder, ``$XDG_DATA_HOME/entrepot/folder-signing.key`` (else
``~/.local/share/entrepot/...``), mode 0600, created once (exclusively, so two commands
started together agree on one). It signs only folders (``fraud.model.trust``), never a
registry version: an instance's key ring stays the only one that signs its registry.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from entrepot.bootstrap.secret import keep_random_once
from entrepot.errors import ConfigError
from entrepot.messages import N_, Message

KEY_FILE = "folder-signing.key"
_MIN_LENGTH = 32


def user_key_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's folder-signing key lives (see the module docstring)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "entrepot" / KEY_FILE


def user_key(path: Path) -> str:
    """The key kept at ``path``, created (random, mode 0600) when there is none yet."""
    with contextlib.suppress(FileNotFoundError):
        return _read(path)
    try:
        keep_random_once(path)
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the folder-signing key in {path}: {exc.strerror or exc}",
            hint="make that folder writable, or set XDG_DATA_HOME to a writable folder",
            said=Message(
                N_("error.config.user_key_unwritable"),
                {"path": str(path), "detail": str(exc.strerror or exc)},
            ),
        ) from exc
    return _read(path)


def _read(path: Path) -> str:
    info = path.stat()
    value = path.read_text(encoding="utf-8", errors="replace").strip()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or len(value) < _MIN_LENGTH:
        raise ConfigError(
            f"the folder-signing key {path} is readable by other users or damaged",
            hint=f"delete {path}: a new key is made, and the folders it signed must be "
            "trained again",
            said=Message(N_("error.config.user_key_unsafe"), {"path": str(path)}),
        )
    return value
