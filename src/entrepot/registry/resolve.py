"""From ``NAME``, ``NAME@VERSION``, ``NAME@ALIAS`` or ``NAME@latest`` to one ready version."""

from __future__ import annotations

from dataclasses import dataclass

from entrepot.catalog.models.records import ModelFileRecord, ModelVersionRecord
from entrepot.catalog.uow import UnitOfWork
from entrepot.messages import N_, Message
from entrepot.registry.errors import ModelNotFound
from entrepot.registry.names import check_name, check_segment
from entrepot.registry.parts import Context


@dataclass(frozen=True, slots=True)
class Resolved:
    """A ready version and its files, as the catalog records them."""

    version: ModelVersionRecord
    files: tuple[ModelFileRecord, ...]


def resolve(ctx: Context, name: str, selector: str | None) -> Resolved:
    """The ready version ``selector`` names (a version, an alias, ``latest`` or ``None`` for
    the latest) and its files; raises :class:`ModelNotFound` naming what is missing."""
    check_name(name)
    if selector is not None:
        check_segment(selector, "version or alias")
    with ctx.uow_factory() as uow:
        record = find_version(ctx, uow, name, selector)
        return Resolved(record, uow.models.files(record.id))


def find_version(
    ctx: Context, uow: UnitOfWork, name: str, selector: str | None
) -> ModelVersionRecord:
    """:func:`resolve` inside an open unit of work, without the files."""
    ns = ctx.space.id
    if selector is None or selector == "latest":
        record = uow.models.latest(ns, name)
    else:
        record = uow.models.find(ns, name, selector) or uow.models.alias_target(ns, name, selector)
    if record is not None:
        return record
    count = uow.models.count(ns, name)
    if count == 0:
        raise ModelNotFound(
            f"no model named {ctx.label(name)!r} has a ready version",
            said=Message(N_("error.registry.no_ready_version"), {"model": ctx.label(name)}),
        )
    latest = uow.models.latest(ns, name)
    aliases = ", ".join(a.alias for a in uow.models.aliases(ns, name)) or "none"
    raise ModelNotFound(
        f"model {ctx.label(name)!r} has no version or alias {selector!r} "
        f"({count} version(s), latest {latest.version if latest else '-'}; aliases: {aliases})",
        said=Message(
            N_("error.registry.no_such_selector"),
            {
                "model": ctx.label(name),
                "selector": selector,
                "versions": count,
                "latest": latest.version if latest else "-",
                "aliases": aliases,
            },
        ),
    )
