"""A model folder on disk (``fraud train --out``, ``score --save-ensemble``, a reference of
a library folder) under the registry's rule: a pickle is unpickled only when this
installation signed it.

The folder's ``signature.json`` lists its pickle files with their sha256 and carries the
key ring's signature (:class:`~entrepot.registry.keyring.KeyRing`, the one that signs
registry versions) over the hash of that list. :func:`sign_folder` writes it where the
product wrote the folder. :func:`load_pickle` reads the file **once** (at most
:data:`MAX_PICKLE` bytes), checks those bytes' hash and the list's signature, and unpickles
those same bytes: a file swapped between the check and the load is never opened.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from entrepot.messages import N_, Message, Size
from entrepot.registry.errors import UnsafeModelFormat
from entrepot.registry.keyring import KeyRing
from entrepot.registry.safe_loaders import load_pickle_bytes
from entrepot.sizes import human_size
from entrepot.storage.hashing import sha256_file

SIGNATURE_FILE = "signature.json"
#: The largest pickle read from a folder (read whole, then checked, then unpickled).
MAX_PICKLE = 2 * 1024**3
_HINT = (
    "neither this installation nor your own folder-signing key signed it: it was written "
    "elsewhere or changed since. If you trust its files, push it into the registry "
    "(`entrepot models push DIR --name NAME`, you vouch for them), then score with --model NAME"
)


def _digest(files: dict[str, str]) -> str:
    body = json.dumps(files, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(body).hexdigest()


def sign_folder(folder: Path, files: Sequence[str], ring: KeyRing) -> Path:
    """Write ``folder/signature.json`` for ``files`` (paths inside ``folder``)."""
    listed = {name: sha256_file(folder / name) for name in files}
    path = folder / SIGNATURE_FILE
    content = {"files": listed, "signature": ring.sign(_digest(listed))}
    path.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def signed(folder: Path, name: str, ring: KeyRing | None) -> bool:
    """Whether ``folder/name`` is listed, unchanged, in a signature ``ring`` verifies."""
    return _signed_bytes(folder, name, _read(folder / name), ring)


def _signed_bytes(folder: Path, name: str, data: bytes, ring: KeyRing | None) -> bool:
    """Whether ``data`` (the bytes of ``folder/name``) are listed in a signature ``ring``
    verifies."""
    path = folder / SIGNATURE_FILE
    if ring is None or not path.is_file():
        return False
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        listed = {str(k): str(v) for k, v in dict(content["files"]).items()}
        signature = str(content["signature"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    if listed.get(name) != hashlib.sha256(data).hexdigest():
        return False
    return ring.check(_digest(listed), signature).valid


def _read(path: Path, limit: int = MAX_PICKLE) -> bytes:
    """The bytes of ``path``, read once; refuses a file over ``limit`` before reading it."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise UnsafeModelFormat(
                f"{path} holds {human_size(size)}, over the {human_size(limit)} a model file "
                "may have: not read",
                hint="check the folder holds the model you meant; a model this large belongs "
                "in the registry (`entrepot models push`)",
                said=Message(
                    N_("error.model_file.too_large"),
                    {"path": str(path), "size": Size(size), "limit": Size(limit)},
                ),
            )
        data = handle.read(size + 1)  # the file's size: no buffer of the limit's
        if len(data) > size:  # it grows while it is read: the rest, up to the limit
            data += handle.read(limit + 1 - len(data))
    if len(data) > limit:  # grew while it was read
        raise UnsafeModelFormat(
            f"{path} grew past {human_size(limit)} while it was read",
            said=Message(N_("error.model_file.grew"), {"path": str(path), "limit": Size(limit)}),
        )
    return data


def load_pickle(
    folder: Path,
    name: str,
    ring: KeyRing | None,
    *,
    hint: str | None = None,
    limit: int = MAX_PICKLE,
) -> Any:
    """The object in ``folder/name``, unpickled from the very bytes that were checked, only
    when a signature of ``ring`` lists them (``hint``: the fix a refusal names; by default,
    push the folder)."""
    path = folder / name
    data = _read(path, limit)
    trusted = _signed_bytes(folder, name, data, ring)
    try:
        return load_pickle_bytes(data, signed=trusted, name=str(path))
    except UnsafeModelFormat:
        why = (
            "this command has no installation key to check it (run as `entrepot fraud`)"
            if ring is None
            else "no key of this installation signed it"
        )
        raise UnsafeModelFormat(
            f"{path} is a pickle and {why}: refusing to unpickle it (that would run its code)",
            hint=hint or _HINT,
            said=Message(N_("error.model_file.unsigned_pickle"), {"path": str(path)}),
        ) from None
