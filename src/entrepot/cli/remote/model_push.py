"""``entrepot models push`` on a deployed service (ADR 0057): the push checked here as it
is locally (names, files, flavor: the registry's ``prepare``), the files sent as one ZIP
with each one's path, size and sha256 (hashed from the very bytes put in the archive), and
the version the service answers checked against them before it is printed."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from entrepot.cli.context import progress_console
from entrepot.cli.language import human_size, words
from entrepot.cli.push_inputs import PushInputs
from entrepot.cli.remote.client import Client
from entrepot.cli.remote.models import checked_manifest
from entrepot.cli.remote.target import Remote
from entrepot.errors import IntegrityError
from entrepot.messages import N_, Message

#: The route that receives a version's files.
PUSH_PATH = "/api/models/push"
_CHUNK = 1024 * 1024


def push(remote: Remote, paths: list[Path], name: str, given: PushInputs) -> Mapping[str, Any]:
    """Push ``paths`` as a new version of ``name`` in the account's models; the version's
    facts as ``models push`` prints them (name, version, flavor, signed, manifest sha256)."""
    from entrepot.registry.service import check_push  # the local command's checks

    request = check_push(paths, name, **given.options())
    described: dict[str, Any] = {"name": name, **given.options()}  # tuples as JSON lists
    with tempfile.TemporaryDirectory(prefix="entrepot-push-") as folder:
        archive = Path(folder) / f"{name}.zip"
        files = _archive(request.files, archive)
        described["files"] = files
        total = sum(f["size"] for f in files)
        t = words()
        said = t("cli.models.pushing", name=name, size=human_size(total))
        progress_console.print(said, markup=False, highlight=False)
        with Client(remote) as client:
            found = client.upload(PUSH_PATH, archive, {"push": json.dumps(described)})
    if not isinstance(found, Mapping) or not isinstance(found.get("manifest"), Mapping):
        raise IntegrityError(
            f"{remote.url} answered the push of {name} without its manifest",
            said=Message(N_("error.cli.push_no_manifest"), {"url": remote.url, "name": name}),
        )
    checked_manifest(found)
    stored = {
        (str(f["path"]), int(f["size"]), str(f["sha256"])) for f in found["manifest"]["files"]
    }
    if stored != {(f["path"], f["size"], f["sha256"]) for f in files}:
        raise IntegrityError(
            f"{found['name']}@{found['version']} as stored does not list the files sent",
            hint="run `entrepot models show` on it; the service's operator runs "
            "`entrepot models verify`",
            said=Message(
                N_("error.cli.push_files_differ"),
                {"model": f"{found['name']}@{found['version']}"},
            ),
        )
    return {
        "name": found["name"],
        "version": found["version"],
        "flavor": found["manifest"]["flavor"],
        "signed": bool(found["signed"]),
        "manifest_sha256": found["manifest_sha256"],
    }


def _archive(files: Mapping[str, Path], archive: Path) -> list[dict[str, Any]]:
    """Write ``files`` (path in the version -> local file) into the ZIP ``archive``; each
    one's path, size and sha256, hashed from the bytes written."""
    listed = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path, local in sorted(files.items()):
            digest, size = hashlib.sha256(), 0
            with local.open("rb") as source, zipped.open(path, "w", force_zip64=True) as sink:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    sink.write(chunk)
            listed.append({"path": path, "size": size, "sha256": digest.hexdigest()})
    return listed
