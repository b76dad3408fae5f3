"""An operator vouches for model files from outside (ADR 0091): ``entrepot models
import-tree --trust`` and ``entrepot models resign NAME@VERSION``.

A pickle runs code when it loads, so the registry loads one only when this installation's
key ring signed its version (``registry/load.py``). The operator at the command line, who
has the installation's catalog and store, may say they trust such files: the version is then
signed, its manifest records who vouched, when and from what (``metadata.vouched``, tag
``trust=operator``), and the audit log gets a ``model.vouch`` entry in the same transaction
that makes the version ready. Nothing of this is reachable from the API or the pages: a web
user's upload is never vouched for.

Resigning never rewrites a version (manifests are write-once and their hash is what the
signature covers): the verified files of ``NAME@VERSION`` become a new version
``VERSION.trusted``, and the references and aliases that pointed at the unsigned version are
moved to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from entrepot import temp_names
from entrepot.catalog.models.records import ModelVersionRecord
from entrepot.catalog.uow import UnitOfWork
from entrepot.messages import N_, Message
from entrepot.registry.errors import VersionExists
from entrepot.registry.names import MANIFEST_PATH, parse_ref
from entrepot.registry.push import Admit
from entrepot.registry.service import Registry

#: The tag a vouched version carries.
TRUST_TAG = ("trust", "operator")
#: What the manifest says of a vouched version.
STATEMENT = "trusted by operator"
#: The audit log's action.
ACTION = "model.vouch"
#: The suffix of the version a resigned version becomes.
SUFFIX = ".trusted"


@dataclass(frozen=True)
class Vouch:
    """Who vouches (the operator's login, as the command line knows it) and when."""

    by: str
    at: datetime

    def metadata(self, source: str) -> dict[str, Any]:
        """What the manifest records (under ``metadata.vouched``)."""
        return {"statement": STATEMENT, "by": self.by, "at": self.at.isoformat(), "from": source}

    def admit(self, source: str) -> Admit:
        """The push's last step: the audit entry, in the transaction that makes the
        version ready (so no version is ever vouched for silently)."""

        def record(uow: UnitOfWork, claimed: ModelVersionRecord) -> None:
            uow.audit.add(
                at=self.at,
                actor_id=None,
                actor="cli",
                action=ACTION,
                target=f"{claimed.name}@{claimed.version}",
                details={"by": self.by, "from": source[:300]},
            )

        return record


@dataclass(frozen=True)
class Resigned:
    """What :func:`resign` did: the new signed version, and what moved to it."""

    source: ModelVersionRecord
    version: ModelVersionRecord
    references: tuple[str, ...]
    aliases: tuple[str, ...]


def vouched(
    metadata: Mapping[str, Any], tags: Mapping[str, str], vouch: Vouch, source: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """A version's metadata and tags with the vouching added."""
    return {**metadata, "vouched": vouch.metadata(source)}, {**tags, TRUST_TAG[0]: TRUST_TAG[1]}


def resign(registry: Registry, ref: str, vouch: Vouch) -> Resigned:
    """The verified files of ``ref`` (``NAME@VERSION``) as a new signed version
    ``VERSION.trusted`` (see the module docstring); references and aliases follow."""
    name, selector = parse_ref(ref)
    details = registry.show(name, selector)
    source, manifest = details.version, details.manifest
    label = f"{source.name}@{source.version}"
    target = source.version.removesuffix(SUFFIX) + SUFFIX
    if source.version.endswith(SUFFIX) or any(
        v.version == target for v in registry.versions(name, all_states=True)
    ):
        raise VersionExists(
            f"{label} has been vouched for already: {source.name}@{target} is the signed one",
            hint=f"use {source.name}@{target}",
            said=Message(
                N_("error.registry.already_vouched"),
                {"model": label, "signed": f"{source.name}@{target}"},
            ),
        )
    metadata, tags = vouched(manifest.metadata, manifest.tags, vouch, label)
    with TemporaryDirectory(prefix=temp_names.work_prefix(temp_names.MODEL, None)) as tmp:
        folder = Path(tmp) / "files"
        pulled = registry.pull(name, source.version, dest=folder)
        (pulled.folder or folder).joinpath(MANIFEST_PATH).unlink(missing_ok=True)
        version = registry.push(
            [folder],
            name,
            version=target,
            metrics=manifest.metrics,
            params=manifest.params,
            tags=tags,
            metadata=metadata,
            input_schema=[(c.name, c.dtype) for c in manifest.input_schema],
            lineage={**manifest.lineage, "vouched_from": label},
            flavor=manifest.flavor,
            model_file=manifest.model_file,
            sign=True,
            admit=vouch.admit(label),
        )
    moved_refs = []
    for reference in registry.references():
        if (reference.model_name, reference.model_version) == (source.name, source.version):
            registry.add_reference(
                reference.name,
                model=name,
                version=version.version,
                domain=reference.domain,
                input_schema=reference.input_schema,
                metrics=reference.metrics,
                active=reference.active,
            )
            moved_refs.append(reference.name)
    moved_aliases = [a.alias for a in registry.aliases(name) if a.version == source.version]
    for alias in moved_aliases:
        registry.alias(name, alias, version.version)
    return Resigned(source, version, tuple(moved_refs), tuple(moved_aliases))
