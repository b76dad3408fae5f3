"""Delete one version: its rows and aliases first (committed), then its objects.

Objects are deleted by the keys the catalog recorded, never by prefix, so deleting ``v1``
cannot touch ``v10``. A crash between the commit and the deletes leaves unreferenced
objects, which ``entrepot gc`` removes.
"""

from __future__ import annotations

from entrepot.catalog.models.records import ModelVersionRecord
from entrepot.errors import StorageError
from entrepot.messages import N_, Message
from entrepot.registry.errors import InvalidName, ModelNotFound, VersionInUse
from entrepot.registry.names import check_name, check_segment
from entrepot.registry.parts import Context
from entrepot.registry.resolve import find_version


def delete(ctx: Context, name: str, version: str) -> ModelVersionRecord:
    """Remove ``version`` of ``name`` in any state (a version, never an alias)."""
    check_name(name)
    check_segment(version, "version")
    ns = ctx.space.id
    with ctx.uow_factory() as uow:
        record = uow.models.find(ns, name, version, any_state=True)
        if record is None:
            if any(a.alias == version for a in uow.models.aliases(ns, name)):
                raise InvalidName(
                    f"{version!r} is an alias of {ctx.label(name)}, not a version",
                    hint="delete a version by its name (`entrepot models versions NAME`)",
                    said=Message(
                        N_("error.registry.delete_alias"),
                        {"version": version, "model": ctx.label(name)},
                    ),
                )
            find_version(ctx, uow, name, version)
            raise ModelNotFound(
                f"{ctx.label(name, version)} does not exist",
                said=Message(
                    N_("error.registry.no_such_version"), {"model": ctx.label(name, version)}
                ),
            )
        users = uow.references.using(record.id)
        if users:
            raise VersionInUse(
                f"{ctx.label(name, version)} is the reference model {', '.join(users)}; "
                "deleting it would leave the reference dangling",
                said=Message(
                    N_("error.registry.version_in_use"),
                    {"model": ctx.label(name, version), "references": ", ".join(users)},
                ),
            )
        keys = uow.models.delete(record.id)
        uow.commit()
    try:
        ctx.store.delete_many(keys)
    except StorageError as exc:
        raise StorageError(
            f"{ctx.label(name, version)} is deleted from the catalog, but removing its "
            f"{len(keys)} object(s) failed: {exc.message}",
            store=ctx.store.url,
            hint="nothing refers to those objects any more: `entrepot gc` removes them",
            said=Message(
                N_("error.registry.delete_objects_failed"),
                {"model": ctx.label(name, version), "objects": len(keys), "detail": exc.message},
            ),
        ) from exc
    return record
