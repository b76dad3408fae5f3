"""Reference models: ready versions the fraud engine may reuse, with usage statistics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from entrepot.catalog.models.records import ReferenceModelRecord
from entrepot.messages import N_, Message
from entrepot.registry.errors import ReferenceNotFound
from entrepot.registry.names import check_name, check_segment
from entrepot.registry.parts import Context
from entrepot.registry.resolve import find_version


def add_reference(
    ctx: Context,
    name: str,
    *,
    model: str,
    version: str | None,
    domain: str,
    input_schema: Iterable[tuple[str, str]] | None,
    metrics: Mapping[str, float] | None,
    active: bool,
) -> ReferenceModelRecord:
    """Record (or repoint) reference ``name``: a ready version of ``model``; its schema and
    metrics default to the version's."""
    check_segment(name, "reference name")
    check_segment(domain, "domain")
    with ctx.uow_factory() as uow:
        target = find_version(ctx, uow, check_name(model), version)
        record = uow.references.upsert(
            name=name,
            domain=domain,
            version_id=target.id,
            input_schema=list(input_schema if input_schema is not None else target.input_schema),
            metrics=dict(metrics if metrics is not None else target.metrics),
            active=active,
        )
        uow.commit()
    return record


def record_use(ctx: Context, name: str, score: float) -> None:
    """Count one use of reference ``name`` with its match score (0 to 1)."""
    with ctx.uow_factory() as uow:
        if not uow.references.record_use(name, score=score, at=ctx.clock()):
            raise ReferenceNotFound(
                f"no reference model named {name!r}",
                said=Message(N_("error.registry.no_such_reference"), {"name": name}),
            )
        uow.commit()


def set_active(ctx: Context, name: str, active: bool) -> None:
    """Offer reference ``name`` for matching again, or retire it."""
    with ctx.uow_factory() as uow:
        if not uow.references.set_active(name, active):
            raise ReferenceNotFound(
                f"no reference model named {name!r}",
                said=Message(N_("error.registry.no_such_reference"), {"name": name}),
            )
        uow.commit()


def remove(ctx: Context, name: str) -> None:
    """Delete reference ``name`` (its model version stays)."""
    with ctx.uow_factory() as uow:
        if not uow.references.remove(name):
            raise ReferenceNotFound(
                f"no reference model named {name!r}",
                said=Message(N_("error.registry.no_such_reference"), {"name": name}),
            )
        uow.commit()
