"""A presigned URL for one file of a model version: the read a client makes straight from
an S3 store, without the bytes passing through Entrepôt."""

from __future__ import annotations

from datetime import timedelta

from entrepot.errors import StorageError
from entrepot.messages import N_, Message
from entrepot.registry.errors import ModelNotFound
from entrepot.registry.fetch import read_manifest
from entrepot.registry.parts import Context
from entrepot.registry.resolve import Resolved
from entrepot.storage.protocols import Sign


def presign_file(ctx: Context, resolved: Resolved, file: str | None, *, expires: timedelta) -> str:
    """A presigned GET URL for ``file`` of the version ``resolved`` (its model file, or
    its only file, when ``file`` is ``None``); raises :class:`ModelNotFound` naming the
    files, or :class:`StorageError` when the store cannot presign."""
    record = resolved.version
    if file is None:
        file = read_manifest(ctx, resolved)[0].model_file
        if file is None and len(resolved.files) == 1:
            file = resolved.files[0].path
    entry = next((f for f in resolved.files if f.path == file), None)
    if entry is None:
        listed = ", ".join(f.path for f in resolved.files)
        raise ModelNotFound(
            f"{ctx.label(record.name, record.version)} has "
            + (f"no file {file!r}" if file else "several files and no model file")
            + f" (files: {listed})",
            hint="name the file: `entrepot models presign NAME@VERSION FILE`",
            said=Message(
                N_("error.registry.no_such_named_file")
                if file
                else N_("error.registry.which_file"),
                {
                    "model": ctx.label(record.name, record.version),
                    "file": file,
                    "files": listed,
                },
            ),
        )
    store = ctx.store
    if not isinstance(store, Sign):
        raise StorageError(
            "this store cannot presign URLs",
            store=store.url,
            hint="presigned URLs need an S3 store (ENTREPOT_STORE_URL=s3://bucket/prefix)",
            said=Message(N_("error.registry.cannot_presign"), {"store": store.url}),
        )
    return store.sign(entry.key, method="GET", expires=expires)
