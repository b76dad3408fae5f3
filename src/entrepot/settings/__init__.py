"""The settings, by group: one frozen dataclass a group (ADR 0078).

Each group holds the settings one part of the product reads (``store``, ``catalog``,
``cache``, ``jobs``, ``web``, ``city``, ``fraud``, ``oidc``); :class:`entrepot.config.Settings`
reads them all once, from the ``ENTREPOT_*`` variables, and holds one of each. A field's
setting name (its variable is ``ENTREPOT_`` + the name in capitals, and ``config show``
lists it) is the field's name, or the ``name`` its metadata gives where the group's own
word is shorter (``store.url`` is ``store_url``). These modules only declare: the
reading, conversion and checks are ``entrepot.config``'s, the metadata says which
(``ge``/``gt``/``le`` bounds, ``before``: ``size``, ``proxies``, ``hosts`` or ``scheduler``,
``library``: the library variables a value falls back to, ``on_platform``: the default on
a detected cloud platform).
"""

from __future__ import annotations

from dataclasses import Field, field, fields
from typing import Any


def setting(default: Any, *, name: str | None = None, secret: bool = False, **meta: Any) -> Any:
    """A field of a group: its default, its setting name when it is not the field's, and
    how it is read and checked (``meta``)."""
    if name is not None:
        meta["name"] = name
    return field(default=default, repr=not secret, metadata=meta)


def setting_name(spec: Field[Any]) -> str:
    """The setting a group's field holds (its variable without ``ENTREPOT_``, lower-case)."""
    return str(spec.metadata.get("name", spec.name))


def group_settings(group: type) -> dict[str, Field[Any]]:
    """Each setting name of a group's class -> its field."""
    return {setting_name(spec): spec for spec in fields(group)}
