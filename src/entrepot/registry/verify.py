"""Verify: every file of every ready version still matches the catalog.

Each file and manifest is checked in the store itself (never the cache): it exists, with the
size and sha256 the catalog recorded; ``deep`` (the default) also re-reads and rehashes every
byte, which is what catches a file altered behind the store's back, and checks that each
manifest describes its version. A signature this installation's secret did not make is
reported too: the version's pickles would not load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from entrepot.errors import IntegrityError, ObjectNotFound
from entrepot.messages import N_, Message
from entrepot.registry.errors import ModelNotFound, VerificationFailed
from entrepot.registry.fetch import check_manifest
from entrepot.registry.names import MANIFEST_PATH, check_name
from entrepot.registry.parts import Context
from entrepot.registry.resolve import Resolved


@dataclass(frozen=True, slots=True)
class VersionProblem:
    """One thing wrong with one file of one version."""

    name: str
    version: str
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.name}@{self.version} {self.path}: {self.problem}"


@dataclass(frozen=True, slots=True)
class ModelsReport:
    """What :func:`verify` checked and found."""

    versions: int
    files: int
    problems: tuple[VersionProblem, ...]
    deep: bool

    @property
    def ok(self) -> bool:
        """Whether every checked version is intact."""
        return not self.problems


def verify(
    ctx: Context,
    name: str | None = None,
    *,
    deep: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> ModelsReport:
    """Check the ready versions of ``name`` (every model when ``None``)."""
    targets = _targets(ctx, name)
    total = sum(len(t.files) + 1 for t in targets)
    done, problems = 0, []
    for target in targets:
        found = _check_version(ctx, target, deep)
        problems += found
        done += len(target.files) + 1
        if on_progress is not None:
            on_progress(done, total)
    return ModelsReport(len(targets), total, tuple(problems), deep)


def _targets(ctx: Context, name: str | None) -> list[Resolved]:
    ns = ctx.space.id
    with ctx.uow_factory() as uow:
        if name is not None:
            names = [check_name(name)]
        else:
            names = [summary.name for summary in uow.models.summaries(ns)]
        targets = []
        for model in names:
            versions = uow.models.versions(ns, model)
            if name is not None and not versions:
                raise ModelNotFound(
                    f"no model named {ctx.label(model)!r} has a ready version",
                    said=Message(
                        N_("error.registry.no_ready_version"), {"model": ctx.label(model)}
                    ),
                )
            targets += [Resolved(v, uow.models.files(v.id)) for v in versions]
    return targets


def _check_version(ctx: Context, target: Resolved, deep: bool) -> list[VersionProblem]:
    record = target.version

    def problem(path: str, text: str) -> VersionProblem:
        return VersionProblem(record.name, record.version, path, text)

    found = []
    if record.manifest_key is None or record.manifest_sha256 is None:
        return [problem(MANIFEST_PATH, "no manifest recorded for a ready version")]
    text, body = _check_object(ctx, record.manifest_key, record.manifest_sha256, None, deep)
    if text:
        found.append(problem(MANIFEST_PATH, text))
    elif body is not None:
        try:
            check_manifest(ctx, target, body)
        except VerificationFailed as exc:
            found.append(problem(MANIFEST_PATH, exc.message))
    if record.signature is not None:
        verdict = ctx.keys.ring().check(record.manifest_sha256, record.signature)
        if verdict.missing_key is not None:
            found.append(
                problem(MANIFEST_PATH, f"signed by key {verdict.missing_key}, not in the key ring")
            )
        elif not verdict.valid:
            found.append(problem(MANIFEST_PATH, "signature not made by a key of the key ring"))
    for entry in target.files:
        text, _ = _check_object(ctx, entry.key, entry.sha256, entry.size, deep)
        if text:
            found.append(problem(entry.path, text))
    return found


def _check_object(
    ctx: Context, key: str, sha256: str, size: int | None, deep: bool
) -> tuple[str | None, bytes | None]:
    """What is wrong with ``key`` (or ``None``), and its bytes when ``deep`` read a manifest."""
    try:
        info = ctx.store.head(key)
    except ObjectNotFound:
        return "missing from the store", None
    if size is not None and info.size != size:
        return f"size {info.size} in the store, {size} in the catalog", None
    if info.sha256 is not None and info.sha256 != sha256:
        return f"the store records sha256 {info.sha256}, the catalog {sha256}", None
    if not deep:
        return None, None
    digest, keep = hashlib.sha256(), key.endswith("/" + MANIFEST_PATH)
    kept = bytearray()
    try:
        for chunk in ctx.store.iter_bytes(key):
            digest.update(chunk)
            if keep:
                kept += chunk
    except IntegrityError:
        pass  # the store's own check; ours follows, against the catalog
    except ObjectNotFound:
        return "missing from the store", None
    if digest.hexdigest() != sha256:
        return f"content hashes to {digest.hexdigest()}, the catalog recorded {sha256}", None
    return None, bytes(kept) if keep else None
