"""A model folder on disk (``fraud train --out``, ``score --save-ensemble``) under the
registry's rule: a pickle is unpickled only when this installation signed it.

The folder's ``signature.json`` lists its pickle files with their sha256 and carries the
key ring's signature (:class:`~entrepot.registry.keyring.KeyRing`, the one that signs
registry versions) over the hash of that list. :func:`sign_folder` writes it where the
product wrote the folder; :func:`load_pickle` checks the file's hash, the list's
signature, then opens the file through the registry's
:func:`~entrepot.registry.safe_loaders.load_file`, which refuses an unsigned pickle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from entrepot.registry.errors import UnsafeModelFormat
from entrepot.registry.keyring import KeyRing
from entrepot.registry.safe_loaders import load_file
from entrepot.storage.hashing import sha256_stream

SIGNATURE_FILE = "signature.json"
_HINT = (
    "push the folder into the registry, which signs it (`entrepot models push DIR --name "
    "NAME`, you vouch for its files), then score with --model NAME; or train it again under "
    "`entrepot fraud train --out`, which signs the folders it writes"
)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_stream(handle)


def _digest(files: dict[str, str]) -> str:
    body = json.dumps(files, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(body).hexdigest()


def sign_folder(folder: Path, files: Sequence[str], ring: KeyRing) -> Path:
    """Write ``folder/signature.json`` for ``files`` (paths inside ``folder``)."""
    listed = {name: _sha256(folder / name) for name in files}
    path = folder / SIGNATURE_FILE
    content = {"files": listed, "signature": ring.sign(_digest(listed))}
    path.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def signed(folder: Path, name: str, ring: KeyRing | None) -> bool:
    """Whether ``folder/name`` is listed, unchanged, in a signature ``ring`` verifies."""
    path = folder / SIGNATURE_FILE
    if ring is None or not path.is_file():
        return False
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        listed = {str(k): str(v) for k, v in dict(content["files"]).items()}
        signature = str(content["signature"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    if listed.get(name) != _sha256(folder / name):
        return False
    return ring.check(_digest(listed), signature).valid


def load_pickle(folder: Path, name: str, ring: KeyRing | None) -> Any:
    """The object in ``folder/name``, unpickled only when :func:`signed` says so."""
    path = folder / name
    trusted = signed(folder, name, ring)
    try:
        return load_file("joblib", path, signed=trusted, name=str(path))
    except UnsafeModelFormat:
        why = (
            "this command has no installation key to check it (run as `entrepot fraud`)"
            if ring is None
            else "no key of this installation signed it"
        )
        raise UnsafeModelFormat(
            f"{path} is a pickle and {why}: refusing to unpickle it (that would run its code)",
            hint=_HINT,
        ) from None
