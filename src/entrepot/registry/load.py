"""Load: a version's model file, verified through the hash chain, as a Python object.

The chain: the catalog's manifest sha256 -> the manifest's bytes -> the file list, equal
to the catalog's -> the model file, pinned to its sha256. A pickle-based file is opened
only when the version's signature over the manifest sha256 verifies with this
installation's secret; other formats load through the safe loaders of
:mod:`entrepot.registry.safe_loaders`. Raw versions load as their verified local files.
"""

from __future__ import annotations

from typing import Any

from entrepot.messages import N_, Message
from entrepot.registry.errors import UnsafeModelFormat, VerificationFailed
from entrepot.registry.fetch import Part, local_file, read_manifest
from entrepot.registry.flavors import is_pickle
from entrepot.registry.parts import Context
from entrepot.registry.pull import pull
from entrepot.registry.resolve import Resolved
from entrepot.registry.safe_loaders import load_file


def load(ctx: Context, resolved: Resolved, *, into: Any = None) -> Any:
    """The model of ``resolved`` (see the module docstring)."""
    record = resolved.version
    label = ctx.label(record.name, record.version)
    manifest, _ = read_manifest(ctx, resolved)
    if manifest.flavor == "raw" or manifest.model_file is None:
        return pull(ctx, resolved, None).files
    entry = next((f for f in resolved.files if f.path == manifest.model_file), None)
    if entry is None:
        raise VerificationFailed(
            f"the manifest of {label} names model file {manifest.model_file!r}, "
            "which the version does not hold",
            said=Message(
                N_("error.registry.manifest_model_file_missing"),
                {"model": label, "file": str(manifest.model_file)},
            ),
        )
    signed = False
    # the name, or the flavor whose files are pickles (a pickle named model.bin, ADR 0062)
    pickled = is_pickle(entry.path) or manifest.flavor == "sklearn"
    if pickled or record.signature is not None:
        verdict = ctx.keys.ring().check(record.manifest_sha256 or "", record.signature)
        signed = verdict.valid
        if pickled and verdict.missing_key is not None:
            raise UnsafeModelFormat(
                f"{entry.path!r} of {label} is a pickle signed by key {verdict.missing_key}, "
                "which this installation's key ring does not hold: refusing to unpickle it",
                hint="bring the key: `entrepot secrets import FILE` (an export of the old "
                "installation's ring) or `entrepot secrets rewrap --old-secret-file FILE`; "
                "or, if you trust the file, push the version again from its files",
                said=Message(
                    N_("error.registry.pickle_key_missing"),
                    {"file": entry.path, "model": label, "signing_key": verdict.missing_key},
                ),
            )
    if pickled and not signed:
        why = (
            "was pushed without a signature (from outside)"
            if record.signature is None
            else "carries a signature no key of this installation's key ring made"
        )
        raise UnsafeModelFormat(
            f"{entry.path!r} of {label} is a pickle and the version {why}: refusing to unpickle it",
            said=Message(
                N_("error.registry.pickle_unsigned")
                if record.signature is None
                else N_("error.registry.pickle_foreign_signature"),
                {"file": entry.path, "model": label},
            ),
        )
    what = Part(label, entry.path)
    with local_file(ctx, entry.key, entry.sha256, entry.size, what) as path:
        try:
            return load_file(manifest.flavor, path, signed=signed, into=into, name=entry.path)
        except UnsafeModelFormat as exc:
            raise UnsafeModelFormat(
                f"{label}: {exc.message}",
                hint=exc.hint,
                said=exc.said
                or Message(
                    N_("error.registry.unsafe_in_version"), {"model": label, "detail": exc.message}
                ),
            ) from None
