"""Copy stored metrics and reports from one metrics store to another, then verify.

Every document of the chosen kinds and days is read from the source and written to
the target (replacing what the target held for that kind and day); a document whose
sha256 already matches is left alone. Verification then lists the target: each
source document must be there with the same sha256, and the counts must agree.
Documents are replaced, never duplicated, so an interrupted copy can simply be run
again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from entrepot.city.errors import MigrationMismatch
from entrepot.city.metrics.base import DocumentInfo, MetricsStore
from entrepot.messages import N_, Message


@dataclass(frozen=True)
class CopyResult:
    """What a copy did (or, dry, would do)."""

    source: str
    target: str
    dry_run: bool
    documents: int
    copied: int
    unchanged: int
    by_kind: dict[str, int]
    target_count: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "from": self.source,
            "to": self.target,
            "dry_run": self.dry_run,
            "documents": self.documents,
            "copied": self.copied,
            "unchanged": self.unchanged,
            "by_kind": self.by_kind,
            "target_count": self.target_count,
            "verified": not self.dry_run,
        }


def copy_metrics(
    source: MetricsStore,
    target: MetricsStore,
    *,
    kinds: Collection[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    dry_run: bool = False,
    progress: Callable[[DocumentInfo], None] | None = None,
) -> CopyResult:
    """Copy the matching documents of ``source`` to ``target`` and verify the copy.

    Raises :class:`MigrationMismatch` when the target does not hold every source
    document with its sha256 afterwards.
    """
    planned = source.index(kinds=kinds, start=start, end=end)
    existing = {(i.kind, i.day): i.sha256 for i in target.index(kinds=kinds, start=start, end=end)}
    by_kind = dict(sorted(Counter(i.kind for i in planned).items()))
    copied = unchanged = 0
    if not dry_run:
        for info in planned:
            if existing.get((info.kind, info.day)) == info.sha256:
                unchanged += 1
                continue
            found = source.get(info.kind, info.day)
            if found is None:
                raise MigrationMismatch(
                    f"the {info.kind} document of {info.day} vanished from {source.url} "
                    "during the copy",
                    said=Message(
                        N_("error.city.copy_vanished"),
                        {"kind": info.kind, "day": str(info.day), "store": source.url},
                    ),
                )
            stored = target.put(info.kind, info.day, found.document)
            if stored.info.sha256 != found.info.sha256:
                raise MigrationMismatch(
                    f"the {info.kind} document of {info.day} changed on its way to "
                    f"{target.url} (sha256 {found.info.sha256} -> {stored.info.sha256})",
                    said=Message(
                        N_("error.city.copy_changed"),
                        {"kind": info.kind, "day": str(info.day), "store": target.url},
                    ),
                )
            copied += 1
            if progress is not None:
                progress(info)
    after = target.index(kinds=kinds, start=start, end=end)
    if not dry_run:
        _verify(source.url, target.url, planned, after)
    return CopyResult(
        source.url,
        target.url,
        dry_run,
        len(planned),
        copied,
        unchanged,
        by_kind,
        len(after),
    )


def _verify(
    source: str, target: str, planned: list[DocumentInfo], after: list[DocumentInfo]
) -> None:
    held = {(i.kind, i.day): i.sha256 for i in after}
    wrong = [i for i in planned if held.get((i.kind, i.day)) != i.sha256]
    if wrong:
        shown = ", ".join(f"{i.kind} {i.day}" for i in wrong[:10])
        raise MigrationMismatch(
            f"{len(wrong)} of {len(planned)} document(s) are missing or differ in {target} "
            f"after the copy from {source}: {shown}",
            said=Message(
                N_("error.city.copy_differs"),
                {
                    "wrong": len(wrong),
                    "planned": len(planned),
                    "target": target,
                    "source": source,
                    "documents": shown,
                },
            ),
        )
    source_counts = Counter(i.kind for i in planned)
    target_counts = Counter(i.kind for i in after)
    short = {k: (n, target_counts[k]) for k, n in source_counts.items() if target_counts[k] < n}
    if short:
        raise MigrationMismatch(
            f"counts differ after the copy (source, target): {short}",
            said=Message(N_("error.city.copy_counts_differ"), {"counts": str(short)[:300]}),
        )
