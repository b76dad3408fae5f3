"""The model registry's service API: the one entry point apps and entrypoints use.

::

    registry = Registry(store, cache, uow_factory, secret=settings.secret_key, actor="cli")
    version = registry.push(["out/"], "fraud", metrics={"auprc": 0.91})
    registry.alias("fraud", "production", version.version)
    model = registry.load("fraud", "production")

Every method names a model by ``name`` and an optional ``version``: a version, an alias,
``"latest"`` or ``None`` (the latest ready version). ``"name@version"`` is accepted as the
name when no version is given. A registry works in one namespace: the shared models, or a
user's (:meth:`Registry.for_owner`), whose objects live under ``users/{id}/`` through a
scoped store built here, server-side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from entrepot.catalog.models.records import (
    AliasRecord,
    ModelFileRecord,
    ModelSummary,
    ModelVersionRecord,
    NamespaceListing,
    NoteRecord,
    ReferenceModelRecord,
)
from entrepot.catalog.reads import ReadsFactory, reads_through
from entrepot.catalog.uow import UnitOfWorkFactory
from entrepot.errors import ConfigError, InvalidArgument
from entrepot.messages import N_, Message
from entrepot.registry import aliases, delete, mlflow_export, notes, references
from entrepot.registry.errors import InvalidName, ModelNotFound
from entrepot.registry.fetch import read_manifest
from entrepot.registry.keys import KeyRingService
from entrepot.registry.layout import Namespace
from entrepot.registry.load import load
from entrepot.registry.manifest import Manifest
from entrepot.registry.names import check_name, parse_ref
from entrepot.registry.opened import OpenedVersion
from entrepot.registry.parts import Context
from entrepot.registry.presign import presign_file
from entrepot.registry.pull import Progress, PulledModel, pull, pull_file
from entrepot.registry.push import Admit, push
from entrepot.registry.request import PushRequest, prepare
from entrepot.registry.resolve import Resolved, resolve
from entrepot.registry.verify import ModelsReport, verify
from entrepot.storage.protocols import Materialize, Store

#: The shortest instance secret accepted for signing versions.
MIN_SECRET_LENGTH = 16


def check_push(paths: Sequence[str | Path], name: str, **options: Any) -> PushRequest:
    """Check a push as :meth:`Registry.push` does (names, files, flavor, metrics, JSON),
    storing nothing: what a client checks before it sends the files to a service."""
    return prepare(paths, name, **options)


@dataclass(frozen=True)
class VersionDetails:
    """One version as ``show`` presents it: row, files, aliases and verified manifest."""

    version: ModelVersionRecord
    files: tuple[ModelFileRecord, ...]
    aliases: tuple[str, ...]
    manifest: Manifest


class Registry:
    """Versioned, verified, cached models (see the module docstring).

    ``store`` is the store itself, not the cache: it receives the writes, deletes and
    presigning, and ``verify`` reads it. ``materializer`` (the read-through cache) serves
    every read as verified local files. ``secret`` opens the key ring (``keys``, in the
    catalog) that signs the versions this installation pushes; only those may hold pickles
    that load. ``actor`` is recorded as their author.
    """

    def __init__(
        self,
        store: Store,
        materializer: Materialize,
        uow_factory: UnitOfWorkFactory,
        *,
        secret: str,
        actor: str,
        owner: str | None = None,
        clock: Callable[[], datetime] | None = None,
        reads: ReadsFactory | None = None,
        keys: KeyRingService | None = None,
    ) -> None:
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"the registry needs an instance secret of at least {MIN_SECRET_LENGTH} "
                "characters to sign model versions",
                hint="set ENTREPOT_SECRET_KEY to a long random value",
                said=Message(N_("error.registry.secret_too_short"), {"most": MIN_SECRET_LENGTH}),
            )
        if cast(object, store) is materializer:  # a cache is both a Store and a Materialize
            raise ConfigError(
                "the registry needs the store itself and the cache in front of it, not the "
                "cache twice: verification must read the store's bytes, not cached copies",
                hint="construct Registry(app.raw_store, app.cache, ...)",
                said=Message(N_("error.registry.cache_twice")),
            )
        if not actor or len(actor) > 128:
            raise ConfigError(
                f"actor {actor!r} must have 1 to 128 characters",
                said=Message(N_("error.registry.bad_actor"), {"actor": actor[:130]}),
            )
        self._ctx = Context(
            store=store,
            materializer=materializer,
            uow_factory=uow_factory,
            reads=reads or reads_through(uow_factory),
            secret=secret,
            keys=keys or KeyRingService(uow_factory, secret),
            actor=actor,
            space=Namespace(owner),
            clock=clock or (lambda: datetime.now(UTC)),
        )

    @property
    def owner(self) -> str | None:
        """The owner whose models this registry serves (``None``: the shared models)."""
        return self._ctx.space.owner

    def for_owner(self, owner: str | None, *, actor: str | None = None) -> Registry:
        """The same registry over ``owner``'s models (``None``: the shared ones)."""
        other = Registry.__new__(Registry)
        other._ctx = replace(self._ctx, space=Namespace(owner), actor=actor or self._ctx.actor)
        return other

    # -- writing -----------------------------------------------------------
    def push(
        self,
        paths: Sequence[str | Path],
        name: str,
        *,
        version: str | None = None,
        metrics: Mapping[str, float] | None = None,
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        input_schema: Iterable[tuple[str, str]] | None = None,
        lineage: Mapping[str, str] | None = None,
        flavor: str | None = None,
        model_file: str | None = None,
        sign: bool = True,
        on_progress: Progress | None = None,
        admit: Admit | None = None,
    ) -> ModelVersionRecord:
        """Store files and folders as a new ready version of ``name``.

        ``version`` defaults to ``vYYYYMMDD_HHMMSS`` (UTC), made unique. The flavor and the
        model file are detected unless given. ``sign=False`` pushes files this installation
        does not vouch for: their pickles will never load. ``admit(uow, claimed)`` runs in the
        transaction that makes the version ready and may refuse it (a plan's quota). Raises
        before storing anything on bad input; on a failure, removes what it wrote.
        """
        request = prepare(
            paths,
            name,
            version=version,
            flavor=flavor,
            model_file=model_file,
            metrics=metrics,
            params=params,
            tags=tags,
            metadata=metadata,
            input_schema=input_schema,
            lineage=lineage,
            sign=sign,
        )
        return push(self._ctx, request, on_progress, admit)

    def alias(self, name: str, alias: str, version: str) -> AliasRecord:
        """Point ``alias`` at ``version`` (moved atomically if it pointed elsewhere)."""
        return aliases.set_alias(self._ctx, name, alias, version)

    def remove_alias(self, name: str, alias: str) -> None:
        """Delete ``alias``; raises :class:`AliasNotFound` if it does not exist."""
        aliases.remove_alias(self._ctx, name, alias)

    def note(self, name: str, version: str, note: str) -> NoteRecord:
        """Write the note of ``version`` (replacing the last; an empty note removes it)."""
        return notes.set_note(self._ctx, name, version, note)

    def delete(self, name: str, version: str | None = None) -> ModelVersionRecord:
        """Remove one version (in any state): its rows and aliases first, then its objects.

        ``version`` must be a version, not an alias. Never touches another version: objects
        are deleted by their recorded keys, not by prefix.
        """
        name, selector = self._split(name, version)
        if selector is None:
            raise InvalidName(
                f"name the version of {name!r} to delete",
                hint="NAME@VERSION",
                said=Message(N_("error.registry.delete_which_version"), {"model": name}),
            )
        return delete.delete(self._ctx, name, selector)

    # -- reading -----------------------------------------------------------
    def pull(
        self,
        name: str,
        version: str | None = None,
        dest: Path | None = None,
        *,
        on_progress: Progress | None = None,
    ) -> PulledModel:
        """Verify every file of a version and return them locally: in ``dest`` (read-only
        hard links to the cache entries, or copies), or the cache entries themselves."""
        return pull(self._ctx, self._resolve(name, version), dest, on_progress)

    def file(self, name: str, version: str | None, path: str) -> Path:
        """One file of a version, verified against the catalog's sha256 (the cache's
        entry: read it, never modify it)."""
        return pull_file(self._ctx, self._resolve(name, version), path)

    def load(self, name: str, version: str | None = None, *, into: Any = None) -> Any:
        """The model object of a version, loaded from verified files by its flavor's safe
        loader; ``into`` is a PyTorch module to load the weights into (else the state dict
        is returned)."""
        return load(self._ctx, self._resolve(name, version), into=into)

    def open(self, name: str, version: str | None = None) -> OpenedVersion:
        """The version ``name`` (``NAME[@VERSION]``) and ``version`` name, resolved once:
        its files pulled and its model loaded without asking the catalog again."""
        return OpenedVersion(self._ctx, self._resolve(name, version))

    def show(self, name: str, version: str | None = None) -> VersionDetails:
        """A version's row, files, aliases and verified manifest."""
        resolved = self._resolve(name, version)
        manifest, _ = read_manifest(self._ctx, resolved)
        record = resolved.version
        aliases = tuple(a.alias for a in self.aliases(record.name) if a.version == record.version)
        return VersionDetails(record, resolved.files, aliases, manifest)

    def latest(self, name: str) -> ModelVersionRecord:
        """The ready version of ``name`` pushed last."""
        return self._resolve(name, None).version

    def versions(
        self, name: str, *, limit: int | None = None, all_states: bool = False
    ) -> tuple[ModelVersionRecord, ...]:
        """Versions of ``name``, newest first (ready only, unless ``all_states``)."""
        check_name(name)
        with self._ctx.uow_factory() as uow:
            found = uow.models.versions(self._ctx.space.id, name, limit=limit, any_state=all_states)
        if not found and not all_states:
            raise ModelNotFound(
                f"no model named {self._ctx.label(name)!r} has a ready version",
                said=Message(
                    N_("error.registry.no_ready_version"), {"model": self._ctx.label(name)}
                ),
            )
        return found

    def ready_versions(self) -> tuple[ModelVersionRecord, ...]:
        """Every ready version of every model, newest first."""
        with self._ctx.reads() as catalog:
            return catalog.versions.ready(self._ctx.space.id)

    def list(self) -> tuple[ModelSummary, ...]:
        """Every model with a ready version, by name."""
        with self._ctx.uow_factory() as uow:
            return uow.models.summaries(self._ctx.space.id)

    def aliases(self, name: str) -> tuple[AliasRecord, ...]:
        """The aliases of ``name`` and where they point."""
        check_name(name)
        with self._ctx.uow_factory() as uow:
            return uow.models.aliases(self._ctx.space.id, name)

    def all_aliases(self) -> tuple[AliasRecord, ...]:
        """Every alias of every model, by name and alias (one read, as the listing's)."""
        with self._ctx.reads() as catalog:
            return catalog.versions.aliases(self._ctx.space.id)

    def listing(self) -> NamespaceListing:
        """Every ready version of this namespace (newest first) with its note, and the
        namespace's aliases, in one read (the models listing's: ``GET /api/models``, the
        models page)."""
        with self._ctx.reads() as catalog:
            return catalog.versions.listing(self._ctx.space.id)

    def notes(self) -> dict[int, NoteRecord]:
        """The notes of this namespace's versions, by version id (one read)."""
        with self._ctx.reads() as catalog:
            return catalog.versions.notes(self._ctx.space.id)

    def presign(
        self,
        name: str,
        version: str | None = None,
        file: str | None = None,
        *,
        expires: timedelta = timedelta(hours=1),
    ) -> str:
        """A presigned GET URL for one file of a version (the model file by default)."""
        return presign_file(self._ctx, self._resolve(name, version), file, expires=expires)

    def verify(
        self,
        name: str | None = None,
        *,
        deep: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> ModelsReport:
        """Check every file of the ready versions of ``name`` (or of every model) against
        the catalog, in the store itself; ``deep`` rehashes every byte."""
        return verify(self._ctx, name, deep=deep, on_progress=on_progress)

    def export_mlflow(self, name: str, version: str | None, dest: Path) -> Path:
        """Write a scikit-learn-compatible version as an MLflow model folder at ``dest``."""
        resolved = self._resolve(name, version)
        mlflow_export.check_exportable(resolved.version, dest)
        manifest, _ = read_manifest(self._ctx, resolved)
        model = load(self._ctx, resolved)
        return mlflow_export.export(model, resolved.version, manifest, dest)

    # -- reference models --------------------------------------------------
    def add_reference(
        self,
        name: str,
        *,
        model: str,
        version: str | None = None,
        domain: str,
        input_schema: Iterable[tuple[str, str]] | None = None,
        metrics: Mapping[str, float] | None = None,
        active: bool = True,
    ) -> ReferenceModelRecord:
        """Record (or repoint) the reference model ``name``: a ready version of ``model``;
        the schema and metrics default to the version's."""
        return references.add_reference(
            self._ctx,
            name,
            model=model,
            version=version,
            domain=domain,
            input_schema=input_schema,
            metrics=metrics,
            active=active,
        )

    def references(
        self, *, domain: str | None = None, active: bool | None = None
    ) -> tuple[ReferenceModelRecord, ...]:
        """The reference models, by name, filtered by domain and active flag; a domain no
        reference has is refused, naming the domains there are (never an empty list for a
        mistyped domain)."""
        with self._ctx.uow_factory() as uow:
            found = uow.references.list(domain=domain, active=active)
            if domain is None or found:
                return found
            known = sorted({r.domain for r in uow.references.list()})
        if domain in known:  # a domain whose references are all retired
            return found
        raise InvalidArgument(
            f"no reference model has the domain {domain[:60]!r}; the domains are: "
            + (", ".join(known) or "none yet"),
            hint="see `entrepot models references` (or build them: "
            "`entrepot fraud build-references`)",
            said=Message(
                N_("error.registry.unknown_domain"),
                {"domain": domain[:60], "known": ", ".join(known) or "–"},
            ),
        )

    def record_reference_use(self, name: str, score: float) -> None:
        """Count one use of reference ``name`` with its match score (0 to 1)."""
        references.record_use(self._ctx, name, score)

    def set_reference_active(self, name: str, active: bool) -> None:
        """Offer reference ``name`` for matching again, or retire it."""
        references.set_active(self._ctx, name, active)

    def remove_reference(self, name: str) -> None:
        """Delete reference ``name`` (its model version stays)."""
        references.remove(self._ctx, name)

    # -- internals ---------------------------------------------------------
    def _split(self, name: str, version: str | None) -> tuple[str, str | None]:
        if version is None and "@" in name:
            return parse_ref(name)
        return check_name(name), version

    def _resolve(self, name: str, version: str | None) -> Resolved:
        name, version = self._split(name, version)
        return resolve(self._ctx, name, version)
