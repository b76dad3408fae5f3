"""The top folders the web service alone writes (``users/``: its accounts' datasets,
models and predictions, with rows and quotas beside them), matched as a case-insensitive,
width-folding file system or a careless eye would match them: ``USERS/``, `` users/``,
``ｕｓｅｒｓ/`` (full width), ``us\u200bers/`` (an invisible character) and ``users%2F``
are all ``users/``."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote

from entrepot.errors import AccessDenied
from entrepot.messages import N_, Message

#: The reserved top folders, as their canonical names.
RESERVED_FOLDERS = frozenset({"users"})


def _folded(name: str) -> str:
    """``name`` as a case- and width-insensitive folder would see it: NFKC, case-folded,
    without invisible characters and without the spaces and dots Windows drops."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return text.casefold().strip().rstrip(". ")


def reserved_folder(key: str) -> str | None:
    """The reserved top folder ``key`` falls in (or its percent-decoded form), else
    ``None``."""
    for text in {key, unquote(key)}:
        first = text.replace("\\", "/").lstrip("/").split("/", 1)[0]
        folded = _folded(first)
        if folded in RESERVED_FOLDERS:
            return folded
    return None


def refuse_reserved(keys: Iterable[str], command: str, *, force: bool) -> None:
    """Raise :class:`AccessDenied` for a key in a reserved folder unless ``force``: the web
    service keeps rows beside those objects, which a command writing or deleting behind its
    back would leave wrong."""
    if force:
        return
    for key in keys:
        folder = reserved_folder(key)
        if folder is not None:
            raise AccessDenied(
                f"`entrepot {command}` refuses keys under {folder}/ (in any case, width or "
                "spelling of it): that folder holds the web service's accounts, and its "
                "datasets, models and quotas would no longer match their files",
                key=key,
                hint="use another folder (files/, datasets/), the web service, or "
                "`entrepot users` to manage an account; add --force only if you know why",
                said=Message(
                    N_("error.services.reserved_folder"),
                    {"command": command, "folder": folder, "object": key},
                ),
            )
