"""Aliases (``production``, ``staging``...): named pointers to ready versions.

An alias moves in one upsert, so a reader sees the old target or the new one, never none.
A name is never both an alias and a version of one model, so ``NAME@X`` means one thing.
"""

from __future__ import annotations

from entrepot.catalog.models.records import AliasRecord
from entrepot.messages import N_, Message
from entrepot.registry.errors import AliasNotFound, ModelNotFound, VersionExists
from entrepot.registry.names import check_alias, check_name, check_segment
from entrepot.registry.parts import Context
from entrepot.registry.resolve import find_version


def set_alias(ctx: Context, name: str, alias: str, version: str) -> AliasRecord:
    """Point ``alias`` of ``name`` at the ready ``version``."""
    check_name(name)
    check_alias(alias)
    check_segment(version, "version")
    ns = ctx.space.id
    with ctx.uow_factory() as uow:
        if uow.models.find(ns, name, alias, any_state=True) is not None:
            raise VersionExists(
                f"{alias!r} is a version of {ctx.label(name)}; it cannot also be an alias",
                said=Message(
                    N_("error.registry.alias_is_version"),
                    {"alias": alias, "model": ctx.label(name)},
                ),
            )
        target = uow.models.find(ns, name, version)
        if target is None:
            find_version(ctx, uow, name, version)  # raises, naming what exists
            raise ModelNotFound(
                f"{version!r} names a version of {ctx.label(name)} indirectly (an alias or "
                "'latest'); an alias must point at a version itself",
                hint="list the versions with `entrepot models versions NAME`",
                said=Message(
                    N_("error.registry.alias_indirect"),
                    {"version": version, "model": ctx.label(name)},
                ),
            )
        now = ctx.clock()
        uow.models.set_alias(
            namespace=ns,
            name=name,
            alias=alias,
            version_id=target.id,
            updated_at=now,
            updated_by=ctx.actor,
        )
        uow.commit()
    return AliasRecord(name, alias, target.version, now, ctx.actor)


def remove_alias(ctx: Context, name: str, alias: str) -> None:
    """Delete ``alias`` of ``name``; raises :class:`AliasNotFound` if there is none."""
    check_name(name)
    check_segment(alias, "alias")
    with ctx.uow_factory() as uow:
        if not uow.models.remove_alias(ctx.space.id, name, alias):
            raise AliasNotFound(
                f"{ctx.label(name)} has no alias {alias!r}",
                said=Message(
                    N_("error.registry.no_such_alias"), {"model": ctx.label(name), "alias": alias}
                ),
            )
        uow.commit()
