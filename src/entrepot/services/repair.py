"""What verification and reads find damaged, kept in the catalog's damage register, and
the repair of a damaged object from the cache's verified copy.

A model file that rots in the store while the cache holds a good copy keeps being served
(the cache entry was verified when it was filled, and is pinned by the catalog's sha256);
the register is what makes that damage visible: ``entrepot verify`` records what it finds,
a failed read records its object, and ``/health`` reports the count to administrators.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from entrepot.errors import EntrepotError
from entrepot.services.verify import Problem, VerifyReport
from entrepot.storage.protocols import Head, Put

if TYPE_CHECKING:
    from entrepot.catalog.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


class CachedCopies(Protocol):
    """A cache that can hand out a verified copy without asking the store."""

    def cached_copy(self, key: str, sha256: str) -> Path | None:
        """The intact cached bytes of ``key`` at ``sha256``, or ``None``."""
        ...


class RepairTarget(Put, Head, Protocol):
    """Where a repair writes the good bytes back, and checks them."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A damaged object and, if the cache holds one, its good copy."""

    problem: Problem
    sha256: str | None
    copy: Path | None


@dataclass(frozen=True, slots=True)
class RepairReport:
    """What :func:`repair` restored, and what it could not."""

    restored: tuple[str, ...]
    #: Keys left damaged, with the reason.
    left: tuple[tuple[str, str], ...]


def assess(
    report: VerifyReport, uow_factory: UnitOfWorkFactory, cache: CachedCopies | None
) -> tuple[Finding, ...]:
    """One finding per damaged key (its first problem), with the cache's good copy."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for problem in report.problems:
        if problem.key in seen:
            continue
        seen.add(problem.key)
        with uow_factory() as uow:
            record = uow.objects.find(problem.key)
        sha256 = None if record is None else record.sha256
        copy = cache.cached_copy(problem.key, sha256) if cache and sha256 else None
        findings.append(Finding(problem, sha256, copy))
    return tuple(findings)


def register(
    uow_factory: UnitOfWorkFactory, findings: Sequence[Finding], *, prefix: str | None
) -> None:
    """Replace the register's findings under ``prefix`` by those of a full check."""
    with uow_factory() as uow:
        uow.damage.clear_under(prefix)
        for finding in findings:
            problem = finding.problem
            uow.damage.record(
                problem.key,
                problem=str(problem.kind),
                expected=problem.expected,
                found=problem.found,
                detected_by="verify",
                cached_copy=finding.copy is not None,
            )
        uow.commit()


def register_read_damage(uow_factory: UnitOfWorkFactory, key: str, sha256: str) -> None:
    """Record that reading ``key`` found bytes that do not hash to ``sha256``. Never raises:
    the read's own error is what the caller reports."""
    try:
        with uow_factory() as uow:
            uow.damage.record(
                key, problem="content-mismatch", expected=sha256, found=None, detected_by="read"
            )
            uow.commit()
    except Exception as exc:  # the catalog is down too: the read's error still reaches the user
        log.warning("could not record the damage of %s: %s", key, exc)


def repair(
    store: RepairTarget, uow_factory: UnitOfWorkFactory, findings: Sequence[Finding]
) -> RepairReport:
    """Write each damaged object's good cached copy back to the store, check what the store
    now holds against the catalog, and clear the register for what was restored."""
    restored: list[str] = []
    left: list[tuple[str, str]] = []
    for finding in findings:
        key = finding.problem.key
        if finding.copy is None or finding.sha256 is None:
            left.append((key, "no verified copy in the cache"))
            continue
        try:
            info = store.put_file(key, finding.copy)
        except EntrepotError as exc:
            left.append((key, f"could not write it back: {exc}"))
            continue
        if info.sha256 != finding.sha256:
            left.append((key, f"the store now reports sha256 {info.sha256}"))
            continue
        restored.append(key)
    with uow_factory() as uow:
        uow.damage.clear(restored)
        uow.commit()
    return RepairReport(tuple(restored), tuple(left))
