"""``entrepot models ls|show|pull`` on a deployed service: the account's models through
``/api/models``, printed as the local commands print them; a pulled file is checked
against the sha256 its manifest lists (and the manifest against the catalog's) before it
is renamed into place."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from rich.markup import escape

from entrepot.cli.context import console, progress_console
from entrepot.cli.language import human_size, words
from entrepot.cli.output import print_json
from entrepot.cli.remote.client import Client
from entrepot.cli.remote.staging import staged
from entrepot.cli.remote.target import Remote
from entrepot.cli.version_view import print_version
from entrepot.errors import IntegrityError
from entrepot.messages import N_, Message, Np_
from entrepot.registry.errors import ModelNotFound
from entrepot.registry.names import MANIFEST_PATH, parse_ref
from entrepot.storage.hashing import copy_counted

#: Versions whose manifests are read to find an alias (the API lists versions, not aliases).
ALIAS_SEARCH = 50
#: A ZIP of the files is at most this much larger than the files (headers, incompressible).
ZIP_MARGIN = 16 * 1024**2
_CHUNK = 1024**2


def _versions(client: Client) -> list[Mapping[str, Any]]:
    found = client.get_json("/api/models")
    return [v for v in found if isinstance(v, Mapping)] if isinstance(found, list) else []


def summaries(remote: Remote) -> list[dict[str, Any]]:
    """The account's models by name, as ``models ls`` lists them: how many ready versions,
    and the one pushed last (the highest id)."""
    with Client(remote) as client:
        versions = _versions(client)
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for v in versions:
        by_name.setdefault(str(v["name"]), []).append(v)
    rows = []
    for name in sorted(by_name):
        last = max(by_name[name], key=lambda v: int(v["id"]))
        rows.append(
            {
                "name": name,
                "versions": len(by_name[name]),
                "latest": str(last["version"]),
                "latest_at": datetime.fromisoformat(str(last["created_at"])),
            }
        )
    return rows


def resolve(client: Client, ref: str) -> Mapping[str, Any]:
    """The manifest document of the version ``ref`` names (NAME, NAME@VERSION, NAME@ALIAS)."""
    name, selector = parse_ref(ref)
    mine = sorted(
        (v for v in _versions(client) if v.get("name") == name),
        key=lambda v: int(v["id"]),
        reverse=True,
    )
    if not mine:
        raise ModelNotFound(
            f"no model named {name!r} has a ready version",
            said=Message(N_("error.cli.no_ready_version"), {"name": repr(name)}),
        )
    if selector is None or selector == "latest":
        return _manifest(client, int(mine[0]["id"]))
    for v in mine:
        if v.get("version") == selector:
            return _manifest(client, int(v["id"]))
    for v in mine[:ALIAS_SEARCH]:
        found = _manifest(client, int(v["id"]))
        if selector in found.get("aliases", ()):
            return found
    raise ModelNotFound(
        f"model {name!r} has no version or alias {selector!r} "
        f"({len(mine)} version(s), latest {mine[0]['version']})",
        said=Message(
            N_("error.cli.no_version_or_alias"),
            {
                "name": repr(name),
                "selector": repr(selector),
                "versions": len(mine),
                "latest": str(mine[0]["version"]),
            },
        ),
    )


def _manifest(client: Client, model_id: int) -> Mapping[str, Any]:
    found = client.get_json(f"/api/models/{model_id}/manifest")
    if not isinstance(found, Mapping) or not isinstance(found.get("manifest"), Mapping):
        raise IntegrityError(
            f"the service answered no manifest for model {model_id}",
            said=Message(N_("error.cli.no_manifest"), {"id": str(model_id)}),
        )
    return found


def checked_manifest(found: Mapping[str, Any]) -> bytes:
    """The manifest as the registry wrote it, checked against the sha256 the catalog keeps."""
    body = json.dumps(found["manifest"], sort_keys=True, indent=2, allow_nan=False)
    data = body.encode("utf-8") + b"\n"
    if hashlib.sha256(data).hexdigest() != found.get("manifest_sha256"):
        raise IntegrityError(
            f"the manifest of {found['name']}@{found['version']} does not match the sha256 "
            "its catalog keeps",
            hint="run `entrepot models verify` on the service's machine",
            said=Message(
                N_("error.cli.manifest_sha256_differs"),
                {"model": f"{found['name']}@{found['version']}"},
            ),
        )
    return data


def show(remote: Remote, ref: str, *, as_json: bool) -> None:
    """Print a version as ``models show`` does."""
    with Client(remote) as client:
        found = resolve(client, ref)
    checked_manifest(found)
    manifest = found["manifest"]
    if as_json:
        print_json(manifest)
        return
    print_version(
        name=str(found["name"]),
        version=str(found["version"]),
        created_at=datetime.fromisoformat(str(found["created_at"])),
        created_by=str(found["created_by"]),
        signed=bool(found["signed"]),
        manifest_sha256=found.get("manifest_sha256"),
        aliases=[str(a) for a in found.get("aliases", ())],
        manifest=manifest,
        files=manifest["files"],
    )


def pull(remote: Remote, ref: str, dest: Path) -> None:
    """Download a version's files into ``dest``, each checked against its sha256 before
    it is renamed into place; nothing is placed unless every file matches."""
    created = not dest.exists()
    try:
        with Client(remote) as client:
            found = resolve(client, ref)
            manifest_body = checked_manifest(found)
            files = found["manifest"]["files"]
            total = sum(int(f["size"]) for f in files)
            dest.mkdir(parents=True, exist_ok=True)
            with staged(dest, ".zip") as (archive, handle):
                t = words()
                said = t("cli.models.pulling", ref=ref, size=human_size(total))
                progress_console.print(said, markup=False, highlight=False)
                client.download(
                    f"/api/models/{found['id']}/download", handle, 2 * total + ZIP_MARGIN
                )
                handle.flush()  # read back by name below
                _place(archive, f"{found['name']}-{found['version']}/", files, dest, manifest_body)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                dest.rmdir()  # only if still empty
        raise
    print_pulled(f"{found['name']}@{found['version']}", dest, len(files), total)


def print_pulled(ref: str, dest: Path, files: int, size: int) -> None:
    """``pulled NAME@VERSION into DEST: 3 files, 1.2 MiB, all verified``, here or remote."""
    t = words()
    shown = f"[bold]{escape(ref)}[/]"
    said = t.plural(Np_("cli.models.pulled"), files, ref=shown, dest=escape(str(dest)))
    console.print(said + t("cli.models.pulled_size", size=human_size(size)))


def _place(
    archive: Path,
    prefix: str,
    files: Sequence[Mapping[str, Any]],
    dest: Path,
    manifest_body: bytes,
) -> None:
    """Stage every listed file from ``archive`` beside its place, checked; then rename all."""
    ready: list[tuple[Path, Path]] = []
    try:
        with zipfile.ZipFile(archive) as zipped:
            names = set(zipped.namelist())
            for entry in files:
                path, size, sha256 = str(entry["path"]), int(entry["size"]), str(entry["sha256"])
                target = _inside(dest, path)
                if prefix + path not in names:
                    raise IntegrityError(
                        f"the download of {prefix.rstrip('/')} lacks {path!r}",
                        said=Message(
                            N_("error.cli.download_lacks"),
                            {"folder": prefix.rstrip("/"), "path": repr(path)},
                        ),
                    )
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(prefix + path) as source:
                    ready.append((_checked(source, target, size, sha256, path), target))
        manifest_target = dest / MANIFEST_PATH
        with staged(dest, keep=True) as (part, handle):
            handle.write(manifest_body)
        ready.append((part, manifest_target))
        for part, target in ready:
            os.replace(part, target)
    except BaseException:
        for part, _ in ready:
            with contextlib.suppress(OSError):
                part.unlink()
        raise


def _checked(source: IO[bytes], target: Path, size: int, sha256: str, path: str) -> Path:
    """``source`` copied to a temporary file beside ``target``, hashed as it goes: the file
    when its size and sha256 are the manifest's, an :class:`IntegrityError` otherwise."""
    with staged(target.parent, keep=True) as (part, handle):
        written, found = copy_counted(iter(lambda: source.read(_CHUNK), b""), handle, size)
    if written != size or found != sha256:
        part.unlink(missing_ok=True)
        raise IntegrityError(
            f"{path!r} as downloaded does not match its manifest (sha256 {sha256}, "
            f"{size} bytes); nothing was placed",
            hint="pull it again; if it persists, run `entrepot models verify` on the service",
            said=Message(
                N_("error.cli.file_differs_from_manifest"),
                {"path": repr(path), "sha256": sha256, "size": str(size)},
            ),
        )
    return part


def _inside(dest: Path, path: str) -> Path:
    """Where ``path`` (a manifest's relative path) goes in ``dest``; a path that would leave
    it (``..``, absolute, a link out) is an :class:`IntegrityError`."""
    parts = path.split("/")
    if not path or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
        raise IntegrityError(
            f"the manifest lists an unsafe file path {path!r}",
            said=Message(N_("error.cli.manifest_unsafe_path"), {"path": repr(path)}),
        )
    target = dest.joinpath(*parts)
    if not target.parent.resolve().is_relative_to(dest.resolve()):
        raise IntegrityError(
            f"{path!r} would be written outside {dest}",
            said=Message(N_("error.cli.path_outside"), {"path": repr(path), "dest": str(dest)}),
        )
    return target
