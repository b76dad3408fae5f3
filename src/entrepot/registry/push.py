"""Push: claim a version, write its files, the manifest last, then make it ready.

1. Every input is checked first (names, paths, metrics, JSON), so bad input stores nothing.
2. A ``pending`` row claims the version in its own commit. The catalog's unique key settles
   races: a default version ``vYYYYMMDD_HHMMSS`` that is taken becomes ``..._2``, ``..._3``.
3. Files go to write-once keys, then ``manifest.json``, the commit marker.
4. One unit of work records every object, the file rows and the signature, and turns the
   version ``ready``. Readers never see anything before that commit.

On an error the objects written are deleted again and the row is marked ``failed``; a crash
leaves a ``pending`` row no reader sees and objects no row references, which ``entrepot gc``
removes after its grace period.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import BinaryIO, cast

from entrepot.catalog.models.records import ModelState, ModelVersionRecord
from entrepot.catalog.objects.records import ObjectRecord
from entrepot.catalog.uow import UnitOfWork
from entrepot.errors import IntegrityError, ObjectExists, RecordExists
from entrepot.messages import N_, Message
from entrepot.registry.errors import VersionExists
from entrepot.registry.flavors import framework_versions
from entrepot.registry.manifest import FileEntry, Manifest
from entrepot.registry.names import timestamp_version
from entrepot.registry.parts import Context
from entrepot.registry.request import PushRequest
from entrepot.services.write_protocol import Written, record_written
from entrepot.storage.protocols import Store
from entrepot.storage.types import ObjectInfo

#: How many default versions are tried within one second before giving up.
MAX_ATTEMPTS = 100
#: ``on_progress(done_bytes, total_bytes)`` while files are read and stored.
Progress = Callable[[int, int], None]
#: ``admit(uow, claimed)``: a last check (or record) in the transaction that makes the
#: claimed version ready (a plan's model quota under its row lock, an operator's vouching in
#: the audit log); raising refuses the version, whose files are removed.
Admit = Callable[[UnitOfWork, ModelVersionRecord], None]


def push(
    ctx: Context,
    request: PushRequest,
    on_progress: Progress | None = None,
    admit: Admit | None = None,
) -> ModelVersionRecord:
    """Store ``request`` as a new ready version (see the module docstring); ``admit`` is
    called in the transaction that makes it ready, and may refuse it."""
    claimed = _claim(ctx, request)
    target = ctx.space.view(ctx.store)
    written: list[str] = []
    try:
        entries = _write_files(ctx, target, claimed, request, written, on_progress)
        manifest = Manifest(
            name=request.name,
            version=claimed.version,
            files=entries,
            flavor=request.flavor,
            created_at=claimed.created_at.isoformat(),
            created_by=ctx.actor,
            model_file=request.model_file,
            framework=framework_versions(request.flavor),
            input_schema=request.input_schema,
            metrics=request.metrics,
            params=request.params,
            tags=request.tags,
            metadata=request.metadata,
            lineage=request.lineage,
        )
        body = manifest.to_json()
        manifest_key = ctx.space.manifest_key(request.name, claimed.version)
        info = _put_claimed(ctx, target, manifest_key, body, lambda _: None)
        written.append(manifest_key)
        digest = hashlib.sha256(body).hexdigest()
        if info.sha256 != digest:
            raise IntegrityError(
                f"the store recorded sha256 {info.sha256} for a manifest hashing to {digest}",
                key=manifest_key,
                store=target.url,
                said=Message(
                    N_("error.registry.manifest_sha256_differs"),
                    {"recorded": info.sha256, "sha256": digest},
                ),
            )
        signature = ctx.keys.ring().sign(digest) if request.sign else None
        return _complete(ctx, claimed, entries, (manifest_key, digest, len(body)), signature, admit)
    except BaseException as exc:
        _abandon(ctx, target, claimed, written, exc)
        raise


def _claim(ctx: Context, request: PushRequest) -> ModelVersionRecord:
    ns, name = ctx.space.id, request.name
    created = ctx.clock()
    attempts = MAX_ATTEMPTS if request.version is None else 1
    for attempt in range(attempts):
        version = request.version or timestamp_version(created, attempt)
        with ctx.uow_factory() as uow:
            if any(a.alias == version for a in uow.models.aliases(ns, name)):
                raise VersionExists(
                    f"{version!r} is an alias of {ctx.label(name)}; it cannot also be a version",
                    hint="push under another version",
                    said=Message(
                        N_("error.registry.version_is_alias"),
                        {"version": version, "model": ctx.label(name)},
                    ),
                )
            try:
                record = uow.models.claim(
                    namespace=ns,
                    name=name,
                    version=version,
                    flavor=request.flavor,
                    created_at=created,
                    created_by=ctx.actor,
                    metrics=request.metrics,
                    params=request.params,
                    tags=request.tags,
                    lineage=request.lineage,
                    input_schema=[(c.name, c.dtype) for c in request.input_schema],
                )
            except RecordExists:
                if request.version is None:
                    continue
                raise _taken(ctx, name, version) from None
            uow.commit()
            return record
    raise VersionExists(
        f"{MAX_ATTEMPTS} versions of {ctx.label(name)} were pushed within the second "
        f"{timestamp_version(created)}",
        hint="try again in a second, or pass --version",
        said=Message(
            N_("error.registry.too_many_pushes"),
            {
                "attempts": MAX_ATTEMPTS,
                "model": ctx.label(name),
                "second": timestamp_version(created),
            },
        ),
    )


def _taken(ctx: Context, name: str, version: str) -> VersionExists:
    with ctx.uow_factory() as uow:
        other = uow.models.find(ctx.space.id, name, version, any_state=True)
    if other is not None and other.state is ModelState.PENDING:
        return VersionExists(
            f"version {ctx.label(name, version)} is being pushed by {other.created_by} since "
            f"{other.created_at:%Y-%m-%d %H:%M:%S} UTC",
            hint="wait for it; if that push crashed, remove it with "
            f"`entrepot models rm {name}@{version}`",
            said=Message(
                N_("error.registry.version_being_pushed"),
                {
                    "model": ctx.label(name, version),
                    "author": other.created_by,
                    "since": f"{other.created_at:%Y-%m-%d %H:%M:%S}",
                    "ref": f"{name}@{version}",
                },
            ),
        )
    return VersionExists(
        f"version {ctx.label(name, version)} already exists",
        said=Message(N_("error.registry.version_taken"), {"model": ctx.label(name, version)}),
    )


def _write_files(
    ctx: Context,
    target: Store,
    claimed: ModelVersionRecord,
    request: PushRequest,
    written: list[str],
    on_progress: Progress | None,
) -> tuple[FileEntry, ...]:
    sizes = {path: local.stat().st_size for path, local in request.files.items()}
    total, base = sum(sizes.values()), 0
    entries = []
    for path, local in sorted(request.files.items()):
        key = ctx.space.key(request.name, claimed.version, path)

        def report(position: int, base: int = base) -> None:
            if on_progress is not None:
                on_progress(min(base + position, total), total)

        with open(local, "rb") as raw:
            info = _put_claimed(ctx, target, key, cast(BinaryIO, _Reading(raw, report)), report)
        written.append(key)
        if info.sha256 is None:
            raise IntegrityError(
                "the store recorded no sha256",
                key=key,
                store=target.url,
                said=Message(N_("error.registry.no_sha256_recorded")),
            )
        entries.append(FileEntry(path, info.size, info.sha256))
        base += sizes[path]
    return tuple(entries)


def _put_claimed(
    ctx: Context, target: Store, key: str, data: bytes | BinaryIO, report: Callable[[int], None]
) -> ObjectInfo:
    """Write-once put under the claimed version's folder. An object already there that no
    catalog row records is a leftover of a failed push of this same version (the claim is
    ours alone now): it is removed and the put retried once."""
    try:
        return target.put(key, data, if_absent=True)
    except ObjectExists:
        with ctx.uow_factory() as uow:
            recorded = uow.objects.find(ctx.space.full(key)) is not None
        if recorded:
            raise
        target.delete(key, missing_ok=True)
        if not isinstance(data, bytes):
            data.seek(0)
            report(0)
        return target.put(key, data, if_absent=True)


def _complete(
    ctx: Context,
    claimed: ModelVersionRecord,
    entries: tuple[FileEntry, ...],
    manifest: tuple[str, str, int],
    signature: str | None,
    admit: Admit | None,
) -> ModelVersionRecord:
    manifest_key, digest, size = manifest
    owner = ctx.space.owner
    written = [
        Written(
            ctx.space.full(ctx.space.key(claimed.name, claimed.version, entry.path)),
            entry.sha256,
            entry.size,
            "model-file",
            owner,
        )
        for entry in entries
    ]
    written.append(Written(ctx.space.full(manifest_key), digest, size, "manifest", owner))
    paths = [entry.path for entry in entries]

    def version_row(uow: UnitOfWork, objects: tuple[ObjectRecord, ...]) -> ModelVersionRecord:
        if admit is not None:
            admit(uow, claimed)
        *files, manifest = objects
        return uow.models.complete(
            claimed.id,
            manifest=manifest,
            signature=signature,
            files=list(zip(paths, files, strict=True)),
        )

    # on a refusal the push's own clean-up (``_abandon``) removes what it wrote
    return record_written(ctx.uow_factory, written, version_row)


def _abandon(
    ctx: Context, target: Store, claimed: ModelVersionRecord, written: list[str], exc: BaseException
) -> None:
    """After a failed push: unless the version did become ready (a commit that reported an
    error but landed), delete what was written and mark the row ``failed``. Whatever this
    cannot do is left for ``entrepot gc``; the original error is what the caller sees."""
    with contextlib.suppress(Exception):
        with ctx.uow_factory() as uow:
            now = uow.models.find(ctx.space.id, claimed.name, claimed.version, any_state=True)
        if now is None or now.id != claimed.id or now.state is ModelState.READY:
            return
        with contextlib.suppress(Exception):
            target.delete_many(written)
        with ctx.uow_factory() as uow:
            reason = f"{type(exc).__name__}: {exc}".strip()
            uow.models.fail(claimed.id, reason)
            uow.commit()


class _Reading:
    """A binary file that reports its position as it is read (rewinds included: a store
    that hashes a file before sending it reads it twice)."""

    def __init__(self, raw: BinaryIO, report: Callable[[int], None]) -> None:
        self._raw = raw
        self._report = report

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self._report(self._raw.tell())
        return chunk

    def readinto(self, buffer: bytearray | memoryview) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        self._report(self._raw.tell())
        return int(count)

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._raw.seek(offset, whence)
        self._report(position)
        return position

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return self._raw.seekable()
