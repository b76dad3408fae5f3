"""Verified local files for a version: through the cache, checked against the catalog.

Every file is asked of the cache pinned to the sha256 the **catalog** recorded, so a fill
that does not hash to it fails, whatever the store says. The manifest is rehashed on every
read (it is small, and it is the root of the chain), then compared with the catalog's file
list. An object the cache cannot hold (larger than its bound) is streamed from the store
instead, hashed on the way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from entrepot.errors import IntegrityError, ObjectNotFound, StorageError
from entrepot.messages import N_, Message, Param
from entrepot.registry.errors import VerificationFailed
from entrepot.registry.manifest import Manifest
from entrepot.registry.parts import Context
from entrepot.registry.resolve import Resolved


@dataclass(frozen=True)
class Part:
    """What a read concerns: the file ``path`` of the version ``model`` (its label), or
    the version's manifest (``path`` is ``None``). Written in English by ``str``; a
    refusal's message names it by its values, in the reader's language."""

    model: str
    path: str | None = None

    def __str__(self) -> str:
        return (
            f"file {self.path!r} of {self.model}" if self.path else f"the manifest of {self.model}"
        )

    def said(self, of_file: str, of_manifest: str, values: dict[str, Param]) -> Message:
        """The message ``of_file`` (a file) or ``of_manifest``, with ``values``."""
        if self.path is None:
            return Message(of_manifest, {"model": self.model, **values})
        return Message(of_file, {"model": self.model, "file": self.path, **values})


def cached(ctx: Context, key: str, sha256: str, what: Part) -> Path | None:
    """The verified cache file for ``key``, or ``None`` if the cache cannot hold it."""
    try:
        return ctx.materializer.path(key, sha256=sha256)
    except IntegrityError as exc:
        raise VerificationFailed(
            f"{what} does not match the sha256 the catalog recorded ({sha256}): {exc.message}",
            key=key,
            said=what.said(
                N_("error.registry.sha256_mismatch"),
                N_("error.registry.manifest_sha256_mismatch"),
                {"sha256": sha256, "detail": exc.message},
            ),
        ) from None
    except ObjectNotFound:
        raise VerificationFailed(
            f"{what} is missing from the store",
            key=key,
            said=what.said(
                N_("error.registry.missing_from_store"),
                N_("error.registry.manifest_missing_from_store"),
                {},
            ),
        ) from None
    except StorageError as exc:
        if type(exc) is StorageError:  # too large for the cache, or nothing to key it by
            return None
        raise


def download(ctx: Context, key: str, sha256: str, size: int | None, dest: Path, what: Part) -> Path:
    """Stream ``key`` from the store to ``dest``, which appears only if the bytes match the
    catalog's ``sha256`` (and ``size``, when given)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest, written = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in ctx.store.iter_bytes(key):
                digest.update(chunk)
                written += len(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256 or (size is not None and written != size):
            raise VerificationFailed(
                f"{what} does not match the catalog: read {written} bytes with sha256 "
                f"{digest.hexdigest()}, recorded {size} bytes with sha256 {sha256}",
                key=key,
                said=what.said(
                    N_("error.registry.download_mismatch"),
                    N_("error.registry.manifest_download_mismatch"),
                    {
                        "read": written,
                        "read_sha256": digest.hexdigest(),
                        "size": size,
                        "sha256": sha256,
                    },
                ),
            )
        os.replace(tmp, dest)
    except IntegrityError as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, VerificationFailed):
            raise
        raise VerificationFailed(
            f"{what} is corrupted: {exc.message}",
            key=key,
            said=what.said(
                N_("error.registry.corrupted"),
                N_("error.registry.manifest_corrupted"),
                {"detail": exc.message},
            ),
        ) from None
    except ObjectNotFound:
        Path(tmp).unlink(missing_ok=True)
        raise VerificationFailed(
            f"{what} is missing from the store",
            key=key,
            said=what.said(
                N_("error.registry.missing_from_store"),
                N_("error.registry.manifest_missing_from_store"),
                {},
            ),
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def read_manifest(ctx: Context, resolved: Resolved) -> tuple[Manifest, bytes]:
    """The version's manifest, its bytes hashed against the catalog and its file list
    compared with the catalog's; raises :class:`VerificationFailed` otherwise."""
    record = resolved.version
    what = Part(ctx.label(record.name, record.version))
    if record.manifest_key is None or record.manifest_sha256 is None:
        raise VerificationFailed(
            f"{what} is not recorded in the catalog",
            said=Message(N_("error.registry.manifest_not_recorded"), {"model": what.model}),
        )
    with local_file(ctx, record.manifest_key, record.manifest_sha256, None, what) as path:
        body = path.read_bytes()
    if hashlib.sha256(body).hexdigest() != record.manifest_sha256:
        raise VerificationFailed(
            f"{what} in the local cache does not match its sha256 {record.manifest_sha256}",
            key=record.manifest_key,
            hint="the cache folder was modified by hand: run `entrepot cache clear`",
            said=Message(
                N_("error.registry.cache_modified"),
                {"model": what.model, "sha256": record.manifest_sha256},
            ),
        )
    return check_manifest(ctx, resolved, body), body


def check_manifest(ctx: Context, resolved: Resolved, body: bytes) -> Manifest:
    """Parse ``body`` and check it describes exactly the version the catalog records."""
    record = resolved.version
    what = Part(ctx.label(record.name, record.version))
    try:
        manifest = Manifest.from_json(body)
    except ValueError as exc:
        raise VerificationFailed(
            f"{what} cannot be read: {exc}",
            key=record.manifest_key,
            said=Message(
                N_("error.registry.manifest_unreadable"), {"model": what.model, "detail": str(exc)}
            ),
        ) from None
    listed = {(f.path, f.size, f.sha256) for f in manifest.files}
    recorded = {(f.path, f.size, f.sha256) for f in resolved.files}
    if (manifest.name, manifest.version) != (record.name, record.version) or listed != recorded:
        differ = sorted({p for p, _, _ in listed ^ recorded})
        raise VerificationFailed(
            f"{what} does not describe the version the catalog records "
            f"(manifest {manifest.name}@{manifest.version}; differing files: "
            f"{', '.join(differ) or 'none'})",
            key=record.manifest_key,
            said=Message(
                N_("error.registry.manifest_differs"),
                {
                    "model": what.model,
                    "manifest": f"{manifest.name}@{manifest.version}",
                    "files": ", ".join(differ) or None,
                },
            ),
        )
    return manifest


@contextlib.contextmanager
def local_file(ctx: Context, key: str, sha256: str, size: int | None, what: Part) -> Iterator[Path]:
    """A verified local file for ``key``: its cache entry, or a temporary download deleted
    when the block ends."""
    path = cached(ctx, key, sha256, what)
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="entrepot-model-") as tmp:
        yield download(ctx, key, sha256, size, Path(tmp) / key.rsplit("/", 1)[-1], what)
