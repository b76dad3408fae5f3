"""Pull: every file of a version verified, then handed over as local files.

Without a destination, the files are the cache's own verified entries (read them, never
modify them; they stay until evicted). With a destination folder, every file is first
verified (filling the cache), and only then placed: as a **read-only hard link** to the
cache entry when the folder is on the same file system (no copy, and read-only so that
editing it cannot corrupt the shared entry), as a copy otherwise. A failed pull leaves the
destination as it was. An existing file in the destination is always replaced, never
trusted because it is there.

The manifest is fetched and checked on a thread beside the files (each file is verified
against the catalog's sha256 on its own, so neither waits for the other); nothing is placed
before both are verified, and a manifest that fails is the error reported.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from entrepot.background import on_a_thread
from entrepot.catalog.models.records import ModelVersionRecord
from entrepot.errors import InvalidKey, StorageError
from entrepot.messages import N_, Message
from entrepot.registry.errors import ModelNotFound, RegistryError, VerificationFailed
from entrepot.registry.fetch import Part, cached, download, read_manifest
from entrepot.registry.manifest import Manifest
from entrepot.registry.names import MANIFEST_PATH
from entrepot.registry.parts import Context
from entrepot.registry.resolve import Resolved
from entrepot.storage.keys import validate_key

#: ``on_progress(done_bytes, total_bytes)``, called after each verified file.
Progress = Callable[[int, int], None]
#: The version's verified manifest and its bytes, being read on a thread beside the files.
ManifestRead = Future[tuple[Manifest, bytes]]


@dataclass(frozen=True)
class PulledModel:
    """A pulled version: its catalog row, its manifest and its verified local files."""

    version: ModelVersionRecord
    manifest: Manifest
    #: Path in the version (``manifest.json`` included) -> local file.
    files: Mapping[str, Path]
    #: The destination folder, or ``None`` when the files are the cache's entries.
    folder: Path | None


def pull(
    ctx: Context, resolved: Resolved, dest: Path | None, on_progress: Progress | None = None
) -> PulledModel:
    """Verify every file of ``resolved`` and return them locally (see the module docstring)."""
    manifest = on_a_thread(lambda: read_manifest(ctx, resolved), name="manifest")
    try:
        if dest is None:
            return _from_cache(ctx, resolved, manifest, on_progress)
        created = not dest.exists()
        try:
            return _into_folder(ctx, resolved, manifest, dest, on_progress)
        except BaseException:
            if created:
                with contextlib.suppress(OSError):
                    dest.rmdir()  # only if still empty
            raise
    except BaseException as exc:
        failure = manifest.exception()  # waits for the read
        if failure is not None and failure is not exc:
            # The root of the chain says more than its files; the files' error stays its
            # context, not its cause.
            raise failure  # noqa: B904
        raise


def _from_cache(
    ctx: Context, resolved: Resolved, read: ManifestRead, on_progress: Progress | None
) -> PulledModel:
    record = resolved.version
    label = ctx.label(record.name, record.version)
    files: dict[str, Path] = {}
    total, done = sum(f.size for f in resolved.files), 0
    for entry in resolved.files:
        what = Part(label, entry.path)
        path = cached(ctx, entry.key, entry.sha256, what)
        if path is None:
            raise StorageError(
                f"{what} is larger than the cache and cannot be served from it",
                key=entry.key,
                hint="pull it into a folder: `entrepot models pull NAME@VERSION DEST`",
                said=Message(
                    N_("error.registry.larger_than_cache"), {"model": label, "file": entry.path}
                ),
            )
        files[entry.path] = path
        done += entry.size
        if on_progress is not None:
            on_progress(done, total)
    manifest, _ = read.result()
    manifest_path = cached(
        ctx, record.manifest_key or "", record.manifest_sha256 or "", Part(label)
    )
    if manifest_path is not None:
        files[MANIFEST_PATH] = manifest_path
    return PulledModel(record, manifest, files, None)


def pull_file(ctx: Context, resolved: Resolved, path: str) -> Path:
    """One file of ``resolved``, verified against the catalog's sha256: the cache's own
    entry (read it, never modify it). ``path`` is matched against the version's files,
    never used as a key; an unknown path raises :class:`ModelNotFound` listing them."""
    record = resolved.version
    label = ctx.label(record.name, record.version)
    entry = next((f for f in resolved.files if f.path == path), None)
    if entry is None:
        listed = ", ".join(f.path for f in resolved.files)
        raise ModelNotFound(
            f"{label} has no file {path!r} (files: {listed})",
            said=Message(
                N_("error.registry.no_such_file"), {"model": label, "file": path, "files": listed}
            ),
        )
    what = Part(label, entry.path)
    found = cached(ctx, entry.key, entry.sha256, what)
    if found is None:
        raise StorageError(
            f"{what} is larger than the cache and cannot be served from it",
            key=entry.key,
            hint="pull it into a folder: `entrepot models pull NAME@VERSION DEST`",
            said=Message(
                N_("error.registry.larger_than_cache"), {"model": label, "file": entry.path}
            ),
        )
    return found


def _into_folder(
    ctx: Context,
    resolved: Resolved,
    read: ManifestRead,
    dest: Path,
    on_progress: Progress | None,
) -> PulledModel:
    record = resolved.version
    label = ctx.label(record.name, record.version)
    total, done = sum(f.size for f in resolved.files), 0
    targets = {entry.path: _inside(dest, entry.path) for entry in resolved.files}
    with _staging(dest) as staging:
        shared: dict[str, Path] = {}  # cache entries: linked or copied
        owned: dict[str, Path] = {}  # staged downloads: moved
        for number, entry in enumerate(resolved.files):
            what = Part(label, entry.path)
            entry_file = cached(ctx, entry.key, entry.sha256, what)
            if entry_file is not None:
                shared[entry.path] = entry_file
            else:
                staged = staging / f"{number}.part"
                owned[entry.path] = download(ctx, entry.key, entry.sha256, entry.size, staged, what)
            done += entry.size
            if on_progress is not None:
                on_progress(done, total)
        manifest, body = read.result()
        owned[MANIFEST_PATH] = staging / "manifest.json"
        owned[MANIFEST_PATH].write_bytes(body)
        targets[MANIFEST_PATH] = dest / MANIFEST_PATH
        for relative, source in shared.items():
            _place(source, targets[relative], link=True)
        for relative, source in owned.items():
            _place(source, targets[relative], link=False)
    return PulledModel(record, manifest, targets, dest)


@contextlib.contextmanager
def _staging(dest: Path) -> Iterator[Path]:
    try:
        dest.mkdir(parents=True, exist_ok=True)
        folder = tempfile.TemporaryDirectory(prefix=".entrepot-pull-", dir=dest)
    except OSError as exc:
        raise RegistryError(
            f"cannot write into the folder {dest}: {exc.strerror or exc}",
            hint="pull into a folder you can write to",
            said=Message(
                N_("error.registry.folder_not_writable"),
                {"folder": str(dest), "detail": exc.strerror or str(exc)},
            ),
        ) from None
    with folder as path:
        yield Path(path)


def _inside(dest: Path, path: str) -> Path:
    try:
        validate_key(path)
    except InvalidKey:
        raise VerificationFailed(
            f"the catalog lists an unsafe file path {path!r}",
            said=Message(N_("error.registry.unsafe_catalog_path"), {"path": path[:200]}),
        ) from None
    target = dest.joinpath(*path.split("/"))
    if not target.parent.resolve().is_relative_to(dest.resolve()):
        # A folder of the destination is a link out of it: placing the file would write
        # wherever the link points. (A link at the file's own name is replaced, not followed.)
        raise RegistryError(
            f"{path!r} would be written outside {dest}: {target.parent} is a link to "
            f"{target.parent.resolve()}",
            hint="remove the link, or pull into a fresh folder",
            said=Message(
                N_("error.registry.pull_through_link"),
                {
                    "path": path,
                    "folder": str(dest),
                    "link": str(target.parent),
                    "target": str(target.parent.resolve()),
                },
            ),
        )
    return target


def _place(source: Path, target: Path, *, link: bool) -> None:
    """Put ``source`` at ``target`` atomically: moved (``link=False``, a staged file of
    ours), or as a read-only hard link to a shared cache entry, or a copy of it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            if link:
                _link_read_only(source, tmp)
            else:
                os.replace(source, tmp)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise RegistryError(
            f"cannot write {target}: {exc.strerror or exc}",
            hint="pull into a folder you can write to, where no folder has a file's name",
            said=Message(
                N_("error.registry.file_not_writable"),
                {"file": str(target), "detail": exc.strerror or str(exc)},
            ),
        ) from None


def _link_read_only(source: Path, tmp: Path) -> None:
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)  # another file system: a private copy
        return
    try:
        os.chmod(tmp, stat.S_IMODE(os.stat(tmp).st_mode) & ~0o222)
    except OSError:
        tmp.unlink()  # the shared entry cannot be protected: never hand out a writable link
        shutil.copyfile(source, tmp)
