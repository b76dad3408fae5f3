"""A user's models: each trained version, with its metrics, charts, aliases and note,
grouped under its model; set or remove an alias, write a note; push a version from a
client's files; delete; one verified file; ZIP."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from entrepot import temp_names
from entrepot.accounts.licences import LicenceService
from entrepot.catalog.models.records import (
    AliasRecord,
    ModelVersionRecord,
    NoteRecord,
)
from entrepot.catalog.uow import UnitOfWork, UnitOfWorkFactory
from entrepot.errors import RecordNotFound
from entrepot.fraud.score.registered import is_ensemble
from entrepot.fraud_service.curves import CURVES_FILE
from entrepot.fraud_service.descriptions import Descriptions
from entrepot.fraud_service.model_push import parse_form, unpack
from entrepot.fraud_service.model_trainings import TrainingRow, trainings
from entrepot.fraud_service.model_view import analyst_view, test_figures
from entrepot.fraud_service.options import ServiceOptions
from entrepot.fraud_service.uploads import Spool
from entrepot.fraud_service.workspace import Workspace
from entrepot.messages import N_, Message
from entrepot.registry.errors import AliasNotFound
from entrepot.registry.names import check_segment
from entrepot.sizes import human_size

WorkspaceOf = Callable[[int], Workspace]
#: A push's ZIP may be larger than its files (headers, incompressible data).
ARCHIVE_MARGIN = 1024 * 1024


@dataclass(frozen=True)
class ModelInfo:
    """A trained model (one registry version) as the lists show it."""

    id: int
    name: str
    version: str
    created_at: datetime
    metrics: Mapping[str, float]
    params: Mapping[str, str]
    lineage: Mapping[str, str]
    tags: Mapping[str, str]
    #: A saved ensemble's members, weights and column mappings (``None`` for a trained model).
    ensemble: Mapping[str, Any] | None = None
    #: The aliases pointing at this version, by name.
    aliases: tuple[str, ...] = ()
    #: The owner's note on this version, and who wrote it when (``None``: no note).
    note: NoteRecord | None = None


@dataclass(frozen=True)
class ModelGroup:
    """One model as the models page shows it: its versions, newest first."""

    name: str
    versions: tuple[ModelInfo, ...]


@dataclass(frozen=True)
class ModelDetail:
    """A model with what its page shows: files, performance and charts."""

    info: ModelInfo
    files: tuple[tuple[str, int], ...]
    performance: Mapping[str, Any] = field(default_factory=dict)
    curves: Mapping[str, Any] = field(default_factory=dict)
    schema: Mapping[str, Any] = field(default_factory=dict)
    #: What an analyst reads of it (``entrepot.fraud_service.model_view``).
    analyst: Mapping[str, Any] = field(default_factory=dict)


def _info(
    model_id: int,
    record: ModelVersionRecord,
    ensemble: Mapping[str, Any] | None = None,
    aliases: tuple[str, ...] = (),
    note: NoteRecord | None = None,
) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        name=record.name,
        version=record.version,
        created_at=record.created_at,
        metrics=dict(record.metrics),
        params=dict(record.params),
        lineage=dict(record.lineage),
        tags=dict(record.tags),
        ensemble=ensemble,
        aliases=aliases,
        note=note,
    )


@dataclass(frozen=True)
class ModelManifest:
    """A version as ``entrepot models show`` presents it: its row's facts, its aliases and
    its verified manifest as the JSON document whose sha256 the catalog keeps (the files'
    sha256 with it, for a client to check what it downloads)."""

    id: int
    name: str
    version: str
    created_at: datetime
    created_by: str
    signed: bool
    manifest_sha256: str | None
    aliases: tuple[str, ...]
    manifest: Mapping[str, Any]


def _aliases_of(found: tuple[AliasRecord, ...], name: str, version: str) -> tuple[str, ...]:
    return tuple(a.alias for a in found if a.name == name and a.version == version)


class ModelService:
    """List, show, delete and package a user's models (addressed by catalog id)."""

    def __init__(
        self,
        workspace: WorkspaceOf,
        uow_factory: UnitOfWorkFactory,
        options: ServiceOptions,
        licences: LicenceService | None = None,
    ) -> None:
        self._workspace = workspace
        self._uow = uow_factory
        self._options = options
        self._licences = licences or LicenceService(uow_factory)
        self._descriptions = Descriptions()

    def groups(self, user_id: int) -> list[ModelGroup]:
        """The models of ``user_id``, each with its versions newest first; the model with
        the newest version first."""
        grouped: dict[str, list[ModelInfo]] = {}
        for info in self.list(user_id):  # newest first, so each group's order is kept
            grouped.setdefault(info.name, []).append(info)
        return [ModelGroup(name, tuple(versions)) for name, versions in grouped.items()]

    def list(self, user_id: int) -> list[ModelInfo]:
        """Every ready model version of ``user_id``, newest first, with its aliases and
        note."""
        ws = self._workspace(user_id)
        listed = ws.registry.listing()
        found = [
            _info(
                r.id,
                r,
                self._ensemble(ws, r),
                _aliases_of(listed.aliases, r.name, r.version),
                listed.notes.get(r.id),
            )
            for r in listed.versions
        ]
        return sorted(found, key=lambda m: (m.created_at, m.id), reverse=True)

    def set_alias(self, user_id: int, model_id: int, alias: str) -> AliasRecord:
        """Point ``alias`` of the model at version ``model_id`` (moved from the version it
        pointed at, in one step): the registry's rule, as ``entrepot models alias``."""
        ws = self._workspace(user_id)
        name, version = self._ref(ws, model_id)
        return ws.registry.alias(name, alias.strip(" "), version)

    def remove_alias(self, user_id: int, model_id: int, alias: str) -> str:
        """Remove ``alias`` of the model when it points at version ``model_id`` (an
        :class:`AliasNotFound` otherwise: a page or a script never removes an alias it did
        not see on this version); the alias removed."""
        ws = self._workspace(user_id)
        name, version = self._ref(ws, model_id)
        # spaces typed around a word go; a CR or LF stays and is refused by the name rule
        alias = check_segment(alias.strip(" "), "alias")
        if alias not in _aliases_of(ws.registry.aliases(name), name, version):
            raise AliasNotFound(
                f"{name}@{version} has no alias {alias!r}",
                said=Message(
                    N_("error.fraud.no_alias"), {"model": name, "version": version, "alias": alias}
                ),
            )
        ws.registry.remove_alias(name, alias)
        return alias

    def check_push(self, user_id: int, name: str | None = None) -> int:
        """Raise unless ``user_id``'s plan takes a version of model ``name`` now (licence,
        quota: a new version of a model the user holds takes no new slot, ADR 0071); the
        most bytes the push may send. Before the form is read the name is not known
        (``None``): only the licence is checked then. Nothing is held: :meth:`push` counts
        again when it makes the version ready."""
        if name is None:
            plan = self._licences.require(user_id)
        else:
            with self._uow() as uow:  # rolled back: the row lock ends with it
                plan = self._licences.reserve_model(uow, user_id, name)
        return min(plan.max_dataset_bytes, self._options.fraud.upload_limit)

    def spool(self, limit: int) -> Spool:
        """A temporary file to receive a push's archive, refusing bytes past ``limit``."""
        message = f"the push is over the limit: this service takes pushes up to {human_size(limit)}"
        return Spool(self._options.temp_dir, limit + ARCHIVE_MARGIN, limit_message=message)

    def push(self, user_id: int, archive: Path, described: str) -> ModelManifest:
        """Store the files of the ZIP ``archive`` as a new version in ``user_id``'s models,
        as the JSON ``described`` declares them (ADR 0057, :func:`parse_form`): each file
        checked against its declared size and sha256 first, then the registry's push (the
        version signed only when it holds no pickle), its quota slot taken in the
        transaction that makes it ready. A refused push leaves no version and no file."""
        form = parse_form(described)
        limit = self.check_push(user_id, form.name)
        ws = self._workspace(user_id)
        folder = self._options.temp_dir
        folder.mkdir(parents=True, exist_ok=True)
        unpacked = Path(tempfile.mkdtemp(dir=folder, prefix=temp_names.PUSH))
        try:
            unpack(archive, form, unpacked, limit)

            def admit(uow: UnitOfWork, _claimed: object) -> None:
                self._licences.reserve_model(uow, user_id, form.name)

            record = ws.registry.push(
                [unpacked],
                form.name,
                version=form.version,
                metrics=form.metrics,
                params=form.params,
                tags=form.tags,
                metadata=form.metadata,
                input_schema=form.input_schema,
                lineage=form.lineage,
                flavor=form.flavor,
                model_file=form.model_file,
                sign=form.signable(unpacked),
                admit=admit,
            )
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)
        with self._uow() as uow:
            model_id = uow.user_models.id_of(ws.owner, record.name, record.version)
        return self.manifest(user_id, model_id)

    def set_note(self, user_id: int, model_id: int, note: str) -> NoteRecord:
        """Write the note of version ``model_id`` (an empty note removes it)."""
        ws = self._workspace(user_id)
        name, version = self._ref(ws, model_id)
        return ws.registry.note(name, version, note)

    def file(self, user_id: int, model_id: int, path: str) -> tuple[str, Path]:
        """One file of version ``model_id``, verified against the catalog's sha256, and
        the name to download it as (the cache's entry: the caller only reads it)."""
        ws = self._workspace(user_id)
        name, version = self._ref(ws, model_id)
        local = ws.registry.file(name, version, path)
        return path.rsplit("/", 1)[-1], local

    def get(self, user_id: int, model_id: int, lang: str = "en") -> ModelDetail:
        """Model ``model_id`` of ``user_id`` with its performance and charts (another user's
        is not found), and the analyst's view of it in ``lang`` (``en`` or ``fr``)."""
        ws = self._workspace(user_id)
        name, version = self._ref(ws, model_id)
        details = ws.registry.show(name, version)
        pulled = ws.registry.pull(name, version)
        with self._uow() as uow:
            saved = uow.feedback.threshold(model_id)
        performance = _json(pulled.files.get("performance.json"))
        curves = _json(pulled.files.get(CURVES_FILE))
        schema = _json(pulled.files.get("schema.json"))
        info = _info(
            model_id,
            details.version,
            self._ensemble(ws, details.version),
            details.aliases,
            ws.registry.notes().get(model_id),
        )
        analyst = analyst_view(performance, curves, schema, info.metrics, saved, lang)
        return ModelDetail(
            info=info,
            files=tuple((f.path, f.size) for f in details.files),
            performance=performance,
            curves=curves,
            schema=schema,
            analyst={**analyst, "comparison": self._comparison(ws, info, performance)},
        )

    def trainings(self, user_id: int, model_id: int) -> tuple[TrainingRow, ...]:
        """Every training (ready version) of the model version ``model_id`` belongs to,
        newest first (:mod:`entrepot.fraud_service.model_trainings`)."""
        ws = self._workspace(user_id)
        return tuple(trainings(ws.registry, self._ref(ws, model_id)[0]))

    def _comparison(
        self, ws: Workspace, info: ModelInfo, performance: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """This version's test figures beside those of the version it was retrained from
        (``None`` for a first version, or once that one is deleted)."""
        previous = str(info.lineage.get("previous_model", ""))
        if not previous.isdigit():
            return None
        try:
            name, version = self._ref(ws, int(previous))
        except RecordNotFound:
            return None
        before = _json(ws.registry.pull(name, version).files.get("performance.json"))
        return {
            "previous": {"model_id": int(previous), "version": version, **test_figures(before)},
            "current": {"model_id": info.id, "version": info.version, **test_figures(performance)},
            "same_test_rows": test_figures(before)["test_rows"]
            == test_figures(performance)["test_rows"],
        }

    def manifest(self, user_id: int, model_id: int) -> ModelManifest:
        """Version ``model_id`` of ``user_id`` with its aliases and verified manifest."""
        ws = self._workspace(user_id)
        name, version = self._ref(ws, model_id)
        details = ws.registry.show(name, version)
        record = details.version
        return ModelManifest(
            id=model_id,
            name=record.name,
            version=record.version,
            created_at=record.created_at,
            created_by=record.created_by,
            signed=bool(record.signature),
            manifest_sha256=record.manifest_sha256,
            aliases=details.aliases,
            manifest=json.loads(details.manifest.to_json()),
        )

    def delete(self, user_id: int, model_id: int) -> ModelInfo:
        """Delete the version: its rows, then its objects (the quota slot is freed)."""
        ws = self._workspace(user_id)
        name, version = self._ref(ws, model_id)
        return _info(model_id, ws.registry.delete(name, version))

    def zip(self, user_id: int, model_id: int) -> tuple[str, Path]:
        """A temporary ZIP of the version's verified files, and the name to download it
        as; the caller deletes the file."""
        ws = self._workspace(user_id)
        name, version = self._ref(ws, model_id)
        pulled = ws.registry.pull(name, version)
        folder = self._options.temp_dir
        folder.mkdir(parents=True, exist_ok=True)
        fd, name_ = tempfile.mkstemp(dir=folder, prefix=temp_names.MODEL, suffix=".zip")
        os.close(fd)
        path = Path(name_)
        try:
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for inner, local in sorted(pulled.files.items()):
                    archive.write(local, f"{name}-{version}/{inner}")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return f"{name}-{version}.zip", path

    def _ensemble(self, ws: Workspace, record: ModelVersionRecord) -> Mapping[str, Any] | None:
        if not is_ensemble(record):
            return None

        def read() -> Mapping[str, Any]:
            described = ws.registry.show(record.name, record.version).manifest.metadata
            return dict(described.get("ensemble") or {})

        if record.manifest_key is None or record.manifest_sha256 is None:
            return read()
        key = (record.namespace, record.manifest_key, record.manifest_sha256)
        return self._descriptions.get(key, read)

    def _ref(self, ws: Workspace, model_id: int) -> tuple[str, str]:
        with self._uow() as uow:
            return uow.user_models.ref(ws.owner, model_id)


def _json(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
